"""The part of a mutation check that starts processes: the line map (the suite once, under coverage,
in a process of its own) and one process per mutant, `jobs` at a time, each stopped by its pid (and
its process group) when its time is up.

A mutant's process is forked from this one after it has imported pytest and the third-party
libraries the tests use (`PRELOADED`), never the project: each fork then imports the project afresh,
the mutated module through `inject`'s finder, and runs `pytest.main` on the mutant's tests. That
saves about a second of start-up per mutant over a new interpreter.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.mutate import inject, linemap
from tools.mutate.mutants import Mutant
from tools.mutate.plan import KILLED, SURVIVED, TIMEOUT

#: Where `tools.mutate` is importable from, for test processes started in another project's folder.
HOME = Path(__file__).resolve().parents[2]
#: pytest's exit codes for "no test matched" and "no test collected": the mutant changed the suite's
#: parametrisation (a test id comes from the mutated module), so its files run whole instead.
NOT_FOUND = (4, 5)
#: Imported once before forking (what is not installed is left out); the project itself never is.
PRELOADED = ("pytest", "xdist", "yaml", "pulumi", "pulumi.runtime", "pulumi_kubernetes", "pulumi_random",
             "pulumi_tls", "cryptography.x509", "jsonpath_rfc9535")


class RunError(RuntimeError):
    pass


@dataclass(frozen=True)
class Job:
    path: Path        # the module's file
    module: str       # its dotted name
    mutant: Mutant
    nodeids: tuple[str, ...]
    timeout: float


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMW_MUT")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOME), env.get("PYTHONPATH", "")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return {**env, **extra}


def map_lines(root: Path, targets: Sequence[Path], tests: Sequence[str],
              python: str) -> tuple[dict[str, dict[int, set[str]]], dict[str, float]]:
    """Runs the tests once, unmutated, under coverage; they must pass."""
    with tempfile.TemporaryDirectory(prefix="gmw-mutate-map-") as folder:
        env = _env({linemap.TARGETS: os.pathsep.join(str(t.resolve()) for t in targets), linemap.FOLDER: folder})
        result = subprocess.run([python, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider",
                                 "-p", "tools.mutate.linemap"], cwd=root, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RunError(f"the tests fail with no mutant (pytest exit {result.returncode}); fix them first:\n"
                           + result.stdout[-2000:] + result.stderr[-2000:])
        return linemap.read(Path(folder))


def preload(root: Path) -> None:
    """Imports what every fork would import again, so that it does not; refuses if the project is in."""
    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    project = {p.name for p in root.iterdir() if (p / "__init__.py").is_file() or p.suffix == ".py"}
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in project - {"tools"})
    if loaded:
        raise RunError(f"the project is imported before forking ({', '.join(loaded[:5])}): no mutant would load")


def _child(job: Job, root: Path, args: Sequence[str]) -> None:
    """In the fork: becomes the mutant's pytest process; never returns."""
    code = 3
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.chdir(root)
        sys.path.insert(0, str(root))
        os.environ.update({inject.MODULE: job.module, inject.FILE: str(job.path), inject.INDEX: str(job.mutant.index)})
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        sys.dont_write_bytecode = True
        inject.install()
        import pytest

        code = int(pytest.main([*args, "-x", "-q", "-n", "0", "-p", "no:cacheprovider"]))
    finally:
        os._exit(code)


@dataclass
class _Running:
    job: Job
    pid: int
    started: float
    whole_files: bool


def _start(job: Job, root: Path, folder: Path, whole_files: bool) -> _Running:
    args = sorted({n.split("::")[0] for n in job.nodeids}) if whole_files else list(job.nodeids)
    args_file = folder / f"{job.module}-{job.mutant.index}.args"
    args_file.write_text("\n".join(args) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(job, root, [f"@{args_file}"])
    return _Running(job, pid, time.monotonic(), whole_files)


def _exit_code(pid: int) -> int | None:
    done, status = os.waitpid(pid, os.WNOHANG)
    return None if done == 0 else os.waitstatus_to_exitcode(status)


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # its own session: the test process and anything it started
    except ProcessLookupError:  # not yet its own session
        os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def run_jobs(jobs: Sequence[Job], root: Path, workers: int, done: Callable[[Job, str, float], None]) -> None:
    """Runs every job, `workers` at a time; calls `done(job, outcome, seconds)` as each ends."""
    preload(root)
    waiting = list(reversed(jobs))
    running: list[_Running] = []
    with tempfile.TemporaryDirectory(prefix="gmw-mutate-") as name:
        folder = Path(name)
        try:
            while waiting or running:
                while waiting and len(running) < workers:
                    running.append(_start(waiting.pop(), root, folder, whole_files=False))
                time.sleep(0.01)
                for run in list(running):
                    code = _exit_code(run.pid)
                    elapsed = time.monotonic() - run.started
                    if code is None and elapsed < run.job.timeout:
                        continue
                    running.remove(run)
                    if code is None:
                        _stop(run.pid)
                        done(run.job, TIMEOUT, elapsed)
                    elif code in NOT_FOUND and not run.whole_files:
                        running.append(_start(run.job, root, folder, whole_files=True))
                    else:
                        done(run.job, SURVIVED if code == 0 else KILLED, elapsed)
        finally:
            for run in running:
                _stop(run.pid)
