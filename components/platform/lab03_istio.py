"""Lab 3: Istio on each workload cluster through Gloo's lifecycle managers.

The gateway Services and the istio-gateways namespace live on the workload cluster; the
IstioLifecycleManager and the two GatewayLifecycleManagers live on the management cluster.
`IstioLifecycle.ready` is the resource later injected workloads depend on: its
`pulumi.com/waitFor` annotation makes Pulumi wait until the installation reports HEALTHY.

A canary upgrade (Solo's "upgrade Istio using the lifecycle managers") installs a second revision
beside the active one: a second entry in the IstioLifecycleManager's and each
GatewayLifecycleManager's `installations`, listed by revision. The active revision
(`istioRevision`) is the default revision and the one the gateway Services select and injected
namespaces are labelled with; the waits cover every installed revision, each by its own key.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.core import crds
from components.core.cluster import Cluster
from components.core.config import Settings, Versions
from components.core.constants import (
    EASTWEST_GATEWAY_LABEL,
    EASTWEST_GATEWAY_SERVICE,
    GLOO_MESH_NS,
    INGRESS_GATEWAY_APP,
    INGRESS_GATEWAY_LABEL,
    INGRESS_GATEWAY_SERVICE,
    ISTIO_CNI_ATTACHMENT,
    ISTIO_GATEWAYS_NS,
    ISTIO_SYSTEM_NS,
    MESH_ID,
    NETWORK_LABEL,
    REVISION_LABEL,
    istio_operator_namespace,
)
from components.core.helm import load_balancer_address

# The gateway Services wait for a load-balancer address only: a Service whose selector matches no pod
# yet is ready once its address is set and its (empty) endpoints have settled (pulumi-kubernetes
# provider/pkg/await/service.go: ready = address && settled && no not-ready endpoint), so they do not
# wait for the gateway pods. The lifecycle managers wait for Istio to be HEALTHY; on a cold cluster
# that can take longer than Pulumi's default ten minutes.
ISTIO_INSTALL_TIMEOUT = "30m"


def install_timeouts() -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(
        create=ISTIO_INSTALL_TIMEOUT, update=ISTIO_INSTALL_TIMEOUT))


def _tcp(name: str, port: int, target: int) -> dict[str, Any]:
    return {"name": name, "port": port, "protocol": "TCP", "targetPort": target}


def ingress_gateway_service(revision: str) -> dict[str, Any]:
    labels = {"app": INGRESS_GATEWAY_APP, **INGRESS_GATEWAY_LABEL}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"labels": labels, "name": INGRESS_GATEWAY_SERVICE, "namespace": ISTIO_GATEWAYS_NS},
        "spec": {
            "ports": [_tcp("http2", 80, 8080), _tcp("https", 443, 8443)],
            "selector": {**labels, "revision": revision},
            "type": "LoadBalancer",
        },
    }


def eastwest_gateway_service(cluster: str, revision: str) -> dict[str, Any]:
    labels = {"app": INGRESS_GATEWAY_APP, **EASTWEST_GATEWAY_LABEL, NETWORK_LABEL: cluster}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"labels": labels, "name": EASTWEST_GATEWAY_SERVICE, "namespace": ISTIO_GATEWAYS_NS},
        "spec": {
            "ports": [
                _tcp("status-port", 15021, 15021),
                _tcp("tls", 15443, 15443),
                _tcp("https", 16443, 16443),
                _tcp("tcp-istiod", 15012, 15012),
                _tcp("tcp-webhook", 15017, 15017),
            ],
            "selector": {"app": INGRESS_GATEWAY_APP, **EASTWEST_GATEWAY_LABEL, "revision": revision,
                         NETWORK_LABEL: cluster},
            "type": "LoadBalancer",
        },
    }


WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
HEALTHY = "HEALTHY"


def jsonpath_name(name: str) -> str:
    """An RFC 9535 bracketed name selector, `['name']`.

    pulumi-kubernetes 4.24+ parses `pulumi.com/waitFor` per RFC 9535, where the dotted shorthand
    `.name` only takes identifiers: `.cluster-1`, `.2nd` or `.1-17` do not parse. The bracketed
    form takes any name, and older versions (client-go's JSONPath) read it the same way.
    """
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def installation_state_path(cluster: str, revision: str) -> str:
    """Where a lifecycle manager reports one revision's installation on one cluster (status is keyed
    by cluster name, then by revision)."""
    return f"{{.status.clusters{jsonpath_name(cluster)}.installations{jsonpath_name(revision)}.state}}"


def installation_ready(cluster: str, revisions: Sequence[str]) -> dict[str, str]:
    """Wait until every installed revision reports HEALTHY on the cluster.

    Each revision by its own key: the provider compares only the first match of a path, so a
    wildcard over `installations` could end the wait on the HEALTHY state of the other revision
    while the one being installed is not ready. Several conditions go as a JSON array (all must hold).
    """
    conditions = [f"jsonpath={installation_state_path(cluster, revision)}={HEALTHY}" for revision in revisions]
    return {WAIT_FOR_ANNOTATION: conditions[0] if len(conditions) == 1 else json.dumps(conditions)}


def istio_lifecycle_manager(cluster: str, versions: Versions, openshift: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "global": {"meshID": MESH_ID, "multiCluster": {"clusterName": cluster}, "network": cluster},
    }
    components: dict[str, Any] = {
        "pilot": {"k8s": {"env": [{"name": "PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES", "value": "false"}]}},
    }
    if openshift:
        values["cni"] = {
            "excludeNamespaces": [ISTIO_SYSTEM_NS, "kube-system"],
            "logLevel": "info",
            "cniBinDir": "/var/lib/cni/bin",
            "cniConfDir": "/etc/cni/multus/net.d",
            "chained": False,
            "cniConfFileName": "istio-cni.conf",
        }
        values["sidecarInjectorWebhook"] = {"injectedAnnotations": {"k8s.v1.cni.cncf.io/networks": ISTIO_CNI_ATTACHMENT}}
        components["cni"] = {
            "enabled": True,
            "namespace": "kube-system",
            "k8s": {"overlays": [{
                "kind": "DaemonSet",
                "name": "istio-cni-node",
                "patches": [{"path": "spec.template.spec.containers[0].securityContext.privileged", "value": True}],
            }]},
        }
    components["ingressGateways"] = [{"name": INGRESS_GATEWAY_SERVICE, "enabled": False}]
    # One installation per revision; the active one is the cluster's default revision (the canary's
    # is not, as in Solo's canary upgrade).
    spec = {
        "installations": [{
            "clusters": [{"name": cluster, "defaultRevision": revision == versions.istio_revision}],
            "revision": revision,
            "istioOperatorSpec": {
                "profile": "minimal",
                "hub": versions.istio_hub,
                "tag": versions.istio_tag_of(revision),
                "namespace": ISTIO_SYSTEM_NS,
                "values": copy.deepcopy(values),
                "meshConfig": {
                    "accessLogFile": "/dev/stdout",
                    "defaultConfig": {"proxyMetadata": {"ISTIO_META_DNS_CAPTURE": "true",
                                                        "ISTIO_META_DNS_AUTO_ALLOCATE": "true"}},
                },
                "components": copy.deepcopy(components),
            },
        } for revision in versions.istio_revisions]
    }
    return crds.IstioLifecycleManager.manifest(f"{cluster}-installation", GLOO_MESH_NS, spec,
                                               annotations=installation_ready(cluster, versions.istio_revisions))


def _gateway_lifecycle_manager(name: str, cluster: str, versions: Versions, gateway: dict[str, Any]) -> dict[str, Any]:
    # One installation per revision. The Services are ours (`customService`), so `activeGateway` stays
    # false for every revision: the Services' selectors follow the active revision instead.
    spec = {
        "installations": [{
            "clusters": [{"name": cluster, "activeGateway": False}],
            "gatewayRevision": revision,
            "istioOperatorSpec": {
                "profile": "empty",
                "hub": versions.istio_hub,
                "tag": versions.istio_tag_of(revision),
                "values": {"gateways": {"istio-ingressgateway": {"customService": True}}},
                "components": {"ingressGateways": [copy.deepcopy(gateway)]},
            },
        } for revision in versions.istio_revisions]
    }
    return crds.GatewayLifecycleManager.manifest(name, GLOO_MESH_NS, spec,
                                                 annotations=installation_ready(cluster, versions.istio_revisions))


def ingress_gateway_lifecycle_manager(cluster: str, versions: Versions) -> dict[str, Any]:
    return _gateway_lifecycle_manager(f"{cluster}-ingress", cluster, versions, {
        "name": INGRESS_GATEWAY_SERVICE, "namespace": ISTIO_GATEWAYS_NS, "enabled": True,
        "label": dict(INGRESS_GATEWAY_LABEL),
    })


def eastwest_gateway_lifecycle_manager(cluster: str, versions: Versions) -> dict[str, Any]:
    return _gateway_lifecycle_manager(f"{cluster}-eastwest", cluster, versions, {
        "name": EASTWEST_GATEWAY_SERVICE, "namespace": ISTIO_GATEWAYS_NS, "enabled": True,
        "label": {**EASTWEST_GATEWAY_LABEL, NETWORK_LABEL: cluster},
        "k8s": {"env": [
            {"name": "ISTIO_META_ROUTER_MODE", "value": "sni-dnat"},
            {"name": "ISTIO_META_REQUESTED_NETWORK_VIEW", "value": cluster},
        ]},
    })


@dataclass(frozen=True)
class IstioLifecycleArgs:
    settings: Settings
    cluster: Cluster
    mgmt_cluster: Cluster
    #: What the lifecycle CRs wait for: the CRD release on the management cluster, and this cluster's
    #: registration and agent.
    depends_on: list[pulumi.Resource]


class IstioLifecycle(pulumi.ComponentResource):
    #: IstioLifecycleManager `<cluster>-installation` on the management cluster; it waits until Istio
    #: (istiod and its sidecar injector) is HEALTHY on this cluster, so injected workloads wait for it.
    ready: crds.CustomResourceKind
    #: GatewayLifecycleManagers `<cluster>-ingress` and `<cluster>-eastwest`, in that order.
    gateways: list[crds.CustomResourceKind]
    #: The ingress gateway Service's LoadBalancer address (IP, or hostname on clouds that give one).
    ingress_host: pulumi.Output[str]
    #: `<ingress LB>:80` (the workshop's ENDPOINT_HTTP_GW_CLUSTERx).
    http_endpoint: pulumi.Output[str]
    #: `<ingress LB>:443` (the workshop's ENDPOINT_HTTPS_GW_CLUSTERx).
    https_endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: IstioLifecycleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:platform:IstioLifecycle", name, None, opts)
        s, cluster, mgmt = args.settings, args.cluster, args.mgmt_cluster
        revision = s.versions.istio_revision
        gateways_ns = cluster.namespace(ISTIO_GATEWAYS_NS, self, {REVISION_LABEL: revision}, istio_workloads=True)
        service_opts = pulumi.ResourceOptions.merge(cluster.opts(self, [gateways_ns]), install_timeouts())
        services = {}
        for manifest in (ingress_gateway_service(revision), eastwest_gateway_service(cluster.name, revision)):
            meta = manifest["metadata"]
            services[meta["name"]] = k8s.core.v1.Service(
                cluster.resource_name(meta["name"], meta["namespace"]),
                metadata=meta, spec=manifest["spec"], opts=service_opts)

        # What Istio's pods need on the workload cluster before the lifecycle manager deploys them.
        workload_prerequisites = cluster.namespace_ready(ISTIO_GATEWAYS_NS)
        if s.openshift:
            workload_prerequisites += [
                cluster.grant_anyuid(ns, self, None)
                for ns in (ISTIO_SYSTEM_NS, *map(istio_operator_namespace, s.versions.istio_revisions))]
        lifecycle_opts = pulumi.ResourceOptions.merge(
            mgmt.opts(self, [*args.depends_on, *workload_prerequisites]), install_timeouts())
        self.ready = crds.emit(mgmt.resource_name(f"{cluster.name}-installation", GLOO_MESH_NS),
                               istio_lifecycle_manager(cluster.name, s.versions, s.openshift), lifecycle_opts)
        self.gateways = [
            crds.emit(mgmt.resource_name(m["metadata"]["name"], GLOO_MESH_NS), m, lifecycle_opts)
            for m in (ingress_gateway_lifecycle_manager(cluster.name, s.versions),
                      eastwest_gateway_lifecycle_manager(cluster.name, s.versions))
        ]
        ingress_address = load_balancer_address(services[INGRESS_GATEWAY_SERVICE])
        self.ingress_host = ingress_address
        self.http_endpoint = ingress_address.apply(lambda a: f"{a}:80")
        self.https_endpoint = ingress_address.apply(lambda a: f"{a}:443")
        self.register_outputs({"httpEndpoint": self.http_endpoint, "httpsEndpoint": self.https_endpoint})
