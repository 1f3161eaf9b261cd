"""Lab 17: OIDC authorization-code flow on the httpbin route (`oauth`), and the OPA rule (`opa`).

All objects go to the httpbin namespace of the cluster the workshop configures (its CLUSTER1).
The ExtAuthPolicy is one object: with `opa` on, its `glooAuth.configs` list carries the OPA step
after the OIDC step (the workshop's second version of the policy); it is declared once either way.
The route with the `oauth` label and the /logout and /callback matchers is composed in `plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.core import crds
from components.core.constants import (
    EXT_AUTH_SERVICE,
    HTTPBIN_GET_PATH,
    HTTPBIN_NS,
    OAUTH_CALLBACK_PATH,
    OAUTH_LOGOUT_PATH,
)
from components.core.policies import addon_server, apply_to_routes, derive, object_ref
from components.core.shapes import OAUTH_ROUTE_LABEL
from components.core.target import Target

from .lab16_keycloak import Keycloak, b64, issuer_url

OAUTH_SECRET = "oauth"
OAUTH_SECRET_TYPE = "extauth.solo.io/oauth"
CLIENT_SECRET_KEY = "client-secret"
EXT_AUTH_SERVER = "ext-auth-server"
EXT_AUTH_POLICY = "httpbin"
#: The header the ID token is forwarded in; the JWT policy (lab 18) reads the token from it.
ID_TOKEN_HEADER = "jwt"
SESSION_COOKIE = "keycloak-session"
#: The session store; the short name resolves from ext-auth-service's namespace (gloo-mesh-addons).
SESSION_REDIS_HOST = "redis:6379"
SCOPES = ["email"]
OPA_CONFIG_MAP = "allow-solo-email-users"
OPA_POLICY_KEY = "policy.rego"
OPA_QUERY = "data.test.allow == true"
#: Lab 17's rego module, verbatim: allow only users whose ID token's email ends with @solo.io.
OPA_POLICY = """package test

default allow = false

allow {
    [header, payload, signature] = io.jwt.decode(input.state.jwt)
    endswith(payload["email"], "@solo.io")
}"""


def oauth_secret(client_secret_b64: pulumi.Input[str]) -> dict[str, Any]:
    return {
        "metadata": {"name": OAUTH_SECRET, "namespace": HTTPBIN_NS},
        "type": OAUTH_SECRET_TYPE,
        "data": {CLIENT_SECRET_KEY: client_secret_b64},
    }


def ext_auth_server(cluster: str) -> dict[str, Any]:
    return crds.ExtAuthServer.manifest(EXT_AUTH_SERVER, HTTPBIN_NS, {
        "destinationServer": addon_server(EXT_AUTH_SERVICE, cluster),
    })


def oidc_authorization_code(
    gateway_https_endpoint: pulumi.Input[str], keycloak_url: pulumi.Input[str], client_id: str
) -> dict[str, Any]:
    return {
        "appUrl": derive(lambda gw: f"https://{gw}", gateway_https_endpoint),
        "callbackPath": OAUTH_CALLBACK_PATH,
        "clientId": client_id,
        "clientSecretRef": {"name": OAUTH_SECRET, "namespace": HTTPBIN_NS},
        "issuerUrl": derive(issuer_url, keycloak_url),
        "logoutPath": OAUTH_LOGOUT_PATH,
        "afterLogoutUrl": derive(lambda gw: f"https://{gw}{HTTPBIN_GET_PATH}", gateway_https_endpoint),
        "session": {
            "failOnFetchFailure": True,
            "redis": {"cookieName": SESSION_COOKIE, "options": {"host": SESSION_REDIS_HOST}},
        },
        "scopes": list(SCOPES),
        "headers": {"idTokenHeader": ID_TOKEN_HEADER},
    }


def opa_auth() -> dict[str, Any]:
    return {"opaAuth": {"modules": [{"name": OPA_CONFIG_MAP, "namespace": HTTPBIN_NS}], "query": OPA_QUERY}}


def ext_auth_policy(
    cluster: str,
    gateway_https_endpoint: pulumi.Input[str],
    keycloak_url: pulumi.Input[str],
    client_id: str,
    opa: bool,
) -> dict[str, Any]:
    configs: list[dict[str, Any]] = [
        {"oauth2": {"oidcAuthorizationCode": oidc_authorization_code(gateway_https_endpoint, keycloak_url, client_id)}},
    ]
    if opa:
        configs.append(opa_auth())
    return crds.ExtAuthPolicy.manifest(EXT_AUTH_POLICY, HTTPBIN_NS, {
        "applyToRoutes": apply_to_routes(OAUTH_ROUTE_LABEL),
        "config": {
            "server": object_ref(EXT_AUTH_SERVER, HTTPBIN_NS, cluster),
            "glooAuth": {"configs": configs},
        },
    })


def opa_config_map() -> dict[str, Any]:
    return {"metadata": {"name": OPA_CONFIG_MAP, "namespace": HTTPBIN_NS}, "data": {OPA_POLICY_KEY: OPA_POLICY}}


@dataclass(frozen=True)
class OAuthArgs:
    #: The httpbin cluster (the workshop's CLUSTER1), where the httpbin workspace and the ext-auth
    #: service these objects use are, and the release installing Gloo's CRDs there.
    target: Target
    #: `<gateway address>:443` of that cluster's ingress gateway.
    gateway_https_endpoint: pulumi.Input[str]
    keycloak: Keycloak
    opa: bool


class OAuth(pulumi.ComponentResource):
    #: Secret `oauth` in httpbin: the OIDC client's secret, for the ext-auth service.
    secret: k8s.core.v1.Secret
    #: ExtAuthServer `ext-auth-server`.
    server: crds.CustomResourceKind
    #: ConfigMap `allow-solo-email-users`, the OPA policy; None without OPA.
    config_map: k8s.core.v1.ConfigMap | None
    #: ExtAuthPolicy `httpbin`.
    policy: crds.CustomResourceKind

    def __init__(self, name: str, args: OAuthArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:OAuth", name, None, opts)
        target, keycloak = args.target, args.keycloak
        cluster = target.cluster
        namespace = cluster.namespace_ready(HTTPBIN_NS)

        secret = oauth_secret(pulumi.Output.secret(keycloak.client_secret.apply(b64)))
        self.secret = k8s.core.v1.Secret(
            cluster.resource_name(OAUTH_SECRET, HTTPBIN_NS), metadata=secret["metadata"], type=secret["type"],
            data=secret["data"], opts=cluster.opts(self, namespace))
        self.server = target.emit(self, ext_auth_server(cluster.name))
        policy_deps: list[pulumi.Resource] = [self.server, self.secret, keycloak.deployment]
        self.config_map = None
        if args.opa:
            config_map = opa_config_map()
            self.config_map = k8s.core.v1.ConfigMap(
                cluster.resource_name(OPA_CONFIG_MAP, HTTPBIN_NS), metadata=config_map["metadata"],
                data=config_map["data"], opts=cluster.opts(self, namespace))
            policy_deps.append(self.config_map)
        self.policy = target.emit(
            self, ext_auth_policy(cluster.name, args.gateway_https_endpoint, keycloak.url, keycloak.client_id, args.opa),
            also=policy_deps)
        self.register_outputs({})
