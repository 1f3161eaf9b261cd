"""Lab 2, each workload cluster: registration, relay secrets and the Gloo Mesh agent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.core import crds
from components.core.cluster import Cluster
from components.core.config import Settings
from components.core.constants import AGENT_CHART, GLOO_MESH_NS, RELAY_AUTHORITY
from components.core.helm import release

from .lab02_management_plane import RELAY_SECRET_KEYS, ManagementEndpoints, collector_host_ports_off
from .relay_trust import agent_relay_values, agent_secrets


def agent_values(
    cluster: str, relay_endpoint: pulumi.Input[str], metrics_endpoint: pulumi.Input[str], openshift: bool,
    managed_relay_trust: bool = False,
) -> dict[str, Any]:
    """The workshop's `--set` flags for the gloo-mesh-agent chart, as nested values.

    The workshop passes the OTLP endpoint with literal double quotes (`=\\"${ENDPOINT_METRICS_GATEWAY}\\"`),
    and so does this. With `managed_relay_trust` the relay values also name the client certificate,
    root CA and token Secrets the program creates (`relay_trust.agent_relay_values`).
    """
    relay: dict[str, Any] = {"serverAddress": relay_endpoint, "authority": RELAY_AUTHORITY}
    if managed_relay_trust:
        relay.update(agent_relay_values())
    values: dict[str, Any] = {
        "relay": relay,
        "rate-limiter": {"enabled": False},
        "ext-auth-service": {"enabled": False},
        "glooMeshPortalServer": {"enabled": False},
        "cluster": cluster,
        "metricscollector": {
            "enabled": True,
            "config": {"exporters": {"otlp": {"endpoint": pulumi.Output.format('"{0}"', metrics_endpoint)}}},
            "ports": collector_host_ports_off(),
        },
    }
    if openshift:
        values["glooMeshAgent"] = {"floatingUserId": True}
    return values


@dataclass(frozen=True)
class AgentArgs:
    settings: Settings
    cluster: Cluster
    management: ManagementEndpoints


class Agent(pulumi.ComponentResource):
    """Registers one workload cluster and runs its agent; `self.release` is the agent (and CRD) release."""

    #: The KubernetesCluster object that registers this cluster on the management cluster.
    registration: crds.CustomResourceKind
    #: The agent chart's release, which also installs the Gloo CRDs on this cluster.
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: AgentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:platform:Agent", name, None, opts)
        s, cluster, mgmt = args.settings, args.cluster, args.management
        self.registration = mgmt.register(cluster.name)
        namespace = cluster.namespace(GLOO_MESH_NS, self)
        prerequisites: list[pulumi.Resource] = [namespace, self.registration]
        credentials = mgmt.agent_relay_credentials(cluster.name)
        if credentials is not None:
            # Managed relay trust: this cluster's client certificate, the root CA and the token, issued
            # by the program; nothing here waits for the management plane's release.
            prerequisites += agent_secrets(cluster, credentials, with_token=cluster is not mgmt.cluster, parent=self,
                                           depends_on=[namespace])
        elif cluster is not mgmt.cluster:
            # On the management cluster itself the chart created these secrets already.
            for secret_name, key in RELAY_SECRET_KEYS.items():
                prerequisites.append(k8s.core.v1.Secret(
                    cluster.resource_name(secret_name, GLOO_MESH_NS),
                    metadata={"name": secret_name, "namespace": GLOO_MESH_NS},
                    type="Opaque",
                    data={key: mgmt.relay_data[secret_name]},
                    opts=cluster.opts(self, [namespace]),
                ))
        self.release = release(
            cluster, self,
            name=AGENT_CHART,
            chart=AGENT_CHART,
            repo=s.versions.agent_repo,
            version=s.versions.gloo_mesh,
            namespace=GLOO_MESH_NS,
            values=agent_values(cluster.name, mgmt.relay_endpoint, mgmt.metrics_endpoint, s.openshift,
                                managed_relay_trust=s.managed_relay_trust),
            timeout_seconds=s.helm_timeout_seconds,
            depends_on=prerequisites,
            protect=s.protect_platform,
        )
        self.register_outputs({"release": self.release.status})
