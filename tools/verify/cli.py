"""Verify a deployed workshop stack from the outside: `gmw verify STACK`.

Reads the stack outputs (`pulumi stack output --json --show-secrets`, or `--outputs FILE`), runs
the HTTP checks of every enabled lab against the gateways and Keycloak (and the kubectl checks
where kubectl reaches the clusters), prints a table lab → check → PASS/FAIL/SKIP, and exits 1 if
any check failed (2 if the outputs cannot be read, or it refuses to send: see below). `--json`
prints the results as JSON instead, `--junit FILE` also writes them as JUnit XML
(docs/json-output.md). See docs/verify.md.

It sends only to the stack's own endpoints (`--allow-host` adds one), verifies the gateways against
the certificate the outputs carry (`--insecure-skip-tls-verify` skips that), and does not send
Keycloak's credentials in clear text to another host (`--keycloak-via` a port-forward, or
`--allow-plaintext-keycloak`): `tools/verify/transport.py`. No token reaches its output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from offline import ROOT
from tools import colour, prog
from tools.verify.checks import checks_for, needs_tokens, unchecked_features
from tools.verify.kube import Kube
from tools.verify.outputs import OutputsError, StackOutputs, load_outputs_file, load_stack_outputs
from tools.verify.probe import Probe
from tools.verify.runner import FAIL, PASS, SKIP, junit_xml, render_table, results_json, run_checks
from tools.verify.transport import (
    ALLOW_HOST_FLAG,
    INSECURE_FLAG,
    credentials_refusal,
    host_of,
    parse_address,
    stack_hosts,
    transport,
)


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


def _loopback_address(value: str) -> tuple[str, int]:
    try:
        return parse_address(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


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
    p.add_argument("--keycloak-via", type=_loopback_address, metavar="HOST:PORT",
                   help="send Keycloak's requests to this loopback address (a `kubectl port-forward`), "
                        "with keycloakUrl's Host header, so the tokens name the issuer the gateways expect")
    p.add_argument("--allow-plaintext-keycloak", action="store_true",
                   help="POST the client secret and the users' passwords to a plain http:// keycloakUrl "
                        "on another host (in clear text over the network)")
    p.add_argument(INSECURE_FLAG, dest="insecure", action="store_true",
                   help="do not verify the gateways' certificate (for outputs without gatewayCertificate)")
    p.add_argument(ALLOW_HOST_FLAG, dest="allow_hosts", action="append", default=[], metavar="HOST",
                   help="also send to HOST, which none of the stack's endpoints names (repeatable)")
    return p


def refusals(outputs: StackOutputs, args: argparse.Namespace) -> list[str]:
    """Why the run must not start (empty: it may): what it would send where it must not."""
    found = []
    if needs_tokens(outputs):
        why = credentials_refusal(outputs, allow_plaintext=args.allow_plaintext_keycloak,
                                  keycloak_via=args.keycloak_via)
        if why:
            found.append(why)
    if outputs.has("gateway-tls") and not outputs.gateway_certificate and not args.insecure:
        found.append(f"the stack outputs carry no gatewayCertificate, so the gateways' HTTPS cannot be "
                     f"verified; `pulumi up` with this program version exports it, or pass {INSECURE_FLAG}")
    return found


def warnings(outputs: StackOutputs, args: argparse.Namespace) -> list[str]:
    own = stack_hosts(outputs)
    found = [f"{ALLOW_HOST_FLAG} {host}: requests, tokens included, may go to this host, which no stack endpoint "
             "names" for host in args.allow_hosts if host_of(host) not in own]
    if args.insecure:
        found.append(f"{INSECURE_FLAG}: the gateways' certificate is not verified; bearer tokens go to whoever answers")
    if args.allow_plaintext_keycloak and credentials_refusal(outputs) and needs_tokens(outputs):
        found.append(f"--allow-plaintext-keycloak: the client secret and passwords cross the network to "
                     f"{outputs.keycloak_url} in clear text")
    return found


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

    refused = refusals(outputs, args)
    if refused:
        for why in refused:
            print(f"error: {why}", file=sys.stderr)
        return 2
    for warning in warnings(outputs, args):
        print(f"warning: {warning}", file=sys.stderr)

    checks = checks_for(outputs)
    sender = transport(outputs, insecure=args.insecure, allow_hosts=args.allow_hosts, keycloak_via=args.keycloak_via)
    probe = Probe(outputs, Kube(dict(args.context), kubectl=args.kubectl), send=sender.send,
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
