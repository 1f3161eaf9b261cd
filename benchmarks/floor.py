"""The floor: a Pulumi program with no logic that registers what a stack registers.

`shape(sim)` describes a simulation: its Kubernetes providers (same names and inputs) and, for
every other resource or read, its type and cluster. `floor_program(shape)` registers, with the same
providers, one resource of the same type per resource (reads stay reads) with tiny inputs: no
config parsing, no manifests, no components, no Outputs passed between resources. Evaluating it
measures what the Pulumi SDK and the mock harness cost per resource on this machine; the
program's own cost is what it takes beyond that.

Kubernetes types are registered through the SDK's own class (so the floor loads the same SDK
modules as the program); custom resources through `apiextensions.CustomResource`; other
providers' types (random, tls) as bare `pulumi.CustomResource`s of the same type token.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from offline.records import Simulation

PROVIDER_TYPE = "pulumi:providers:kubernetes"
# Inputs of the typed classes that are not `metadata` or that are required, as small as they can be.
_INPUTS: dict[str, Callable[[str], dict[str, Any]]] = {
    "kubernetes:helm.sh/v3:Release": lambda name: {"name": name, "chart": "c"},
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": lambda name: {
        "metadata": {"name": name},
        "role_ref": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "r"}},
    "kubernetes:apps/v1:Deployment": lambda name: {
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": []}}}},
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": lambda name: {
        "metadata": {"name": name}, "role_ref": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"}},
}
_SDK_GROUPS = ("core", "apps", "batch", "policy", "autoscaling", "helm.sh")


def shape(sim: Simulation) -> dict[str, Any]:
    """What the floor needs to register the same number of resources of the same types (JSON-able)."""
    providers = [{"name": r.name, "context": r.inputs.get("context"), "kubeconfig": r.inputs.get("kubeconfig")}
                 for r in sim.records if r.type == PROVIDER_TYPE]
    resources = [{"type": r.type, "cluster": r.cluster, "read": r.read}
                 for r in sim.records if r.custom and r.type != PROVIDER_TYPE]
    return {"providers": providers, "resources": resources}


def sdk_class(type_token: str) -> type[pulumi.CustomResource] | None:
    """The pulumi_kubernetes class of a built-in Kubernetes type (`kubernetes:apps/v1:Deployment`), if any."""
    package, _, rest = type_token.partition(":")
    group_version, _, kind = rest.partition(":")
    group, _, version = group_version.rpartition("/")
    if package != "kubernetes" or not (group in _SDK_GROUPS or group.endswith(".k8s.io")):
        return None
    try:
        module = importlib.import_module(f"pulumi_kubernetes.{group.split('.')[0]}.{version}")
        return getattr(module, kind)
    except (ImportError, AttributeError):
        return None


def _register(index: int, spec: dict[str, Any], provider: k8s.Provider | None) -> None:
    name = f"r{index}"
    opts = pulumi.ResourceOptions(provider=provider)
    token: str = spec["type"]
    cls = sdk_class(token)
    if spec["read"]:
        (cls or k8s.core.v1.ConfigMap).get(name, f"floor/{name}", opts=opts)
    elif cls is not None:
        inputs = _INPUTS[token](name) if token in _INPUTS else {"metadata": {"name": name}}
        cls(name, **inputs, opts=opts)
    elif token.startswith("kubernetes:"):
        group_version, _, kind = token.partition(":")[2].partition(":")
        k8s.apiextensions.CustomResource(name, api_version=group_version, kind=kind, metadata={"name": name},
                                         opts=opts)
    else:
        pulumi.CustomResource(token, name, {}, opts)


def floor_program(floor_shape: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        providers = {p["name"]: k8s.Provider(p["name"], context=p["context"], kubeconfig=p["kubeconfig"],
                                             enable_server_side_apply=True)
                     for p in floor_shape["providers"]}
        for index, spec in enumerate(floor_shape["resources"]):
            _register(index, spec, providers.get(spec["cluster"]) if spec["cluster"] else None)

    return program
