"""Lab 16: Keycloak on the management cluster, its realm import, credentials and stack outputs."""

from __future__ import annotations

import json

import pytest

from components.core.config import ConfigError, parse_settings
from components.security import lab16_keycloak as kc
from offline import ROOT
from offline.records import Secret, Simulation, reveal
from tests.support.expectations import ENDPOINT_HTTPS_GW_CLUSTER1, HOST_KEYCLOAK, KEYCLOAK_URL
from tests.support.scenarios import ALL, decode, simulation
from tests.support.simulation import LICENSE

# keycloak.yaml's Service, verbatim (applied with -n keycloak).
WORKSHOP_SERVICE = {
    "metadata": {"name": "keycloak", "labels": {"app": "keycloak"}},
    "spec": {
        "ports": [{"name": "http", "port": 8080, "targetPort": 8080}],
        "selector": {"app": "keycloak"},
        "type": "LoadBalancer",
    },
}
# lab16-keycloak-configuration.yaml: the `group` mapper the REST call creates.
WORKSHOP_MAPPER = {
    "name": "group",
    "protocol": "openid-connect",
    "protocolMapper": "oidc-usermodel-attribute-mapper",
    "config": {
        "claim.name": "group",
        "jsonType.label": "String",
        "user.attribute": "group",
        "id.token.claim": "true",
        "access.token.claim": "true",
    },
}
WORKSHOP_USERS = {"user1": "user1@example.com", "user2": "user2@solo.io"}
REALM = "workshop"
CLIENT_ID = "gloo-mesh-workshop"


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulation()


def _container(sim: Simulation) -> dict:
    return sim.one("Deployment", cluster="mgmt", namespace="keycloak", name="keycloak").spec[
        "template"]["spec"]["containers"][0]


def _realm(sim: Simulation) -> dict:
    secret = sim.one("Secret", cluster="mgmt", namespace="keycloak", name="keycloak-realm")
    return json.loads(decode(reveal(secret.inputs["data"])["workshop-realm.json"]))


# Pure -----------------------------------------------------------------------------------------
def test_urls_derive_from_the_realm_constant() -> None:
    assert kc.KEYCLOAK_REALM == REALM
    assert kc.keycloak_url("kc.example") == "http://kc.example:8080"
    assert kc.issuer_url("http://kc.example:8080") == "http://kc.example:8080/realms/workshop/"
    assert kc.realm_url("http://kc.example:8080") == "http://kc.example:8080/realms/workshop"
    assert kc.jwks_url("http://kc.example:8080") == "http://kc.example:8080/realms/workshop/protocol/openid-connect/certs"


def test_realm_document_is_json_with_client_mapper_and_users() -> None:
    doc = json.loads(kc.realm_document("s3cret", "gw.example:443", {"user1": "p1", "user2": "p2"}))
    assert doc["realm"] == REALM
    assert doc["enabled"] is True
    (client,) = doc["clients"]
    assert client["clientId"] == CLIENT_ID
    assert client["secret"] == "s3cret"
    assert client["publicClient"] is False
    assert client["serviceAccountsEnabled"] is True
    assert client["directAccessGrantsEnabled"] is True
    assert client["authorizationServicesEnabled"] is True
    assert client["redirectUris"] == ["https://gw.example:443/callback", "https://gw.example:443/get"]
    assert client["protocolMappers"] == [WORKSHOP_MAPPER]
    assert [u["username"] for u in doc["users"]] == ["user1", "user2"]
    for user, password in zip(doc["users"], ("p1", "p2"), strict=True):
        assert user["email"] == WORKSHOP_USERS[user["username"]]
        assert user["enabled"] is True
        assert user["attributes"] == {"group": ["users"]}
        assert user["credentials"] == [{"type": "password", "value": password, "temporary": False}]


def test_realm_document_is_deterministic() -> None:
    # The committed bytes, not a second call: a reordered key or another indent would change the
    # checksum annotation and roll Keycloak on an unchanged realm.
    expected = (ROOT / "tests" / "snapshots" / "realm" / "workshop-realm.json").read_text()
    assert kc.realm_document("s", "gw:443", {"user2": "b", "user1": "a"}) + "\n" == expected


# Declared -------------------------------------------------------------------------------------
def test_namespace_on_the_management_cluster(sim: Simulation) -> None:
    assert [r.cluster for r in sim.select("Namespace", name="keycloak")] == ["mgmt"]


def test_service_is_the_workshops(sim: Simulation) -> None:
    service = sim.one("Service", cluster="mgmt", namespace="keycloak", name="keycloak")
    assert service.labels == WORKSHOP_SERVICE["metadata"]["labels"]
    assert service.spec == WORKSHOP_SERVICE["spec"]


def test_deployment_as_the_workshop(sim: Simulation) -> None:
    deployment = sim.one("Deployment", cluster="mgmt", namespace="keycloak", name="keycloak")
    assert deployment.labels == {"app": "keycloak"}
    assert deployment.spec["replicas"] == 1
    assert deployment.spec["selector"] == {"matchLabels": {"app": "keycloak"}}
    assert deployment.spec["template"]["metadata"]["labels"] == {"app": "keycloak"}
    container = _container(sim)
    assert container["name"] == "keycloak"
    assert container["image"] == "quay.io/keycloak/keycloak:20.0.1"
    assert container["ports"] == [{"name": "http", "containerPort": 8080}]
    env = {e["name"]: e for e in container["env"]}
    assert env["KEYCLOAK_ADMIN"] == {"name": "KEYCLOAK_ADMIN", "value": "admin"}
    assert env["PROXY_ADDRESS_FORWARDING"] == {"name": "PROXY_ADDRESS_FORWARDING", "value": "true"}


