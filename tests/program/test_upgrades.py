"""Day-2 operations, each one config change whose plan (`tools.diff`) changes only what it should.

docs/upgrades.md walks through the same changes on the dev stack (OpenShift, every feature).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from offline import ROOT
from offline.plan import Plan, Step
from offline.records import Simulation
from tests.support.simulation import cached_plan, dev_config

# The canary upgrade's three steps, each one config change.
ACTIVE_1_17 = dev_config()
CANARY_ADDED = dev_config(istioCanaryRevision="1-18", istioCanaryTag="1.18.2-solo")
CANARY_ACTIVE = dev_config(istioRevision="1-18", istioTag="1.18.2-solo",
                           istioCanaryRevision="1-17", istioCanaryTag="1.17.1-solo")
OLD_REMOVED = dev_config(istioRevision="1-18", istioTag="1.18.2-solo")
CANARY_STEPS = [("add the canary", ACTIVE_1_17, CANARY_ADDED), ("make it active", CANARY_ADDED, CANARY_ACTIVE),
                ("remove the old", CANARY_ACTIVE, OLD_REMOVED)]
WORKLOAD_CLUSTERS = ("cluster1", "cluster2")
LIFECYCLE_MANAGERS = [f"{kind} gloo-mesh/{cluster}-{suffix}" for cluster in WORKLOAD_CLUSTERS
                      for kind, suffix in (("IstioLifecycleManager", "installation"),
                                           ("GatewayLifecycleManager", "ingress"),
                                           ("GatewayLifecycleManager", "eastwest"))]
BOOKINFO = {"cluster1": ["bookinfo-backends/details-v1", "bookinfo-backends/ratings-v1", "bookinfo-backends/reviews-v1",
                         "bookinfo-backends/reviews-v2", "bookinfo-frontends/productpage-v1"],
            "cluster2": ["bookinfo-backends/details-v1", "bookinfo-backends/ratings-v1", "bookinfo-backends/reviews-v1",
                         "bookinfo-backends/reviews-v2", "bookinfo-backends/reviews-v3",
                         "bookinfo-frontends/productpage-v1"]}
WAIT_FOR = 'metadata.annotations["pulumi.com/waitFor"]'
REVISION_LABEL = 'metadata.labels["istio.io/rev"]'


def steps(plan: Plan) -> dict[tuple[str, str, str], Step]:
    return {(s.action, s.cluster, s.label): s for s in plan.steps}


def paths(step: Step) -> list[str]:
    return [c.path for c in step.changes]


def values(step: Step) -> list[tuple[str, object, object]]:
    return [(c.path, c.old, c.new) for c in step.changes]


def updates(labels: Iterable[str], cluster: str) -> set[tuple[str, str, str]]:
    return {("update", cluster, label) for label in labels}


@pytest.mark.parametrize(("name", "before", "after"), CANARY_STEPS, ids=[s[0] for s in CANARY_STEPS])
def test_no_canary_step_replaces_or_deletes_a_namespace_service_deployment_or_release(
        name: str, before: dict, after: dict) -> None:
    plan = cached_plan(before, after)
    for step in plan.of("replace", "delete"):
        kind = step.label.split(" ")[0]
        assert kind not in ("Namespace", "Service", "Deployment", "HelmRelease"), (name, step.lines())
    assert plan.of("replace") == [], name


def test_adding_the_canary_adds_installations_and_nothing_else() -> None:
    plan = cached_plan(ACTIVE_1_17, CANARY_ADDED)
    assert set(steps(plan)) == {
        *updates(LIFECYCLE_MANAGERS, "mgmt"),
        # OpenShift: the canary's operator namespace may run as any UID, as the first revision's.
        *{("create", c, "ClusterRoleBinding gloo-mesh-workshop-anyuid-gm-iop-1-18") for c in WORKLOAD_CLUSTERS},
        # Zero trust: the canary's gateways may call productpage too.
        ("update", "cluster1", "AccessPolicy bookinfo-frontends/frontend-api-access"),
    }
    for label in LIFECYCLE_MANAGERS:
        step = plan.step(label)
        assert paths(step) == [WAIT_FOR, "spec.installations[1]"], label
        added = step.changes[1].new
        assert added.get("revision", added.get("gatewayRevision")) == "1-18"
        assert added["istioOperatorSpec"]["tag"] == "1.18.2-solo"
    policy = plan.step("AccessPolicy bookinfo-frontends/frontend-api-access")
    assert [(c.path, c.new["serviceAccountSelector"]["name"]) for c in policy.changes] == [
        ("spec.config.authz.allowedClients[2]", "istio-ingressgateway-1-18-service-account"),
        ("spec.config.authz.allowedClients[3]", "istio-eastwestgateway-1-18-service-account")]


def test_making_the_canary_active_moves_workloads_and_gateway_traffic_only() -> None:
    plan = cached_plan(CANARY_ADDED, CANARY_ACTIVE)
    expected = {("update", "mgmt", f"IstioLifecycleManager gloo-mesh/{c}-installation") for c in WORKLOAD_CLUSTERS}
    for cluster in WORKLOAD_CLUSTERS:
        expected |= updates([f"Namespace {ns}" for ns in ("bookinfo-backends", "bookinfo-frontends",
                                                           "gloo-mesh-addons", "istio-gateways")], cluster)
        expected |= updates([f"Service istio-gateways/{s}" for s in ("istio-ingressgateway", "istio-eastwestgateway")],
                            cluster)
        expected |= updates([f"Deployment {d}" for d in BOOKINFO[cluster]], cluster)
    expected.add(("update", "cluster1", "Deployment httpbin/in-mesh"))
    assert set(steps(plan)) == expected
    for (_, _, label), step in steps(plan).items():
        kind = label.split(" ")[0]
        if kind == "Namespace":
            assert values(step) == [(REVISION_LABEL, "1-17", "1-18")], label
        elif kind == "Service":
            assert values(step) == [("spec.selector.revision", "1-17", "1-18")], label
        elif label == "Deployment httpbin/in-mesh":
            assert values(step) == [('spec.template.metadata.labels["istio.io/rev"]', "1-17", "1-18")]
        elif kind == "Deployment":
            assert values(step) == [('spec.template.metadata.annotations["gloo-mesh-workshop/istio-revision"]',
                                     "1-17", "1-18")], label
        else:  # the default revision moves to 1-18; both installations stay, and so do the waits
            assert values(step) == [("spec.installations[0].clusters[0].defaultRevision", True, False),
                                    ("spec.installations[1].clusters[0].defaultRevision", False, True)], label


def test_removing_the_old_revision_drops_its_installations_and_grants() -> None:
    plan = cached_plan(CANARY_ACTIVE, OLD_REMOVED)
    assert set(steps(plan)) == {
        *updates(LIFECYCLE_MANAGERS, "mgmt"),
        *{("delete", c, "ClusterRoleBinding gloo-mesh-workshop-anyuid-gm-iop-1-17") for c in WORKLOAD_CLUSTERS},
        ("update", "cluster1", "AccessPolicy bookinfo-frontends/frontend-api-access"),
    }
    for label in LIFECYCLE_MANAGERS:
        step = plan.step(label)
        assert paths(step) == [WAIT_FOR, "spec.installations[0]"], label
        removed = step.changes[1].old
        assert removed.get("revision", removed.get("gatewayRevision")) == "1-17"
        assert "'1-17'" not in step.changes[0].new and "'1-18'" in step.changes[0].new


# Credentials rotation -------------------------------------------------------------------------------
GENERATED = {("replace", "generated", label) for label in (
    "PrivateKey gateway-tls-key", "SelfSignedCert gateway-tls-cert", "RandomPassword keycloak-admin-password",
    "RandomPassword keycloak-client-secret", "RandomPassword keycloak-user1-password",
    "RandomPassword keycloak-user2-password")}
CONSUMERS = {("update", "mgmt", "Secret keycloak/keycloak-admin"), ("update", "mgmt", "Secret keycloak/keycloak-realm"),
             ("update", "mgmt", "Deployment keycloak/keycloak"), ("update", "cluster1", "Secret httpbin/oauth"),
             ("update", "cluster1", "Secret istio-gateways/tls-secret"),
             ("update", "cluster2", "Secret istio-gateways/tls-secret")}


def test_rotation_regenerates_every_credential_and_rolls_exactly_its_consumers() -> None:
    # 0 -> 1 adds the keepers; any later raise changes them, which replaces the same way (test_replacement).
    plan = cached_plan(dev_config(), dev_config(credentialsRotation=1))
    assert set(steps(plan)) == GENERATED | CONSUMERS
    by_label = {s.label: s for s in plan.steps}
    for label in ("RandomPassword keycloak-admin-password", "RandomPassword keycloak-user1-password"):
        assert by_label[label].reasons == ("keepers",)
    assert by_label["PrivateKey gateway-tls-key"].reasons == ("replacement_trigger",)
    assert paths(by_label["Deployment keycloak/keycloak"]) == [
        'spec.template.metadata.annotations["gloo-mesh-workshop/realm-checksum"]']
    for (_, _, label), step in steps(plan).items():
        if label.startswith("Secret"):
            assert step.changes and all(c.secret for c in step.changes), label


RELAY_GENERATED = {("replace", "generated", label) for label in (
    "PrivateKey relay-authority-root-ca-key", "SelfSignedCert relay-authority-root-ca", "RandomPassword relay-authority-token",
    *(f"{kind} relay-authority-{who}-{suffix}" for who in ("server", "metrics-gateway", "agent-cluster1", "agent-cluster2")
      for kind, suffix in (("PrivateKey", "key"), ("CertRequest", "csr"), ("LocallySignedCert", "cert"))))}
RELAY_CONSUMERS = {("update", "mgmt", "Secret gloo-mesh/relay-server-tls-secret"),
                   ("update", "mgmt", "Secret gloo-mesh/relay-identity-token-secret"),
                   ("update", "mgmt", "Secret gloo-mesh/gloo-metrics-gateway-tls-secret"),
                   *(("update", cluster, f"Secret gloo-mesh/{name}") for cluster in WORKLOAD_CLUSTERS
                     for name in ("relay-root-tls-secret", "relay-client-tls-secret", "relay-identity-token-secret"))}


def test_rotation_with_managed_relay_trust_also_regenerates_the_relay_pki_and_updates_its_secrets() -> None:
    plan = cached_plan(dev_config(relayTrust="managed"), dev_config(relayTrust="managed", credentialsRotation=1))
    assert set(steps(plan)) == GENERATED | CONSUMERS | RELAY_GENERATED | RELAY_CONSUMERS
    # The charts name the Secrets, not their content: no release changes; the Secrets update in place.
    assert not any(step.label.startswith("HelmRelease") for step in plan.steps)


def test_certificate_renewal_config_changes_only_the_certificate() -> None:
    earlier = cached_plan(dev_config(), dev_config(gatewayCertEarlyRenewalHours=1440))
    assert set(steps(earlier)) == {("update", "generated", "SelfSignedCert gateway-tls-cert")}
    shorter = cached_plan(dev_config(), dev_config(gatewayCertValidityHours=2160))
    assert set(steps(shorter)) == {
        ("replace", "generated", "SelfSignedCert gateway-tls-cert"),
        ("update", "cluster1", "Secret istio-gateways/tls-secret"), ("update", "cluster2", "Secret istio-gateways/tls-secret")}
    for secret in ("cluster1", "cluster2"):
        assert paths(steps(shorter)[("update", secret, "Secret istio-gateways/tls-secret")]) == ['stringData["tls.crt"]']


# Gloo Mesh upgrade within 2.2.x ---------------------------------------------------------------------
def test_a_gloo_mesh_patch_upgrade_changes_only_the_release_versions() -> None:
    plan = cached_plan(dev_config(), dev_config(glooMeshVersion="2.2.7"))
    expected = {("update", "mgmt", "HelmRelease gloo-mesh/gloo-mesh-enterprise")}
    for cluster in WORKLOAD_CLUSTERS:
        expected |= updates(["HelmRelease gloo-mesh/gloo-mesh-agent",
                             "HelmRelease gloo-mesh-addons/gloo-mesh-agent-addons"], cluster)
    assert set(steps(plan)) == expected
    for step in plan.steps:
        assert values(step) == [("version", "2.2.6", "2.2.7")], step.label


def test_the_management_plane_is_upgraded_before_any_agent(dev_sim: Simulation) -> None:
    # The edges do not depend on the version: the dev stack's are the upgrade's order.
    sim = dev_sim
    mgmt = sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt", name="gloo-mesh-enterprise")
    for cluster in WORKLOAD_CLUSTERS:
        for name in ("gloo-mesh-agent", "gloo-mesh-agent-addons"):
            release = sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name=name)
            assert sim.depends_on(release, mgmt), (cluster, name)


# docs/upgrades.md quotes each plan as the tool prints it ----------------------------------------------
@pytest.mark.parametrize(("before", "after"), [
    (ACTIVE_1_17, CANARY_ADDED), (CANARY_ADDED, CANARY_ACTIVE), (CANARY_ACTIVE, OLD_REMOVED),
    (dev_config(), dev_config(glooMeshVersion="2.2.7")), (dev_config(), dev_config(credentialsRotation=1)),
    (dev_config(), dev_config(gatewayCertValidityHours=2160)),
], ids=["canary-added", "canary-active", "old-removed", "gloo-2.2.7", "rotation", "certificate"])
def test_the_upgrade_guide_shows_each_plan_as_the_tool_prints_it(before: dict, after: dict) -> None:
    plan = cached_plan(before, after)
    assert Plan(plan.steps, plan.unchanged).render() in (ROOT / "docs" / "upgrades.md").read_text()
