"""Labs 18-21: JWT, transformation, rate limit and WAF policies, against the workshop's manifests."""

from __future__ import annotations

import pytest

from components.security.lab18_jwt import jwt_policy, keycloak_external_endpoint
from components.security.lab21_waf import waf_policy
from offline.records import Simulation
from tests.support.expectations import HOST_KEYCLOAK, KEYCLOAK_URL
from tests.support.scenarios import ALL, simulation

REALM = "workshop"  # deliberate: the workshop's `master`, see docs/labs-13-16-21.md

# lab18, steps 1-3, with ${HOST_KEYCLOAK}/${PORT_KEYCLOAK}/${KEYCLOAK_URL} as the mocks resolve them.
WORKSHOP_ENDPOINT = {"address": HOST_KEYCLOAK, "ports": [{"name": "http", "number": 8080}]}
WORKSHOP_EXTERNAL_SERVICE = {
    "hosts": ["keycloak"],
    "ports": [{"name": "http", "number": 8080, "protocol": "HTTP"}],
    "selector": {"host": "keycloak"},
}
WORKSHOP_JWT = {
    "applyToRoutes": [{"route": {"labels": {"oauth": "true"}}}],
    "config": {
        "phase": {"postAuthz": {"priority": 1}},
        "providers": {"keycloak": {
            "issuer": f"{KEYCLOAK_URL}/realms/{REALM}",
            "tokenSource": {"headers": [{"name": "jwt"}]},
            "remote": {
                "url": f"{KEYCLOAK_URL}/realms/{REALM}/protocol/openid-connect/certs",
                "destinationRef": {"kind": "EXTERNAL_SERVICE", "ref": {"name": "keycloak"}, "port": {"number": 8080}},
            },
            "claimsToHeaders": [{"claim": "email", "header": "X-Email"}],
        }},
    },
}
# lab19, step 1.
WORKSHOP_TRANSFORMATION = {
    "applyToRoutes": [{"route": {"labels": {"oauth": "true"}}}],
    "config": {
        "phase": {"postAuthz": {"priority": 2}},
        "request": {"injaTemplate": {
            "extractors": {"organization": {"header": "X-Email", "regex": ".*@(.*)$", "subgroup": 1}},
            "headers": {"x-organization": {"text": "{{ organization }}"}},
        }},
    },
}
# lab20, steps 1-4.
WORKSHOP_RL_CLIENT = {"raw": {"rateLimits": [{"setActions": [{"requestHeaders": {
    "descriptorKey": "organization", "headerName": "X-Organization"}}]}]}}
WORKSHOP_RL_SERVER = {
    "destinationServers": [{"ref": {"cluster": "cluster1", "name": "rate-limiter", "namespace": "gloo-mesh-addons"},
                            "port": {"name": "grpc"}}],
    "raw": {"setDescriptors": [{"simpleDescriptors": [{"key": "organization", "value": "solo.io"}],
                                "rateLimit": {"requestsPerUnit": 3, "unit": "MINUTE"}}]},
}
WORKSHOP_RL_POLICY = {
    "applyToRoutes": [{"route": {"labels": {"ratelimited": "true"}}}],
    "config": {
        "serverSettings": {"name": "rate-limit-server", "namespace": "httpbin", "cluster": "cluster1"},
        "ratelimitClientConfig": {"name": "httpbin", "namespace": "httpbin", "cluster": "cluster1"},
        "ratelimitServerConfig": {"name": "httpbin", "namespace": "httpbin", "cluster": "cluster1"},
        "phase": {"postAuthz": {"priority": 3}},
    },
}
WORKSHOP_RL_SETTINGS = {"destinationServer": {
    "ref": {"cluster": "cluster1", "name": "rate-limiter", "namespace": "gloo-mesh-addons"}, "port": {"name": "grpc"}}}
# lab21, step 1: the quoted heredoc keeps `\${jndi:` with its backslash, and the README's trailing spaces.
WORKSHOP_RULE = (
    "SecRuleEngine On\nSecRequestBodyAccess On\nSecRule REQUEST_LINE|ARGS|ARGS_NAMES|REQUEST_COOKIES|"
    "REQUEST_COOKIES_NAMES|REQUEST_BODY|REQUEST_HEADERS|XML:/*|XML://@*  \n  \"@rx \\${jndi:(?:ldaps?|iiop|dns|rmi)://\" "
    "\n  \"id:1000,phase:2,deny,status:403,log,msg:'Potential Remote Command Execution: Log4j CVE-2021-44228'\"\n"
)
WORKSHOP_WAF = {
    "applyToRoutes": [{"route": {"labels": {"waf": "true"}}}],
    "config": {
        "disableCoreRuleSet": True,
        "customInterventionMessage": "Log4Shell malicious payload",
        "customRuleSets": [{"ruleStr": WORKSHOP_RULE}],
    },
}

