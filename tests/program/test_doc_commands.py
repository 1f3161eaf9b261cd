"""Every command block of the README and docs/ that needs no cluster runs, in a temporary copy of the
repository, exactly as written, and succeeds; every other command is named here with why it cannot."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offline import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: The front door as the docs write it: `./venv/bin/gmw <command>`, and `python3 -m tools local` before the venv.
COMMAND = re.compile(r"^(?:\./venv/bin/gmw \S+|python3 -m tools local\b)")

# Commands that need what a test cannot have here, by the start of the command line.
NOT_RUN = {
    "python3 -m tools local ": "creates kind clusters: needs Docker or Podman",
    "./venv/bin/gmw verify ": "checks a deployed stack: needs its outputs and clusters",
    "./venv/bin/gmw snapshot update": "rewrites the committed snapshots",
    "./venv/bin/gmw snapshot": "the same check runs per stack file in tests/program/test_urn_snapshots.py",
    "./venv/bin/gmw bench": "about 5 minutes: not part of the tests",
    "./venv/bin/gmw mutate": "a run of the tests per mutant, minutes to an hour; tests/tools/test_mutate_run.py runs "
                             "it on a project of its own",
    "./venv/bin/gmw diff dev --set KEY=VALUE": "a template: KEY=VALUE stands for a change",
}


def doc_commands() -> list[tuple[str, str]]:
    """(page, command line) of every `./venv/bin/gmw …` / `python3 -m tools local …` line in a bash block."""
    found = []
    for page in PAGES:
        for block in re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.DOTALL):
            for line in block.splitlines():
                command = line.split("  #")[0].strip()
                if COMMAND.match(command):
                    found.append((page.relative_to(ROOT).as_posix(), command))
    return found


def runnable() -> list[tuple[str, str]]:
    return [(page, c) for page, c in doc_commands() if not any(c.startswith(p) for p in NOT_RUN)]


def test_the_docs_have_commands_to_run_and_each_skipped_one_is_still_there() -> None:
    commands = [c for _, c in doc_commands()]
    assert len(runnable()) >= 8
    for prefix in NOT_RUN:  # a stale entry here would hide nothing, but says something false
        assert any(c.startswith(prefix) for c in commands), prefix


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files (tracked and new, as `git ls-files` lists them) in a fresh folder."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    target = tmp_path_factory.mktemp("clone")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_every_command_of_the_docs_that_needs_no_cluster_succeeds(clone: Path) -> None:
    failures = []
    seen: set[str] = set()
    for page, command in runnable():
        if command in seen:  # the same command on another page: it ran already
            continue
        seen.add(command)
        argv = shlex.split(command)
        # ./venv/bin/gmw or python3 -m tools: the front door of the copy, with this test's interpreter and venv
        argv = [sys.executable, "-m", "tools", *(argv[1:] if argv[0].endswith("/gmw") else argv[3:])]
        result = subprocess.run(argv, cwd=clone, capture_output=True, text=True, timeout=300)
        if result.returncode != 0 or "Traceback" in result.stderr:
            failures.append(f"{page}: {command}: exit {result.returncode}\n{result.stderr[-800:]}")
    assert not failures, "\n".join(failures)
    assert (clone / "render" / "kubernetes" / "cluster1.yaml").is_file()
