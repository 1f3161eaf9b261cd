"""Where Gloo custom resources are applied, and what they wait for there.

A Gloo object on a cluster waits for the Helm release that installs the Gloo CRDs on that cluster
(the agent chart on a workload cluster, the enterprise chart on the management cluster) and for
its namespace when this program declares it. Nothing more: anything else an object needs is passed
explicitly by the component that knows why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from . import crds
from .cluster import Cluster


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