EXPECTED = [
    # (kind, apiVersion, name, labels, spec, feature)
    ("ExternalEndpoint", "networking.gloo.solo.io/v2", "keycloak", {"host": "keycloak"}, WORKSHOP_ENDPOINT, "jwt"),
    ("ExternalService", "networking.gloo.solo.io/v2", "keycloak", {"expose": "true"}, WORKSHOP_EXTERNAL_SERVICE, "jwt"),
    ("JWTPolicy", "security.policy.gloo.solo.io/v2", "httpbin", {}, WORKSHOP_JWT, "jwt"),
    ("TransformationPolicy", "trafficcontrol.policy.gloo.solo.io/v2", "modify-header", {}, WORKSHOP_TRANSFORMATION,
     "transformation"),
    ("RateLimitClientConfig", "trafficcontrol.policy.gloo.solo.io/v2", "httpbin", {}, WORKSHOP_RL_CLIENT, "rate-limit"),
    ("RateLimitServerConfig", "admin.gloo.solo.io/v2", "httpbin", {}, WORKSHOP_RL_SERVER, "rate-limit"),
    ("RateLimitPolicy", "trafficcontrol.policy.gloo.solo.io/v2", "httpbin", {}, WORKSHOP_RL_POLICY, "rate-limit"),
    ("RateLimitServerSettings", "admin.gloo.solo.io/v2", "rate-limit-server", {}, WORKSHOP_RL_SETTINGS, "rate-limit"),
    ("WAFPolicy", "security.policy.gloo.solo.io/v2", "log4shell", {}, WORKSHOP_WAF, "waf"),
]
IDS = [e[0] for e in EXPECTED]


def namespace_of(kind: str) -> str:
    """The WAF policy sits beside the main route it protects; the others in the httpbin workspace."""
    return "istio-gateways" if kind == "WAFPolicy" else "httpbin"


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulation()


@pytest.mark.parametrize(("kind", "api_version", "name", "labels", "spec", "feature"), EXPECTED, ids=IDS)
def test_object_is_the_workshops(sim: Simulation, kind: str, api_version: str, name: str, labels: dict,
                                 spec: dict, feature: str) -> None:
    record = sim.one(kind, cluster="cluster1", namespace=namespace_of(kind), name=name)
    assert record.inputs["apiVersion"] == api_version
    assert record.labels == labels
    assert record.spec == spec


@pytest.mark.parametrize(("kind", "api_version", "name", "labels", "spec", "feature"), EXPECTED, ids=IDS)
def test_object_waits_for_the_crds_and_namespace(sim: Simulation, kind: str, api_version: str, name: str,
                                                 labels: dict, spec: dict, feature: str) -> None:
    record = sim.one(kind, name=name)
    assert sim.depends_on(record, sim.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"))
    assert sim.depends_on(record, sim.one("Namespace", cluster="cluster1", name=namespace_of(kind)))


@pytest.mark.parametrize("feature", ["jwt", "transformation", "rate-limit", "waf"])
def test_off_without_the_feature(feature: str) -> None:
    # Dropping a feature drops those that need it too (transformation needs jwt, rate-limit needs transformation).
    dependents = {"jwt": {"transformation", "rate-limit"}, "transformation": {"rate-limit"}}.get(feature, set())
    sim = simulation(tuple(f for f in ALL if f != feature and f not in dependents))
    for kind, _, name, _, _, owner in EXPECTED:
        found = sim.select(kind, name=name)
        if owner == feature:
            assert found == [], (kind, name)
        elif owner not in dependents:
            assert len(found) == 1, (kind, name)


def test_pure_builders_take_plain_values() -> None:
    assert keycloak_external_endpoint(HOST_KEYCLOAK)["spec"] == WORKSHOP_ENDPOINT
    assert jwt_policy(KEYCLOAK_URL)["spec"] == WORKSHOP_JWT
    assert waf_policy()["spec"] == WORKSHOP_WAF


def test_jwt_policy_waits_for_keycloak_and_its_external_service(sim: Simulation) -> None:
    policy = sim.one("JWTPolicy", name="httpbin")
    for other in (sim.one("ExternalService", name="keycloak"), sim.one("ExternalEndpoint", name="keycloak"),
                  sim.one("Deployment", cluster="mgmt", name="keycloak")):
        assert sim.depends_on(policy, other)


def test_rate_limit_policy_waits_for_its_configs_and_server_settings(sim: Simulation) -> None:
    policy = sim.one("RateLimitPolicy", name="httpbin")
    for kind, name in (("RateLimitClientConfig", "httpbin"), ("RateLimitServerConfig", "httpbin"),
                       ("RateLimitServerSettings", "rate-limit-server")):
        assert sim.depends_on(policy, sim.one(kind, name=name))


def test_waf_alone_needs_only_the_gateway() -> None:
    sim = simulation(("gateway", "waf"))
    waf = sim.one("WAFPolicy", cluster="cluster1", name="log4shell")
    assert waf.spec == WORKSHOP_WAF
    assert waf.namespace == "istio-gateways"  # in the gateways workspace, with the main route
    assert simulation(("gateway", "waf"), configCluster="cluster2").one("WAFPolicy").cluster == "cluster2"
    assert sim.select("Deployment", name="keycloak") == []


def test_httpbin_workspace_objects_follow_the_httpbin_cluster() -> None:
    sim = simulation(httpbinCluster="cluster2")
    for kind, _, name, _, _, _ in EXPECTED:
        assert sim.one(kind, name=name).cluster == ("cluster1" if kind == "WAFPolicy" else "cluster2"), kind
    assert sim.one("RateLimitServerSettings").spec["destinationServer"]["ref"]["cluster"] == "cluster2"
    assert {r["cluster"] for k, r in sim.one("RateLimitPolicy").spec["config"].items() if k != "phase"} == {"cluster2"}
