"""Namespace rules: every namespaced object goes into a namespace the stack declares or knows to exist."""

from __future__ import annotations

from components.core.constants import (
    GLOO_MESH_NS,
    ISTIO_SYSTEM_NS,
    MANAGEMENT_REFERENCE_TYPE,
    PREEXISTING_NAMESPACES,
)

from .resources import HELM_RELEASE, Violation, as_dict, as_list, as_str, plain
from .rule import PolicyRule, violation
from .stack import Stack


def lifecycle_namespaces(stack: Stack) -> dict[str | None, set[str]]:
    """Per cluster, the namespaces Gloo's lifecycle managers create: istio-system and gm-iop-<revision>."""
    found: dict[str | None, set[str]] = {}
    for manager in stack.of_kind("IstioLifecycleManager") + stack.of_kind("GatewayLifecycleManager"):
        for installation in as_list(manager.spec.get("installations")):
            installation = as_dict(installation)
            revision = installation.get("revision") or installation.get("gatewayRevision")
            operator = as_dict(installation.get("istioOperatorSpec"))
            for cluster in as_list(installation.get("clusters")):
                names = found.setdefault(as_dict(cluster).get("name"), set())
                if manager.kind == "IstioLifecycleManager":
                    names.add(as_str(operator.get("namespace")) or ISTIO_SYSTEM_NS)
                if revision:
                    names.add(f"gm-iop-{revision}")
    return found


def _type_of_urn(urn: str) -> str:
    """A URN's own type token (the last of its `$`-joined type chain)."""
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) > 3 else ""


def management_stack_namespaces(stack: Stack) -> set[tuple[str | None, str]]:
    """In a fleet's workload stack: the management plane's namespace on the management cluster, which
    the management stack created before this stack runs (the clusters of the ManagementReference's objects)."""
    return {(r.cluster, GLOO_MESH_NS) for r in stack.declared
            if r.parent and _type_of_urn(r.parent) == MANAGEMENT_REFERENCE_TYPE}


def namespaces_exist(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Every namespaced Kubernetes object goes into a namespace the stack declares or knows to exist.

    Known to exist on a cluster: `PREEXISTING_NAMESPACES`, declared Namespaces, what the lifecycle
    managers create, (for objects other than the release itself) a declared Helm release's namespace,
    and in a fleet's workload stack the management stack's namespace on the management cluster.
    """
    declared = {(r.cluster, r.k8s_name) for r in stack.declared if r.kind == "Namespace" and r.is_kubernetes}
    declared |= management_stack_namespaces(stack)
    lifecycle = lifecycle_namespaces(stack)
    releases = {(r.cluster, r.namespace) for r in stack.releases}
    found = []
    for r in stack.declared:
        if not r.is_kubernetes or r.kind == "Namespace":
            continue
        namespace = r.namespace
        if not namespace or namespace in PREEXISTING_NAMESPACES:
            continue
        key = (r.cluster, namespace)
        if key in declared or namespace in lifecycle.get(r.cluster, set()):
            continue
        if r.type == HELM_RELEASE:
            if plain(r.props.get("createNamespace")) is True:
                continue
        elif key in releases:
            continue
        field_name = "namespace" if r.type == HELM_RELEASE else "metadata.namespace"
        found.append(violation(rule, r, (
            f"{field_name} {namespace!r} is neither declared on {r.cluster} by the stack nor known to exist "
            "there; the API server rejects the object. Fix: declare the Namespace on that cluster (and make the "
            "object depend on it) or correct the namespace.")))
    return found

