"""Lab 19: a transformation after the JWT filter derives X-Organization from the X-Email header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from . import crds
from .cluster import Cluster
from .constants import HTTPBIN_NS
from .lab18_jwt import EMAIL_HEADER
from .plan import OAUTH_ROUTE_LABEL
from .policies import apply_to_routes, post_authz

TRANSFORMATION_POLICY = "modify-header"
TRANSFORMATION_PRIORITY = 2
ORGANIZATION_EXTRACTOR = "organization"
#: The header the organization lands in (the rate limit of lab 20 reads it).
ORGANIZATION_HEADER = "x-organization"


def transformation_policy() -> dict[str, Any]:
    return crds.TransformationPolicy.manifest(TRANSFORMATION_POLICY, HTTPBIN_NS, {
        "applyToRoutes": apply_to_routes(OAUTH_ROUTE_LABEL),
        "config": {
            "phase": post_authz(TRANSFORMATION_PRIORITY),
            "request": {
                "injaTemplate": {
                    "extractors": {
                        ORGANIZATION_EXTRACTOR: {"header": EMAIL_HEADER, "regex": ".*@(.*)$", "subgroup": 1},
                    },
                    "headers": {ORGANIZATION_HEADER: {"text": "{{ " + ORGANIZATION_EXTRACTOR + " }}"}},
                },
            },
        },
    })


@dataclass(frozen=True)
class TransformationArgs:
    #: The cluster the workshop configures (its CLUSTER1).
    cluster: Cluster
    #: The release installing Gloo's CRDs on that cluster (its agent).
    crd_release: pulumi.Resource


class Transformation(pulumi.ComponentResource):
    def __init__(self, name: str, args: TransformationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:Transformation", name, None, opts)
        cluster = args.cluster
        self.policy = crds.emit(
            cluster.resource_name(TRANSFORMATION_POLICY, HTTPBIN_NS), transformation_policy(),
            cluster.opts(self, [args.crd_release, *cluster.namespace_ready(HTTPBIN_NS)]))
        self.register_outputs({})
