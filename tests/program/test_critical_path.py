"""Deploy order: the critical path of awaited resources, and clusters that never wait for each other.

The graph algorithm on small hand-built graphs first, then the program: the dev stack, and the
whole workshop (every available feature) on 2 and on 20 workload clusters.
"""

from __future__ import annotations

import pytest

from benchmarks.configs import managed_dev_config, workshop_config
from offline.graph import Graph, Node, is_awaited
from offline.records import Record, Simulation
from offline.runtime import simulate
from tests.support.simulation import cached_simulation, dev_config

MAX_AWAITED_STAGES = 6


def awaited(urn: str, *deps: str, parent: str | None = None, cluster: str | None = None) -> Node:
    return Node(urn, dependencies=deps, awaited=True, parent=parent, cluster=cluster)


def quick(urn: str, *deps: str, parent: str | None = None, cluster: str | None = None) -> Node:
    return Node(urn, dependencies=deps, parent=parent, cluster=cluster)


def component(urn: str, *deps: str, parent: str | None = None) -> Node:
    return Node(urn, custom=False, dependencies=deps, parent=parent)


# The algorithm -----------------------------------------------------------------------------------
def test_chain_counts_only_awaited_resources() -> None:
    path = Graph.of([awaited("a"), quick("b", "a"), awaited("c", "b"), awaited("d", "c")]).critical_path()
    assert path.length == 3
    assert path.chain == ("a", "b", "c", "d")
    assert path.awaited == ("a", "c", "d")


def test_diamond_takes_the_branch_with_more_waits() -> None:
    graph = Graph.of([
        awaited("top"),
        quick("left", "top"),
        awaited("right1", "top"), awaited("right2", "right1"),
        awaited("bottom", "left", "right2"),
    ])
    path = graph.critical_path()
    assert path.length == 4
    assert path.chain == ("top", "right1", "right2", "bottom")


def test_independent_chains_are_parallel() -> None:
    graph = Graph.of([awaited(f"{c}-{i}", *([f"{c}-{i - 1}"] if i else [])) for c in "xyz" for i in range(3)])
    assert graph.critical_path().length == 3


def test_depending_on_a_component_waits_for_everything_under_it() -> None:
    graph = Graph.of([
        component("comp"),
        component("inner", parent="comp"),
        awaited("release", parent="inner"),
        awaited("after", "release"),
        awaited("user", "comp"),
    ])
    assert graph.dependencies("user") == {"comp", "inner", "release"}
    path = graph.critical_path()
    assert path.length == 2
    assert path.awaited in (("release", "after"), ("release", "user"))


def test_a_child_waits_for_its_parents_dependencies() -> None:
    # A component depending on an awaited resource holds back its children: that is a stage too.
    graph = Graph.of([awaited("crds"), component("comp", "crds"), awaited("child", parent="comp")])
    assert "comp" in graph.waits_for("child")
    path = graph.critical_path()
    assert (path.length, path.chain) == (2, ("crds", "comp", "child"))


def test_a_child_of_a_custom_resource_waits_for_it() -> None:
    path = Graph.of([awaited("release"), awaited("child", parent="release")]).critical_path()
    assert path.awaited == ("release", "child")


def test_a_cycle_is_an_error() -> None:
    with pytest.raises(ValueError, match="cycle"):
        Graph.of([quick("a", "b"), quick("b", "a")]).critical_path()


def test_cross_cluster_waits_are_found_through_components_but_not_through_the_management_cluster() -> None:
    graph = Graph.of([
        quick("c1-ns", cluster="c1"),
        component("shared", "c1-ns"),
        quick("c2-secret", "shared", cluster="c2"),          # c2 → component → c1: found
        quick("mgmt-cr", "c1-ns", cluster="mgmt"),
        quick("c3-secret", "mgmt-cr", cluster="c3"),         # c3 → mgmt → c1: ignored
    ])
    assert graph.cross_cluster_waits(["c1", "c2", "c3"], ignore=["mgmt"]) == [("c2-secret", "c1-ns")]
    assert graph.cross_cluster_waits(["c1", "c2", "c3"]) == [("c2-secret", "c1-ns"), ("c3-secret", "c1-ns")]


