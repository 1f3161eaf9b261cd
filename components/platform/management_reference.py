"""Fleet mode: what a workload stack reads from the management stack (docs/fleet.md).

The management stack exports what its workload stacks need (`management_outputs` in
`components/program.py`); a workload stack reads it through one `pulumi.StackReference`, checks it
before declaring anything (`reference_problems`: every missing output is named), and stands a
`ManagementReference` where the single stack has the `ManagementPlane`: the same relay endpoint,
metrics endpoint and relay secrets, and the cluster registration on the management cluster.

A workload stack never reads another workload stack, and the management stack reads none: the
StackReference points one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.runtime.sync_await import _sync_await

from components.core import crds
from components.core.cluster import Cluster
from components.core.config import ConfigError, Settings
from components.core.constants import (
    GLOO_MESH_NS,
    MANAGEMENT_REFERENCE_TYPE,
    RELAY_IDENTITY_TOKEN_SECRET,
    RELAY_ROOT_TLS_SECRET,
)

from .lab02_management_plane import kubernetes_cluster_manifest
from .relay_trust import AgentRelayCredentials, TlsCredentials

# The management stack's outputs a workload stack reads (names users see in `pulumi stack output`).
MANAGEMENT_CLUSTER = "managementCluster"
WORKLOAD_CLUSTERS = "workloadClusters"
RELAY_ENDPOINT = "mgmtServerEndpoint"
METRICS_ENDPOINT = "metricsEndpoint"
# relayTrust generated: the chart's relay Secrets' data (base64), as the management stack reads it back.
RELAY_ROOT_CA = "relayRootCa"
RELAY_TOKEN = "relayIdentityToken"
# relayTrust managed: what the management stack's relay authority issued. The CA key stays there: it
# issues every agent's client certificate, and hands each workload stack its own.
RELAY_CA_CERTIFICATE = "relayCaCertificate"
RELAY_AGENT_CERTIFICATES = "relayAgentCertificates"
RELAY_AGENT_PRIVATE_KEYS = "relayAgentPrivateKeys"
RELAY_MANAGED_TOKEN = "relayToken"
GATEWAY_TLS_CERTIFICATE = "gatewayTlsCertificate"
GATEWAY_TLS_PRIVATE_KEY = "gatewayTlsPrivateKey"

#: Outputs that carry a credential: the management stack exports them as secrets, and a workload
#: stack keeps them secret in every input they flow into.
SECRET_OUTPUTS = frozenset({RELAY_ROOT_CA, RELAY_TOKEN, RELAY_AGENT_PRIVATE_KEYS, RELAY_MANAGED_TOKEN,
                            GATEWAY_TLS_PRIVATE_KEY})
#: The relay Secret each output becomes on a workload cluster (base64 data of its one key).
RELAY_SECRET_OUTPUTS = {RELAY_ROOT_TLS_SECRET: RELAY_ROOT_CA, RELAY_IDENTITY_TOKEN_SECRET: RELAY_TOKEN}


def required_outputs(settings: Settings) -> tuple[str, ...]:
    """The management stack outputs a workload stack with these settings reads."""
    names = [MANAGEMENT_CLUSTER, WORKLOAD_CLUSTERS, RELAY_ENDPOINT, METRICS_ENDPOINT]
    if settings.managed_relay_trust:
        names += [RELAY_CA_CERTIFICATE, RELAY_AGENT_CERTIFICATES, RELAY_AGENT_PRIVATE_KEYS, RELAY_MANAGED_TOKEN]
    else:
        names += [RELAY_ROOT_CA, RELAY_TOKEN]
    if settings.has("gateway-tls"):
        names += [GATEWAY_TLS_CERTIFICATE, GATEWAY_TLS_PRIVATE_KEY]
    return tuple(names)


def reference_problems(settings: Settings, outputs: Mapping[str, Any]) -> list[str]:
    """What is wrong with the management stack's outputs for this workload stack (empty: nothing)."""
    stack = settings.management_stack
    problems = [
        f"managementStack: stack {stack!r} has no output {name!r}, which this workload stack needs; is it "
        "this estate's management stack (role: management), deployed with the same features?"
        for name in required_outputs(settings) if outputs.get(name) is None
    ]
    mgmt = outputs.get(MANAGEMENT_CLUSTER)
    if mgmt is not None and mgmt != settings.mgmt.name:
        problems.append(f"mgmtCluster: {settings.mgmt.name!r}, but management stack {stack!r} manages {mgmt!r}")
    clusters = outputs.get(WORKLOAD_CLUSTERS)
    if isinstance(clusters, Sequence) and settings.stack_cluster not in clusters:
        problems.append(
            f"workloadCluster: {settings.stack_cluster!r} is missing from management stack {stack!r}'s "
            f"workloadClusters ({', '.join(clusters) or 'none'}): add it to the management stack first, so its "
            "workspaces include the cluster"
        )
    certificates = outputs.get(RELAY_AGENT_CERTIFICATES)
    if settings.managed_relay_trust and isinstance(certificates, Mapping) and settings.stack_cluster not in certificates:
        problems.append(
            f"workloadCluster: management stack {stack!r} issued no relay client certificate for "
            f"{settings.stack_cluster!r} ({RELAY_AGENT_CERTIFICATES}: {', '.join(sorted(certificates)) or 'none'})"
        )
    return problems


