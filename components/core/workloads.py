"""Plain Kubernetes objects (ServiceAccount, Service, Deployment) from pure manifests.

The demo-app labs build their objects as plain dicts, like the YAML the workshop applies, so they
can be tested without Pulumi; `declare` turns one into the typed resource of its kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .cluster import Cluster


def declare(
    cluster: Cluster, parent: pulumi.Resource, manifest: Mapping[str, Any], depends_on: list[pulumi.Resource]
) -> pulumi.CustomResource:
    """Declare one manifest on `cluster`; its logical name carries the cluster, namespace and name."""
    kind, meta = manifest["kind"], manifest["metadata"]
    name = cluster.resource_name(meta["name"], meta.get("namespace"))
    opts = cluster.opts(parent, depends_on)
    if kind == "ServiceAccount":
        return k8s.core.v1.ServiceAccount(name, metadata=meta, opts=opts)
    if kind == "Service":
        return k8s.core.v1.Service(name, metadata=meta, spec=manifest["spec"], opts=opts)
    if kind == "Deployment":
        return k8s.apps.v1.Deployment(name, metadata=meta, spec=manifest["spec"], opts=opts)
    raise TypeError(f"{kind} {meta['name']!r}: no typed resource for this kind here")


def is_workload(manifest: Mapping[str, Any]) -> bool:
    """Objects that run pods (and so, in an injected namespace, need the sidecar injector first)."""
    return manifest["kind"] == "Deployment"
