"""Lab 20: 3 requests per minute for the organization solo.io, keyed on the X-Organization header.

The `ratelimited` route label is added to the httpbin route in `plan`; switching the feature off
is the lab's cleanup (the four objects go away).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.constants import HTTPBIN_NS, RATE_LIMITER_SERVICE
from components.core.policies import addon_server, apply_to_routes, object_ref, post_authz
from components.core.shapes import RATELIMITED_ROUTE_LABEL
from components.core.target import Target

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
    #: The httpbin cluster (the workshop's CLUSTER1), where the httpbin workspace is and whose
    #: rate-limiter serves the limit, and the release installing Gloo's CRDs there.
    target: Target


class RateLimit(pulumi.ComponentResource):
    #: RateLimitClientConfig `httpbin`.
    client_config: crds.CustomResourceKind
    #: RateLimitServerConfig `httpbin`.
    server_config: crds.CustomResourceKind
    #: RateLimitServerSettings `rate-limit-server`.
    server_settings: crds.CustomResourceKind
    #: RateLimitPolicy `httpbin`, after the three configs.
    policy: crds.CustomResourceKind

    def __init__(self, name: str, args: RateLimitArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:RateLimit", name, None, opts)
        target = args.target
        cluster = target.cluster.name
        # One logical name per object: the kinds differ, so `httpbin` three times does not collide.
        self.client_config = target.emit(self, rate_limit_client_config())
        self.server_config = target.emit(self, rate_limit_server_config(cluster))
        self.server_settings = target.emit(self, rate_limit_server_settings(cluster))
        self.policy = target.emit(self, rate_limit_policy(cluster),
                                  also=[self.client_config, self.server_config, self.server_settings])
        self.register_outputs({})
