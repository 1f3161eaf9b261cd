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
            assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module
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


def test_preview_comments_the_offline_change_plan_beside_the_preview() -> None:
    doc = load(ROOT / ".github" / "workflows" / "preview.yml")
    preview = doc["jobs"]["preview"]
    names = [s.get("name") or s.get("uses") for s in preview["steps"]]
    plan = next(s for s in preview["steps"] if s.get("name") == "Offline change plan")
    # After the install (it runs the program), before the preview.
    assert names.index("Install the program and the policy pack") < names.index("Offline change plan")
    assert names.index("Offline change plan") < next(i for i, n in enumerate(names) if n.startswith("pulumi/actions@"))
    env, script = plan["env"], plan["run"]
    assert env == {"GH_TOKEN": "${{ github.token }}", "BASE_SHA": "${{ github.event.pull_request.base.sha }}",
                   "PR_NUMBER": "${{ github.event.pull_request.number }}", "STACK": "${{ matrix.stack }}",
                   "STACK_FILE": "${{ matrix.file }}"}
    # The base branch's version of the stack file is the state before; the checked-out one, after.
    assert 'git fetch --quiet --no-tags --depth=1 origin "$BASE_SHA"' in script
    assert 'git show "$BASE_SHA:$STACK_FILE" > "$RUNNER_TEMP/base-stack.yaml"' in script
    assert './venv/bin/python -m tools.diff "$STACK_FILE" --against "$RUNNER_TEMP/base-stack.yaml"' in script
    assert 'gh pr comment "$PR_NUMBER" --body-file "$plan"' in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    assert "${{" not in script  # inputs reach the script as environment variables only
    assert doc["permissions"] == {"contents": "read", "pull-requests": "write"}


def path_text(name: str) -> str:
    return (ROOT / ".github" / "workflows" / name).read_text()


def test_every_stack_the_preview_may_run_is_a_file() -> None:
    from tools.changed_stacks import changed_stacks, stack_files

    for entry in changed_stacks(["Pulumi.yaml"], stack_files()):
        assert (ROOT / entry["file"]).is_file()
        assert entry["file"] == f"Pulumi.{entry['stack']}.yaml" or entry["file"] == f"stacks/{entry['stack']}.yaml"
