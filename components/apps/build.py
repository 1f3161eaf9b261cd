"""Labs 4–8 and 14: the demo apps, the addons and the workspaces, on top of the platform.

Each workload cluster gets its own Bookinfo and Addons component, waiting only for that cluster's
Istio and agent, so clusters proceed in parallel. The apps come first because they declare the
namespaces the WorkspaceSettings are applied in.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.platform.build import Platform, mgmt_target, workload_target

from .lab04_bookinfo import Bookinfo, BookinfoArgs
from .lab05_httpbin import Httpbin, HttpbinArgs
from .lab06_addons import Addons, AddonsArgs
from .lab07_08_workspaces import (
    GlooWorkspace,
    GlooWorkspaceArgs,
    bookinfo_workspace,
    bookinfo_workspace_settings,
    gateways_workspace,
    gateways_workspace_settings,
)
from .lab14_httpbin_workspace import FEATURE as HTTPBIN_WORKSPACE_FEATURE
from .lab14_httpbin_workspace import httpbin_workspace, httpbin_workspace_settings


@dataclass(frozen=True)
class Apps:
    bookinfo: dict[str, Bookinfo]
    #: None where this stack does not deploy the httpbin cluster (a fleet's other stacks).
    httpbin: Httpbin | None
    addons: dict[str, Addons]
    #: By workspace name: `gateways`, `bookinfo` and, with `httpbin-workspace`, `httpbin`.
    workspaces: dict[str, GlooWorkspace]


def build_apps(platform: Platform) -> Apps:
    s = platform.settings
    bookinfo: dict[str, Bookinfo] = {}
    addons: dict[str, Addons] = {}
    for name, cluster in platform.workloads.items():
        ready = platform.istio[name].ready
        bookinfo[name] = Bookinfo(f"bookinfo-{name}", BookinfoArgs(s, cluster, ready))
        addons[name] = Addons(f"addons-{name}", AddonsArgs(s, cluster, ready, platform.agents[name].release))
    httpbin = Httpbin(f"httpbin-{s.httpbin_cluster}", HttpbinArgs(
        s, platform.workloads[s.httpbin_cluster], platform.istio[s.httpbin_cluster].ready)) \
        if s.httpbin_cluster in platform.workloads else None

    def workspace(name: str, cluster: str, manifest: dict, settings: dict) -> GlooWorkspace | None:
        # The Workspace (management cluster) and its settings (a workload cluster) may belong to two
        # stacks of a fleet: each declares its half.
        workspace_target = mgmt_target(platform) if s.declares_estate else None
        settings_target = workload_target(platform, cluster)
        if workspace_target is None and settings_target is None:
            return None
        return GlooWorkspace(f"workspace-{name}", GlooWorkspaceArgs(
            workspace_target, manifest, settings_target, settings))

    specs = [("gateways", s.config_cluster, gateways_workspace(s), gateways_workspace_settings()),
             ("bookinfo", s.config_cluster, bookinfo_workspace(s), bookinfo_workspace_settings(s))]
    if s.has(HTTPBIN_WORKSPACE_FEATURE):
        specs.append(("httpbin", s.httpbin_cluster, httpbin_workspace(s), httpbin_workspace_settings()))
    workspaces = {spec[0]: ws for spec in specs if (ws := workspace(*spec)) is not None}
    return Apps(bookinfo, httpbin, addons, workspaces)
