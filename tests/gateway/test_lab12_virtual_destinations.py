"""Lab 12: the VirtualDestination, the VirtualGateway on every cluster, failover and outlier detection."""

from __future__ import annotations

import pytest

from components.core import shapes
from components.gateway import lab12_virtual_destinations as lab12
from offline.records import Simulation
from tests.support.scenarios import VIRTUAL_DESTINATIONS, stack

# Lab 12 steps 4 and 5.
FAILOVER = {
    "apiVersion": "resilience.policy.gloo.solo.io/v2",
    "kind": "FailoverPolicy",
    "metadata": {"name": "failover", "namespace": "bookinfo-frontends"},
    "spec": {
        "applyToDestinations": [{"kind": "VIRTUAL_DESTINATION", "selector": {"labels": {"failover": "true"}}}],
        "config": {"localityMappings": []},
    },
}
OUTLIER_DETECTION = {
    "apiVersion": "resilience.policy.gloo.solo.io/v2",
    "kind": "OutlierDetectionPolicy",
    "metadata": {"name": "outlier-detection", "namespace": "bookinfo-frontends"},
    "spec": {
        "applyToDestinations": [{"kind": "VIRTUAL_DESTINATION", "selector": {"labels": {"failover": "true"}}}],
        "config": {"consecutiveErrors": 2, "interval": "5s", "baseEjectionTime": "30s", "maxEjectionPercent": 100},
    },
}
VD_SPEC = {
    "hosts": ["productpage.global"],
    "services": [{"namespace": "bookinfo-frontends", "labels": {"app": "productpage"}}],
    "ports": [{"number": 9080, "protocol": "HTTP"}],
}


@pytest.fixture(scope="module")
def vd() -> Simulation:
    return stack(VIRTUAL_DESTINATIONS)


@pytest.fixture(scope="module")
def failover() -> Simulation:
    return stack([*VIRTUAL_DESTINATIONS, "failover"])


def test_failover_policy_is_lab12_step4() -> None:
    assert lab12.failover_policy() == FAILOVER


def test_outlier_detection_policy_is_lab12_step5() -> None:
    assert lab12.outlier_detection_policy() == OUTLIER_DETECTION


def test_policies_select_the_plan_label() -> None:
    for manifest in (lab12.failover_policy(), lab12.outlier_detection_policy()):
        assert manifest["spec"]["applyToDestinations"][0]["selector"]["labels"] == shapes.FAILOVER_DESTINATION_LABEL


def test_virtual_destination_is_lab12_step2_on_cluster1(vd: Simulation) -> None:
    record = vd.one("VirtualDestination", cluster="cluster1", name="productpage", namespace="bookinfo-frontends")
    assert record.labels == {"expose": "true"}
    assert record.spec == VD_SPEC
    assert record.inputs["apiVersion"] == "networking.gloo.solo.io/v2"


def test_virtual_gateway_selects_every_cluster_as_lab12_step1(vd: Simulation) -> None:
    assert vd.one("VirtualGateway").spec["workloads"] == [{"selector": {"labels": {"istio": "ingressgateway"}}}]


def test_productpage_route_goes_to_the_virtual_destination_as_lab12_step3(vd: Simulation) -> None:
    route = vd.one("RouteTable", name="productpage").spec["http"][0]
    assert route["forwardTo"]["destinations"] == [
        {"ref": {"name": "productpage", "namespace": "bookinfo-frontends"}, "kind": "VIRTUAL_DESTINATION",
         "port": {"number": 9080}}]


def test_productpage_urls_on_every_cluster(vd: Simulation) -> None:
    assert vd.outputs["productpageUrls"] == {
        "cluster1": "https://istio-ingressgateway.istio-gateways.cluster1.lb.example:443/productpage",
        "cluster2": "https://istio-ingressgateway.istio-gateways.cluster2.lb.example:443/productpage",
    }


def test_productpage_urls_on_every_cluster_of_three() -> None:
    sim = stack(VIRTUAL_DESTINATIONS, workloadClusters=["cluster1", "cluster2", "cluster3"])
    assert sorted(sim.outputs["productpageUrls"]) == ["cluster1", "cluster2", "cluster3"]
    assert sorted(r.cluster for r in sim.select("Secret", name="tls-secret")) == ["cluster1", "cluster2", "cluster3"]


def test_without_failover_no_policies_and_no_label(vd: Simulation) -> None:
    assert vd.select("FailoverPolicy") == []
    assert vd.select("OutlierDetectionPolicy") == []
    assert vd.one("VirtualDestination").labels == {"expose": "true"}


def test_failover_labels_the_virtual_destination_as_lab12_step6(failover: Simulation) -> None:
    record = failover.one("VirtualDestination")
    assert record.labels == {"expose": "true", "failover": "true"}
    assert record.spec == VD_SPEC


@pytest.mark.parametrize("expected", [FAILOVER, OUTLIER_DETECTION], ids=["failover", "outlier-detection"])
def test_failover_policies_on_cluster1(failover: Simulation, expected: dict) -> None:
    record = failover.one(expected["kind"], cluster="cluster1", name=expected["metadata"]["name"],
                          namespace="bookinfo-frontends")
    assert record.spec == expected["spec"]
    assert failover.depends_on(record, failover.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"))
    assert not failover.depends_on(record, failover.one("kubernetes:helm.sh/v3:Release", cluster="cluster2", name="gloo-mesh-agent"))


def test_virtual_destination_waits_for_the_cluster1_agent(vd: Simulation) -> None:
    record = vd.one("VirtualDestination")
    assert vd.depends_on(record, vd.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"))
    assert not vd.depends_on(record, vd.one("kubernetes:helm.sh/v3:Release", cluster="cluster2", name="gloo-mesh-agent"))


def test_off_is_the_lab_revert() -> None:
    sim = stack(["gateway", "gateway-tls", "root-trust"])
    assert sim.select("VirtualDestination") == []
    # the lab's RouteTable before lab 12: the productpage Service, no kind (a SERVICE)
    assert sim.one("RouteTable", name="productpage").spec["http"][0]["forwardTo"]["destinations"] == [
        {"ref": {"name": "productpage", "namespace": "bookinfo-frontends"}, "port": {"number": 9080}}]
    assert sim.one("VirtualGateway").spec["workloads"][0]["selector"]["cluster"] == "cluster1"
