"""Lab 4: Bookinfo (Istio release-1.16 bookinfo.yaml + the lab's namespaces and `set env`)."""

from __future__ import annotations

import pytest

from components.apps.lab04_bookinfo import bookinfo_manifests
from offline.records import Simulation
from tests.support.scenarios import istio_ready, sim

REVISION = {"istio.io/rev": "1-17"}
FRONTENDS, BACKENDS = "bookinfo-frontends", "bookinfo-backends"

# Copied from istio/istio release-1.16 samples/bookinfo/platform/kube/bookinfo.yaml, with the
# namespace the lab applies it to and the lab's `kubectl set env` changes; the pod template names
# the active Istio revision (so a new active revision restarts the pods with its sidecar).
REVIEWS_V3_ON_CLUSTER2 = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "reviews-v3", "namespace": BACKENDS, "labels": {"app": "reviews", "version": "v3"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "reviews", "version": "v3"}},
        "template": {
            "metadata": {"labels": {"app": "reviews", "version": "v3"},
                         "annotations": {"gloo-mesh-workshop/istio-revision": "1-17"}},
            "spec": {
                "serviceAccountName": "bookinfo-reviews",
                "containers": [{
                    "name": "reviews",
                    "image": "docker.io/istio/examples-bookinfo-reviews-v3:1.17.0",
                    "imagePullPolicy": "IfNotPresent",
                    "env": [{"name": "LOG_DIR", "value": "/tmp/logs"}, {"name": "CLUSTER_NAME", "value": "cluster2"}],
                    "ports": [{"containerPort": 9080}],
                    "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"},
                                     {"name": "wlp-output", "mountPath": "/opt/ibm/wlp/output"}],
                    "securityContext": {"runAsUser": 1000},
                }],
                "volumes": [{"name": "wlp-output", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
            },
        },
    },
}

PRODUCTPAGE = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "productpage-v1", "namespace": FRONTENDS, "labels": {"app": "productpage", "version": "v1"}},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "productpage", "version": "v1"}},
        "template": {
            "metadata": {"labels": {"app": "productpage", "version": "v1"},
                         "annotations": {"gloo-mesh-workshop/istio-revision": "1-17"}},
            "spec": {
                "serviceAccountName": "bookinfo-productpage",
                "containers": [{
                    "name": "productpage",
                    "image": "docker.io/istio/examples-bookinfo-productpage-v1:1.17.0",
                    "imagePullPolicy": "IfNotPresent",
                    "env": [{"name": "DETAILS_HOSTNAME", "value": "details.bookinfo-backends.svc.cluster.local"},
                            {"name": "REVIEWS_HOSTNAME", "value": "reviews.bookinfo-backends.svc.cluster.local"}],
                    "ports": [{"containerPort": 9080}],
                    "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                    "securityContext": {"runAsUser": 1000},
                }],
                "volumes": [{"name": "tmp", "emptyDir": {}}],
            },
        },
    },
}


def by_kind_and_name(manifests: list[dict]) -> dict[tuple[str, str], dict]:
    return {(m["kind"], m["metadata"]["name"]): m for m in manifests}


# Pure manifests ---------------------------------------------------------------------------------
def test_reviews_v3_is_the_sample_deployment_with_its_cluster_name() -> None:
    objects = by_kind_and_name(bookinfo_manifests("cluster2", ("v1", "v2", "v3"), "1-17"))
    assert objects[("Deployment", "reviews-v3")] == REVIEWS_V3_ON_CLUSTER2


def test_productpage_reaches_the_backends_by_their_full_names() -> None:
    objects = by_kind_and_name(bookinfo_manifests("cluster1", ("v1", "v2"), "1-17"))
    assert objects[("Deployment", "productpage-v1")] == PRODUCTPAGE


