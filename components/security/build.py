"""Labs 13 and 16-21, each behind its feature flag: zero trust, Keycloak, and the gateway policies.

`build_security_labs` runs after the apps labs (they declare the namespaces these objects go to).
Keycloak goes to the management cluster; the AccessPolicies and the WAF policy to the config
cluster; the httpbin workspace's objects (labs 17-20) to the httpbin cluster. Both default to the
workshop's CLUSTER1, and each object waits for the release installing Gloo's CRDs there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.core import shapes
from components.platform.build import Platform, config_target, httpbin_target

from .lab13_zero_trust import ZeroTrust, ZeroTrustArgs
from .lab16_keycloak import Keycloak, KeycloakArgs
from .lab17_oauth import OAuth, OAuthArgs
from .lab18_jwt import Jwt, JwtArgs
from .lab19_transformation import Transformation, TransformationArgs
from .lab20_rate_limit import RateLimit, RateLimitArgs
from .lab21_waf import Waf, WafArgs


@dataclass(frozen=True)
class SecurityLabs:
    zero_trust: ZeroTrust | None = None
    keycloak: Keycloak | None = None
    oauth: OAuth | None = None
    jwt: Jwt | None = None
    transformation: Transformation | None = None
    rate_limit: RateLimit | None = None
    waf: Waf | None = None


def build_security_labs(platform: Platform) -> SecurityLabs:
    """Each enabled lab's objects that this stack declares (a fleet's stack: those on its clusters).

    Keycloak is on the management cluster but uses the entry gateway's address: it belongs to the
    stack that deploys the entry gateway's cluster (in a fleet, also the httpbin cluster).
    """
    s = platform.settings
    config = config_target(platform)
    httpbin = httpbin_target(platform)
    entry = shapes.entry_gateway_cluster(s)
    gateway_https_endpoint = platform.istio[entry].https_endpoint if entry in platform.istio else None
    # The feature table guarantees keycloak under oauth and jwt (checked in config, before this runs).
    keycloak = Keycloak("keycloak", KeycloakArgs(platform.mgmt, gateway_https_endpoint, s.credentials_rotation)) \
        if s.has("keycloak") and gateway_https_endpoint is not None else None
    return SecurityLabs(
        zero_trust=ZeroTrust("zero-trust", ZeroTrustArgs(s.versions.istio_revisions, config))
        if s.has("zero-trust") and config else None,
        keycloak=keycloak,
        oauth=OAuth("oauth", OAuthArgs(httpbin, gateway_https_endpoint, keycloak, s.has("opa")))
        if s.has("oauth") and keycloak and httpbin and gateway_https_endpoint is not None else None,
        jwt=Jwt("jwt", JwtArgs(httpbin, keycloak)) if s.has("jwt") and keycloak and httpbin else None,
        transformation=Transformation("transformation", TransformationArgs(httpbin))
        if s.has("transformation") and httpbin else None,
        rate_limit=RateLimit("rate-limit", RateLimitArgs(httpbin)) if s.has("rate-limit") and httpbin else None,
        waf=Waf("waf", WafArgs(config)) if s.has("waf") and config else None,
    )


def export_security_outputs(labs: SecurityLabs) -> None:
    keycloak = labs.keycloak
    if keycloak is None:
        return
    pulumi.export("keycloakUrl", keycloak.url)
    pulumi.export("keycloakRealm", keycloak.realm)
    pulumi.export("keycloakClientId", keycloak.client_id)
    pulumi.export("keycloakClientSecret", keycloak.client_secret)
    pulumi.export("keycloakUsers", keycloak.users)
    pulumi.export("keycloakAdminPassword", keycloak.admin_password)
