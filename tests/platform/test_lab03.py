"""Lab 3: Istio through the lifecycle managers, pinned to the workshop's manifests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonpath_rfc9535 import JSONPathSyntaxError

from components.core.config import Settings, Versions, parse_settings
from components.platform.lab03_istio import (
    eastwest_gateway_lifecycle_manager,
    ingress_gateway_lifecycle_manager,
    istio_lifecycle_manager,
)
from offline.records import Record, Simulation
from tests.support import wait_for
from tests.support.simulation import LICENSE, cached_simulation

CLUSTERS = ["cluster1", "cluster2"]
ISTIO_NAMESPACES = ("istio-system", "istio-gateways", "gm-iop-1-17")
HUB = "us-docker.pkg.dev/gloo-mesh/istio-workshops"


def workshop_istio_lifecycle_spec(cluster: str) -> dict:
    return {"installations": [{
        "clusters": [{"name": cluster, "defaultRevision": True}],
        "revision": "1-17",
        "istioOperatorSpec": {
            "profile": "minimal",
            "hub": HUB,
            "tag": "1.17.1-solo",
            "namespace": "istio-system",
            "values": {
                "global": {"meshID": "mesh1", "multiCluster": {"clusterName": cluster}, "network": cluster},
                "cni": {"excludeNamespaces": ["istio-system", "kube-system"], "logLevel": "info",
                        "cniBinDir": "/var/lib/cni/bin", "cniConfDir": "/etc/cni/multus/net.d", "chained": False,
                        "cniConfFileName": "istio-cni.conf"},
                "sidecarInjectorWebhook": {"injectedAnnotations": {"k8s.v1.cni.cncf.io/networks": "istio-cni"}},
            },
            "meshConfig": {"accessLogFile": "/dev/stdout", "defaultConfig": {"proxyMetadata": {
                "ISTIO_META_DNS_CAPTURE": "true", "ISTIO_META_DNS_AUTO_ALLOCATE": "true"}}},
            "components": {
                "pilot": {"k8s": {"env": [{"name": "PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES", "value": "false"}]}},
                "cni": {"enabled": True, "namespace": "kube-system", "k8s": {"overlays": [{
                    "kind": "DaemonSet", "name": "istio-cni-node",
                    "patches": [{"path": "spec.template.spec.containers[0].securityContext.privileged",
                                 "value": True}]}]}},
                "ingressGateways": [{"name": "istio-ingressgateway", "enabled": False}],
            },
        },
    }]}


def workshop_gateway_spec(cluster: str, gateway: dict) -> dict:
    return {"installations": [{
        "clusters": [{"name": cluster, "activeGateway": False}],
        "gatewayRevision": "1-17",
        "istioOperatorSpec": {
            "profile": "empty", "hub": HUB, "tag": "1.17.1-solo",
            "values": {"gateways": {"istio-ingressgateway": {"customService": True}}},
            "components": {"ingressGateways": [gateway]},
        },
    }]}


def tcp(name: str, port: int, target: int) -> dict:
    return {"name": name, "port": port, "protocol": "TCP", "targetPort": target}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_istio_gateways_namespace(dev_sim: Simulation, cluster: str) -> None:
    ns = dev_sim.one("Namespace", cluster=cluster, name="istio-gateways")
    assert ns.labels == {"istio.io/rev": "1-17"}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_ingress_gateway_service(dev_sim: Simulation, cluster: str) -> None:
    svc = dev_sim.one("Service", cluster=cluster, name="istio-ingressgateway")
    assert svc.metadata == {"labels": {"app": "istio-ingressgateway", "istio": "ingressgateway"},
                            "name": "istio-ingressgateway", "namespace": "istio-gateways"}
    assert svc.spec == {
        "ports": [tcp("http2", 80, 8080), tcp("https", 443, 8443)],
        "selector": {"app": "istio-ingressgateway", "istio": "ingressgateway", "revision": "1-17"},
        "type": "LoadBalancer",
    }


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_eastwest_gateway_service(dev_sim: Simulation, cluster: str) -> None:
    svc = dev_sim.one("Service", cluster=cluster, name="istio-eastwestgateway")
    labels = {"app": "istio-ingressgateway", "istio": "eastwestgateway", "topology.istio.io/network": cluster}
    assert svc.metadata == {"labels": labels, "name": "istio-eastwestgateway", "namespace": "istio-gateways"}
    assert svc.spec == {
        "ports": [tcp("status-port", 15021, 15021), tcp("tls", 15443, 15443), tcp("https", 16443, 16443),
                  tcp("tcp-istiod", 15012, 15012), tcp("tcp-webhook", 15017, 15017)],
        "selector": {**labels, "revision": "1-17"},
        "type": "LoadBalancer",
    }


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_istio_lifecycle_manager(dev_sim: Simulation, cluster: str) -> None:
    ilm = dev_sim.one("IstioLifecycleManager", cluster="mgmt", name=f"{cluster}-installation")
    assert ilm.namespace == "gloo-mesh"
    assert ilm.spec == workshop_istio_lifecycle_spec(cluster)
    assert ilm.metadata["annotations"] == {
        "pulumi.com/waitFor": f"jsonpath={{.status.clusters['{cluster}'].installations['1-17'].state}}=HEALTHY"}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_gateway_lifecycle_managers_wait_for_their_revision(dev_sim: Simulation, cluster: str) -> None:
    for suffix in ("ingress", "eastwest"):
        glm = dev_sim.one("GatewayLifecycleManager", cluster="mgmt", name=f"{cluster}-{suffix}")
        assert glm.metadata["annotations"] == {
            "pulumi.com/waitFor": f"jsonpath={{.status.clusters['{cluster}'].installations['1-17'].state}}=HEALTHY"}


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_gateway_lifecycle_managers(dev_sim: Simulation, cluster: str) -> None:
    ingress = dev_sim.one("GatewayLifecycleManager", cluster="mgmt", name=f"{cluster}-ingress")
    assert ingress.spec == workshop_gateway_spec(cluster, {
        "name": "istio-ingressgateway", "namespace": "istio-gateways", "enabled": True,
        "label": {"istio": "ingressgateway"}})
    eastwest = dev_sim.one("GatewayLifecycleManager", cluster="mgmt", name=f"{cluster}-eastwest")
    assert eastwest.spec == workshop_gateway_spec(cluster, {
        "name": "istio-eastwestgateway", "namespace": "istio-gateways", "enabled": True,
        "label": {"istio": "eastwestgateway", "topology.istio.io/network": cluster},
        "k8s": {"env": [{"name": "ISTIO_META_ROUTER_MODE", "value": "sni-dnat"},
                        {"name": "ISTIO_META_REQUESTED_NETWORK_VIEW", "value": cluster}]}})


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_openshift_grants_and_cni_attachment(dev_sim: Simulation, cluster: str) -> None:
    bindings = [b for b in dev_sim.select("ClusterRoleBinding", cluster=cluster)
                if b.inputs["subjects"][0]["name"].split(":")[-1] in ISTIO_NAMESPACES]
    groups = sorted(s["name"] for b in bindings for s in b.inputs["subjects"])
    assert groups == ["system:serviceaccounts:gm-iop-1-17", "system:serviceaccounts:istio-gateways",
                      "system:serviceaccounts:istio-system"]
    for binding in bindings:
        assert binding.inputs["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                             "name": "system:openshift:scc:anyuid"}
    nad = dev_sim.one("NetworkAttachmentDefinition", cluster=cluster, namespace="istio-gateways")
    assert nad.metadata == {"name": "istio-cni", "namespace": "istio-gateways"}
    assert nad.inputs["apiVersion"] == "k8s.cni.cncf.io/v1"


def test_plain_kubernetes_has_no_openshift_parts(kubernetes_sim: Simulation) -> None:
    assert kubernetes_sim.select("ClusterRoleBinding") == []
    assert kubernetes_sim.select("NetworkAttachmentDefinition") == []
    ilm = kubernetes_sim.one("IstioLifecycleManager", name="cluster1-installation")
    operator = ilm.spec["installations"][0]["istioOperatorSpec"]
    assert set(operator["values"]) == {"global"}
    assert set(operator["components"]) == {"pilot", "ingressGateways"}
    assert kubernetes_sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt").inputs["values"].get(
        "glooMeshRedis") is None


def test_lifecycle_manager_follows_configured_versions() -> None:
    settings = parse_settings({"licenseKey": "x", "istioRevision": "1-18", "istioTag": "1.18.0-solo"})
    spec = istio_lifecycle_manager("cluster1", settings.versions, openshift=False)["spec"]
    assert spec["installations"][0]["revision"] == "1-18"
    assert spec["installations"][0]["istioOperatorSpec"]["tag"] == "1.18.0-solo"


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_lifecycle_waits_for_agent_registration_crds_and_openshift_grants(dev_sim: Simulation, cluster: str) -> None:
    agent = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
    registration = dev_sim.one("KubernetesCluster", name=cluster)
    mgmt_release = dev_sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt")
    for name in (f"{cluster}-installation",):
        lifecycle = dev_sim.one("IstioLifecycleManager", name=name)
        istio_grants = [b for b in dev_sim.select("ClusterRoleBinding", cluster=cluster)
                        if b.inputs["subjects"][0]["name"].split(":")[-1] in ISTIO_NAMESPACES]
        for prerequisite in (agent, registration, mgmt_release, *istio_grants,
                             dev_sim.one("NetworkAttachmentDefinition", cluster=cluster, namespace="istio-gateways")):
            assert dev_sim.depends_on(lifecycle, prerequisite), prerequisite.urn
    for name in (f"{cluster}-ingress", f"{cluster}-eastwest"):
        gateway = dev_sim.one("GatewayLifecycleManager", name=name)
        assert dev_sim.depends_on(gateway, agent)
        assert dev_sim.depends_on(gateway, dev_sim.one("Namespace", cluster=cluster, name="istio-gateways"))


@pytest.mark.parametrize("name", ["istio-ingressgateway", "istio-eastwestgateway"])
def test_gateway_services_wait_long_enough_for_the_gateways(dev_sim: Simulation, name: str) -> None:
    # The Services only get endpoints once the lifecycle manager has deployed the gateways, after the
    # management plane, the agent and istiod: longer than Pulumi's default ten minutes.
    for cluster in CLUSTERS:
        assert dev_sim.one("Service", cluster=cluster, name=name).create_timeout == "30m"


@pytest.mark.parametrize("suffix", ["installation", "ingress", "eastwest"])
def test_lifecycle_managers_wait_long_enough_for_a_healthy_install(dev_sim: Simulation, suffix: str) -> None:
    for cluster in CLUSTERS:
        record = next(r for r in dev_sim.select(cluster="mgmt", name=f"{cluster}-{suffix}"))
        assert record.create_timeout == "30m"


# Readiness waits for every valid cluster name -------------------------------------------------------
ODD_NAMES = {"licenseKey": LICENSE, "platform": "openshift", "mgmtCluster": "mgmt-0",
             "workloadClusters": ["cluster-1", "2nd"]}


def status(cluster: str, states: dict[str, str]) -> dict:
    """A lifecycle manager's status as Gloo reports it: by cluster name, then by revision."""
    return {"status": {"clusters": {cluster: {"installations": {
        revision: {"state": state, "observedRevision": revision} for revision, state in states.items()}}}}}


