"""One resource count for one stack: the render, the change plan and docs/performance.md give the same numbers
(`offline/counts.py`), each saying what it counts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline import ROOT
from offline.counts import Counts, count
from offline.records import Simulation
from offline.runtime import simulate
from offline.stack_files import stack_config, with_fake_license
from tools import diff


@pytest.fixture(scope="module")
def dev() -> Simulation:
    return simulate(with_fake_license(stack_config(ROOT / "Pulumi.dev.yaml"))[0])


@pytest.fixture(scope="module")
def counted(dev: Simulation) -> Counts:
    return count(dev)


def test_the_dev_stack_counts(counted: Counts) -> None:
    assert counted == Counts(kubernetes=126, helm_releases=5, generated=6, providers=3, reads=4)
    assert counted.line() == ("137 resources (126 Kubernetes objects, 5 Helm releases, 6 generated), "
                              "plus 3 providers and 4 reads")
    assert (counted.resources, counted.managed) == (137, 140)


def test_the_render_prints_the_count_and_writes_as_many_documents(counted: Counts, tmp_path: Path) -> None:
    out = tmp_path / "dev"
    result = subprocess.run([sys.executable, "-m", "tools.render", "dev", "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"rendered Pulumi.dev.yaml to {out}: {counted.line()}\n"
    assert f"\n{counted.line()} (`offline/counts.py` says what each counts).\n" in (out / "summary.md").read_text()

    def documents(pattern: str) -> list[dict]:
        return [d for path in sorted(out.glob(pattern)) for d in yaml.safe_load_all(path.read_text())]

    clusters = [p for p in out.glob("*.yaml") if not p.name.startswith("rbac-") and ".helm-releases." not in p.name
                and p.name != "generated.yaml"]
    assert sum(len(list(yaml.safe_load_all(p.read_text()))) for p in clusters) == counted.kubernetes
    assert sum(len(d["releases"]) for d in documents("*.helm-releases.yaml")) == counted.helm_releases
    assert len(documents("generated.yaml")) == counted.generated


def test_the_plan_counts_the_resources_and_the_providers(counted: Counts) -> None:
    result = diff.diff("dev", sets=[("glooMeshVersion", "2.2.7")])
    assert (f"(after the change: {counted.line()}; the plan counts the resources and the providers, "
            f"{counted.managed})") in result.notes
    changed = sum(len(result.of(a)) for a in (diff.CREATE, diff.UPDATE, diff.REPLACE))
    assert changed + result.unchanged == counted.managed


def test_the_performance_doc_says_what_its_number_counts(counted: Counts) -> None:
    # The README quotes no count; docs/performance.md holds the benchmark's table and says what it counts.
    doc = (ROOT / "docs" / "performance.md").read_text()
    assert (f"the dev stack ({counted.resources} resources plus {counted.reads} reads, "
            f"{counted.resources + counted.reads} in the tables)") in doc
    header = next(line for line in doc.splitlines() if line.startswith("| stack | workload clusters |"))
    assert header.split(" | ")[2] == "resources + reads"
    dev_row = next(line for line in doc.splitlines() if line.startswith("| dev | 2 |"))
    assert re.split(r"\s*\|\s*", dev_row)[3] == str(counted.resources + counted.reads)
    assert not re.search(r"\b1(37|40|41) resources\b", (ROOT / "README.md").read_text())