@pytest.mark.parametrize("app", ["details", "ratings"])
def test_details_and_ratings_are_plain_v1(app: str) -> None:
    deployment = by_kind_and_name(bookinfo_manifests("cluster1", ("v1",), "1-17"))[("Deployment", f"{app}-v1")]
    assert deployment["metadata"] == {"name": f"{app}-v1", "namespace": BACKENDS,
                                      "labels": {"app": app, "version": "v1"}}
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": app, "version": "v1"}}
    assert deployment["spec"]["template"]["spec"] == {
        "serviceAccountName": f"bookinfo-{app}",
        "containers": [{"name": app, "image": f"docker.io/istio/examples-bookinfo-{app}-v1:1.17.0",
                        "imagePullPolicy": "IfNotPresent", "ports": [{"containerPort": 9080}],
                        "securityContext": {"runAsUser": 1000}}],
    }


@pytest.mark.parametrize(("app", "namespace"), [
    ("productpage", FRONTENDS), ("details", BACKENDS), ("ratings", BACKENDS), ("reviews", BACKENDS)])
def test_services_and_service_accounts(app: str, namespace: str) -> None:
    objects = by_kind_and_name(bookinfo_manifests("cluster1", ("v1", "v2"), "1-17"))
    assert objects[("Service", app)] == {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": app, "namespace": namespace, "labels": {"app": app, "service": app}},
        "spec": {"ports": [{"port": 9080, "name": "http"}], "selector": {"app": app}},
    }
    assert objects[("ServiceAccount", f"bookinfo-{app}")] == {
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": f"bookinfo-{app}", "namespace": namespace, "labels": {"account": app}},
    }


def test_only_the_given_reviews_versions_are_deployed() -> None:
    names = {m["metadata"]["name"] for m in bookinfo_manifests("cluster1", ("v1", "v2"), "1-17") if m["kind"] == "Deployment"}
    assert names == {"productpage-v1", "details-v1", "ratings-v1", "reviews-v1", "reviews-v2"}


def test_pod_templates_name_the_active_revision() -> None:
    for m in bookinfo_manifests("cluster1", ("v1", "v2"), "1-18"):
        if m["kind"] == "Deployment":
            assert m["spec"]["template"]["metadata"]["annotations"] == {"gloo-mesh-workshop/istio-revision": "1-18"}
            assert "annotations" not in m["spec"]["selector"]


def test_every_reviews_version_shows_its_cluster() -> None:
    for m in bookinfo_manifests("east", ("v1", "v2", "v3"), "1-17"):
        if m["metadata"]["name"].startswith("reviews-v"):
            env = m["spec"]["template"]["spec"]["containers"][0]["env"]
            assert env == [{"name": "LOG_DIR", "value": "/tmp/logs"}, {"name": "CLUSTER_NAME", "value": "east"}]


# The program ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev() -> Simulation:
    return sim("dev")


@pytest.fixture(scope="module")
def kube() -> Simulation:
    return sim("kubernetes")


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
@pytest.mark.parametrize("namespace", [FRONTENDS, BACKENDS])
def test_namespaces_are_injected_with_the_revision(dev: Simulation, cluster: str, namespace: str) -> None:
    assert dev.one("Namespace", cluster=cluster, name=namespace).labels == REVISION


@pytest.mark.parametrize(("cluster", "reviews"), [
    ("cluster1", {"reviews-v1", "reviews-v2"}), ("cluster2", {"reviews-v1", "reviews-v2", "reviews-v3"})])
def test_reviews_versions_per_cluster_as_in_the_workshop(dev: Simulation, cluster: str, reviews: set[str]) -> None:
    deployments = {d.k8s_name: d for d in dev.select("Deployment", cluster=cluster, namespace=BACKENDS)}
    assert set(deployments) == {"details-v1", "ratings-v1", *reviews}
    for name in reviews:
        env = deployments[name].spec["template"]["spec"]["containers"][0]["env"]
        assert {"name": "CLUSTER_NAME", "value": cluster} in env
    frontends = dev.select("Deployment", cluster=cluster, namespace=FRONTENDS)
    assert [d.k8s_name for d in frontends] == ["productpage-v1"]


def test_mgmt_cluster_runs_no_bookinfo(dev: Simulation) -> None:
    assert [d for d in dev.select("Deployment", cluster="mgmt") if d.namespace in (FRONTENDS, BACKENDS)] == []
    assert dev.select("Namespace", cluster="mgmt", name=FRONTENDS) == []


