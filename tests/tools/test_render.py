"""The offline render, end to end: files, redaction, determinism and bad config."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline import ROOT
from offline.stack_files import FAKE_LICENSE
from policy.rules import Violation
from tools import render


def run_render(out: Path, stack: str | None = None) -> subprocess.CompletedProcess[str]:
    stack = stack or "dev"
    return subprocess.run([sys.executable, "-m", "tools.render", stack, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def rendered_dev(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev stack rendered once by the command, in its own process (the read-only tests share it)."""
    out = tmp_path_factory.mktemp("render") / "dev"
    result = run_render(out)
    assert result.returncode == 0, result.stderr
    return out


def test_render_dev_stack_twice_is_byte_identical(rendered_dev: Path, tmp_path: Path) -> None:
    # A second process: nothing of the first run (hash seeds, caches, registration order) leaks in.
    first, second = rendered_dev, tmp_path / "b"
    assert run_render(second).returncode == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == [".gloo-mesh-workshop-output.json", "cluster1.helm-releases.yaml", "cluster1.yaml",
                     "cluster2.helm-releases.yaml", "cluster2.yaml", "generated.yaml", "graph.mmd",
                     "mgmt.helm-releases.yaml", "mgmt.yaml", "outputs.json", "policy.md", "rbac-cluster1.yaml",
                     "rbac-cluster2.yaml", "rbac-mgmt.yaml", "summary.md"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_cluster_files_hold_only_kubernetes_objects(rendered_dev: Path) -> None:
    """kubectl input: every document of `<cluster>.yaml` has an apiVersion, a kind and a metadata.name;
    the Helm releases are only in `<cluster>.helm-releases.yaml`."""
    for cluster in ("mgmt", "cluster1", "cluster2"):
        docs = list(yaml.safe_load_all((rendered_dev / f"{cluster}.yaml").read_text()))
        assert docs, cluster
        bad = [d for d in docs if not (isinstance(d.get("apiVersion"), str) and "/" in d["apiVersion"] or
                                       d.get("apiVersion") == "v1")
               or not isinstance(d.get("kind"), str) or not (d.get("metadata") or {}).get("name")]
        assert bad == [], cluster
        assert "HelmRelease" not in {d["kind"] for d in docs}
        (releases,) = yaml.safe_load_all((rendered_dev / f"{cluster}.helm-releases.yaml").read_text())
        assert releases["cluster"] == cluster and releases["releases"]
        assert not {"apiVersion", "kind", "metadata"} & set(releases)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
@pytest.mark.parametrize("cluster", ["mgmt", "cluster1", "cluster2"])
def test_kubectl_kustomize_takes_each_cluster_file(rendered_dev: Path, tmp_path: Path, cluster: str) -> None:
    """`kubectl kustomize` (offline) builds each `<cluster>.yaml` and keeps every object of it."""
    shutil.copy(rendered_dev / f"{cluster}.yaml", tmp_path / f"{cluster}.yaml")
    (tmp_path / "kustomization.yaml").write_text(f"resources:\n- {cluster}.yaml\n")
    built = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    expected = list(yaml.safe_load_all((rendered_dev / f"{cluster}.yaml").read_text()))
    assert len(list(yaml.safe_load_all(built.stdout))) == len(expected)


def test_render_writes_per_cluster_objects_and_helm_releases(tmp_path: Path) -> None:
    assert render.main(["dev", "--out", str(tmp_path / "out")]) == 0
    tmp_path = tmp_path / "out"
    mgmt = list(yaml.safe_load_all((tmp_path / "mgmt.yaml").read_text()))
    (releases,) = yaml.safe_load_all((tmp_path / "mgmt.helm-releases.yaml").read_text())
    assert (releases["format"], releases["cluster"]) == ("gloo-mesh-workshop/helm-releases/v1", "mgmt")
    assert [(r["namespace"], r["name"]) for r in releases["releases"]] == [("gloo-mesh", "gloo-mesh-enterprise")]
    release = releases["releases"][0]
    assert list(release) == ["name", "namespace", "chart", "version", "repository", "timeoutSeconds", "values"]
    assert (release["name"], release["chart"], release["version"], release["namespace"]) == (
        "gloo-mesh-enterprise", "gloo-mesh-enterprise", "2.2.6", "gloo-mesh")
    assert release["repository"] == "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-enterprise"
    assert release["values"]["licenseKey"] == "[secret]"
    assert {d["kind"] for d in mgmt} >= {"IstioLifecycleManager", "GatewayLifecycleManager", "KubernetesCluster"}
    cluster1 = list(yaml.safe_load_all((tmp_path / "cluster1.yaml").read_text()))
    secrets = {d["metadata"]["name"]: d for d in cluster1 if d["kind"] == "Secret"}
    assert set(secrets) == {"relay-root-tls-secret", "relay-identity-token-secret", "tls-secret", "oauth"}
    assert all((d.get("data") or d.get("stringData")) == "[secret]" for d in secrets.values())
    generated = list(yaml.safe_load_all((tmp_path / "generated.yaml").read_text()))
    assert {d["name"] for d in generated} >= {"gateway-tls-key", "keycloak-admin-password"}
    _check_rbac_files(tmp_path)


def _check_rbac_files(out: Path) -> None:
    """rbac-<cluster>.yaml: the header, then the deployer's account, ClusterRole and a Role per namespace."""
    for cluster in ("mgmt", "cluster1", "cluster2"):
        text = (out / f"rbac-{cluster}.yaml").read_text()
        assert text.startswith(f"# Least privilege for `pulumi up` / `pulumi destroy` of stack `dev` on cluster "
                               f"`{cluster}`\n")
        docs = list(yaml.safe_load_all(text))
        kinds = [d["kind"] for d in docs]
        assert kinds[:4] == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"]
        roles = {d["metadata"]["namespace"] for d in docs if d["kind"] == "Role"}
        bindings = {d["metadata"]["namespace"] for d in docs if d["kind"] == "RoleBinding"}
        assert roles == bindings and "gloo-mesh" in roles
        cluster_role = next(d for d in docs if d["kind"] == "ClusterRole")
        assert {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["create", "list", "watch"]} in (
            cluster_role["rules"])
    mgmt = list(yaml.safe_load_all((out / "rbac-mgmt.yaml").read_text()))
    role = next(d for d in mgmt if d["kind"] == "Role" and d["metadata"]["namespace"] == "gloo-mesh")
    resources = {r for rule in role["rules"] for r in rule["resources"]}
    assert {"secrets", "kubernetesclusters", "istiolifecyclemanagers", "gatewaylifecyclemanagers"} <= resources
    # The workload clusters' Roles hold no lifecycle managers: those live on the management cluster only.
    cluster1 = list(yaml.safe_load_all((out / "rbac-cluster1.yaml").read_text()))
    assert not {r for d in cluster1 if d["kind"] == "Role" for rule in d["rules"] for r in rule["resources"]} & {
        "istiolifecyclemanagers", "kubernetesclusters"}


def test_charts_rbac_preinstalled_writes_the_admin_step_for_each_cluster_with_a_chart(tmp_path: Path) -> None:
    assert render.main(["dev", "--out", str(tmp_path), "--charts-rbac-preinstalled"]) == 0
    scripts = sorted(p.name for p in tmp_path.glob("rbac-*-charts.sh"))
    assert scripts == ["rbac-cluster1-charts.sh", "rbac-cluster2-charts.sh", "rbac-mgmt-charts.sh"]
    text = (tmp_path / "rbac-cluster1-charts.sh").read_text()
    assert FAKE_LICENSE not in (tmp_path / "rbac-mgmt-charts.sh").read_text()
    assert text.startswith("#!/bin/sh\n# The charts' RBAC for stack `dev` on cluster `cluster1`")
    lines = text.splitlines()
    # Each release: rendered with its chart, version, repository, namespace and values; the RBAC kinds kept,
    # marked as the release's (so Helm adopts them) and kept on uninstall; applied by the admin.
    helm = [i for i, line in enumerate(lines) if line.startswith("helm template ")]
    assert [lines[i] for i in helm] == [
        "helm template gloo-mesh-agent gloo-mesh-agent --repo https://storage.googleapis.com/gloo-mesh-enterprise/"
        "gloo-mesh-agent --version 2.2.6 \\",
        "helm template gloo-mesh-agent-addons gloo-mesh-agent --repo https://storage.googleapis.com/gloo-mesh-enterprise/"
        "gloo-mesh-agent --version 2.2.6 \\"]
    assert lines[helm[1] + 1] == '  --namespace gloo-mesh-addons --kube-version "$kube_version" --values "$values" \\'
    assert lines[helm[1] + 2] == (
        "  | yq 'select(.kind == \"ClusterRole\" or .kind == \"ClusterRoleBinding\" or .kind == \"Role\" or "
        ".kind == \"RoleBinding\") | .metadata.labels[\"app.kubernetes.io/managed-by\"] = \"Helm\" | "
        ".metadata.annotations[\"meta.helm.sh/release-name\"] = \"gloo-mesh-agent-addons\" | "
        ".metadata.annotations[\"meta.helm.sh/release-namespace\"] = \"gloo-mesh-addons\" | "
        ".metadata.annotations[\"helm.sh/resource-policy\"] = \"keep\"' \\")
    assert lines[helm[1] + 3] == '  | kubectl --context "$context" apply --namespace gloo-mesh-addons -f -'
    # The values written for helm are the release's, as cluster1.helm-releases.yaml has them.
    body = text.split("cat > \"$values\" <<'END_OF_VALUES'\n")[1].split("\nEND_OF_VALUES\n")[0]
    (releases,) = yaml.safe_load_all((tmp_path / "cluster1.helm-releases.yaml").read_text())
    assert yaml.safe_load(body) == releases["releases"][0]["values"]
    if shutil.which("sh"):
        assert subprocess.run(["sh", "-n", str(tmp_path / "rbac-cluster1-charts.sh")]).returncode == 0
    header = (tmp_path / "rbac-mgmt.yaml").read_text()
    assert "cluster-admin-equivalent" not in header and "  sh rbac-mgmt-charts.sh <mgmt>" in header


def test_render_never_writes_a_secret_value(rendered_dev: Path) -> None:
    for path in rendered_dev.iterdir():
        text = path.read_text()
        assert FAKE_LICENSE not in text, path.name
        assert "mock ca.crt" not in text and "bW9jayBjYS5jcnQ" not in text, path.name


def test_render_graph_and_summary(rendered_dev: Path) -> None:
    graph = (rendered_dev / "graph.mmd").read_text()
    assert graph.startswith("flowchart LR\n")
    assert "subgraph mgmt" in graph and "subgraph cluster1" in graph
    summary = (rendered_dev / "summary.md").read_text()
    assert "| mgmt | IstioLifecycleManager | 2 |" in summary
    assert "a fake one was used" in summary


def test_bad_config_gives_the_same_error_and_a_non_zero_exit(tmp_path: Path) -> None:
    stack = tmp_path / "bad.yaml"
    stack.write_text("config:\n  gloo-mesh-workshop:platform: gke\n  gloo-mesh-workshop:features: [oauth]\n")
    result = run_render(tmp_path / "out", str(stack))
    assert result.returncode == 2
    assert "platform: unknown platform 'gke'; allowed are: openshift, kubernetes" in result.stderr
    assert "feature 'oauth' needs feature 'keycloak'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_stack_file(tmp_path: Path) -> None:
    result = run_render(tmp_path, "nosuchstack")
    assert result.returncode == 2 and "no stack config file" in result.stderr


def test_render_writes_the_policy_report(rendered_dev: Path) -> None:
    policy = (rendered_dev / "policy.md").read_text()
    assert "0 mandatory and 0 advisory violations." in policy
    assert "| `namespace-exists` | mandatory | 0 |" in policy


def test_mandatory_policy_violation_fails_the_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    seeded = Violation("namespace-exists", True, "urn:x", "Service istio-gateway/x on cluster1", "Fix: it.")
    advisory = Violation("destination-selector-matches", False, "urn:y", "AccessPolicy a/b on cluster1", "Fix.")
    monkeypatch.setattr(render, "check_simulation", lambda sim: [seeded, advisory])
    stack = "dev"
    assert render.main([stack, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "[mandatory] namespace-exists: Service istio-gateway/x on cluster1: Fix: it." in err
    assert "[advisory] destination-selector-matches" in err
    monkeypatch.setattr(render, "check_simulation", lambda sim: [advisory])
    assert render.main([stack, "--out", str(tmp_path / "out2")]) == 0



def test_a_kubeconfigs_contents_reach_no_message_and_no_file(tmp_path: Path) -> None:
    token = "kubeconfig-token-0123456789abcdef"
    contents = f"apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {{token: {token}}}\n"
    doc = yaml.safe_load((ROOT / "stacks" / "base.yaml").read_text())
    doc["config"]["gloo-mesh-workshop:workloadKubeconfigs"] = contents  # a list is expected: the error names the type
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc))
    result = run_render(tmp_path / "bad-out", str(bad))
    assert result.returncode == 2
    assert ("with configuration key 'workloadKubeconfigs' must be of type 'List<string>', got a value of "
            f"{len(json.dumps(contents))} characters with line breaks (not shown: it may hold credentials)") in result.stderr
    assert token not in result.stdout + result.stderr
    doc["config"]["gloo-mesh-workshop:mgmtKubeconfig"] = contents
    del doc["config"]["gloo-mesh-workshop:workloadKubeconfigs"]
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(doc))
    result = run_render(tmp_path / "out", str(good))
    assert result.returncode == 0, result.stderr
    assert token not in result.stdout + result.stderr
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file() and token in p.read_text()]
