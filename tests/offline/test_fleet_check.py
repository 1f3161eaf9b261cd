"""tools.fleet check: the fleet's stacks against the single stack — equivalence, secrets, isolation,
policy — and that each property can fail."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import tools.fleet.__main__ as fleet_main_module
from offline import ROOT, rbac
from offline.fleet import check as fleet_check
from offline.fleet.check import FleetEvaluation, equivalence_problems, isolation_problems, secret_problems
from offline.fleet.operator import stack_manifest
from offline.fleet.parse import load_fleet
from offline.fleet.spec import generated_fleet, stack_configs
from offline.records import Secret, Simulation
from tests.support.scenarios import dev_fleet
from tools.fleet.__main__ import main

# --- the check -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted((ROOT / "fleets").glob("*.yaml")), ids=lambda p: p.stem)
def test_check_passes_every_fleet_file(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(path)]) == 0
    fleet = load_fleet(str(path))
    assert capsys.readouterr().out.splitlines() == fleet_check.verdict(fleet)


def test_a_passing_check_says_exactly_what_it_proved_and_what_not() -> None:
    # It used to print "each cluster's stack is isolated", having compared configs and objects only.
    lines = fleet_check.verdict(load_fleet("dev"))
    assert lines[0] == "fleet dev: 3 stacks, evaluated offline under the mock runtime:"
    assert [line.split(": ")[0].strip() for line in lines[1:]] == [
        "equivalence", "secrets", "isolation", "credentials", "policy", "not checked"]
    assert lines[4] == ("  credentials: each stack's workspace mounts a kubeconfig Secret of its own for every cluster "
                        "it deploys to, and no other stack mounts that Secret")
    assert lines[-1].startswith("not checked: what the identities in those kubeconfigs may do (rbac/<stack>/), nor "
                                "what each stack's Pulumi token or passphrase can read")
    assert not any("is isolated" in line for line in lines)


def test_check_passes_a_generated_five_cluster_fleet() -> None:
    fleet = generated_fleet(load_fleet("dev"), 5)
    assert [c.name for c in fleet.workloads] == ["cluster1", "cluster2", "cluster3", "cluster4", "cluster5"]
    assert fleet_check.check(fleet) == []


def _tampered(change: str) -> FleetEvaluation:
    _, evaluation = dev_fleet()
    stacks = {name: Simulation(list(sim.records), dict(sim.outputs)) for name, sim in evaluation.stacks.items()}
    sim = stacks["dev-cluster2"]
    index = next(i for i, r in enumerate(sim.records) if r.kind == "Deployment" and r.k8s_name == "productpage-v1")
    record = sim.records[index]
    if change == "drop":
        sim.records.pop(index)
    elif change == "duplicate":
        stacks["dev-cluster1"].records.append(record)
    elif change == "alter":
        inputs = copy.deepcopy(record.inputs)
        inputs["spec"]["replicas"] = 3
        sim.records[index] = dataclasses.replace(record, inputs=inputs)
    elif change == "leak":
        secret = stacks["dev-management"].outputs["relayIdentityToken"].value
        sim.records[index] = dataclasses.replace(record, inputs={**record.inputs, "leak": secret})
    return FleetEvaluation(evaluation.single, stacks)


def test_check_finds_a_missing_a_duplicated_and_a_different_object() -> None:
    fleet, _ = dev_fleet()
    assert equivalence_problems(_tampered("drop")) == [
        "cluster2: Deployment bookinfo-frontends/productpage-v1 (apps/v1): the single stack declares it, "
        "no stack of the fleet does"]
    assert equivalence_problems(_tampered("duplicate")) == [
        "cluster2: Deployment bookinfo-frontends/productpage-v1 (apps/v1): declared by 2 stacks "
        "(dev-cluster1, dev-cluster2); exactly one must own it"]
    assert equivalence_problems(_tampered("alter")) == [
        "cluster2: Deployment bookinfo-frontends/productpage-v1 (apps/v1): dev-cluster2 differs from the single "
        "stack at spec.replicas"]


def test_check_finds_a_credential_in_plain_text() -> None:
    fleet, _ = dev_fleet()
    found = secret_problems(fleet, _tampered("leak"))
    assert len(found) == 1 and found[0].startswith("dev-cluster2: urn:pulumi:")
    assert found[0].endswith("input leak holds relayIdentityToken in plain text")
    management = dev_fleet()[1].stacks["dev-management"]
    plain = FleetEvaluation(dev_fleet()[1].single, {
        **dev_fleet()[1].stacks, "dev-management": Simulation(management.records, {
            **management.outputs, "relayRootCa": management.outputs["relayRootCa"].value})})
    assert "dev-management: output 'relayRootCa' carries a credential but is not a secret" in \
        secret_problems(fleet, plain)


def test_check_finds_a_stack_that_carries_another_clusters_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    fleet, evaluation = dev_fleet()

    def leaky(f: Any) -> dict[str, dict[str, Any]]:  # every workload stack carries every context
        configs = stack_configs(f)
        contexts = [c.context for c in f.workloads]
        return {s: ({**c, "workloadContexts": contexts} if c["role"] == "workload" else c) for s, c in configs.items()}

    monkeypatch.setattr(fleet_check, "stack_configs", leaky)
    found = isolation_problems(fleet, evaluation)
    assert "changing cluster cluster1's settings changes stacks ['dev-cluster1', 'dev-cluster2'], " \
           "not just dev-cluster1" in found


def test_each_stack_mounts_a_kubeconfig_for_exactly_the_clusters_it_deploys_to() -> None:
    fleet, evaluation = dev_fleet()
    for stack, config in stack_configs(fleet).items():
        mounted = fleet_check.mounted_kubeconfigs(stack_manifest(fleet, stack, config))
        assert sorted(mounted) == rbac.clusters(evaluation.stacks[stack]), stack
    assert fleet_check.credential_problems(fleet, evaluation) == []


def test_check_finds_a_stack_that_mounts_another_stacks_kubeconfig_or_none() -> None:
    # A Fleet built in code bypasses the fleet file check; the check of the rendered manifests still finds it.
    fleet, evaluation = dev_fleet()
    cluster1, cluster2 = fleet.workloads
    shared = dataclasses.replace(fleet, workloads=(
        dataclasses.replace(cluster1, management_kubeconfig=None),
        dataclasses.replace(cluster2, management_kubeconfig=fleet.management.kubeconfig)))
    assert fleet_check.credential_problems(shared, evaluation) == [
        "dev-cluster1: deploys to cluster mgmt, but its workspace mounts no kubeconfig Secret for it",
        "dev-cluster2: mounts Secret kubeconfig-mgmt key config for cluster mgmt, which stack dev-management mounts too"]


def test_adding_a_cluster_changes_only_objects_that_list_clusters() -> None:
    fleet, evaluation = dev_fleet()
    grown = fleet_check.evaluate_stacks(dataclasses.replace(
        fleet, workloads=(*fleet.workloads, fleet_check._added_cluster(fleet))))
    before = fleet_check.kubernetes_objects(evaluation.stacks["dev-management"])
    after = fleet_check.kubernetes_objects(grown["dev-management"])
    changed = sorted((k[2], k[4]) for k in before if before[k] != after[k])
    assert changed == [("Workspace", "bookinfo"), ("Workspace", "gateways")]
    for stack in ("dev-cluster1", "dev-cluster2"):
        assert fleet_check.kubernetes_objects(grown[stack]) == fleet_check.kubernetes_objects(evaluation.stacks[stack])
    assert isinstance(evaluation.stacks["dev-management"].outputs["relayIdentityToken"], Secret)


def test_every_stack_of_the_fleet_passes_the_policy_pack() -> None:
    _, evaluation = dev_fleet()
    assert fleet_check.policy_problems(evaluation) == []


def test_the_namespace_rule_still_catches_a_workload_stack_object_outside_the_management_reference() -> None:
    _, evaluation = dev_fleet()
    sim = evaluation.stacks["dev-cluster2"]
    records = [dataclasses.replace(r, parent=None) if r.kind == "KubernetesCluster" else r for r in sim.records]
    problems = fleet_check.policy_problems(FleetEvaluation(evaluation.single, {"dev-cluster2": Simulation(records, {})}))
    # Without the ManagementReference's objects, nothing says the management plane's namespace exists there.
    assert sorted(p.split(": ")[2] for p in problems) == [
        "GatewayLifecycleManager gloo-mesh/cluster2-eastwest on mgmt",
        "GatewayLifecycleManager gloo-mesh/cluster2-ingress on mgmt",
        "IstioLifecycleManager gloo-mesh/cluster2-installation on mgmt", "KubernetesCluster gloo-mesh/cluster2 on mgmt"]
    assert all("[mandatory] namespace-exists" in p for p in problems)


def test_check_passes_a_fleet_with_managed_relay_trust_a_canary_and_rotated_credentials() -> None:
    fleet = load_fleet("dev")
    managed = dataclasses.replace(fleet, config={
        **fleet.config, "relayTrust": "managed", "istioCanaryRevision": "1-18", "istioCanaryTag": "1.18.2-solo",
        "credentialsRotation": 2})
    assert fleet_check.check(managed) == []
    outputs = fleet_check.evaluate_stacks(managed)["dev-management"].outputs
    # The CA key never leaves the management stack: it hands over certificates, keys and the token.
    assert isinstance(outputs["relayAgentPrivateKeys"], Secret) and isinstance(outputs["relayToken"], Secret)
    assert set(outputs["relayAgentCertificates"]) == {"cluster1", "cluster2"}
    assert not any("relay-authority-root-ca-key" in str(v) for v in outputs.values())


def test_check_json_passing_fleet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "dev", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"format": 1, "fleet": "dev", "ok": True, "problems": [],
                                        "stacks": ["dev-management", "dev-cluster1", "dev-cluster2"]}
    assert captured.err == ""


def test_check_json_names_the_property_of_each_problem(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    found = ["equivalence: cluster2: Deployment bookinfo-frontends/productpage-v1 (apps/v1): the single stack "
             "declares it, no stack of the fleet does", "secrets: dev-management: output 'x' is not a secret"]
    monkeypatch.setattr(fleet_main_module, "check", lambda fleet: found)
    assert main(["check", "dev", "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is False
    assert printed["problems"] == [
        {"property": "equivalence", "message": "cluster2: Deployment bookinfo-frontends/productpage-v1 (apps/v1): "
                                               "the single stack declares it, no stack of the fleet does"},
        {"property": "secrets", "message": "dev-management: output 'x' is not a secret"}]
