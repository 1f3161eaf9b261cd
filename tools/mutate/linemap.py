"""Which test runs which line: a pytest plugin (`-p tools.mutate.linemap`) that measures the modules
named in `GMW_MUTATE_TARGETS` (paths, `os.pathsep`-separated) with coverage, one coverage context per
test, and writes `GMW_MUTATE_MAP/<pid>.json` when the session ends, one file per process (each xdist
worker writes its own):

    {"lines": {path: {line: [nodeid, ...]}}, "seconds": {nodeid: seconds}}

A line run while a module is imported outside any test (collection) is listed under the nodeid "".
Coverage starts when the plugin is imported, before any conftest, so import-time lines count too.
`read(folder)` merges the files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

TARGETS = "GMW_MUTATE_TARGETS"
FOLDER = "GMW_MUTATE_MAP"

_coverage: Any = None
_seconds: dict[str, float] = {}


def _start() -> None:
    global _coverage
    targets = [t for t in os.environ.get(TARGETS, "").split(os.pathsep) if t]
    if not targets or _coverage is not None:
        return
    import coverage  # a development dependency (requirements-dev.txt): only this plugin needs it

    _coverage = coverage.Coverage(data_file=None, include=targets, config_file=False)
    _coverage.start()


_start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: Any) -> Generator[None, object, object]:  # one coverage context per test
    if _coverage is not None:
        _coverage.switch_context(item.nodeid)
    try:
        return (yield)
    finally:
        if _coverage is not None:
            _coverage.switch_context("")


def pytest_runtest_logreport(report: Any) -> None:
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_unconfigure(config: Any) -> None:
    if _coverage is None or not _seconds:  # the xdist controller runs no test
        return
    _coverage.stop()
    data = _coverage.get_data()
    lines = {}
    for path in data.measured_files():
        by_line = data.contexts_by_lineno(path)
        lines[str(Path(path).resolve())] = {str(n): sorted(set(c)) for n, c in by_line.items()}
    folder = Path(os.environ[FOLDER])
    (folder / f"{os.getpid()}.json").write_text(json.dumps({"lines": lines, "seconds": _seconds}))


def read(folder: Path) -> tuple[dict[str, dict[int, set[str]]], dict[str, float]]:
    """The merged map of every process's file: (path → line → nodeids, nodeid → seconds)."""
    lines: dict[str, dict[int, set[str]]] = {}
    seconds: dict[str, float] = {}
    for part in sorted(folder.glob("*.json")):
        data = json.loads(part.read_text())
        for path, by_line in data["lines"].items():
            merged = lines.setdefault(path, {})
            for line, nodeids in by_line.items():
                merged.setdefault(int(line), set()).update(nodeids)
        seconds.update(data["seconds"])
    return lines, seconds
