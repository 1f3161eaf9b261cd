"""The feature plan: how the enabled labs shape objects that more than one lab contributes to.

Pure Python, no Pulumi. A lab never patches another lab's resource; where two labs shape one
object (the httpbin RouteTable, the main RouteTable, the VirtualGateway, the productpage route,
the VirtualDestination, the bookinfo WorkspaceSettings) the functions here compute its final shape
from the settings and one component emits it once.

The route and destination labels below are the contract between a policy's selector and the
route or destination it selects: both sides import them from here.
"""

from __future__ import annotations

import copy
from typing import Any

from . import crds
from .config import Settings
from .constants import (
    BOOKINFO_FRONTENDS_NS,
    BOOKINFO_PORT,
    EXPOSE_LABEL,
    GATEWAY_TLS_SECRET,
    HTTP_PORT,
    HTTPBIN_EXTERNAL_SERVICE,
    HTTPBIN_GET_PATH,
    HTTPBIN_NS,
    HTTPBIN_PORT,
    HTTPS_PORT,
    IN_MESH_APP,
    INGRESS_GATEWAY_LABEL,
    ISTIO_GATEWAYS_NS,
    NORTH_SOUTH_GATEWAY,
    OAUTH_CALLBACK_PATH,
    OAUTH_LOGOUT_PATH,
    PRODUCTPAGE_APP,
    TRUE,
)

# Route labels a policy selects (applyToRoutes) --------------------------------------------------
FAULT_INJECTION_ROUTE_LABEL = {"fault_injection": TRUE}  # lab 10
REQUEST_TIMEOUT_ROUTE_LABEL = {"request_timeout": "0.5s"}  # lab 10
OAUTH_ROUTE_LABEL = {"oauth": TRUE}  # lab 17 (ExtAuthPolicy; the JWT, transformation policies too)
RATELIMITED_ROUTE_LABEL = {"ratelimited": TRUE}  # lab 20
WAF_ROUTE_LABEL = {"waf": TRUE}  # lab 21

# Destination labels a policy selects (applyToDestinations) --------------------------------------
FAILOVER_DESTINATION_LABEL = {"failover": TRUE}  # lab 12


# Composition ------------------------------------------------------------------------------------
# Each function returns the final manifest of one object several labs shape (or None when no enabled
# lab declares it). Exactly one component emits each.

ALL_HOSTS = "*"
ROOT_ROUTE = "root"
PRODUCTPAGE_MATCHERS: tuple[dict[str, Any], ...] = (
    {"uri": {"exact": "/productpage"}},
    {"uri": {"prefix": "/static"}},
    {"uri": {"exact": "/login"}},
    {"uri": {"exact": "/logout"}},
    {"uri": {"prefix": "/api/v1/products"}},
)
HTTPBIN_ROUTE = "httpbin"
HTTPBIN_GET_MATCHER = {"uri": {"exact": HTTPBIN_GET_PATH}}
OAUTH_MATCHERS: tuple[dict[str, Any], ...] = (
    {"uri": {"exact": OAUTH_LOGOUT_PATH}}, {"uri": {"prefix": OAUTH_CALLBACK_PATH}})
PRODUCTPAGE_GLOBAL_HOST = "productpage.global"


def gateway_clusters(settings: Settings) -> tuple[str, ...]:
    """The workload clusters whose ingress gateway the VirtualGateway selects, so serve the routes.

    Lab 9 selects the first workload cluster's gateway (workshop: cluster1); lab 12 drops the cluster
    from the selector, so every workload cluster's gateway serves them.
    """
    if settings.has("virtual-destinations"):
        return tuple(c.name for c in settings.workload_clusters)
    return (settings.first_workload.name,)


def entry_gateway_cluster(settings: Settings) -> str:
    """The workload cluster whose gateway users are sent to (the workshop's GW1): OIDC redirects,
    the app URL of the OAuth flow and the httpbin URL use its address."""
    return gateway_clusters(settings)[0]


def virtual_gateway(settings: Settings) -> dict[str, Any]:
    """VirtualGateway `north-south-gw`: lab 9 (HTTP 80), lab 9 TLS (80 redirects, 443 SIMPLE), lab 12 (all clusters)."""
    selector: dict[str, Any] = {"labels": dict(INGRESS_GATEWAY_LABEL)}
    if not settings.has("virtual-destinations"):
        selector["cluster"] = settings.first_workload.name
    allowed = [{"host": ALL_HOSTS}]
    if settings.has("gateway-tls"):
        listeners: list[dict[str, Any]] = [
            {"http": {}, "port": {"number": HTTP_PORT}, "httpsRedirect": True},
            {"http": {}, "port": {"number": HTTPS_PORT},
             "tls": {"mode": "SIMPLE", "secretName": GATEWAY_TLS_SECRET}, "allowedRouteTables": allowed},
        ]
    else:
        listeners = [{"http": {}, "port": {"number": HTTP_PORT}, "allowedRouteTables": allowed}]
    return crds.VirtualGateway.manifest(NORTH_SOUTH_GATEWAY, ISTIO_GATEWAYS_NS,
                                        {"workloads": [{"selector": selector}], "listeners": listeners})