def test_declared_objects_equal_the_pure_manifests(dev: Simulation) -> None:
    declared = dev.one("Deployment", cluster="cluster2", name="reviews-v3")
    assert declared.metadata == REVIEWS_V3_ON_CLUSTER2["metadata"]
    assert declared.spec == REVIEWS_V3_ON_CLUSTER2["spec"]
    service = dev.one("Service", cluster="cluster1", name="productpage")
    assert service.namespace == FRONTENDS
    assert service.spec == {"ports": [{"port": 9080, "name": "http"}], "selector": {"app": "productpage"}}
    assert dev.one("ServiceAccount", cluster="cluster1", name="bookinfo-reviews").namespace == BACKENDS


def test_reviews_versions_follow_the_config() -> None:
    from offline.runtime import simulate

    s = simulate({"licenseKey": "x", "reviewsVersions": [["v3"], ["v1", "v2"]]})
    assert {d.k8s_name for d in s.select("Deployment", cluster="cluster1", namespace=BACKENDS)} == {
        "details-v1", "ratings-v1", "reviews-v3"}
    assert {d.k8s_name for d in s.select("Deployment", cluster="cluster2", namespace=BACKENDS)} == {
        "details-v1", "ratings-v1", "reviews-v1", "reviews-v2"}


@pytest.mark.parametrize("namespace", [FRONTENDS, BACKENDS])
def test_openshift_grants_anyuid_and_attaches_istio_cni(dev: Simulation, namespace: str) -> None:
    for cluster in ("cluster1", "cluster2"):
        binding = dev.one("ClusterRoleBinding", cluster=cluster, name=f"gloo-mesh-workshop-anyuid-{namespace}")
        assert binding.inputs["roleRef"]["name"] == "system:openshift:scc:anyuid"
        assert binding.inputs["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                               "name": f"system:serviceaccounts:{namespace}"}]
        nad = dev.one("NetworkAttachmentDefinition", cluster=cluster, namespace=namespace)
        assert nad.k8s_name == "istio-cni"


@pytest.mark.parametrize("namespace", [FRONTENDS, BACKENDS])
def test_kubernetes_has_no_openshift_extras(kube: Simulation, namespace: str) -> None:
    assert kube.select("ClusterRoleBinding", name=f"gloo-mesh-workshop-anyuid-{namespace}") == []
    assert kube.select("NetworkAttachmentDefinition", namespace=namespace) == []
    assert kube.one("Namespace", cluster="cluster1", name=namespace).labels == REVISION


@pytest.mark.parametrize(("cluster", "other"), [("cluster1", "cluster2"), ("cluster2", "cluster1")])
def test_deployments_wait_for_their_clusters_istio_and_namespace(dev: Simulation, cluster: str, other: str) -> None:
    for deployment in dev.select("Deployment", cluster=cluster):
        if deployment.namespace not in (FRONTENDS, BACKENDS):
            continue
        assert dev.depends_on(deployment, istio_ready(dev, cluster))
        assert not dev.depends_on(deployment, istio_ready(dev, other))
        ns = deployment.namespace
        assert dev.depends_on(deployment, dev.one("Namespace", cluster=cluster, name=ns))
        assert dev.depends_on(deployment, dev.one("NetworkAttachmentDefinition", cluster=cluster, namespace=ns))
        assert dev.depends_on(deployment, dev.one("ClusterRoleBinding", cluster=cluster,
                                                  name=f"gloo-mesh-workshop-anyuid-{ns}"))


def test_a_third_workload_cluster_gets_bookinfo_with_all_reviews() -> None:
    three = sim("three")
    assert {d.k8s_name for d in three.select("Deployment", cluster="cluster3", namespace=BACKENDS)} == {
        "details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3"}
    assert three.one("Namespace", cluster="cluster3", name=FRONTENDS).labels == REVISION
    productpage = three.one("Deployment", cluster="cluster3", name="productpage-v1")
    assert three.depends_on(productpage, istio_ready(three, "cluster3"))
    assert not three.depends_on(productpage, istio_ready(three, "cluster1"))
