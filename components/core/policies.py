"""Small pieces the policy labs (13, 17-21) share: references, route selectors, phases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from .constants import ADDON_GRPC_PORT_NAME, ADDONS_NS


def apply_to_routes(route_label: Mapping[str, str]) -> list[dict[str, Any]]:
    """`applyToRoutes` selecting the routes that carry `route_label` (a contract from `plan`)."""
    return [{"route": {"labels": dict(route_label)}}]


def object_ref(name: str, namespace: str, cluster: str) -> dict[str, str]:
    """A reference to a Gloo object by name, namespace and the cluster it was applied to."""
    return {"name": name, "namespace": namespace, "cluster": cluster}


def addon_server(service: str, cluster: str) -> dict[str, Any]:
    """A gloo-mesh-addons gRPC server (ext-auth-service, rate-limiter) on `cluster`."""
    return {"ref": {"cluster": cluster, "name": service, "namespace": ADDONS_NS},
            "port": {"name": ADDON_GRPC_PORT_NAME}}


def post_authz(priority: int) -> dict[str, Any]:
    """The filter phase of the JWT (1), transformation (2) and rate-limit (3) policies."""
    return {"postAuthz": {"priority": priority}}


def derive(fn: Callable[..., Any], *values: pulumi.Input[Any]) -> Any:
    """`fn(*values)`: computed now when every value is plain, else an Output once they are known.

    Manifest builders take either, so unit tests pass strings and the program passes Outputs.
    """
    if not any(isinstance(v, pulumi.Output) for v in values):
        return fn(*values)
    return pulumi.Output.all(*values).apply(lambda resolved: fn(*resolved))
