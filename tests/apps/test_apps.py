"""Labs 4-8 and 14 together: nothing declared twice, every namespace declared, clusters independent."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from offline.records import Record, Simulation
from tests.support.scenarios import CONFIGS, sim

APP_NAMESPACES = ("bookinfo-frontends", "bookinfo-backends", "httpbin", "gloo-mesh-addons")
PREEXISTING = ("default", "kube-system", "kube-public")


def identity(r: Record) -> tuple:
    return (r.cluster, r.inputs.get("apiVersion") or r.type, r.kind, r.namespace, r.k8s_name)


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_no_object_is_declared_twice(config: str) -> None:
    s = sim(config)
    counts = Counter(identity(r) for r in s.select() if r.type.startswith("kubernetes:"))
    assert [key for key, n in counts.items() if n > 1] == []


def test_mgmt_as_workload_runs_both_roles_on_one_cluster() -> None:
    s = sim("mgmt-is-workload")
    assert {r.cluster for r in s.select()} == {"cluster1", "cluster2"}
    # Workspaces (management side) and their settings (workload side) land on the same cluster.
    assert s.one("Workspace", name="bookinfo").cluster == "cluster1"
    assert s.one("WorkspaceSettings", name="bookinfo").cluster == "cluster1"
    assert len(s.select("Namespace", cluster="cluster1", name="gloo-mesh")) == 1
    for namespace in APP_NAMESPACES:
        assert len(s.select("Namespace", cluster="cluster1", name=namespace)) == 1
    assert {r.k8s_name for r in s.select("Release", cluster="cluster1")} == {
        "gloo-mesh-enterprise", "gloo-mesh-agent", "gloo-mesh-agent-addons"}


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_every_namespaced_object_has_its_namespace_declared(config: str) -> None:
    s = sim(config)
    declared = {(r.cluster, r.k8s_name) for r in s.select("Namespace")}
    missing = {(r.cluster, r.namespace, r.kind, r.k8s_name) for r in s.select()
               if r.kind != "Release" and r.namespace and r.namespace not in PREEXISTING
               and (r.cluster, r.namespace) not in declared}
    assert missing == set()


def test_app_namespaces_on_every_workload_cluster_but_httpbin_once() -> None:
    three = sim("three")
    for cluster in ("cluster1", "cluster2", "cluster3"):
        names = {r.k8s_name for r in three.select("Namespace", cluster=cluster)}
        assert {"bookinfo-frontends", "bookinfo-backends", "gloo-mesh-addons"} <= names
    assert [r.cluster for r in three.select("Namespace", name="httpbin")] == ["cluster1"]
    assert three.select("Namespace", cluster="mgmt", name="bookinfo-frontends") == []


@pytest.fixture(scope="module")
def dev() -> Simulation:
    return sim("dev")


def test_nothing_on_one_workload_cluster_waits_for_another(dev: Simulation) -> None:
    cluster2_roots = dev.select(cluster="cluster2")
    for record in dev.select(cluster="cluster1"):
        if record.namespace in APP_NAMESPACES or record.kind in ("Deployment", "WorkspaceSettings"):
            waits_for = [o.urn for o in cluster2_roots if dev.depends_on(record, o)]
            assert waits_for == [], record.urn


def test_the_program_is_deterministic() -> None:
    from offline.runtime import simulate
    from tests.support import memo

    with memo.disabled():
        first, second = simulate(CONFIGS["dev"]), simulate(CONFIGS["dev"])
    # Registration order may vary with the event loop; what is declared, and its edges, may not.
    assert sorted((r.urn, json.dumps(r.inputs, sort_keys=True, default=repr), r.dependencies) for r in first.records) == sorted(
        (r.urn, json.dumps(r.inputs, sort_keys=True, default=repr), r.dependencies) for r in second.records)
