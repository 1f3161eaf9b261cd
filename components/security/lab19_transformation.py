"""Lab 19: a transformation after the JWT filter derives X-Organization from the X-Email header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.constants import HTTPBIN_NS
from components.core.policies import apply_to_routes, post_authz
from components.core.shapes import OAUTH_ROUTE_LABEL
from components.core.target import Target

from .lab18_jwt import EMAIL_HEADER

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
    #: The httpbin cluster (the workshop's CLUSTER1), where the httpbin workspace is, and the release
    #: installing Gloo's CRDs there.
    target: Target


class Transformation(pulumi.ComponentResource):
    #: TransformationPolicy `modify-header`.
    policy: crds.CustomResourceKind

    def __init__(self, name: str, args: TransformationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:Transformation", name, None, opts)
        self.policy = args.target.emit(self, transformation_policy())
        self.register_outputs({})
