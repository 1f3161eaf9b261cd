"""The GitHub workflows parse, have what GitHub requires, and only run things that exist in the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
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
                    "./venv/bin/zizmor --offline .github/", "./venv/bin/python -m pytest"):
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
    # Only the job that comments may write to pull requests.
    assert preview["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert changes["permissions"] == {"contents": "read"}


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
    # The checkout has the whole history, so the base commit is there without a token to fetch it.
    checkout = next(s for s in preview["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert "git fetch" not in script
    assert 'git show "$BASE_SHA:$STACK_FILE" > "$RUNNER_TEMP/base-stack.yaml"' in script
    assert './venv/bin/python -m tools.diff "$STACK_FILE" --against "$RUNNER_TEMP/base-stack.yaml"' in script
    assert 'gh pr comment "$PR_NUMBER" --body-file "$plan"' in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    assert "${{" not in script  # inputs reach the script as environment variables only
    assert preview["permissions"] == {"contents": "read", "pull-requests": "write"}


def path_text(name: str) -> str:
    return (ROOT / ".github" / "workflows" / name).read_text()


def test_every_stack_the_preview_may_run_is_a_file() -> None:
    from tools.changed_stacks import changed_stacks, stack_files

    for entry in changed_stacks(["Pulumi.yaml"], stack_files()):
        assert (ROOT / entry["file"]).is_file()
        assert entry["file"] == f"Pulumi.{entry['stack']}.yaml" or entry["file"] == f"stacks/{entry['stack']}.yaml"


# Supply chain ---------------------------------------------------------------------------------------
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


def uses_lines(path: Path) -> list[tuple[str, str]]:
    return [(m["ref"], m["comment"].strip()) for line in path.read_text().splitlines() if (m := USES.match(line))]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    found = uses_lines(path)
    assert found, "no uses: lines"
    # Every `uses:` of the parsed workflow is one of these lines (none hides in a flow mapping).
    parsed = [step["uses"] for step in steps(load(path)) if "uses" in step]
    assert sorted(parsed) == sorted(ref for ref, _ in found)
    for ref, comment in found:
        assert PINNED.match(ref), f"{ref} is not pinned to a full commit SHA"
        assert re.fullmatch(r"# v\d+\.\d+\.\d+", comment), f"{ref}: the comment names the version, got {comment!r}"


def test_one_action_version_one_commit_across_workflows() -> None:
    commits: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for ref, comment in uses_lines(path):
            action, _, sha = ref.partition("@")
            commits.setdefault(f"{action} {comment}", set()).add(sha)
    assert all(len(shas) == 1 for shas in commits.values()), commits


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_persist_the_token(path: Path) -> None:
    checkouts = [step for step in steps(load(path)) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert (step.get("with") or {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_per_job_and_read_only_but_where_needed(path: Path) -> None:
    doc = load(path)
    assert doc["permissions"] == {}, "the workflow grants nothing by default"
    for name, job in doc["jobs"].items():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict) and permissions, f"job {name} states its permissions"
        writes = {scope for scope, level in permissions.items() if level != "read"}
        assert writes == ({"pull-requests"} if (path.name, name) == ("preview.yml", "preview") else set()), name


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    # Template injection: a value reaches a `run:` script through `env:`, never pasted into its text.
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name") or step["run"][:40]


def test_zizmor_is_a_dev_requirement_and_runs_offline_in_ci() -> None:
    requirements = (ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^zizmor>=1\.32,<1\.33$", requirements, re.M)
    ci = runs(load(ROOT / ".github" / "workflows" / "ci.yml"))
    assert "./venv/bin/zizmor --offline .github/" in ci
    assert "./venv/bin/zizmor --offline .github/" in (ROOT / ".ci" / "run").read_text()


def _zizmor() -> str | None:
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.is_file() else shutil.which("zizmor")


@pytest.mark.skipif(_zizmor() is None, reason="zizmor is not installed here (pip install -r requirements-dev.txt)")
def test_zizmor_finds_nothing_at_its_default_persona() -> None:
    done = subprocess.run([str(_zizmor()), "--offline", "--no-progress", ".github/"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_e2e_uploads_the_verifier_results_as_junit() -> None:
    """The e2e job has the verifier write JUnit XML into the folder its artifact uploads."""
    doc = load(ROOT / ".github" / "workflows" / "e2e.yml")
    named = {step.get("name", step.get("uses", "")): step for step in doc["jobs"]["e2e"]["steps"]}
    env = named["Deploy, verify, preview, destroy"]["env"]
    assert env["GMW_E2E_JUNIT"] == "${{ env.ARTIFACTS }}/verify-junit.xml"
    assert named["Upload the verifier's table"]["with"]["path"] == "${{ env.ARTIFACTS }}"
    source = (ROOT / "tests" / "e2e" / "test_workshop_e2e.py").read_text()
    assert 'args += ["--junit", os.environ["GMW_E2E_JUNIT"]]' in source
