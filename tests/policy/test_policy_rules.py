"""The policy rules: each passes on a correct stack and fails on one seeded with exactly its mistake.

Three kinds of stack: a hand-built one with the workshop's objects (`tests.policy_world`), the dev
stack under the mocks (seeded by mutating one of its resources), and every stack file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from offline.policy import resources
from offline.records import Simulation
from offline.runtime import simulate
from offline.stack_files import iter_stack_files, stack_config, with_fake_license
from policy import rules
from policy.rules import RULES, RULES_BY_NAME, Resource, SecretValue, Violation, check
from tests.support.fakes.policy_world import mutate, workshop

Seed = Callable[[list[Resource]], list[Resource]]


def fired(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def set_route_label(props: dict[str, Any]) -> None:
    props["spec"]["http"][0]["labels"] = {"oauth": "ture", "ratelimited": "true"}


def drop_from_list(path: tuple[str, ...], index: int) -> Callable[[dict[str, Any]], None]:
    def change(props: dict[str, Any]) -> None:
        target = props
        for key in path:
            target = target[key]
        del target[index]
    return change


def retarget(props: dict[str, Any]) -> None:
    props["spec"]["http"][0]["forwardTo"]["destinations"][0]["ref"] = {"name": "details",
                                                                          "namespace": "bookinfo-backends"}


def without_deps(resources_: list[Resource], kind: str, name: str) -> list[Resource]:
    return [replace(r, dependencies=tuple(d for d in r.dependencies if "IstioLifecycleManager" not in d
                                          and "CustomResource" not in d))
            if r.kind == kind and r.k8s_name == name else r for r in resources_]


WORLD_SEEDS: dict[str, tuple[str, Seed]] = {
    "route-selector-matches": ("the httpbin route's oauth label misspelt",
                               lambda rs: mutate(rs, "RouteTable", "httpbin", set_route_label)),
    "destination-selector-matches": ("the VirtualDestination loses its failover label", lambda rs: mutate(
        rs, "VirtualDestination", "productpage", lambda p: p["metadata"]["labels"].pop("failover"))),
    "delegation-selector-matches": ("the main route delegates to expose: 'yes'", lambda rs: mutate(
        rs, "RouteTable", "main",
        lambda p: p["spec"]["http"][0]["delegate"]["routeTables"][0].update(labels={"expose": "yes"}))),
    "delegated-route-table-has-parent": ("the productpage RouteTable loses its expose label", lambda rs: mutate(
        rs, "RouteTable", "productpage", lambda p: p["metadata"].pop("labels"))),
    "forward-to-declared": ("the ratings route forwards to 'rating'", lambda rs: mutate(
        rs, "RouteTable", "ratings",
        lambda p: p["spec"]["http"][0]["forwardTo"]["destinations"][0]["ref"].update(name="rating"))),
    "forward-to-exported": ("the httpbin route forwards to bookinfo's details, not exported",
                            lambda rs: mutate(rs, "RouteTable", "httpbin", retarget)),
    "server-refs-exist": ("the ExtAuthPolicy names 'ext-auth-servers'", lambda rs: mutate(
        rs, "ExtAuthPolicy", "httpbin", lambda p: p["spec"]["config"]["server"].update(name="ext-auth-servers"))),
    "namespace-exists": ("the WAFPolicy goes to namespace 'httbin'", lambda rs: mutate(
        rs, "WAFPolicy", "log4shell", lambda p: p["metadata"].update(namespace="httbin"))),
    "injected-workload-waits-for-istio": ("productpage-v1 does not wait for Istio",
                                          lambda rs: without_deps(rs, "Deployment", "productpage-v1")),
    "injected-chart-waits-for-istio": ("the addons release does not wait for Istio",
                                       lambda rs: without_deps(rs, "Release", "gloo-mesh-agent-addons")),
    "sensitive-values-are-secrets": ("the OIDC client secret in plain text", lambda rs: mutate(
        rs, "Secret", "oauth", lambda p: p["data"].update({"client-secret": "c2VjcmV0"}))),
}


def test_every_rule_has_a_seed() -> None:
    assert sorted(WORLD_SEEDS) == sorted(RULES_BY_NAME)
    assert sorted(DEV_SEEDS) == sorted(RULES_BY_NAME)


def test_the_workshop_as_written_passes_every_rule() -> None:
    assert check(workshop()) == []


@pytest.mark.parametrize("rule", sorted(WORLD_SEEDS))
def test_rule_catches_its_mistake_in_the_workshop(rule: str) -> None:
    _, seed = WORLD_SEEDS[rule]
    violations = check(seed(workshop()))
    assert rule in fired(violations), [v.line() for v in violations]
    mine = [v for v in violations if v.rule == rule]
    assert all(v.mandatory == RULES_BY_NAME[rule].mandatory for v in mine)
    # The message names the resource, the field and a fix.
    assert all(v.resource and "Fix:" in v.message for v in mine)
    assert RULES_BY_NAME[rule].run(workshop()) == []


def test_route_selector_message_names_policy_field_and_known_labels() -> None:
    violations = RULES_BY_NAME["route-selector-matches"].run(
        mutate(workshop(), "RouteTable", "httpbin", set_route_label))
    ext_auth = next(v for v in violations if v.resource.startswith("ExtAuthPolicy"))
    assert ext_auth.resource == "ExtAuthPolicy httpbin/httpbin on cluster1"
    assert "spec.applyToRoutes[0].route.labels {oauth: 'true'}" in ext_auth.message
    assert "{oauth: 'ture', ratelimited: 'true'}" in ext_auth.message
    assert ext_auth.mandatory


def test_forward_to_exported_follows_export_rules() -> None:
    # bookinfo exports productpage to gateways: a gateways route to it is fine ...
    def to_productpage(props: dict[str, Any]) -> None:
        props["spec"]["http"] = [{"name": "pp", "forwardTo": {"destinations": [
            {"ref": {"name": "productpage", "namespace": "bookinfo-frontends"}}]}}]
    world = mutate(workshop(), "RouteTable", "main", to_productpage)
    assert RULES_BY_NAME["forward-to-exported"].run(world) == []
    # ... but not once the export's label selector no longer matches.
    world = mutate(world, "WorkspaceSettings", "bookinfo",
                   lambda p: p["spec"]["exportTo"][0]["resources"][0]["labels"].update(app="product"))
    [violation] = RULES_BY_NAME["forward-to-exported"].run(world)
    assert "workspace bookinfo" in violation.message and "gateways" in violation.message


def test_chart_services_exist_only_when_the_chart_enables_them() -> None:
    rule = RULES_BY_NAME["server-refs-exist"]
    off = [replace(r, props={**r.props, "values": {**r.props["values"], "rate-limiter": {"enabled": False}}})
           if r.k8s_name == "gloo-mesh-agent-addons" else r for r in workshop()]
    found = rule.run(off)
    assert {v.resource for v in found} == {"RateLimitServerSettings httpbin/rate-limit-server on cluster1",
                                           "RateLimitServerConfig httpbin/httpbin on cluster1"}
    assert all("Service gloo-mesh-addons/rate-limiter on cluster1" in v.message for v in found)


def test_lifecycle_and_release_namespaces_are_known() -> None:
    rule = RULES_BY_NAME["namespace-exists"]
    w = workshop()
    extra = Resource(type="kubernetes:core/v1:ConfigMap", name="x", urn="urn:x", cluster="cluster1",
                     props={"kind": "ConfigMap", "metadata": {"name": "x", "namespace": "gm-iop-1-17"}})
    assert rule.run([*w, extra]) == []
    elsewhere = replace(extra, cluster="cluster2", urn="urn:y")
    assert [v.resource for v in rule.run([*w, elsewhere])] == ["ConfigMap gm-iop-1-17/x on cluster2"]
    release = Resource(type=rules.HELM_RELEASE, name="r", urn="urn:r", cluster="cluster1",
                       props={"name": "r", "namespace": "nowhere", "chart": "c", "values": {}})
    assert [v.rule for v in rule.run([*w, release])] == ["namespace-exists"]
    created = replace(release, props={**release.props, "createNamespace": True})
    assert rule.run([*w, created]) == []


def test_sidecar_label_on_the_pod_template_counts_and_inject_false_does_not() -> None:
    rule = RULES_BY_NAME["injected-workload-waits-for-istio"]
    assert rule.run(without_deps(workshop(), "Deployment", "in-mesh"))  # httpbin ns is not labelled
    opted_out = mutate(without_deps(workshop(), "Deployment", "details-v1"), "Deployment", "details-v1",
                       lambda p: p["spec"]["template"]["metadata"]["labels"].update(
                           {"sidecar.istio.io/inject": "false"}))
    assert rule.run(opted_out) == []


def test_waiting_for_a_component_waits_for_its_children() -> None:
    w = workshop()
    ilm = next(r for r in w if r.kind == "IstioLifecycleManager")
    component = Resource(type="gloo-mesh-workshop:platform:IstioLifecycle", name="istio", urn="urn:component",
                         props={}, custom=False)
    w = [replace(r, parent="urn:component") if r is ilm else r for r in w] + [component]
    w = without_deps(w, "Deployment", "productpage-v1")
    w = [replace(r, dependencies=("urn:component",)) if r.k8s_name == "productpage-v1" else r for r in w]
    assert RULES_BY_NAME["injected-workload-waits-for-istio"].run(w) == []


@pytest.mark.parametrize("key,sensitive", [
    ("password", True), ("adminPassword", True), ("client-secret", True), ("tls.key", True),
    ("licenseKey", True), ("token", True), ("privateKey", True),
    ("secretName", False), ("clientSecretRef", False), ("tls.crt", False), ("tokenSource", False),
    ("existingSecret", False), ("policy.rego", False),
])
def test_sensitive_key_names(key: str, sensitive: bool) -> None:
    assert rules.is_sensitive_key(key) is sensitive


def test_sensitive_values_in_helm_values_and_env_lists() -> None:
    rule = RULES_BY_NAME["sensitive-values-are-secrets"]
    release = Resource(type=rules.HELM_RELEASE, name="kc", urn="urn:kc", cluster="mgmt", props={
        "name": "kc", "namespace": "gloo-mesh", "chart": "keycloak", "values": {
            "auth": {"adminPassword": "admin"}, "extraEnv": [{"name": "KC_DB_PASSWORD", "value": "pw"}],
            "tls": {"secretName": "tls-secret"}, "licenseKey": SecretValue("fine")}})
    paths = sorted(v.message.split(" holds")[0] for v in rule.run([release]))
    assert paths == ["values.auth.adminPassword", "values.extraEnv[0].value (env KC_DB_PASSWORD)"]
    # Where secrets cannot be told apart (the CrossGuard pack), the rule does not guess.
    assert rule.run([replace(release, secrets_marked=False)]) == []


# The dev stack --------------------------------------------------------------------------------
def first(rs: list[Resource], predicate: Callable[[Resource], bool], what: str) -> Resource:
    found = [r for r in rs if r.custom and not r.read and predicate(r)]
    assert found, f"the dev stack declares no {what}"
    return found[0]


def change(rs: list[Resource], target: Resource, edit: Callable[[dict[str, Any]], Any]) -> list[Resource]:
    props = copy.deepcopy(dict(target.props))
    edit(props)
    return [replace(r, props=props) if r.urn == target.urn else r for r in rs]


def seed_route_selector(rs: list[Resource]) -> list[Resource]:
    policy = first(rs, lambda r: bool(r.spec.get("applyToRoutes")), "policy with applyToRoutes")
    return change(rs, policy, lambda p: p["spec"]["applyToRoutes"][0]["route"].setdefault(
        "labels", {}).update(seeded="typo"))


def seed_destination_selector(rs: list[Resource]) -> list[Resource]:
    policy = first(rs, lambda r: any((e.get("selector") or {}).get("labels")
                                     for e in r.spec.get("applyToDestinations", [])),
                   "policy with applyToDestinations labels")
    return change(rs, policy, lambda p: next(e for e in p["spec"]["applyToDestinations"]
                                             if (e.get("selector") or {}).get("labels"))["selector"]["labels"]
                  .update(seeded="typo"))


def _delegates(r: Resource) -> bool:
    return r.kind == "RouteTable" and any("delegate" in h for h in r.spec.get("http", []))


def seed_delegation(rs: list[Resource]) -> list[Resource]:
    table = first(rs, _delegates, "delegating RouteTable")
    return change(rs, table, lambda p: next(h for h in p["spec"]["http"] if "delegate" in h)["delegate"][
        "routeTables"][0].setdefault("labels", {}).update(seeded="typo"))


def seed_orphan(rs: list[Resource]) -> list[Resource]:
    child = first(rs, lambda r: r.kind == "RouteTable" and not r.spec.get("hosts") and r.labels,
                  "delegated RouteTable")
    return change(rs, child, lambda p: p["metadata"].update(labels={"seeded": "orphan"}))


def _forwards(r: Resource) -> bool:
    return r.kind == "RouteTable" and any(d.get("ref") for h in r.spec.get("http", [])
                                          for d in (h.get("forwardTo") or {}).get("destinations", []))


def _first_ref(p: dict[str, Any]) -> dict[str, Any]:
    return next(d["ref"] for h in p["spec"]["http"] for d in (h.get("forwardTo") or {}).get("destinations", [])
                if d.get("ref"))


def seed_forward_declared(rs: list[Resource]) -> list[Resource]:
    table = first(rs, _forwards, "RouteTable with forwardTo")
    return change(rs, table, lambda p: _first_ref(p).update(name=_first_ref(p)["name"] + "-typo"))


def seed_forward_exported(rs: list[Resource]) -> list[Resource]:
    stack = rules.Stack(rs)
    details = first(rs, lambda r: r.kind == "Service" and r.k8s_name == "details", "details Service")
    details_ws = stack.workspace_of(details.cluster, details.namespace)
    table = first(rs, lambda r: _forwards(r) and (ws := stack.workspace_of(r.cluster, r.namespace)) is not None
                  and details_ws is not None and ws.urn != details_ws.urn,
                  "RouteTable with forwardTo outside the bookinfo workspace")
    return change(rs, table, lambda p: _first_ref(p).update(name="details", namespace=details.namespace))


def seed_server_ref(rs: list[Resource]) -> list[Resource]:
    policy = first(rs, lambda r: r.kind == "ExtAuthPolicy", "ExtAuthPolicy")
    return change(rs, policy, lambda p: p["spec"]["config"]["server"].update(name="seeded-typo"))


def seed_namespace(rs: list[Resource]) -> list[Resource]:
    service = first(rs, lambda r: r.kind == "Service" and r.k8s_name == "istio-ingressgateway", "ingress Service")
    return change(rs, service, lambda p: p["metadata"].update(namespace="istio-gateway"))


def _injected(rs: list[Resource], kinds: tuple[str, ...]) -> Resource:
    injected = {(r.cluster, r.k8s_name) for r in rs if r.kind == "Namespace" and "istio.io/rev" in r.labels}
    return first(rs, lambda r: r.type in kinds and (r.cluster, r.namespace) in injected,
                 f"{' or '.join(k.split(':')[-1] for k in kinds)} in an injected namespace")


def _cut_from_istio(rs: list[Resource], target: Resource) -> list[Resource]:
    return [replace(r, dependencies=()) if r.urn == target.urn else r for r in rs]


def seed_injected_workload(rs: list[Resource]) -> list[Resource]:
    return _cut_from_istio(rs, _injected(rs, rules.WORKLOAD_TYPES))


def seed_injected_chart(rs: list[Resource]) -> list[Resource]:
    return _cut_from_istio(rs, _injected(rs, (rules.HELM_RELEASE,)))


def seed_plaintext(rs: list[Resource]) -> list[Resource]:
    enterprise = first(rs, lambda r: r.type == rules.HELM_RELEASE and r.k8s_name == "gloo-mesh-enterprise",
                       "management-plane release")
    return change(rs, enterprise, lambda p: p["values"].update(licenseKey=rules.plain(p["values"]["licenseKey"])))


DEV_SEEDS: dict[str, Seed] = {
    "route-selector-matches": seed_route_selector,
    "destination-selector-matches": seed_destination_selector,
    "delegation-selector-matches": seed_delegation,
    "delegated-route-table-has-parent": seed_orphan,
    "forward-to-declared": seed_forward_declared,
    "forward-to-exported": seed_forward_exported,
    "server-refs-exist": seed_server_ref,
    "namespace-exists": seed_namespace,
    "injected-workload-waits-for-istio": seed_injected_workload,
    "injected-chart-waits-for-istio": seed_injected_chart,
    "sensitive-values-are-secrets": seed_plaintext,
}


@pytest.fixture(scope="module")
def dev_resources(dev_sim: Simulation) -> list[Resource]:
    return resources(dev_sim)


def test_dev_stack_passes_every_rule(dev_resources: list[Resource]) -> None:
    assert [v.line() for v in check(dev_resources)] == []


@pytest.mark.parametrize("rule", sorted(DEV_SEEDS))
def test_rule_catches_its_mistake_in_the_dev_stack(rule: str, dev_resources: list[Resource]) -> None:
    seeded = DEV_SEEDS[rule](list(dev_resources))
    assert RULES_BY_NAME[rule].run(dev_resources) == []
    assert RULES_BY_NAME[rule].run(seeded), f"{rule} did not catch the seeded mistake"


@pytest.mark.parametrize("path", list(iter_stack_files()), ids=lambda p: p.name)
def test_every_stack_file_passes_every_rule(path: Any) -> None:
    config, _ = with_fake_license(stack_config(path))
    assert [v.line() for v in check(resources(simulate(config)))] == []


def test_rules_are_mandatory_unless_a_false_positive_is_plausible() -> None:
    advisory = sorted(r.name for r in RULES if not r.mandatory)
    assert advisory == ["delegated-route-table-has-parent", "destination-selector-matches",
                        "injected-chart-waits-for-istio"]
