"""Which stacks a change affects: the preview workflow runs `pulumi preview` for each of them.

    gmw changed-stacks --base <commit> [--head <commit>]    # from git
    git diff --name-only A B | gmw changed-stacks --stdin   # from a list of paths

A stack is changed if its own file changed, or if the program or the policy pack changed (then
every stack). The local stacks (`tools.local`) are never previewed: their clusters are a
developer's own kind clusters, which CI cannot reach. Prints a JSON list of `{"stack": name, "file": path}`, and when `GITHUB_OUTPUT` is
set also writes `stacks=<that JSON>` there for a job matrix. Stack files: `Pulumi.<name>.yaml` at
the root (stack `<name>`) and `stacks/<name>.yaml` (stack `<name>`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from offline import ROOT
from offline.stack_files import iter_stack_files
from tools import prog
from tools.local.topology import TOPOLOGIES

# A change under one of these affects what every stack deploys or how it is checked.
PROGRAM_PATHS = ("components/", "policy/", "__main__.py", "Pulumi.yaml", "requirements.txt")


def stack_name(path: str) -> str:
    name = Path(path).name
    if name.startswith("Pulumi.") and name.count(".") == 2:
        return name.split(".")[1]
    return Path(path).stem


#: Stack files whose clusters only exist on a developer's machine.
LOCAL_STACK_FILES = frozenset(t.stack_file for t in TOPOLOGIES.values())


def stack_files() -> list[str]:
    """The repository's stack files a preview can reach, relative to its root."""
    return [path for p in iter_stack_files() if (path := str(p.relative_to(ROOT))) not in LOCAL_STACK_FILES]


def is_program_file(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PROGRAM_PATHS)


def changed_stacks(changed: Iterable[str], files: list[str]) -> list[dict[str, str]]:
    changed = [c.strip() for c in changed if c.strip()]
    names = [stack_name(f) for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"two stack files give the same stack name: {', '.join(duplicates)}")
    everything = any(is_program_file(c) for c in changed)
    return [{"stack": stack_name(f), "file": f} for f in files if everything or f in changed]


class GitError(Exception):
    """git could not compare the two commits (an unknown ref, no repository, no git)."""


def check_ref(option: str, value: str) -> str:
    """`value` as a commit for `git diff`, or GitError: never an option (`--output=FILE` would make git
    write a file), nothing git's ref names cannot hold (space, control characters, `..`)."""
    if not value or value.startswith("-"):
        raise GitError(f"{option} {value!r}: expected a commit or ref, not an option")
    if ".." in value or any(c.isspace() or not c.isprintable() for c in value):
        raise GitError(f"{option} {value!r}: not a commit or ref name")
    return value


def git_changed(base: str, head: str) -> list[str]:
    base, head = check_ref("--base", base), check_ref("--head", head)
    try:
        # --end-of-options: whatever the refs hold, git reads them as revisions (git 2.24+).
        result = subprocess.run(["git", "diff", "--name-only", "--end-of-options", f"{base}...{head}"], cwd=ROOT,
                                capture_output=True, text=True)
    except OSError as error:
        raise GitError(f"cannot run git: {error}") from None
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise GitError(f"git diff {base}...{head} failed: {first}")
    return result.stdout.splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog("changed-stacks"), description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--base", help="the commit the change is compared with (a pull request's base)")
    source.add_argument("--stdin", action="store_true", help="read the changed paths from standard input")
    parser.add_argument("--head", default="HEAD", help="the changed commit (default HEAD)")
    args = parser.parse_args(argv)
    try:
        changed = sys.stdin.read().splitlines() if args.stdin else git_changed(args.base, args.head)
        result = json.dumps(changed_stacks(changed, stack_files()))
    except (GitError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(result)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"stacks={result}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
