"""The composed shapes of the objects several labs contribute to (shapes.py), against the workshop's manifests."""

from __future__ import annotations

import copy

import pytest

from components.core import shapes
from tests.support.scenarios import settings, with_features

BASE = settings()

# Lab 9 step 1 (the HTTP VirtualGateway).
LAB09_VIRTUAL_GATEWAY = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "VirtualGateway",
    "metadata": {"name": "north-south-gw", "namespace": "istio-gateways"},
    "spec": {
        "workloads": [{"selector": {"labels": {"istio": "ingressgateway"}, "cluster": "cluster1"}}],
        "listeners": [{"http": {}, "port": {"number": 80}, "allowedRouteTables": [{"host": "*"}]}],
    },
}
# Lab 9 step 6 (the TLS VirtualGateway).
LAB09_TLS_LISTENERS = [
    {"http": {}, "port": {"number": 80}, "httpsRedirect": True},
    {"http": {}, "port": {"number": 443}, "tls": {"mode": "SIMPLE", "secretName": "tls-secret"},
     "allowedRouteTables": [{"host": "*"}]},
]
# Lab 12 step 1 (no cluster in the selector).
LAB12_WORKLOADS = [{"selector": {"labels": {"istio": "ingressgateway"}}}]

# Lab 9 step 2.
LAB09_MAIN = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "RouteTable",
    "metadata": {"name": "main", "namespace": "istio-gateways"},
    "spec": {
        "hosts": ["*"],
        "virtualGateways": [{"name": "north-south-gw", "namespace": "istio-gateways", "cluster": "cluster1"}],
        "workloadSelectors": [],
        "http": [{
            "name": "root",
            "matchers": [{"uri": {"prefix": "/"}}],
            "delegate": {"routeTables": [{"labels": {"expose": "true"}}]},
        }],
    },
}
# Lab 21 step 2: the main route with the waf label.
LAB21_ROOT_ROUTE = {
    "name": "root",
    "labels": {"waf": "true"},
    "matchers": [{"uri": {"prefix": "/"}}],
    "delegate": {"routeTables": [{"labels": {"expose": "true"}}]},
}

PRODUCTPAGE_MATCHERS = [
    {"uri": {"exact": "/productpage"}},
    {"uri": {"prefix": "/static"}},
    {"uri": {"exact": "/login"}},
    {"uri": {"exact": "/logout"}},
    {"uri": {"prefix": "/api/v1/products"}},
]
# Lab 9 step 3 (identical to lab 12 step 11, the revert).
LAB09_PRODUCTPAGE = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "RouteTable",
    "metadata": {"name": "productpage", "namespace": "bookinfo-frontends", "labels": {"expose": "true"}},
    "spec": {"http": [{
        "name": "productpage",
        "matchers": PRODUCTPAGE_MATCHERS,
        "forwardTo": {"destinations": [
            {"ref": {"name": "productpage", "namespace": "bookinfo-frontends"}, "port": {"number": 9080}},
        ]},
    }]},
}
# Lab 12 step 3.
LAB12_PRODUCTPAGE_DESTINATIONS = [
    {"ref": {"name": "productpage", "namespace": "bookinfo-frontends"}, "kind": "VIRTUAL_DESTINATION",
     "port": {"number": 9080}},
]
# Lab 12 step 2 (step 6 adds the failover label).
LAB12_VIRTUAL_DESTINATION = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "VirtualDestination",
    "metadata": {"name": "productpage", "namespace": "bookinfo-frontends", "labels": {"expose": "true"}},
    "spec": {
        "hosts": ["productpage.global"],
        "services": [{"namespace": "bookinfo-frontends", "labels": {"app": "productpage"}}],
        "ports": [{"number": 9080, "protocol": "HTTP"}],
    },
}

EXTERNAL = {"kind": "EXTERNAL_SERVICE", "port": {"number": 443}, "ref": {"name": "httpbin", "namespace": "httpbin"}}
IN_MESH = {"ref": {"name": "in-mesh", "namespace": "httpbin"}, "port": {"number": 8000}}


def httpbin_route_table(route: dict) -> dict:
    return {
        "apiVersion": "networking.gloo.solo.io/v2",
        "kind": "RouteTable",
        "metadata": {"name": "httpbin", "namespace": "httpbin", "labels": {"expose": "true"}},
        "spec": {"http": [route]},
    }


# Lab 15 steps 2, 3, 4.
LAB15_STEP2 = httpbin_route_table({"name": "httpbin", "matchers": [{"uri": {"exact": "/get"}}],
                                   "forwardTo": {"destinations": [EXTERNAL]}})
LAB15_STEP3 = httpbin_route_table({"name": "httpbin", "matchers": [{"uri": {"exact": "/get"}}],
                                   "forwardTo": {"destinations": [{**EXTERNAL, "weight": 50},
                                                                  {**IN_MESH, "weight": 50}]}})
