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


def test_readme_starts_with_trying_it_locally_as_tools_local_does_it() -> None:
    from tools.local.prerequisites import INOTIFY_MINIMUM, gib
    from tools.local.topology import KIND_VERSION, SINGLE, THREE

    headings = re.findall(r"^## (.+)$", README, flags=re.MULTILINE)
    assert headings[0] == "Try it locally"
    section = README[README.index("## Try it locally"):README.index(f"## {headings[1]}")]
    assert "python3 -m tools.local up " in section and "python3 -m tools.local down " in section
    assert f"pulumi up --config-file {THREE.stack_file}" in section
    assert "`python3 -m tools.local up --topology single`" in section and f"`{SINGLE.stack_file}`" in section
    assert f"| memory the clusters use with the whole workshop | about {gib(THREE.memory_bytes)} " in section
    assert f"| about {gib(SINGLE.memory_bytes)} |" in section
    assert f"`kind`\n({KIND_VERSION})" in section
    assert f"`fs.inotify.max_user_watches` ≥ {INOTIFY_MINIMUM['max_user_watches']}" in section
    assert f"`max_user_instances` ≥ {INOTIFY_MINIMUM['max_user_instances']}" in section
