"""Lab 9: the gateway and its TLS certificate, as the simulated program declares them."""

from __future__ import annotations

import pytest

from components.gateway import lab09_gateway
from offline.records import Record, Secret, Simulation
from tests.support.scenarios import GATEWAY, GATEWAY_TLS, VIRTUAL_DESTINATIONS, stack
from tests.support.simulation import cached_simulation, dev_config

PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
SELF_SIGNED_CERT = "tls:index/selfSignedCert:SelfSignedCert"


@pytest.fixture(scope="module")
def plain() -> Simulation:
    return stack([])


@pytest.fixture(scope="module")
def http() -> Simulation:
    return stack(GATEWAY)


@pytest.fixture(scope="module")
def https() -> Simulation:
    return stack(GATEWAY_TLS)


def direct_dependencies(sim: Simulation, record: Record) -> set[tuple[str, str | None, str | None]]:
    """What a resource waits for directly, as (kind, cluster, name): the edges the program declares."""
    return {(d.kind, d.cluster, d.k8s_name or d.name) for d in map(sim.by_urn, record.dependencies)}


# Feature off ------------------------------------------------------------------------------------
def test_without_gateway_nothing_is_declared(plain: Simulation) -> None:
    assert plain.select("VirtualGateway") == []
    assert plain.select("RouteTable") == []
    assert plain.select(PRIVATE_KEY) == []
    assert plain.select("Secret", name="tls-secret") == []
    assert "productpageUrls" not in plain.outputs
    assert "httpbinUrl" not in plain.outputs


def test_gateway_without_tls_declares_no_certificate(http: Simulation) -> None:
    assert http.select(PRIVATE_KEY) == []
    assert http.select(SELF_SIGNED_CERT) == []
    assert http.select("Secret", name="tls-secret") == []


# The three objects, on the config cluster -------------------------------------------------------
def test_virtual_gateway_is_lab09_step1_on_cluster1(http: Simulation) -> None:
    vg = http.one("VirtualGateway", cluster="cluster1", name="north-south-gw", namespace="istio-gateways")
    assert vg.spec == {
        "workloads": [{"selector": {"labels": {"istio": "ingressgateway"}, "cluster": "cluster1"}}],
        "listeners": [{"http": {}, "port": {"number": 80}, "allowedRouteTables": [{"host": "*"}]}],
    }
    assert vg.inputs["apiVersion"] == "networking.gloo.solo.io/v2"


def test_main_route_table_is_lab09_step2_on_cluster1(http: Simulation) -> None:
    main = http.one("RouteTable", cluster="cluster1", name="main", namespace="istio-gateways")
    assert main.spec == {
        "hosts": ["*"],
        "virtualGateways": [{"name": "north-south-gw", "namespace": "istio-gateways", "cluster": "cluster1"}],
        "workloadSelectors": [],
        "http": [{"name": "root", "matchers": [{"uri": {"prefix": "/"}}],
                  "delegate": {"routeTables": [{"labels": {"expose": "true"}}]}}],
    }


def test_productpage_route_table_is_lab09_step3_on_cluster1(http: Simulation) -> None:
    rt = http.one("RouteTable", cluster="cluster1", name="productpage", namespace="bookinfo-frontends")
    assert rt.labels == {"expose": "true"}
    assert rt.spec["http"][0]["forwardTo"] == {"destinations": [
        {"ref": {"name": "productpage", "namespace": "bookinfo-frontends"}, "port": {"number": 9080}}]}
    assert [m["uri"] for m in rt.spec["http"][0]["matchers"]] == [
        {"exact": "/productpage"}, {"prefix": "/static"}, {"exact": "/login"}, {"exact": "/logout"},
        {"prefix": "/api/v1/products"}]


def test_gateway_objects_follow_the_config_cluster() -> None:
    sim = stack(GATEWAY, configCluster="cluster2")
    assert [r.cluster for r in sim.select("VirtualGateway")] == ["cluster2"]
    assert {r.cluster for r in sim.select("RouteTable")} == {"cluster2"}
    # The selector still names the gateway that serves the routes: the first workload cluster's.
    vg = sim.one("VirtualGateway")
    assert vg.spec["workloads"][0]["selector"]["cluster"] == "cluster1"
    main = sim.one("RouteTable", name="main")
    assert main.spec["virtualGateways"][0]["cluster"] == "cluster2"


