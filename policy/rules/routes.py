"""Route rules: policy route and destination selectors, delegation, and forwardTo destinations (declared, exported)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .resources import (
    DESTINATION_TYPES,
    Resource,
    Violation,
    as_dict,
    as_labels,
    as_list,
    as_str,
    fmt_labels,
    subset,
)
from .rule import PolicyRule, violation
from .stack import Stack, Target


def _routes(stack: Stack) -> Iterator[tuple[Resource, int, dict[str, Any]]]:
    for table in stack.route_tables:
        for i, route in enumerate(as_list(table.spec.get("http"))):
            yield table, i, as_dict(route)


def route_selectors_match(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A policy's `applyToRoutes[].route.labels` must select at least one route of the stack."""
    route_labels = [as_labels(route.get("labels")) for _, _, route in _routes(stack)]
    found = []
    for policy in stack.declared:
        for i, entry in enumerate(as_list(policy.spec.get("applyToRoutes"))):
            wanted = as_labels(as_dict(as_dict(entry).get("route")).get("labels"))
            if not wanted or any(subset(wanted, have) for have in route_labels):
                continue
            known = sorted({fmt_labels(labels) for labels in route_labels if labels})
            found.append(violation(rule, policy, (
                f"spec.applyToRoutes[{i}].route.labels {fmt_labels(wanted)} selects no route in the stack, so "
                "Gloo applies the policy nowhere. Fix: put these labels on the route (RouteTable "
                "spec.http[].labels) or correct the selector; route labels in the stack: "
                f"{', '.join(known) or 'none'}.")))
    return found