def lifecycle_managers(s: Simulation, cluster: str) -> list[Record]:
    """The IstioLifecycleManager and the two GatewayLifecycleManagers of a cluster (on ODD_NAMES' mgmt-0)."""
    return [s.one(kind, cluster="mgmt-0", name=f"{cluster}-{suffix}")
            for kind, suffix in (("IstioLifecycleManager", "installation"), ("GatewayLifecycleManager", "ingress"),
                                 ("GatewayLifecycleManager", "eastwest"))]


def test_the_old_dotted_wildcard_does_not_parse_for_such_names() -> None:
    # What the lab's `kubectl wait` path gives for cluster-1 under RFC 9535 (pulumi-kubernetes >= 4.24).
    for cluster, refused in (("cluster-1", "found '-'"), ("2nd", "unexpected shorthand selector '2'")):
        with pytest.raises(JSONPathSyntaxError, match=refused):
            wait_for.parse(f"jsonpath={{.status.clusters.{cluster}.installations.*.state}}=HEALTHY")


@pytest.mark.parametrize("cluster", ["cluster-1", "2nd"])
def test_waits_parse_and_select_the_installation_for_names_with_dashes_and_leading_digits(cluster: str) -> None:
    s = cached_simulation(ODD_NAMES)
    for record in lifecycle_managers(s, cluster):
        annotation = record.metadata["annotations"]["pulumi.com/waitFor"]
        assert annotation == f"jsonpath={{.status.clusters['{cluster}'].installations['1-17'].state}}=HEALTHY"
        assert wait_for.ready(annotation, status(cluster, {"1-17": "HEALTHY"}))
        assert not wait_for.ready(annotation, status(cluster, {"1-17": "INSTALLING_CONTROL_PLANE"}))
        assert not wait_for.ready(annotation, status("cluster1", {"1-17": "HEALTHY"}))  # another cluster's


