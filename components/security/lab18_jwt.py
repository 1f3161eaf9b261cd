"""Lab 18: the JWT filter verifies the ID token (forwarded by lab 17) and copies its email to X-Email.

Keycloak runs on the management cluster, so the gateway reaches its JWKS through an
ExternalService `keycloak` backed by an ExternalEndpoint at Keycloak's LoadBalancer address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.constants import EXPOSE_LABEL, HTTPBIN_NS
from components.core.policies import apply_to_routes, derive, post_authz
from components.core.shapes import OAUTH_ROUTE_LABEL
from components.core.target import Target

from .lab16_keycloak import KEYCLOAK, KEYCLOAK_PORT, Keycloak, jwks_url, realm_url
from .lab17_oauth import ID_TOKEN_HEADER

#: The label the ExternalEndpoint carries and the ExternalService selects.
KEYCLOAK_ENDPOINT_LABEL = {"host": KEYCLOAK}
JWT_POLICY = "httpbin"
JWT_PROVIDER = KEYCLOAK
JWT_PRIORITY = 1
EMAIL_CLAIM = "email"
#: The header the email lands in; the transformation policy (lab 19) reads it.
EMAIL_HEADER = "X-Email"


def _http_port() -> dict[str, Any]:
    return {"name": "http", "number": KEYCLOAK_PORT}


def keycloak_external_endpoint(keycloak_host: pulumi.Input[str]) -> dict[str, Any]:
    return crds.ExternalEndpoint.manifest(KEYCLOAK, HTTPBIN_NS, {
        "address": keycloak_host,
        "ports": [_http_port()],
    }, labels=KEYCLOAK_ENDPOINT_LABEL)


def keycloak_external_service() -> dict[str, Any]:
    return crds.ExternalService.manifest(KEYCLOAK, HTTPBIN_NS, {
        "hosts": [KEYCLOAK],
        "ports": [{**_http_port(), "protocol": "HTTP"}],
        "selector": dict(KEYCLOAK_ENDPOINT_LABEL),
    }, labels=EXPOSE_LABEL)


def jwt_policy(keycloak_url: pulumi.Input[str]) -> dict[str, Any]:
    return crds.JWTPolicy.manifest(JWT_POLICY, HTTPBIN_NS, {
        "applyToRoutes": apply_to_routes(OAUTH_ROUTE_LABEL),
        "config": {
            "phase": post_authz(JWT_PRIORITY),
            "providers": {
                JWT_PROVIDER: {
                    "issuer": derive(realm_url, keycloak_url),
                    "tokenSource": {"headers": [{"name": ID_TOKEN_HEADER}]},
                    "remote": {
                        "url": derive(jwks_url, keycloak_url),
                        "destinationRef": {
                            "kind": "EXTERNAL_SERVICE",
                            "ref": {"name": KEYCLOAK},
                            "port": {"number": KEYCLOAK_PORT},
                        },
                    },
                    "claimsToHeaders": [{"claim": EMAIL_CLAIM, "header": EMAIL_HEADER}],
                },
            },
        },
    })


@dataclass(frozen=True)
class JwtArgs:
    #: The httpbin cluster (the workshop's CLUSTER1), where the httpbin workspace is, and the release
    #: installing Gloo's CRDs there.
    target: Target
    keycloak: Keycloak


class Jwt(pulumi.ComponentResource):
    #: ExternalEndpoint `keycloak`, at Keycloak's LoadBalancer address.
    endpoint: crds.CustomResourceKind
    #: ExternalService `keycloak` (host `keycloak`), selecting that endpoint by its label.
    service: crds.CustomResourceKind
    #: JWTPolicy `httpbin`.
    policy: crds.CustomResourceKind

    def __init__(self, name: str, args: JwtArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:Jwt", name, None, opts)
        target, keycloak = args.target, args.keycloak
        self.endpoint = target.emit(self, keycloak_external_endpoint(keycloak.host))
        self.service = target.emit(self, keycloak_external_service())
        self.policy = target.emit(self, jwt_policy(keycloak.url),
                                  also=[self.endpoint, self.service, keycloak.deployment])
        self.register_outputs({})
