"""Lab 17: the oauth Secret, ExtAuthServer, ExtAuthPolicy (OIDC + OPA) and the rego ConfigMap."""

from __future__ import annotations

import pytest

from components.security.lab17_oauth import ext_auth_policy
from offline.records import Secret, Simulation, reveal
from tests.support.expectations import ENDPOINT_HTTPS_GW_CLUSTER1, KEYCLOAK_URL
from tests.support.scenarios import ALL, decode, simulation

# Deliberate differences from the workshop: the realm (`workshop`, not `master`) and the client id.
REALM = "workshop"
CLIENT_ID = "gloo-mesh-workshop"

# lab17 step 3, verbatim.
WORKSHOP_EXT_AUTH_SERVER = {
    "destinationServer": {
        "ref": {"cluster": "cluster1", "name": "ext-auth-service", "namespace": "gloo-mesh-addons"},
        "port": {"name": "grpc"},
    },
}
# lab17 step 6, with the workshop's shell variables as the mocks resolve them.
WORKSHOP_OIDC = {
    "appUrl": f"https://{ENDPOINT_HTTPS_GW_CLUSTER1}",
    "callbackPath": "/callback",
    "clientId": CLIENT_ID,
    "clientSecretRef": {"name": "oauth", "namespace": "httpbin"},
    "issuerUrl": f"{KEYCLOAK_URL}/realms/{REALM}/",
    "logoutPath": "/logout",
    "afterLogoutUrl": f"https://{ENDPOINT_HTTPS_GW_CLUSTER1}/get",
    "session": {
        "failOnFetchFailure": True,
        "redis": {"cookieName": "keycloak-session", "options": {"host": "redis:6379"}},
    },
    "scopes": ["email"],
    "headers": {"idTokenHeader": "jwt"},
}
WORKSHOP_OPA = {
    "opaAuth": {"modules": [{"name": "allow-solo-email-users", "namespace": "httpbin"}],
                "query": "data.test.allow == true"},
}
WORKSHOP_POLICY = {
    "applyToRoutes": [{"route": {"labels": {"oauth": "true"}}}],
    "config": {
        "server": {"name": "ext-auth-server", "namespace": "httpbin", "cluster": "cluster1"},
        "glooAuth": {"configs": [{"oauth2": {"oidcAuthorizationCode": WORKSHOP_OIDC}}, WORKSHOP_OPA]},
    },
}
# lab17 step 5's policy.rego (a `|-` block: no final newline).
WORKSHOP_REGO = (
    "package test\n"
    "\n"
    "default allow = false\n"
    "\n"
    "allow {\n"
    "    [header, payload, signature] = io.jwt.decode(input.state.jwt)\n"
    '    endswith(payload["email"], "@solo.io")\n'
    "}"
)


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulation()


@pytest.fixture(scope="module")
def without_opa() -> Simulation:
    return simulation(tuple(f for f in ALL if f != "opa"))


def test_pure_policy_with_opa_is_the_workshops_second_version() -> None:
    manifest = ext_auth_policy("cluster1", ENDPOINT_HTTPS_GW_CLUSTER1, KEYCLOAK_URL, CLIENT_ID, opa=True)
    assert manifest["apiVersion"] == "security.policy.gloo.solo.io/v2"
    assert manifest["kind"] == "ExtAuthPolicy"
    assert manifest["metadata"] == {"name": "httpbin", "namespace": "httpbin"}
    assert manifest["spec"] == WORKSHOP_POLICY


def test_policy_as_declared(sim: Simulation) -> None:
    assert sim.one("ExtAuthPolicy", cluster="cluster1", namespace="httpbin", name="httpbin").spec == WORKSHOP_POLICY


