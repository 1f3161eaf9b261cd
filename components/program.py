"""The whole program: settings → platform (labs 1–3) → apps and labs → stack outputs.

`main()` is what `__main__.py` runs under `pulumi up`; the offline render and the tests run the
very same function under the Pulumi mock runtime.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .apps import build_apps
from .cluster import Cluster
from .config import Settings, load_settings
from .gateway_labs import build_gateway_labs, export_gateway_outputs
from .lab02_agent import Agent, AgentArgs
from .lab02_management_plane import ManagementPlane, ManagementPlaneArgs
from .lab03_istio import IstioLifecycle, IstioLifecycleArgs
from .security import build_security_labs, export_security_outputs


@dataclass(frozen=True)
class Platform:
    """Labs 1–3, which every later lab builds on."""

    settings: Settings
    mgmt: Cluster
    workloads: dict[str, Cluster]
    management: ManagementPlane
    agents: dict[str, Agent]
    istio: dict[str, IstioLifecycle]


def build_platform(settings: Settings) -> Platform:
    mgmt = Cluster(settings.mgmt.name, settings.mgmt.context, settings.mgmt.kubeconfig, settings.openshift)
    workloads = {
        c.name: mgmt if c.name == mgmt.name else Cluster(c.name, c.context, c.kubeconfig, settings.openshift)
        for c in settings.workload_clusters
    }
    management = ManagementPlane(
        "management-plane", ManagementPlaneArgs(settings, mgmt, pulumi.Output.secret(settings.license_key)))
    agents: dict[str, Agent] = {}
    istio: dict[str, IstioLifecycle] = {}
    for name, cluster in workloads.items():
        agents[name] = Agent(f"agent-{name}", AgentArgs(settings, cluster, management))
        istio[name] = IstioLifecycle(f"istio-{name}", IstioLifecycleArgs(
            settings, cluster, mgmt,
            depends_on=[management.release, agents[name].registration, agents[name].release]))
    return Platform(settings, mgmt, workloads, management, agents, istio)


def export_outputs(platform: Platform) -> None:
    s = platform.settings
    pulumi.export("features", sorted(s.features))
    pulumi.export("managementCluster", s.mgmt.name)
    pulumi.export("workloadClusters", [c.name for c in s.workload_clusters])
    pulumi.export("httpbinCluster", s.httpbin_cluster)
    pulumi.export("mgmtServerEndpoint", platform.management.relay_endpoint)
    pulumi.export("gatewayEndpoints", {
        name: {"http": istio.http_endpoint, "https": istio.https_endpoint} for name, istio in platform.istio.items()
    })


def main() -> Platform:
    settings = load_settings()  # raises ConfigError before any resource is registered
    platform = build_platform(settings)
    build_apps(platform)  # declares the app namespaces the later labs' objects live in
    build_gateway_labs(platform)
    security = build_security_labs(platform)
    export_outputs(platform)
    export_gateway_outputs(platform)
    export_security_outputs(security)
    return platform
