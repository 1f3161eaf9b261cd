"""Lab 2, management cluster: the Gloo Mesh Enterprise management plane and cluster registration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_kubernetes as k8s

from components.core import crds, helm
from components.core.cluster import Cluster
from components.core.config import Settings
from components.core.constants import (
    CLUSTER_DOMAIN,
    EASTWEST_GATEWAY_LABEL,
    ENTERPRISE_CHART,
    GLOO_MESH_NS,
    METRICS_GATEWAY_OTLP_PORT,
    METRICS_GATEWAY_SERVICE,
    MGMT_SERVER_SERVICE,
    RELAY_IDENTITY_TOKEN_SECRET,
    RELAY_PORT,
    RELAY_ROOT_TLS_SECRET,
)

from .relay_trust import (
    AgentRelayCredentials,
    RelayAuthority,
    RelayAuthorityArgs,
    management_secrets,
    mgmt_metrics_gateway_values,
    mgmt_relay_values,
)

# The secret each agent needs from the management cluster, and the one key of it the workshop copies.
RELAY_SECRET_KEYS = {RELAY_ROOT_TLS_SECRET: "ca.crt", RELAY_IDENTITY_TOKEN_SECRET: "token"}

# The metrics collector's ports; the workshop turns every host port off.
COLLECTOR_PORTS = ("otlp", "otlp-http", "jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin")


def collector_host_ports_off() -> dict[str, Any]:
    return {port: {"hostPort": 0} for port in COLLECTOR_PORTS}


def enterprise_values(
    mgmt_cluster: str, license_key: pulumi.Input[str], openshift: bool, managed_relay_trust: bool = False
) -> dict[str, Any]:
    """The workshop's `--set` flags for the gloo-mesh-enterprise chart, as nested values.

    With `managed_relay_trust` the relay server's CA and token generation are off and it serves the
    certificate and token the program issues (`relay_trust.mgmt_relay_values`); so does the metrics
    gateway (`relay_trust.mgmt_metrics_gateway_values`).
    """
    values: dict[str, Any] = {
        "glooMeshMgmtServer": {"ports": {"healthcheck": 8091}},
        "legacyMetricsPipeline": {"enabled": False},
        "metricsgateway": {"enabled": True, "service": {"type": "LoadBalancer"}},
        "metricscollector": {"ports": collector_host_ports_off()},
        "glooMeshUi": {"serviceType": "LoadBalancer"},
        "mgmtClusterName": mgmt_cluster,
        "global": {"cluster": mgmt_cluster},
        "licenseKey": license_key,
    }
    if openshift:
        values["glooMeshMgmtServer"]["floatingUserId"] = True
        values["glooMeshUi"]["floatingUserId"] = True
        values["glooMeshRedis"] = {"floatingUserId": True}
        values["prometheus"] = {"server": {"securityContext": False}}
    if managed_relay_trust:
        values["glooMeshMgmtServer"]["relay"] = mgmt_relay_values()
        values["metricsgatewayCustomization"] = mgmt_metrics_gateway_values()
    return values


def kubernetes_cluster_manifest(workload_cluster: str) -> dict[str, Any]:
    return crds.KubernetesCluster.manifest(workload_cluster, GLOO_MESH_NS, {"clusterDomain": CLUSTER_DOMAIN})


def global_workspace_settings_manifest() -> dict[str, Any]:
    return crds.WorkspaceSettings.manifest(
        "global", GLOO_MESH_NS, {"options": {"eastWestGateways": [{"selector": {"labels": dict(EASTWEST_GATEWAY_LABEL)}}]}}
    )


class ManagementEndpoints(Protocol):
    """What agents and lifecycle managers need of the management plane: the `ManagementPlane` of
    this stack, or (a fleet's workload stack) the management stack's outputs."""

    cluster: Cluster
    #: The release that installs the Gloo CRDs on the management cluster; None where another stack owns it.
    release: pulumi.Resource | None
    relay_endpoint: pulumi.Output[str]
    metrics_endpoint: pulumi.Output[str]
    #: `relayTrust: generated`: by relay Secret name, the base64 data of the one key an agent gets
    #: (`ca.crt`, `token`), secret; empty with `managed`.
    relay_data: dict[str, pulumi.Output[str]]

    def agent_relay_credentials(self, workload_cluster: str) -> AgentRelayCredentials | None:
        """`relayTrust: managed`: the agent's client certificate, root CA and token; None with `generated`."""
        ...

    def register(self, workload_cluster: str) -> crds.CustomResourceKind: ...


@dataclass(frozen=True)
class ManagementPlaneArgs:
    settings: Settings
    cluster: Cluster
    license_key: pulumi.Input[str]


class ManagementPlane(pulumi.ComponentResource):
    """gloo-mesh namespace, the enterprise chart, the global WorkspaceSettings, and what agents need from it."""

    #: The management cluster.
    cluster: Cluster
    #: With `relayTrust: managed`, the relay PKI the program issues (None: the chart generates it).
    relay_authority: RelayAuthority | None
    #: The enterprise chart's release, which installs the Gloo CRDs on the management cluster.
    release: k8s.helm.v3.Release
    #: `<mgmt-server LB>:9900`, the relay endpoint agents dial (the workshop's ENDPOINT_GLOO_MESH),
    #: known once the LoadBalancer has an address.
    relay_endpoint: pulumi.Output[str]
    #: `<metrics gateway LB>:4317` (the workshop's ENDPOINT_METRICS_GATEWAY).
    metrics_endpoint: pulumi.Output[str]
    #: `relayTrust: generated`: by relay Secret name, the base64 data of the one key an agent gets
    #: (`ca.crt`, `token`), read back from the chart's Secrets, secret; empty with `managed` or with
    #: no agent on another cluster.
    relay_data: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: ManagementPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:platform:ManagementPlane", name, None, opts)
        s, cluster = args.settings, args.cluster
        self.cluster = cluster
        namespace = cluster.namespace(GLOO_MESH_NS, self)
        self.relay_authority = None
        release_prerequisites: list[pulumi.Resource] = [namespace]
        if s.managed_relay_trust:
            self.relay_authority = RelayAuthority(
                "relay-authority", RelayAuthorityArgs(s.credentials_rotation), pulumi.ResourceOptions(parent=self))
            release_prerequisites += management_secrets(cluster, self.relay_authority, self, [namespace])
        self.release = helm.release(
            cluster, self,
            name=ENTERPRISE_CHART,
            chart=ENTERPRISE_CHART,
            repo=s.versions.enterprise_repo,
            version=s.versions.gloo_mesh,
            namespace=GLOO_MESH_NS,
            values=enterprise_values(s.mgmt.name, pulumi.Output.secret(args.license_key), s.openshift,
                                     managed_relay_trust=s.managed_relay_trust),
            timeout_seconds=s.helm_timeout_seconds,
            depends_on=release_prerequisites,
            protect=s.protect_platform,
        )
        after_release = cluster.opts(self, [self.release])
        crds.emit(cluster.resource_name("global", GLOO_MESH_NS), global_workspace_settings_manifest(), after_release)

        mgmt_server = k8s.core.v1.Service.get(
            cluster.resource_name(MGMT_SERVER_SERVICE, GLOO_MESH_NS),
            helm.chart_object_id(self.release, MGMT_SERVER_SERVICE), opts=after_release)
        metrics_gateway = k8s.core.v1.Service.get(
            cluster.resource_name(METRICS_GATEWAY_SERVICE, GLOO_MESH_NS),
            helm.chart_object_id(self.release, METRICS_GATEWAY_SERVICE), opts=after_release)
        self.relay_endpoint = helm.load_balancer_address(mgmt_server).apply(lambda a: f"{a}:{RELAY_PORT}")
        self.metrics_endpoint = helm.load_balancer_address(metrics_gateway).apply(
            lambda a: f"{a}:{METRICS_GATEWAY_OTLP_PORT}")

        # The chart generates the relay CA and identity token; agents get copies (lab 2's manual step):
        # only the key the workshop copies, as the root secret also holds the CA's private key. With
        # managed relay trust nothing is read back: agents get what the relay authority issues. With
        # no agent on another cluster (the management cluster as the only workload cluster) nobody
        # needs a copy, so nothing is read: the CA's private key stays out of the state as well.
        self.relay_data = {}
        copies_needed = any(c.name != s.mgmt.name for c in s.workload_clusters)
        for secret, key in ({} if s.managed_relay_trust or not copies_needed else RELAY_SECRET_KEYS).items():
            source = k8s.core.v1.Secret.get(cluster.resource_name(secret, GLOO_MESH_NS),
                                            helm.chart_object_id(self.release, secret), opts=after_release)
            self.relay_data[secret] = pulumi.Output.secret(source.data.apply(lambda d, k=key: d[k]))
        self.register_outputs({"relayEndpoint": self.relay_endpoint, "metricsEndpoint": self.metrics_endpoint})

    def agent_relay_credentials(self, workload_cluster: str) -> AgentRelayCredentials | None:
        return self.relay_authority.issue_agent(workload_cluster) if self.relay_authority else None

    def register(self, workload_cluster: str) -> crds.CustomResourceKind:
        """The KubernetesCluster object that registers a workload cluster with the management plane."""
        return crds.emit(self.cluster.resource_name(workload_cluster, GLOO_MESH_NS),
                         kubernetes_cluster_manifest(workload_cluster), self.cluster.opts(self, [self.release]))
