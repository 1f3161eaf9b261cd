"""Lab 20: 3 requests per minute for the organization solo.io, keyed on the X-Organization header.

The `ratelimited` route label is added to the httpbin route in `plan`; switching the feature off
is the lab's cleanup (the four objects go away).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from . import crds
from .cluster import Cluster
from .constants import HTTPBIN_NS, RATE_LIMITER_SERVICE
from .plan import RATELIMITED_ROUTE_LABEL
from .policies import addon_server, apply_to_routes, object_ref, post_authz

RATE_LIMIT_CONFIG = "httpbin"  # the client config, the server config and the policy share it
RATE_LIMIT_SERVER_SETTINGS = "rate-limit-server"
RATE_LIMIT_PRIORITY = 3
DESCRIPTOR_KEY = "organization"
#: Lab 19's x-organization header, spelled as lab 20 spells it (header names are case-insensitive).
ORGANIZATION_REQUEST_HEADER = "X-Organization"
LIMITED_ORGANIZATION = "solo.io"
REQUESTS_PER_UNIT = 3
UNIT = "MINUTE"


def rate_limit_client_config() -> dict[str, Any]:
    return crds.RateLimitClientConfig.manifest(RATE_LIMIT_CONFIG, HTTPBIN_NS, {
        "raw": {"rateLimits": [{"setActions": [{"requestHeaders": {
            "descriptorKey": DESCRIPTOR_KEY, "headerName": ORGANIZATION_REQUEST_HEADER}}]}]},
    })


def rate_limit_server_config(cluster: str) -> dict[str, Any]:
    return crds.RateLimitServerConfig.manifest(RATE_LIMIT_CONFIG, HTTPBIN_NS, {
        "destinationServers": [addon_server(RATE_LIMITER_SERVICE, cluster)],
        "raw": {"setDescriptors": [{
            "simpleDescriptors": [{"key": DESCRIPTOR_KEY, "value": LIMITED_ORGANIZATION}],
            "rateLimit": {"requestsPerUnit": REQUESTS_PER_UNIT, "unit": UNIT},
        }]},
    })


def rate_limit_server_settings(cluster: str) -> dict[str, Any]:
    return crds.RateLimitServerSettings.manifest(RATE_LIMIT_SERVER_SETTINGS, HTTPBIN_NS, {
        "destinationServer": addon_server(RATE_LIMITER_SERVICE, cluster),
    })


def rate_limit_policy(cluster: str) -> dict[str, Any]:
    return crds.RateLimitPolicy.manifest(RATE_LIMIT_CONFIG, HTTPBIN_NS, {
        "applyToRoutes": apply_to_routes(RATELIMITED_ROUTE_LABEL),
        "config": {
            "serverSettings": object_ref(RATE_LIMIT_SERVER_SETTINGS, HTTPBIN_NS, cluster),
            "ratelimitClientConfig": object_ref(RATE_LIMIT_CONFIG, HTTPBIN_NS, cluster),
            "ratelimitServerConfig": object_ref(RATE_LIMIT_CONFIG, HTTPBIN_NS, cluster),
            "phase": post_authz(RATE_LIMIT_PRIORITY),
        },
    })


@dataclass(frozen=True)
class RateLimitArgs:
    #: The cluster the workshop configures (its CLUSTER1); its rate-limiter serves the limit.
    cluster: Cluster
    #: The release installing Gloo's CRDs on that cluster (its agent).
    crd_release: pulumi.Resource


class RateLimit(pulumi.ComponentResource):
    def __init__(self, name: str, args: RateLimitArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:RateLimit", name, None, opts)
        cluster = args.cluster
        base = [args.crd_release, *cluster.namespace_ready(HTTPBIN_NS)]

        # One logical name per object: the kinds differ, so `httpbin` three times does not collide.
        def emit(manifest: dict[str, Any], deps: list[pulumi.Resource]) -> crds.CustomResourceKind:
            return crds.emit(cluster.resource_name(manifest["metadata"]["name"], HTTPBIN_NS), manifest,
                             cluster.opts(self, deps))

        self.client_config = emit(rate_limit_client_config(), base)
        self.server_config = emit(rate_limit_server_config(cluster.name), base)
        self.server_settings = emit(rate_limit_server_settings(cluster.name), base)
        self.policy = emit(rate_limit_policy(cluster.name),
                           [*base, self.client_config, self.server_config, self.server_settings])
        self.register_outputs({})
