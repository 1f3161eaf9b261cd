"""The registry: every rule the pack, the render and the tests run, with its name and enforcement level."""

from __future__ import annotations

from collections.abc import Sequence

from .injection import injected_charts_wait_for_istio, injected_workloads_wait_for_istio
from .namespaces import namespaces_exist
from .resources import Resource, Violation
from .routes import (
    delegated_tables_have_a_parent,
    delegation_selectors_match,
    destination_selectors_match,
    forward_to_declared,
    forward_to_exported,
    route_selectors_match,
)
from .rule import PolicyRule
from .secrets import sensitive_values_are_secrets
from .server_refs import server_refs_exist
from .stack import Stack

RULES: tuple[PolicyRule, ...] = (
    PolicyRule("route-selector-matches", "A policy's applyToRoutes route labels select a route of the stack.",
               True, route_selectors_match),
    # Advisory: a destination may be a Service a chart creates, whose labels the stack cannot see.
    PolicyRule("destination-selector-matches",
               "A policy's applyToDestinations selector selects a Service, VirtualDestination or ExternalService.",
               False, destination_selectors_match),
    PolicyRule("delegation-selector-matches", "A RouteTable's delegate selector selects a RouteTable.", True,
               delegation_selectors_match),
    # Advisory: the parent RouteTable may belong to another stack.
    PolicyRule("delegated-route-table-has-parent",
               "A RouteTable without hosts or virtual gateways is selected by some delegate.", False,
               delegated_tables_have_a_parent),
    PolicyRule("forward-to-declared", "A route's forwardTo destination exists in the stack.", True,
               forward_to_declared),
    PolicyRule("forward-to-exported",
               "A route's destination in another workspace is exported to the route's workspace.", True,
               forward_to_exported),
    PolicyRule("server-refs-exist",
               "Ext-auth and rate-limit server, settings and config references point at existing objects.", True,
               server_refs_exist),
    PolicyRule("namespace-exists", "Every namespaced object's namespace is declared or known to exist.", True,
               namespaces_exist),
    PolicyRule("injected-workload-waits-for-istio",
               "A workload with sidecar injection waits until Istio is ready on its cluster.", True,
               injected_workloads_wait_for_istio),
    # Advisory: a chart released into an injected namespace may create no injected pods.
    PolicyRule("injected-chart-waits-for-istio",
               "A Helm release into a namespace with sidecar injection waits until Istio is ready.", False,
               injected_charts_wait_for_istio),
    PolicyRule("sensitive-values-are-secrets",
               "Secrets, ConfigMaps and Helm values hold credentials only as Pulumi secrets.", True,
               sensitive_values_are_secrets),
)
RULES_BY_NAME: dict[str, PolicyRule] = {r.name: r for r in RULES}


def check(resources: Sequence[Resource]) -> list[Violation]:
    """Every rule over the stack; violations in rule order."""
    stack = Stack(resources)
    return [v for rule in RULES for v in rule.run(stack)]
