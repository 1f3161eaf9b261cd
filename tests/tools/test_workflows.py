"""The GitHub workflows parse, have what GitHub requires, and only run things that exist in the repository."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.simulate import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# The pulumi/actions@v6 inputs we rely on (from the action's README).
PULUMI_ACTION_INPUTS = {"command", "stack-name", "work-dir", "cloud-url", "comment-on-pr", "upsert", "policyPacks",
                        "config-map", "github-token", "refresh", "diff"}


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text())


def triggers(doc: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as true.
    return doc.get("on", doc.get(True)) or {}


def steps(doc: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def runs(doc: dict[Any, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(doc))


def test_the_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "e2e.yml", "preview.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_shape(path: Path) -> None:
    doc = load(path)
    assert triggers(doc), "no `on`"
    assert doc["jobs"]
    for name, job in doc["jobs"].items():
        assert job.get("runs-on"), name
        assert job.get("steps"), name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (name, step)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_everything_a_workflow_runs_exists(path: Path) -> None:
    text = runs(load(path))
    modules = re.findall(r"python -m ([a-z_.]+)", text)
    for module in modules:
        if module.startswith("tools."):
            path = ROOT / module.replace(".", "/")
            assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), module
        else:
            assert module in ("pytest", "venv"), module
    for requirement in re.findall(r"-r ([\w./-]+)", text):
        assert (ROOT / requirement).is_file(), requirement
    for repo_path in re.findall(r"(?<![\w/$])((?:tools|policy|stacks|components)/[\w./-]+)", text):
        assert (ROOT / repo_path).exists() or repo_path.endswith("/venv") or "/venv/" in repo_path, repo_path


def test_ci_runs_what_the_ci_script_runs_on_every_push_and_pull_request() -> None:
    doc = load(ROOT / ".github" / "workflows" / "ci.yml")
    assert set(triggers(doc)) == {"push", "pull_request"}
    script = (ROOT / ".ci" / "run").read_text()
    text = runs(doc)
    for command in ("pip install --quiet -r requirements-dev.txt", "./venv/bin/ruff check .",
                    "./venv/bin/python -m pytest"):
        assert command in script and command in text, command
    setup = next(s for s in steps(doc) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11" and setup["with"]["cache"] == "pip"


def test_preview_runs_pulumi_preview_per_changed_stack() -> None:
    doc = load(ROOT / ".github" / "workflows" / "preview.yml")
    assert set(triggers(doc)) == {"pull_request"}
    changes, preview = doc["jobs"]["changes"], doc["jobs"]["preview"]
    assert "python -m tools.changed_stacks --base" in runs({"jobs": {"changes": changes}})
    assert changes["outputs"]["stacks"] == "${{ steps.changed.outputs.stacks }}"
    assert preview["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.changes.outputs.stacks) }}"
    action = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert set(action["with"]) <= PULUMI_ACTION_INPUTS
    assert action["with"]["command"] == "preview" and action["with"]["comment-on-pr"] is True
    assert action["with"]["stack-name"].endswith("${{ matrix.stack }}")
    assert (ROOT / action["with"]["policyPacks"] / "PulumiPolicy.yaml").is_file()
    config = yaml.safe_load(action["with"]["config-map"])
    assert config == {"gloo-mesh-workshop:licenseKey": {"value": "${{ secrets.GLOO_MESH_LICENSE_KEY }}",
                                                       "secret": True}}
    env = preview["env"]
    assert env["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    assert env["PULUMI_BACKEND_URL"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    text = runs({"jobs": {"preview": preview}})
    assert 'echo "KUBECONFIG=' in text and "secrets.WORKSHOP_KUBECONFIG" in path_text("preview.yml")
    assert doc["permissions"]["pull-requests"] == "write"


def test_e2e_makes_its_clusters_with_the_local_command() -> None:
    """One home for the recipe: the workflow runs `tools.local up`, not kind and cloud-provider-kind itself."""
    from tools.local.topology import THREE

    doc = load(ROOT / ".github" / "workflows" / "e2e.yml")
    job = doc["jobs"]["e2e"]
    named = {step.get("name", step.get("uses", "")): step for step in job["steps"]}
    create = named["Create the mgmt, cluster1 and cluster2 clusters with LoadBalancer support"]
    assert create["run"] == ('./venv/bin/python -m tools.local up --topology three '
                             '${NODE_IMAGE:+--node-image "$NODE_IMAGE"}')
    assert create["env"] == {"NODE_IMAGE": "${{ inputs.node-image }}"}
    assert triggers(doc)["workflow_dispatch"]["inputs"]["node-image"]["default"] == ""
    text = runs(doc)
    for recipe in ("kind create cluster", "rename-context", "nohup", "cloud-provider-kind >", "cloud-provider-kind &"):
        assert recipe not in text, recipe
    names = list(named)
    # up needs what it checks for: the Pulumi CLI, kind and cloud-provider-kind, the inotify limits
    for before in ("Install the Pulumi CLI", "Install kind and cloud-provider-kind",
                   "Raise the inotify limits kind clusters need"):
        assert names.index(before) < names.index("Create the mgmt, cluster1 and cluster2 clusters with LoadBalancer "
                                                 "support"), before
    deploy = named["Deploy, verify, preview, destroy"]
    assert deploy["env"]["GMW_E2E_CONTEXTS"] == ",".join(c.context for c in THREE.clusters)
    status = named["The clusters' status and the cloud-provider-kind log"]
    assert status["if"] == "always()" and "python -m tools.local status" in status["run"]
    assert ".local/cloud-provider-kind.log" in status["run"]
    assert names.index("The clusters' status and the cloud-provider-kind log") < names.index(
        "Upload the verifier's table")


def path_text(name: str) -> str:
    return (ROOT / ".github" / "workflows" / name).read_text()


def test_every_stack_the_preview_may_run_is_a_file() -> None:
    from tools.changed_stacks import changed_stacks, stack_files

    for entry in changed_stacks(["Pulumi.yaml"], stack_files()):
        assert (ROOT / entry["file"]).is_file()
        assert entry["file"] == f"Pulumi.{entry['stack']}.yaml" or entry["file"] == f"stacks/{entry['stack']}.yaml"
