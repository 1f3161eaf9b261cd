"""Managed relay trust (`relayTrust: managed`): the program's own relay PKI, pinned to Solo's
"bring your own relay certificates" setup for Gloo Mesh 2.2 (chart values, Secret names and keys,
certificate SANs), with every key and token a Pulumi secret and nothing read back from the
management cluster."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.platform.lab02_agent import agent_values
from components.platform.lab02_management_plane import enterprise_values
from components.platform.relay_trust import (
    AgentRelayCredentials,
    RelayAuthority,
    RelayAuthorityArgs,
    TlsCredentials,
    agent_profile,
    agent_relay_values,
    agent_secret_specs,
    management_secret_specs,
    mgmt_relay_values,
    server_profile,
)
from offline.records import UNKNOWN, UNKNOWN_ID_MARK, Record, Secret, Simulation, reveal
from offline.runtime import RecordingMonitor, WorkshopMocks, simulate
from tests.support.simulation import LICENSE, cached_simulation, dev_config

RELEASE = "kubernetes:helm.sh/v3:Release"
WORKLOADS = ("cluster1", "cluster2")
# Solo's documented values (Helm values reference of gloo-mesh-enterprise / gloo-mesh-agent 2.x,
# gloo-mesh-use-cases helm-install/2.2 values files).
DOCUMENTED_MGMT_RELAY = {
    "disableCa": True,
    "disableCaCertGeneration": True,
    "disableTokenGeneration": True,
    "tlsSecret": {"name": "relay-server-tls-secret"},
    "tokenSecret": {"name": "relay-identity-token-secret", "namespace": "gloo-mesh", "key": "token"},
}
DOCUMENTED_AGENT_RELAY = {
    "clientTlsSecret": {"name": "relay-client-tls-secret"},
    "rootTlsSecret": {"name": "relay-root-tls-secret"},
    "tokenSecret": {"name": "relay-identity-token-secret", "namespace": "gloo-mesh", "key": "token"},
}
#: The management cluster doubling as a workload cluster (tests/offline/test_rbac.py simulates the same).
MGMT_IS_WORKLOAD = {"licenseKey": LICENSE, "mgmtCluster": "cluster1", "relayTrust": "managed"}
#: The authority agents set when dialing the relay (`relay.authority`, the workshop's value).
AUTHORITY = "gloo-mesh-mgmt-server.gloo-mesh"


@pytest.fixture(scope="module")
def managed() -> Simulation:
    return cached_simulation(dev_config(relayTrust="managed"))


def tls_record(sim: Simulation, name: str) -> Record:
    found = [r for r in sim.records if r.name == name]
    assert len(found) == 1, (name, [r.name for r in sim.records if r.type.startswith("tls:")])
    return found[0]


def string_data(record: Record) -> dict[str, Any]:
    data = record.inputs["stringData"]
    return reveal(data)


# Pure parts ---------------------------------------------------------------------------------------
def test_chart_values_are_the_documented_bring_your_own_certificate_keys() -> None:
    assert mgmt_relay_values() == DOCUMENTED_MGMT_RELAY
    assert agent_relay_values() == DOCUMENTED_AGENT_RELAY


def test_enterprise_values_turn_the_relay_ca_off_only_when_managed() -> None:
    assert enterprise_values("mgmt", "LICENSE", openshift=True)["glooMeshMgmtServer"] == {
        "ports": {"healthcheck": 8091}, "floatingUserId": True}
    managed = enterprise_values("mgmt", "LICENSE", openshift=True, managed_relay_trust=True)
    assert managed["glooMeshMgmtServer"] == {"ports": {"healthcheck": 8091}, "floatingUserId": True,
                                             "relay": DOCUMENTED_MGMT_RELAY}


def test_agent_values_name_the_secrets_only_when_managed() -> None:
    generated = agent_values("cluster1", "relay:9900", "metrics:4317", openshift=False)
    assert generated["relay"] == {"serverAddress": "relay:9900", "authority": AUTHORITY}
    managed = agent_values("cluster1", "relay:9900", "metrics:4317", openshift=False, managed_relay_trust=True)
    assert managed["relay"] == {"serverAddress": "relay:9900", "authority": AUTHORITY, **DOCUMENTED_AGENT_RELAY}


def test_server_certificate_names_the_authority_agents_dial() -> None:
    profile = server_profile()
    assert profile.common_name == "gloo-mesh-mgmt-server"
    assert profile.dns_names == (AUTHORITY, "*.gloo-mesh")


@pytest.mark.parametrize("cluster", ["cluster1", "edge-7"])
def test_agent_certificate_san_is_the_cluster_name(cluster: str) -> None:
    assert agent_profile(cluster).dns_names == (cluster,)


def test_secret_specs_carry_the_documented_keys() -> None:
    creds = AgentRelayCredentials(TlsCredentials("CERT", "KEY", "CA"), "TOKEN")
    specs = {s.name: s for s in agent_secret_specs(creds, with_token=True)}
    assert {n: (s.type, sorted(s.string_data)) for n, s in specs.items()} == {
        "relay-root-tls-secret": ("Opaque", ["ca.crt"]),
        "relay-client-tls-secret": ("kubernetes.io/tls", ["ca.crt", "tls.crt", "tls.key"]),
        "relay-identity-token-secret": ("Opaque", ["token"]),
    }
    assert [s.name for s in agent_secret_specs(creds, with_token=False)] == [
        "relay-root-tls-secret", "relay-client-tls-secret"]
    mgmt = {s.name: (s.type, sorted(s.string_data))
            for s in management_secret_specs(creds.client, "TOKEN", creds.client)}
    assert mgmt == {"relay-server-tls-secret": ("kubernetes.io/tls", ["ca.crt", "tls.crt", "tls.key"]),
                    "relay-identity-token-secret": ("Opaque", ["token"]),
                    "gloo-metrics-gateway-tls-secret": ("kubernetes.io/tls", ["ca.crt", "tls.crt", "tls.key"])}


# The program, managed mode ------------------------------------------------------------------------
def test_no_relay_secret_is_read_back(managed: Simulation) -> None:
    reads = managed.select(read=True)
    assert {(r.kind, r.id) for r in reads} == {
        ("Service", "gloo-mesh/gloo-mesh-mgmt-server"), ("Service", "gloo-mesh/gloo-metrics-gateway")}


def test_a_preview_of_a_fresh_stack_shows_every_relay_input() -> None:
    preview = simulate(dev_config(relayTrust="managed"), preview=True)
    assert not preview.select("Secret", read=True)
    for cluster in WORKLOADS:
        for name in ("relay-root-tls-secret", "relay-client-tls-secret", "relay-identity-token-secret"):
            data = string_data(preview.one("Secret", cluster=cluster, name=name))
            assert UNKNOWN not in data.values(), (cluster, name)
    # (The workshop's way, for contrast, copies from reads whose ids are unknown in such a preview:
    # tests/platform/test_lab02.py.) Nothing an agent's Secrets take is read from a cluster.
    for cluster in WORKLOADS:
        agent = preview.one(RELEASE, cluster=cluster, name="gloo-mesh-agent")
        assert not [u for u in agent.dependencies if preview.by_urn(u).read and UNKNOWN_ID_MARK in preview.by_urn(u).id
                    and preview.by_urn(u).type == "kubernetes:core/v1:Secret"]


def _without_secrets(value: Any) -> Any:
    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def test_every_private_key_and_the_token_is_secret_in_every_input_and_output(managed: Simulation) -> None:
    token = reveal(managed.one("Secret", cluster="mgmt", name="relay-identity-token-secret").inputs["stringData"])[
        "token"]
    keys = [f"mock {r.name}" for r in managed.records if r.type == "tls:index/privateKey:PrivateKey"]
    assert len(keys) == 1 + 1 + 1 + 1 + len(WORKLOADS)  # gateway TLS, root CA, server, metrics gateway, agents
    for record in managed.records:
        plain = repr(_without_secrets(record.inputs))
        assert token not in plain, record.urn
        assert "PRIVATE KEY" not in plain, record.urn
    plain_outputs = repr(_without_secrets(managed.outputs))
    assert token not in plain_outputs and "PRIVATE KEY" not in plain_outputs


@pytest.mark.parametrize("cluster", WORKLOADS)
def test_agent_values_reference_the_secrets_the_program_created(managed: Simulation, cluster: str) -> None:
    agent = managed.one(RELEASE, cluster=cluster, name="gloo-mesh-agent")
    relay = reveal(agent.inputs["values"])["relay"]
    client = managed.one("Secret", cluster=cluster, namespace="gloo-mesh", name=relay["clientTlsSecret"]["name"])
    root = managed.one("Secret", cluster=cluster, namespace="gloo-mesh", name=relay["rootTlsSecret"]["name"])
    token = managed.one("Secret", cluster=cluster, namespace=relay["tokenSecret"]["namespace"],
                        name=relay["tokenSecret"]["name"])
    assert sorted(string_data(client)) == ["ca.crt", "tls.crt", "tls.key"]
    # The root Secret carries the CA certificate only: with a tls.key the agent would mint its own cert.
    assert sorted(string_data(root)) == ["ca.crt"]
    assert sorted(string_data(token)) == [relay["tokenSecret"]["key"]]
    for secret in (client, root, token):
        assert managed.depends_on(agent, secret), secret.k8s_name
        assert isinstance(secret.inputs["stringData"], Secret) or all(
            isinstance(v, Secret) for v in secret.inputs["stringData"].values())


def test_management_values_reference_the_secrets_the_program_created(managed: Simulation) -> None:
    release = managed.one(RELEASE, cluster="mgmt")
    relay = reveal(release.inputs["values"])["glooMeshMgmtServer"]["relay"]
    assert relay == DOCUMENTED_MGMT_RELAY
    server = managed.one("Secret", cluster="mgmt", namespace="gloo-mesh", name=relay["tlsSecret"]["name"])
    token = managed.one("Secret", cluster="mgmt", namespace="gloo-mesh", name=relay["tokenSecret"]["name"])
    assert sorted(string_data(server)) == ["ca.crt", "tls.crt", "tls.key"]
    assert server.inputs["type"] == "kubernetes.io/tls"
    for secret in (server, token):
        assert managed.depends_on(release, secret)
    # No signing (intermediate) CA: with the CA off the server signs no agent CSR.
    assert not managed.select("Secret", name="relay-tls-signing-secret")


def test_every_side_trusts_the_one_root_and_holds_the_one_token(managed: Simulation) -> None:
    root = tls_record(managed, "relay-authority-root-ca")
    assert root.inputs["isCaCertificate"] is True
    assert "cert_signing" in root.inputs["allowedUses"]
    root_pem = "-----BEGIN CERTIFICATE-----\nmock relay-authority-root-ca\n-----END CERTIFICATE-----\n"
    root_key = tls_record(managed, "relay-authority-root-ca-key")
    tokens = set()
    for cluster in ("mgmt", *WORKLOADS):
        for secret in managed.select("Secret", cluster=cluster, namespace="gloo-mesh"):
            data = string_data(secret)
            if "ca.crt" in data:
                assert data["ca.crt"] == root_pem, (cluster, secret.k8s_name)
            if "token" in data:
                tokens.add(data["token"])
    assert len(tokens) == 1
    for leaf in ("server", *(f"agent-{c}" for c in WORKLOADS)):
        cert = tls_record(managed, f"relay-authority-{leaf}-cert")
        assert cert.inputs["caCertPem"] == root_pem
        assert isinstance(cert.inputs["caPrivateKeyPem"], Secret)
        assert root_key.urn in cert.dependencies or any(
            root_key.urn in urns for urns in cert.property_dependencies.values())


def test_certificate_sans_match_the_relay_address_the_agents_use(managed: Simulation) -> None:
    server_csr = tls_record(managed, "relay-authority-server-csr")
    for cluster in WORKLOADS:
        agent = managed.one(RELEASE, cluster=cluster, name="gloo-mesh-agent")
        values = reveal(agent.inputs["values"])
        # The agent dials serverAddress with `authority` as the TLS server name: the server's SAN.
        assert values["relay"]["authority"] in server_csr.inputs["dnsNames"]
        # The server takes the agent's identity from its SAN: the cluster the agent and registration name.
        agent_csr = tls_record(managed, f"relay-authority-agent-{cluster}-csr")
        assert agent_csr.inputs["dnsNames"] == [values["cluster"]] == [cluster]
        assert managed.one("KubernetesCluster", cluster="mgmt", name=cluster)
        assert agent_csr.inputs["privateKeyPem"] == Secret(
            f"-----BEGIN PRIVATE KEY-----\nmock relay-authority-agent-{cluster}-key\n-----END PRIVATE KEY-----\n")


@pytest.mark.parametrize("cluster", WORKLOADS)
def test_agents_no_longer_wait_for_the_management_release_through_secrets(managed: Simulation, cluster: str) -> None:
    release = managed.one(RELEASE, cluster="mgmt")
    for name in ("relay-root-tls-secret", "relay-client-tls-secret", "relay-identity-token-secret"):
        assert not managed.depends_on(managed.one("Secret", cluster=cluster, name=name), release), name
    # What the agent still needs from the management release: its registration (a Gloo CR) and the
    # relay server's LoadBalancer address.
    agent = managed.one(RELEASE, cluster=cluster, name="gloo-mesh-agent")
    assert managed.depends_on(agent, managed.one("KubernetesCluster", cluster="mgmt", name=cluster))
    assert managed.depends_on(agent, managed.one("Service", cluster="mgmt", name="gloo-mesh-mgmt-server", read=True))


def test_management_cluster_as_workload_declares_each_secret_once() -> None:
    sim = cached_simulation(MGMT_IS_WORKLOAD)
    names = sorted(r.k8s_name for r in sim.select("Secret", cluster="cluster1", namespace="gloo-mesh"))
    assert names == ["gloo-metrics-gateway-tls-secret", "relay-client-tls-secret", "relay-identity-token-secret",
                     "relay-root-tls-secret", "relay-server-tls-secret"]
    assert tls_record(sim, "relay-authority-agent-cluster1-csr").inputs["dnsNames"] == ["cluster1"]


def test_the_default_stays_the_workshops_copies(dev_sim: Simulation) -> None:
    assert not [r for r in dev_sim.records if r.type.startswith("tls:") and "relay" in r.name]
    assert {r.k8s_name for r in dev_sim.select("Secret", read=True)} == {
        "relay-root-tls-secret", "relay-identity-token-secret"}


# Rotation hook --------------------------------------------------------------------------------------
class TriggerMonitor(RecordingMonitor):
    def __init__(self) -> None:
        super().__init__(WorkshopMocks(preview=False))
        self.triggers: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        if request.HasField("replacement_trigger"):
            self.triggers[request.name] = request.replacement_trigger
        return super().RegisterResource(request)


@pytest.mark.parametrize("rotation", [0, 2])
def test_the_rotation_counter_reaches_every_key_certificate_and_the_token(rotation: int) -> None:
    def program() -> None:
        authority = RelayAuthority("relay-authority", RelayAuthorityArgs(credentials_rotation=rotation))
        authority.issue_agent("cluster1")

    monitor = TriggerMonitor()
    sim = simulate({}, program=program, monitor=monitor)
    token = tls_record(sim, "relay-authority-token")
    generated = [r.name for r in sim.records if r.type.startswith("tls:")]
    # root key+cert; server, metrics gateway and agent: key, CSR, cert each
    assert len(generated) == 2 + 3 + 3 + 3
    # Every pulumi-tls resource carries the counter as its trigger (0 included: a first trigger replaces
    # nothing); the token gets keepers only above 0, so stacks from before rotation keep theirs.
    assert sorted(monitor.triggers) == sorted(generated)
    keepers = {"keepers": {"credentialsRotation": "2"}} if rotation else {}
    assert reveal(token.inputs) == {"length": 32, "special": False, **keepers}


def test_pulumi_output_secret_wraps_keys_in_specs() -> None:
    # The specs wrap the key and token themselves, whatever the caller passes (a StackReference output too).
    creds = AgentRelayCredentials(TlsCredentials("CERT", "KEY", "CA"), "TOKEN")
    specs = {s.name: s for s in agent_secret_specs(creds, with_token=True)}
    assert isinstance(specs["relay-client-tls-secret"].string_data["tls.key"], pulumi.Output)
    assert isinstance(specs["relay-identity-token-secret"].string_data["token"], pulumi.Output)
    assert specs["relay-client-tls-secret"].string_data["tls.crt"] == "CERT"


# The metrics gateway under managed relay trust ---------------------------------------------------
def test_the_metrics_gateway_serves_a_certificate_the_program_issues_from_the_relay_ca(managed: Simulation) -> None:
    # Solo's Gloo Mesh 2.2 custom-certificate notes: with `glooMeshMgmtServer.relay.disableCaCertGeneration`
    # the chart has no CA to issue `gloo-metrics-gateway-tls-secret`; create it from the relay CA
    # (SANs gloo-metrics-gateway.gloo-mesh and gloo-metrics-gateway.gloo-mesh.svc) and set
    # `metricsgatewayCustomization.disableCertGeneration: true`. The collectors trust it through
    # `relay-root-tls-secret`, the relay root CA.
    release = managed.one(RELEASE, cluster="mgmt")
    values = reveal(release.inputs["values"])
    assert values["metricsgatewayCustomization"] == {"disableCertGeneration": True}
    assert values["glooMeshMgmtServer"]["relay"]["disableCaCertGeneration"] is True
    secret = managed.one("Secret", cluster="mgmt", namespace="gloo-mesh", name="gloo-metrics-gateway-tls-secret")
    assert secret.inputs["type"] == "kubernetes.io/tls"
    data = string_data(secret)
    assert sorted(data) == ["ca.crt", "tls.crt", "tls.key"]
    csr = tls_record(managed, "relay-authority-metrics-gateway-csr")
    assert csr.inputs["dnsNames"] == ["gloo-metrics-gateway.gloo-mesh", "gloo-metrics-gateway.gloo-mesh.svc"]
    cert = tls_record(managed, "relay-authority-metrics-gateway-cert")
    root = tls_record(managed, "relay-authority-root-ca")
    assert "mock relay-authority-metrics-gateway-cert" in data["tls.crt"]
    # signed by the relay root CA, the one every agent's relay-root-tls-secret carries
    assert reveal(cert.inputs["caCertPem"]) == data["ca.crt"]
    assert "mock relay-authority-root-ca" in data["ca.crt"]
    assert root.name == "relay-authority-root-ca"
    for cluster in WORKLOADS:
        assert string_data(managed.one("Secret", cluster=cluster, name="relay-root-tls-secret"))["ca.crt"] == data["ca.crt"]
    # the release waits for the Secret it serves
    assert managed.depends_on(release, secret)


def test_the_default_lets_the_chart_issue_the_metrics_certificate(dev_sim: Simulation) -> None:
    values = reveal(dev_sim.one(RELEASE, cluster="mgmt").inputs["values"])
    assert "metricsgatewayCustomization" not in values
    assert not dev_sim.select("Secret", cluster="mgmt", name="gloo-metrics-gateway-tls-secret")
