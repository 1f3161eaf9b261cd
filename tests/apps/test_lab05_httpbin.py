"""Lab 5: httpbin `not-in-mesh` (no sidecar) and `in-mesh` (revision label on its pods)."""

from __future__ import annotations

import pytest

from components.apps.lab05_httpbin import httpbin_manifests
from offline.records import Simulation
from tests.support.scenarios import istio_ready, sim


def expected(app: str, pod_labels: dict[str, str]) -> list[dict]:
    """Lab 5's three documents for one app (applied with `-n httpbin`)."""
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": app, "namespace": "httpbin"}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": app, "namespace": "httpbin", "labels": {"app": app, "service": app}},
         "spec": {"ports": [{"name": "http", "port": 8000, "targetPort": 80}], "selector": {"app": app}}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": app, "namespace": "httpbin"},
         "spec": {
             "replicas": 1,
             "selector": {"matchLabels": {"app": app, "version": "v1"}},
             "template": {
                 "metadata": {"labels": pod_labels},
                 "spec": {
                     "serviceAccountName": app,
                     "containers": [{"image": "docker.io/kennethreitz/httpbin", "imagePullPolicy": "IfNotPresent",
                                     "name": app, "ports": [{"containerPort": 80}]}],
                 },
             },
         }},
    ]


def test_not_in_mesh_is_exactly_the_lab() -> None:
    assert httpbin_manifests("not-in-mesh", None) == expected("not-in-mesh", {"app": "not-in-mesh", "version": "v1"})


def test_in_mesh_asks_for_a_sidecar_of_the_revision() -> None:
    assert httpbin_manifests("in-mesh", "1-17") == expected(
        "in-mesh", {"app": "in-mesh", "version": "v1", "istio.io/rev": "1-17"})


@pytest.fixture(scope="module")
def dev() -> Simulation:
    return sim("dev")


def test_httpbin_runs_on_the_first_workload_cluster_only(dev: Simulation) -> None:
    assert {d.k8s_name for d in dev.select("Deployment", namespace="httpbin")} == {"not-in-mesh", "in-mesh"}
    assert {d.cluster for d in dev.select(namespace="httpbin")} == {"cluster1"}
    assert dev.select("Namespace", cluster="cluster2", name="httpbin") == []


def test_namespace_is_not_injected_but_gets_openshift_extras(dev: Simulation) -> None:
    ns = dev.one("Namespace", cluster="cluster1", name="httpbin")
    assert ns.labels == {}
    binding = dev.one("ClusterRoleBinding", cluster="cluster1", name="gloo-mesh-workshop-anyuid-httpbin")
    assert binding.inputs["subjects"][0]["name"] == "system:serviceaccounts:httpbin"
    assert dev.one("NetworkAttachmentDefinition", cluster="cluster1", namespace="httpbin").k8s_name == "istio-cni"


def test_kubernetes_gets_no_openshift_extras() -> None:
    kube = sim("kubernetes")
    assert kube.one("Namespace", cluster="cluster1", name="httpbin").labels == {}
    assert kube.select("ClusterRoleBinding", name="gloo-mesh-workshop-anyuid-httpbin") == []
    assert kube.select("NetworkAttachmentDefinition", namespace="httpbin") == []


def test_declared_in_mesh_pods_carry_the_revision(dev: Simulation) -> None:
    in_mesh = dev.one("Deployment", cluster="cluster1", name="in-mesh")
    assert in_mesh.spec["template"]["metadata"]["labels"] == {"app": "in-mesh", "version": "v1", "istio.io/rev": "1-17"}
    not_in_mesh = dev.one("Deployment", cluster="cluster1", name="not-in-mesh")
    assert "istio.io/rev" not in not_in_mesh.spec["template"]["metadata"]["labels"]
    service = dev.one("Service", cluster="cluster1", name="in-mesh")
    assert service.spec["ports"] == [{"name": "http", "port": 8000, "targetPort": 80}]


def test_in_mesh_waits_for_istio_and_the_namespace(dev: Simulation) -> None:
    in_mesh = dev.one("Deployment", cluster="cluster1", name="in-mesh")
    assert dev.depends_on(in_mesh, istio_ready(dev, "cluster1"))
    assert not dev.depends_on(in_mesh, istio_ready(dev, "cluster2"))
    assert dev.depends_on(in_mesh, dev.one("Namespace", cluster="cluster1", name="httpbin"))
    assert dev.depends_on(in_mesh, dev.one("NetworkAttachmentDefinition", cluster="cluster1", namespace="httpbin"))


def test_not_in_mesh_does_not_wait_for_istio(dev: Simulation) -> None:
    not_in_mesh = dev.one("Deployment", cluster="cluster1", name="not-in-mesh")
    assert istio_ready(dev, "cluster1").urn not in not_in_mesh.dependencies
    assert dev.one("Namespace", cluster="cluster1", name="httpbin").urn in not_in_mesh.dependencies


def test_httpbin_cluster_is_configurable() -> None:
    elsewhere = sim("elsewhere")
    assert {r.cluster for r in elsewhere.select(namespace="httpbin")} == {"cluster2"}
    in_mesh = elsewhere.one("Deployment", name="in-mesh")
    assert elsewhere.depends_on(in_mesh, istio_ready(elsewhere, "cluster2"))
    assert not elsewhere.depends_on(in_mesh, istio_ready(elsewhere, "cluster1"))
