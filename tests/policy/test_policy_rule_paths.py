"""The mandatory rules on the paths the seeded-mistake tests do not take: each asserts the resource and
the whole message, so a one-token change of a rule (a dropped branch, a flipped test, a changed word)
fails here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from policy.rules import HELM_RELEASE, Resource, SecretValue
from tests.support.fakes.policy_world import PLAINTEXT, add, mutate, obj, run, workshop

STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"


def urn_of(resources: list[Resource], kind: str, name: str) -> str:
    [found] = [r.urn for r in resources if r.kind == kind and r.k8s_name == name]
    return found


# sensitive-values-are-secrets ------------------------------------------------------------------------


def test_a_plaintext_credential_in_a_secrets_string_data_is_flagged() -> None:
    world = mutate(workshop(), "Secret", "oauth", lambda p: p.update(stringData={
        "client-secret": "s3cret", "client-id": "workshop", "nested": {"password": "pw"}}))
    assert run("sensitive-values-are-secrets", world) == [
        ("Secret httpbin/oauth on cluster1", f"stringData.client-secret {PLAINTEXT}"),
        ("Secret httpbin/oauth on cluster1", f"stringData.nested.password {PLAINTEXT}")]
    wrapped = mutate(workshop(), "Secret", "oauth", lambda p: p.update(stringData={"client-secret": SecretValue("s")}))
    assert run("sensitive-values-are-secrets", wrapped) == []
    whole = mutate(workshop(), "Secret", "oauth", lambda p: p.update(stringData=SecretValue({"client-secret": "s"})))
    assert run("sensitive-values-are-secrets", whole) == []


def test_a_plaintext_credential_in_a_config_maps_data_or_binary_data_is_flagged() -> None:
    world = mutate(workshop(), "ConfigMap", "allow-solo-email-users", lambda p: p.update(
        data={"policy.rego": "package test", "apiKey": "k"}, binaryData={"token": "dG9rZW4="}))
    assert run("sensitive-values-are-secrets", world) == [
        ("ConfigMap httpbin/allow-solo-email-users on cluster1", f"data.apiKey {PLAINTEXT}"),
        ("ConfigMap httpbin/allow-solo-email-users on cluster1", f"binaryData.token {PLAINTEXT}")]


def test_only_secrets_config_maps_and_release_values_are_read_for_credentials() -> None:
    world, _ = add(workshop(), "cluster1", obj("ExtAuthServer", "odd", "httpbin", data={"password": "pw"}))
    assert run("sensitive-values-are-secrets", world) == []


# namespace-exists ------------------------------------------------------------------------------------
def namespace_message(field: str, namespace: str, cluster: str) -> str:
    return (f"{field} {namespace!r} is neither declared on {cluster} by the stack nor known to exist there; the "
            "API server rejects the object. Fix: declare the Namespace on that cluster (and make the object "
            "depend on it) or correct the namespace.")


def keycloak_release(cluster: str = "cluster1", **props: Any) -> Resource:
    return Resource(type=HELM_RELEASE, name="kc", urn=f"urn:kc:{cluster}", cluster=cluster, props={
        "name": "keycloak", "namespace": "keycloak", "chart": "keycloak", "values": {}, **props})


def test_an_object_in_a_declared_helm_releases_namespace_passes_on_that_cluster_only() -> None:
    release = keycloak_release(createNamespace=True)
    world, _ = add([*workshop(), release], "cluster1", obj("ConfigMap", "realm", "keycloak"))
    assert run("namespace-exists", world) == []
    elsewhere, _ = add([*workshop(), release], "cluster2", obj("ConfigMap", "realm", "keycloak"))
    assert run("namespace-exists", elsewhere) == [
        ("ConfigMap keycloak/realm on cluster2", namespace_message("metadata.namespace", "keycloak", "cluster2"))]


def test_every_object_is_checked_after_one_that_passes() -> None:
    world, _ = add([*workshop(), keycloak_release(createNamespace=True)], "cluster1", obj("ConfigMap", "a", "keycloak"))
    world, _ = add(world, "cluster9", obj("ConfigMap", "b", "default"))  # a namespace every cluster has
    world, _ = add(world, "cluster1", obj("ConfigMap", "c", "keycloak-x"))
    assert run("namespace-exists", world) == [
        ("ConfigMap keycloak-x/c on cluster1", namespace_message("metadata.namespace", "keycloak-x", "cluster1"))]


MANAGEMENT_REFERENCE = ("urn:pulumi:dev-cluster1::gloo-mesh-workshop::gloo-mesh-workshop:platform:Fleet$"
                        "gloo-mesh-workshop:platform:ManagementReference::management")


def test_a_workload_stack_knows_the_management_planes_namespace_through_its_reference() -> None:
    # In a fleet's workload stack, objects under the ManagementReference go into the management stack's
    # gloo-mesh namespace on the management cluster, which this stack does not declare.
    world, urn = add([], "mgmt", obj("KubernetesCluster", "cluster1", "gloo-mesh"))
    under = [replace(r, parent=MANAGEMENT_REFERENCE) for r in world]
    assert run("namespace-exists", under) == []
    other = MANAGEMENT_REFERENCE.replace("ManagementReference", "Agent")
    assert run("namespace-exists", [replace(r, parent=other) for r in world]) == [
        ("KubernetesCluster gloo-mesh/cluster1 on mgmt", namespace_message("metadata.namespace", "gloo-mesh", "mgmt"))]
    elsewhere, _ = add(under, "cluster1", obj("ConfigMap", "x", "gloo-mesh"))
    assert run("namespace-exists", elsewhere) == [
        ("ConfigMap gloo-mesh/x on cluster1", namespace_message("metadata.namespace", "gloo-mesh", "cluster1"))]


def test_a_release_does_not_vouch_for_its_own_namespace_nor_for_another_releases() -> None:
    # The release's namespace is known to its objects only; the release itself needs it to exist.
    first, second = keycloak_release(), replace(keycloak_release(), urn="urn:kc2", props={
        **keycloak_release().props, "name": "keycloak-config"})
    assert run("namespace-exists", [*workshop(), first, second]) == [
        ("Release keycloak/keycloak on cluster1", namespace_message("namespace", "keycloak", "cluster1")),
        ("Release keycloak/keycloak-config on cluster1", namespace_message("namespace", "keycloak", "cluster1"))]
    created = replace(first, props={**first.props, "createNamespace": True})
    assert run("namespace-exists", [*workshop(), created, second]) == [
        ("Release keycloak/keycloak-config on cluster1", namespace_message("namespace", "keycloak", "cluster1"))]


def test_a_gateway_revisions_namespace_is_known_on_its_clusters() -> None:
    # Gloo's GatewayLifecycleManager installs into gm-iop-<gatewayRevision>; it creates no istio-system.
    manager = obj("GatewayLifecycleManager", "cluster1-ingress", "gloo-mesh", {"installations": [
        {"clusters": [{"name": "cluster1"}], "gatewayRevision": "1-18", "istioOperatorSpec": {}}]})
    world, _ = add(workshop(), "mgmt", manager)
    world, _ = add(world, "cluster1", obj("ConfigMap", "x", "gm-iop-1-18"))
    assert run("namespace-exists", world) == []
    world, _ = add(world, "cluster2", obj("ConfigMap", "x", "gm-iop-1-18"))
    world, _ = add(world, "cluster3", obj("ConfigMap", "y", "istio-system"))
    assert run("namespace-exists", world) == [
        ("ConfigMap gm-iop-1-18/x on cluster2", namespace_message("metadata.namespace", "gm-iop-1-18", "cluster2")),
        ("ConfigMap istio-system/y on cluster3", namespace_message("metadata.namespace", "istio-system", "cluster3"))]


def test_an_istio_operator_namespace_is_known_where_the_lifecycle_manager_installs() -> None:
    manager = obj("IstioLifecycleManager", "cluster3-installation", "gloo-mesh", {"installations": [
        {"clusters": [{"name": "cluster3"}], "revision": "1-17", "istioOperatorSpec": {"namespace": "istio-x"}}]})
    world, _ = add(workshop(), "mgmt", manager)
    for namespace in ("istio-x", "gm-iop-1-17"):
        world, _ = add(world, "cluster3", obj("ConfigMap", namespace, namespace))
    assert run("namespace-exists", world) == []
    world, _ = add(world, "cluster3", obj("ConfigMap", "y", "istio-system"))
    assert run("namespace-exists", world) == [
        ("ConfigMap istio-system/y on cluster3", namespace_message("metadata.namespace", "istio-system", "cluster3"))]


# forward-to-exported -----------------------------------------------------------------------------------
def to_details(props: dict[str, Any]) -> None:
    props["spec"]["http"][0]["forwardTo"]["destinations"][0]["ref"] = {"name": "details",
                                                                          "namespace": "bookinfo-backends"}


NOT_EXPORTED = [("RouteTable httpbin/httpbin on cluster1", (
    "spec.http[0].forwardTo.destinations[0] Service bookinfo-backends/details belongs to workspace bookinfo, which "
    "does not export it to this route's workspace httpbin; the route gets no endpoints. Fix: add an exportTo entry "
    "(workspaces: [{name: httpbin}], resources: [{kind: SERVICE}]) to that workspace's WorkspaceSettings, or point "
    "the route at a destination in its own workspace."))]


def exporting(*export: Any) -> list[Resource]:
    """The httpbin route forwarding to bookinfo's details, bookinfo exporting as given."""
    world = mutate(workshop(), "RouteTable", "httpbin", to_details)
    return mutate(world, "WorkspaceSettings", "bookinfo", lambda p: p["spec"].update(exportTo=list(export)))