def test_gateway_objects_wait_for_the_agent_release_that_installs_their_crds(http: Simulation) -> None:
    release = http.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent")
    for kind, name in (("VirtualGateway", "north-south-gw"), ("RouteTable", "main"), ("RouteTable", "productpage")):
        assert http.depends_on(http.one(kind, name=name), release), f"{kind} {name}"


def test_gateway_objects_wait_for_nothing_more(http: Simulation) -> None:
    agent = ("Release", "cluster1", "gloo-mesh-agent")
    namespace = ("Namespace", "cluster1", "istio-gateways")
    assert direct_dependencies(http, http.one("VirtualGateway")) == {agent, namespace}
    assert direct_dependencies(http, http.one("RouteTable", name="main")) == {agent, namespace}
    # bookinfo-frontends is declared by the apps, when they are built.
    productpage = http.one("RouteTable", name="productpage")
    assert direct_dependencies(http, productpage) - {("Namespace", "cluster1", "bookinfo-frontends")} == {agent}


def test_gateway_objects_in_istio_gateways_wait_for_the_namespace(http: Simulation) -> None:
    namespace = http.one("Namespace", cluster="cluster1", name="istio-gateways")
    assert http.depends_on(http.one("VirtualGateway"), namespace)
    assert http.depends_on(http.one("RouteTable", name="main"), namespace)


def test_without_tls_the_gateway_waits_for_no_secret(http: Simulation) -> None:
    assert not any("tls-secret" in d for d in http.one("VirtualGateway").dependencies)


def test_http_productpage_url_is_the_first_cluster_port_80(http: Simulation) -> None:
    assert http.outputs["productpageUrls"] == {
        "cluster1": "http://istio-ingressgateway.istio-gateways.cluster1.lb.example:80/productpage"}
    assert "httpbinUrl" not in http.outputs


# TLS --------------------------------------------------------------------------------------------
def test_tls_virtual_gateway_is_lab09_step6(https: Simulation) -> None:
    assert https.one("VirtualGateway").spec == {
        "workloads": [{"selector": {"labels": {"istio": "ingressgateway"}, "cluster": "cluster1"}}],
        "listeners": [
            {"http": {}, "port": {"number": 80}, "httpsRedirect": True},
            {"http": {}, "port": {"number": 443}, "tls": {"mode": "SIMPLE", "secretName": "tls-secret"},
             "allowedRouteTables": [{"host": "*"}]},
        ],
    }


def test_private_key_is_rsa_2048(https: Simulation) -> None:
    key = https.one(PRIVATE_KEY)
    assert key.inputs["algorithm"] == "RSA"
    assert key.inputs["rsaBits"] == 2048


def test_certificate_is_self_signed_for_cn_star_valid_one_year(https: Simulation) -> None:
    cert = https.one(SELF_SIGNED_CERT)
    assert cert.inputs["subject"] == {"commonName": "*"}
    assert cert.inputs["validityPeriodHours"] == 365 * 24
    assert cert.inputs["earlyRenewalHours"] == 30 * 24  # a `pulumi up` in the last 30 days renews it
    assert "server_auth" in cert.inputs["allowedUses"]
    assert https.depends_on(cert, https.one(PRIVATE_KEY))


def test_certificate_lifetime_is_config() -> None:
    sim = cached_simulation(dev_config(gatewayCertValidityHours=2160, gatewayCertEarlyRenewalHours=240))
    cert = sim.one(SELF_SIGNED_CERT)
    assert (cert.inputs["validityPeriodHours"], cert.inputs["earlyRenewalHours"]) == (2160, 240)


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_tls_secret_on_every_workload_cluster(https: Simulation, cluster: str) -> None:
    secret = https.one("Secret", cluster=cluster, name="tls-secret", namespace="istio-gateways")
    assert secret.inputs["type"] == "kubernetes.io/tls"
    data = secret.inputs["stringData"]
    assert isinstance(data, Secret)
    assert set(data.value) == {"tls.crt", "tls.key"}
    assert "BEGIN CERTIFICATE" in data.value["tls.crt"]
    assert "mock gateway-tls-cert" in data.value["tls.crt"]
    assert "BEGIN PRIVATE KEY" in data.value["tls.key"]
    assert "mock gateway-tls-key" in data.value["tls.key"]


def test_no_tls_secret_on_the_management_cluster(https: Simulation) -> None:
    assert https.select("Secret", cluster="mgmt", name="tls-secret") == []


def test_one_certificate_for_all_clusters(https: Simulation) -> None:
    assert len(https.select(PRIVATE_KEY)) == 1
    assert len(https.select(SELF_SIGNED_CERT)) == 1


