"""The feature table is the contract of the design: names, labs and prerequisites."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from components.core.features import FEATURES, FEATURES_BY_NAME, KNOWN_FEATURES, feature_errors

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


def test_every_problem_of_a_feature_list_is_reported_in_order_each_naming_the_key() -> None:
    # An unknown name does not stop the check of the names after it.
    assert feature_errors(["gateway-tlz", "gateway", "gateway", "oauth"], "features") == [
        f"features: unknown feature 'gateway-tlz'; known features are: {', '.join(KNOWN_FEATURES)}",
        "features: feature 'gateway' is listed twice",
        "features: feature 'oauth' needs feature 'keycloak'; add 'keycloak' to features",
        "features: feature 'oauth' needs feature 'httpbin-workspace'; add 'httpbin-workspace' to features",
        "features: feature 'oauth' needs feature 'gateway-tls'; add 'gateway-tls' to features",
    ]
    assert feature_errors(["gateway", "gateway-tls"], "features") == []


def test_a_feature_not_built_yet_is_refused_with_its_lab(monkeypatch: pytest.MonkeyPatch) -> None:
    waf = FEATURES_BY_NAME["waf"]
    monkeypatch.setitem(FEATURES_BY_NAME, "waf", replace(waf, available=False))
    assert feature_errors(["gateway", "waf"], "stacks.features") == [
        "stacks.features: feature 'waf' (lab 21) is not available yet in this version"]


def test_a_declared_feature_cannot_be_changed() -> None:
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'lab'"):
        FEATURES[0].lab = 1  # type: ignore[misc]