def test_a_destination_not_exported_names_both_workspaces_and_the_fix() -> None:
    assert run("forward-to-exported", exporting()) == NOT_EXPORTED


def test_an_export_without_resources_exports_everything_to_its_workspaces() -> None:
    assert run("forward-to-exported", exporting({"workspaces": [{"name": "httpbin"}]})) == []
    assert run("forward-to-exported", exporting({"workspaces": [{"name": "gateways"}]})) == NOT_EXPORTED
    assert run("forward-to-exported", exporting({"workspaces": [{"name": "*"}]})) == []


@pytest.mark.parametrize(("resource", "exported"), [
    ({"kind": "SERVICE", "name": "details", "namespace": "bookinfo-backends"}, True),
    ({"name": "details"}, True),
    ({"kind": "ALL", "namespace": "bookinfo-backends"}, True),
    ({"kind": "SERVICE", "labels": {"app": "details"}}, True),
    ({"kind": "SERVICE", "name": "ratings", "namespace": "bookinfo-backends"}, False),
    ({"kind": "SERVICE", "name": "details", "namespace": "bookinfo-frontends"}, False),
    ({"kind": "VIRTUAL_DESTINATION", "name": "details"}, False),
    ({"kind": "SERVICE", "labels": {"app": "ratings"}}, False),
])
def test_an_exports_resources_filter_on_kind_name_namespace_and_labels(resource: dict[str, Any],
                                                                       exported: bool) -> None:
    found = run("forward-to-exported", exporting({"workspaces": [{"name": "httpbin"}], "resources": [resource]}))
    assert found == ([] if exported else NOT_EXPORTED)


