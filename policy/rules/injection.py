"""Injection rules: workloads and Helm releases that get an Istio sidecar wait until Istio is ready on their cluster."""

from __future__ import annotations

from components.core.constants import REVISION_LABEL

from .resources import Resource, Violation, as_dict, as_labels, as_list, plain
from .rule import PolicyRule, violation
from .stack import Stack

WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet")
SIDECAR_INJECT_LABEL = "sidecar.istio.io/inject"


def _injected_namespaces(stack: Stack) -> set[tuple[str | None, str]]:
    return {(r.cluster, r.k8s_name) for r in stack.declared
            if r.kind == "Namespace" and r.is_kubernetes and r.k8s_name and REVISION_LABEL in r.labels}


def _istio_managers(stack: Stack, cluster: str | None) -> set[str]:
    urns = set()
    for manager in stack.of_kind("IstioLifecycleManager"):
        for installation in as_list(manager.spec.get("installations")):
            if any(as_dict(c).get("name") == cluster for c in as_list(as_dict(installation).get("clusters"))):
                urns.add(manager.urn)
    return urns


def _missing_istio(stack: Stack, rule: PolicyRule, r: Resource, why: str) -> Violation | None:
    managers = _istio_managers(stack, r.cluster)
    if managers and stack.waits_for(r, managers):
        return None
    detail = ("does not wait for the IstioLifecycleManager that installs Istio there" if managers
              else "but no IstioLifecycleManager of the stack installs Istio there")
    return violation(rule, r, (
        f"gets an Istio sidecar ({why}) and {detail}; its pods start before the injector and run without a "
        "sidecar until restarted. Fix: add the cluster's IstioLifecycleManager (IstioLifecycle.ready) to "
        "its depends_on."))


def injected_workloads_wait_for_istio(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Deployments (and StatefulSets, DaemonSets) that get a sidecar wait until Istio is ready on their cluster."""
    injected = _injected_namespaces(stack)
    found = []
    for r in stack.declared:
        if r.type not in WORKLOAD_TYPES:
            continue
        template = as_dict(as_dict(plain(r.props.get("spec"))).get("template"))
        template_labels = as_labels(as_dict(template.get("metadata")).get("labels"))
        if template_labels.get(SIDECAR_INJECT_LABEL) == "false":
            continue
        if REVISION_LABEL in template_labels:
            why = f"spec.template.metadata.labels has {REVISION_LABEL}"
        elif (r.cluster, r.namespace) in injected:
            why = f"namespace {r.namespace} has label {REVISION_LABEL}"
        else:
            continue
        if (v := _missing_istio(stack, rule, r, why)) is not None:
            found.append(v)
    return found


def injected_charts_wait_for_istio(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Helm releases into a namespace with sidecar injection wait until Istio is ready on their cluster."""
    injected = _injected_namespaces(stack)
    found = []
    for r in stack.releases:
        if (r.cluster, r.namespace) in injected and (v := _missing_istio(
                stack, rule, r, f"release into namespace {r.namespace}, which has label {REVISION_LABEL}; "
                "advisory: the chart may create no injected pods")) is not None:
            found.append(v)
    return found

