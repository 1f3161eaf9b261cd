"""Lab 14 (feature `httpbin-workspace`): the httpbin workspace and its settings."""

from __future__ import annotations

import pytest

from components.apps.lab14_httpbin_workspace import httpbin_workspace, httpbin_workspace_settings
from components.core.config import parse_settings
from components.core.features import feature_errors
from offline.records import Simulation
from offline.runtime import simulate
from tests.support.scenarios import agent_release, settings, sim

# Lab 14, steps 1 and 2.
WORKSPACE = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "Workspace",
    "metadata": {"name": "httpbin", "namespace": "gloo-mesh", "labels": {"allow_ingress": "true"}},
    "spec": {"workloadClusters": [{"name": "cluster1", "namespaces": [{"name": "httpbin"}]}]},
}
SETTINGS = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "WorkspaceSettings",
    "metadata": {"name": "httpbin", "namespace": "httpbin"},
    "spec": {
        "importFrom": [{"workspaces": [{"name": "gateways"}], "resources": [{"kind": "SERVICE"}]}],
        "exportTo": [{"workspaces": [{"name": "gateways"}], "resources": [
            {"kind": "SERVICE", "labels": {"app": "in-mesh"}},
            {"kind": "ALL", "labels": {"expose": "true"}},
        ]}],
    },
}


def test_manifests_are_lab_14() -> None:
    assert httpbin_workspace(settings(features=["httpbin-workspace"])) == WORKSPACE
    assert httpbin_workspace_settings() == SETTINGS


def test_workspace_lists_only_the_httpbin_clusters_namespace() -> None:
    s = settings(workloadClusters=["cluster1", "cluster2", "cluster3"], httpbinCluster="cluster3")
    assert httpbin_workspace(s)["spec"]["workloadClusters"] == [{"name": "cluster3", "namespaces": [{"name": "httpbin"}]}]


def test_feature_is_available() -> None:
    assert feature_errors(["httpbin-workspace"], "features") == []
    assert parse_settings({"licenseKey": "x", "features": ["httpbin-workspace"]}).has("httpbin-workspace")


def test_off_by_default() -> None:
    dev = sim("dev-base")
    assert dev.select("Workspace", name="httpbin") == []
    assert dev.select("WorkspaceSettings", name="httpbin") == []


@pytest.fixture(scope="module")
def on() -> Simulation:
    return sim("dev-httpbin-workspace")


def test_declared_on_mgmt_and_the_httpbin_cluster(on: Simulation) -> None:
    workspace = on.one("Workspace", cluster="mgmt", name="httpbin")
    assert (workspace.metadata, workspace.spec) == (WORKSPACE["metadata"], WORKSPACE["spec"])
    ws_settings = on.one("WorkspaceSettings", cluster="cluster1", name="httpbin")
    assert (ws_settings.metadata, ws_settings.spec) == (SETTINGS["metadata"], SETTINGS["spec"])


def test_edges(on: Simulation) -> None:
    workspace = on.one("Workspace", cluster="mgmt", name="httpbin")
    ws_settings = on.one("WorkspaceSettings", cluster="cluster1", name="httpbin")
    assert on.one("Release", cluster="mgmt", name="gloo-mesh-enterprise").urn in workspace.dependencies
    assert workspace.urn in ws_settings.dependencies
    assert on.depends_on(ws_settings, agent_release(on, "cluster1"))
    assert on.depends_on(ws_settings, on.one("Namespace", cluster="cluster1", name="httpbin"))
    assert not on.depends_on(ws_settings, agent_release(on, "cluster2"))


def test_follows_the_httpbin_cluster() -> None:
    elsewhere = sim("elsewhere")
    workspace = elsewhere.one("Workspace", name="httpbin")
    assert workspace.spec["workloadClusters"] == [{"name": "cluster2", "namespaces": [{"name": "httpbin"}]}]
    ws_settings = elsewhere.one("WorkspaceSettings", name="httpbin")
    assert ws_settings.cluster == "cluster2"
    assert elsewhere.depends_on(ws_settings, elsewhere.one("Namespace", cluster="cluster2", name="httpbin"))


def test_settings_go_where_the_namespace_is_even_when_config_cluster_differs() -> None:
    s = simulate({"licenseKey": "x", "httpbinCluster": "cluster2", "features": ["httpbin-workspace"]})
    assert s.one("WorkspaceSettings", name="httpbin").cluster == "cluster2"
    assert s.one("WorkspaceSettings", name="bookinfo").cluster == "cluster1"
