"""Labs 7 and 8: the `gateways` and `bookinfo` workspaces and their settings.

A Workspace lives on the management cluster; its WorkspaceSettings on a workload cluster, in one
of the workspace's namespaces (the configuration cluster). The workspaces span every configured
workload cluster, in the configured order.

`bookinfo_workspace_settings` is the one place the bookinfo settings are shaped: lab 13
(`zero-trust`) turns on service isolation there, so the object is declared once either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.config import Settings
from components.core.constants import (
    ADDONS_NS,
    ALLOW_INGRESS_LABEL,
    BOOKINFO_BACKENDS_NS,
    BOOKINFO_FRONTENDS_NS,
    BOOKINFO_WORKSPACE,
    EXPOSE_LABEL,
    GATEWAYS_WORKSPACE,
    GLOO_MESH_NS,
    ISTIO_GATEWAYS_NS,
    PRODUCTPAGE_APP,
    REVIEWS_APP,
)
from components.core.target import Target

SERVICE = {"kind": "SERVICE"}
EXPOSED = {"kind": "ALL", "labels": dict(EXPOSE_LABEL)}


def workload_clusters(clusters: Sequence[str], namespaces: Sequence[str]) -> list[dict[str, Any]]:
    """A Workspace's `workloadClusters`: the same namespaces on each cluster."""
    return [{"name": c, "namespaces": [{"name": n} for n in namespaces]} for c in clusters]


def exported_services(apps: Sequence[str]) -> list[dict[str, Any]]:
    """Export rules for the Services of `apps` (selected by their `app` label) and every exposed object."""
    return [*({"kind": "SERVICE", "labels": {"app": app}} for app in apps), dict(EXPOSED)]


def import_services_from(workspace: str) -> list[dict[str, Any]]:
    return [{"workspaces": [{"name": workspace}], "resources": [dict(SERVICE)]}]


def gateways_workspace(settings: Settings) -> dict[str, Any]:
    clusters = [c.name for c in settings.workload_clusters]
    return crds.Workspace.manifest(GATEWAYS_WORKSPACE, GLOO_MESH_NS, {
        "workloadClusters": workload_clusters(clusters, (ISTIO_GATEWAYS_NS, ADDONS_NS)),
    })


def gateways_workspace_settings() -> dict[str, Any]:
    """Import Services and exposed objects from, and export Services to, every ingress-allowed workspace."""
    ingress_allowed = [{"selector": dict(ALLOW_INGRESS_LABEL)}]
    return crds.WorkspaceSettings.manifest(GATEWAYS_WORKSPACE, ISTIO_GATEWAYS_NS, {
        "importFrom": [{"workspaces": ingress_allowed, "resources": [dict(SERVICE), dict(EXPOSED)]}],
        "exportTo": [{"workspaces": [dict(w) for w in ingress_allowed], "resources": [dict(SERVICE)]}],
    })


def bookinfo_workspace(settings: Settings) -> dict[str, Any]:
    clusters = [c.name for c in settings.workload_clusters]
    return crds.Workspace.manifest(BOOKINFO_WORKSPACE, GLOO_MESH_NS, {
        "workloadClusters": workload_clusters(clusters, (BOOKINFO_FRONTENDS_NS, BOOKINFO_BACKENDS_NS)),
    }, labels=ALLOW_INGRESS_LABEL)


def bookinfo_workspace_settings(settings: Settings) -> dict[str, Any]:
    """Lab 8's settings; with `zero-trust` (lab 13) also service isolation with trimmed proxy config."""
    spec: dict[str, Any] = {
        "importFrom": import_services_from(GATEWAYS_WORKSPACE),
        "exportTo": [{"workspaces": [{"name": GATEWAYS_WORKSPACE}],
                      "resources": exported_services((PRODUCTPAGE_APP, REVIEWS_APP))}],
    }
    if settings.has("zero-trust"):
        spec["options"] = {"serviceIsolation": {"enabled": True, "trimProxyConfig": True}}
    return crds.WorkspaceSettings.manifest(BOOKINFO_WORKSPACE, BOOKINFO_FRONTENDS_NS, spec)


@dataclass(frozen=True)
class GlooWorkspaceArgs:
    #: The management cluster, where Workspaces live (its CRD release is the management plane's);
    #: None in a fleet's workload stack, where the management stack declares the Workspace.
    workspace_target: Target | None
    workspace: dict[str, Any]
    #: Where the WorkspaceSettings is applied: a workload cluster that has the settings' namespace;
    #: None in a fleet's stacks that do not deploy that cluster.
    settings_target: Target | None
    settings: dict[str, Any]


class GlooWorkspace(pulumi.ComponentResource):
    """One Workspace on the management cluster and its WorkspaceSettings on a workload cluster."""

    #: The Workspace; None where this stack does not declare it (a fleet's workload stack).
    workspace: crds.CustomResourceKind | None
    #: The WorkspaceSettings, after the Workspace; None in a stack that does not deploy its cluster.
    settings: crds.CustomResourceKind | None

    def __init__(self, name: str, args: GlooWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:workspaces:GlooWorkspace", name, None, opts)
        self.workspace = args.workspace_target.emit(self, args.workspace) if args.workspace_target else None
        self.settings = args.settings_target.emit(
            self, args.settings, also=[self.workspace] if self.workspace else []) if args.settings_target else None
        self.register_outputs({})
