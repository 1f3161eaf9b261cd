"""Lab 2: management plane, registration, relay secrets and agents, pinned to the workshop."""

from __future__ import annotations

import pytest

from components.platform.lab02_agent import agent_values
from components.platform.lab02_management_plane import enterprise_values
from offline.records import UNKNOWN_ID_MARK, Secret, Simulation, reveal
from offline.runtime import simulate
from tests.support.simulation import dev_config

ENTERPRISE_REPO = "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-enterprise"
AGENT_REPO = "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-agent"
HOST_PORTS_OFF = {p: {"hostPort": 0} for p in
                  ("otlp", "otlp-http", "jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin")}

# The workshop's `helm upgrade --install gloo-mesh-enterprise` --set flags, nested (OpenShift).
WORKSHOP_ENTERPRISE_VALUES = {
    "glooMeshMgmtServer": {"ports": {"healthcheck": 8091}, "floatingUserId": True},
    "legacyMetricsPipeline": {"enabled": False},
    "metricsgateway": {"enabled": True, "service": {"type": "LoadBalancer"}},
    "metricscollector": {"ports": HOST_PORTS_OFF},
    "glooMeshUi": {"floatingUserId": True, "serviceType": "LoadBalancer"},
    "glooMeshRedis": {"floatingUserId": True},
    "prometheus": {"server": {"securityContext": False}},
    "mgmtClusterName": "mgmt",
    "global": {"cluster": "mgmt"},
    "licenseKey": "LICENSE",
}


def workshop_agent_values(cluster: str, relay: str, metrics: str) -> dict:
    return {
        "relay": {"serverAddress": relay, "authority": "gloo-mesh-mgmt-server.gloo-mesh"},
        "rate-limiter": {"enabled": False},
        "ext-auth-service": {"enabled": False},
        "glooMeshPortalServer": {"enabled": False},
        "cluster": cluster,
        "metricscollector": {"enabled": True, "config": {"exporters": {"otlp": {"endpoint": f'"{metrics}"'}}},
                             "ports": HOST_PORTS_OFF},
        "glooMeshAgent": {"floatingUserId": True},
    }


def test_enterprise_values_are_the_workshop_flags() -> None:
    assert enterprise_values("mgmt", "LICENSE", openshift=True) == WORKSHOP_ENTERPRISE_VALUES


def test_enterprise_values_on_plain_kubernetes_drop_the_openshift_flags() -> None:
    openshift_only = ("glooMeshRedis", "prometheus")
    assert enterprise_values("mgmt", "LICENSE", openshift=False) == {
        **{k: v for k, v in WORKSHOP_ENTERPRISE_VALUES.items() if k not in openshift_only},
        "glooMeshMgmtServer": {"ports": {"healthcheck": 8091}}, "glooMeshUi": {"serviceType": "LoadBalancer"}}


def test_mgmt_release(dev_sim: Simulation) -> None:
    release = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt")
    inputs = release.inputs
    assert (inputs["name"], inputs["chart"], inputs["version"], inputs["namespace"]) == (
        "gloo-mesh-enterprise", "gloo-mesh-enterprise", "2.2.6", "gloo-mesh")
    assert inputs["repositoryOpts"] == {"repo": ENTERPRISE_REPO}
    assert inputs["timeout"] == 900
    assert isinstance(inputs["values"]["licenseKey"], Secret)
    assert reveal(inputs["values"]) == {**WORKSHOP_ENTERPRISE_VALUES, "licenseKey": dev_config()["licenseKey"]}
    namespace = dev_sim.one("Namespace", cluster="mgmt", name="gloo-mesh")
    assert dev_sim.depends_on(release, namespace)


def test_license_from_secret_config_never_plain(dev_sim: Simulation) -> None:
    license_key = dev_config()["licenseKey"]
    for record in dev_sim.records:
        assert license_key not in repr(_strip_secrets(record.inputs)), record.urn


