"""Lab 13: the three AccessPolicies, against the workshop's manifests."""

from __future__ import annotations

from components.security.lab13_zero_trust import access_policies
from tests.support.scenarios import ALL, simulation

# lab13-zero-trust.yaml, steps 2-4, verbatim.
WORKSHOP_POLICIES = [
    {
        "apiVersion": "security.policy.gloo.solo.io/v2",
        "kind": "AccessPolicy",
        "metadata": {"name": "frontend-api-access", "namespace": "bookinfo-frontends"},
        "spec": {
            "applyToDestinations": [{"selector": {"labels": {"app": "productpage"}}}],
            "config": {"authz": {"allowedClients": [
                {"serviceAccountSelector": {"name": "istio-ingressgateway-1-17-service-account",
                                            "namespace": "istio-gateways"}},
                {"serviceAccountSelector": {"name": "istio-eastwestgateway-1-17-service-account",
                                            "namespace": "istio-gateways"}},
                {"serviceAccountSelector": {"name": "ext-auth-service", "namespace": "gloo-mesh-addons"}},
                {"serviceAccountSelector": {"name": "rate-limiter", "namespace": "gloo-mesh-addons"}},
            ]}},
        },
    },
    {
        "apiVersion": "security.policy.gloo.solo.io/v2",
        "kind": "AccessPolicy",
        "metadata": {"name": "allow-details-reviews", "namespace": "bookinfo-frontends"},
        "spec": {
            "applyToDestinations": [{"selector": {"labels": {"app": "details"}}},
                                    {"selector": {"labels": {"app": "reviews"}}}],
            "config": {"authz": {"allowedClients": [{"serviceAccountSelector": {"name": "bookinfo-productpage"}}]}},
        },
    },
    {
        "apiVersion": "security.policy.gloo.solo.io/v2",
        "kind": "AccessPolicy",
        "metadata": {"name": "allow-ratings", "namespace": "bookinfo-frontends"},
        "spec": {
            "applyToDestinations": [{"selector": {"labels": {"app": "ratings"}}}],
            "config": {"authz": {"allowedClients": [{"serviceAccountSelector": {"name": "bookinfo-reviews"}}]}},
        },
    },
]


def _gateway_accounts(spec: dict) -> list[str]:
    return [c["serviceAccountSelector"]["name"] for c in spec["config"]["authz"]["allowedClients"]
            if c["serviceAccountSelector"].get("namespace") == "istio-gateways"]


def test_policies_are_the_workshops() -> None:
    assert access_policies(["1-17"]) == WORKSHOP_POLICIES


def test_gateway_service_accounts_follow_the_revision() -> None:
    frontend = access_policies(["1-18"])[0]
    assert _gateway_accounts(frontend["spec"]) == [
        "istio-ingressgateway-1-18-service-account", "istio-eastwestgateway-1-18-service-account"]


def test_during_a_canary_the_gateways_of_both_revisions_are_allowed() -> None:
    frontend = access_policies(["1-17", "1-18"])[0]
    assert _gateway_accounts(frontend["spec"]) == [
        "istio-ingressgateway-1-17-service-account", "istio-eastwestgateway-1-17-service-account",
        "istio-ingressgateway-1-18-service-account", "istio-eastwestgateway-1-18-service-account"]
    assert [p["spec"] for p in access_policies(["1-17", "1-18"])[1:]] == [p["spec"] for p in WORKSHOP_POLICIES[1:]]


def test_declared_on_the_config_cluster_as_the_workshop() -> None:
    sim = simulation()
    policies = sim.select("AccessPolicy")
    assert sorted((r.cluster, r.namespace, r.k8s_name) for r in policies) == [
        ("cluster1", "bookinfo-frontends", "allow-details-reviews"),
        ("cluster1", "bookinfo-frontends", "allow-ratings"),
        ("cluster1", "bookinfo-frontends", "frontend-api-access"),
    ]
    by_name = {r.k8s_name: r.spec for r in policies}
    assert [by_name[p["metadata"]["name"]] for p in WORKSHOP_POLICIES] == [p["spec"] for p in WORKSHOP_POLICIES]


def test_policies_wait_for_the_crds_and_their_namespace() -> None:
    sim = simulation()
    release = sim.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent")
    namespace = sim.one("kubernetes:core/v1:Namespace", cluster="cluster1", name="bookinfo-frontends")
    for policy in sim.select("AccessPolicy"):
        assert sim.depends_on(policy, release)
        assert sim.depends_on(policy, namespace)


def test_changed_istio_revision_reaches_the_service_accounts() -> None:
    sim = simulation(istioRevision="1-18")
    frontend = sim.one("AccessPolicy", name="frontend-api-access")
    assert _gateway_accounts(frontend.spec) == [
        "istio-ingressgateway-1-18-service-account", "istio-eastwestgateway-1-18-service-account"]


def test_follows_config_cluster() -> None:
    sim = simulation(configCluster="cluster2")
    assert {r.cluster for r in sim.select("AccessPolicy")} == {"cluster2"}


def test_off_without_the_feature() -> None:
    sim = simulation(tuple(f for f in ALL if f != "zero-trust"))
    assert sim.select("AccessPolicy") == []
