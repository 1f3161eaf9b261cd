"""Every stack file evaluates under the mocks, switches on the features its story says, and declares
the objects that story needs (names from the workshop's manifests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from components.core.features import FEATURES
from offline import ROOT
from offline.records import Simulation
from offline.runtime import simulate
from offline.stack_files import iter_stack_files, stack_config, with_fake_license

ALL_FEATURES = [f.name for f in FEATURES]

EXPECTED_FEATURES: dict[str, list[str]] = {
    "Pulumi.dev.yaml": ALL_FEATURES,
    "base.yaml": [],
    "gateway.yaml": ["gateway", "gateway-tls", "waf"],
    "resilience.yaml": ["gateway", "traffic-policies"],
    "multi-cluster.yaml": ["gateway", "gateway-tls", "root-trust", "virtual-destinations", "failover"],
    "zero-trust.yaml": ["gateway", "zero-trust"],
    "api-security.yaml": ["gateway", "gateway-tls", "httpbin-workspace", "keycloak", "oauth", "opa", "jwt",
                          "transformation", "rate-limit", "waf"],
    "kubernetes.yaml": ALL_FEATURES,
    "three-clusters.yaml": ["gateway", "gateway-tls", "root-trust", "virtual-destinations", "failover"],
    "local.yaml": ALL_FEATURES,
    "local-single.yaml": ALL_FEATURES,
}
#: The stacks on plain Kubernetes; every other one is on OpenShift, like the workshop.
KUBERNETES_STACKS = {"kubernetes.yaml", "three-clusters.yaml", "local.yaml", "local-single.yaml"}

STACK_FILES = list(iter_stack_files())


def test_every_stack_file_is_known_here() -> None:
    assert sorted(p.name for p in STACK_FILES) == sorted(EXPECTED_FEATURES)


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_stack_file_has_a_story_and_no_license(path: Path) -> None:
    text = path.read_text()
    assert text.startswith("# "), f"{path.name}: starts with a comment saying its story"
    config = yaml.safe_load(text)["config"]
    assert not any(key.endswith("licenseKey") for key in config), f"{path.name} carries a license"
    assert sorted(stack_config(path).get("features", [])) == sorted(EXPECTED_FEATURES[path.name])


def test_dev_stack_is_the_whole_workshop() -> None:
    config = stack_config(ROOT / "Pulumi.dev.yaml")
    assert config["features"] == ALL_FEATURES
    assert (config["externalServiceWeight"], config["autoRestartPods"], config["platform"]) == (0, True, "openshift")
    assert (config["mgmtContext"], config["workloadContexts"]) == ("mgmt", ["cluster1", "cluster2"])


def test_kubernetes_stack_is_the_dev_stack_on_plain_kubernetes() -> None:
    dev, kube = stack_config(ROOT / "Pulumi.dev.yaml"), stack_config(ROOT / "stacks" / "kubernetes.yaml")
    assert kube["platform"] == "kubernetes"
    assert (kube["features"], kube["externalServiceWeight"], kube["autoRestartPods"]) == (
        dev["features"], dev["externalServiceWeight"], dev["autoRestartPods"])


def test_local_stacks_are_the_kubernetes_stack_on_the_contexts_kind_writes() -> None:
    kube = stack_config(ROOT / "stacks" / "kubernetes.yaml")
    local, single = (stack_config(ROOT / "stacks" / name) for name in ("local.yaml", "local-single.yaml"))
    for config in (local, single):
        assert (config["platform"], config["features"], config["externalServiceWeight"], config["autoRestartPods"]) \
            == ("kubernetes", kube["features"], kube["externalServiceWeight"], kube["autoRestartPods"])
    assert (local["mgmtCluster"], local["mgmtContext"]) == ("mgmt", "kind-mgmt")
    assert (local["workloadClusters"], local["workloadContexts"]) == (["cluster1", "cluster2"],
                                                                      ["kind-cluster1", "kind-cluster2"])
    assert (single["mgmtCluster"], single["mgmtContext"]) == ("cluster1", "kind-cluster1")
    assert (single["workloadClusters"], single["workloadContexts"]) == (["cluster1"], ["kind-cluster1"])


_sims: dict[str, Simulation] = {}


def evaluate(name: str) -> Simulation:
    """The stack file evaluated under the mocks (once per session)."""
    path = ROOT / name if name.startswith("Pulumi.") else ROOT / "stacks" / name
    config, _ = with_fake_license(stack_config(path))
    if name not in _sims:
        _sims[name] = simulate(config)
    return _sims[name]


def has(sim: Simulation, kind: str, name: str, cluster: str, namespace: str | None = None) -> bool:
    return bool(sim.select(kind, cluster=cluster, name=name, namespace=namespace))


def listener_ports(sim: Simulation, cluster: str) -> set[int]:
    gateway = sim.one("VirtualGateway", name="north-south-gw", cluster=cluster)
    return {listener["port"]["number"] for listener in gateway.spec["listeners"]}


def route_labels(sim: Simulation, name: str) -> list[dict[str, str]]:
    table = sim.one("RouteTable", name=name, cluster="cluster1")
    return [route.get("labels", {}) for route in table.spec["http"]]


def base_objects(sim: Simulation, clusters: tuple[str, ...] = ("cluster1", "cluster2")) -> None:
    """Labs 1-8 on every workload cluster."""
    for cluster in clusters:
        assert has(sim, "kubernetes:helm.sh/v3:Release", "gloo-mesh-agent", cluster)
        assert has(sim, "IstioLifecycleManager", f"{cluster}-installation", "mgmt")
    for cluster in clusters:
        assert has(sim, "Deployment", "productpage-v1", cluster, "bookinfo-frontends")
        assert has(sim, "Deployment", "details-v1", cluster, "bookinfo-backends")
        assert has(sim, "Deployment", "ratings-v1", cluster, "bookinfo-backends")
        assert has(sim, "kubernetes:helm.sh/v3:Release", "gloo-mesh-agent-addons", cluster)
    assert has(sim, "Workspace", "gateways", "mgmt") and has(sim, "Workspace", "bookinfo", "mgmt")
    assert has(sim, "WorkspaceSettings", "bookinfo", "cluster1", "bookinfo-frontends")


def check_base(sim: Simulation) -> None:
    base_objects(sim)
    assert sim.select("VirtualGateway") == [] and sim.select("RouteTable") == []


def check_gateway(sim: Simulation) -> None:
    base_objects(sim)
    assert listener_ports(sim, "cluster1") == {80, 443}
    assert has(sim, "Secret", "tls-secret", "cluster1", "istio-gateways")
    assert has(sim, "RouteTable", "main", "cluster1", "istio-gateways")
    assert has(sim, "RouteTable", "productpage", "cluster1", "bookinfo-frontends")
    assert has(sim, "WAFPolicy", "log4shell", "cluster1")
    assert {"waf": "true"} in route_labels(sim, "main")


def check_resilience(sim: Simulation) -> None:
    base_objects(sim)
    assert listener_ports(sim, "cluster1") == {80}
    assert has(sim, "FaultInjectionPolicy", "ratings-fault-injection", "cluster1", "bookinfo-backends")
    assert has(sim, "RetryTimeoutPolicy", "reviews-request-timeout", "cluster1", "bookinfo-backends")
    assert has(sim, "RouteTable", "ratings", "cluster1", "bookinfo-backends")
    assert has(sim, "RouteTable", "reviews", "cluster1", "bookinfo-backends")
    assert sim.select("WAFPolicy") == []


def check_multi_cluster(sim: Simulation, clusters: tuple[str, ...] = ("cluster1", "cluster2")) -> None:
    base_objects(sim, clusters)
    assert has(sim, "RootTrustPolicy", "root-trust-policy", "mgmt")
    destination = sim.one("VirtualDestination", name="productpage", cluster="cluster1")
    assert destination.spec["hosts"] == ["productpage.global"]
    assert destination.labels.get("failover") == "true"
    assert has(sim, "FailoverPolicy", "failover", "cluster1") and has(sim, "OutlierDetectionPolicy",
                                                                       "outlier-detection", "cluster1")
    for cluster in clusters:
        assert has(sim, "Secret", "tls-secret", cluster, "istio-gateways")


def check_three_clusters(sim: Simulation) -> None:
    check_multi_cluster(sim, ("cluster1", "cluster2", "cluster3"))


def check_zero_trust(sim: Simulation) -> None:
    base_objects(sim)
    policies = {r.k8s_name for r in sim.select("AccessPolicy", cluster="cluster1")}
    assert policies == {"frontend-api-access", "allow-details-reviews", "allow-ratings"}
    settings = sim.one("WorkspaceSettings", name="bookinfo", cluster="cluster1")
    assert settings.spec["options"]["serviceIsolation"] == {"enabled": True, "trimProxyConfig": True}


def check_api_security(sim: Simulation) -> None:
    base_objects(sim)
    assert has(sim, "Workspace", "httpbin", "mgmt")
    assert sim.select("Deployment", name="keycloak", cluster="mgmt")
    assert has(sim, "ExtAuthServer", "ext-auth-server", "cluster1", "httpbin")
    assert has(sim, "ExtAuthPolicy", "httpbin", "cluster1", "httpbin")
    assert has(sim, "JWTPolicy", "httpbin", "cluster1", "httpbin")
    assert has(sim, "TransformationPolicy", "modify-header", "cluster1", "httpbin")
    for kind, name in (("RateLimitPolicy", "httpbin"), ("RateLimitServerSettings", "rate-limit-server"),
                       ("RateLimitServerConfig", "httpbin"), ("RateLimitClientConfig", "httpbin")):
        assert has(sim, kind, name, "cluster1", "httpbin"), kind
    assert {"oauth": "true", "ratelimited": "true"} in route_labels(sim, "httpbin")
    assert has(sim, "WAFPolicy", "log4shell", "cluster1")


def check_whole_workshop(sim: Simulation) -> None:
    check_gateway(sim)
    check_multi_cluster(sim)
    check_zero_trust(sim)
    check_api_security(sim)
    assert has(sim, "ExternalService", "httpbin", "cluster1", "httpbin")


def check_single_cluster(sim: Simulation) -> None:
    """The whole workshop with cluster1 as management and only workload cluster: everything lands there."""
    assert {r.cluster for r in sim.records if r.cluster} == {"cluster1"}
    assert has(sim, "kubernetes:helm.sh/v3:Release", "gloo-mesh-enterprise", "cluster1")
    assert has(sim, "kubernetes:helm.sh/v3:Release", "gloo-mesh-agent", "cluster1")
    assert has(sim, "IstioLifecycleManager", "cluster1-installation", "cluster1")
    assert has(sim, "Deployment", "productpage-v1", "cluster1", "bookinfo-frontends")
    assert has(sim, "Workspace", "bookinfo", "cluster1") and has(sim, "Workspace", "httpbin", "cluster1")
    assert listener_ports(sim, "cluster1") == {80, 443}
    assert sim.select("Deployment", name="keycloak", cluster="cluster1")
    assert has(sim, "RootTrustPolicy", "root-trust-policy", "cluster1")
    assert has(sim, "ExtAuthPolicy", "httpbin", "cluster1", "httpbin")
    assert has(sim, "ExternalService", "httpbin", "cluster1", "httpbin")
    assert set(sim.outputs["gatewayEndpoints"]) == {"cluster1"}


CHECKS: dict[str, Callable[[Simulation], None]] = {
    "Pulumi.dev.yaml": check_whole_workshop,
    "base.yaml": check_base,
    "gateway.yaml": check_gateway,
    "resilience.yaml": check_resilience,
    "multi-cluster.yaml": check_multi_cluster,
    "zero-trust.yaml": check_zero_trust,
    "api-security.yaml": check_api_security,
    "kubernetes.yaml": check_whole_workshop,
    "three-clusters.yaml": check_three_clusters,
    "local.yaml": check_whole_workshop,
    "local-single.yaml": check_single_cluster,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_stack_evaluates_with_its_features_and_objects(name: str) -> None:
    sim = evaluate(name)
    assert sim.outputs["features"] == sorted(EXPECTED_FEATURES[name])
    CHECKS[name](sim)


def test_platforms() -> None:
    for name in CHECKS:
        path = ROOT / name if name.startswith("Pulumi.") else ROOT / "stacks" / name
        assert stack_config(path)["platform"] == ("kubernetes" if name in KUBERNETES_STACKS else "openshift"), name
    sim = evaluate("kubernetes.yaml")
    assert sim.select("NetworkAttachmentDefinition") == []
    assert sim.select("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding") == []


def test_three_clusters_stack() -> None:
    config = stack_config(ROOT / "stacks" / "three-clusters.yaml")
    assert config["workloadClusters"] == ["cluster1", "cluster2", "cluster3"]
    sim = evaluate("three-clusters.yaml")
    assert set(sim.outputs["gatewayEndpoints"]) == {"cluster1", "cluster2", "cluster3"}
