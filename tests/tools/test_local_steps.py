"""tools.local's pure parts: the topologies and their stack files, the state, the parsing of kind and ps, and
what `up` and `down` plan to do (no subprocess)."""

from __future__ import annotations

import pytest

from components.core.config import parse_settings
from components.core.features import FEATURES
from offline import ROOT
from offline.stack_files import stack_config
from tools.local.steps import (
    LoadBalancerProcess,
    State,
    cloud_provider_kind_command,
    is_cloud_provider_kind,
    parse_kind_clusters,
    parse_kind_version,
    parse_ps,
    stack_file_note,
    steps_down,
    steps_up,
)
from tools.local.topology import ALL_FEATURES, NODE_IMAGE, SINGLE, THREE, TOPOLOGIES, Topology

NONE: frozenset[str] = frozenset()
LB = ("cloud-provider-kind",)


def test_the_node_image_is_kubernetes_1_26_pinned_by_digest() -> None:
    assert NODE_IMAGE == ("kindest/node:v1.26.15@sha256:"
                          "84333e26cae1d70361bb7339efb568df1871419f2019c80f9a12b7e2d485fe19")


@pytest.mark.parametrize("topology", TOPOLOGIES.values(), ids=lambda t: t.name)
def test_the_committed_stack_file_is_what_up_writes(topology: Topology) -> None:
    assert (ROOT / topology.stack_file).read_text() == topology.stack_file_text()


def test_every_feature_of_the_workshop_is_in_the_local_stacks() -> None:
    assert list(ALL_FEATURES) == [f.name for f in FEATURES]


def test_three_is_the_workshops_shape_on_kind_contexts() -> None:
    settings = parse_settings({**stack_config(ROOT / THREE.stack_file), "licenseKey": "x"})
    assert (settings.mgmt.name, settings.mgmt.context) == ("mgmt", "kind-mgmt")
    assert [(c.name, c.context) for c in settings.workload_clusters] == [("cluster1", "kind-cluster1"),
                                                                 ("cluster2", "kind-cluster2")]
    assert THREE.names == ("mgmt", "cluster1", "cluster2")


def test_single_is_one_cluster_that_is_management_and_workload_cluster() -> None:
    settings = parse_settings({**stack_config(ROOT / SINGLE.stack_file), "licenseKey": "x"})
    assert (settings.mgmt.name, settings.mgmt.context) == ("cluster1", "kind-cluster1")
    assert [(c.name, c.context) for c in settings.workload_clusters] == [("cluster1", "kind-cluster1")]
    assert SINGLE.names == ("cluster1",)
    assert SINGLE.memory_bytes < THREE.memory_bytes


def test_state_round_trips_through_json() -> None:
    state = State("three", ["mgmt", "cluster1"], LoadBalancerProcess(42, "Tue Nov 25 21:25:00 2025", "x.log"), True)
    assert State.from_json(state.to_json()) == state
    assert State().empty and not State(clusters=["mgmt"]).empty


def test_parsing_what_kind_prints() -> None:
    assert parse_kind_clusters("mgmt\ncluster1\n\n") == {"mgmt", "cluster1"}
    assert parse_kind_clusters("") == set()
    assert parse_kind_version("kind v0.23.0 go1.21.10 linux/amd64\n") == "v0.23.0"
    assert parse_kind_version("bash: kind: command not found") is None


def test_parsing_ps() -> None:
    out = ("    1 Tue Nov 25 21:00:00 2025 /sbin/init splash\n"
           " 4242 Tue Nov 25 21:25:03 2025 cloud-provider-kind --gateway-channel disabled\n"
           "  77 Tue Nov 25 21:25:04 2025 [kworker/0:1]\nnot a process line\n")
    assert [(p.pid, p.started, p.args) for p in parse_ps(out)] == [
        (1, "Tue Nov 25 21:00:00 2025", "/sbin/init splash"),
        (4242, "Tue Nov 25 21:25:03 2025", "cloud-provider-kind --gateway-channel disabled"),
        (77, "Tue Nov 25 21:25:04 2025", "[kworker/0:1]")]


@pytest.mark.parametrize("args,expected", [
    ("cloud-provider-kind", True),
    ("/usr/local/bin/cloud-provider-kind -v 2 --enable-log-dumping", True),
    ("sudo cloud-provider-kind", True),
    ("sudo -E /home/me/go/bin/cloud-provider-kind", True),
    ("tail -f .local/cloud-provider-kind.log", False),
    ("vim cloud-provider-kind", False),
    ("sudo vim cloud-provider-kind", False),
    ("", False),
])
def test_which_command_lines_are_cloud_provider_kind(args: str, expected: bool) -> None:
    assert is_cloud_provider_kind(args) is expected


def test_cloud_provider_kind_flags_by_release() -> None:
    assert cloud_provider_kind_command(has_version_command=False) == ("cloud-provider-kind",)
    assert cloud_provider_kind_command(has_version_command=True) == (
        "cloud-provider-kind", "--gateway-channel", "disabled", "--enable-default-ingress=false")


