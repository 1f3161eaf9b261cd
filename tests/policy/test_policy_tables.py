"""The tables the rules work from, entry by entry: every reference `server-refs-exist` follows, every
key name `sensitive-values-are-secrets` treats as a credential. Each entry is pinned by a test that
fails if it is changed or dropped (a `gmw mutate` run found them unpinned; docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from policy.rules import Resource
from policy.rules.secrets import is_sensitive_key
from policy.rules.stack import _path
from tests.support.fakes.policy_world import PLAINTEXT, add, mutate, obj, run, workshop

SERVICE_FIX = ("which neither the stack nor a chart it installs creates there; requests needing this server "
               "fail. Fix: correct the ref, or install the addons (gloo-mesh-agent chart with ext-auth-service / "
               "rate-limiter enabled, namespace gloo-mesh-addons) on that cluster.")


@pytest.mark.parametrize(("kind", "name", "change", "at"), [
    ("ExtAuthServer", "ext-auth-server", lambda p: p["spec"]["destinationServer"]["ref"].update(name="missing"),
     "spec.destinationServer.ref"),
    ("RateLimitServerSettings", "rate-limit-server",
     lambda p: p["spec"]["destinationServer"]["ref"].update(name="missing"), "spec.destinationServer.ref"),
    ("RateLimitServerConfig", "httpbin", lambda p: p["spec"]["destinationServers"][0]["ref"].update(name="missing"),
     "spec.destinationServers[0].ref"),
])
def test_each_server_s_service_ref_is_followed(kind: str, name: str, change: Any, at: str) -> None:
    assert run("server-refs-exist", mutate(workshop(), kind, name, change)) == [(
        f"{kind} httpbin/{name} on cluster1",
        f"{at} refers to Service gloo-mesh-addons/missing on cluster1, {SERVICE_FIX}")]


@pytest.mark.parametrize(("kind", "field", "target"), [
    ("ExtAuthPolicy", "server", "ExtAuthServer"),
    ("RateLimitPolicy", "serverSettings", "RateLimitServerSettings"),
    ("RateLimitPolicy", "ratelimitClientConfig", "RateLimitClientConfig"),
    ("RateLimitPolicy", "ratelimitServerConfig", "RateLimitServerConfig"),
])
def test_each_policy_s_server_and_config_ref_is_followed(kind: str, field: str, target: str) -> None:
    world = mutate(workshop(), kind, "httpbin", lambda p: p["spec"]["config"][field].update(name="missing"))
    assert run("server-refs-exist", world) == [(
        f"{kind} httpbin/httpbin on cluster1",
        f"spec.config.{field} refers to {target} httpbin/missing on cluster1, which the stack does not declare; "
        f"Gloo accepts the policy and the route fails closed. Fix: declare the {target} or correct the reference.")]


def test_a_ref_without_cluster_or_namespace_is_looked_up_beside_its_owner_and_named_so() -> None:
    world = mutate(workshop(), "ExtAuthPolicy", "httpbin", lambda p: p["spec"]["config"].update(
        server={"name": "missing"}))
    [(_, message)] = run("server-refs-exist", world)
    assert message.startswith("spec.config.server refers to ExtAuthServer httpbin/missing, which the stack")


@pytest.mark.parametrize("key", [
    "password", "passwd", "secret", "token", "licenseKey", "tls.key", "client-secret", "private_key", "apiKey",
    "access-key", "secretKey", "bearerToken", "sessionSecret",
    # by their endings
    "adminPassword", "sshPrivateKey", "oidcClientSecret", "stripeApiKey", "glooLicenseKey", "awsSecretKey",
])
def test_each_credential_key_name_is_sensitive(key: str) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize("key", ["username", "tokenUrl", "secretName", "tls.crt", "passwordPolicy", "apiKeyHeader"])
def test_key_names_that_only_mention_a_credential_are_not(key: str) -> None:
    assert not is_sensitive_key(key)


def test_an_empty_credential_is_no_plaintext_credential() -> None:
    world, _ = add(workshop(), "cluster1", obj("ConfigMap", "c", "httpbin", data={"password": ""}))
    assert run("sensitive-values-are-secrets", world) == []


def test_an_env_style_entry_counts_in_a_config_map_but_a_secret_s_data_keys_are_its_values() -> None:
    entry = {"name": "DB_PASSWORD", "value": "pw"}
    config_map, _ = add(workshop(), "cluster1", obj("ConfigMap", "c", "httpbin", data=entry))
    secret, _ = add(workshop(), "cluster1", obj("Secret", "s", "httpbin", data=entry))
    assert run("sensitive-values-are-secrets", config_map) == [
        ("ConfigMap httpbin/c on cluster1", f"data.value (env DB_PASSWORD) {PLAINTEXT}")]
    assert run("sensitive-values-are-secrets", secret) == []


# route rules: every entry of a list is checked, not only up to the first that passes ---------------------
ROUTE_FIX = ("selects no route in the stack, so Gloo applies the policy nowhere. Fix: put these labels on the route "
             "(RouteTable spec.http[].labels) or correct the selector; route labels in the stack: "
             "{fault_injection: 'true'}, {oauth: 'true', ratelimited: 'true'}, {waf: 'true'}.")


def test_a_policy_s_second_route_selector_is_checked_after_a_first_that_matches() -> None:
    world = mutate(workshop(), "FaultInjectionPolicy", "ratings-fault-injection", lambda p: p["spec"].update(
        applyToRoutes=[{"route": {"labels": {"fault_injection": "true"}}}, {"route": {"labels": {"nope": "x"}}}]))
    assert run("route-selector-matches", world) == [(
        "FaultInjectionPolicy bookinfo-backends/ratings-fault-injection on cluster1",
        f"spec.applyToRoutes[1].route.labels {{nope: 'x'}} {ROUTE_FIX}")]


def destination_fix(kind: str, kind_name: str, selector: str) -> str:
    return (f"spec.applyToDestinations[1] (kind {kind_name}) selector {selector} selects no {kind} the stack declares, "
            f"so the policy may apply to nothing. Fix: label the {kind} with these labels or correct the selector "
            "(advisory: a Service created by a chart is not visible here).")


def access_policy_selectors(*selectors: dict[str, Any]) -> list[Resource]:
    return mutate(workshop(), "AccessPolicy", "allow-ratings", lambda p: p["spec"].update(
        applyToDestinations=[{"selector": {"labels": {"app": "ratings"}}}, *selectors]))


def test_a_destination_selector_by_name_alone_is_checked_by_name_namespace_and_cluster() -> None:
    # no kind: a SERVICE; the second entry is checked after a first that matches
    by_name = {"selector": {"name": "ratings", "namespace": "bookinfo-backends", "cluster": "cluster1"}}
    assert run("destination-selector-matches", access_policy_selectors(by_name)) == []
    for wrong in ({"name": "rating"}, {"namespace": "bookinfo-frontends"}, {"cluster": "cluster2"}):
        selector = {**by_name["selector"], **wrong}
        assert run("destination-selector-matches", access_policy_selectors({"selector": selector})) == [(
            "AccessPolicy bookinfo-frontends/allow-ratings on cluster1",
            destination_fix("Service", "SERVICE", str(selector)))], wrong


def test_a_destination_selector_by_labels_names_its_labels() -> None:
    world = access_policy_selectors({"kind": "VIRTUAL_DESTINATION", "selector": {"labels": {"app": "nope"}}})
    assert run("destination-selector-matches", world) == [(
        "AccessPolicy bookinfo-frontends/allow-ratings on cluster1",
        destination_fix("VirtualDestination", "VIRTUAL_DESTINATION", "{app: 'nope'}"))]


def ratings_destinations(*destinations: dict[str, Any]) -> list[Resource]:
    first = {"ref": {"name": "ratings", "namespace": "bookinfo-backends"}, "port": {"number": 9080}}
    return mutate(workshop(), "RouteTable", "ratings", lambda p: p["spec"]["http"][0]["forwardTo"].update(
        destinations=[first, *destinations]))


def test_every_destination_of_a_route_is_looked_up_by_its_own_namespace_and_cluster() -> None:
    ok = {"ref": {"name": "details", "namespace": "bookinfo-backends", "cluster": "cluster1"}}
    assert run("forward-to-declared", ratings_destinations(ok)) == []
    elsewhere = {"ref": {"name": "details", "namespace": "bookinfo-backends", "cluster": "cluster2"}}
    assert run("forward-to-declared", ratings_destinations(elsewhere)) == [(
        "RouteTable bookinfo-backends/ratings on cluster1",
        "spec.http[0].forwardTo.destinations[1] refers to Service bookinfo-backends/details (kind SERVICE, cluster "
        "cluster2), which the stack does not declare; Gloo accepts the route and answers 503. Fix: declare the "
        "Service, correct the ref (name, namespace, kind), or if a chart creates it add it to "
        "policy.rules.EXTERNAL_SERVICES.")]
    # in the route's own namespace when the ref names none
    assert [m for _, m in run("forward-to-declared", ratings_destinations({"ref": {"name": "productpage"}}))] == [
        "spec.http[0].forwardTo.destinations[1] refers to Service bookinfo-backends/productpage (kind SERVICE), "
        "which the stack does not declare; Gloo accepts the route and answers 503. Fix: declare the Service, "
        "correct the ref (name, namespace, kind), or if a chart creates it add it to policy.rules.EXTERNAL_SERVICES."]


def test_a_destination_of_a_kind_the_rules_do_not_know_is_left_alone() -> None:
    custom = {"kind": "CUSTOM", "ref": {"name": "nope"}}
    assert run("forward-to-declared", ratings_destinations(custom)) == []
    assert run("forward-to-exported", ratings_destinations(custom)) == []


def test_every_destination_is_checked_for_its_export_past_a_visible_or_undeclared_one() -> None:
    # The ratings route is in workspace bookinfo; in-mesh (workspace httpbin) is exported to gateways only.
    not_exported = {"ref": {"name": "in-mesh", "namespace": "httpbin"}, "port": {"number": 8000}}
    undeclared = {"ref": {"name": "nope", "namespace": "httpbin"}}
    assert run("forward-to-exported", ratings_destinations(undeclared, not_exported)) == [(
        "RouteTable bookinfo-backends/ratings on cluster1",
        "spec.http[0].forwardTo.destinations[2] Service httpbin/in-mesh belongs to workspace httpbin, which does not "
        "export it to this route's workspace bookinfo; the route gets no endpoints. Fix: add an exportTo entry "
        "(workspaces: [{name: bookinfo}], resources: [{kind: SERVICE}]) to that workspace's WorkspaceSettings, or "
        "point the route at a destination in its own workspace.")]


def test_a_route_to_a_missing_external_service_names_its_kind() -> None:
    world = ratings_destinations({"kind": "EXTERNAL_SERVICE", "ref": {"name": "nope", "namespace": "httpbin"}})
    assert [m for _, m in run("forward-to-declared", world)] == [
        "spec.http[0].forwardTo.destinations[1] refers to ExternalService httpbin/nope (kind EXTERNAL_SERVICE), "
        "which the stack does not declare; Gloo accepts the route and answers 503. Fix: declare the ExternalService, "
        "correct the ref (name, namespace, kind), or if a chart creates it add it to policy.rules.EXTERNAL_SERVICES."]


def test_a_chart_released_into_an_injected_namespace_without_waiting_is_named_with_its_namespace() -> None:
    world = [replace(r, dependencies=()) if r.k8s_name == "gloo-mesh-agent-addons" else r for r in workshop()]
    assert run("injected-chart-waits-for-istio", world) == [(
        "Release gloo-mesh-addons/gloo-mesh-agent-addons on cluster1",
        "gets an Istio sidecar (release into namespace gloo-mesh-addons, which has label istio.io/rev; advisory: the "
        "chart may create no injected pods) and does not wait for the IstioLifecycleManager that installs Istio "
        "there; its pods start before the injector and run without a sidecar until restarted. Fix: add the "
        "cluster's IstioLifecycleManager (IstioLifecycle.ready) to its depends_on.")]


def test_a_resource_that_is_no_kubernetes_object_needs_no_namespace() -> None:
    provider = Resource(type="pulumi:providers:kubernetes", name="c1", urn="urn:provider", cluster="cluster1",
                        props={"metadata": {"namespace": "nowhere"}})
    other = Resource(type="random:index/randomPassword:RandomPassword", name="pw", urn="urn:pw", cluster="cluster1",
                     props={"metadata": {"name": "pw", "namespace": "nowhere"}})
    assert run("namespace-exists", [*workshop(), provider, other]) == []


def test_a_values_path_tries_the_longest_keys_first() -> None:
    assert _path({"a.b": {"c": True}}, "a.b.c") is True
    assert _path({"a": {"b.c": 1}}, "a.b.c") == 1
    assert _path({"a": {"b": 2}}, "a.c") is None


def test_a_destination_in_a_workspace_without_a_name_is_said_to_belong_to_workspace_question_mark() -> None:
    not_exported = {"ref": {"name": "in-mesh", "namespace": "httpbin"}, "port": {"number": 8000}}
    world = mutate(ratings_destinations(not_exported), "Workspace", "httpbin", lambda p: p["metadata"].pop("name"))
    [(_, message)] = run("forward-to-exported", world)
    assert message.startswith("spec.http[0].forwardTo.destinations[1] Service httpbin/in-mesh belongs to workspace ?,")


def test_a_server_ref_to_another_cluster_or_namespace_is_looked_up_there() -> None:
    elsewhere = mutate(workshop(), "ExtAuthServer", "ext-auth-server",
                       lambda p: p["spec"]["destinationServer"]["ref"].update(cluster="cluster2"))
    assert run("server-refs-exist", elsewhere) == [(
        "ExtAuthServer httpbin/ext-auth-server on cluster1",
        f"spec.destinationServer.ref refers to Service gloo-mesh-addons/ext-auth-service on cluster2, {SERVICE_FIX}")]
    for change, where in [({"cluster": "cluster2"}, "httpbin/ext-auth-server on cluster2"),
                          ({"namespace": "other"}, "other/ext-auth-server on cluster1")]:
        world = mutate(workshop(), "ExtAuthPolicy", "httpbin", lambda p, c=change: p["spec"]["config"]["server"].update(c))
        assert [m for _, m in run("server-refs-exist", world)] == [
            f"spec.config.server refers to ExtAuthServer {where}, which the stack does not declare; Gloo accepts the "
            "policy and the route fails closed. Fix: declare the ExtAuthServer or correct the reference."], change


def test_selector_entries_that_select_by_nothing_or_an_unknown_kind_are_passed_over_not_stopped_at() -> None:
    world = access_policy_selectors({"selector": {}}, {"kind": "CUSTOM", "selector": {"labels": {"app": "x"}}},
                                    {"selector": {"labels": {"app": "nope"}}})
    assert [m.split(" selects")[0] for _, m in run("destination-selector-matches", world)] == [
        "spec.applyToDestinations[3] (kind SERVICE) selector {app: 'nope'}"]


def test_destinations_without_a_name_are_passed_over_not_stopped_at() -> None:
    world = ratings_destinations({"ref": {}}, {"ref": {"name": "nope"}})
    assert [m.split(" refers")[0] for _, m in run("forward-to-declared", world)] == [
        "spec.http[0].forwardTo.destinations[2]"]
    world = ratings_destinations({"ref": {}}, {"ref": {"name": "in-mesh", "namespace": "httpbin"}})
    assert [m.split(" Service")[0] for _, m in run("forward-to-exported", world)] == [
        "spec.http[0].forwardTo.destinations[2]"]


def test_without_workspaces_no_export_is_checked() -> None:
    assert run("forward-to-exported", [r for r in workshop() if r.kind != "Workspace"]) == []


def test_a_destination_on_a_cluster_where_it_does_not_exist_is_left_to_forward_to_declared() -> None:
    elsewhere = {"ref": {"name": "in-mesh", "namespace": "httpbin", "cluster": "cluster2"}}
    assert run("forward-to-exported", ratings_destinations(elsewhere)) == []
    assert [m.split(" refers")[0] for _, m in run("forward-to-declared", ratings_destinations(elsewhere))] == [
        "spec.http[0].forwardTo.destinations[1]"]
