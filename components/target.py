"""Where Gloo custom resources are applied, and what they wait for there.

A Gloo object on a cluster waits for the Helm release that installs the Gloo CRDs on that cluster
(the agent chart on a workload cluster, the enterprise chart on the management cluster) and for
its namespace when this program declares it. Nothing more: anything else an object needs is passed
explicitly by the component that knows why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from . import crds
from .cluster import Cluster

if TYPE_CHECKING:
    from .program import Platform


@dataclass(frozen=True)
class Target:
    cluster: Cluster
    #: The release that installs the Gloo CRDs on `cluster`.
    crds_release: pulumi.Resource

    def needs(self, namespace: str | None) -> list[pulumi.Resource]:
        declared = namespace is not None and self.cluster.declares(namespace)
        return [self.crds_release, *(self.cluster.namespace_ready(namespace) if declared else [])]

    def emit(
        self, parent: pulumi.Resource, manifest: Mapping[str, crds.Json], also: Sequence[pulumi.Resource] = ()
    ) -> crds.CustomResourceKind:
        """Declare the object a manifest describes on this cluster, waiting for what it needs (and `also`)."""
        meta = manifest["metadata"]
        return crds.emit(self.cluster.resource_name(meta["name"], meta.get("namespace")), manifest,
                         self.cluster.opts(parent, [*self.needs(meta.get("namespace")), *also]))


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
