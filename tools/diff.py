"""`gmw diff STACK`: the offline change plan (offline/plan.py) printed, and its exit code as a gate."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from components.core.config import ConfigError
from offline import secrets
from offline.assignments import _config_key, config_value, parse_assignment
from offline.plan import ACTIONS, CREATE, DELETE, MARKERS, REPLACE, UPDATE, diff
from offline.plan_json import plan_json
from offline.stack_files import stack_config, stack_file
from tools import colour, prog

_LINE_COLOURS = ((f"{MARKERS[REPLACE]} ", colour.YELLOW), (f"{MARKERS[CREATE]} ", colour.GREEN),
                 (f"{MARKERS[UPDATE]} ", colour.YELLOW), (f"{MARKERS[DELETE]} ", colour.RED), ("@@ ", colour.CYAN))


def coloured(text: str, on: bool) -> str:
    """The plan's text with each step's line coloured by its action (only when `on`: `tools.colour`)."""
    if not on:
        return text
    lines = []
    for line in text.split("\n"):
        found = next((c for prefix, c in _LINE_COLOURS if line.startswith(prefix)), None)
        lines.append(colour.paint(line, found, True) if found else line)
    return "\n".join(lines)


def _redactor(stack: str, against: Path | None, assignments: Sequence[str]) -> secrets.Redactor:
    """What the command must never print: the values it was given of keys Pulumi.yaml declares secret
    (`--set licenseKey=...`, a stack file holding one in plaintext), and kubeconfig contents."""
    redactor = secrets.Redactor()
    for text in assignments:
        key, sep, value = text.partition("=")
        if sep and secrets.is_secret(key):
            redactor.add(value)
            redactor.add(config_value(value))
        elif sep:
            redactor.add_kubeconfigs(key, config_value(value))
    for path in (stack_file(stack), against):
        if path is not None and path.is_file():
            redactor.add_config(stack_config(path))
    return redactor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog("diff"), description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="stack name (dev → Pulumi.dev.yaml) or a stack config file: the state after")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                        help="change a config value (repeatable)")
    parser.add_argument("--unset", dest="unsets", action="append", default=[], metavar="KEY",
                        help="remove a config key (repeatable)")
    parser.add_argument("--against", type=Path, metavar="OTHER_STACK_FILE",
                        help="the stack file before the change (default: STACK as it is)")
    parser.add_argument("--fail-on", default="", metavar="ACTIONS",
                        help=f"exit 1 if the plan has any of these steps (comma-separated: {', '.join(ACTIONS)})")
    parser.add_argument("--json", action="store_true",
                        help="print the plan as JSON (its shape: docs/json-output.md) instead of text")
    args = parser.parse_args(argv)
    fail_on = [a.strip() for a in args.fail_on.split(",") if a.strip()]
    unknown = [a for a in fail_on if a not in ACTIONS]
    if unknown:
        parser.error(f"--fail-on: unknown action(s) {', '.join(unknown)}; allowed are {', '.join(ACTIONS)}")
    for path in (stack_file(args.stack), args.against):
        if path is not None and not path.is_file():
            print(f"error: no stack config file {path}", file=sys.stderr)
            return 2
    try:
        redactor = _redactor(args.stack, args.against, args.sets)
    except ConfigError as error:  # a stack file that is not valid YAML: its text is not echoed
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        sets = [parse_assignment(s) for s in args.sets]
        unsets = [_config_key(k) for k in args.unsets]
    except ValueError as error:
        print(redactor.scrub(f"error: {error}"), file=sys.stderr)
        return 2
    try:
        result = diff(args.stack, against=args.against, sets=sets, unsets=unsets)
    except ConfigError as error:
        print(redactor.scrub(f"error: {error}"), file=sys.stderr)
        return 2
    if args.json:
        text = json.dumps(plan_json(result), indent=2, ensure_ascii=False) + "\n"
    else:
        text = coloured(result.render(), colour.enabled(sys.stdout))
    sys.stdout.write(redactor.scrub(text))
    if result.blocked():
        print(f"error: the plan would delete or replace {len(result.blocked())} protected resource(s); "
              "`pulumi preview` fails on them", file=sys.stderr)
        return 1
    failing = result.of(*fail_on)
    if failing:
        print(f"error: the plan would {' and '.join(sorted({s.action for s in failing}))} "
              f"{len(failing)} resource(s) (--fail-on {args.fail_on})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
