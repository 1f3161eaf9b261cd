"""The platform every later lab builds on (labs 1–3), and where Gloo objects go on it.

`build_platform` declares the clusters' providers, the management plane, each workload cluster's
agent and Istio lifecycle; the `*_target` functions name the cluster and CRD release a Gloo object
of the apps and labs is applied with.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.core.cluster import Cluster
from components.core.config import Settings
from components.core.target import Target

from .lab02_agent import Agent, AgentArgs
from .lab02_management_plane import ManagementPlane, ManagementPlaneArgs
from .lab03_istio import IstioLifecycle, IstioLifecycleArgs


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


def workload_target(platform: Platform, name: str) -> Target:
    """A workload cluster, whose Gloo CRDs come with its agent release."""
    return Target(platform.workloads[name], platform.agents[name].release)


def config_target(platform: Platform) -> Target:
    """The config cluster: the gateways and bookinfo workspaces' route tables and policies go there."""
    return workload_target(platform, platform.settings.config_cluster)


def httpbin_target(platform: Platform) -> Target:
    """The httpbin cluster: the httpbin workspace's objects go where its one namespace is."""
    return workload_target(platform, platform.settings.httpbin_cluster)


def mgmt_target(platform: Platform) -> Target:
    """The management cluster, whose Gloo CRDs come with the enterprise release."""
    return Target(platform.mgmt, platform.management.release)
