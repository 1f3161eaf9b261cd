"""Verify a deployed workshop stack from the outside: `python -m tools.verify STACK`.

Reads the stack outputs (`pulumi stack output --json --show-secrets`, or `--outputs FILE`), runs
the HTTP checks of every enabled lab against the gateways and Keycloak (and the kubectl checks
where kubectl reaches the clusters), prints a table lab → check → PASS/FAIL/SKIP, and exits 1 if
any check failed (2 if the outputs cannot be read). `--json` prints the results as JSON instead,
`--junit FILE` also writes them as JUnit XML (docs/json-output.md). See docs/verify.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from tools import colour, prog
from tools.verifier.checks import Probe, plan, unchecked_features
from tools.verifier.http import request
from tools.verifier.kube import Kube
from tools.verifier.outputs import OutputsError, load_outputs_file, load_stack_outputs
from tools.verifier.runner import FAIL, PASS, SKIP, junit_xml, render_table, results_json, run_checks

ROOT = Path(__file__).resolve().parent.parent


def _context(value: str) -> tuple[str, str]:
    cluster, sep, context = value.partition("=")
    if not sep or not cluster or not context:
        raise argparse.ArgumentTypeError(f"expected CLUSTER=CONTEXT, got {value!r}")
    return cluster, context


def _positive(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog("verify"), description=__doc__.split("\n\n")[0])
    p.add_argument("stack", nargs="?", help="Pulumi stack to read outputs from (not needed with --outputs)")
    p.add_argument("--outputs", type=Path, metavar="FILE",
                   help="JSON of `pulumi stack output --json --show-secrets` instead of asking the Pulumi CLI")
    p.add_argument("--timeout", type=_positive, default=300.0,
                   help="total seconds for retrying failing checks (default 300; rate limits need > 60)")
    p.add_argument("--interval", type=_positive, default=5.0, help="seconds between retries of a check (default 5)")
    p.add_argument("--request-timeout", type=_positive, default=10.0, help="seconds per HTTP request (default 10)")
    p.add_argument("--context", type=_context, action="append", default=[], metavar="CLUSTER=CONTEXT",
                   help="kube context of a cluster for the kubectl checks (default: the cluster's name)")
    p.add_argument("--kubectl", default="kubectl", help="kubectl binary (default: kubectl on PATH)")
    p.add_argument("--report", type=Path, metavar="FILE", help="also write the result table to FILE")
    p.add_argument("--strict", action="store_true", help="exit non-zero when any check was skipped, too")
    p.add_argument("--json", action="store_true",
                   help="print the results as JSON (docs/json-output.md) instead of the table")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write the results as JUnit XML to FILE (for CI)")
    return p


_STATUS_COLOURS = {PASS: colour.GREEN, FAIL: colour.RED, SKIP: colour.YELLOW}


def coloured_table(table: str, on: bool) -> str:
    """The result table with each row's status coloured (only when `on`: `tools.colour`); the
    `--report` file is written plain."""
    if not on:
        return table
    lines = table.split("\n")
    if len(lines) < 2 or not lines[1].startswith("-"):
        return table
    # The RESULT column starts where the separator line's third group of dashes does.
    start = [m.start() for m in re.finditer(r"-+", lines[1])][2]
    for i, line in enumerate(lines[2:], start=2):
        status = line[start:start + 4]
        if status in _STATUS_COLOURS and line[:start].endswith("  "):
            lines[i] = line[:start] + colour.paint(status, _STATUS_COLOURS[status], True) + line[start + 4:]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.outputs is None and not args.stack:
        parser().error("give a STACK or --outputs FILE")
    try:
        outputs = load_outputs_file(args.outputs) if args.outputs else load_stack_outputs(args.stack, cwd=ROOT)
    except OutputsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    checks = plan(outputs)
    probe = Probe(outputs, Kube(dict(args.context), kubectl=args.kubectl), send=request,
                  request_timeout=args.request_timeout)
    print(f"verifying features: {', '.join(sorted(outputs.features)) or '(none)'}; "
          f"{len(checks)} checks, retrying for up to {args.timeout:g} s", file=sys.stderr)
    results = run_checks(checks, probe, timeout=args.timeout, interval=args.interval,
                         on_result=lambda r: print(f"  {r.status} {r.lab}: {r.check}", file=sys.stderr))
    notes = unchecked_features(outputs)
    table = render_table(results, notes)
    if args.json:
        print(json.dumps(results_json(results, outputs.features, notes, args.strict), indent=2, ensure_ascii=False))
    else:
        print(coloured_table(table, colour.enabled(sys.stdout)))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(table + "\n")
    if args.junit:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(junit_xml(results))
    statuses = {r.status for r in results}
    if FAIL in statuses or (args.strict and SKIP in statuses):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
