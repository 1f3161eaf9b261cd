"""The front door: `gmw [<command> ...]`, or `python -m tools [<command> ...]`.

With no command (or `--help`) it lists every command with a line of help and examples; otherwise it
imports that command's module alone and runs its `main(argv)`. Standard library only and any
Python 3 syntax, like `tools/__init__.py`: `python3 -S -m tools local up` runs before the venv.
"""

import importlib
import sys

from tools import BY_NAME, COMMANDS, PROG
from tools import __doc__ as PACKAGE_DOC


def usage() -> str:
    width = max(len(c.name) for c in COMMANDS)
    lines = ["usage: " + PROG + " <command> [arguments...]   (" + PROG + " <command> --help for its own)", "",
             "commands:"]
    for c in COMMANDS:
        lines.append("  " + c.name.ljust(width) + "  " + c.summary)
    lines += ["", "examples:"]
    for c in COMMANDS:
        lines += ["  " + PROG + " " + example for example in c.examples]
    exit_codes = PACKAGE_DOC.split("Exit codes", 1)[1].split("\n\n", 1)[0]
    lines += ["", "exit codes" + exit_codes.rstrip(), ""]
    return "\n".join(lines)


def main(argv: "list[str] | None" = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(usage())
        return 0
    command = BY_NAME.get(args[0]) or BY_NAME.get(args[0].replace("_", "-"))
    if command is None:
        sys.stderr.write("error: " + PROG + ": unknown command " + repr(args[0]) + "; the commands are: "
                         + ", ".join(c.name for c in COMMANDS) + "\n")
        return 2
    module = importlib.import_module(command.module)
    return module.main(args[1:])


if __name__ == "__main__":
    sys.exit(main())
