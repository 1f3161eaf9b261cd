"""Lab 14 (feature `httpbin-workspace`): the `httpbin` workspace and its settings.

The workspace is the `httpbin` namespace of the httpbin cluster only, so its WorkspaceSettings is
applied there (the one cluster that has that namespace and belongs to the workspace); with the
workshop's clusters that is cluster1, the configuration cluster, as in the lab.
"""

from __future__ import annotations

from typing import Any

from components.core import crds
from components.core.config import Settings
from components.core.constants import (
    ALLOW_INGRESS_LABEL,
    GATEWAYS_WORKSPACE,
    GLOO_MESH_NS,
    HTTPBIN_NS,
    HTTPBIN_WORKSPACE,
    IN_MESH_APP,
)

from .lab07_08_workspaces import exported_services, import_services_from, workload_clusters

FEATURE = "httpbin-workspace"


def httpbin_workspace(settings: Settings) -> dict[str, Any]:
    return crds.Workspace.manifest(HTTPBIN_WORKSPACE, GLOO_MESH_NS, {
        "workloadClusters": workload_clusters([settings.httpbin_cluster], [HTTPBIN_NS]),
    }, labels=ALLOW_INGRESS_LABEL)


def httpbin_workspace_settings() -> dict[str, Any]:
    """Import Services from `gateways`; export the in-mesh Service and every exposed object to it."""
    return crds.WorkspaceSettings.manifest(HTTPBIN_WORKSPACE, HTTPBIN_NS, {
        "importFrom": import_services_from(GATEWAYS_WORKSPACE),
        "exportTo": [{"workspaces": [{"name": GATEWAYS_WORKSPACE}], "resources": exported_services([IN_MESH_APP])}],
    })