def main_route_table(settings: Settings) -> dict[str, Any]:
    """RouteTable `main`: delegates everything to route tables labelled expose=true; lab 21 adds the waf label."""
    route: dict[str, Any] = {"name": ROOT_ROUTE}
    if settings.has("waf"):
        route["labels"] = dict(WAF_ROUTE_LABEL)
    route["matchers"] = [{"uri": {"prefix": "/"}}]
    route["delegate"] = {"routeTables": [{"labels": dict(EXPOSE_LABEL)}]}
    return crds.RouteTable.manifest("main", ISTIO_GATEWAYS_NS, {
        "hosts": [ALL_HOSTS],
        "virtualGateways": [{"name": NORTH_SOUTH_GATEWAY, "namespace": ISTIO_GATEWAYS_NS,
                             "cluster": settings.config_cluster}],
        "workloadSelectors": [],
        "http": [route],
    })


def productpage_route_table(settings: Settings) -> dict[str, Any]:
    """RouteTable `productpage`: to the Service (lab 9) or to the VirtualDestination (lab 12)."""
    destination: dict[str, Any] = {"ref": {"name": PRODUCTPAGE_APP, "namespace": BOOKINFO_FRONTENDS_NS}}
    if settings.has("virtual-destinations"):
        destination["kind"] = "VIRTUAL_DESTINATION"
    destination["port"] = {"number": BOOKINFO_PORT}
    return crds.RouteTable.manifest(PRODUCTPAGE_APP, BOOKINFO_FRONTENDS_NS, {
        "http": [{
            "name": PRODUCTPAGE_APP,
            "matchers": copy.deepcopy(list(PRODUCTPAGE_MATCHERS)),
            "forwardTo": {"destinations": [destination]},
        }],
    }, labels=EXPOSE_LABEL)


def virtual_destination(settings: Settings) -> dict[str, Any] | None:
    """VirtualDestination `productpage` (`productpage.global`), labelled for failover when lab 12's policies are on."""
    if not settings.has("virtual-destinations"):
        return None
    labels = dict(EXPOSE_LABEL)
    if settings.has("failover"):
        labels.update(FAILOVER_DESTINATION_LABEL)
    return crds.VirtualDestination.manifest(PRODUCTPAGE_APP, BOOKINFO_FRONTENDS_NS, {
        "hosts": [PRODUCTPAGE_GLOBAL_HOST],
        "services": [{"namespace": BOOKINFO_FRONTENDS_NS, "labels": {"app": PRODUCTPAGE_APP}}],
        "ports": [{"number": BOOKINFO_PORT, "protocol": "HTTP"}],
    }, labels=labels)


def has_httpbin_route(settings: Settings) -> bool:
    return settings.has("external-service") or settings.has("oauth")


def httpbin_destinations(settings: Settings) -> list[dict[str, Any]]:
    """Lab 15's three steps as one knob: the share of /get sent to httpbin.org, the rest to the in-mesh httpbin."""
    # The route lives on the httpbin cluster (with its workspace), so the service is a local reference.
    in_mesh: dict[str, Any] = {"ref": {"name": IN_MESH_APP, "namespace": HTTPBIN_NS}, "port": {"number": HTTPBIN_PORT}}
    if not settings.has("external-service"):
        return [in_mesh]
    weight = settings.external_service_weight
    external: dict[str, Any] = {
        "kind": "EXTERNAL_SERVICE",
        "port": {"number": HTTPS_PORT},
        "ref": {"name": HTTPBIN_EXTERNAL_SERVICE, "namespace": HTTPBIN_NS},
    }
    if weight == 100:
        return [external]
    if weight == 0:
        return [in_mesh]
    return [{**external, "weight": weight}, {**in_mesh, "weight": 100 - weight}]


def httpbin_route_table(settings: Settings) -> dict[str, Any] | None:
    """RouteTable `httpbin`: destinations from lab 15, labels and matchers from labs 17 (oauth) and 20 (rate limit)."""
    if not has_httpbin_route(settings):
        return None
    route: dict[str, Any] = {"name": HTTPBIN_ROUTE}
    labels: dict[str, str] = {}
    if settings.has("oauth"):
        labels.update(OAUTH_ROUTE_LABEL)
    if settings.has("rate-limit"):
        labels.update(RATELIMITED_ROUTE_LABEL)
    if labels:
        route["labels"] = labels
    matchers = [copy.deepcopy(HTTPBIN_GET_MATCHER)]
    if settings.has("oauth"):
        matchers += copy.deepcopy(list(OAUTH_MATCHERS))
    route["matchers"] = matchers
    route["forwardTo"] = {"destinations": httpbin_destinations(settings)}
    return crds.RouteTable.manifest(HTTPBIN_ROUTE, HTTPBIN_NS, {"http": [route]}, labels=EXPOSE_LABEL)
