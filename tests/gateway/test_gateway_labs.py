"""Invariants over a stack with every gateway lab on: selectors match, objects land where the workshop puts them."""

from __future__ import annotations

import pytest

from offline.records import Record, Simulation
from tests.support.scenarios import ALL_GATEWAY_LABS, stack
from tests.support.simulation import LICENSE

GLOO_GROUP = ".gloo.solo.io/"
POLICY_KINDS = ("FaultInjectionPolicy", "RetryTimeoutPolicy", "FailoverPolicy", "OutlierDetectionPolicy")


@pytest.fixture(scope="module")
def full() -> Simulation:
    return stack(ALL_GATEWAY_LABS, externalServiceWeight=50, autoRestartPods=True)


def gloo_objects(sim: Simulation) -> list[Record]:
    return [r for r in sim.select() if GLOO_GROUP in str(r.inputs.get("apiVersion", ""))]


def mine(sim: Simulation) -> list[Record]:
    """The Gloo objects the gateway labs declare (not the platform's lifecycle managers and registrations)."""
    return [r for r in gloo_objects(sim) if r.kind not in ("KubernetesCluster", "Workspace", "WorkspaceSettings",
                                                          "IstioLifecycleManager", "GatewayLifecycleManager")]


def covers(labels: dict[str, str], selector: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def routes(sim: Simulation) -> list[dict]:
    return [route for rt in sim.select("RouteTable") for route in rt.spec.get("http", [])]


def test_every_lab_object_is_declared(full: Simulation) -> None:
    assert sorted((r.kind, r.namespace, r.k8s_name) for r in mine(full)) == [
        ("ExternalService", "httpbin", "httpbin"),
        ("FailoverPolicy", "bookinfo-frontends", "failover"),
        ("FaultInjectionPolicy", "bookinfo-backends", "ratings-fault-injection"),
        ("OutlierDetectionPolicy", "bookinfo-frontends", "outlier-detection"),
        ("RetryTimeoutPolicy", "bookinfo-backends", "reviews-request-timeout"),
        ("RootTrustPolicy", "gloo-mesh", "root-trust-policy"),
        ("RouteTable", "bookinfo-backends", "ratings"),
        ("RouteTable", "bookinfo-backends", "reviews"),
        ("RouteTable", "bookinfo-frontends", "productpage"),
        ("RouteTable", "httpbin", "httpbin"),
        ("RouteTable", "istio-gateways", "main"),
        ("VirtualDestination", "bookinfo-frontends", "productpage"),
        ("VirtualGateway", "istio-gateways", "north-south-gw"),
    ]


def test_route_selectors_match_a_route(full: Simulation) -> None:
    policies = [p for kind in POLICY_KINDS for p in full.select(kind) if "applyToRoutes" in p.spec]
    assert {p.kind for p in policies} == {"FaultInjectionPolicy", "RetryTimeoutPolicy"}
    for policy in policies:
        for target in policy.spec["applyToRoutes"]:
            selector = target["route"]["labels"]
            assert any(covers(r.get("labels", {}), selector) for r in routes(full)), (policy.k8s_name, selector)


def test_destination_selectors_match_a_destination(full: Simulation) -> None:
    policies = [p for kind in POLICY_KINDS for p in full.select(kind) if "applyToDestinations" in p.spec]
    assert {p.kind for p in policies} == {"FailoverPolicy", "OutlierDetectionPolicy"}
    for policy in policies:
        for target in policy.spec["applyToDestinations"]:
            assert target["kind"] == "VIRTUAL_DESTINATION"
            selector = target["selector"]["labels"]
            assert any(covers(vd.labels, selector) for vd in full.select("VirtualDestination")), policy.k8s_name


def test_delegation_reaches_every_exposed_route_table(full: Simulation) -> None:
    [main] = full.select("RouteTable", name="main")
    [selector] = [d["labels"] for r in main.spec["http"] for d in r["delegate"]["routeTables"]]
    delegated = {r.k8s_name for r in full.select("RouteTable") if covers(r.labels, selector)}
    assert delegated == {"productpage", "httpbin"}


def test_main_route_table_binds_to_the_declared_virtual_gateway(full: Simulation) -> None:
    [ref] = full.one("RouteTable", name="main").spec["virtualGateways"]
    vg = full.one("VirtualGateway")
    assert (ref["name"], ref["namespace"], ref["cluster"]) == (vg.k8s_name, vg.namespace, vg.cluster)


def test_virtual_gateway_selects_the_ingress_gateways_the_lifecycle_managers_deploy(full: Simulation) -> None:
    [workload] = full.one("VirtualGateway").spec["workloads"]
    ingress = [g for g in full.select("GatewayLifecycleManager") if g.k8s_name.endswith("-ingress")]
    assert len(ingress) == 2
    for manager in ingress:
        [gateway] = manager.spec["installations"][0]["istioOperatorSpec"]["components"]["ingressGateways"]
        assert covers(gateway["label"], workload["selector"]["labels"])
    # on every workload cluster: no cluster in the selector
    assert workload == {"selector": {"labels": {"istio": "ingressgateway"}}}


def test_tls_listener_secret_exists_on_every_selected_cluster(full: Simulation) -> None:
    [tls_listener] = [li for li in full.one("VirtualGateway").spec["listeners"] if "tls" in li]
    name = tls_listener["tls"]["secretName"]
    assert sorted(r.cluster for r in full.select("Secret", name=name, namespace="istio-gateways")) == [
        "cluster1", "cluster2"]


def test_route_destinations_exist(full: Simulation) -> None:
    external = full.one("RouteTable", name="httpbin").spec["http"][0]["forwardTo"]["destinations"][0]
    assert external["kind"] == "EXTERNAL_SERVICE"
    es = full.one("ExternalService")
    assert (external["ref"]["name"], external["ref"]["namespace"]) == (es.k8s_name, es.namespace)
    assert external["port"]["number"] in [p["number"] for p in es.spec["ports"]]
    to_vd = full.one("RouteTable", name="productpage").spec["http"][0]["forwardTo"]["destinations"][0]
    vd = full.one("VirtualDestination")
    assert (to_vd["ref"]["name"], to_vd["ref"]["namespace"]) == (vd.k8s_name, vd.namespace)
    assert to_vd["port"]["number"] in [p["number"] for p in vd.spec["ports"]]


def test_objects_land_on_the_workshop_clusters(full: Simulation) -> None:
    for record in mine(full):
        expected = "mgmt" if record.kind == "RootTrustPolicy" else "cluster1"
        assert record.cluster == expected, (record.kind, record.k8s_name)


def test_every_object_waits_for_the_release_that_installs_its_crds_on_its_cluster(full: Simulation) -> None:
    releases = {r.cluster: r for r in full.select("kubernetes:helm.sh/v3:Release")
                if r.k8s_name in ("gloo-mesh-agent", "gloo-mesh-enterprise")}
    for record in mine(full):
        own = releases[record.cluster]
        assert own.urn in record.dependencies, (record.kind, record.k8s_name)
        others = {r.urn for c, r in releases.items() if c != record.cluster}
        assert not others & set(record.dependencies), (record.kind, record.k8s_name)


def test_only_the_all_cluster_gateway_reaches_across_workload_clusters(full: Simulation) -> None:
    crossing = set()
    for record in mine(full) + full.select("Secret", name="tls-secret"):
        for dep in map(full.by_urn, record.dependencies):
            if dep.cluster is not None and dep.cluster != record.cluster:
                crossing.add((record.kind, record.cluster, dep.kind, dep.cluster))
    assert crossing == {("VirtualGateway", "cluster1", "Secret", "cluster2")}


def test_outputs(full: Simulation) -> None:
    assert full.outputs["productpageUrls"] == {
        "cluster1": "https://istio-ingressgateway.istio-gateways.cluster1.lb.example:443/productpage",
        "cluster2": "https://istio-ingressgateway.istio-gateways.cluster2.lb.example:443/productpage",
    }
    assert full.outputs["httpbinUrl"] == "https://istio-ingressgateway.istio-gateways.cluster1.lb.example:443/get"


def test_root_trust_auto_restarts_pods_as_the_workshop_stack_sets(full: Simulation) -> None:
    assert full.one("RootTrustPolicy").spec["config"]["autoRestartPods"] is True


def test_management_cluster_as_workload_cluster_declares_each_object_once() -> None:
    sim = stack(ALL_GATEWAY_LABS, mgmtCluster="cluster1", workloadClusters=["cluster1", "cluster2"])
    keys = [(r.type, r.cluster, r.namespace, r.k8s_name) for r in sim.select()]
    assert len(keys) == len(set(keys))
    assert sorted(r.cluster for r in sim.select("Secret", name="tls-secret")) == ["cluster1", "cluster2"]
    assert sim.one("RootTrustPolicy").cluster == "cluster1"


def test_preview_of_a_fresh_stack_evaluates() -> None:
    from offline.records import UNKNOWN
    from offline.runtime import simulate

    sim = simulate({"licenseKey": LICENSE, "features": ALL_GATEWAY_LABS}, preview=True)
    assert sim.one("VirtualGateway").cluster == "cluster1"
    assert set(sim.outputs["productpageUrls"]) == {"cluster1", "cluster2"}
    assert all(v is UNKNOWN or isinstance(v, str) for v in sim.outputs["productpageUrls"].values())


def test_simulation_is_deterministic(full: Simulation) -> None:
    from offline.runtime import simulate
    from tests.support import memo

    with memo.disabled():
        fresh = simulate({"licenseKey": LICENSE, "features": ALL_GATEWAY_LABS,
                          "externalServiceWeight": 50, "autoRestartPods": True})
    # Registration order varies with the event loop; what is declared does not.
    assert sorted((r.urn, repr(r.inputs), r.dependencies) for r in fresh.records) \
        == sorted((r.urn, repr(r.inputs), r.dependencies) for r in full.records)
    assert fresh.outputs == full.outputs