# Canary upgrade (the lifecycle managers' second installation) -------------------------------------
CANARY = {"istioCanaryRevision": "1-18", "istioCanaryTag": "1.18.2-solo"}


def canary_settings(**overrides: str) -> Settings:
    return parse_settings({"licenseKey": LICENSE, "platform": "openshift", **CANARY, **overrides})


def test_a_canary_is_a_second_installation_that_is_not_the_default_revision() -> None:
    spec = istio_lifecycle_manager("cluster1", canary_settings().versions, openshift=True)["spec"]
    assert [(i["revision"], i["clusters"], i["istioOperatorSpec"]["tag"]) for i in spec["installations"]] == [
        ("1-17", [{"name": "cluster1", "defaultRevision": True}], "1.17.1-solo"),
        ("1-18", [{"name": "cluster1", "defaultRevision": False}], "1.18.2-solo"),
    ]
    # Everything but the revision, the tag and the default flag is the workshop's installation.
    base = workshop_istio_lifecycle_spec("cluster1")["installations"][0]
    canary = spec["installations"][1]
    assert {k: v for k, v in canary["istioOperatorSpec"].items() if k != "tag"} == {
        k: v for k, v in base["istioOperatorSpec"].items() if k != "tag"}


def test_making_the_canary_active_only_moves_the_default_revision() -> None:
    before = istio_lifecycle_manager("cluster1", canary_settings().versions, openshift=True)
    after = istio_lifecycle_manager("cluster1", canary_settings(
        istioRevision="1-18", istioTag="1.18.2-solo", istioCanaryRevision="1-17",
        istioCanaryTag="1.17.1-solo").versions, openshift=True)
    assert [i["clusters"][0]["defaultRevision"] for i in after["spec"]["installations"]] == [False, True]
    for installation in (*before["spec"]["installations"], *after["spec"]["installations"]):
        installation["clusters"][0].pop("defaultRevision")
    assert after == before


