"""Lab 11: the RootTrustPolicy on the management cluster."""

from __future__ import annotations

import pytest

from components.gateway import lab11_root_trust as lab11
from offline.records import Simulation
from tests.support.scenarios import stack

# Lab 11 step 1 (the workshop's autoRestartPods: true).
LAB11_STEP1 = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "RootTrustPolicy",
    "metadata": {"name": "root-trust-policy", "namespace": "gloo-mesh"},
    "spec": {"config": {"mgmtServerCa": {"generated": {}}, "autoRestartPods": True}},
}


@pytest.fixture(scope="module")
def workshop() -> Simulation:
    return stack(["root-trust"], autoRestartPods=True)


def test_manifest_is_lab11_step1() -> None:
    assert lab11.root_trust_policy(True) == LAB11_STEP1


def test_declared_on_the_management_cluster(workshop: Simulation) -> None:
    policy = workshop.one("RootTrustPolicy")
    assert policy.cluster == "mgmt"
    assert (policy.k8s_name, policy.namespace) == ("root-trust-policy", "gloo-mesh")
    assert policy.inputs["apiVersion"] == "admin.gloo.solo.io/v2"
    assert policy.spec == LAB11_STEP1["spec"]


def test_auto_restart_pods_follows_config() -> None:
    assert stack(["root-trust"]).one("RootTrustPolicy").spec["config"] == {
        "mgmtServerCa": {"generated": {}}, "autoRestartPods": False}


def test_waits_for_the_enterprise_release_only(workshop: Simulation) -> None:
    policy = workshop.one("RootTrustPolicy")
    release = workshop.one("kubernetes:helm.sh/v3:Release", cluster="mgmt")
    assert workshop.depends_on(policy, release)
    # The enterprise release and the gloo-mesh namespace on mgmt, nothing on a workload cluster.
    assert {workshop.by_urn(d).cluster for d in policy.dependencies} == {"mgmt"}
    for agent in workshop.select("kubernetes:helm.sh/v3:Release", cluster="cluster1") + \
            workshop.select("kubernetes:helm.sh/v3:Release", cluster="cluster2"):
        assert not workshop.depends_on(policy, agent)


def test_on_a_management_cluster_that_is_also_a_workload_cluster() -> None:
    sim = stack(["root-trust"], mgmtCluster="cluster1", workloadClusters=["cluster1", "cluster2"])
    policy = sim.one("RootTrustPolicy")
    assert policy.cluster == "cluster1"
    enterprise = sim.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-enterprise")
    assert enterprise.urn in policy.dependencies


def test_off_declares_none() -> None:
    assert stack([]).select("RootTrustPolicy") == []