def record(typ: str, inputs: dict, *, read: bool = False) -> Record:
    return Record(urn=f"urn:{typ}", type=typ, name="x", custom=True, read=read, id="ns/x", inputs=inputs,
                  provider=None, parent=None, dependencies=[], property_dependencies={}, protect=False,
                  retain_on_delete=False)


@pytest.mark.parametrize(("typ", "inputs", "read", "expected"), [
    ("kubernetes:helm.sh/v3:Release", {"chart": "c"}, False, True),
    ("kubernetes:helm.sh/v3:Release", {"chart": "c", "skipAwait": True}, False, False),
    ("kubernetes:apps/v1:Deployment", {"metadata": {"name": "keycloak"}}, False, True),
    ("kubernetes:apps/v1:Deployment", {"metadata": {"annotations": {"pulumi.com/skipAwait": "true"}}}, False, False),
    ("kubernetes:core/v1:Service", {"spec": {"type": "LoadBalancer"}}, False, True),
    ("kubernetes:core/v1:Service", {"spec": {"type": "ClusterIP"}}, False, False),
    ("kubernetes:core/v1:Service", {}, True, False),
    ("kubernetes:admin.gloo.solo.io/v2:IstioLifecycleManager",
     {"metadata": {"annotations": {"pulumi.com/waitFor": "jsonpath={.status.state}=HEALTHY"}}}, False, True),
    ("kubernetes:admin.gloo.solo.io/v2:KubernetesCluster", {"metadata": {"name": "c1"}}, False, False),
    ("kubernetes:core/v1:Namespace", {"metadata": {"name": "n"}}, False, False),
    ("random:index/randomPassword:RandomPassword", {"length": 16}, False, False),
])
def test_awaited_resources(typ: str, inputs: dict, read: bool, expected: bool) -> None:
    assert is_awaited(record(typ, inputs, read=read)) is expected


# The program -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_clusters() -> Simulation:
    return simulate(workshop_config(2))


@pytest.fixture(scope="module")
def twenty_clusters() -> Simulation:
    return simulate(workshop_config(20))


def test_dev_stack_deploys_in_at_most_six_awaited_stages(dev_sim: Simulation) -> None:
    path = Graph.from_records(dev_sim.records).critical_path()
    assert 0 < path.length <= MAX_AWAITED_STAGES, path.awaited
    # The first stage is the management plane: everything Gloo needs its CRDs.
    first = dev_sim.by_urn(path.awaited[0])
    assert (first.cluster, first.inputs.get("chart")) == ("mgmt", "gloo-mesh-enterprise")


def test_more_workload_clusters_add_no_stage(two_clusters: Simulation, twenty_clusters: Simulation) -> None:
    two = Graph.from_records(two_clusters.records).critical_path()
    twenty = Graph.from_records(twenty_clusters.records).critical_path()
    assert len(twenty_clusters.records) > 5 * len(two_clusters.records)
    assert two.length == twenty.length <= MAX_AWAITED_STAGES


@pytest.mark.parametrize("config", ["dev", "twenty"])
def test_no_workload_cluster_waits_for_another(config: str, dev_sim: Simulation,
                                               twenty_clusters: Simulation) -> None:
    sim = dev_sim if config == "dev" else twenty_clusters
    workloads = {r.cluster for r in sim.records if r.cluster not in (None, "mgmt")}
    assert len(workloads) == (2 if config == "dev" else 20)
    crossings = Graph.from_records(sim.records).cross_cluster_waits(workloads, ignore=["mgmt"])
    # The one deliberate crossing: the VirtualGateway (a config object on the config cluster, not an
    # app) terminates TLS with tls-secret on every cluster whose gateway it selects, so it waits for
    # those secrets. Apps, addons and the platform never wait for another workload cluster.
    by_urn = {r.urn: r for r in sim.records}
    assert {(by_urn[a].cluster, by_urn[a].kind, by_urn[a].k8s_name) for a, _ in crossings} == {
        ("cluster1", "VirtualGateway", "north-south-gw")}
    assert len(crossings) == len(workloads) - 1  # one per other cluster it selects