@pytest.mark.parametrize("resources", [
    [{"kind": "VIRTUAL_DESTINATION"}, {"kind": "SERVICE"}],
    [{"labels": {"app": "ratings"}}, {"labels": {"app": "details"}}],
    [{"name": "ratings"}, {"name": "details"}],
    [{"namespace": "bookinfo-frontends"}, {"namespace": "bookinfo-backends"}],
])
def test_every_resource_of_an_export_is_tried(resources: list[dict[str, Any]]) -> None:
    assert run("forward-to-exported", exporting({"workspaces": [{"name": "httpbin"}], "resources": resources})) == []


def test_every_export_entry_is_tried() -> None:
    assert run("forward-to-exported", exporting(
        {"workspaces": [{"name": "gateways"}]},
        {"workspaces": [{"name": "gateways"}, {"name": "httpbin"}], "resources": [{"kind": "SERVICE"}]})) == []


def test_settings_outside_every_workspace_belong_to_the_workspace_of_their_name() -> None:
    moved = mutate(exporting({"workspaces": [{"name": "httpbin"}]}), "WorkspaceSettings", "bookinfo",
                   lambda p: p["metadata"].update(namespace="gloo-mesh"))  # on cluster1: in no workspace
    assert run("forward-to-exported", moved) == []
    renamed = mutate(moved, "WorkspaceSettings", "bookinfo", lambda p: p["metadata"].update(name="bookinfo-2"))
    assert run("forward-to-exported", renamed) == NOT_EXPORTED