@pytest.mark.parametrize("build", [ingress_gateway_lifecycle_manager, eastwest_gateway_lifecycle_manager])
def test_each_gateway_gets_a_canary_installation(build: Callable[[str, Versions], dict[str, Any]]) -> None:
    spec = build("cluster1", canary_settings().versions)["spec"]
    assert [(i["gatewayRevision"], i["clusters"], i["istioOperatorSpec"]["tag"]) for i in spec["installations"]] == [
        ("1-17", [{"name": "cluster1", "activeGateway": False}], "1.17.1-solo"),
        ("1-18", [{"name": "cluster1", "activeGateway": False}], "1.18.2-solo"),
    ]
    first, second = spec["installations"]
    assert first["istioOperatorSpec"]["components"] == second["istioOperatorSpec"]["components"]


#: One simulation for the canary tests below: odd cluster names, OpenShift, httpbin in the mesh.
ODD_NAMES_CANARY = {**ODD_NAMES, **CANARY, "features": ["httpbin-workspace"]}


def test_during_a_canary_the_waits_cover_both_revisions_and_ignore_a_stale_healthy() -> None:
    s = cached_simulation(ODD_NAMES_CANARY)
    for record in lifecycle_managers(s, "cluster-1"):
        annotation = record.metadata["annotations"]["pulumi.com/waitFor"]
        assert json.loads(annotation) == [
            "jsonpath={.status.clusters['cluster-1'].installations['1-17'].state}=HEALTHY",
            "jsonpath={.status.clusters['cluster-1'].installations['1-18'].state}=HEALTHY",
        ]
        # The old revision is HEALTHY while the canary still installs: not ready (a wildcard could pass here).
        assert not wait_for.ready(annotation, status("cluster-1", {"1-17": "HEALTHY", "1-18": "INSTALLING_CONTROL_PLANE"}))
        assert not wait_for.ready(annotation, status("cluster-1", {"1-17": "HEALTHY"}))
        assert wait_for.ready(annotation, status("cluster-1", {"1-17": "HEALTHY", "1-18": "HEALTHY"}))


def test_during_a_canary_workloads_and_gateway_services_stay_on_the_active_revision() -> None:
    s = cached_simulation(ODD_NAMES_CANARY)
    for cluster in ("cluster-1", "2nd"):
        assert s.one("Namespace", cluster=cluster, name="istio-gateways").labels == {"istio.io/rev": "1-17"}
        for name in ("istio-ingressgateway", "istio-eastwestgateway"):
            assert s.one("Service", cluster=cluster, name=name).spec["selector"]["revision"] == "1-17"
        for deployment in s.select("Deployment", cluster=cluster, namespace="bookinfo-backends"):
            assert deployment.spec["template"]["metadata"]["annotations"] == {
                "gloo-mesh-workshop/istio-revision": "1-17"}


def test_openshift_grants_anyuid_to_the_operator_namespace_of_each_revision() -> None:
    s = cached_simulation(ODD_NAMES_CANARY)
    for cluster in ("cluster-1", "2nd"):
        names = {b.k8s_name for b in s.select("ClusterRoleBinding", cluster=cluster)}
        assert {"gloo-mesh-workshop-anyuid-gm-iop-1-17", "gloo-mesh-workshop-anyuid-gm-iop-1-18",
                "gloo-mesh-workshop-anyuid-istio-system"} <= names
        lifecycle = s.one("IstioLifecycleManager", name=f"{cluster}-installation")
        grant = s.one("ClusterRoleBinding", cluster=cluster, name="gloo-mesh-workshop-anyuid-gm-iop-1-18")
        assert s.depends_on(lifecycle, grant)
