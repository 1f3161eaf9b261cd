"""Lab 4, each workload cluster: Istio's Bookinfo sample, split over two injected namespaces.

The objects are those of Istio's release-1.16 `samples/bookinfo/platform/kube/bookinfo.yaml`,
modelled here so a preview downloads nothing: productpage in `bookinfo-frontends`; details,
ratings and reviews in `bookinfo-backends`; the reviews versions the cluster is configured with.
On top come the lab's `kubectl set env` changes: productpage reaches its backends by their
fully-qualified names, and every reviews version shows the name of its cluster. The pod templates
name the active Istio revision, so making another revision active restarts the pods with its
sidecar (the canary upgrade's `kubectl rollout restart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.core.cluster import Cluster
from components.core.config import Settings
from components.core.constants import (
    BOOKINFO_BACKENDS_NS,
    BOOKINFO_FRONTENDS_NS,
    BOOKINFO_PORT,
    CLUSTER_DOMAIN,
    DETAILS_APP,
    INJECTED_REVISION_ANNOTATION,
    PRODUCTPAGE_APP,
    RATINGS_APP,
    REVIEWS_APP,
    REVISION_LABEL,
)
from components.core.workloads import declare, is_workload

BOOKINFO_IMAGE_TAG = "1.17.0"  # the tag of release-1.16's bookinfo.yaml
BOOKINFO_RUN_AS_USER = 1000  # every container's securityContext in that file (hence anyuid on OpenShift)

# The namespace each app runs in.
BOOKINFO_NAMESPACES: dict[str, str] = {
    PRODUCTPAGE_APP: BOOKINFO_FRONTENDS_NS,
    DETAILS_APP: BOOKINFO_BACKENDS_NS,
    RATINGS_APP: BOOKINFO_BACKENDS_NS,
    REVIEWS_APP: BOOKINFO_BACKENDS_NS,
}


def service_account_name(app: str) -> str:
    return f"bookinfo-{app}"


def image(app: str, version: str) -> str:
    return f"docker.io/istio/examples-bookinfo-{app}-{version}:{BOOKINFO_IMAGE_TAG}"


def backend_host(app: str) -> str:
    """The fully-qualified name productpage uses for a backend in the other namespace."""
    return f"{app}.{BOOKINFO_BACKENDS_NS}.svc.{CLUSTER_DOMAIN}"


def bookinfo_service(app: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app, "namespace": BOOKINFO_NAMESPACES[app],
                     "labels": {"app": app, "service": app}},
        "spec": {"ports": [{"port": BOOKINFO_PORT, "name": "http"}], "selector": {"app": app}},
    }


def bookinfo_service_account(app: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": service_account_name(app), "namespace": BOOKINFO_NAMESPACES[app],
                     "labels": {"account": app}},
    }


def bookinfo_deployment(app: str, version: str, cluster: str, revision: str) -> dict[str, Any]:
    """`<app>-<version>` as in bookinfo.yaml, with the lab's `set env` additions; its pods run the
    sidecar of Istio `revision`."""
    labels = {"app": app, "version": version}
    container: dict[str, Any] = {
        "name": app,
        "image": image(app, version),
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": BOOKINFO_PORT}],
        "securityContext": {"runAsUser": BOOKINFO_RUN_AS_USER},
    }
    pod: dict[str, Any] = {"serviceAccountName": service_account_name(app), "containers": [container]}
    if app == REVIEWS_APP:
        container["env"] = [{"name": "LOG_DIR", "value": "/tmp/logs"}, {"name": "CLUSTER_NAME", "value": cluster}]
        container["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"},
                                     {"name": "wlp-output", "mountPath": "/opt/ibm/wlp/output"}]
        pod["volumes"] = [{"name": "wlp-output", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]
    if app == PRODUCTPAGE_APP:
        container["env"] = [{"name": "DETAILS_HOSTNAME", "value": backend_host(DETAILS_APP)},
                            {"name": "REVIEWS_HOSTNAME", "value": backend_host(REVIEWS_APP)}]
        container["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
        pod["volumes"] = [{"name": "tmp", "emptyDir": {}}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{app}-{version}", "namespace": BOOKINFO_NAMESPACES[app], "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels, "annotations": {INJECTED_REVISION_ANNOTATION: revision}},
                         "spec": pod},
        },
    }


def bookinfo_manifests(cluster: str, reviews_versions: Sequence[str], revision: str) -> list[dict[str, Any]]:
    """Every Bookinfo object of one cluster: per app its ServiceAccount, Service and Deployments."""
    versions = {PRODUCTPAGE_APP: ("v1",), DETAILS_APP: ("v1",), RATINGS_APP: ("v1",),
                REVIEWS_APP: tuple(reviews_versions)}
    manifests: list[dict[str, Any]] = []
    for app, app_versions in versions.items():
        manifests.append(bookinfo_service_account(app))
        manifests.append(bookinfo_service(app))
        manifests.extend(bookinfo_deployment(app, v, cluster, revision) for v in app_versions)
    return manifests


@dataclass(frozen=True)
class BookinfoArgs:
    settings: Settings
    cluster: Cluster
    #: Istio is HEALTHY on this cluster (`IstioLifecycle.ready`): the injected pods wait for it.
    istio_ready: pulumi.Resource


class Bookinfo(pulumi.ComponentResource):
    """Bookinfo on one workload cluster; `self.deployments` by Deployment name."""

    #: The Deployments (`<app>-<version>`, which wait for Istio), by name; not the other objects.
    deployments: dict[str, pulumi.CustomResource]

    def __init__(self, name: str, args: BookinfoArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:apps:Bookinfo", name, None, opts)
        s, cluster = args.settings, args.cluster
        injected = {REVISION_LABEL: s.versions.istio_revision}
        for namespace in (BOOKINFO_FRONTENDS_NS, BOOKINFO_BACKENDS_NS):
            cluster.namespace(namespace, self, injected, istio_workloads=True)
        self.deployments = {}
        for manifest in bookinfo_manifests(cluster.name, s.workload(cluster.name).reviews_versions,
                                           s.versions.istio_revision):
            deps = cluster.namespace_ready(manifest["metadata"]["namespace"])
            if is_workload(manifest):
                resource = declare(cluster, self, manifest, [*deps, args.istio_ready])
                self.deployments[manifest["metadata"]["name"]] = resource
            else:
                declare(cluster, self, manifest, deps)
        self.register_outputs({"deployments": sorted(self.deployments)})
