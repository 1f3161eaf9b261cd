"""Lab 13: zero trust inside the bookinfo workspace, the three AccessPolicies.

The other half of the lab, `serviceIsolation` + `trimProxyConfig` on the bookinfo
WorkspaceSettings, is part of that object's single declaration (the apps labs emit it when
`zero-trust` is on). Switching the feature off is the lab's own cleanup: the policies go away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.apps.lab04_bookinfo import service_account_name
from components.core import crds
from components.core.constants import (
    ADDONS_NS,
    BOOKINFO_FRONTENDS_NS,
    DETAILS_APP,
    EASTWEST_GATEWAY_SERVICE,
    EXT_AUTH_SERVICE,
    INGRESS_GATEWAY_SERVICE,
    ISTIO_GATEWAYS_NS,
    PRODUCTPAGE_APP,
    RATE_LIMITER_SERVICE,
    RATINGS_APP,
    REVIEWS_APP,
    gateway_service_account,
)
from components.core.target import Target

FRONTEND_API_ACCESS = "frontend-api-access"
ALLOW_DETAILS_REVIEWS = "allow-details-reviews"
ALLOW_RATINGS = "allow-ratings"


def _apps(*apps: str) -> list[dict[str, Any]]:
    return [{"selector": {"labels": {"app": app}}} for app in apps]


def _allowed(*accounts: dict[str, str]) -> dict[str, Any]:
    return {"authz": {"allowedClients": [{"serviceAccountSelector": dict(a)} for a in accounts]}}


def access_policies(revisions: Sequence[str]) -> list[dict[str, Any]]:
    """The lab's three AccessPolicies; the gateway service accounts carry the Istio revision, and during
    a canary upgrade the gateways of both installed revisions may call productpage."""
    gateways = [{"name": gateway_service_account(gateway, revision), "namespace": ISTIO_GATEWAYS_NS}
                for revision in revisions for gateway in (INGRESS_GATEWAY_SERVICE, EASTWEST_GATEWAY_SERVICE)]
    return [
        crds.AccessPolicy.manifest(FRONTEND_API_ACCESS, BOOKINFO_FRONTENDS_NS, {
            "applyToDestinations": _apps(PRODUCTPAGE_APP),
            "config": _allowed(
                *gateways,
                {"name": EXT_AUTH_SERVICE, "namespace": ADDONS_NS},
                {"name": RATE_LIMITER_SERVICE, "namespace": ADDONS_NS},
            ),
        }),
        crds.AccessPolicy.manifest(ALLOW_DETAILS_REVIEWS, BOOKINFO_FRONTENDS_NS, {
            "applyToDestinations": _apps(DETAILS_APP, REVIEWS_APP),
            "config": _allowed({"name": service_account_name(PRODUCTPAGE_APP)}),
        }),
        crds.AccessPolicy.manifest(ALLOW_RATINGS, BOOKINFO_FRONTENDS_NS, {
            "applyToDestinations": _apps(RATINGS_APP),
            "config": _allowed({"name": service_account_name(REVIEWS_APP)}),
        }),
    ]


@dataclass(frozen=True)
class ZeroTrustArgs:
    #: The Istio revisions installed (the active one, and a canary's): their gateways are allowed in.
    revisions: Sequence[str]
    #: The config cluster (the workshop's CLUSTER1) and the release installing Gloo's CRDs there.
    target: Target


class ZeroTrust(pulumi.ComponentResource):
    #: The AccessPolicies `frontend-api-access`, `allow-details-reviews` and `allow-ratings`, in that order.
    policies: list[crds.CustomResourceKind]

    def __init__(self, name: str, args: ZeroTrustArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:ZeroTrust", name, None, opts)
        manifests = access_policies(args.revisions)
        self.policies = [args.target.emit(self, m) for m in manifests]
        self.register_outputs({"policies": [m["metadata"]["name"] for m in manifests]})
