"""Labs 7 and 8: the gateways and bookinfo workspaces; lab 13's isolation hook on the bookinfo settings."""

from __future__ import annotations

import dataclasses

import pytest

from components.apps.lab07_08_workspaces import (
    bookinfo_workspace,
    bookinfo_workspace_settings,
    gateways_workspace,
    gateways_workspace_settings,
)
from offline.records import Simulation
from tests.support.scenarios import agent_release, settings, sim

# Lab 7, step 1 and 2.
GATEWAYS_WORKSPACE = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "Workspace",
    "metadata": {"name": "gateways", "namespace": "gloo-mesh"},
    "spec": {"workloadClusters": [
        {"name": "cluster1", "namespaces": [{"name": "istio-gateways"}, {"name": "gloo-mesh-addons"}]},
        {"name": "cluster2", "namespaces": [{"name": "istio-gateways"}, {"name": "gloo-mesh-addons"}]},
    ]},
}
GATEWAYS_SETTINGS = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "WorkspaceSettings",
    "metadata": {"name": "gateways", "namespace": "istio-gateways"},
    "spec": {
        "importFrom": [{"workspaces": [{"selector": {"allow_ingress": "true"}}],
                        "resources": [{"kind": "SERVICE"}, {"kind": "ALL", "labels": {"expose": "true"}}]}],
        "exportTo": [{"workspaces": [{"selector": {"allow_ingress": "true"}}], "resources": [{"kind": "SERVICE"}]}],
    },
}
# Lab 8, step 1 and 2.
BOOKINFO_WORKSPACE = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "Workspace",
    "metadata": {"name": "bookinfo", "namespace": "gloo-mesh", "labels": {"allow_ingress": "true"}},
    "spec": {"workloadClusters": [
        {"name": "cluster1", "namespaces": [{"name": "bookinfo-frontends"}, {"name": "bookinfo-backends"}]},
        {"name": "cluster2", "namespaces": [{"name": "bookinfo-frontends"}, {"name": "bookinfo-backends"}]},
    ]},
}
BOOKINFO_SETTINGS = {
    "apiVersion": "admin.gloo.solo.io/v2",
    "kind": "WorkspaceSettings",
    "metadata": {"name": "bookinfo", "namespace": "bookinfo-frontends"},
    "spec": {
        "importFrom": [{"workspaces": [{"name": "gateways"}], "resources": [{"kind": "SERVICE"}]}],
        "exportTo": [{"workspaces": [{"name": "gateways"}], "resources": [
            {"kind": "SERVICE", "labels": {"app": "productpage"}},
            {"kind": "SERVICE", "labels": {"app": "reviews"}},
            {"kind": "ALL", "labels": {"expose": "true"}},
        ]}],
    },
}
# Lab 13, step 1: the same settings with service isolation.
ISOLATION = {"serviceIsolation": {"enabled": True, "trimProxyConfig": True}}


# Pure manifests ---------------------------------------------------------------------------------
def test_gateways_workspace_is_lab_7() -> None:
    assert gateways_workspace(settings()) == GATEWAYS_WORKSPACE
    assert gateways_workspace_settings() == GATEWAYS_SETTINGS


def test_bookinfo_workspace_is_lab_8() -> None:
    assert bookinfo_workspace(settings()) == BOOKINFO_WORKSPACE
    assert bookinfo_workspace_settings(settings()) == BOOKINFO_SETTINGS


def test_zero_trust_adds_service_isolation_to_the_bookinfo_settings() -> None:
    zero_trust = dataclasses.replace(settings(), features=frozenset({"gateway", "zero-trust"}))
    assert bookinfo_workspace_settings(zero_trust) == {
        **BOOKINFO_SETTINGS, "spec": {**BOOKINFO_SETTINGS["spec"], "options": ISOLATION}}


def test_other_features_leave_the_bookinfo_settings_as_lab_8() -> None:
    with_httpbin = settings(features=["httpbin-workspace"])
    assert "options" not in bookinfo_workspace_settings(with_httpbin)["spec"]


def test_workspaces_follow_the_configured_clusters_in_order() -> None:
    s = settings(workloadClusters=["west", "east", "north"])
    assert [c["name"] for c in gateways_workspace(s)["spec"]["workloadClusters"]] == ["west", "east", "north"]
    assert bookinfo_workspace(s)["spec"]["workloadClusters"][2] == {
        "name": "north", "namespaces": [{"name": "bookinfo-frontends"}, {"name": "bookinfo-backends"}]}


# The program ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev() -> Simulation:
    return sim("dev-base")  # labs 7-8 as written, before lab 13 adds isolation


@pytest.mark.parametrize(("name", "workspace", "ws_settings", "settings_ns"), [
    ("gateways", GATEWAYS_WORKSPACE, GATEWAYS_SETTINGS, "istio-gateways"),
    ("bookinfo", BOOKINFO_WORKSPACE, BOOKINFO_SETTINGS, "bookinfo-frontends"),
])
def test_workspace_on_mgmt_settings_on_the_config_cluster(
    dev: Simulation, name: str, workspace: dict, ws_settings: dict, settings_ns: str
) -> None:
    declared = dev.one("Workspace", cluster="mgmt", name=name)
    assert (declared.metadata, declared.spec) == (workspace["metadata"], workspace["spec"])
    assert declared.inputs["apiVersion"] == "admin.gloo.solo.io/v2"
    declared_settings = dev.one("WorkspaceSettings", name=name)
    assert declared_settings.cluster == "cluster1"
    assert declared_settings.namespace == settings_ns
    assert (declared_settings.metadata, declared_settings.spec) == (ws_settings["metadata"], ws_settings["spec"])


@pytest.mark.parametrize(("name", "settings_ns"), [("gateways", "istio-gateways"), ("bookinfo", "bookinfo-frontends")])
def test_edges(dev: Simulation, name: str, settings_ns: str) -> None:
    workspace = dev.one("Workspace", cluster="mgmt", name=name)
    ws_settings = dev.one("WorkspaceSettings", cluster="cluster1", name=name)
    management_release = dev.one("Release", cluster="mgmt", name="gloo-mesh-enterprise")
    assert management_release.urn in workspace.dependencies
    assert workspace.urn in ws_settings.dependencies
    assert dev.depends_on(ws_settings, agent_release(dev, "cluster1"))
    assert dev.depends_on(ws_settings, dev.one("Namespace", cluster="cluster1", name=settings_ns))
    assert not dev.depends_on(ws_settings, agent_release(dev, "cluster2"))


def test_config_cluster_is_configurable() -> None:
    elsewhere = sim("elsewhere")
    for name in ("gateways", "bookinfo"):
        ws_settings = elsewhere.one("WorkspaceSettings", name=name)
        assert ws_settings.cluster == "cluster2"
        assert elsewhere.depends_on(ws_settings, agent_release(elsewhere, "cluster2"))
        assert not elsewhere.depends_on(ws_settings, agent_release(elsewhere, "cluster1"))


def test_a_third_cluster_joins_every_workspace() -> None:
    three = sim("three")
    for name, namespaces in (("gateways", ["istio-gateways", "gloo-mesh-addons"]),
                             ("bookinfo", ["bookinfo-frontends", "bookinfo-backends"])):
        clusters = three.one("Workspace", name=name).spec["workloadClusters"]
        assert [c["name"] for c in clusters] == ["cluster1", "cluster2", "cluster3"]
        assert clusters[2]["namespaces"] == [{"name": n} for n in namespaces]
