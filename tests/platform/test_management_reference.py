"""Fleet mode as the program runs it: the management stack's outputs, a workload stack's reference
to it, and which stack declares each object (the ownership table of docs/management_reference.md)."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.config import ConfigError, parse_settings
from components.platform import management_reference
from offline.records import Secret, Simulation
from offline.runtime import RecordingMonitor, WorkshopMocks, simulate
from tests.support.scenarios import dev_fleet
from tests.support.simulation import dev_config

MGMT_STACK = "my-org/gloo-mesh-workshop/dev-management"
WORKLOAD = {"role": "workload", "managementStack": MGMT_STACK, "workloadCluster": "cluster1"}


def owned(sim: Simulation, cluster: str | None = None) -> set[tuple[str | None, str, str | None]]:
    return {(r.cluster, r.kind, r.k8s_name) for r in sim.records
            if r.custom and not r.read and r.type.startswith("kubernetes:") and cluster in (None, r.cluster)}


def test_required_outputs_follow_the_features() -> None:
    base = parse_settings({**WORKLOAD})
    assert management_reference.required_outputs(base) == ("managementCluster", "workloadClusters", "mgmtServerEndpoint",
                                            "metricsEndpoint", "relayRootCa", "relayIdentityToken")
    tls = parse_settings({**WORKLOAD, "features": ["gateway", "gateway-tls"]})
    assert management_reference.required_outputs(tls)[-2:] == ("gatewayTlsCertificate", "gatewayTlsPrivateKey")


def test_reference_problems_name_each_missing_output_and_each_mismatch() -> None:
    s = parse_settings({**WORKLOAD})
    complete = {name: "x" for name in management_reference.required_outputs(s)} | {
        "managementCluster": "mgmt", "workloadClusters": ["cluster1", "cluster2"]}
    assert management_reference.reference_problems(s, complete) == []
    missing = management_reference.reference_problems(s, {k: v for k, v in complete.items() if k != "metricsEndpoint"})
    assert missing == [f"managementStack: stack {MGMT_STACK!r} has no output 'metricsEndpoint', which this "
                       "workload stack needs; is it this estate's management stack (role: management), deployed "
                       "with the same features?"]
    other = management_reference.reference_problems(s, {**complete, "managementCluster": "mgmt-b", "workloadClusters": ["cluster2"]})
    assert other == [
        f"mgmtCluster: 'mgmt', but management stack {MGMT_STACK!r} manages 'mgmt-b'",
        f"workloadCluster: 'cluster1' is missing from management stack {MGMT_STACK!r}'s workloadClusters (cluster2): "
        "add it to the management stack first, so its workspaces include the cluster",
    ]


def _workload_with(outputs: dict[str, Any]) -> RecordingMonitor:
    monitor = RecordingMonitor(WorkshopMocks(preview=False, stack_outputs={MGMT_STACK: outputs}))
    with pytest.raises(ConfigError) as caught:
        simulate({**dev_config(features=["gateway", "gateway-tls"]), **WORKLOAD}, monitor=monitor)
    monitor.error = str(caught.value)  # type: ignore[attr-defined]
    return monitor


def test_a_missing_management_output_is_a_config_error_before_anything_is_declared() -> None:
    _, evaluation = dev_fleet()
    outputs = {k: v for k, v in evaluation.stacks["dev-management"].outputs.items() if k != "gatewayTlsPrivateKey"}
    monitor = _workload_with(outputs)
    assert "has no output 'gatewayTlsPrivateKey'" in monitor.error  # type: ignore[attr-defined]
    # Only the StackReference was read; nothing was declared.
    assert [(r.type, r.read) for r in monitor.records] == [("pulumi:pulumi:StackReference", True)]


def test_a_cluster_missing_from_the_management_stack_is_refused_before_anything_is_declared() -> None:
    _, evaluation = dev_fleet()
    monitor = _workload_with({**evaluation.stacks["dev-management"].outputs, "workloadClusters": ["cluster2"]})
    assert "workloadCluster: 'cluster1' is missing from management stack" in monitor.error  # type: ignore[attr-defined]
    assert [r.type for r in monitor.records] == ["pulumi:pulumi:StackReference"]


def test_the_management_stack_hands_over_credentials_as_secrets() -> None:
    _, evaluation = dev_fleet()
    outputs = evaluation.stacks["dev-management"].outputs
    for name in ("relayRootCa", "relayIdentityToken", "gatewayTlsPrivateKey"):
        assert isinstance(outputs[name], Secret), name
    assert outputs["metricsEndpoint"] == "gloo-metrics-gateway.gloo-mesh.mgmt.lb.example:4317"
    assert outputs["mgmtServerEndpoint"] == "gloo-mesh-mgmt-server.gloo-mesh.mgmt.lb.example:9900"
    assert outputs["workloadClusters"] == ["cluster1", "cluster2"]


def test_stack_references_point_one_way() -> None:
    _, evaluation = dev_fleet()
    refs = {stack: [r.id for r in sim.records if r.type == "pulumi:pulumi:StackReference"]
            for stack, sim in evaluation.stacks.items()}
    assert refs == {"dev-management": [], "dev-cluster1": [MGMT_STACK], "dev-cluster2": [MGMT_STACK]}


def test_the_management_stack_declares_only_what_concerns_the_whole_estate() -> None:
    _, evaluation = dev_fleet()
    assert owned(evaluation.stacks["dev-management"]) == {
        ("mgmt", "Namespace", "gloo-mesh"),
        ("mgmt", "Release", "gloo-mesh-enterprise"),
        ("mgmt", "WorkspaceSettings", "global"),
        ("mgmt", "Workspace", "gateways"),
        ("mgmt", "Workspace", "bookinfo"),
        ("mgmt", "Workspace", "httpbin"),
        ("mgmt", "RootTrustPolicy", "root-trust-policy"),
    }


def test_a_workload_stack_declares_its_chain_on_the_management_cluster() -> None:
    _, evaluation = dev_fleet()
    assert owned(evaluation.stacks["dev-cluster2"], "mgmt") == {
        ("mgmt", "KubernetesCluster", "cluster2"),
        ("mgmt", "IstioLifecycleManager", "cluster2-installation"),
        ("mgmt", "GatewayLifecycleManager", "cluster2-ingress"),
        ("mgmt", "GatewayLifecycleManager", "cluster2-eastwest"),
    }
    # The entry gateway's stack also has Keycloak, whose redirect URIs use that gateway's address.
    assert owned(evaluation.stacks["dev-cluster1"], "mgmt") - owned(evaluation.stacks["dev-cluster2"], "mgmt") \
        == {("mgmt", "KubernetesCluster", "cluster1"), ("mgmt", "IstioLifecycleManager", "cluster1-installation"),
            ("mgmt", "GatewayLifecycleManager", "cluster1-ingress"),
            ("mgmt", "GatewayLifecycleManager", "cluster1-eastwest"),
            ("mgmt", "Namespace", "keycloak"), ("mgmt", "Service", "keycloak"), ("mgmt", "Deployment", "keycloak"),
            ("mgmt", "Secret", "keycloak-realm"), ("mgmt", "Secret", "keycloak-admin")}
    # Nothing of another workload cluster.
    assert {c for c, _, _ in owned(evaluation.stacks["dev-cluster2"])} == {"mgmt", "cluster2"}


def test_the_chain_registration_agent_istio_apps_stays_inside_one_stack() -> None:
    _, evaluation = dev_fleet()
    sim = evaluation.stacks["dev-cluster2"]
    registration = sim.one("KubernetesCluster", name="cluster2")
    agent = sim.one("Release", cluster="cluster2", name="gloo-mesh-agent")
    istio = sim.one("IstioLifecycleManager", name="cluster2-installation")
    productpage = sim.one("Deployment", cluster="cluster2", name="productpage-v1")
    assert sim.depends_on(agent, registration)
    assert sim.depends_on(istio, agent) and sim.depends_on(istio, registration)
    assert sim.depends_on(productpage, istio)


def test_relay_secrets_on_a_workload_cluster_are_the_management_stacks_secret_outputs() -> None:
    _, evaluation = dev_fleet()
    outputs = evaluation.stacks["dev-management"].outputs
    sim = evaluation.stacks["dev-cluster2"]
    ca = sim.one("Secret", cluster="cluster2", name="relay-root-tls-secret")
    token = sim.one("Secret", cluster="cluster2", name="relay-identity-token-secret")
    # A map with a secret value travels as a secret map.
    assert ca.inputs["data"] == Secret({"ca.crt": outputs["relayRootCa"].value})
    assert token.inputs["data"] == Secret({"token": outputs["relayIdentityToken"].value})
    tls = sim.one("Secret", cluster="cluster2", name="tls-secret")
    assert isinstance(tls.inputs["stringData"], Secret)
    assert tls.inputs["stringData"].value["tls.key"] == outputs["gatewayTlsPrivateKey"].value


def test_a_workload_stack_exports_its_own_cluster() -> None:
    _, evaluation = dev_fleet()
    outputs = evaluation.stacks["dev-cluster2"].outputs
    assert outputs["workloadCluster"] == "cluster2"
    assert set(outputs["gatewayEndpoints"]) == {"cluster2"}
    assert set(outputs["productpageUrls"]) == {"cluster2"}
    assert "keycloakUrl" not in outputs and "keycloakUrl" in evaluation.stacks["dev-cluster1"].outputs


def test_with_managed_trust_the_management_stack_must_have_issued_this_clusters_certificate() -> None:
    s = parse_settings({**WORKLOAD, "relayTrust": "managed"})
    outputs = {name: "x" for name in management_reference.required_outputs(s)} | {
        "managementCluster": "mgmt", "workloadClusters": ["cluster1", "cluster2"],
        "relayAgentCertificates": {"cluster2": "CERT"}}
    assert management_reference.reference_problems(s, outputs) == [
        f"workloadCluster: management stack {MGMT_STACK!r} issued no relay client certificate for 'cluster1' "
        "(relayAgentCertificates: cluster2)"]
    assert management_reference.reference_problems(s, {**outputs, "relayAgentCertificates": {"cluster1": "CERT"}}) == []
