"""Lab 15: the ExternalService for httpbin.org and the httpbin route by external weight."""

from __future__ import annotations

import pytest

from components.gateway import lab15_external_service as lab15
from offline.records import Simulation
from tests.support.scenarios import stack

EXTERNAL_FEATURES = ["gateway", "gateway-tls", "httpbin-workspace", "external-service"]

# Lab 15 step 1.
LAB15_STEP1 = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "ExternalService",
    "metadata": {"name": "httpbin", "namespace": "httpbin", "labels": {"expose": "true"}},
    "spec": {
        "hosts": ["httpbin.org"],
        "ports": [
            {"name": "http", "number": 80, "protocol": "HTTP"},
            {"name": "https", "number": 443, "protocol": "HTTPS", "clientsideTls": {}},
        ],
    },
}
EXTERNAL = {"kind": "EXTERNAL_SERVICE", "port": {"number": 443}, "ref": {"name": "httpbin", "namespace": "httpbin"}}
IN_MESH = {"ref": {"name": "in-mesh", "namespace": "httpbin"}, "port": {"number": 8000}}


@pytest.fixture(scope="module")
def default() -> Simulation:
    return stack(EXTERNAL_FEATURES)


def test_external_service_manifest_is_lab15_step1() -> None:
    assert lab15.external_service() == LAB15_STEP1


def test_external_service_on_cluster1(default: Simulation) -> None:
    record = default.one("ExternalService", cluster="cluster1", name="httpbin", namespace="httpbin")
    assert record.labels == {"expose": "true"}
    assert record.spec == LAB15_STEP1["spec"]
    assert default.depends_on(record, default.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"))
    assert not default.depends_on(record, default.one("kubernetes:helm.sh/v3:Release", cluster="cluster2", name="gloo-mesh-agent"))


@pytest.mark.parametrize("weight, destinations", [
    (100, [EXTERNAL]),  # lab 15 step 2
    (50, [{**EXTERNAL, "weight": 50}, {**IN_MESH, "weight": 50}]),  # step 3
    (0, [IN_MESH]),  # step 4
])
def test_httpbin_route_table_by_weight(weight: int, destinations: list) -> None:
    sim = stack(EXTERNAL_FEATURES, externalServiceWeight=weight)
    record = sim.one("RouteTable", cluster="cluster1", name="httpbin", namespace="httpbin")
    assert record.labels == {"expose": "true"}
    assert record.spec == {"http": [{"name": "httpbin", "matchers": [{"uri": {"exact": "/get"}}],
                                     "forwardTo": {"destinations": destinations}}]}
    assert sim.depends_on(record, sim.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"))


def test_default_weight_is_zero_so_all_in_mesh(default: Simulation) -> None:
    route = default.one("RouteTable", name="httpbin").spec["http"][0]
    assert route["forwardTo"]["destinations"] == [IN_MESH]


def test_httpbin_url(default: Simulation) -> None:
    assert default.outputs["httpbinUrl"] == "https://istio-ingressgateway.istio-gateways.cluster1.lb.example:443/get"


def test_off_declares_neither() -> None:
    sim = stack(["gateway", "gateway-tls", "httpbin-workspace"])
    assert sim.select("ExternalService") == []
    assert sim.select("RouteTable", name="httpbin") == []
    assert "httpbinUrl" not in sim.outputs