def _plain_occurrences(value: object, needle: str) -> int:
    """How often `needle` appears in a value outside any Secret wrapper."""
    if isinstance(value, Secret):
        return 0
    if isinstance(value, dict):
        return sum(_plain_occurrences(v, needle) for v in value.values())
    if isinstance(value, list):
        return sum(_plain_occurrences(v, needle) for v in value)
    return int(isinstance(value, str) and needle in value)


def _secret_occurrences(value: object, needle: str, inside: bool = False) -> int:
    if isinstance(value, Secret):
        return _secret_occurrences(value.value, needle, True)
    if isinstance(value, dict):
        return sum(_secret_occurrences(v, needle, inside) for v in value.values())
    if isinstance(value, list):
        return sum(_secret_occurrences(v, needle, inside) for v in value)
    return int(inside and isinstance(value, str) and needle in value)


@pytest.mark.parametrize("features", [GATEWAY_TLS, VIRTUAL_DESTINATIONS])
def test_private_key_is_secret_in_every_input_and_output(features: list[str]) -> None:
    sim = stack(features)
    key_marker = "mock gateway-tls-key\n-----END PRIVATE KEY"
    holders = [r for r in sim.records if _secret_occurrences(r.inputs, key_marker)]
    # The certificate (signed with it) and the Secret on each workload cluster.
    assert sorted((r.type, r.cluster) for r in holders) == [
        ("kubernetes:core/v1:Secret", "cluster1"), ("kubernetes:core/v1:Secret", "cluster2"),
        (SELF_SIGNED_CERT, None)]
    for record in sim.records:
        assert _plain_occurrences(record.inputs, key_marker) == 0, record.urn
    assert all(_plain_occurrences(v, key_marker) == 0 for v in sim.outputs.values())


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_tls_secret_waits_for_its_namespace_and_the_certificate_only(https: Simulation, cluster: str) -> None:
    secret = https.one("Secret", cluster=cluster, name="tls-secret")
    assert direct_dependencies(https, secret) == {
        ("Namespace", cluster, "istio-gateways"), ("PrivateKey", None, "gateway-tls-key"),
        ("SelfSignedCert", None, "gateway-tls-cert")}
    other = "cluster2" if cluster == "cluster1" else "cluster1"
    # Not even through a shared parent: each cluster's Secret proceeds on its own.
    assert not https.depends_on(secret, https.one("Secret", cluster=other, name="tls-secret"))


def test_tls_virtual_gateway_waits_for_the_secret_of_the_cluster_it_selects(https: Simulation) -> None:
    assert direct_dependencies(https, https.one("VirtualGateway")) == {
        ("Release", "cluster1", "gloo-mesh-agent"), ("Namespace", "cluster1", "istio-gateways"),
        ("Secret", "cluster1", "tls-secret")}


def test_virtual_gateway_on_every_cluster_waits_for_every_secret() -> None:
    sim = stack(VIRTUAL_DESTINATIONS)
    assert direct_dependencies(sim, sim.one("VirtualGateway")) == {
        ("Release", "cluster1", "gloo-mesh-agent"), ("Namespace", "cluster1", "istio-gateways"),
        ("Secret", "cluster1", "tls-secret"), ("Secret", "cluster2", "tls-secret")}


def test_https_productpage_url(https: Simulation) -> None:
    assert https.outputs["productpageUrls"] == {
        "cluster1": "https://istio-ingressgateway.istio-gateways.cluster1.lb.example:443/productpage"}


def test_tls_secret_manifest_keys() -> None:
    manifest = lab09_gateway.tls_secret_manifest("CERT", "KEY")
    assert manifest == {"metadata": {"name": "tls-secret", "namespace": "istio-gateways"},
                        "type": "kubernetes.io/tls", "string_data": {"tls.crt": "CERT", "tls.key": "KEY"}}


def test_the_gateway_certificate_is_a_plain_output_and_the_key_is_not_one(https: Simulation, http: Simulation) -> None:
    # tools.verify pins the gateways' HTTPS to it: the certificate, public, in plain text; never the key.
    certificate = https.outputs["gatewayCertificate"]
    assert certificate == "-----BEGIN CERTIFICATE-----\nmock gateway-tls-cert\n-----END CERTIFICATE-----\n"
    assert not any("PRIVATE KEY" in str(value) for value in https.outputs.values())
    assert "gatewayCertificate" not in http.outputs
