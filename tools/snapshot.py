"""The state-compatibility guard: the URN of every resource of every stack file, as committed.

    gmw snapshot check               # compare; exit 1 and list the changes if any URN moved
    gmw snapshot update              # write the snapshots anew (a deliberate change)

A user's stack holds each resource by its URN (stack, project, the chain of parent type tokens,
the resource's own type and name). A URN that changes between two versions of this program is a
delete-and-create of the live object on `pulumi up`. `tests/snapshots/urns/<stack>.txt` holds the
sorted URNs each stack file declares (and reads) under the mock runtime; `tests/core/
test_urn_snapshots.py` fails when one changes. Refactorings keep URNs; where a type token or a
parent must change, the resource carries `pulumi.Alias` so `pulumi up` updates it in place, and
the snapshot is regenerated with `--update` in the same commit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from offline import ROOT
from offline.runtime import simulate
from offline.stack_files import iter_stack_files, stack_config, with_fake_license
from tools import prog

SNAPSHOT_DIR = ROOT / "tests" / "snapshots" / "urns"
HOW_TO_FIX = (
    "A changed URN makes `pulumi up` delete and recreate that resource on users' clusters.\n"
    "If the change is a refactoring (a module move, a renamed component type or resource name, a new parent),\n"
    "keep the URN: add `opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=..., name=..., parent=...)])`\n"
    "naming the old type/name/parent, so `pulumi up` updates the resource in place.\n"
    "If the change of resources is deliberate (a new feature, a new object), regenerate the snapshots:\n"
    "    ./venv/bin/gmw snapshot update\n"
    "and commit tests/snapshots/urns/ with the change."
)


def snapshot_name(stack_file: Path) -> str:
    """`Pulumi.dev.yaml` → `dev`; `stacks/base.yaml` → `stacks-base`."""
    if stack_file.parent == ROOT and stack_file.name.startswith("Pulumi."):
        return stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    return f"{stack_file.parent.name}-{stack_file.stem}"


def urns_of(stack_file: Path) -> list[str]:
    """Every URN the stack file's config registers or reads, sorted."""
    config, _ = with_fake_license(stack_config(stack_file))
    return sorted({record.urn for record in simulate(config).records})


def snapshot_path(stack_file: Path) -> Path:
    return SNAPSHOT_DIR / f"{snapshot_name(stack_file)}.txt"


def read_snapshot(stack_file: Path) -> list[str] | None:
    path = snapshot_path(stack_file)
    return path.read_text().splitlines() if path.exists() else None


def write_snapshot(stack_file: Path, urns: Iterable[str]) -> Path:
    path = snapshot_path(stack_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{urn}\n" for urn in urns))
    return path


def differences(expected: list[str] | None, actual: list[str]) -> list[str]:
    """Lines `- urn` (gone) and `+ urn` (new); empty when the snapshot holds exactly `actual`."""
    if expected is None:
        return ["(no snapshot)"]
    before, after = set(expected), set(actual)
    return [f"- {urn}" for urn in sorted(before - after)] + [f"+ {urn}" for urn in sorted(after - before)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog("snapshot"), description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", choices=("check", "update"), default="check",
                        help="check (the default): compare with the snapshots; update: write them")
    parser.add_argument("--update", action="store_true", help=argparse.SUPPRESS)  # the old spelling of `update`
    args = parser.parse_args(argv)
    update = args.update or args.action == "update"
    changed = 0
    for stack_file in iter_stack_files():
        urns = urns_of(stack_file)
        if update:
            print(f"wrote {write_snapshot(stack_file, urns).relative_to(ROOT)} ({len(urns)} URNs)")
            continue
        diff = differences(read_snapshot(stack_file), urns)
        if diff:
            changed += 1
            print(f"{stack_file.relative_to(ROOT)}: URNs changed", *diff, sep="\n  ")
    if changed:
        print(HOW_TO_FIX)
        return 1
    if not update:
        print("every stack file's URNs match its snapshot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