def test_policy_without_opa_has_only_the_oidc_step(without_opa: Simulation) -> None:
    policy = without_opa.one("ExtAuthPolicy", cluster="cluster1", namespace="httpbin", name="httpbin")
    assert policy.spec["config"]["glooAuth"]["configs"] == [{"oauth2": {"oidcAuthorizationCode": WORKSHOP_OIDC}}]
    assert without_opa.select("ConfigMap", name="allow-solo-email-users") == []


def test_ext_auth_server(sim: Simulation) -> None:
    server = sim.one("ExtAuthServer", cluster="cluster1", namespace="httpbin", name="ext-auth-server")
    assert server.inputs["apiVersion"] == "admin.gloo.solo.io/v2"
    assert server.spec == WORKSHOP_EXT_AUTH_SERVER


def test_client_secret_secret(sim: Simulation) -> None:
    secret = sim.one("Secret", cluster="cluster1", namespace="httpbin", name="oauth")
    assert secret.inputs["type"] == "extauth.solo.io/oauth"
    assert isinstance(secret.inputs["data"], Secret)
    assert list(reveal(secret.inputs["data"])) == ["client-secret"]
    assert decode(reveal(secret.inputs["data"])["client-secret"]) == sim.outputs["keycloakClientSecret"].value


def test_opa_config_map_is_the_workshops_rego(sim: Simulation) -> None:
    config_map = sim.one("ConfigMap", cluster="cluster1", namespace="httpbin", name="allow-solo-email-users")
    assert config_map.inputs["data"] == {"policy.rego": WORKSHOP_REGO}


def test_policy_waits_for_what_it_references(sim: Simulation) -> None:
    policy = sim.one("ExtAuthPolicy", name="httpbin")
    for other in (sim.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"),
                  sim.one("ExtAuthServer", name="ext-auth-server"),
                  sim.one("Secret", cluster="cluster1", name="oauth"),
                  sim.one("ConfigMap", name="allow-solo-email-users"),
                  sim.one("Deployment", cluster="mgmt", name="keycloak"),
                  sim.one("Namespace", cluster="cluster1", name="httpbin")):
        assert sim.depends_on(policy, other), other.urn


def test_server_waits_for_the_crds(sim: Simulation) -> None:
    release = sim.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent")
    assert sim.depends_on(sim.one("ExtAuthServer", name="ext-auth-server"), release)


def test_nothing_waits_on_another_workload_cluster(sim: Simulation) -> None:
    others = [r for r in sim.records if r.cluster == "cluster2"]
    for kind, name in (("ExtAuthPolicy", "httpbin"), ("ExtAuthServer", "ext-auth-server"),
                       ("ConfigMap", "allow-solo-email-users")):
        record = sim.one(kind, name=name)
        assert not [o.urn for o in others if sim.depends_on(record, o)]
    assert sim.select("ExtAuthPolicy", cluster="cluster2") == []


def test_follows_the_httpbin_cluster() -> None:
    # The httpbin workspace is the httpbin namespace of the httpbin cluster: its objects go there.
    # Users still enter through the first workload cluster's gateway (the workshop's GW1).
    sim = simulation(httpbinCluster="cluster2")
    policy = sim.one("ExtAuthPolicy", cluster="cluster2", name="httpbin")
    assert policy.spec["config"]["server"]["cluster"] == "cluster2"
    oidc = policy.spec["config"]["glooAuth"]["configs"][0]["oauth2"]["oidcAuthorizationCode"]
    assert oidc["appUrl"] == "https://istio-ingressgateway.istio-gateways.cluster1.lb.example:443"
    assert sim.one("ExtAuthServer").spec["destinationServer"]["ref"]["cluster"] == "cluster2"
    assert sim.one("Secret", name="oauth").cluster == "cluster2"


def test_off_without_the_feature() -> None:
    sim = simulation(("gateway", "gateway-tls", "httpbin-workspace", "keycloak"))
    assert sim.select("ExtAuthPolicy") == []
    assert sim.select("ExtAuthServer") == []
    assert sim.select("Secret", name="oauth") == []