def _strip_secrets(value: object) -> object:
    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, dict):
        return {k: _strip_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_secrets(v) for v in value]
    return value


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_cluster_registration(dev_sim: Simulation, cluster: str) -> None:
    registration = dev_sim.one("KubernetesCluster", cluster="mgmt", name=cluster)
    assert registration.metadata == {"name": cluster, "namespace": "gloo-mesh"}
    assert registration.spec == {"clusterDomain": "cluster.local"}
    assert registration.inputs["apiVersion"] == "admin.gloo.solo.io/v2"
    assert dev_sim.depends_on(registration, dev_sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt"))


def test_global_workspace_settings(dev_sim: Simulation) -> None:
    settings = dev_sim.one("WorkspaceSettings", cluster="mgmt", name="global")
    assert settings.metadata == {"name": "global", "namespace": "gloo-mesh"}
    assert settings.spec == {"options": {"eastWestGateways": [{"selector": {"labels": {"istio": "eastwestgateway"}}}]}}


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_agent_release(dev_sim: Simulation, cluster: str) -> None:
    agent = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
    assert (agent.inputs["chart"], agent.inputs["version"], agent.inputs["namespace"]) == (
        "gloo-mesh-agent", "2.2.6", "gloo-mesh")
    assert agent.inputs["repositoryOpts"] == {"repo": AGENT_REPO}
    relay = "gloo-mesh-mgmt-server.gloo-mesh.mgmt.lb.example:9900"
    metrics = "gloo-metrics-gateway.gloo-mesh.mgmt.lb.example:4317"
    assert reveal(agent.inputs["values"]) == workshop_agent_values(cluster, relay, metrics)


def test_agent_values_on_plain_kubernetes_have_no_floating_user_id() -> None:
    # Every value but the OpenShift one (the OTLP endpoint is an Output here: the dev stack pins it).
    values = agent_values("cluster1", "relay:9900", "metrics:4317", openshift=False)
    workshop = workshop_agent_values("cluster1", "relay:9900", "metrics:4317")
    assert sorted(values) == sorted(set(workshop) - {"glooMeshAgent"})
    assert {k: v for k, v in values.items() if k != "metricscollector"} == {
        k: v for k, v in workshop.items() if k not in ("glooMeshAgent", "metricscollector")}


@pytest.mark.parametrize(("secret", "key"), [("relay-root-tls-secret", "ca.crt"),
                                             ("relay-identity-token-secret", "token")])
@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_relay_secrets_copied_from_mgmt_key_only_and_secret(dev_sim: Simulation, cluster: str, secret: str,
                                                            key: str) -> None:
    copy = dev_sim.one("Secret", cluster=cluster, name=secret)
    source = dev_sim.one("Secret", cluster="mgmt", name=secret, read=True)
    assert copy.metadata == {"name": secret, "namespace": "gloo-mesh"}
    assert copy.inputs["type"] == "Opaque"
    data = copy.inputs["data"]
    assert isinstance(data, Secret) or all(isinstance(v, Secret) for v in data.values())
    # Only the key the workshop copies: the mgmt secret also holds the CA's private key.
    assert set(reveal(data)) == {key}
    assert reveal(data)[key] == _mock_b64(f"mock {key} of mgmt/gloo-mesh/{secret}")
    assert source.id == f"gloo-mesh/{secret}"
    agent = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
    assert dev_sim.depends_on(agent, copy)


def _mock_b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_agent_waits_for_registration_and_mgmt_plane(dev_sim: Simulation, cluster: str) -> None:
    agent = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
    assert dev_sim.depends_on(agent, dev_sim.one("KubernetesCluster", cluster="mgmt", name=cluster))
    assert dev_sim.depends_on(agent, dev_sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt"))


CHART_OBJECTS = {"gloo-mesh-mgmt-server", "gloo-metrics-gateway", "relay-root-tls-secret",
                 "relay-identity-token-secret"}


def test_reads_of_chart_objects_wait_for_the_release(dev_sim: Simulation) -> None:
    release = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt")
    reads = dev_sim.select(read=True)
    assert {r.id for r in reads} == {f"gloo-mesh/{name}" for name in CHART_OBJECTS}
    for read in reads:
        assert read.cluster == "mgmt"
        assert release.urn in read.dependencies


def test_reads_have_unknown_ids_in_a_preview_of_a_fresh_stack() -> None:
    # The ids come from the release's id, unknown in a preview that creates the release: the engine
    # then skips the read instead of failing on an object the chart has not created yet.
    preview = simulate(dev_config(), preview=True)
    reads = preview.select(read=True)
    assert len(reads) == len(CHART_OBJECTS)
    for read in reads:
        assert UNKNOWN_ID_MARK in read.id


def _unknowns(value: object) -> bool:
    return UNKNOWN_ID_MARK in repr(value)


def test_a_preview_that_updates_the_management_release_still_reads_the_chart_objects() -> None:
    # Upstream fact (pulumi-kubernetes provider/pkg/provider/helm_release.go, `checkpointRelease`):
    # in every preview of a release with a diff -- an update as much as a create -- the provider
    # marks the release's `status` (and `resourceNames`) unknown; the id (`namespace/name`, `fqName`)
    # of an existing release stays known. The mocks answer so (status unknown, id known).
    preview = simulate(dev_config(), preview=True, deployed=True)
    release = preview.one("kubernetes:helm.sh/v3:Release", cluster="mgmt")
    assert release.id == "gloo-mesh/gloo-mesh-enterprise"
    reads = preview.select(read=True)
    assert {r.id for r in reads} == {f"gloo-mesh/{name}" for name in CHART_OBJECTS}
    # So what is built from the reads stays known, and `up` would change nothing there: the agents'
    # relay and metrics endpoints and the relay Secrets copied to each workload cluster.
    for cluster in ("cluster1", "cluster2"):
        agent = preview.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
        assert not _unknowns(agent.inputs["values"]), agent.inputs["values"]
        for secret in ("relay-root-tls-secret", "relay-identity-token-secret"):
            assert not _unknowns(preview.one("Secret", cluster=cluster, name=secret).inputs["data"])


def test_the_relay_secrets_are_read_only_when_an_agent_on_another_cluster_needs_a_copy(dev_sim: Simulation) -> None:
    # The management cluster as the only workload cluster: its agent uses the chart's own Secrets, so
    # reading them (the root one holds the CA's private key) would only bring that key into the state.
    single = simulate({**dev_config(), "workloadClusters": ["mgmt"], "workloadContexts": ["mgmt"],
                       "reviewsVersions": [["v1", "v2"]], "features": []})
    read = {r.name for r in single.records if r.read}
    assert read == {"mgmt/gloo-mesh/gloo-mesh-mgmt-server", "mgmt/gloo-mesh/gloo-metrics-gateway"}
    assert {r.name for r in dev_sim.records if r.read} >= {
        "mgmt/gloo-mesh/relay-root-tls-secret", "mgmt/gloo-mesh/relay-identity-token-secret"}
