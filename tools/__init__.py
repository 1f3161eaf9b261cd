"""The offline tools. Commands run as `python -m tools.<command>`; the other modules are their library.

Kept importable by any Python 3 (no newer syntax here): `python3 -m tools.local` imports this
package first, and must get as far as its own version check.
"""

import sys

COMMANDS = ("local", "render", "diff", "verify", "fleet", "snapshot", "changed_stacks")


def not_a_command(module: str) -> int:
    """What `python -m tools.<library module>` says: it is no command, and which ones there are."""
    commands = ", ".join("python -m tools." + name for name in COMMANDS)
    sys.stderr.write(f"error: {module} is a library module of the offline tools, not a command.\n"
                     f"The commands are: {commands} (README.md).\n")
    return 2