LAB15_STEP4 = httpbin_route_table({"name": "httpbin", "matchers": [{"uri": {"exact": "/get"}}],
                                   "forwardTo": {"destinations": [IN_MESH]}})
# Lab 17 step 4.
LAB17_STEP4 = httpbin_route_table({
    "name": "httpbin",
    "labels": {"oauth": "true"},
    "matchers": [{"uri": {"exact": "/get"}}, {"uri": {"exact": "/logout"}}, {"uri": {"prefix": "/callback"}}],
    "forwardTo": {"destinations": [IN_MESH]},
})


# VirtualGateway -------------------------------------------------------------------------------
def test_virtual_gateway_with_gateway_alone_is_lab09_step1() -> None:
    assert shapes.virtual_gateway(with_features(BASE, "gateway")) == LAB09_VIRTUAL_GATEWAY


def test_virtual_gateway_with_tls_redirects_80_and_terminates_443_as_lab09_step6() -> None:
    manifest = shapes.virtual_gateway(with_features(BASE, "gateway", "gateway-tls"))
    assert manifest["spec"]["listeners"] == LAB09_TLS_LISTENERS
    assert manifest["spec"]["workloads"] == LAB09_VIRTUAL_GATEWAY["spec"]["workloads"]


def test_virtual_gateway_with_virtual_destinations_selects_every_cluster_as_lab12_step1() -> None:
    manifest = shapes.virtual_gateway(with_features(BASE, "gateway", "gateway-tls", "root-trust",
                                                  "virtual-destinations"))
    assert manifest["spec"] == {"workloads": LAB12_WORKLOADS, "listeners": LAB09_TLS_LISTENERS}


def test_virtual_gateway_selects_the_first_workload_cluster() -> None:
    s = with_features(settings(workloadClusters=["east", "west"]), "gateway")
    assert shapes.virtual_gateway(s)["spec"]["workloads"][0]["selector"]["cluster"] == "east"


@pytest.mark.parametrize("features, clusters", [
    (("gateway",), ("cluster1",)),
    (("gateway", "gateway-tls"), ("cluster1",)),
    (("gateway", "gateway-tls", "root-trust", "virtual-destinations"), ("cluster1", "cluster2")),
])
def test_gateway_clusters_follow_the_selector(features: tuple[str, ...], clusters: tuple[str, ...]) -> None:
    assert shapes.gateway_clusters(with_features(BASE, *features)) == clusters


# main RouteTable ------------------------------------------------------------------------------
def test_main_route_table_is_lab09_step2() -> None:
    assert shapes.main_route_table(with_features(BASE, "gateway")) == LAB09_MAIN


def test_main_route_table_with_waf_has_the_lab21_route() -> None:
    manifest = shapes.main_route_table(with_features(BASE, "gateway", "waf"))
    assert manifest["spec"]["http"] == [LAB21_ROOT_ROUTE]
    assert list(manifest["spec"]["http"][0]) == ["name", "labels", "matchers", "delegate"]
    assert manifest["spec"]["http"][0]["labels"] == shapes.WAF_ROUTE_LABEL


def test_main_route_table_binds_to_the_gateway_on_the_config_cluster() -> None:
    s = with_features(settings(configCluster="cluster2"), "gateway")
    assert shapes.main_route_table(s)["spec"]["virtualGateways"] == [
        {"name": "north-south-gw", "namespace": "istio-gateways", "cluster": "cluster2"}]


# productpage RouteTable and VirtualDestination --------------------------------------------------
def test_productpage_route_table_is_lab09_step3() -> None:
    assert shapes.productpage_route_table(with_features(BASE, "gateway")) == LAB09_PRODUCTPAGE


def test_productpage_route_goes_to_the_virtual_destination_as_lab12_step3() -> None:
    manifest = shapes.productpage_route_table(with_features(BASE, "gateway", "gateway-tls", "root-trust",
                                                          "virtual-destinations"))
    route = manifest["spec"]["http"][0]
    assert route["forwardTo"]["destinations"] == LAB12_PRODUCTPAGE_DESTINATIONS
    assert route["matchers"] == PRODUCTPAGE_MATCHERS
    assert manifest["metadata"] == LAB09_PRODUCTPAGE["metadata"]


def test_productpage_route_tables_do_not_share_matchers() -> None:
    first = shapes.productpage_route_table(BASE)
    first["spec"]["http"][0]["matchers"][0]["uri"]["exact"] = "/changed"
    assert shapes.productpage_route_table(BASE)["spec"]["http"][0]["matchers"] == PRODUCTPAGE_MATCHERS


def test_no_virtual_destination_without_the_feature() -> None:
    assert shapes.virtual_destination(with_features(BASE, "gateway", "gateway-tls", "root-trust")) is None