def test_a_workspace_finds_its_namespaces_in_any_of_its_clusters() -> None:
    world = mutate(exporting({"workspaces": [{"name": "httpbin"}]}), "Workspace", "httpbin", lambda p: p["spec"].update(
        workloadClusters=[{"name": "cluster2", "namespaces": [{"name": "httpbin"}]},
                          {"name": "cluster1", "namespaces": [{"name": "other"}, {"name": "httpbin"}]}]))
    assert run("forward-to-exported", world) == []


@pytest.mark.parametrize(("workspace", "exported"), [
    ({"selector": {"allow_ingress": "true"}}, True),
    ({"selector": {"allow_ingress": "false"}}, False),
    ({"selector": {"other": "true"}}, False),
    ({}, False),
])
def test_an_export_selects_its_workspaces_by_label(workspace: dict[str, Any], exported: bool) -> None:
    # The httpbin Workspace carries allow_ingress: 'true'; an entry with neither name nor selector selects none.
    found = run("forward-to-exported", exporting({"workspaces": [workspace], "resources": [{"kind": "SERVICE"}]}))
    assert found == ([] if exported else NOT_EXPORTED)


@pytest.mark.parametrize("clusters", [[], [{"name": "cluster2", "namespaces": [{"name": "httpbin"}]}]])
def test_a_route_outside_every_workspace_is_reported_once(clusters: list[dict[str, Any]]) -> None:
    world = mutate(exporting(), "Workspace", "httpbin", lambda p: p["spec"].update(workloadClusters=clusters))
    assert run("forward-to-exported", world) == [("RouteTable httpbin/httpbin on cluster1", (
        "is in namespace httpbin on cluster1, which no Workspace (spec.workloadClusters[].namespaces) contains, so "
        "Gloo ignores its spec.http[0].forwardTo. Fix: add the namespace to a Workspace."))]


def test_entries_that_are_no_mappings_are_skipped() -> None:
    world = exporting("junk", {"workspaces": [{"name": "httpbin"}], "resources": ["junk", {"kind": "SERVICE"}]})
    world = mutate(world, "Workspace", "httpbin", lambda p: p["spec"]["workloadClusters"].insert(0, "junk"))
    assert run("forward-to-exported", world) == []


# delegation --------------------------------------------------------------------------------------------------
def delegating(*selectors: dict[str, Any]) -> list[Resource]:
    return mutate(workshop(), "RouteTable", "main",
                  lambda p: p["spec"]["http"][0]["delegate"].update(routeTables=list(selectors)))


