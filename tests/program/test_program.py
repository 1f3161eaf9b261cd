"""Whole-program properties: providers, cluster layouts, determinism, edges and outputs."""

from __future__ import annotations

from collections import Counter

import pytest

from offline.records import Record, Simulation
from offline.runtime import simulate
from tests.support.simulation import dev_config

THREE_CLUSTERS = dict(workloadClusters=["cluster1", "cluster2", "cluster3"],
                      workloadContexts=["cluster1", "cluster2", "cluster3"],
                      reviewsVersions=[["v1", "v2"], ["v1", "v2", "v3"], ["v3"]])


def kubernetes_resources(sim: Simulation) -> list[Record]:
    return [r for r in sim.records if r.custom and r.type.startswith("kubernetes:")]


def identity(record: Record) -> tuple[str | None, str, str | None, str | None]:
    return (record.cluster, record.kind, record.namespace, record.k8s_name)


@pytest.fixture(scope="module")
def three_sim() -> Simulation:
    return simulate(dev_config(**THREE_CLUSTERS))


@pytest.fixture(scope="module")
def shared_mgmt_sim() -> Simulation:
    # The seed's MGMT=cluster1 case: the management plane runs on the first workload cluster.
    return simulate(dev_config(mgmtCluster="cluster1", mgmtContext="cluster1"))


def test_one_provider_per_cluster_with_its_context(dev_sim: Simulation) -> None:
    providers = {r.name: r.inputs for r in dev_sim.records if r.type == "pulumi:providers:kubernetes"}
    assert {name: inputs["context"] for name, inputs in providers.items()} == {
        "mgmt": "mgmt", "cluster1": "cluster1", "cluster2": "cluster2"}


def test_providers_apply_server_side_and_update_secrets_in_place(dev_sim: Simulation) -> None:
    # A rotated credential's Secret is updated, not deleted and created again (docs/upgrades.md).
    for record in dev_sim.records:
        if record.type == "pulumi:providers:kubernetes":
            assert (record.inputs["enableServerSideApply"], record.inputs["enableSecretMutable"]) == ("true", "true")


def test_every_kubernetes_resource_names_its_provider(dev_sim: Simulation, three_sim: Simulation) -> None:
    for sim in (dev_sim, three_sim):
        for record in kubernetes_resources(sim):
            assert record.provider and record.provider.rsplit("::", 1)[0].endswith(
                f"pulumi:providers:kubernetes::{record.cluster}"), record.urn


def test_kubeconfig_per_cluster() -> None:
    sim = simulate(dev_config(mgmtKubeconfig="/kube/mgmt", workloadKubeconfigs=["/kube/c1", "/kube/c2"]))
    providers = {r.name: r.inputs for r in sim.records if r.type == "pulumi:providers:kubernetes"}
    assert {n: p.get("kubeconfig") for n, p in providers.items()} == {
        "mgmt": "/kube/mgmt", "cluster1": "/kube/c1", "cluster2": "/kube/c2"}


def test_no_kubernetes_object_is_declared_twice(dev_sim: Simulation, three_sim: Simulation,
                                                 shared_mgmt_sim: Simulation) -> None:
    for sim in (dev_sim, three_sim, shared_mgmt_sim):
        declared = [identity(r) for r in kubernetes_resources(sim) if not r.read]
        assert [i for i, n in Counter(declared).items() if n > 1] == []


def test_three_workload_clusters(three_sim: Simulation) -> None:
    for cluster in ("cluster1", "cluster2", "cluster3"):
        assert three_sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
        assert three_sim.one("KubernetesCluster", cluster="mgmt", name=cluster)
        assert three_sim.one("IstioLifecycleManager", cluster="mgmt", name=f"{cluster}-installation")
    assert set(three_sim.outputs["gatewayEndpoints"]) == {"cluster1", "cluster2", "cluster3"}


def test_management_cluster_as_workload_cluster(shared_mgmt_sim: Simulation) -> None:
    providers = sorted(r.name for r in shared_mgmt_sim.records if r.type == "pulumi:providers:kubernetes")
    assert providers == ["cluster1", "cluster2"]
    # One gloo-mesh namespace on cluster1, holding both the management plane and the agent.
    assert len(shared_mgmt_sim.select("Namespace", cluster="cluster1", name="gloo-mesh")) == 1
    releases = {r.inputs["name"] for r in shared_mgmt_sim.select("kubernetes:helm.sh/v3:Release", cluster="cluster1")}
    assert releases == {"gloo-mesh-enterprise", "gloo-mesh-agent", "gloo-mesh-agent-addons"}
    # The chart made the relay secrets there already: they are copied to cluster2 only.
    copies = [r.cluster for r in shared_mgmt_sim.select("Secret") if r.k8s_name == "relay-root-tls-secret"]
    assert copies == ["cluster2"]
    enterprise = shared_mgmt_sim.one("kubernetes:helm.sh/v3:Release", name="gloo-mesh-enterprise")
    assert enterprise.inputs["values"]["mgmtClusterName"] == "cluster1"


def test_same_config_same_resources_every_run(dev_sim: Simulation) -> None:
    again = simulate(dev_config())

    def fingerprint(sim: Simulation) -> list[tuple]:
        return sorted((r.urn, repr(r.inputs), tuple(r.dependencies), r.parent or "", r.provider or "")
                      for r in sim.records)

    assert fingerprint(again) == fingerprint(dev_sim)
    assert again.outputs == dev_sim.outputs


def test_crd_releases_are_protected_only_when_asked(dev_sim: Simulation) -> None:
    assert not any(r.protect for r in dev_sim.records)
    protected = simulate(dev_config(protectPlatform=True))
    releases = protected.select("kubernetes:helm.sh/v3:Release")
    # The releases that install the Gloo CRDs: the management plane and every agent.
    assert sorted((r.cluster, r.inputs["name"]) for r in releases if r.protect and r.retain_on_delete) == [
        ("cluster1", "gloo-mesh-agent"), ("cluster2", "gloo-mesh-agent"), ("mgmt", "gloo-mesh-enterprise")]


def test_helm_timeout_from_config() -> None:
    sim = simulate(dev_config(helmTimeoutSeconds=1200))
    assert {r.inputs["timeout"] for r in sim.select("kubernetes:helm.sh/v3:Release")} == {1200}


def test_stack_outputs(dev_sim: Simulation) -> None:
    assert dev_sim.outputs["mgmtServerEndpoint"] == "gloo-mesh-mgmt-server.gloo-mesh.mgmt.lb.example:9900"
    assert dev_sim.outputs["gatewayEndpoints"] == {
        c: {"http": f"istio-ingressgateway.istio-gateways.{c}.lb.example:80",
            "https": f"istio-ingressgateway.istio-gateways.{c}.lb.example:443"}
        for c in ("cluster1", "cluster2")}
    assert dev_sim.outputs["workloadClusters"] == ["cluster1", "cluster2"]
    assert dev_sim.outputs["managementCluster"] == "mgmt"
    assert dev_sim.outputs["httpbinCluster"] == "cluster1"
    assert dev_sim.outputs["externalServiceWeight"] == 0
