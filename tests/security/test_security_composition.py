"""Feature prerequisites of labs 13-21, and the route-label contract between policies and routes."""

from __future__ import annotations

import pytest

from components.core import shapes
from components.core.config import ConfigError, parse_settings
from offline.records import Simulation
from tests.support.scenarios import ALL, simulation
from tests.support.simulation import LICENSE

# The feature table of DESIGN.md (contract).
NEEDS = {
    "zero-trust": ("gateway",),
    "keycloak": (),
    "oauth": ("keycloak", "httpbin-workspace", "gateway-tls"),
    "opa": ("oauth",),
    "jwt": ("oauth",),
    "transformation": ("jwt",),
    "rate-limit": ("transformation",),
    "waf": ("gateway",),
}
CASES = [(feature, need) for feature, needs in NEEDS.items() for need in needs]


@pytest.mark.parametrize(("feature", "need"), CASES, ids=[f"{f}-needs-{n}" for f, n in CASES])
def test_missing_prerequisite_is_an_error_naming_both(feature: str, need: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_settings({"licenseKey": LICENSE, "features": [f for f in ALL if f != need]})
    assert f"feature {feature!r} needs feature {need!r}" in str(error.value)


@pytest.mark.parametrize("feature", NEEDS)
def test_feature_with_its_prerequisites_is_accepted(feature: str) -> None:
    closure, todo = set(), [feature]
    while todo:
        name = todo.pop()
        if name not in closure:
            closure.add(name)
            todo.extend({**NEEDS, "gateway-tls": ("gateway",)}.get(name, ()))
    assert parse_settings({"licenseKey": LICENSE, "features": sorted(closure)}).has(feature)


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulation()


def _route_selectors(sim: Simulation) -> list[tuple[str, str | None, dict[str, str]]]:
    return [(r.kind, r.cluster, s["route"]["labels"]) for r in sim.records if r.custom and not r.read
            for s in (r.spec.get("applyToRoutes") or []) if "route" in s]


def test_policies_select_the_plan_route_labels(sim: Simulation) -> None:
    expected = {
        "ExtAuthPolicy": [shapes.OAUTH_ROUTE_LABEL],
        "JWTPolicy": [shapes.OAUTH_ROUTE_LABEL],
        "TransformationPolicy": [shapes.OAUTH_ROUTE_LABEL],
        "RateLimitPolicy": [shapes.RATELIMITED_ROUTE_LABEL],
        "WAFPolicy": [shapes.WAF_ROUTE_LABEL],
    }
    selectors = _route_selectors(sim)
    assert {kind: [labels for k, _, labels in selectors if k == kind] for kind in expected} == expected


def test_every_route_selector_matches_a_route(sim: Simulation) -> None:
    routes = [(r.cluster, route.get("labels") or {}) for r in sim.select("RouteTable")
              for route in r.spec.get("http") or []]
    unmatched = [(kind, cluster, selected) for kind, cluster, selected in _route_selectors(sim)
                 if not any(c == cluster and selected.items() <= labels.items() for c, labels in routes)]
    assert unmatched == []


def test_management_cluster_as_workload_cluster_declares_each_object_once() -> None:
    sim = simulation(mgmtCluster="cluster1")
    assert sim.one("Deployment", name="keycloak").cluster == "cluster1"
    assert sim.one("ExtAuthPolicy", name="httpbin").cluster == "cluster1"
    keys = [(r.type, r.cluster, r.namespace, r.k8s_name) for r in sim.records
            if r.custom and not r.read and r.type.startswith("kubernetes:") and r.k8s_name]
    assert len(keys) == len(set(keys))


def test_preview_with_unknown_addresses_evaluates() -> None:
    from offline.runtime import simulate

    sim = simulate({"licenseKey": LICENSE, "features": list(ALL)}, preview=True)
    assert sim.one("JWTPolicy", name="httpbin").spec["config"]["providers"]["keycloak"]["tokenSource"] == {
        "headers": [{"name": "jwt"}]}
