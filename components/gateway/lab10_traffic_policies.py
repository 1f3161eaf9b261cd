"""Lab 10: traffic policies (feature `traffic-policies`).

A 2 s fixed delay on reviews → ratings (FaultInjectionPolicy + RouteTable `ratings`) and a 0.5 s
request timeout on productpage → reviews v2 (RetryTimeoutPolicy + RouteTable `reviews`), so the
productpage shows "Sorry, product reviews are currently unavailable for this book.". The workshop
deletes the four objects at the end of the lab; switching the feature off does the same.

Each policy selects its route by a label from `plan`, and the route carries the same constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.config import Settings
from components.core.constants import BOOKINFO_BACKENDS_NS, BOOKINFO_PORT, CLUSTER_DOMAIN
from components.core.policies import apply_to_routes
from components.core.shapes import FAULT_INJECTION_ROUTE_LABEL, REQUEST_TIMEOUT_ROUTE_LABEL
from components.core.target import Target

RATINGS_DELAY = "2s"
REVIEWS_TIMEOUT = "0.5s"
REVIEWS_SUBSET = {"version": "v2"}


def _backend_host(service: str) -> str:
    return f"{service}.{BOOKINFO_BACKENDS_NS}.svc.{CLUSTER_DOMAIN}"


def _backend_route_table(
    service: str, client_app: str, route_labels: dict[str, str], subset: dict[str, str] | None = None
) -> dict[str, Any]:
    destination: dict[str, Any] = {"ref": {"name": service, "namespace": BOOKINFO_BACKENDS_NS},
                                   "port": {"number": BOOKINFO_PORT}}
    if subset:
        destination["subset"] = dict(subset)
    return crds.RouteTable.manifest(service, BOOKINFO_BACKENDS_NS, {
        "hosts": [_backend_host(service)],
        "workloadSelectors": [{"selector": {"labels": {"app": client_app}}}],
        "http": [{
            "name": service,
            "labels": dict(route_labels),
            "matchers": [{"uri": {"prefix": "/"}}],
            "forwardTo": {"destinations": [destination]},
        }],
    })


def fault_injection_policy() -> dict[str, Any]:
    return crds.FaultInjectionPolicy.manifest("ratings-fault-injection", BOOKINFO_BACKENDS_NS, {
        "applyToRoutes": apply_to_routes(FAULT_INJECTION_ROUTE_LABEL),
        "config": {"delay": {"fixedDelay": RATINGS_DELAY, "percentage": 100}},
    })


def ratings_route_table() -> dict[str, Any]:
    """reviews → ratings, on the route the fault injection selects."""
    return _backend_route_table("ratings", "reviews", FAULT_INJECTION_ROUTE_LABEL)


def retry_timeout_policy() -> dict[str, Any]:
    return crds.RetryTimeoutPolicy.manifest("reviews-request-timeout", BOOKINFO_BACKENDS_NS, {
        "applyToRoutes": apply_to_routes(REQUEST_TIMEOUT_ROUTE_LABEL),
        "config": {"requestTimeout": REVIEWS_TIMEOUT},
    })


def reviews_route_table() -> dict[str, Any]:
    """productpage → reviews v2 only, on the route the timeout selects."""
    return _backend_route_table("reviews", "productpage", REQUEST_TIMEOUT_ROUTE_LABEL, REVIEWS_SUBSET)


@dataclass(frozen=True)
class TrafficPoliciesArgs:
    settings: Settings
    #: The config cluster.
    target: Target


class TrafficPolicies(pulumi.ComponentResource):
    def __init__(self, name: str, args: TrafficPoliciesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:traffic:TrafficPolicies", name, None, opts)
        for manifest in (fault_injection_policy(), ratings_route_table(), retry_timeout_policy(),
                         reviews_route_table()):
            args.target.emit(self, manifest)
        self.register_outputs({})