def read_management_stack(settings: Settings) -> pulumi.StackReference:
    """The StackReference to the management stack, checked before any other resource is declared.

    The outputs are awaited here, synchronously, so that a missing or mismatched output is a
    configuration error naming it, not a failure halfway through an update.
    """
    reference = pulumi.StackReference(settings.management_stack)
    outputs = _sync_await(reference.outputs.future()) or {}
    problems = reference_problems(settings, outputs)
    if problems:
        raise ConfigError(problems)
    return reference


class ManagementReference(pulumi.ComponentResource):
    """The management plane as a workload stack sees it: the management stack's outputs, and the
    registration of this stack's cluster on the management cluster."""

    #: The management cluster, where this stack registers its workload cluster.
    cluster: Cluster
    #: The management stack, whose outputs this component reads.
    reference: pulumi.StackReference
    #: `relayTrust: managed`: agents get the certificates the management stack issued, no relay data.
    managed_relay_trust: bool
    #: Always None: the management stack deployed the Gloo CRDs on the management cluster before this
    #: stack runs.
    release: pulumi.Resource | None
    relay_endpoint: pulumi.Output[str]
    metrics_endpoint: pulumi.Output[str]
    #: `relayTrust: generated`: by relay Secret name, the base64 data of the one key an agent gets
    #: (`ca.crt`, `token`), secret; empty with `managed`.
    relay_data: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, settings: Settings, cluster: Cluster, reference: pulumi.StackReference,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(MANAGEMENT_REFERENCE_TYPE, name, None, opts)
        self.cluster = cluster
        self.reference = reference
        self.managed_relay_trust = settings.managed_relay_trust
        self.release = None
        self.relay_endpoint = reference.get_output(RELAY_ENDPOINT)
        self.metrics_endpoint = reference.get_output(METRICS_ENDPOINT)
        self.relay_data = {} if self.managed_relay_trust else {
            secret: self.output(output) for secret, output in RELAY_SECRET_OUTPUTS.items()}
        self.register_outputs({"relayEndpoint": self.relay_endpoint})

    def agent_relay_credentials(self, workload_cluster: str) -> AgentRelayCredentials | None:
        """With managed relay trust: this cluster's client certificate and key, the root CA and the
        token, as the management stack's relay authority issued them."""
        if not self.managed_relay_trust:
            return None
        certificates, keys = self.output(RELAY_AGENT_CERTIFICATES), self.output(RELAY_AGENT_PRIVATE_KEYS)
        client = TlsCredentials(cert_pem=certificates.apply(lambda m: m[workload_cluster]),
                                key_pem=keys.apply(lambda m: m[workload_cluster]),
                                ca_cert_pem=self.output(RELAY_CA_CERTIFICATE))
        return AgentRelayCredentials(client=client, token=self.output(RELAY_MANAGED_TOKEN))

    def output(self, name: str) -> pulumi.Output[Any]:
        """Another output of the management stack, secret where it carries a credential."""
        value = self.reference.get_output(name)
        return pulumi.Output.secret(value) if name in SECRET_OUTPUTS else value

    def register(self, workload_cluster: str) -> crds.CustomResourceKind:
        """The KubernetesCluster object that registers this stack's workload cluster."""
        return crds.emit(self.cluster.resource_name(workload_cluster, GLOO_MESH_NS),
                         kubernetes_cluster_manifest(workload_cluster), self.cluster.opts(self))
