"""The GitHub workflows parse, have what GitHub requires, and only run things that exist in the repository."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# The audit .ci/run and ci.yml run: offline (no network in CI's sandbox), every audit.
ZIZMOR = "./venv/bin/zizmor --offline --persona=auditor .github/"


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
    installs = "\n".join(line for line in text.splitlines() if "pip install" in line)
    for requirement in re.findall(r"-r ([\w./-]+)", installs):
        assert (ROOT / requirement).is_file(), requirement
    for repo_path in re.findall(r"(?<![\w/$])((?:tools|policy|stacks|components)/[\w./-]+)", text):
        assert (ROOT / repo_path).exists() or repo_path.endswith("/venv") or "/venv/" in repo_path, repo_path


def test_ci_runs_what_the_ci_script_runs_on_every_push_and_pull_request() -> None:
    doc = load(ROOT / ".github" / "workflows" / "ci.yml")
    assert set(triggers(doc)) == {"push", "pull_request"}
    script = (ROOT / ".ci" / "run").read_text()
    text = runs(doc)
    for command in ("pip install --quiet -r requirements-dev.txt", "./venv/bin/ruff check .", ZIZMOR,
                    "./venv/bin/python -m pytest"):
        assert command in script and command in text, command
    setup = next(s for s in steps(doc) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11" and setup["with"]["cache"] == "pip"


def preview_jobs() -> dict[str, dict[str, Any]]:
    return load(ROOT / ".github" / "workflows" / "preview.yml")["jobs"]


def named_steps(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step.get("name", step.get("uses", "")): step for step in job["steps"]}


def test_preview_plans_renders_and_previews_each_changed_stack() -> None:
    doc = load(ROOT / ".github" / "workflows" / "preview.yml")
    assert set(triggers(doc)) == {"pull_request"}
    jobs = preview_jobs()
    changes, plan, preview = jobs["changes"], jobs["plan"], jobs["preview"]
    assert "./venv/bin/gmw changed-stacks --base" in runs({"jobs": {"changes": changes}})
    assert changes["outputs"]["stacks"] == "${{ steps.changed.outputs.stacks }}"
    for job in (plan, preview):
        assert job["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.changes.outputs.stacks) }}"
        assert job["if"] == "needs.changes.outputs.stacks != '[]'"
    # The reviewers are asked once the offline plan and render have passed, with the plan to read.
    assert preview["needs"] == ["changes", "plan"]
    steps_ = named_steps(preview)
    # pulumi/actions only installs the CLI here: its config-map would put the license on a command line.
    install = steps_["Install the Pulumi CLI"]
    assert install["uses"].startswith("pulumi/actions@") and "with" not in install
    script = steps_["pulumi preview"]["run"]
    assert 'pulumi preview --stack "$STACK" --policy-pack policy --non-interactive --color never' in script
    assert (ROOT / "policy" / "PulumiPolicy.yaml").is_file()
    assert "set -o pipefail" in script and 'exit "$status"' in script  # the step fails when the preview does
    assert steps_["pulumi preview"]["env"]["STACK"] == "${{ vars.PULUMI_STACK_PREFIX }}${{ matrix.stack }}"
    assert 'echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"' in steps_["Kubeconfig"]["run"]
    assert steps_["Stack config file"]["run"] == 'cp "$STACK_FILE" "Pulumi.$STACK_NAME.yaml"'
    names = list(steps_)
    assert names.index("Install the program and the policy pack") < names.index("Kubeconfig") \
        < names.index("Stack and license") < names.index("pulumi preview") < names.index("Upload the preview")


def test_the_license_reaches_pulumi_on_standard_input() -> None:
    """Not on a command line, which `ps` shows to every user of the machine.

    `pulumi config set KEY` without a value reads it from standard input when that is not a terminal
    (pulumi/pulumi pkg/cmd/pulumi/config/config.go, `configSetCmd.Run`); pulumi/actions' `config-map`
    calls the Automation API's setAllConfig, which runs `pulumi config set-all --secret KEY=VALUE`
    (pulumi/pulumi sdk/nodejs/automation/localWorkspace.ts)."""
    for path in WORKFLOWS:
        for step in steps(load(path)):
            assert "config-map" not in (step.get("with") or {}), path.name
    step = named_steps(preview_jobs()["preview"])["Stack and license"]
    assert step["run"].splitlines() == [
        'pulumi stack select --create "$STACK"',
        """printf '%s' "$GLOO_MESH_LICENSE_KEY" | pulumi config set --secret licenseKey --stack "$STACK\"""",
    ]


