"""The feature-flag contract: the labs a stack can switch on, their prerequisites, and which are built.

Pure data and pure functions; no Pulumi. Labs 1-8 are always on and have no flag.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    name: str
    lab: int
    summary: str
    needs: tuple[str, ...] = ()
    available: bool = True


FEATURES: tuple[Feature, ...] = (
    Feature("gateway", 9, "VirtualGateway (HTTP 80), main RouteTable delegating to expose=true, productpage RouteTable"),
    Feature("gateway-tls", 9, "self-signed certificate as tls-secret on every workload cluster; 80 redirects to 443",
            ("gateway",)),
    Feature("traffic-policies", 10, "FaultInjectionPolicy, RetryTimeoutPolicy and their RouteTables", ("gateway",)),
    Feature("root-trust", 11, "RootTrustPolicy"),
    Feature("virtual-destinations", 12, "VirtualDestination productpage.global, VirtualGateway on all clusters",
            ("root-trust", "gateway-tls")),
    Feature("failover", 12, "FailoverPolicy and OutlierDetectionPolicy", ("virtual-destinations",)),
    Feature("zero-trust", 13, "service isolation on the bookinfo workspace and three AccessPolicies", ("gateway",)),
    Feature("httpbin-workspace", 14, "httpbin Workspace and WorkspaceSettings"),
    Feature("external-service", 15, "ExternalService httpbin.org and the httpbin /get route",
            ("httpbin-workspace", "gateway-tls")),
    Feature("keycloak", 16, "Keycloak on the management cluster with realm, OIDC client, mapper, two users"),
    Feature("oauth", 17, "OIDC authorization-code flow on the httpbin route",
            ("keycloak", "httpbin-workspace", "gateway-tls")),
    Feature("opa", 17, "OPA rule allowing only @solo.io emails", ("oauth",)),
    Feature("jwt", 18, "JWTPolicy: email claim to X-Email", ("oauth",)),
    Feature("transformation", 19, "TransformationPolicy: X-Email to X-Organization", ("jwt",)),
    Feature("rate-limit", 20, "3 requests per minute for solo.io", ("transformation",)),
    Feature("waf", 21, "WAFPolicy log4shell on the main route", ("gateway",)),
)

FEATURES_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
KNOWN_FEATURES: tuple[str, ...] = tuple(f.name for f in FEATURES)


def feature_errors(requested: list[str], key: str) -> list[str]:
    """Every problem with a requested feature list, each naming the config key."""
    errors: list[str] = []
    seen: set[str] = set()
    for name in requested:
        if name not in FEATURES_BY_NAME:
            errors.append(f"{key}: unknown feature {name!r}; known features are: {', '.join(KNOWN_FEATURES)}")
        elif name in seen:
            errors.append(f"{key}: feature {name!r} is listed twice")
        seen.add(name)
    for name in requested:
        feature = FEATURES_BY_NAME.get(name)
        if feature is None:
            continue
        if not feature.available:
            errors.append(f"{key}: feature {name!r} (lab {feature.lab}) is not available yet in this version")
        for need in feature.needs:
            if need not in seen:
                errors.append(f"{key}: feature {name!r} needs feature {need!r}; add {need!r} to {key}")
    return errors
