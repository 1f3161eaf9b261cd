"""The fleet file, pinned: every validation message of the fleet spec, word for word and alone; what a
self-managed backend puts in the operator's Stack manifests; and the fleet check's failure on a stack
output that exposes a credential the management stack handed over."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.fleet.check import FleetEvaluation, secret_problems
from offline.fleet.operator import referenced_secrets, stack_manifest
from offline.fleet.parse import load_fleet, parse_fleet
from offline.fleet.spec import stack_configs
from offline.records import Secret, Simulation
from tests.support.fleet_files import fleet_doc, fleet_problems
from tests.support.scenarios import dev_fleet
from tools.fleet.__main__ import main

LICENSE = {"name": "gloo-mesh-license", "key": "licenseKey"}
PASSPHRASE = {"name": "pulumi-passphrase", "key": "passphrase"}
LONG = "c" * 40  # dev-<40 c>: 44 characters
VERY_LONG = "v" * 60  # kubeconfig-<60 v>: 71 characters


def cluster(index: int, **changes: Any) -> dict[str, Any]:
    """The dev fleet with workload cluster `index` changed (a None value removes the key)."""
    doc = fleet_doc()
    for key, value in changes.items():
        if value is None:
            doc["workloadClusters"][index].pop(key, None)
        else:
            doc["workloadClusters"][index][key] = value
    return doc


def without(*keys: str) -> dict[str, Any]:
    doc = fleet_doc()
    for key in keys:
        del doc[key]
    return doc


def self_managed(**changes: Any) -> dict[str, Any]:
    return fleet_doc(**{"backend": {"url": "s3://bucket"}, "organization": "organization",
                        "secrets": {"licenseKey": LICENSE, "configPassphrase": PASSPHRASE}, **changes})


SOURCE = {"repo": "https://github.com/my-org/gloo-mesh-workshop.git", "commit": "a" * 40}

#: Each case: the one fault in the dev fleet file, and exactly the problems the check reports for it.
MESSAGES: dict[str, tuple[Callable[[], Any], list[str]]] = {
    "not a mapping": (lambda: ["fleet"], ["expected a mapping at the top level"]),
    "unknown key without a near one": (lambda: fleet_doc(zzzzzz=1), ["zzzzzz: unknown key"]),
    "unknown key of a section": (lambda: fleet_doc(backend={"uri": "s3://b"}),
                                 ["backend.uri: unknown key; did you mean 'url'?"]),
    "section not a mapping": (lambda: fleet_doc(source="https://x/y.git"),
                              ["source: expected a mapping, got 'https://x/y.git'",
                               "source.commit: required, a full 40-character commit SHA, got ''",
                               "source.repo: required, a non-empty string"]),
    "no fleet name": (lambda: without("fleet"), ["fleet: required, a non-empty string"]),
    "fleet name not a DNS label": (lambda: fleet_doc(fleet="Dev_1"),
                                   ["fleet: 'Dev_1' is not a DNS label (it prefixes every stack name)"]),
    "fleet name too long": (lambda: fleet_doc(fleet="x" * 40), [
        f"workloadClusters: cluster 'cluster1': its Stack '{'x' * 40}-cluster1' is 49 characters, the operator "
        "allows 42: shorten the fleet or cluster name",
        f"workloadClusters: cluster 'cluster2': its Stack '{'x' * 40}-cluster2' is 49 characters, the operator "
        "allows 42: shorten the fleet or cluster name",
        f"fleet: its Stack '{'x' * 40}-management' is longer than 42 characters"]),
    "no organization": (lambda: without("organization"), ["organization: required, a non-empty string"]),
    "organization not a name": (lambda: fleet_doc(organization="my org"),
                                ["organization: 'my org' is not a Pulumi organization name"]),
    "a branch": (lambda: fleet_doc(source={"repo": SOURCE["repo"], "branch": "main"}), [
        "source.branch: the operator runs every stack of a branch's new commit at once (its prerequisites hold a "
        "stack back only while the management stack's generation changed): pin source.commit, the full commit SHA, "
        "and change it to deploy (docs/fleet.md)"]),
    "a short commit": (lambda: fleet_doc(source={"repo": SOURCE["repo"], "commit": "abc1234"}),
                       ["source.commit: required, a full 40-character commit SHA, got 'abc1234'"]),
    "a commit that is no string": (lambda: fleet_doc(source={"repo": SOURCE["repo"], "commit": 1234567}),
                                   ["source.commit: required, a full 40-character commit SHA, got 1234567"]),
    "an upper-case commit": (lambda: fleet_doc(source={"repo": SOURCE["repo"], "commit": "A" * 40}),
                             [f"source.commit: required, a full 40-character commit SHA, got '{'A' * 40}'"]),
    "no repo": (lambda: fleet_doc(source={"commit": "a" * 40}), ["source.repo: required, a non-empty string"]),
    "gitAuth not a mapping": (lambda: fleet_doc(source={**SOURCE, "gitAuth": "ghp_token"}),
                              ["source.gitAuth: expected a mapping of Secret references"]),
    "gitAuth with no whole mode": (
        lambda: fleet_doc(source={**SOURCE, "gitAuth": {"password": {"name": "git", "key": "password"}}}),
        ["source.gitAuth: give one of accessToken, sshPrivateKey (and password), or userName and password (the "
         "operator accepts one authentication mode)"]),
    "gitAuth with two modes": (
        lambda: fleet_doc(source={**SOURCE, "gitAuth": {"accessToken": {"name": "t", "key": "k"},
                                                        "sshPrivateKey": {"name": "s", "key": "k"}}}),
        ["source.gitAuth: give one of accessToken, sshPrivateKey (and password), or userName and password (the "
         "operator accepts one authentication mode)"]),
    "gitAuth unknown key": (lambda: fleet_doc(source={**SOURCE, "gitAuth": {"token": {"name": "t", "key": "k"}}}),
                            ["source.gitAuth.token: unknown key"]),
    "backend not an object store": (lambda: self_managed(backend={"url": "file:///state"}), [
        "backend.url: 'file:///state' cannot serve the fleet: a workspace pod has no persistent file system (no "
        "file://), use Pulumi Cloud (no backend.url) or one of s3://, azblob://, gs:// (docs/fleet.md)"]),
    "self-managed backend in another organization": (lambda: self_managed(organization="my-org"), [
        "organization: a self-managed backend's stacks are in organization 'organization' (pulumi/pulumi "
        "pkg/backend/diy), got 'my-org'"]),
    "self-managed backend without passphrase or secrets provider": (
        lambda: self_managed(secrets={"licenseKey": LICENSE}),
        ["secrets.configPassphrase: a self-managed backend needs it (or each stack's own configPassphrase), or "
         "backend.secretsProvider"]),
    "Pulumi Cloud without a token": (lambda: fleet_doc(secrets={"licenseKey": LICENSE}), [
        "secrets.pulumiAccessToken: required (the token of each stack whose cluster gives no pulumiAccessToken of "
        "its own), a Kubernetes Secret reference {name: ..., key: ...}"]),
    "no license": (lambda: fleet_doc(secrets={"pulumiAccessToken": {"name": "t", "key": "k"}}),
                   ["secrets.licenseKey: required, a Kubernetes Secret reference {name: ..., key: ...}"]),
    "a license inlined": (
        lambda: fleet_doc(secrets={"licenseKey": "eyJhbGciOi-the-license", "pulumiAccessToken": {"name": "t", "key": "k"}}),
        ["secrets.licenseKey: expected a Kubernetes Secret reference {name: ..., key: ...}, got a str: the fleet file "
         "names the Secret that holds a value, never the value"]),
    "Secret name not a DNS label": (
        lambda: fleet_doc(secrets={"licenseKey": {"name": "Gloo_License", "key": "k"},
                                   "pulumiAccessToken": {"name": "t", "key": "k"}}),
        ["secrets.licenseKey.name: 'Gloo_License' is not a valid Secret name (a DNS label)"]),
    "Secret reference without key, with an unknown one": (
        lambda: fleet_doc(secrets={"licenseKey": {"name": "l", "key": ""},
                                   "pulumiAccessToken": {"name": "t", "key": "k", "value": "x"}}),
        ["secrets.licenseKey.key: required, a non-empty string", "secrets.pulumiAccessToken.value: unknown key"]),
    "management not a mapping": (lambda: fleet_doc(management="mgmt"),
                                 ["management: expected a mapping with name, context and kubeconfigSecret"]),
    "management takes no managementKubeconfigSecret": (
        lambda: fleet_doc(management={**fleet_doc()["management"],
                                      "managementKubeconfigSecret": {"name": "x", "key": "config"}}),
        ["management.managementKubeconfigSecret: only a workload cluster takes it; the management stack reaches the "
         "management cluster with management.kubeconfigSecret"]),
    "no workload clusters": (lambda: fleet_doc(workloadClusters=[]),
                             ["workloadClusters: required, a non-empty list of clusters"]),
    "workload clusters not a list": (lambda: fleet_doc(workloadClusters={"name": "cluster1"}),
                                     ["workloadClusters: required, a non-empty list of clusters"]),
    "a workload cluster not a mapping": (lambda: fleet_doc(workloadClusters=["cluster1"]),
                                         ["workloadClusters[0]: expected a mapping with name, context and "
                                          "kubeconfigSecret"]),
    "a cluster without a name": (lambda: cluster(0, name=None), ["workloadClusters[0].name: required, a non-empty string"]),
    "a cluster name not a DNS label": (lambda: cluster(0, name="Cluster_1"), [
        "workloadClusters[0].name: 'Cluster_1' is not a valid cluster name (a DNS label: lower-case letters, digits "
        "and '-', starting and ending with a letter or digit)"]),
    "an unknown reviews version": (lambda: cluster(0, reviewsVersions=["v1", "v4"]), [
        "workloadClusters[0].reviewsVersions: expected a list of versions from v1, v2, v3, got ['v1', 'v4']"]),
    "no reviews versions": (lambda: cluster(1, reviewsVersions=[]), [
        "workloadClusters[1].reviewsVersions: expected a list of versions from v1, v2, v3, got []"]),
    "reviews versions not a list": (lambda: cluster(1, reviewsVersions="v1"), [
        "workloadClusters[1].reviewsVersions: expected a list of versions from v1, v2, v3, got 'v1'"]),
    "a cluster listed twice": (lambda: fleet_doc(workloadClusters=[fleet_doc()["workloadClusters"][0]] * 2), [
        "workloadClusters: cluster name 'cluster1' is listed more than once",
        "workloadClusters: context 'cluster1' is used by more than one cluster"]),
    "a context used twice": (lambda: cluster(1, context="cluster1"),
                             ["workloadClusters: context 'cluster1' is used by more than one cluster"]),
    "the management cluster as a workload cluster": (
        lambda: cluster(1, name="mgmt", context="mgmt-workload"),
        ["workloadClusters: 'mgmt' is the management cluster; a fleet's management cluster runs only the management "
         "plane (use one stack, role all, to combine them)"]),
    "a Stack name too long": (lambda: cluster(1, name=LONG, context="ctx2"), [
        f"workloadClusters: cluster '{LONG}': its Stack 'dev-{LONG}' is 44 characters, the operator allows 42: "
        "shorten the fleet or cluster name"]),
    "a volume name too long": (lambda: cluster(1, name=VERY_LONG, context="ctx2"), [
        f"workloadClusters: cluster '{VERY_LONG}': its Stack 'dev-{VERY_LONG}' is 64 characters, the operator "
        "allows 42: shorten the fleet or cluster name",
        f"cluster '{VERY_LONG}': its workspace volume 'kubeconfig-{VERY_LONG}' is longer than 63 characters: shorten "
        "the cluster name"]),
    "a config key the program does not have": (lambda: fleet_doc(config={"zzzzzzzzz": 1}),
                                               ["config.zzzzzzzzz: not a config key of gloo-mesh-workshop"]),
    "a misspelt config key": (lambda: fleet_doc(config={"featurs": []}), [
        "config.featurs: not a config key of gloo-mesh-workshop; did you mean 'features'?"]),
    "a config key the fleet file sets itself": (lambda: fleet_doc(config={"mgmtContext": "mgmt"}), [
        "config.mgmtContext: set by the fleet file itself (management, workloadClusters, secrets), not under config"]),
}


@pytest.mark.parametrize("case", list(MESSAGES))
def test_each_fault_of_a_fleet_file_is_reported_with_its_message_alone(case: str) -> None:
    make, expected = MESSAGES[case]
    assert fleet_problems(make()) == expected


def test_an_inlined_secret_value_is_not_echoed() -> None:
    doc = fleet_doc()
    doc["workloadClusters"][0]["kubeconfigSecret"] = "apiVersion: v1\nusers:\n- user: {token: s3cr3t-token}\n"
    found = fleet_problems(doc)
    assert found == ["workloadClusters[0].kubeconfigSecret: expected a Kubernetes Secret reference {name: ..., key: "
                     "...}, got a str: the fleet file names the Secret that holds a value, never the value"]
    assert "s3cr3t" not in "\n".join(found)


def test_the_command_prints_every_problem_under_the_files_name(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n")
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err == "error: empty.yaml: invalid fleet file:\n  - expected a mapping at the top level\n"
    path.write_text("fleet: dev\norganization: [my-org\n")
    assert main(["render", str(path), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == ("error: empty.yaml: invalid fleet file:\n  - not valid YAML at line 3, column 1: "
                                       "expected ',' or ']', but got '<stream end>'\n")
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err == f"error: no fleet file {tmp_path / 'missing.yaml'}\n"
    assert not (tmp_path / "out").exists()


# --- a self-managed backend in the operator's Stack manifests ---------------------------------------


def test_a_self_managed_backend_its_secrets_provider_and_passphrase_reach_every_stack() -> None:
    fleet = parse_fleet(self_managed(backend={"url": "s3://state-bucket", "secretsProvider": "awskms://alias/fleet"}))
    assert (fleet.backend, fleet.secrets_provider) == ("s3://state-bucket", "awskms://alias/fleet")
    for stack, config in stack_configs(fleet).items():
        spec = stack_manifest(fleet, stack, config)["spec"]
        assert spec["stack"] == f"organization/gloo-mesh-workshop/{stack}"
        assert spec["backend"] == "s3://state-bucket"
        assert spec["secretsProvider"] == "awskms://alias/fleet"
        assert spec["envRefs"] == {"PULUMI_CONFIG_PASSPHRASE": {
            "type": "Secret", "secret": {"name": "pulumi-passphrase", "key": "passphrase"}}}, stack
    workload = stack_manifest(fleet, "dev-cluster1", stack_configs(fleet)["dev-cluster1"])["spec"]
    assert workload["config"]["gloo-mesh-workshop:managementStack"] == "organization/gloo-mesh-workshop/dev-management"
    listed = {ref.name: what for ref, what in referenced_secrets(fleet)}
    assert listed["pulumi-passphrase"] == "a config passphrase, for dev-management, dev-cluster1, dev-cluster2"
    assert not any("access token" in what for what in listed.values())


def test_a_secrets_provider_alone_needs_no_passphrase_and_gets_no_env_refs() -> None:
    fleet = parse_fleet(self_managed(backend={"url": "gs://state", "secretsProvider": "gcpkms://projects/p/keys/k"},
                                     secrets={"licenseKey": LICENSE}))
    spec = stack_manifest(fleet, "dev-management", stack_configs(fleet)["dev-management"])["spec"]
    assert (spec["backend"], spec["secretsProvider"]) == ("gs://state", "gcpkms://projects/p/keys/k")
    assert "envRefs" not in spec


def test_pulumi_cloud_stacks_name_no_backend_nor_secrets_provider() -> None:
    fleet = load_fleet("dev")
    for stack, config in stack_configs(fleet).items():
        spec = stack_manifest(fleet, stack, config)["spec"]
        assert "backend" not in spec and "secretsProvider" not in spec, stack
        assert set(spec["envRefs"]) == {"PULUMI_ACCESS_TOKEN"}


# --- the check: a handed-over credential in a stack output ------------------------------------------


def with_outputs(stack: str, **outputs: Any) -> tuple[Any, FleetEvaluation]:
    fleet, evaluation = dev_fleet()
    sim = evaluation.stacks[stack]
    stacks = {**evaluation.stacks, stack: Simulation(sim.records, {**sim.outputs, **outputs})}
    return fleet, FleetEvaluation(evaluation.single, stacks)


def handed_over(name: str) -> str:
    return dev_fleet()[1].stacks["dev-management"].outputs[name].value


def test_the_dev_fleets_outputs_expose_no_credential() -> None:
    fleet, evaluation = dev_fleet()
    assert secret_problems(fleet, evaluation) == []


def test_a_workload_stack_output_exposing_a_handed_over_credential_fails_the_check() -> None:
    fleet, evaluation = with_outputs("dev-cluster2", relayDebug={"token": handed_over("relayIdentityToken")})
    assert secret_problems(fleet, evaluation) == [
        "dev-cluster2: output relayDebug.token holds relayIdentityToken in plain text"]


def test_a_credential_inside_a_listed_or_longer_output_value_fails_the_check() -> None:
    ca = handed_over("relayRootCa")
    fleet, evaluation = with_outputs("dev-cluster1", agentCaBundle=[f"bundle:{ca}:end"], notes="none")
    assert secret_problems(fleet, evaluation) == ["dev-cluster1: output agentCaBundle[0] holds relayRootCa in plain text"]


def test_a_credential_the_management_stack_exposes_itself_fails_the_check() -> None:
    fleet, evaluation = with_outputs("dev-management", gatewayKeyCopy=handed_over("gatewayTlsPrivateKey"))
    assert secret_problems(fleet, evaluation) == [
        "dev-management: output gatewayKeyCopy holds gatewayTlsPrivateKey in plain text"]


def test_a_credential_kept_in_a_secret_output_passes_the_check() -> None:
    fleet, evaluation = with_outputs("dev-cluster2", relayDebug=Secret({"token": handed_over("relayIdentityToken")}))
    assert secret_problems(fleet, evaluation) == []
