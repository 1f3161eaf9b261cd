"""Lab 6: the gloo-mesh-agent chart again, as addons only, in the injected gloo-mesh-addons namespace."""

from __future__ import annotations

import pytest

from components.apps.lab06_addons import addons_values
from offline.records import Simulation
from offline.runtime import simulate
from tests.support.scenarios import agent_release, istio_ready, sim

AGENT_REPO = "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-agent"


def test_openshift_values_are_the_labs_set_flags() -> None:
    assert addons_values("cluster1", openshift=True) == {
        "cluster": "cluster1",
        "glooMeshAgent": {"enabled": False, "floatingUserId": True},
        "glooMeshPortalServer": {"enabled": True},
        "rate-limiter": {"enabled": True},
        "ext-auth-service": {"enabled": True},
    }


def test_kubernetes_values_have_no_floating_user_id() -> None:
    assert addons_values("cluster2", openshift=False) == {
        "cluster": "cluster2",
        "glooMeshAgent": {"enabled": False},
        "glooMeshPortalServer": {"enabled": True},
        "rate-limiter": {"enabled": True},
        "ext-auth-service": {"enabled": True},
    }


@pytest.fixture(scope="module")
def dev() -> Simulation:
    return sim("dev")


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_release_on_every_workload_cluster(dev: Simulation, cluster: str) -> None:
    release = dev.one("Release", cluster=cluster, name="gloo-mesh-agent-addons")
    assert release.inputs["chart"] == "gloo-mesh-agent"
    assert release.inputs["version"] == "2.2.6"
    assert release.inputs["repositoryOpts"] == {"repo": AGENT_REPO}
    assert release.inputs["namespace"] == "gloo-mesh-addons"
    assert release.inputs["values"] == addons_values(cluster, openshift=True)
    assert release.inputs["values"]["cluster"] == cluster
    assert release.inputs["timeout"] == 900


def test_no_addons_on_the_management_cluster(dev: Simulation) -> None:
    assert dev.select("Release", cluster="mgmt", name="gloo-mesh-agent-addons") == []


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_namespace_injected_with_openshift_extras(dev: Simulation, cluster: str) -> None:
    assert dev.one("Namespace", cluster=cluster, name="gloo-mesh-addons").labels == {"istio.io/rev": "1-17"}
    assert dev.one("NetworkAttachmentDefinition", cluster=cluster, namespace="gloo-mesh-addons").k8s_name == "istio-cni"
    dev.one("ClusterRoleBinding", cluster=cluster, name="gloo-mesh-workshop-anyuid-gloo-mesh-addons")


def test_kubernetes_release_and_namespace() -> None:
    kube = sim("kubernetes")
    release = kube.one("Release", cluster="cluster1", name="gloo-mesh-agent-addons")
    assert release.inputs["values"]["glooMeshAgent"] == {"enabled": False}
    assert kube.one("Namespace", cluster="cluster1", name="gloo-mesh-addons").labels == {"istio.io/rev": "1-17"}
    assert kube.select("NetworkAttachmentDefinition", namespace="gloo-mesh-addons") == []
    assert kube.select("ClusterRoleBinding", name="gloo-mesh-workshop-anyuid-gloo-mesh-addons") == []


def test_chart_version_and_repo_follow_the_agent() -> None:
    s = simulate({"licenseKey": "x", "glooMeshVersion": "2.2.7", "glooMeshAgentRepo": "https://charts.example/agent"})
    addons = s.one("Release", cluster="cluster2", name="gloo-mesh-agent-addons")
    agent = agent_release(s, "cluster2")
    assert (addons.inputs["version"], addons.inputs["repositoryOpts"]) == ("2.2.7", {"repo": "https://charts.example/agent"})
    assert (addons.inputs["version"], addons.inputs["repositoryOpts"]) == (
        agent.inputs["version"], agent.inputs["repositoryOpts"])


@pytest.mark.parametrize(("cluster", "other"), [("cluster1", "cluster2"), ("cluster2", "cluster1")])
def test_waits_for_its_clusters_istio_agent_and_namespace(dev: Simulation, cluster: str, other: str) -> None:
    release = dev.one("Release", cluster=cluster, name="gloo-mesh-agent-addons")
    assert dev.depends_on(release, istio_ready(dev, cluster))
    assert dev.depends_on(release, agent_release(dev, cluster))
    assert dev.depends_on(release, dev.one("Namespace", cluster=cluster, name="gloo-mesh-addons"))
    assert dev.depends_on(release, dev.one("NetworkAttachmentDefinition", cluster=cluster, namespace="gloo-mesh-addons"))
    assert not dev.depends_on(release, istio_ready(dev, other))
    assert not dev.depends_on(release, agent_release(dev, other))


def test_third_cluster_gets_addons() -> None:
    three = sim("three")
    release = three.one("Release", cluster="cluster3", name="gloo-mesh-agent-addons")
    assert release.inputs["values"]["cluster"] == "cluster3"
    assert three.depends_on(release, agent_release(three, "cluster3"))