def test_virtual_destination_is_lab12_step2() -> None:
    s = with_features(BASE, "gateway", "gateway-tls", "root-trust", "virtual-destinations")
    assert shapes.virtual_destination(s) == LAB12_VIRTUAL_DESTINATION


def test_failover_adds_the_failover_label_as_lab12_step6() -> None:
    s = with_features(BASE, "gateway", "gateway-tls", "root-trust", "virtual-destinations", "failover")
    expected = copy.deepcopy(LAB12_VIRTUAL_DESTINATION)
    expected["metadata"]["labels"] = {"expose": "true", "failover": "true"}
    assert shapes.virtual_destination(s) == expected


# httpbin RouteTable -----------------------------------------------------------------------------
EXTERNAL_FEATURES = ("gateway", "gateway-tls", "httpbin-workspace", "external-service")
OAUTH_FEATURES = ("gateway", "gateway-tls", "httpbin-workspace", "keycloak", "oauth")


def test_no_httpbin_route_table_without_external_service_or_oauth() -> None:
    s = with_features(BASE, "gateway", "gateway-tls", "httpbin-workspace")
    assert shapes.httpbin_route_table(s) is None
    assert not shapes.has_httpbin_route(s)


@pytest.mark.parametrize("weight, expected", [(100, LAB15_STEP2), (50, LAB15_STEP3), (0, LAB15_STEP4)])
def test_httpbin_route_table_follows_the_external_weight(weight: int, expected: dict) -> None:
    s = with_features(settings(externalServiceWeight=weight), *EXTERNAL_FEATURES)
    assert shapes.httpbin_route_table(s) == expected


def test_httpbin_route_table_splits_other_weights() -> None:
    s = with_features(settings(externalServiceWeight=30), *EXTERNAL_FEATURES)
    destinations = shapes.httpbin_route_table(s)["spec"]["http"][0]["forwardTo"]["destinations"]
    assert [(d.get("kind"), d["weight"]) for d in destinations] == [("EXTERNAL_SERVICE", 30), (None, 70)]


def test_full_external_weight_has_no_weight_field() -> None:
    s = with_features(settings(externalServiceWeight=100), *EXTERNAL_FEATURES)
    destinations = shapes.httpbin_route_table(s)["spec"]["http"][0]["forwardTo"]["destinations"]
    assert all("weight" not in d for d in destinations)


def test_oauth_alone_is_lab17_step4() -> None:
    assert shapes.httpbin_route_table(with_features(BASE, *OAUTH_FEATURES)) == LAB17_STEP4


def test_oauth_route_keeps_the_workshop_key_order() -> None:
    route = shapes.httpbin_route_table(with_features(BASE, *OAUTH_FEATURES))["spec"]["http"][0]
    assert list(route) == ["name", "labels", "matchers", "forwardTo"]


def test_oauth_and_rate_limit_label_the_route_with_both_contracts() -> None:
    s = with_features(BASE, *OAUTH_FEATURES, "opa", "jwt", "transformation", "rate-limit")
    route = shapes.httpbin_route_table(s)["spec"]["http"][0]
    assert route["labels"] == {**shapes.OAUTH_ROUTE_LABEL, **shapes.RATELIMITED_ROUTE_LABEL}
    assert route["labels"] == {"oauth": "true", "ratelimited": "true"}  # lab 20 step 5


def test_oauth_with_external_service_keeps_the_oauth_matchers_and_the_weighted_destinations() -> None:
    s = with_features(settings(externalServiceWeight=50), *OAUTH_FEATURES, "external-service")
    route = shapes.httpbin_route_table(s)["spec"]["http"][0]
    assert route["matchers"] == LAB17_STEP4["spec"]["http"][0]["matchers"]
    assert route["forwardTo"] == LAB15_STEP3["spec"]["http"][0]["forwardTo"]
    assert route["labels"] == {"oauth": "true"}


def test_oauth_without_external_service_goes_to_the_in_mesh_service_whatever_the_weight() -> None:
    s = with_features(settings(externalServiceWeight=100), *OAUTH_FEATURES)
    assert shapes.httpbin_route_table(s)["spec"]["http"][0]["forwardTo"]["destinations"] == [IN_MESH]


def test_in_mesh_destination_is_local_to_the_route_on_the_httpbin_cluster() -> None:
    # The httpbin route is applied on the httpbin cluster with its workspace, so the in-mesh
    # service is referenced without a cluster, wherever httpbin runs.
    s = with_features(settings(httpbinCluster="cluster2"), *EXTERNAL_FEATURES)
    [destination] = shapes.httpbin_route_table(s)["spec"]["http"][0]["forwardTo"]["destinations"]
    assert destination["ref"] == {"name": "in-mesh", "namespace": "httpbin"}