def test_the_kubeconfig_is_written_under_umask_077() -> None:
    """Created readable by its owner only: a chmod after the write leaves a moment when it is not."""
    script = named_steps(preview_jobs()["preview"])["Kubeconfig"]["run"].splitlines()
    write = next(i for i, line in enumerate(script) if '> "$RUNNER_TEMP/kubeconfig"' in line)
    assert script.index("umask 077") < write
    assert not any("chmod" in line for line in script)


# Who sees the secrets ---------------------------------------------------------------------------------
SECRET = re.compile(r"\$\{\{\s*secrets\.(\w+)")
# What runs the checked-out code of the pull request: its requirements, its tools, its program.
PR_CODE = re.compile(r"pip install|python -m |\./venv/bin/|\bpulumi\b")
# All a comment job may run: gh, and the shell's own text handling.
COMMENT_COMMANDS = {"gh", "find", "sort", "read", "head", "echo", "exit"}
SHELL_WORDS = {"if", "then", "else", "fi", "for", "while", "do", "done", "!"}


def secrets_in(node: Any) -> set[str]:
    if isinstance(node, str):
        return set(SECRET.findall(node))
    if isinstance(node, dict):
        return set().union(*(secrets_in(k) | secrets_in(v) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(secrets_in(item) for item in node))
    return set()


def runs_pr_code(job: dict[str, Any]) -> bool:
    checks_out = any(step.get("uses", "").startswith("actions/checkout@") for step in job["steps"])
    return checks_out and any(PR_CODE.search(step.get("run", "")) for step in job["steps"])


def writes(job: dict[str, Any]) -> set[str]:
    return {scope for scope, level in job["permissions"].items() if level != "read"}


def commands(script: str) -> set[str]:
    """The command of every simple command in a script (its first word, after keywords and assignments)."""
    found = set()
    for line in script.splitlines():
        for segment in re.split(r"\|\||&&|[|;]", line):
            words = shlex.split(segment, comments=True)
            while words and (words[0] in SHELL_WORDS or re.match(r"^\w+=", words[0])):
                words.pop(0)
            if words:
                found.add(words[0])
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_workflow_or_job_hands_every_step_a_secret(path: Path) -> None:
    doc = load(path)
    assert not secrets_in(doc.get("env", {})), "workflow-level env"
    for name, job in doc["jobs"].items():
        assert not secrets_in(job.get("env", {})), f"job {name}: job-level env"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_secret_is_read_in_a_job_that_names_an_environment(path: Path) -> None:
    """Only then do the environment's protection rules (required reviewers) apply, and only its secrets
    are withheld from the jobs that do not name it."""
    for name, job in load(path)["jobs"].items():
        if secrets_in(job):
            assert job.get("environment"), f"job {name} reads {sorted(secrets_in(job))} without an environment"


def test_the_pull_requests_code_runs_unapproved_without_secrets_or_a_token_that_writes() -> None:
    jobs = preview_jobs()
    unapproved = [name for name, job in jobs.items() if runs_pr_code(job) and "environment" not in job]
    for name in unapproved:
        job = jobs[name]
        assert not secrets_in(job), f"job {name} runs unapproved with {sorted(secrets_in(job))}"
        assert job["permissions"] == {"contents": "read"}, name
        assert "github.token" not in yaml.safe_dump(job), name
    assert unapproved == ["changes", "plan"]


def test_the_preview_runs_after_approval_with_each_secret_in_the_step_that_needs_it() -> None:
    preview = preview_jobs()["preview"]
    assert runs_pr_code(preview)
    assert preview["environment"] == "preview"
    assert preview["permissions"] == {"contents": "read"}
    backend = {"PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"}
    seen = {name: secrets_in(step) for name, step in named_steps(preview).items() if secrets_in(step)}
    assert seen == {"Kubeconfig": {"WORKSHOP_KUBECONFIG"},
                    "Stack and license": backend | {"GLOO_MESH_LICENSE_KEY"},
                    "pulumi preview": backend}
    for name in seen:  # in the step's env, so a script reads them as variables
        step = named_steps(preview)[name]
        assert secrets_in(step) == secrets_in(step["env"]), name
    # No pip cache: the jobs that run unapproved write it.
    setup = next(s for s in preview["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert "cache" not in setup["with"]


def test_the_comments_are_posted_by_jobs_that_run_no_pull_request_code() -> None:
    jobs = preview_jobs()
    posting = {name: job for name, job in jobs.items() if "pull-requests" in writes(job)}
    assert set(posting) == {"comment-plans", "comment-previews"}
    assert jobs["comment-plans"]["needs"] == ["changes", "plan"]
    assert jobs["comment-previews"]["needs"] == ["changes", "preview"]
    for name, job in posting.items():
        assert job["permissions"] == {"actions": "read", "pull-requests": "write"}, name
        assert not secrets_in(job) and "environment" not in job, name
        assert all("run" in step for step in job["steps"]), f"{name}: no action, no checkout"
        [step] = job["steps"]
        assert commands(step["run"]) <= COMMENT_COMMANDS, (name, commands(step["run"]))
        # The bodies are files the other jobs uploaded: untrusted text, never part of a script.
        assert 'gh run download "$RUN_ID" --pattern "$PATTERN" --dir "$RUNNER_TEMP/bodies"' in step["run"]
        assert 'gh pr comment "$PR_NUMBER" --body-file "$RUNNER_TEMP/body.md"' in step["run"]
        assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert posting["comment-plans"]["steps"][0]["env"]["PATTERN"] == "plan-*"
    assert posting["comment-previews"]["steps"][0]["env"]["PATTERN"] == "preview-*"
    uploads = {(name, step["with"]["name"]) for name, job in jobs.items() for step in job["steps"]
               if step.get("uses", "").startswith("actions/upload-artifact@")}
    assert uploads == {("plan", "plan-${{ matrix.stack }}"), ("preview", "preview-${{ matrix.stack }}")}


def test_e2e_makes_its_clusters_with_the_local_command() -> None:
    """One home for the recipe: the workflow runs `tools.local up`, not kind and cloud-provider-kind itself."""
    from tools.local.topology import THREE

    doc = load(ROOT / ".github" / "workflows" / "e2e.yml")
    job = doc["jobs"]["e2e"]
    named = {step.get("name", step.get("uses", "")): step for step in job["steps"]}
    create = named["Create the mgmt, cluster1 and cluster2 clusters with LoadBalancer support"]
    assert create["run"] == ('python3 -m tools local up --topology three '
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
    assert status["if"] == "always()" and "python3 -m tools local status" in status["run"]
    assert ".local/cloud-provider-kind.log" in status["run"]
    assert names.index("The clusters' status and the cloud-provider-kind log") < names.index(
        "Upload the verifier's table")


def test_preview_comments_the_offline_change_plan_beside_the_preview() -> None:
    plan = preview_jobs()["plan"]
    names = [s.get("name") or s.get("uses") for s in plan["steps"]]
    step = named_steps(plan)["Offline change plan"]
    # After the install (it runs the program), then uploaded for the comment job.
    assert names.index("Install the program") < names.index("Offline change plan") \
        < names.index("Offline render and policy check") < names.index("Upload the change plan")
    env, script = step["env"], step["run"]
    assert env == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}", "STACK": "${{ matrix.stack }}",
                   "STACK_FILE": "${{ matrix.file }}"}
    # The base branch's version of the stack file is the state before; the checked-out one, after.
    # The checkout has the whole history, so the base commit is there without a token to fetch it.
    checkout = next(s for s in plan["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert "git fetch" not in script
    assert 'git show "$BASE_SHA:$STACK_FILE" > "$RUNNER_TEMP/base-stack.yaml"' in script
    assert './venv/bin/gmw diff "$STACK_FILE" --against "$RUNNER_TEMP/base-stack.yaml"' in script
    assert 'plan="$RUNNER_TEMP/comment/plan.md"' in script and "gh " not in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    upload = named_steps(plan)["Upload the change plan"]
    assert upload["with"]["path"] == "${{ runner.temp }}/comment/"
    render = named_steps(plan)["Offline render and policy check"]
    assert render["run"] == './venv/bin/gmw render "$STACK_FILE" --out "render/$STACK_NAME"'


def test_every_stack_the_preview_may_run_is_a_file() -> None:
    from tools.changed_stacks import changed_stacks, stack_files

    for entry in changed_stacks(["Pulumi.yaml"], stack_files()):
        assert (ROOT / entry["file"]).is_file()
        assert entry["file"] == f"Pulumi.{entry['stack']}.yaml" or entry["file"] == f"stacks/{entry['stack']}.yaml"



def security_doc_rows() -> dict[str, dict[str, str]]:
    """The table of docs/security.md that says, per job of preview.yml, what it runs and sees."""
    text = (ROOT / "docs" / "security.md").read_text()
    table = text[text.index("| job | runs the pull request's code | secrets | token |"):].split("\n\n")[0]
    rows: dict[str, dict[str, str]] = {}
    for line in table.splitlines()[2:]:
        job, code, secrets, token = (cell.strip() for cell in line.strip("|").split("|"))
        for name in re.findall(r"`([\w-]+)`", job):
            rows[name] = {"code": code, "secrets": secrets, "token": token}
    return rows


def test_the_security_doc_says_which_preview_job_sees_what() -> None:
    text = (ROOT / "docs" / "security.md").read_text()
    assert "a repository setting, not a file here" not in text  # a rule holds only the jobs that name it
    assert "only\n  when the job names the environment" in text
    rows, jobs = security_doc_rows(), preview_jobs()
    assert set(rows) == set(jobs)
    for name, job in jobs.items():
        row = rows[name]
        assert row["code"].startswith("yes" if runs_pr_code(job) else "no"), name
        assert set(re.findall(r"`([A-Z_]+)`", row["secrets"])) <= secrets_in(job), name
        assert (row["secrets"] == "none") == (not secrets_in(job)), name
        for scope, level in job["permissions"].items():
            assert f"`{scope}: {level}`" in row["token"], (name, scope)


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
        commenting = path.name == "preview.yml" and name.startswith("comment-")
        assert writes == ({"pull-requests"} if commenting else set()), name


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    # Template injection: a value reaches a `run:` script through `env:`, never pasted into its text.
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name") or step["run"][:40]


def test_zizmor_is_a_dev_requirement_and_runs_offline_in_ci() -> None:
    requirements = (ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^zizmor>=1\.32,<1\.33$", requirements, re.M)
    ci = runs(load(ROOT / ".github" / "workflows" / "ci.yml"))
    assert ZIZMOR in ci
    assert ZIZMOR in (ROOT / ".ci" / "run").read_text()


def _zizmor() -> str | None:
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.is_file() else shutil.which("zizmor")


@pytest.mark.skipif(_zizmor() is None, reason="zizmor is not installed here (pip install -r requirements-dev.txt)")
def test_zizmor_finds_nothing_as_an_auditor() -> None:
    """The auditor persona adds the audits the default leaves out, `secrets-outside-env` among them."""
    done = subprocess.run([str(_zizmor()), "--offline", "--persona=auditor", "--no-progress", ".github/"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "secrets-outside-env" not in done.stdout + done.stderr
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


def test_e2e_builds_kind_at_the_version_tools_local_pins_through_the_go_checksum_database() -> None:
    """No binary downloaded unchecked: `go install module@version` checks the module against the Go
    checksum database (sum.golang.org), as for cloud-provider-kind."""
    from tools.local.topology import CLOUD_PROVIDER_KIND_VERSION, KIND_VERSION

    job = load(ROOT / ".github" / "workflows" / "e2e.yml")["jobs"]["e2e"]
    assert job["env"]["KIND_VERSION"] == KIND_VERSION
    assert job["env"]["CLOUD_PROVIDER_KIND_VERSION"] == CLOUD_PROVIDER_KIND_VERSION
    named = named_steps(job)
    script = named["Install kind and cloud-provider-kind"]["run"].splitlines()
    assert script[:2] == ['go install "sigs.k8s.io/kind@${KIND_VERSION}"',
                          'sudo install "$(go env GOPATH)/bin/kind" /usr/local/bin/kind']
    assert 'go install "sigs.k8s.io/cloud-provider-kind@${CLOUD_PROVIDER_KIND_VERSION}"' in script
    names = list(named)
    setup_go = next(n for n in names if n.startswith("actions/setup-go@"))
    assert names.index(setup_go) < names.index("Install kind and cloud-provider-kind")
    assert not re.search(r"\b(curl|wget)\b", runs({"jobs": {"e2e": job}})), "a download the workflow does not check"


def test_the_in_mesh_probe_image_is_pinned_to_a_version() -> None:
    """The verifier's `kubectl debug` container runs inside the mesh, with the probed pod's identity."""
    from tools.verify.kube import CURL_IMAGE

    assert re.fullmatch(r"curlimages/curl:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?", CURL_IMAGE), CURL_IMAGE
    assert f"`{CURL_IMAGE}`" in (ROOT / "docs" / "verify.md").read_text()


def test_every_job_that_runs_the_front_door_makes_the_venv_that_installs_it_first() -> None:
    # ./venv/bin/gmw exists only once requirements.txt (its `-e .`) is installed into ./venv in that job.
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job_name, job in yaml.safe_load(path.read_text())["jobs"].items():
            made = False
            for step in job.get("steps", []):
                run = step.get("run", "")
                if "python -m venv venv\n" in run + "\n" and "./venv/bin/pip install" in run and "requirements" in run:
                    made = True
                if "./venv/bin/gmw" in run:
                    assert made, f"{path.name}: job {job_name} runs ./venv/bin/gmw before it makes ./venv"
