"""The README stays true: its feature table and commands match the code."""

from __future__ import annotations

import re

from components.core.features import FEATURES
from offline import ROOT

README = (ROOT / "README.md").read_text()
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text()


def test_feature_table_matches_the_feature_data() -> None:
    rows = re.findall(r"^\| `([a-z-]+)` \| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", CONFIGURATION,
                      flags=re.MULTILINE)
    table = [(name, int(lab), needs.strip(), state.strip(), summary.strip()) for name, lab, needs, state, summary in rows]
    expected = [(f.name, f.lab, ", ".join(f.needs) or "—", "available" if f.available else "not available yet",
                 f.summary) for f in FEATURES]
    assert table == expected


def test_readme_gives_the_commands_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./venv/bin/python -m pytest" in README and "./venv/bin/python -m pytest" in ci
    assert "pip install -r requirements-dev.txt" in README
    assert "./venv/bin/gmw render dev --out" in README


def test_the_benchmark_table_lives_in_the_performance_doc_only() -> None:
    from benchmarks.run import DOC_PAGES, DOCS, DOCS_START

    assert DOC_PAGES == (DOCS,) and DOCS_START in DOCS.read_text()
    assert DOCS_START not in README and "docs/performance.md" in README


def test_readme_starts_where_a_newcomer_stands() -> None:
    headings = re.findall(r"^##+ (.+)$", README, flags=re.MULTILINE)
    assert headings[:4] == ["Start here: no cluster, two minutes", "Prerequisites for a real run",
                            "Try it locally (kind)", "Run it on your clusters"]
    first_screen = README[:README.index("## Start here")]
    assert "```mermaid" in first_screen and "https://github.com/solo-io/workshops" in first_screen
    for part in ("gloo-mesh-mgmt-server", "gloo-mesh-ui", "gloo-mesh-redis", "prometheus", "keycloak", ":9900",
                 "gloo-mesh-agent", "LifecycleManager", "ingress + east-west gateways", "bookinfo · httpbin"):
        assert part in first_screen, part
    start = README[README.index("## Start here"):README.index("## Prerequisites")]
    assert "pip install -r requirements.txt" in start
    assert "gmw render stacks/kubernetes.yaml" in start and "gmw diff stacks/kubernetes.yaml" in start
    # Kubernetes before OpenShift: the dev stack's SCC grants and NetworkAttachmentDefinitions are OpenShift's only.
    assert headings.index("Kubernetes") < headings.index("OpenShift (the `dev` stack)")
    # Every command in the order it can run: the venv exists before a command uses it.
    assert README.index("pulumi install") < README.index("./venv/bin/gmw verify")


def test_readme_tries_it_locally_as_tools_local_does_it() -> None:
    from tools.local.prerequisites import INOTIFY_MINIMUM, gib
    from tools.local.topology import KIND_VERSION, SINGLE, THREE

    section = README[README.index("## Try it locally (kind)"):README.index("## Run it on your clusters")]
    assert "python3 -m tools local up " in section and "python3 -m tools local down " in section
    assert f"pulumi up --config-file {THREE.stack_file}" in section
    assert "`python3 -m tools local up --topology single`" in section and f"`{SINGLE.stack_file}`" in section
    assert f"| memory the clusters use with the whole workshop | about {gib(THREE.memory_bytes)} " in section
    assert f"| about {gib(SINGLE.memory_bytes)} |" in section
    assert f"`kind`\n({KIND_VERSION})" in section
    assert f"`fs.inotify.max_user_watches` ≥ {INOTIFY_MINIMUM['max_user_watches']}" in section
    assert f"`max_user_instances` ≥ {INOTIFY_MINIMUM['max_user_instances']}" in section