def destination_selectors_match(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A policy's `applyToDestinations[].selector` must select at least one destination of its kind."""
    found = []
    for policy in stack.declared:
        for i, entry in enumerate(as_list(policy.spec.get("applyToDestinations"))):
            entry = as_dict(entry)
            selector = as_dict(entry.get("selector"))
            wanted = as_labels(selector.get("labels"))
            if not wanted and "name" not in selector:
                continue
            kind_name = str(entry.get("kind", "SERVICE"))
            kind = DESTINATION_TYPES.get(kind_name)
            if kind is None:
                continue
            candidates = [t for t in stack.find(kind, as_str(selector.get("name")), as_str(selector.get("namespace")),
                                                as_str(selector.get("cluster")))
                          if t.labels_known and subset(wanted, t.labels)]
            if candidates:
                continue
            found.append(violation(rule, policy, (
                f"spec.applyToDestinations[{i}] (kind {kind_name}) selector "
                f"{fmt_labels(wanted) if wanted else selector} selects no {kind} the stack declares, so the "
                f"policy may apply to nothing. Fix: label the {kind} with these labels or correct the selector "
                "(advisory: a Service created by a chart is not visible here).")))
    return found


def delegation_selectors_match(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A RouteTable's `http[].delegate.routeTables[]` selector must select another RouteTable."""
    found = []
    for table, i, route in _routes(stack):
        for j, selector in enumerate(as_list(as_dict(route.get("delegate")).get("routeTables"))):
            selector = as_dict(selector)
            if not _delegates_to_any(stack, table, selector):
                found.append(violation(rule, table, (
                    f"spec.http[{i}].delegate.routeTables[{j}] {_fmt_selector(selector)} selects no RouteTable, so "
                    "every request on this route gets a 404. Fix: label the child RouteTable (metadata.labels) or "
                    "name it as the selector does, or correct the selector.")))
    return found


def _fmt_selector(selector: Mapping[str, Any]) -> str:
    """A delegate selector as a message shows it: its labels, then the name and namespace it asks for."""
    labels = as_labels(selector.get("labels"))
    named = [f"{key} {selector[key]!r}" for key in ("name", "namespace") if selector.get(key) is not None]
    return ", ".join([fmt_labels(labels)] * bool(labels or not named) + named)


def _selects(selector: Mapping[str, Any], child: Resource) -> bool:
    return (subset(as_labels(selector.get("labels")), child.labels)
            and selector.get("name") in (None, child.k8s_name)
            and selector.get("namespace") in (None, child.namespace))


def _delegates_to_any(stack: Stack, parent: Resource, selector: Mapping[str, Any]) -> bool:
    return any(child.urn != parent.urn and _selects(selector, child) for child in stack.route_tables)


def delegated_tables_have_a_parent(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A RouteTable with no hosts and no virtualGateways is reachable only by delegation: something must select it."""
    selectors = [(table, as_dict(s)) for table, _, route in _routes(stack)
                 for s in as_list(as_dict(route.get("delegate")).get("routeTables"))]
    found = []
    for table in stack.route_tables:
        if table.spec.get("hosts") or table.spec.get("virtualGateways") or table.spec.get("workloadSelectors"):
            continue
        if any(parent.urn != table.urn and _selects(s, table) for parent, s in selectors):
            continue
        found.append(violation(rule, table, (
            f"has no spec.hosts or spec.virtualGateways, so only delegation reaches it, but no RouteTable's "
            f"spec.http[].delegate.routeTables selects its labels {fmt_labels(table.labels)}; its routes "
            "serve nothing. Fix: label it for the parent's delegate selector (expose: 'true' for the main "
            "RouteTable) or give it hosts and virtualGateways (advisory: a parent may live in another stack).")))
    return found


def forward_to_declared(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Every `forwardTo` destination must exist: a Service, VirtualDestination or ExternalService of the stack."""
    found = []
    for table, i, route in _routes(stack):
        for j, dest in enumerate(as_list(as_dict(route.get("forwardTo")).get("destinations"))):
            ref, kind_name, kind = _dest_ref(dest)
            if not ref.get("name") or kind is None:
                continue
            namespace = as_str(ref.get("namespace")) or table.namespace
            if stack.find(kind, ref["name"], namespace, as_str(ref.get("cluster"))):
                continue
            found.append(violation(rule, table, (
                f"spec.http[{i}].forwardTo.destinations[{j}] refers to {kind} {namespace}/{ref['name']} "
                f"(kind {kind_name}{', cluster ' + ref['cluster'] if ref.get('cluster') else ''}), which the stack "
                f"does not declare; Gloo accepts the route and answers 503. Fix: declare the {kind}, correct the "
                "ref (name, namespace, kind), or if a chart creates it add it to policy.rules.EXTERNAL_SERVICES.")))
    return found


def _dest_ref(dest: Any) -> tuple[dict[str, Any], str, str | None]:
    dest = as_dict(dest)
    kind_name = str(dest.get("kind", "SERVICE"))
    return as_dict(dest.get("ref")), kind_name, DESTINATION_TYPES.get(kind_name)


def forward_to_exported(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A destination in another workspace must be exported by that workspace to the route's workspace."""
    found = []
    if not stack.workspaces:
        return found
    for table, i, route in _routes(stack):
        route_ws = stack.workspace_of(table.cluster, table.namespace)
        for j, dest in enumerate(as_list(as_dict(route.get("forwardTo")).get("destinations"))):
            ref, kind_name, kind = _dest_ref(dest)
            if not ref.get("name") or kind is None:
                continue
            namespace = as_str(ref.get("namespace")) or table.namespace
            targets = stack.find(kind, ref["name"], namespace, as_str(ref.get("cluster")))
            if not targets:
                continue  # forward_to_declared reports it
            if route_ws is None:
                found.append(violation(rule, table, (
                    f"is in namespace {table.namespace} on {table.cluster}, which no Workspace "
                    f"(spec.workloadClusters[].namespaces) contains, so Gloo ignores its "
                    f"spec.http[{i}].forwardTo. Fix: add the namespace to a Workspace.")))
                break
            if _visible_from(stack, route_ws, targets, kind_name):
                continue
            owners = sorted({ws.k8s_name or "?" for t in targets
                             if (ws := stack.workspace_of(t.cluster, t.namespace)) is not None})
            found.append(violation(rule, table, (
                f"spec.http[{i}].forwardTo.destinations[{j}] {kind} {namespace}/{ref['name']} belongs to "
                f"workspace {', '.join(owners) or '(none)'}, which does not export it to this route's workspace "
                f"{route_ws.k8s_name}; the route gets no endpoints. Fix: add an exportTo entry "
                f"(workspaces: [{{name: {route_ws.k8s_name}}}], resources: [{{kind: {kind_name}}}]) to that "
                "workspace's WorkspaceSettings, or point the route at a destination in its own workspace.")))
    return found



def _visible_from(stack: Stack, route_ws: Resource, targets: list[Target], kind_name: str) -> bool:
    """Whether one of `targets` is in the route's workspace `route_ws` or exported to it by its own workspace."""
    for target in targets:
        dest_ws = stack.workspace_of(target.cluster, target.namespace)
        if dest_ws is not None and (dest_ws.urn == route_ws.urn or stack.exports(
                dest_ws, route_ws, kind_name, target.labels, target.name, target.namespace)):
            return True
    return False
