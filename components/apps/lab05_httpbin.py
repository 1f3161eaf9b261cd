"""Lab 5, the httpbin cluster: two httpbin apps, one outside the mesh and one in it.

The `httpbin` namespace is not labelled for injection: `not-in-mesh` runs without a sidecar and
`in-mesh` asks for one with the revision label on its pods. On OpenShift the namespace still gets
the anyuid grant and the istio-cni attachment, as in the lab, because `in-mesh` is injected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core.cluster import Cluster
from components.core.config import Settings
from components.core.constants import HTTPBIN_NS, HTTPBIN_PORT, IN_MESH_APP, NOT_IN_MESH_APP, REVISION_LABEL
from components.core.workloads import declare

HTTPBIN_IMAGE = "docker.io/kennethreitz/httpbin"
HTTPBIN_CONTAINER_PORT = 80


def httpbin_manifests(app: str, revision: str | None) -> list[dict[str, Any]]:
    """ServiceAccount, Service and Deployment of one httpbin app; `revision` set = injected pods."""
    selector = {"app": app, "version": "v1"}
    pod_labels = {**selector, REVISION_LABEL: revision} if revision else dict(selector)
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": app, "namespace": HTTPBIN_NS}},
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": app, "namespace": HTTPBIN_NS, "labels": {"app": app, "service": app}},
            "spec": {"ports": [{"name": "http", "port": HTTPBIN_PORT, "targetPort": HTTPBIN_CONTAINER_PORT}],
                     "selector": {"app": app}},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": app, "namespace": HTTPBIN_NS},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": pod_labels},
                    "spec": {
                        "serviceAccountName": app,
                        "containers": [{
                            "image": HTTPBIN_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "name": app,
                            "ports": [{"containerPort": HTTPBIN_CONTAINER_PORT}],
                        }],
                    },
                },
            },
        },
    ]


@dataclass(frozen=True)
class HttpbinArgs:
    settings: Settings
    cluster: Cluster
    #: Istio is HEALTHY on this cluster (`IstioLifecycle.ready`): the injected `in-mesh` pods wait for it.
    istio_ready: pulumi.Resource


class Httpbin(pulumi.ComponentResource):
    """`not-in-mesh` and `in-mesh` on the httpbin cluster; `self.deployments` by name."""

    #: The Deployments `not-in-mesh` and `in-mesh` (the injected one), by name.
    deployments: dict[str, pulumi.CustomResource]

    def __init__(self, name: str, args: HttpbinArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:apps:Httpbin", name, None, opts)
        cluster = args.cluster
        cluster.namespace(HTTPBIN_NS, self, istio_workloads=True)
        ready = cluster.namespace_ready(HTTPBIN_NS)
        self.deployments = {}
        for app, revision in ((NOT_IN_MESH_APP, None), (IN_MESH_APP, args.settings.versions.istio_revision)):
            for manifest in httpbin_manifests(app, revision):
                if manifest["kind"] == "Deployment":
                    # Only the injected app needs the sidecar injector; the other one need not wait.
                    deps = [*ready, args.istio_ready] if revision else ready
                    self.deployments[app] = declare(cluster, self, manifest, deps)
                else:
                    declare(cluster, self, manifest, ready)
        self.register_outputs({"deployments": sorted(self.deployments)})