def orphan_message(labels: str) -> str:
    return (f"has no spec.hosts or spec.virtualGateways, so only delegation reaches it, but no RouteTable's "
            f"spec.http[].delegate.routeTables selects its labels {labels}; its routes serve nothing. Fix: label it "
            "for the parent's delegate selector (expose: 'true' for the main RouteTable) or give it hosts and "
            "virtualGateways (advisory: a parent may live in another stack).")


def test_delegation_by_name_selects_the_named_route_table() -> None:
    by_name = delegating({"name": "productpage", "namespace": "bookinfo-frontends"})
    assert run("delegation-selector-matches", by_name) == []
    # the productpage table has a parent; the httpbin table, selected by label before, has none now
    assert run("delegated-route-table-has-parent", by_name) == [
        ("RouteTable httpbin/httpbin on cluster1", orphan_message("{expose: 'true'}"))]
    assert run("delegation-selector-matches", delegating({"name": "productpage"})) == []


@pytest.mark.parametrize(("selector", "shown"), [
    ({"name": "productpages", "namespace": "bookinfo-frontends"}, "name 'productpages', namespace 'bookinfo-frontends'"),
    ({"name": "productpage", "namespace": "bookinfo-backends"}, "name 'productpage', namespace 'bookinfo-backends'"),
    ({"name": "productpage", "labels": {"expose": "no"}}, "{expose: 'no'}, name 'productpage'"),
    ({"labels": {"expose": "yes"}}, "{expose: 'yes'}"),
    ({"name": "main"}, "name 'main'"),  # a table does not delegate to itself
])
def test_a_delegation_that_selects_nothing_names_its_selector(selector: dict[str, Any], shown: str) -> None:
    assert run("delegation-selector-matches", delegating(selector)) == [("RouteTable istio-gateways/main on cluster1", (
        f"spec.http[0].delegate.routeTables[0] {shown} selects no RouteTable, so every request on this route gets a "
        "404. Fix: label the child RouteTable (metadata.labels) or name it as the selector does, or correct the "
        "selector."))]


def test_a_delegate_entry_that_is_no_mapping_selects_every_table() -> None:
    assert run("delegation-selector-matches", delegating("expose")) == []  # type: ignore[arg-type]


def test_a_route_table_on_a_virtual_gateway_or_workloads_needs_no_parent() -> None:
    gateway = {"name": "north-south-gw", "namespace": "istio-gateways", "cluster": "cluster1"}
    world, _ = add(workshop(), "cluster1", obj("RouteTable", "vg-only", "istio-gateways", {
        "virtualGateways": [gateway], "http": [{"name": "x"}]}))
    world, _ = add(world, "cluster1", obj("RouteTable", "mesh-only", "bookinfo-backends", {
        "workloadSelectors": [{"selector": {"labels": {"app": "reviews"}}}], "http": [{"name": "y"}]}))
    world, _ = add(world, "cluster1", obj("RouteTable", "hosts-only", "bookinfo-backends", {
        "hosts": ["reviews.bookinfo-backends.svc.cluster.local"], "http": [{"name": "w"}]}))
    assert run("delegated-route-table-has-parent", world) == []
    world, _ = add(world, "cluster1", obj("RouteTable", "nowhere", "istio-gateways", {
        "virtualGateways": [], "hosts": [], "http": [{"name": "z"}]}, {"team": "a"}))
    assert run("delegated-route-table-has-parent", world) == [
        ("RouteTable istio-gateways/nowhere on cluster1", orphan_message("{team: 'a'}"))]


