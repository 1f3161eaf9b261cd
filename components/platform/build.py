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
from .lab02_management_plane import ManagementEndpoints, ManagementPlane, ManagementPlaneArgs
from .lab03_istio import IstioLifecycle, IstioLifecycleArgs
from .management_reference import ManagementReference, read_management_stack


@dataclass(frozen=True)
class Platform:
    """Labs 1–3, which every later lab builds on: what this stack declares of them.

    The single stack (role `all`) has every workload cluster; a fleet's management stack has none
    and the management plane; a workload stack has its one cluster and a `ManagementReference`.
    """

    settings: Settings
    mgmt: Cluster
    #: The workload clusters this stack deploys (`settings.declares_cluster`), by name.
    workloads: dict[str, Cluster]
    management: ManagementEndpoints
    agents: dict[str, Agent]
    istio: dict[str, IstioLifecycle]
    #: A fleet's workload stack: the management stack it reads.
    reference: ManagementReference | None = None


def build_platform(settings: Settings) -> Platform:
    # A workload stack checks the management stack's outputs before it declares anything.
    stack_reference = read_management_stack(settings) if settings.role == "workload" else None
    upsert = settings.upsert_existing_objects
    mgmt = Cluster(settings.mgmt.name, settings.mgmt.context, settings.mgmt.kubeconfig, settings.openshift, upsert)
    workloads = {
        c.name: mgmt if c.name == mgmt.name
        else Cluster(c.name, c.context, c.kubeconfig, settings.openshift, upsert)
        for c in settings.workload_clusters if settings.declares_cluster(c.name)
    }
    reference = None
    management: ManagementEndpoints
    if stack_reference is None:
        management = ManagementPlane(
            "management-plane", ManagementPlaneArgs(settings, mgmt, pulumi.Output.secret(settings.license_key)))
    else:
        management = reference = ManagementReference("management", settings, mgmt, stack_reference)
    agents: dict[str, Agent] = {}
    istio: dict[str, IstioLifecycle] = {}
    for name, cluster in workloads.items():
        agents[name] = Agent(f"agent-{name}", AgentArgs(settings, cluster, management))
        crds_on_mgmt = [management.release] if management.release is not None else []
        istio[name] = IstioLifecycle(f"istio-{name}", IstioLifecycleArgs(
            settings, cluster, mgmt,
            depends_on=[*crds_on_mgmt, agents[name].registration, agents[name].release]))
    return Platform(settings, mgmt, workloads, management, agents, istio, reference)


def workload_target(platform: Platform, name: str) -> Target | None:
    """A workload cluster, whose Gloo CRDs come with its agent release; None where this stack does not
    deploy it (a fleet's other stacks)."""
    if name not in platform.workloads:
        return None
    return Target(platform.workloads[name], platform.agents[name].release)


def config_target(platform: Platform) -> Target | None:
    """The config cluster: the gateways and bookinfo workspaces' route tables and policies go there."""
    return workload_target(platform, platform.settings.config_cluster)


def httpbin_target(platform: Platform) -> Target | None:
    """The httpbin cluster: the httpbin workspace's objects go where its one namespace is."""
    return workload_target(platform, platform.settings.httpbin_cluster)


def mgmt_target(platform: Platform) -> Target:
    """The management cluster, whose Gloo CRDs come with the enterprise release (declared by the
    stacks that declare what concerns the whole estate: `settings.declares_estate`)."""
    release = platform.management.release
    if release is None:
        raise RuntimeError("objects of the whole estate are declared only where the management plane is")
    return Target(platform.mgmt, release)
