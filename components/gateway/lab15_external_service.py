"""Lab 15: expose an external service (feature `external-service`), and the httpbin route.

`ExternalServiceLab` declares ExternalService `httpbin` for httpbin.org (80 HTTP, 443 HTTPS with
client-side TLS), exported to the gateway by its expose=true label.

`HttpbinRoute` declares RouteTable `httpbin`, which several labs shape: `shapes.httpbin_route_table`
gives its destinations (lab 15: config `externalServiceWeight` is the share sent to httpbin.org; 100,
50 and 0 are the lab's three steps) and its labels and matchers (labs 17 and 20). It exists when
`external-service` or `oauth` is on, and only this component emits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds, shapes
from components.core.config import Settings
from components.core.constants import (
    EXPOSE_LABEL,
    HTTP_PORT,
    HTTPBIN_EXTERNAL_SERVICE,
    HTTPBIN_NS,
    HTTPS_PORT,
)
from components.core.target import Target

HTTPBIN_ORG = "httpbin.org"


def external_service() -> dict[str, Any]:
    return crds.ExternalService.manifest(HTTPBIN_EXTERNAL_SERVICE, HTTPBIN_NS, {
        "hosts": [HTTPBIN_ORG],
        "ports": [
            {"name": "http", "number": HTTP_PORT, "protocol": "HTTP"},
            {"name": "https", "number": HTTPS_PORT, "protocol": "HTTPS", "clientsideTls": {}},
        ],
    }, labels=EXPOSE_LABEL)


@dataclass(frozen=True)
class ExternalServiceArgs:
    settings: Settings
    #: The httpbin cluster, where the httpbin workspace is.
    target: Target


class ExternalServiceLab(pulumi.ComponentResource):
    #: ExternalService `httpbin`, for httpbin.org.
    external_service: crds.CustomResourceKind

    def __init__(self, name: str, args: ExternalServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:routing:ExternalService", name, None, opts)
        self.external_service = args.target.emit(self, external_service())
        self.register_outputs({})


@dataclass(frozen=True)
class HttpbinRouteArgs:
    settings: Settings
    #: The httpbin cluster, where the httpbin workspace is.
    target: Target


class HttpbinRoute(pulumi.ComponentResource):
    #: RouteTable `httpbin`.
    route_table: crds.CustomResourceKind

    def __init__(self, name: str, args: HttpbinRouteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:routing:HttpbinRoute", name, None, opts)
        manifest = shapes.httpbin_route_table(args.settings)
        if manifest is None:
            raise ValueError("HttpbinRoute needs the external-service or oauth feature")
        self.route_table = args.target.emit(self, manifest)
        self.register_outputs({})
