"""Fleet mode against the real Pulumi CLI's config rules and the Pulumi Kubernetes Operator v2.9.0.

Facts, stated (not vendored), from pulumi/pulumi-kubernetes-operator v2.9.0 and pulumi/pulumi."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.core.config import PROJECT
from offline.config_rules import check_config, check_stack_document
from offline.fleet.check import evaluate_stacks
from offline.fleet.operator import identity_manifests, stack_manifest
from offline.fleet.parse import load_fleet, parse_fleet
from offline.fleet.spec import Fleet, stack_configs, stack_file_text
from offline.replacement import KUBERNETES_PROVIDER
from tests.support.fleet_files import fleet_doc, fleet_problems
from tools.fleet.__main__ import main

# --- CRD schema facts the render relies on (deploy/crds/pulumi.com_stacks.yaml, v2.9.0) -----------
#: x-kubernetes-validations on the Stack: `size(self.metadata.name) <= 42`.
STACK_NAME_MAX = 42
#: spec.required: [stack].
STACK_REQUIRED = {"stack"}
#: A ResourceRef (envRefs, secretsRef, gitAuth values): `type` is one of these, with its selector
#: (operator/api/pulumi/shared/stack_types.go: Env, FS, Secret, Literal).
REF_SELECTOR = {"Secret": "secret", "Literal": "literal", "Env": "env", "FS": "filesystem"}
#: spec.config values: JSON (x-kubernetes-preserve-unknown-fields), spec.prerequisites: [{name, requirement?}].
PREREQUISITE_FIELDS = {"name", "requirement"}
#: gitAuth (GitAuthConfig): exactly one of these.
GIT_AUTH_MODES = {"accessToken", "sshAuth", "basicAuth", "githubApp"}
#: spec.commit / spec.branch are strings; the render pins commit (prerequisites semantics, docs/fleet.md).
DNS_LABEL_MAX = 63


def _refs(spec: dict[str, Any]) -> list[dict[str, Any]]:
    refs = [*spec.get("envRefs", {}).values(), *spec.get("secretsRef", {}).values()]
    for mode in spec.get("gitAuth", {}).values():
        refs += [mode] if "type" in mode else list(mode.values())
    return refs


def git_fleet() -> Fleet:
    return parse_fleet(fleet_doc(source={"repo": "git@github.com:o/r.git", "commit": "a" * 40,
                                          "gitAuth": {"sshPrivateKey": {"name": "git-ssh", "key": "id"}}}), "x")


@pytest.mark.parametrize("fleet_factory", [lambda: load_fleet("dev"), git_fleet], ids=["dev", "gitauth"])
def test_every_rendered_operator_object_meets_the_crd_schema_facts(fleet_factory: Any) -> None:
    fleet = fleet_factory()
    for stack, config in stack_configs(fleet).items():
        manifest = stack_manifest(fleet, stack, config)
        assert manifest["apiVersion"] in ("pulumi.com/v1", "auto.pulumi.com/v1alpha1")
        assert len(manifest["metadata"]["name"]) <= STACK_NAME_MAX
        spec = manifest["spec"]
        assert STACK_REQUIRED <= set(spec) and isinstance(spec["commit"], str) and "branch" not in spec
        for ref in _refs(spec):
            assert set(ref) == {"type", REF_SELECTOR[ref["type"]]}, ref
        for prerequisite in spec.get("prerequisites", []):
            assert set(prerequisite) <= PREREQUISITE_FIELDS
        if "gitAuth" in spec:
            assert len(set(spec["gitAuth"]) & GIT_AUTH_MODES) == 1 == len(spec["gitAuth"])
        pod = spec["workspaceTemplate"]["spec"]["podTemplate"]["spec"]
        assert all(len(v["name"]) <= DNS_LABEL_MAX for v in pod["volumes"])
    for doc in identity_manifests(fleet):
        assert not doc["apiVersion"].startswith(("pulumi.com", "auto.pulumi.com"))


def test_every_rendered_fleet_stack_passes_the_cli_rules() -> None:
    # pulumi/pulumi pkg/workspace/config.go mergeConfig: a stack missing a declared key without default is
    # refused ("Stack 'dev-cluster1' is missing configuration value 'licenseKey'"); validateStackConfigValue:
    # a secret key must be encrypted, a value must be of its declared type. An operator Stack's secretsRef
    # sets its key encrypted (`pulumi config set --secret`).
    fleet = load_fleet("dev")
    for stack, config in stack_configs(fleet).items():
        spec = stack_manifest(fleet, stack, config)["spec"]
        assert check_config(f"stack-{stack}.yaml", stack, spec["config"], spec.get("secretsRef", {})) == []
        text = stack_file_text(fleet, stack, config)
        assert check_stack_document(f"{stack}.yaml", stack, yaml.safe_load(text)) == []
    workload = stack_manifest(fleet, "dev-cluster1", stack_configs(fleet)["dev-cluster1"])["spec"]
    assert f"{PROJECT}:licenseKey" not in workload["config"] and "secretsRef" not in workload


def test_unknown_fleet_keys_are_refused_with_the_nearest_known_one() -> None:
    doc = fleet_doc(opertor={"namespace": "x"})
    doc["source"] = {**doc["source"], "reop": "x"}
    doc["workloadClusters"][0]["kubeconfigSecrt"] = {"name": "a", "key": "b"}
    doc["config"] = {**doc["config"], "featurs": ["gateway"], "helmTimeoutSeconds": "900"}
    found = fleet_problems(doc)
    assert "opertor: unknown key; did you mean 'operator'?" in found
    assert "source.reop: unknown key; did you mean 'repo'?" in found
    assert "workloadClusters[0].kubeconfigSecrt: unknown key; did you mean 'kubeconfigSecret'?" in found
    assert any(p.startswith("config.featurs: not a config key") and "did you mean 'features'?" in p for p in found)
    assert any("'helmTimeoutSeconds' must be of type 'integer'" in p and p.startswith("test.yaml") for p in found)


def test_stack_and_volume_names_beyond_the_operators_limits_are_refused_naming_the_cluster(tmp_path: Path) -> None:
    long = "c" * 40  # dev-<40 c> is 44 characters
    doc = fleet_doc()
    doc["workloadClusters"][1]["name"] = long
    doc["workloadClusters"][1]["context"] = "ctx2"
    found = fleet_problems(doc)
    assert any(p.startswith(f"workloadClusters: cluster {long!r}: its Stack") and "42" in p for p in found)
    doc["workloadClusters"][1]["name"] = "v" * 60
    assert any("its workspace volume" in p for p in fleet_problems(doc))
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(fleet_doc(fleet="x" * 40)))
    out = tmp_path / "out"
    assert main(["render", str(path), "--out", str(out)]) == 2 and not out.exists()


def test_the_backend_is_one_a_workspace_pod_can_use() -> None:
    secrets = {"licenseKey": {"name": "l", "key": "k"}, "configPassphrase": {"name": "p", "key": "k"}}
    found = fleet_problems(fleet_doc(backend={"url": "file:///state"}, secrets=secrets))
    assert any(p.startswith("backend.url: 'file:///state' cannot serve the fleet") for p in found)
    # pulumi/pulumi pkg/backend/diy: a self-managed backend's organization is literally `organization`.
    assert any(p.startswith("organization: a self-managed backend's stacks are in organization 'organization'")
               for p in found)
    fleet = parse_fleet(fleet_doc(backend={"url": "s3://bucket"}, secrets=secrets, organization="organization"))
    assert fleet.qualified("dev-management") == "organization/gloo-mesh-workshop/dev-management"


def test_a_branch_is_refused_a_pinned_commit_is_rendered() -> None:
    # stack_controller.go (v2.9.0): a prerequisite holds a stack back only while its generation changed; a
    # tracked branch's new commit reconciles every Stack at once.
    found = fleet_problems(fleet_doc(source={"repo": "https://x/y.git", "branch": "main"}))
    assert any(p.startswith("source.branch:") and "pin source.commit" in p for p in found)
    assert any(p.startswith("source.commit: required") for p in fleet_problems(
        fleet_doc(source={"repo": "https://x/y.git", "commit": "main"})))


def test_git_auth_is_rendered_from_secret_references() -> None:
    fleet = git_fleet()
    spec = stack_manifest(fleet, "dev-management", stack_configs(fleet)["dev-management"])["spec"]
    assert spec["gitAuth"] == {"sshAuth": {"sshPrivateKey": {"type": "Secret", "secret": {"name": "git-ssh",
                                                                                           "key": "id"}}}}
    bad = fleet_doc(source={"repo": "r", "commit": "a" * 40, "gitAuth": {"accessToken": {"name": "t", "key": "k"},
                                                                         "userName": {"name": "u", "key": "k"}}})
    assert any(p.startswith("source.gitAuth: give one of") for p in fleet_problems(bad))


def test_every_stack_turns_upsert_on_for_the_namespaces_the_rbac_render_pre_creates() -> None:
    # pulumi-kubernetes (provider/pkg/await/await.go, v4.29+): creating an object that exists fails unless
    # upsertExistingObjects. The program sets it on every provider (its input wins over the environment,
    # provider/pkg/provider/provider.go), so the operator's workspace needs no variable for it.
    fleet = load_fleet("dev")
    for stack, config in stack_configs(fleet).items():
        assert "PULUMI_K8S_UPSERT_EXISTING_OBJECTS" not in stack_manifest(fleet, stack, config)["spec"].get(
            "envRefs", {})
    for stack, sim in evaluate_stacks(fleet).items():
        providers = [r for r in sim.records if r.type == KUBERNETES_PROVIDER]
        assert providers and {r.inputs.get("upsertExistingObjects") for r in providers} == {"true"}, stack


def test_a_fleet_file_yaml_error_is_one_message_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("fleet: [\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "not valid YAML" in err and "Traceback" not in err