# injected workloads --------------------------------------------------------------------------------------------
def workload(kind: str, namespace: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return obj(kind, f"{kind.lower()}-1", namespace,
               {"template": {"metadata": {"labels": {"app": "x", **(labels or {})}}}})


def sidecar_message(why: str, detail: str = "does not wait for the IstioLifecycleManager that installs Istio "
                    "there") -> str:
    return (f"gets an Istio sidecar ({why}) and {detail}; its pods start before the injector and run without a "
            "sidecar until restarted. Fix: add the cluster's IstioLifecycleManager (IstioLifecycle.ready) to its "
            "depends_on.")


@pytest.mark.parametrize(("kind", "type_"), [("StatefulSet", STATEFUL_SET), ("DaemonSet", DAEMON_SET)])
def test_stateful_sets_and_daemon_sets_are_workloads_that_wait_for_istio(kind: str, type_: str) -> None:
    world, _ = add(workshop(), "cluster1", workload(kind, "bookinfo-backends"), type_=type_)
    world, _ = add(world, "cluster1", workload(kind, "httpbin", {"istio.io/rev": "1-17"}), type_=type_)
    name = f"{kind.lower()}-1"
    assert run("injected-workload-waits-for-istio", world) == [
        (f"{kind} bookinfo-backends/{name} on cluster1",
         sidecar_message("namespace bookinfo-backends has label istio.io/rev")),
        (f"{kind} httpbin/{name} on cluster1",
         sidecar_message("spec.template.metadata.labels has istio.io/rev"))]
    ilm = urn_of(world, "IstioLifecycleManager", "cluster1-installation")
    waiting, _ = add(workshop(), "cluster1", workload(kind, "bookinfo-backends"), (ilm,), type_)
    assert run("injected-workload-waits-for-istio", waiting) == []


def test_every_workload_is_checked_after_one_that_is_opted_out_or_not_injected() -> None:
    world, _ = add(workshop(), "cluster1", workload("StatefulSet", "bookinfo-backends", {"sidecar.istio.io/inject": "false"}),
                   type_=STATEFUL_SET)
    world, _ = add(world, "cluster1", obj("DaemonSet", "plain", "gloo-mesh", {"template": {}}), type_=DAEMON_SET)
    world, _ = add(world, "cluster1", workload("DaemonSet", "bookinfo-backends"), type_=DAEMON_SET)
    assert run("injected-workload-waits-for-istio", world) == [(
        "DaemonSet bookinfo-backends/daemonset-1 on cluster1",
        sidecar_message("namespace bookinfo-backends has label istio.io/rev"))]


def test_a_workload_waits_for_istio_through_what_it_waits_for() -> None:
    ilm = urn_of(workshop(), "IstioLifecycleManager", "cluster1-installation")
    world, step = add(workshop(), "cluster1", obj("ConfigMap", "step", "bookinfo-backends"), (ilm,))
    namespace = urn_of(world, "Namespace", "bookinfo-backends")
    # through another object, past one outside the stack and past one listed twice
    for deps in ((step,), (ilm, "urn:elsewhere"), (ilm, namespace, namespace)):
        waiting, _ = add(world, "cluster1", workload("StatefulSet", "bookinfo-backends"), deps, STATEFUL_SET)
        assert run("injected-workload-waits-for-istio", waiting) == [], deps


def test_a_workload_on_a_cluster_without_istio_is_told_so() -> None:
    world, _ = add(workshop(), "cluster2", workload("StatefulSet", "apps", {"istio.io/rev": "1-17"}),
                   type_=STATEFUL_SET)
    assert run("injected-workload-waits-for-istio", world) == [("StatefulSet apps/statefulset-1 on cluster2", (
        sidecar_message("spec.template.metadata.labels has istio.io/rev",
                        "but no IstioLifecycleManager of the stack installs Istio there")))]


@pytest.mark.parametrize("type_", ["kubernetes:batch/v1:Job", "kubernetes:apps/v1:ReplicaSet",
                                   "kubernetes:example.com/v1:StatefulSet"])
def test_other_kinds_are_not_workloads_here(type_: str) -> None:
    world, _ = add(workshop(), "cluster1", workload(type_.rsplit(":", 1)[1], "bookinfo-backends"), type_=type_)
    assert run("injected-workload-waits-for-istio", world) == []

