"""tools.fleet: the fleet file, the rendered stacks and operator manifests, and the fleet check."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from offline import ROOT
from offline.fleet.operator import identity_manifests, referenced_secrets, stack_manifest
from offline.fleet.parse import load_fleet, parse_fleet
from offline.fleet.spec import Fleet, single_stack_config, stack_configs
from offline.stack_files import stack_config
from tests.support import memo
from tests.support.fleet_files import fleet_doc, fleet_problems
from tools.fleet.__main__ import main

# The Pulumi Kubernetes Operator v2 `Stack` CRD (pulumi.com/v1), as pulumi-kubernetes-operator v2.9.0
# defines it in operator/api/pulumi/shared/stack_types.go: the spec fields the manifests may use.
STACK_SPEC_FIELDS = {
    "stack", "projectRepo", "repoDir", "branch", "commit", "shallow", "gitAuth", "fluxSource", "programRef",
    "backend", "envRefs", "secretsProvider", "config", "configRef", "secretsRef", "refresh", "destroyOnFinalize",
    "retryOnUpdateConflict", "resyncFrequencySeconds", "continueResyncOnCommitMatch", "prerequisites",
    "serviceAccountName", "workspaceTemplate", "workspaceReclaimPolicy", "environment", "targets",
    "useLocalStackOnly", "preview", "updateTemplate",
}
#: A ResourceRef (envRefs, secretsRef values): in v2 only the Secret and Literal types work.
RESOURCE_REF_TYPES = {"Secret", "Literal"}
#: The workspace pod's container that runs Pulumi (workspace_controller.go).
WORKSPACE_CONTAINER = "pulumi"


# --- the fleet file --------------------------------------------------------------------------------

def test_the_dev_fleet_is_the_dev_stacks_estate() -> None:
    fleet = load_fleet("dev")
    dev = stack_config(ROOT / "Pulumi.dev.yaml")
    assert single_stack_config(fleet) == dev
    assert fleet.stacks == ("dev-management", "dev-cluster1", "dev-cluster2")
    assert fleet.qualified("dev-cluster1") == "my-org/gloo-mesh-workshop/dev-cluster1"


def test_duplicate_and_invalid_cluster_names_are_refused_by_key() -> None:
    doc = fleet_doc()
    doc["workloadClusters"] = [{"name": "cluster1"}, {"name": "cluster1"}, {"name": "Cluster_3"}, {"name": "mgmt"}]
    found = fleet_problems(doc)
    assert "workloadClusters: cluster name 'cluster1' is listed more than once" in found
    assert any(p.startswith("workloadClusters[2].name: 'Cluster_3' is not a valid cluster name") for p in found)
    assert any(p.startswith("workloadClusters: 'mgmt' is the management cluster") for p in found)


def test_keys_the_fleet_file_sets_itself_are_refused_under_config() -> None:
    found = fleet_problems(fleet_doc(config={"workloadClusters": ["a"], "licenseKey": "inline"}))
    assert found == [
        "config.licenseKey: set by the fleet file itself (management, workloadClusters, secrets), not under config",
        "config.workloadClusters: set by the fleet file itself (management, workloadClusters, secrets), not under "
        "config",
    ]


def test_source_backend_and_secrets_are_checked() -> None:
    found = fleet_problems(fleet_doc(source={"repo": "https://x/y.git", "branch": "main", "commit": "abc"},
                                     secrets={}, backend={"url": "s3://bucket"}))
    assert any(p.startswith("source.branch: the operator runs every stack") for p in found)
    assert "secrets.licenseKey: required, a Kubernetes Secret reference {name: ..., key: ...}" in found
    assert "secrets.configPassphrase: a self-managed backend needs it (or each stack's own configPassphrase), or " \
           "backend.secretsProvider" in found
    assert "operator: expected a mapping, got 'gloo-mesh-fleet'" in fleet_problems(fleet_doc(operator="gloo-mesh-fleet"))
    cloud = fleet_problems(fleet_doc(secrets={"licenseKey": {"name": "l", "key": "k"}}))
    assert cloud == ["secrets.pulumiAccessToken: required (the token of each stack whose cluster gives no "
                     "pulumiAccessToken of its own), a Kubernetes Secret reference {name: ..., key: ...}"]


def test_bad_program_config_in_a_fleet_is_reported_per_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) \
        -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(fleet_doc(config={"features": ["oauth"]})))
    assert main(["render", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "dev-management: features: feature 'oauth' needs feature 'keycloak'" in err
    assert "dev-cluster2: features: feature 'oauth' needs feature 'keycloak'" in err
    assert not (tmp_path / "out").exists()


# --- stacks and operator manifests -----------------------------------------------------------------

def test_each_workload_stack_carries_only_its_own_clusters_settings() -> None:
    fleet = load_fleet("dev")
    configs = stack_configs(fleet)
    # the management stack: the shared config and the estate's names, no cluster's own settings
    assert configs["dev-management"] == {**fleet.config, "mgmtCluster": "mgmt", "mgmtContext": "mgmt",
                                         "workloadClusters": ["cluster1", "cluster2"], "role": "management"}
    assert configs["dev-cluster2"] | {} == {
        **configs["dev-cluster2"], "role": "workload", "workloadCluster": "cluster2",
        "managementStack": "my-org/gloo-mesh-workshop/dev-management",
        "workloadContexts": ["cluster2"], "reviewsVersions": [["v1", "v2", "v3"]]}
    assert all("licenseKey" not in c for c in configs.values())


def test_render_writes_the_stacks_and_the_operator_manifests_byte_identically(tmp_path: Path) -> None:
    with memo.disabled():  # two real evaluations, not one and its copy
        for out in (tmp_path / "a", tmp_path / "b"):
            assert main(["render", "dev", "--out", str(out)]) == 0
    files = sorted(p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == [".gloo-mesh-workshop-output.json", "README.md", "operator/identity.yaml", "operator/kustomization.yaml",
                     "operator/stack-dev-cluster1.yaml", "operator/stack-dev-cluster2.yaml",
                     "operator/stack-dev-management.yaml", "rbac/dev-cluster1/rbac-cluster1.yaml",
                     "rbac/dev-cluster1/rbac-mgmt.yaml", "rbac/dev-cluster2/rbac-cluster2.yaml",
                     "rbac/dev-cluster2/rbac-mgmt.yaml", "rbac/dev-management/rbac-mgmt.yaml",
                     "stacks/dev-cluster1.yaml", "stacks/dev-cluster2.yaml", "stacks/dev-management.yaml"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # The stack files are ordinary stack config: the program reads them back as rendered.
    fleet = load_fleet("dev")
    for stack, config in stack_configs(fleet).items():
        assert stack_config(tmp_path / "a" / "stacks" / f"{stack}.yaml") == config
    kustomization = yaml.safe_load((tmp_path / "a" / "operator" / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["identity.yaml", "stack-dev-management.yaml", "stack-dev-cluster1.yaml",
                                          "stack-dev-cluster2.yaml"]


def test_stack_manifests_use_only_the_operators_fields() -> None:
    fleet = load_fleet("dev")
    for stack, config in stack_configs(fleet).items():
        manifest = stack_manifest(fleet, stack, config)
        assert (manifest["apiVersion"], manifest["kind"]) == ("pulumi.com/v1", "Stack")
        assert set(manifest["spec"]) <= STACK_SPEC_FIELDS, set(manifest["spec"]) - STACK_SPEC_FIELDS
        assert manifest["spec"]["destroyOnFinalize"] is False
        assert manifest["spec"]["serviceAccountName"] == "dev-fleet"
        for ref in [*manifest["spec"].get("envRefs", {}).values(), *manifest["spec"].get("secretsRef", {}).values()]:
            assert ref["type"] in RESOURCE_REF_TYPES
            assert set(ref["secret"]) == {"name", "key"} if ref["type"] == "Secret" else set(ref["literal"]) == {"value"}
        containers = manifest["spec"]["workspaceTemplate"]["spec"]["podTemplate"]["spec"]["containers"]
        assert [c["name"] for c in containers] == [WORKSPACE_CONTAINER]


def test_workload_stacks_run_after_the_management_stack_and_get_no_license() -> None:
    fleet = load_fleet("dev")
    configs = stack_configs(fleet)
    management = stack_manifest(fleet, "dev-management", configs["dev-management"])
    common = ["commit", "config", "destroyOnFinalize", "envRefs", "projectRepo", "serviceAccountName", "stack",
              "workspaceTemplate"]
    assert sorted(management["spec"]) == sorted([*common, "secretsRef"])  # no prerequisites
    assert management["spec"]["secretsRef"] == {
        "gloo-mesh-workshop:licenseKey": {"type": "Secret", "secret": {"name": "gloo-mesh-license", "key": "licenseKey"}}}
    workload = stack_manifest(fleet, "dev-cluster1", configs["dev-cluster1"])
    assert workload["spec"]["prerequisites"] == [{"name": "dev-management"}]
    assert sorted(workload["spec"]) == sorted([*common, "prerequisites"])  # no secretsRef
    assert workload["spec"]["envRefs"] == {
        "PULUMI_ACCESS_TOKEN": {"type": "Secret", "secret": {"name": "pulumi-api-secret", "key": "accessToken"}}}


def test_a_stack_mounts_the_kubeconfigs_of_the_clusters_it_reaches_and_no_other() -> None:
    fleet = load_fleet("dev")
    manifest = stack_manifest(fleet, "dev-cluster2", stack_configs(fleet)["dev-cluster2"])
    pod = manifest["spec"]["workspaceTemplate"]["spec"]["podTemplate"]["spec"]
    assert [v["secret"]["secretName"] for v in pod["volumes"]] == ["kubeconfig-mgmt-as-cluster2", "kubeconfig-cluster2"]
    config = manifest["spec"]["config"]
    assert config["gloo-mesh-workshop:mgmtKubeconfig"] == "/var/run/gloo-mesh-workshop/kubeconfigs/mgmt/config"
    assert config["gloo-mesh-workshop:workloadKubeconfigs"] == [
        "/var/run/gloo-mesh-workshop/kubeconfigs/cluster2/config"]
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert mounts == {"/var/run/gloo-mesh-workshop/kubeconfigs/mgmt", "/var/run/gloo-mesh-workshop/kubeconfigs/cluster2"}


def test_the_stacks_identity_is_bound_to_auth_delegator() -> None:
    namespace, account, binding = identity_manifests(load_fleet("dev"))
    assert (namespace["kind"], namespace["metadata"]["name"]) == ("Namespace", "gloo-mesh-fleet")
    assert (account["kind"], account["metadata"]) == (
        "ServiceAccount", {"name": "dev-fleet", "namespace": "gloo-mesh-fleet", "labels": account["metadata"]["labels"]})
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": "system:auth-delegator"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "dev-fleet", "namespace": "gloo-mesh-fleet"}]


def test_each_stack_has_its_own_least_privilege_identity_on_the_management_cluster(tmp_path: Path) -> None:
    assert main(["render", "dev", "--out", str(tmp_path)]) == 0
    docs = list(yaml.safe_load_all((tmp_path / "rbac" / "dev-cluster2" / "rbac-mgmt.yaml").read_text()))
    account = next(d for d in docs if d["kind"] == "ServiceAccount")
    assert account["metadata"] == {"name": "gloo-mesh-workshop-deployer-dev-cluster2",
                                   "namespace": "gloo-mesh-workshop-deployer"}
    roles = [d for d in docs if d["kind"] == "Role"]
    assert [r["metadata"]["namespace"] for r in roles] == ["gloo-mesh"]
    rules = roles[0]["rules"]
    # Only its own cluster's registration and lifecycle managers, by name; no Secret, no release there.
    assert {res for r in rules for res in r["resources"]} == {
        "kubernetesclusters", "istiolifecyclemanagers", "gatewaylifecyclemanagers"}
    assert sorted(n for r in rules for n in r.get("resourceNames", [])) == [
        "cluster2", "cluster2-eastwest", "cluster2-ingress", "cluster2-installation"]
    assert next(d for d in docs if d["kind"] == "ClusterRole")["rules"] == []


# --- each stack's own credentials (docs/fleet.md) -----------------------------------------------------

def _mounted(fleet: Fleet, stack: str) -> list[str]:
    spec = stack_manifest(fleet, stack, stack_configs(fleet)[stack])["spec"]
    return [v["secret"]["secretName"] for v in spec["workspaceTemplate"]["spec"]["podTemplate"]["spec"]["volumes"]]


def test_no_workload_stack_mounts_the_management_stacks_kubeconfig() -> None:
    # The management stack's kubeconfig for mgmt can read its relay Secrets and act as it: a workload stack
    # reaches mgmt with a Secret of its own, with its own identity there (rbac/<stack>/rbac-mgmt.yaml).
    fleet = load_fleet("dev")
    mounted = {stack: _mounted(fleet, stack) for stack in fleet.stacks}
    assert mounted == {"dev-management": ["kubeconfig-mgmt"],
                       "dev-cluster1": ["kubeconfig-mgmt-as-cluster1", "kubeconfig-cluster1"],
                       "dev-cluster2": ["kubeconfig-mgmt-as-cluster2", "kubeconfig-cluster2"]}


def test_a_workload_stack_without_its_own_management_kubeconfig_is_refused_naming_the_key() -> None:
    doc = fleet_doc()
    del doc["workloadClusters"][0]["managementKubeconfigSecret"]
    assert fleet_problems(doc) == [
        "workloadClusters[0].managementKubeconfigSecret: required: stack dev-cluster1 reaches cluster mgmt and needs "
        "a kubeconfig Secret of its own there, {name: ..., key: ...}, with the token of its deploy identity "
        "gloo-mesh-workshop-deployer-dev-cluster1 (rbac/dev-cluster1/rbac-mgmt.yaml); no stack uses another "
        "stack's Secret (docs/fleet.md)"]


def test_every_cluster_a_stack_reaches_needs_its_kubeconfig_secret() -> None:
    doc = fleet_doc()
    del doc["management"]["kubeconfigSecret"]
    del doc["workloadClusters"][1]["kubeconfigSecret"]
    found = fleet_problems(doc)
    assert [p.split(": ")[0] for p in found] == ["management.kubeconfigSecret", "workloadClusters[1].kubeconfigSecret"]
    assert "stack dev-management reaches cluster mgmt" in found[0] and "stack dev-cluster2 reaches cluster cluster2" \
        in found[1]


def test_a_kubeconfig_secret_of_another_stack_is_refused() -> None:
    doc = fleet_doc()
    doc["workloadClusters"][1]["managementKubeconfigSecret"] = {"name": "kubeconfig-mgmt", "key": "config"}
    doc["workloadClusters"][0]["kubeconfigSecret"] = {"name": "kubeconfig-cluster2", "key": "config"}
    assert fleet_problems(doc) == [
        "workloadClusters[1].managementKubeconfigSecret: Secret 'kubeconfig-mgmt' key 'config' is "
        "management.kubeconfigSecret of stack dev-management: stack dev-cluster2 needs a kubeconfig Secret of its own "
        "for cluster mgmt, with the token of gloo-mesh-workshop-deployer-dev-cluster2 (docs/fleet.md)",
        "workloadClusters[1].kubeconfigSecret: Secret 'kubeconfig-cluster2' key 'config' is "
        "workloadClusters[0].kubeconfigSecret of stack dev-cluster1: stack dev-cluster2 needs a kubeconfig Secret of "
        "its own for cluster cluster2, with the token of gloo-mesh-workshop-deployer-dev-cluster2 (docs/fleet.md)"]
    # One stack may reach both its clusters with one kubeconfig (two contexts): it is still its own.
    own = fleet_doc()
    own["workloadClusters"][0]["managementKubeconfigSecret"] = own["workloadClusters"][0]["kubeconfigSecret"]
    assert _mounted(parse_fleet(own), "dev-cluster1") == ["kubeconfig-cluster1", "kubeconfig-cluster1"]
    refused = fleet_doc()
    refused["management"]["managementKubeconfigSecret"] = {"name": "x", "key": "config"}
    assert fleet_problems(refused) == ["management.managementKubeconfigSecret: only a workload cluster takes it; the "
                                       "management stack reaches the management cluster with management.kubeconfigSecret"]


def test_a_fleet_sharing_a_kubeconfig_is_refused_before_anything_is_written(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    doc = fleet_doc()
    del doc["workloadClusters"][1]["managementKubeconfigSecret"]
    path = tmp_path / "shared.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert main(["render", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "workloadClusters[1].managementKubeconfigSecret: required" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_stack_can_have_its_own_pulumi_token_the_fleets_is_the_default() -> None:
    doc = fleet_doc()
    doc["workloadClusters"][0]["pulumiAccessToken"] = {"name": "pulumi-token-cluster1", "key": "accessToken"}
    fleet = parse_fleet(doc)
    env = {s: stack_manifest(fleet, s, c)["spec"]["envRefs"] for s, c in stack_configs(fleet).items()}
    assert env["dev-cluster1"] == {"PULUMI_ACCESS_TOKEN": {"type": "Secret", "secret": {
        "name": "pulumi-token-cluster1", "key": "accessToken"}}}
    assert env["dev-management"] == env["dev-cluster2"] == {"PULUMI_ACCESS_TOKEN": {"type": "Secret", "secret": {
        "name": "pulumi-api-secret", "key": "accessToken"}}}
    listed = dict((ref.name, what) for ref, what in referenced_secrets(fleet))
    assert listed["pulumi-token-cluster1"] == "a Pulumi access token, for dev-cluster1"
    assert listed["pulumi-api-secret"] == "a Pulumi access token, for dev-management, dev-cluster2"
    # With a token of its own on every stack, the fleet needs none.
    for cluster in (doc["management"], *doc["workloadClusters"]):
        cluster["pulumiAccessToken"] = {"name": f"pulumi-token-{cluster['name']}", "key": "accessToken"}
    del doc["secrets"]["pulumiAccessToken"]
    assert parse_fleet(doc).access_token is None


def test_a_stack_can_have_its_own_passphrase_on_a_self_managed_backend() -> None:
    doc = fleet_doc(backend={"url": "s3://bucket"}, organization="organization",
                    secrets={"licenseKey": {"name": "l", "key": "k"}})
    for cluster in (doc["management"], *doc["workloadClusters"]):
        cluster["configPassphrase"] = {"name": f"passphrase-{cluster['name']}", "key": "passphrase"}
    fleet = parse_fleet(doc)
    spec = stack_manifest(fleet, "dev-cluster2", stack_configs(fleet)["dev-cluster2"])["spec"]
    assert spec["envRefs"] == {"PULUMI_CONFIG_PASSPHRASE": {"type": "Secret", "secret": {
        "name": "passphrase-cluster2", "key": "passphrase"}}}
    del doc["workloadClusters"][0]["configPassphrase"]
    assert fleet_problems(doc) == ["secrets.configPassphrase: a self-managed backend needs it (or each stack's own "
                                   "configPassphrase), or backend.secretsProvider"]


def test_the_readme_names_the_identity_each_kubeconfig_secret_carries(tmp_path: Path) -> None:
    assert main(["render", "dev", "--out", str(tmp_path)]) == 0
    readme = (tmp_path / "README.md").read_text()
    assert ("`kubeconfig-mgmt-as-cluster1` key `config`: a kubeconfig for mgmt (context 'mgmt') with the token of "
            "ServiceAccount gloo-mesh-workshop-deployer/gloo-mesh-workshop-deployer-dev-cluster1 "
            "(rbac/dev-cluster1/rbac-mgmt.yaml), mounted by stack dev-cluster1 only") in readme
    docs = list(yaml.safe_load_all((tmp_path / "rbac" / "dev-cluster1" / "rbac-mgmt.yaml").read_text()))
    assert docs[-1] == {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                        "metadata": {"name": "gloo-mesh-workshop-deployer-dev-cluster1-token",
                                     "namespace": "gloo-mesh-workshop-deployer",
                                     "annotations": {"kubernetes.io/service-account.name":
                                                     "gloo-mesh-workshop-deployer-dev-cluster1"}}}


def test_only_the_identities_on_a_cluster_with_a_gloo_chart_are_cluster_admin_equivalent(tmp_path: Path) -> None:
    assert main(["render", "dev", "--out", str(tmp_path / "default")]) == 0
    headers = {p.relative_to(tmp_path / "default").as_posix(): p.read_text().split("\napiVersion:")[0]
               for p in (tmp_path / "default" / "rbac").rglob("*.yaml")}
    admin = sorted(name for name, text in headers.items() if "is cluster-admin-equivalent on" in text)
    assert admin == ["rbac/dev-cluster1/rbac-cluster1.yaml", "rbac/dev-cluster2/rbac-cluster2.yaml",
                     "rbac/dev-management/rbac-mgmt.yaml"]
    assert "cluster-admin-equivalent" in (tmp_path / "default" / "README.md").read_text()
    assert main(["render", "dev", "--out", str(tmp_path / "reduced"), "--charts-rbac-preinstalled"]) == 0
    rbac_files = sorted(p.relative_to(tmp_path / "reduced").as_posix()
                        for p in (tmp_path / "reduced" / "rbac").rglob("*") if p.is_file())
    assert rbac_files == ["rbac/dev-cluster1/rbac-cluster1-charts.sh", "rbac/dev-cluster1/rbac-cluster1.yaml",
                          "rbac/dev-cluster1/rbac-mgmt.yaml", "rbac/dev-cluster2/rbac-cluster2-charts.sh",
                          "rbac/dev-cluster2/rbac-cluster2.yaml", "rbac/dev-cluster2/rbac-mgmt.yaml",
                          "rbac/dev-management/rbac-mgmt-charts.sh", "rbac/dev-management/rbac-mgmt.yaml"]
    for name in rbac_files:
        text = (tmp_path / "reduced" / name).read_text()
        assert "cluster-admin-equivalent" not in text, name
        if name.endswith(".yaml"):
            verbs = {v for d in yaml.safe_load_all(text) if d["kind"] in ("ClusterRole", "Role")
                     for rule in d["rules"] for v in rule["verbs"]}
            assert "escalate" not in verbs, name


def test_the_default_workspace_image_has_a_pulumi_cli_the_operator_and_the_program_accept() -> None:
    from components.core.rotation import MIN_CLI_FOR_TRIGGER
    from offline.fleet.spec import DEFAULT_WORKSPACE_IMAGE, OPERATOR_MIN_CLI_FOR_JSON_CONFIG

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    image = load_fleet("dev").image
    assert image == DEFAULT_WORKSPACE_IMAGE and image.endswith("-nonroot")
    cli = version(image.split(":")[1].removesuffix("-nonroot"))
    assert cli >= version(OPERATOR_MIN_CLI_FOR_JSON_CONFIG) and cli >= version(MIN_CLI_FOR_TRIGGER)