def test_up_on_a_fresh_machine_creates_every_cluster_then_the_stack_file_then_load_balancers() -> None:
    plan = steps_up(THREE, NONE, State(), None, LB, None, NODE_IMAGE)
    assert plan.notes == ()
    assert [(a.kind, a.argv) for a in plan.actions] == [
        *[step for name in ("mgmt", "cluster1", "cluster2") for step in (
            ("create", ("kind", "create", "cluster", "--name", name, "--image", NODE_IMAGE, "--wait", "120s")),
            ("label", ("kubectl", "--context", f"kind-{name}", "label", "node", "--all",
                       "node.kubernetes.io/exclude-from-external-load-balancers-")))],
        ("write-stack", ()), ("start-lb", LB)]


def test_up_with_everything_in_place_plans_nothing() -> None:
    state = State("three", ["mgmt", "cluster1", "cluster2"], LoadBalancerProcess(7, "t", "l"))
    plan = steps_up(THREE, frozenset(THREE.names), state, "pid 7, started by `up`", LB,
                   THREE.stack_file_text(), NODE_IMAGE)
    assert plan.actions == ()
    assert plan.notes == ("cluster mgmt: exists (created by `up`)", "cluster cluster1: exists (created by `up`)",
                          "cluster cluster2: exists (created by `up`)", "stacks/local.yaml: as `up` writes it",
                          "LoadBalancer support: cloud-provider-kind runs (pid 7, started by `up`)")


def test_up_carries_on_from_a_partial_run() -> None:
    state = State("three", ["mgmt", "cluster1"], LoadBalancerProcess(7, "t", "l"))
    plan = steps_up(THREE, frozenset({"mgmt"}), state, None, LB, THREE.stack_file_text(), "img")
    assert [(a.kind, a.clusters) for a in plan.actions] == [
        ("create", ("cluster1",)), ("label", ("cluster1",)), ("create", ("cluster2",)), ("label", ("cluster2",)),
        ("start-lb", ())]
    assert plan.notes[-1] == "cloud-provider-kind (pid 7) that `up` started no longer runs"


def test_a_changed_stack_file_is_left_alone_and_said_so() -> None:
    licensed = THREE.stack_file_text() + "  gloo-mesh-workshop:licenseKey:\n    secure: v1:abc\n"
    assert stack_file_note(THREE, licensed) == \
        "stacks/local.yaml: changed (an encrypted license, your edits); left as it is"
    renamed = THREE.stack_file_text().replace("kind-cluster2", "cluster2")
    assert stack_file_note(THREE, renamed) == ("stacks/local.yaml: changed and does not name kind-cluster2; left "
                                               "as it is (`git checkout stacks/local.yaml` restores it)")
    assert stack_file_note(THREE, None) is None
    plan = steps_up(THREE, frozenset(THREE.names), State(), "pid 1", LB, licensed, "img")
    assert plan.actions == ()


def test_down_stops_load_balancers_first_then_deletes_newest_first_and_cleans_up() -> None:
    state = State("three", ["mgmt", "cluster1", "cluster2"], LoadBalancerProcess(7, "t", "l"), True)
    plan = steps_down(THREE, frozenset({"mgmt", "cluster1", "cluster2", "mine"}), state, True, THREE.stack_file_text())
    assert [(a.kind, a.argv, a.clusters) for a in plan.actions] == [
        ("stop-lb", (), ()),
        ("delete", ("kind", "delete", "cluster", "--name", "cluster2"), ("cluster2",)),
        ("delete", ("kind", "delete", "cluster", "--name", "cluster1"), ("cluster1",)),
        ("delete", ("kind", "delete", "cluster", "--name", "mgmt"), ("mgmt",)),
        ("remove-lb-containers", (), ("cluster2", "cluster1", "mgmt")),
        ("remove-stack", (), ())]
    assert plan.notes == ()


def test_down_after_a_partial_up_touches_only_what_up_created() -> None:
    state = State("three", ["mgmt", "cluster1"], LoadBalancerProcess(7, "t", "l"))
    plan = steps_down(THREE, frozenset({"mgmt", "mine"}), state, False, THREE.stack_file_text())
    assert [(a.kind, a.clusters) for a in plan.actions] == [("delete", ("mgmt",)),
                                                            ("remove-lb-containers", ("cluster1", "mgmt"))]
    assert plan.notes == ("cloud-provider-kind (pid 7) that `up` started no longer runs",
                          "cluster cluster1: not there (its creation did not finish, or it was deleted)")


def test_down_keeps_a_stack_file_that_changed_since_up_wrote_it() -> None:
    plan = steps_down(SINGLE, NONE, State("single", stack_file_written=True), False, "edited")
    assert plan.actions == ()
    assert plan.notes == ("stacks/local-single.yaml: `up` wrote it, but it changed since; left as it is",)
