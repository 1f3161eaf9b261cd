"""`gmw fleet render FLEET --out DIR` and `gmw fleet check FLEET`.

FLEET is a fleet file's name under `fleets/` (`dev` → fleets/dev.yaml) or a path. `check --json`
prints the verdict as JSON (docs/json-output.md): `format`, `fleet`, `stacks`, `ok`, and `problems`,
each with the `property` it breaks (equivalence, secrets, isolation, credentials, policy) and its
`message`. A passing `check` prints what it proved, property by property (`check.verdict`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.core.config import ConfigError
from offline.fleet.check import check, verdict
from offline.fleet.parse import load_fleet
from offline.fleet.render import render
from offline.fleet.spec import FleetError, fleet_path
from offline.output_dir import OutputDirError
from tools import prog

JSON_FORMAT = 1


def check_json(fleet: str, stacks: Sequence[str], problems: Sequence[str]) -> dict[str, Any]:
    """`check --json`: the problems `check` found, each split into the property it breaks and its message."""
    entries = []
    for problem in problems:
        prop, _, message = problem.partition(": ")
        entries.append({"property": prop, "message": message})
    return {"format": JSON_FORMAT, "fleet": fleet, "stacks": list(stacks), "ok": not problems, "problems": entries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog("fleet"), description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    render_cmd = commands.add_parser("render", help="write every stack's config file and the operator manifests")
    render_cmd.add_argument("fleet", help="fleet name (dev → fleets/dev.yaml) or a fleet file")
    render_cmd.add_argument("--out", type=Path, required=True, help="directory to write to")
    render_cmd.add_argument("--charts-rbac-preinstalled", action="store_true",
                            help="a cluster admin pre-installs the charts' RBAC (rbac/<stack>/rbac-<cluster>-charts.sh): "
                                 "no deploy identity gets escalate/bind, none is cluster-admin-equivalent")
    check_cmd = commands.add_parser("check", help="prove the fleet equivalent to one stack, its secrets, isolation "
                                                  "and per-stack credentials")
    check_cmd.add_argument("fleet", help="fleet name (dev → fleets/dev.yaml) or a fleet file")
    check_cmd.add_argument("--json", action="store_true", help="print the verdict as JSON (docs/json-output.md)")
    args = parser.parse_args(argv)

    path = fleet_path(args.fleet)
    if not path.is_file():
        print(f"error: no fleet file {path}", file=sys.stderr)
        return 2
    try:
        fleet = load_fleet(args.fleet)
        if args.command == "render":
            written = render(fleet, args.out, args.charts_rbac_preinstalled)
            print(f"rendered fleet {fleet.name}: {len(fleet.stacks)} stacks, {len(written)} files in {args.out}")
            return 0
        problems = check(fleet)
    except (FleetError, ConfigError, OutputDirError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(check_json(fleet.name, fleet.stacks, problems), indent=2, ensure_ascii=False))
        return 1 if problems else 0
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"fleet {fleet.name}: {len(problems)} problems", file=sys.stderr)
        return 1
    print("\n".join(verdict(fleet)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
