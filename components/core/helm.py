"""Helm releases and reads of chart-created objects, shared by the platform labs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .cluster import Cluster


def release(
    cluster: Cluster,
    parent: pulumi.Resource,
    *,
    name: str,
    chart: str,
    repo: str,
    version: str,
    namespace: str,
    values: Mapping[str, Any],
    timeout_seconds: int,
    depends_on: list[pulumi.Resource],
    protect: bool = False,
) -> k8s.helm.v3.Release:
    """A Helm release with the chart pinned, an explicit timeout and deterministic values.

    `protect` marks the releases that install CRDs: deleting one would cascade to every custom
    resource of its kinds, so a long-lived stack keeps them unless the user unprotects them first.
    """
    return k8s.helm.v3.Release(
        cluster.resource_name(name, namespace),
        name=name,
        chart=chart,
        version=version,
        repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repo),
        namespace=namespace,
        values=dict(values),
        timeout=timeout_seconds,
        opts=pulumi.ResourceOptions(
            parent=parent, provider=cluster.provider, depends_on=depends_on, protect=protect,
            retain_on_delete=protect,
        ),
    )


def chart_object_id(release: k8s.helm.v3.Release, name: str) -> pulumi.Output[str]:
    """`namespace/name` of an object the release's chart creates, in the release's namespace.

    Derived from the release's id (`namespace/name`), so the read waits for the release. The id is
    unknown only in a preview that creates the release (the engine then skips the read instead of
    failing on an object the chart has not created yet); in a preview that updates the release it
    stays known, unlike `status`, which pulumi-kubernetes marks unknown in every preview of a
    release with a diff (`helm_release.go` `checkpointRelease`): reads keyed on `status` would be
    skipped and everything built from them would preview as changed.
    """
    return release.id.apply(lambda release_id: f"{release_id.split('/', 1)[0]}/{name}")


def load_balancer_address(service: k8s.core.v1.Service) -> pulumi.Output[str]:
    """The first ingress address (IP, or hostname on clouds that give one) of a LoadBalancer Service.

    Without one yet, the run stops with `no_address_message` (a `pulumi.RunError`: the message alone,
    no traceback)."""

    def stop(urn: str) -> str:
        raise pulumi.RunError(no_address_message(urn))

    def first(status: Any) -> str | pulumi.Output[str]:
        ingress = (status.load_balancer.ingress or []) if status and status.load_balancer else []
        if not ingress:
            return service.urn.apply(stop)  # the URN names the Service
        return ingress[0].ip or ingress[0].hostname

    return service.status.apply(first)


def no_address_message(urn: str) -> str:
    """Which Service has no LoadBalancer address, from its URN (this program names it `cluster/namespace/name`),
    and what to do."""
    name = urn.rsplit("::", 1)[-1]
    cluster, namespace, service = name.split("/") if name.count("/") == 2 else ("", "", name)
    which = f"Service {namespace}/{service} on cluster {cluster}" if cluster else f"Service {name}"
    show = f"`kubectl -n {namespace} get service {service}`" if cluster else "it"
    return (f"{which} has no LoadBalancer address yet, and this stack needs it for an endpoint: the cluster's "
            "load-balancer controller assigns it (a cloud's, MetalLB, or on kind cloud-provider-kind: "
            f"`python3 -m tools local status` shows whether it runs). Once {show} shows an EXTERNAL-IP, run "
            "`pulumi up` again.")