def test_start_dev_imports_the_realm_from_a_secret(sim: Simulation) -> None:
    container = _container(sim)
    assert container["args"] == ["start-dev", "--import-realm"]
    (mount,) = container["volumeMounts"]
    assert mount["mountPath"] == "/opt/keycloak/data/import/workshop-realm.json"
    assert mount["subPath"] == "workshop-realm.json"
    volumes = {v["name"]: v for v in sim.one("Deployment", name="keycloak").spec["template"]["spec"]["volumes"]}
    assert volumes[mount["name"]]["secret"] == {"secretName": "keycloak-realm"}
    assert sim.select("ConfigMap", namespace="keycloak") == []


def test_readiness_waits_for_the_imported_realm(sim: Simulation) -> None:
    assert _container(sim)["readinessProbe"] == {"httpGet": {"path": "/realms/workshop", "port": 8080}}


def test_admin_password_comes_from_a_secret(sim: Simulation) -> None:
    env = {e["name"]: e for e in _container(sim)["env"]}
    assert "value" not in env["KEYCLOAK_ADMIN_PASSWORD"]
    assert env["KEYCLOAK_ADMIN_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "keycloak-admin", "key": "password"}}
    secret = sim.one("Secret", cluster="mgmt", namespace="keycloak", name="keycloak-admin")
    assert isinstance(secret.inputs["data"], Secret)
    assert decode(reveal(secret.inputs["data"])["password"]) == sim.outputs["keycloakAdminPassword"].value


def test_realm_import_holds_the_generated_credentials_and_gateway_redirects(sim: Simulation) -> None:
    realm = _realm(sim)
    (client,) = realm["clients"]
    assert client["clientId"] == CLIENT_ID
    assert client["secret"] == sim.outputs["keycloakClientSecret"].value
    assert client["redirectUris"] == [f"https://{ENDPOINT_HTTPS_GW_CLUSTER1}/callback",
                                      f"https://{ENDPOINT_HTTPS_GW_CLUSTER1}/get"]
    users = sim.outputs["keycloakUsers"].value
    for user in realm["users"]:
        assert user["credentials"][0]["value"] == users[user["username"]]["password"]


def test_redirects_go_to_the_entry_gateway() -> None:
    # The first workload cluster's gateway serves the routes (the workshop's GW1); reorder the clusters
    # and the redirects follow.
    sim = simulation(workloadClusters=["cluster2", "cluster1"], workloadContexts=["cluster2", "cluster1"])
    (client,) = _realm(sim)["clients"]
    assert client["redirectUris"] == ["https://istio-ingressgateway.istio-gateways.cluster2.lb.example:443/callback",
                                      "https://istio-ingressgateway.istio-gateways.cluster2.lb.example:443/get"]


def test_realm_change_rolls_the_pod(sim: Simulation) -> None:
    realm_secret = sim.one("Secret", name="keycloak-realm")
    annotation = sim.one("Deployment", name="keycloak").spec["template"]["metadata"]["annotations"][
        "gloo-mesh-workshop/realm-checksum"]
    assert annotation == kc.checksum(decode(reveal(realm_secret.inputs["data"])["workshop-realm.json"]))
    other = simulation(workloadClusters=["cluster2", "cluster1"], workloadContexts=["cluster2", "cluster1"]).one(
        "Deployment", name="keycloak")
    assert other.spec["template"]["metadata"]["annotations"]["gloo-mesh-workshop/realm-checksum"] != annotation


def test_deployment_waits_for_namespace_and_secrets(sim: Simulation) -> None:
    deployment = sim.one("Deployment", name="keycloak")
    for other in (sim.one("Namespace", cluster="mgmt", name="keycloak"),
                  sim.one("Secret", name="keycloak-admin"), sim.one("Secret", name="keycloak-realm")):
        assert sim.depends_on(deployment, other)


def test_passwords_are_generated(sim: Simulation) -> None:
    passwords = {r.name: r for r in sim.select("random:index/randomPassword:RandomPassword")}
    assert set(passwords) == {"keycloak-admin-password", "keycloak-client-secret", "keycloak-user1-password",
                              "keycloak-user2-password"}
    assert passwords["keycloak-client-secret"].inputs["length"] == 32
    assert passwords["keycloak-user1-password"].inputs["length"] == 24


def test_stack_outputs(sim: Simulation) -> None:
    out = sim.outputs
    assert out["keycloakUrl"] == KEYCLOAK_URL
    assert out["keycloakRealm"] == REALM
    assert out["keycloakClientId"] == CLIENT_ID
    for key in ("keycloakClientSecret", "keycloakUsers", "keycloakAdminPassword"):
        assert isinstance(out[key], Secret), key
    users = out["keycloakUsers"].value
    assert {u: v["email"] for u, v in users.items()} == WORKSHOP_USERS
    assert all(len(v["password"]) == 24 for v in users.values())
    assert users["user1"]["password"] != users["user2"]["password"]
    assert HOST_KEYCLOAK in out["keycloakUrl"]


def test_off_without_the_feature() -> None:
    sim = simulation(("gateway", "gateway-tls", "httpbin-workspace"))
    assert sim.select("Deployment", name="keycloak") == []
    assert sim.select("Namespace", name="keycloak") == []
    assert sim.select("random:index/randomPassword:RandomPassword") == []
    assert not {k for k in sim.outputs if k.startswith("keycloak")}


def test_on_alone() -> None:
    sim = simulation(("keycloak",))
    assert sim.one("Deployment", cluster="mgmt", name="keycloak")
    assert sim.select("ExtAuthPolicy") == []


def test_oauth_without_keycloak_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as error:
        parse_settings({"licenseKey": LICENSE, "features": [f for f in ALL if f != "keycloak"]})
    assert "feature 'oauth' needs feature 'keycloak'" in str(error.value)
