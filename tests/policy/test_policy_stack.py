"""`policy.rules.stack.Stack`, the view every rule reads: what counts as declared, which destinations
exist (declared, read, made by a chart, known outside), lookups by cluster and namespace, workspaces,
exports and waiting. Each edge is pinned with small stacks built here."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from policy.rules import HELM_RELEASE, UNKNOWN, Resource, SecretValue, Violation
from policy.rules.rule import PolicyRule
from policy.rules.stack import Stack, Target, _workspace_matches


def k8s(kind: str, name: str, namespace: str | None = "ns", cluster: str | None = "c1", **extra: Any) -> Resource:
    meta: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
    if "labels" in extra:
        meta["labels"] = extra.pop("labels")
    props = {"kind": kind, "metadata": meta, **({"spec": extra.pop("spec")} if "spec" in extra else {})}
    return Resource(type=f"kubernetes:v1:{kind}", name=name, urn=f"urn:{cluster}:{kind}:{namespace}:{name}",
                    props=props, cluster=cluster, **extra)


def release(chart: str, values: dict[str, Any], namespace: str = "addons") -> Resource:
    return Resource(type=HELM_RELEASE, name="r", urn=f"urn:release:{chart}", cluster="c1",
                    props={"name": "r", "namespace": namespace, "chart": chart, "values": values})


def services(stack: Stack) -> list[tuple[str, str | None, str | None, bool]]:
    return [(t.name, t.namespace, t.cluster, t.labels_known) for t in stack.targets if t.kind == "Service"]


def test_only_custom_resources_the_stack_creates_are_declared() -> None:
    kept = k8s("Service", "kept")
    stack = Stack([kept, k8s("Service", "read", read=True), k8s("Service", "component", custom=False),
                   Resource(type="pulumi:providers:kubernetes", name="c1", urn="urn:provider", props={})])
    assert stack.declared == [kept]


def test_a_chart_s_services_exist_when_its_switch_is_on_whatever_registry_the_chart_comes_from() -> None:
    agent = release("oci://registry/charts/gloo-mesh-agent", {"ext-auth-service": {"enabled": True},
                                                               "rate-limiter": {"enabled": True}})
    assert services(Stack([agent])) == [
        ("ext-auth-service", "addons", "c1", False), ("rate-limiter", "addons", "c1", False),
        ("redis", "addons", "c1", False), ("kubernetes", "default", None, False)]
    off = release("gloo-mesh-agent", {"ext-auth-service": {"enabled": False}, "rate-limiter": {"enabled": "yes"}})
    assert services(Stack([off])) == [("kubernetes", "default", None, False)]
    one = release("gloo-mesh-agent", {"ext-auth-service": {"enabled": False}, "rate-limiter": {"enabled": True}})
    assert [n for n, *_ in services(Stack([one]))] == ["rate-limiter", "redis", "kubernetes"]
    enterprise = release("gloo-mesh-enterprise", {}, namespace="gloo-mesh")
    assert [n for n, *_ in services(Stack([enterprise]))] == [
        "gloo-mesh-mgmt-server", "gloo-metrics-gateway", "gloo-mesh-ui", "gloo-mesh-redis", "kubernetes"]
    assert [n for n, *_ in services(Stack([release("other-gloo-mesh-agent", {"rate-limiter": {"enabled": True}})]))] \
        == ["kubernetes"]


def test_declared_and_read_destinations_exist_read_ones_with_labels_unknown() -> None:
    stack = Stack([k8s("Service", "declared", labels={"app": "a"}), k8s("Service", "read", read=True),
                   k8s("Service", "component", custom=False), k8s("VirtualDestination", "vd"),
                   k8s("Deployment", "not-a-destination")])
    assert [(t.kind, t.name, t.labels_known) for t in stack.targets] == [
        ("Service", "declared", True), ("Service", "read", False), ("VirtualDestination", "vd", True),
        ("Service", "kubernetes", False)]
    assert stack.targets[0].labels == {"app": "a"}


def test_a_lookup_without_cluster_or_namespace_matches_any_and_a_target_without_cluster_every_cluster() -> None:
    stack = Stack([k8s("Service", "s", cluster="c1")])
    assert [t.name for t in stack.find("Service", "s", None, None)] == ["s"]
    assert stack.find("Service", "s", "other", None) == [] and stack.find("Service", "s", None, "c2") == []
    assert [t.name for t in stack.find("Service", "kubernetes", "default", "any-cluster")] == ["kubernetes"]
    assert stack.exists("Service", "s", None, "c1") and not stack.exists("Service", "s", "ns", "c2")


def test_a_declared_object_of_another_kind_exists_by_name_namespace_and_cluster() -> None:
    stack = Stack([k8s("ExtAuthServer", "e", namespace="ns", cluster="c1")])
    assert stack.exists("ExtAuthServer", "e", None, None) and stack.exists("ExtAuthServer", "e", "ns", "c1")
    assert not stack.exists("ExtAuthServer", "e", "other", None)
    assert not stack.exists("ExtAuthServer", "e", None, "c2")
    assert not stack.exists("ExtAuthServer", "f", None, None)


def workspace(name: str, clusters: list[dict[str, Any]], labels: dict[str, str] | None = None) -> Resource:
    return k8s("Workspace", name, namespace="gloo-mesh", cluster="mgmt", spec={"workloadClusters": clusters},
               **({"labels": labels} if labels else {}))


def test_a_workspace_holds_namespaces_by_name_or_star_on_a_cluster_by_name_or_star() -> None:
    named = workspace("named", [{"name": "c1", "namespaces": [{"name": "a"}]}])
    any_ns = workspace("any-ns", [{"name": "c2", "namespaces": [{"name": "*"}]}])
    any_cluster = workspace("any-cluster", [{"name": "*", "namespaces": [{"name": "z"}]}])
    stack = Stack([named, any_ns, any_cluster])
    assert stack.workspace_of("c1", "a") is named
    assert stack.workspace_of("c2", "whatever") is any_ns
    assert stack.workspace_of("c9", "z") is any_cluster
    assert stack.workspace_of("c1", "b") is None


def exporting(export: dict[str, Any]) -> tuple[Stack, Resource, Resource]:
    source = workspace("source", [{"name": "c1", "namespaces": [{"name": "src"}]}])
    to = workspace("to", [{"name": "c1", "namespaces": [{"name": "dst"}]}], labels={"team": "a"})
    settings = k8s("WorkspaceSettings", "source", namespace="src", spec={"exportTo": [export]})
    return Stack([source, to, settings]), source, to


@pytest.mark.parametrize(("export", "exported"), [
    ({"workspaces": [{"name": "to"}]}, True),  # no resources: everything
    ({"workspaces": [{"name": "*"}], "resources": [{"kind": "ALL"}]}, True),
    ({"workspaces": [{"selector": {"team": "a"}}], "resources": [{}]}, True),  # no kind: ALL
    ({"workspaces": [{"selector": {"team": "b"}}]}, False),
    ({"workspaces": [{}]}, False),  # neither name nor selector: no workspace
    ({"workspaces": [{"name": "to"}], "resources": [{"kind": "VIRTUAL_DESTINATION"}]}, False),
    ({"workspaces": [{"name": "to"}], "resources": [{"labels": {"app": "x"}}]}, True),
    ({"workspaces": [{"name": "to"}], "resources": [{"labels": {"app": "y"}}]}, False),
    ({"workspaces": [{"name": "to"}], "resources": [{"name": "svc", "namespace": "src"}]}, True),
    ({"workspaces": [{"name": "to"}], "resources": [{"name": "other"}]}, False),
    ({"workspaces": [{"name": "to"}], "resources": [{"namespace": "other"}]}, False),
])
def test_an_export_by_workspace_kind_labels_name_and_namespace(export: dict[str, Any], exported: bool) -> None:
    stack, source, to = exporting(export)
    assert stack.exports(source, to, "SERVICE", {"app": "x"}, "svc", "src") is exported


def test_waiting_is_transitive_through_dependencies_and_a_component_s_children_and_cycles_end() -> None:
    target = k8s("IstioLifecycleManager", "ilm")
    component = Resource(type="my:Component", name="comp", urn="urn:comp", props={}, custom=False,
                         dependencies=("urn:comp",))
    child = k8s("Deployment", "child", dependencies=(target.urn,), parent="urn:comp")
    waiting = k8s("Deployment", "waiting", dependencies=("urn:missing", "urn:comp"))
    loop_a = k8s("Deployment", "a", dependencies=("urn:c1:Deployment:ns:b",))
    loop_b = k8s("Deployment", "b", dependencies=(loop_a.urn,))
    stack = Stack([target, component, child, waiting, loop_a, loop_b])
    assert stack.waits_for(waiting, {target.urn})
    assert stack.waits_for(loop_a, {target.urn}) is False  # a cycle, nothing on it: ends


def test_a_workspace_reference_matches_by_name_or_selector_and_otherwise_not() -> None:
    ws = workspace("w", [], labels={"team": "a"})
    assert _workspace_matches({"name": "w"}, ws) is True and _workspace_matches({"name": "*"}, ws) is True
    assert _workspace_matches({"selector": {"team": "a"}}, ws) is True
    assert _workspace_matches({"selector": {"team": "b"}}, ws) is False
    assert _workspace_matches({}, ws) is False


def test_what_the_rules_work_on_cannot_be_changed_afterwards() -> None:
    rule = PolicyRule("r", "d", True, lambda stack, rule: [])
    for value, field in [(k8s("Service", "s"), "name"), (SecretValue("x"), "value"),
                         (Target("Service", "s", None, None, {}, True), "name"), (rule, "name"),
                         (Violation("r", True, "urn", "Service s", "m"), "message")]:
        with pytest.raises(FrozenInstanceError, match=f"cannot assign to field '{field}'"):
            setattr(value, field, "changed")


def test_a_resource_describes_itself_by_kind_namespace_name_and_cluster() -> None:
    assert k8s("Service", "s").describe() == "Service ns/s on c1"
    assert k8s("Namespace", "n", namespace=None).describe() == "Namespace n on c1"
    assert k8s("Service", "s", cluster=None).describe() == "Service ns/s"
    assert Violation("r", True, "urn", "Service s", "m").line() == "[mandatory] r: Service s: m"
    assert Violation("r", False, "urn", "Service s", "m").line() == "[advisory] r: Service s: m"
    assert repr(UNKNOWN) == "<unknown>"