def test_dev_config_is_the_benchmarks_dev_config() -> None:
    # The benchmark and the tests evaluate the same dev stack.
    from benchmarks.configs import dev_config as benchmark_dev_config

    assert benchmark_dev_config() == dev_config()


# Relay trust modes ---------------------------------------------------------------------------------
def _prerequisites_waiting_for_the_management_release(sim: Simulation, cluster: str) -> set[tuple[str, str, str]]:
    graph = Graph.from_records(sim.records)
    agent = sim.one("kubernetes:helm.sh/v3:Release", cluster=cluster, name="gloo-mesh-agent")
    release = sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt", name="gloo-mesh-enterprise")
    found = set()
    for urn in graph.dependencies(agent.urn):
        record = sim.by_urn(urn)
        if record.custom and graph.reaches(urn, release.urn):
            found.add((record.cluster, record.kind, record.k8s_name))
    return found


@pytest.mark.parametrize("cluster", ["cluster1", "cluster2"])
def test_managed_relay_trust_agents_wait_only_for_what_they_still_need(cluster: str, dev_sim: Simulation) -> None:
    managed = cached_simulation(managed_dev_config())
    # The workshop's way: the relay Secret copies come from the management release too.
    assert _prerequisites_waiting_for_the_management_release(dev_sim, cluster) == {
        (cluster, "Secret", "relay-root-tls-secret"), (cluster, "Secret", "relay-identity-token-secret"),
        ("mgmt", "KubernetesCluster", cluster), ("mgmt", "Service", "gloo-mesh-mgmt-server"),
        ("mgmt", "Service", "gloo-metrics-gateway")}
    # Managed: only the registration (a Gloo CR, whose CRD the release installs) and the relay server's
    # and metrics gateway's LoadBalancer addresses (Services the chart creates).
    assert _prerequisites_waiting_for_the_management_release(managed, cluster) == {
        ("mgmt", "KubernetesCluster", cluster), ("mgmt", "Service", "gloo-mesh-mgmt-server"),
        ("mgmt", "Service", "gloo-metrics-gateway")}


def test_managed_relay_trust_keeps_the_stages_and_the_parallel_clusters(dev_sim: Simulation) -> None:
    managed = cached_simulation(managed_dev_config())
    generated_path = Graph.from_records(dev_sim.records).critical_path()
    managed_path = Graph.from_records(managed.records).critical_path()
    assert managed_path.length == generated_path.length <= MAX_AWAITED_STAGES
    assert [managed.by_urn(u).k8s_name for u in managed_path.awaited] == [
        dev_sim.by_urn(u).k8s_name for u in generated_path.awaited]
    workloads = {"cluster1", "cluster2"}
    crossings = Graph.from_records(managed.records).cross_cluster_waits(workloads, ignore=["mgmt"])
    by_urn = {r.urn: r for r in managed.records}
    assert {(by_urn[a].cluster, by_urn[a].kind) for a, _ in crossings} == {("cluster1", "VirtualGateway")}


def test_the_benchmarks_relay_trust_table_is_what_the_graph_says() -> None:
    from benchmarks.run import path_table, relay_trust_paths

    rows = relay_trust_paths([])
    assert [(r.relay_trust, r.label, r.clusters, r.stages) for r in rows] == [
        ("generated", "dev", 2, 4), ("managed", "dev", 2, 4)]
    generated, managed = rows
    assert [w for w in generated.agent_waits if "Secret" in w] == [
        "cluster1: Secret gloo-mesh/relay-identity-token-secret", "cluster1: Secret gloo-mesh/relay-root-tls-secret"]
    assert managed.agent_waits == ["mgmt: KubernetesCluster gloo-mesh/cluster1",
                                   "mgmt: Service gloo-mesh/gloo-mesh-mgmt-server",
                                   "mgmt: Service gloo-mesh/gloo-metrics-gateway"]
    assert managed.resources == generated.resources + 18  # the metrics gateway's key, CSR, cert and Secret among them
    assert path_table(rows)[2].startswith(f"| `generated` | dev | 2 | {generated.resources} | 4 |")
