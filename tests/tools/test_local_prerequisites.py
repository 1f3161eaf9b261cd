"""tools.local's prerequisites as a pure function of the facts (the messages themselves are checked through
the command in test_local_cli.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tools.local.prerequisites import (
    Facts,
    engine_for,
    load_balancer_needs_root,
    parse_meminfo,
    problems,
    warnings,
)
from tools.local.steps import State
from tools.local.topology import GIB, SINGLE, THREE, Topology

GOOD = Facts(engine="docker", engine_error=None, engine_memory=32 * GIB, missing=frozenset(),
             kind_version="v0.23.0", existing=frozenset(), kind_error=None, memory_available=16 * GIB,
             inotify={"max_user_watches": 524288, "max_user_instances": 512}, load_balancer_running=False,
             load_balancer_needs_root=False)


def whats(facts: Facts, state: State | None = None, topology: Topology = THREE) -> list[str]:
    return [p.what for p in problems(facts, topology, state or State())]


def test_a_ready_machine_has_no_problem_and_no_warning() -> None:
    assert problems(GOOD, THREE, State()) == [] and warnings(GOOD) == []


@pytest.mark.parametrize("environ,on_path,expected", [
    ({}, {"docker": True, "podman": True}, "docker"),
    ({}, {"docker": False, "podman": True}, "podman"),
    ({"KIND_EXPERIMENTAL_PROVIDER": "podman"}, {"docker": True, "podman": True}, "podman"),
    ({"KIND_EXPERIMENTAL_PROVIDER": "nerdctl"}, {"docker": True}, "docker"),
    ({}, {}, None),
])
def test_the_engine_is_the_one_kind_picks(environ: dict[str, str], on_path: dict[str, bool],
                                          expected: str | None) -> None:
    assert engine_for(environ, on_path) == expected


def test_cloud_provider_kind_needs_root_on_macos_and_wsl2_only() -> None:
    assert load_balancer_needs_root("darwin", "23.4.0")
    assert load_balancer_needs_root("linux", "5.15.153.1-microsoft-standard-WSL2")
    assert not load_balancer_needs_root("linux", "6.8.0-45-generic")


def test_meminfo() -> None:
    assert parse_meminfo("MemTotal:  32 kB\nMemAvailable:    2048 kB\n") == 2048 * 1024
    assert parse_meminfo("MemTotal:  32 kB\n") is None


def test_memory_counts_only_the_clusters_still_to_create() -> None:
    tight = replace(GOOD, memory_available=3 * GIB)
    assert whats(replace(tight, existing=frozenset(THREE.names))) == []
    assert whats(replace(tight, existing=frozenset({"mgmt", "cluster1"}))) == []
    assert whats(replace(GOOD, memory_available=2 * GIB, existing=frozenset({"mgmt", "cluster1"}))) == [
        "not enough free memory: 2.0 GiB available, the three topology expects about 2.5 GiB for cluster2"]


def test_without_meminfo_the_engines_memory_is_checked_against_the_whole_topology() -> None:
    mac = replace(GOOD, memory_available=None, engine_memory=4 * GIB, inotify=None)
    found = problems(mac, THREE, State())
    assert [(p.what, p.fix) for p in found] == [(
        "not enough memory for docker: it has 4.0 GiB, the three topology expects about 7.5 GiB",
        "give its VM more memory (Docker Desktop: Settings → Resources), or use `--topology single` (about 4.5 GiB)")]
    assert problems(replace(mac, engine_memory=6 * GIB), SINGLE, State()) == []


def test_no_inotify_files_no_inotify_problem() -> None:
    assert whats(replace(GOOD, inotify=None)) == []


def test_a_running_cloud_provider_kind_makes_its_binary_and_root_unnecessary() -> None:
    facts = replace(GOOD, missing=frozenset({"cloud-provider-kind"}), load_balancer_needs_root=True)
    assert whats(facts) == ["cloud-provider-kind is not on PATH",
                            "cloud-provider-kind must run as root here (macOS, WSL2), so `up` cannot start it"]
    assert whats(replace(facts, load_balancer_running=True)) == []


def test_kind_that_cannot_list_clusters() -> None:
    assert whats(replace(GOOD, existing=None, kind_error="ERROR: failed to list nodes: permission denied")) == [
        "kind cannot list its clusters: `kind get clusters` failed: ERROR: failed to list nodes: permission denied"]


def test_one_topology_at_a_time() -> None:
    assert whats(GOOD, State("single", ["cluster1"]), THREE) == [
        "`up` created the single topology here (cluster1); the three topology does not go beside it"]
    assert whats(GOOD, State("three", ["mgmt"]), THREE) == []


def test_kind_releases_other_than_the_images_are_a_warning() -> None:
    assert warnings(replace(GOOD, kind_version="v0.23.1")) == []
    assert len(warnings(replace(GOOD, kind_version="v0.24.0"))) == 1
    assert warnings(replace(GOOD, kind_version=None)) == []


def test_the_pulumi_cli_it_asks_for_is_the_one_the_program_needs() -> None:
    # tools.local imports only the standard library, so it states the version the rotation helper requires.
    from components.core.rotation import MIN_CLI_FOR_TRIGGER
    from tools.local.prerequisites import MIN_PULUMI_CLI

    assert MIN_PULUMI_CLI == MIN_CLI_FOR_TRIGGER
