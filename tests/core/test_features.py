"""The feature table is the contract of the design: names, labs and prerequisites."""

from __future__ import annotations

from components.core.features import FEATURES, FEATURES_BY_NAME

# Copied from the design's feature table.
EXPECTED = {
    "gateway": (9, ()),
    "gateway-tls": (9, ("gateway",)),
    "traffic-policies": (10, ("gateway",)),
    "root-trust": (11, ()),
    "virtual-destinations": (12, ("root-trust", "gateway-tls")),
    "failover": (12, ("virtual-destinations",)),
    "zero-trust": (13, ("gateway",)),
    "httpbin-workspace": (14, ()),
    "external-service": (15, ("httpbin-workspace", "gateway-tls")),
    "keycloak": (16, ()),
    "oauth": (17, ("keycloak", "httpbin-workspace", "gateway-tls")),
    "opa": (17, ("oauth",)),
    "jwt": (18, ("oauth",)),
    "transformation": (19, ("jwt",)),
    "rate-limit": (20, ("transformation",)),
    "waf": (21, ("gateway",)),
}


def test_all_sixteen_features_with_their_lab_and_prerequisites() -> None:
    assert {f.name: (f.lab, f.needs) for f in FEATURES} == EXPECTED


def test_prerequisites_are_known_features_listed_earlier() -> None:
    order = [f.name for f in FEATURES]
    for feature in FEATURES:
        for need in feature.needs:
            assert need in FEATURES_BY_NAME
            assert order.index(need) < order.index(feature.name)
