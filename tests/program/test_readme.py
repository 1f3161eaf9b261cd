"""The README stays true: its feature table and commands match the code."""

from __future__ import annotations

import re

from components.core.features import FEATURES
from tools.simulate import ROOT

README = (ROOT / "README.md").read_text()


def test_feature_table_matches_the_feature_data() -> None:
    rows = re.findall(r"^\| `([a-z-]+)` \| (\d+) \| ([^|]+) \| ([^|]+) \|$", README, flags=re.MULTILINE)
    table = {name: (int(lab), needs.strip(), state.strip()) for name, lab, needs, state in rows}
    expected = {
        f.name: (f.lab, ", ".join(f.needs) or "—", "available" if f.available else "not available yet")
        for f in FEATURES
    }
    assert table == expected


def test_readme_gives_the_commands_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./venv/bin/python -m pytest" in README and "./venv/bin/python -m pytest" in ci
    assert "pip install -r requirements-dev.txt" in README
    assert "python -m tools.render dev --out" in README


def test_readme_quotes_the_latest_benchmark_table() -> None:
    from benchmarks.run import DOCS, DOCS_END, DOCS_START

    def block(text: str) -> str:
        return text[text.index(DOCS_START):text.index(DOCS_END)]

    assert block(README) == block(DOCS.read_text())
    assert "| dev | 2 |" in block(README)
