"""Lab 6, each workload cluster: the Gloo Mesh addons (ext-auth-service, rate-limiter, portal server).

They come from the gloo-mesh-agent chart, installed a second time with the agent itself off, in
the injected `gloo-mesh-addons` namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.core.cluster import Cluster
from components.core.config import Settings
from components.core.constants import ADDONS_NS, AGENT_CHART, REVISION_LABEL
from components.core.helm import release

ADDONS_RELEASE = "gloo-mesh-agent-addons"


def addons_values(cluster: str, openshift: bool) -> dict[str, Any]:
    """The workshop's `--set` flags for the addons release, as nested values."""
    agent: dict[str, Any] = {"enabled": False}
    if openshift:
        agent["floatingUserId"] = True
    return {
        "cluster": cluster,
        "glooMeshAgent": agent,
        "glooMeshPortalServer": {"enabled": True},
        "rate-limiter": {"enabled": True},
        "ext-auth-service": {"enabled": True},
    }


@dataclass(frozen=True)
class AddonsArgs:
    settings: Settings
    cluster: Cluster
    #: Istio is HEALTHY on this cluster: the addon pods are injected.
    istio_ready: pulumi.Resource
    #: This cluster's agent release, which installs the Gloo CRDs the addons chart expects.
    agent_release: pulumi.Resource


class Addons(pulumi.ComponentResource):
    #: Release `gloo-mesh-agent-addons` of the agent chart, the agent off: ext-auth-service, rate-limiter
    #: and the portal server in gloo-mesh-addons.
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: AddonsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:apps:Addons", name, None, opts)
        s, cluster = args.settings, args.cluster
        cluster.namespace(ADDONS_NS, self, {REVISION_LABEL: s.versions.istio_revision}, istio_workloads=True)
        self.release = release(
            cluster, self,
            name=ADDONS_RELEASE,
            chart=AGENT_CHART,
            repo=s.versions.agent_repo,
            version=s.versions.gloo_mesh,
            namespace=ADDONS_NS,
            values=addons_values(cluster.name, s.openshift),
            timeout_seconds=s.helm_timeout_seconds,
            depends_on=[*cluster.namespace_ready(ADDONS_NS), args.istio_ready, args.agent_release],
        )
        self.register_outputs({"release": self.release.status})
