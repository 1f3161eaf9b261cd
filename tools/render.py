"""`gmw render STACK --out DIR`: what a stack would deploy, written offline (offline/render.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.core.config import ConfigError
from offline import rbac_header, secrets
from offline.counts import count
from offline.output_dir import OutputDirError
from offline.policy import check_simulation
from offline.render import (
    render,
)
from offline.stack_files import stack_config, stack_file, with_fake_license
from tools import prog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog("render"), description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="stack name (dev → Pulumi.dev.yaml) or a stack config file (stacks/x.yaml)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the render to")
    parser.add_argument("--charts-rbac-preinstalled", action="store_true",
                        help="a cluster admin pre-installs the charts' RBAC (rbac-<cluster>-charts.sh): the deploy "
                             "identity gets no escalate/bind, so it is not cluster-admin-equivalent")
    args = parser.parse_args(argv)
    path = stack_file(args.stack)
    if not path.is_file():
        print(f"error: no stack config file {path}", file=sys.stderr)
        return 2
    redactor = secrets.Redactor()
    try:
        raw = stack_config(path)
        redactor.add_config(raw)
        if with_fake_license(raw)[1]:
            print(f"note: {path.name} has no readable licenseKey; rendering with a fake license", file=sys.stderr)
        sim = render(args.stack, args.out, args.charts_rbac_preinstalled)
    except ConfigError as error:
        print(redactor.scrub(f"error: {path.name}: {error}"), file=sys.stderr)
        return 2
    except OutputDirError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"rendered {path.name} to {args.out}: {count(sim).line()}")
    for warning in rbac_header.version_warnings(sim):
        print(f"warning: {path.name}: {warning}", file=sys.stderr)
    violations = check_simulation(sim)
    for violation in violations:
        print(violation.line(), file=sys.stderr)
    if any(v.mandatory for v in violations):
        print(f"error: {path.name}: mandatory policy violations (see {args.out / 'policy.md'})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
