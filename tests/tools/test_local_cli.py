"""`python3 -m tools local` against fake kind, docker, podman, kubectl, cloud-provider-kind, ps and pulumi on PATH
(tests/support/fakes/local_host.py): the commands in order, a second `up` that changes nothing, `down` after a
partial `up`, and the message of each missing prerequisite. No container engine needed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from offline import ROOT
from tests.support.fakes import local_host
from tools.local.cli import main
from tools.local.host import Host
from tools.local.topology import NODE_IMAGE

PS = ["ps", "-A", "-o", "pid=,lstart=,args="]
LB_LABEL = "io.x-k8s.cloud-provider-kind.cluster"
GIB_KB = 1024 * 1024


@dataclass
class Machine:
    host: Host
    world: local_host.World
    lines: list[str] = field(default_factory=list)

    def __call__(self, *argv: str) -> int:
        self.lines.clear()
        return main(list(argv), self.host)

    @property
    def out(self) -> str:
        return "\n".join(self.lines)

    def state(self) -> dict[str, Any] | None:
        path = self.host.state_file
        return json.loads(path.read_text()) if path.exists() else None

    def stack(self, name: str) -> Path:
        return self.host.root / "stacks" / name


def make_machine(tmp_path: Path, world: dict[str, Any] | None = None, tools: tuple[str, ...] = local_host.TOOLS,
                 memory_kb: int = 16 * GIB_KB, watches: int = 524288, instances: int = 512,
                 **host: Any) -> Machine:
    bin_dir = tmp_path / "bin"
    local_host.install(bin_dir, world, tools)
    root = tmp_path / "repo"
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(f"MemTotal:       32000000 kB\nMemFree:        1000000 kB\nMemAvailable:   {memory_kb} kB\n")
    inotify = tmp_path / "inotify"
    inotify.mkdir(exist_ok=True)
    (inotify / "max_user_watches").write_text(f"{watches}\n")
    (inotify / "max_user_instances").write_text(f"{instances}\n")
    environ = {"PATH": str(bin_dir), "HOME": str(tmp_path), **host.pop("env", {})}
    settings = {"platform": "linux", "kernel_release": "6.8.0-45-generic", "settle_seconds": 0.05, "stop_seconds": 5,
                **host}
    machine = Machine(Host(root=root, environ=environ, meminfo=meminfo, inotify=inotify, **settings),
                      local_host.World(bin_dir))
    machine.host.say = machine.lines.append
    return machine


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    m = make_machine(tmp_path)
    yield m
    m.world.kill_background()


def without_ps(calls: list[list[str]]) -> list[list[str]]:
    """`up` polls `ps` while cloud-provider-kind settles; how often depends on timing."""
    return [c for c in calls if c != PS]


def create(name: str) -> list[list[str]]:
    return [["kind", "create", "cluster", "--name", name, "--image", NODE_IMAGE, "--wait", "120s"],
            ["kubectl", "--context", f"kind-{name}", "label", "node", "--all",
             "node.kubernetes.io/exclude-from-external-load-balancers-"]]


PROBES = [["docker", "info", "--format", "{{.MemTotal}}"], ["kind", "version"], ["kind", "get", "clusters"]]


def test_up_runs_the_commands_in_order_and_writes_the_committed_stack_file(machine: Machine) -> None:
    assert machine("up") == 0, machine.out
    calls = machine.world.calls()
    assert calls[:4] == [*PROBES, PS]
    assert without_ps(calls) == [*PROBES, ["cloud-provider-kind", "version"], *create("mgmt"), *create("cluster1"),
                                 *create("cluster2"), ["cloud-provider-kind"]]
    assert machine.world.read()["clusters"] == ["mgmt", "cluster1", "cluster2"]
    assert machine.stack("local.yaml").read_text() == (ROOT / "stacks" / "local.yaml").read_text()
    lb = next(p for p in machine.world.read()["processes"] if p["args"] == "cloud-provider-kind")
    assert machine.state() == {
        "topology": "three", "clusters": ["mgmt", "cluster1", "cluster2"], "stack_file_written": True,
        "load_balancer": {"pid": lb["pid"], "started": local_host.STARTED, "log": ".local/cloud-provider-kind.log"}}
    assert os.path.exists(f"/proc/{lb['pid']}"), "cloud-provider-kind is left running"
    assert "FLAG: --gateway-channel" in (machine.host.root / ".local" / "cloud-provider-kind.log").read_text()


def test_up_shows_each_step_with_its_elapsed_time(machine: Machine) -> None:
    assert machine("up") == 0
    steps = [line for line in machine.lines if re.match(r"\[\d/\d\] ", line)]
    assert steps == ["[1/8] create kind cluster mgmt (context kind-mgmt)",
                     "[2/8] let mgmt's node back LoadBalancer Services",
                     "[3/8] create kind cluster cluster1 (context kind-cluster1)",
                     "[4/8] let cluster1's node back LoadBalancer Services",
                     "[5/8] create kind cluster cluster2 (context kind-cluster2)",
                     "[6/8] let cluster2's node back LoadBalancer Services",
                     "[7/8] write stacks/local.yaml",
                     "[8/8] start cloud-provider-kind in the background (LoadBalancer Services)"]
    pid = machine.state()["load_balancer"]["pid"]  # type: ignore[index]
    ends = [line for line in machine.lines if re.fullmatch(r"      \w.* in \d+\.\d s \(\d+\.\d s in all\)", line)]
    assert [end.split(" in ")[0].strip() for end in ends] == ["created", "done"] * 3 + ["written",
                                                                                        f"running as pid {pid}"]
    assert '      Set kubectl context to "kind-mgmt"' in machine.lines, "kind's own output is shown"
    assert re.search(r"^up: done in \d+\.\d s$", machine.out, re.MULTILINE)
    assert "pulumi up --config-file stacks/local.yaml" in machine.out
    assert f"`python3 -m tools local down` stops it with the clusters (or `kill {pid}`)" in machine.out


def test_a_second_up_changes_nothing_and_says_so(machine: Machine) -> None:
    assert machine("up") == 0
    state, stack = machine.state(), machine.stack("local.yaml").read_text()
    machine.world.clear_calls()
    assert machine("up") == 0, machine.out
    assert machine.world.commands() == []
    assert without_ps(machine.world.calls()) == PROBES  # cloud-provider-kind runs: not even asked its version
    assert machine.state() == state and machine.stack("local.yaml").read_text() == stack
    pid = state["load_balancer"]["pid"]  # type: ignore[index]
    for line in ("cluster mgmt: exists (created by `up`)", "cluster cluster2: exists (created by `up`)",
                 "stacks/local.yaml: as `up` writes it",
                 f"LoadBalancer support: cloud-provider-kind runs (pid {pid}, started by `up`, log "
                 ".local/cloud-provider-kind.log)",
                 "nothing to do: the three topology is up, nothing was changed"):
        assert line in machine.lines, line


def test_down_deletes_what_up_created_and_stops_cloud_provider_kind(machine: Machine) -> None:
    assert machine("up") == 0
    pid = machine.state()["load_balancer"]["pid"]  # type: ignore[index]
    machine.world.clear_calls()
    assert machine("down") == 0, machine.out
    assert without_ps(machine.world.calls()) == [
        *PROBES,
        ["kind", "delete", "cluster", "--name", "cluster2"], ["kind", "delete", "cluster", "--name", "cluster1"],
        ["kind", "delete", "cluster", "--name", "mgmt"],
        *[["docker", "ps", "-a", "-q", "--filter", f"label={LB_LABEL}={c}"] for c in ("cluster2", "cluster1", "mgmt")],
    ]
    assert f"[1/6] stop cloud-provider-kind (pid {pid})" in machine.lines
    assert machine.world.read()["clusters"] == [] and machine.world.read()["processes"] == []
    assert not (machine.host.root / ".local").exists()
    assert not machine.stack("local.yaml").exists(), "up wrote it (it was missing), so down removes it"


def test_down_after_a_partial_up_deletes_only_what_up_created(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"clusters": ["mine"], "fail": {
        "kind create cluster --name cluster1": "ERROR: failed to create cluster: failed to pull image"}})
    (m.host.root / "stacks" / "local.yaml").write_text((ROOT / "stacks" / "local.yaml").read_text())
    try:
        assert m("up") == 1
        assert "      FAILED after" in m.out and "`kind create cluster --name …` exited with status 1" in m.out
        assert "`python3 -m tools local up` again carries on from here; `python3 -m tools local down` removes what " \
               "was created." in m.lines
        assert without_ps(m.world.calls())[-2:] == [create("mgmt")[1], create("cluster1")[0]]
        assert m.state() == {"topology": "three", "clusters": ["mgmt", "cluster1"], "load_balancer": None,
                             "stack_file_written": False}
        m.world.clear_calls()
        assert m("down") == 0, m.out
        assert m.world.commands() == ["kind delete cluster --name mgmt"]
        assert "cluster cluster1: not there (its creation did not finish, or it was deleted)" in m.lines
        assert m.world.read()["clusters"] == ["mine"]
        assert m.stack("local.yaml").exists(), "it was there before up"
        assert m.state() is None
    finally:
        m.world.kill_background()


def test_clusters_up_did_not_create_are_used_and_left_alone(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"clusters": ["mgmt"], "lb_containers": [
        {"id": "c0ffee", "cluster": "cluster1"}, {"id": "d00d", "cluster": "mgmt"}]})
    try:
        assert m("up") == 0, m.out
        assert "cluster mgmt: exists (not created by this command: used as it is, and `down` leaves it)" in m.lines
        assert [c for c in m.world.calls() if c[:2] == ["kind", "create"]] == [create("cluster1")[0],
                                                                               create("cluster2")[0]]
        pid = m.state()["load_balancer"]["pid"]  # type: ignore[index]
        m.world.kill_background()  # cloud-provider-kind crashed: its load balancers stay behind
        m.world.update(processes=[])
        m.world.clear_calls()
        assert m("down") == 0, m.out
        assert f"cloud-provider-kind (pid {pid}) that `up` started no longer runs" in m.lines
        assert m.world.commands() == ["kind delete cluster --name cluster2", "kind delete cluster --name cluster1",
                                      "docker rm -f c0ffee"]
        assert m.world.read()["clusters"] == ["mgmt"]
        assert m.world.read()["lb_containers"] == [{"id": "d00d", "cluster": "mgmt"}]
    finally:
        m.world.kill_background()


def test_a_cloud_provider_kind_already_running_is_used_and_left_running(tmp_path: Path) -> None:
    foreign = {"pid": 4242, "started": "Mon Nov 24 08:00:00 2025", "args": "sudo cloud-provider-kind"}
    tools = tuple(t for t in local_host.TOOLS if t != "cloud-provider-kind")
    m = make_machine(tmp_path, {"processes": [foreign]}, tools=tools)
    assert m("up") == 0, m.out
    assert not [c for c in m.world.calls() if c[0] == "cloud-provider-kind"]
    assert ("LoadBalancer support: cloud-provider-kind runs (pid 4242, not started by this command: used as it is, "
            "and `down` leaves it)") in m.lines
    assert m.state()["load_balancer"] is None  # type: ignore[index]
    assert m("status") == 0
    assert m("down") == 0
    assert m.world.read()["processes"] == [foreign]


def test_newer_cloud_provider_kind_runs_without_gateway_api_and_ingress(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"lb_version_command": True})
    try:
        assert m("up") == 0, m.out
        assert without_ps(m.world.calls())[-1] == ["cloud-provider-kind", "--gateway-channel", "disabled",
                                                   "--enable-default-ingress=false"]
    finally:
        m.world.kill_background()


def test_cloud_provider_kind_that_exits_at_once_fails_the_step(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"fail": {"cloud-provider-kind": "F1125 Please run this again with `sudo`."}})
    assert m("up") == 1
    assert ("      FAILED after" in m.out and "cloud-provider-kind did not start: it exited with status 1: "
            "F1125 Please run this again with `sudo`." in m.out)
    assert m.state()["load_balancer"] is None and m.state()["clusters"] == ["mgmt", "cluster1", "cluster2"]  # type: ignore[index]


def test_single_topology_and_no_second_topology_beside_it(machine: Machine) -> None:
    assert machine("up", "--topology", "single") == 0, machine.out
    assert [c for c in machine.world.calls() if c[:2] == ["kind", "create"]] == [create("cluster1")[0]]
    assert machine.stack("local-single.yaml").read_text() == (ROOT / "stacks" / "local-single.yaml").read_text()
    assert "pulumi up --config-file stacks/local-single.yaml" in machine.out
    machine.world.clear_calls()
    assert machine("up", "--topology", "three") == 2
    assert machine.world.commands() == []
    assert ("- `up` created the single topology here (cluster1); the three topology does not go beside it\n"
            "  fix: `python3 -m tools local down` first, or `python3 -m tools local up --topology single`") in machine.out
    assert machine("down", "--topology", "three") == 2
    assert machine("status") == 0, machine.out
    assert "python3 -m tools local status --topology single (`up` created it: cluster1)" in machine.lines
    assert "  cluster1: exists (created by `up`); context kind-cluster1 answers, Kubernetes v1.26.15" in machine.lines


def test_status_reports_each_cluster_and_the_load_balancer_support(machine: Machine) -> None:
    assert machine("status") == 1
    assert machine.lines == ["python3 -m tools local status --topology three", "  mgmt: missing", "  cluster1: missing",
                             "  cluster2: missing",
                             "  LoadBalancer support: cloud-provider-kind is not running (`python3 -m tools local up` "
                             "starts it)", "  stack file stacks/local.yaml: missing"]
    assert machine("up") == 0
    pid = machine.state()["load_balancer"]["pid"]  # type: ignore[index]
    machine.world.clear_calls()
    assert machine("status") == 0
    assert machine.lines == [
        "python3 -m tools local status --topology three (`up` created it: mgmt, cluster1, cluster2)",
        "  mgmt: exists (created by `up`); context kind-mgmt answers, Kubernetes v1.26.15",
        "  cluster1: exists (created by `up`); context kind-cluster1 answers, Kubernetes v1.26.15",
        "  cluster2: exists (created by `up`); context kind-cluster2 answers, Kubernetes v1.26.15",
        f"  LoadBalancer support: cloud-provider-kind runs (pid {pid}, started by `up`, log "
        ".local/cloud-provider-kind.log)",
        "  stack file stacks/local.yaml: as `up` writes it"]
    assert machine.world.commands() == [], "status only looks"


def test_podman(tmp_path: Path) -> None:
    tools = tuple(t for t in local_host.TOOLS if t != "docker")
    m = make_machine(tmp_path, tools=tools)
    try:
        assert m("up", "--topology", "single") == 0, m.out
        assert m.world.calls()[0] == ["podman", "info", "--format", "{{.Host.MemTotal}}"]
        assert m("down") == 0, m.out
        assert ["podman", "ps", "-a", "-q", "--filter", f"label={LB_LABEL}=cluster1"] in m.world.calls()
    finally:
        m.world.kill_background()


def test_down_with_nothing_created_says_so(machine: Machine) -> None:
    assert machine("down") == 0
    assert machine.lines == ["nothing to do: `up` has not created anything here (no .local/state.json)"]
    assert machine.world.calls() == []


# --- prerequisites: each problem's message, before anything is created --------------------------------

NOT_RUNNING = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
PODMAN_NOT_RUNNING = ("Cannot connect to Podman. Please verify your connection to the Linux system using "
                      "`podman system connection list`, or try `podman machine init` and `podman machine start` "
                      "to manage a new Linux VM")
PREREQUISITES: dict[str, tuple[dict[str, Any], str]] = {
    "no engine": (
        {"tools": ("kind", "kubectl", "cloud-provider-kind", "ps", "pulumi")},
        "- no container engine: neither docker nor podman is on PATH\n"
        "  fix: install Docker (https://docs.docker.com/engine/install/) or Podman (https://podman.io/docs/installation)"),
    "docker not running": (
        {"world": {"engine_running": False}},
        f"- docker is not running: `docker info` failed: {NOT_RUNNING}\n"
        "  fix: start it (Docker Desktop, or `sudo systemctl start docker`); for Podman instead, set "
        "KIND_EXPERIMENTAL_PROVIDER=podman"),
    "podman not running": (
        {"world": {"engine_running": False}, "env": {"KIND_EXPERIMENTAL_PROVIDER": "podman"}},
        f"- podman is not running: `podman info` failed: {PODMAN_NOT_RUNNING}\n"
        "  fix: start it (`podman machine start`, or `systemctl --user start podman.socket`)"),
    "kind": (
        {"tools": ("docker", "kubectl", "cloud-provider-kind", "ps", "pulumi")},
        "- kind is not on PATH\n  fix: install kind v0.23.0: `go install sigs.k8s.io/kind@v0.23.0`, or a release "
        "binary (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"),
    "kubectl": (
        {"tools": ("docker", "kind", "cloud-provider-kind", "ps", "pulumi")},
        "- kubectl is not on PATH\n  fix: install kubectl (https://kubernetes.io/docs/tasks/tools/)"),
    "cloud-provider-kind": (
        {"tools": ("docker", "kind", "kubectl", "ps", "pulumi")},
        "- cloud-provider-kind is not on PATH\n  fix: install it: `go install sigs.k8s.io/cloud-provider-kind@v0.8.0` "
        "and put it on PATH (`sudo install ~/go/bin/cloud-provider-kind /usr/local/bin`)"),
    "pulumi": (
        {"tools": ("docker", "kind", "kubectl", "cloud-provider-kind", "ps")},
        "- pulumi is not on PATH\n  fix: install the Pulumi CLI, 3.231 or newer (https://www.pulumi.com/docs/install/)"),
    "memory": (
        {"memory_kb": 6 * GIB_KB},
        "- not enough free memory: 6.0 GiB available, the three topology expects about 7.5 GiB for mgmt, cluster1, "
        "cluster2\n  fix: close other programs, or use `--topology single` (about 4.5 GiB)"),
    "memory for the clusters still to create": (
        {"memory_kb": 4 * GIB_KB, "world": {"clusters": ["mgmt"]}},
        "- not enough free memory: 4.0 GiB available, the three topology expects about 5.0 GiB for cluster1, "
        "cluster2\n  fix: close other programs, or use `--topology single` (about 4.5 GiB)"),
    "inotify watches": (
        {"watches": 8192},
        "- fs.inotify.max_user_watches is 8192; kind clusters need at least 524288\n"
        "  fix: `sudo sysctl -w fs.inotify.max_user_watches=524288` (to keep it, add "
        "`fs.inotify.max_user_watches = 524288` to /etc/sysctl.d/99-kind.conf)"),
    "inotify instances": (
        {"instances": 128},
        "- fs.inotify.max_user_instances is 128; kind clusters need at least 512\n"
        "  fix: `sudo sysctl -w fs.inotify.max_user_instances=512` (to keep it, add "
        "`fs.inotify.max_user_instances = 512` to /etc/sysctl.d/99-kind.conf)"),
    "macOS": (
        {"platform": "darwin"},
        "- cloud-provider-kind must run as root here (macOS, WSL2), so `up` cannot start it\n"
        "  fix: run `sudo cloud-provider-kind` in another terminal and keep it running, then run `up` again"),
}


@pytest.mark.parametrize("case", sorted(PREREQUISITES))
def test_each_missing_prerequisite_is_named_with_its_fix_and_nothing_is_created(tmp_path: Path, case: str) -> None:
    setup, message = PREREQUISITES[case]
    m = make_machine(tmp_path, **setup)
    assert m("up") == 2
    assert m.lines[2:] == ["1 problem; nothing was created:", *message.split("\n")], m.out
    assert m.world.commands() == []
    assert m.state() is None and not m.stack("local.yaml").exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"engine_running": False}, tools=("docker", "ps"), memory_kb=GIB_KB, watches=8192,
                     instances=128)
    assert m("up") == 2
    assert m.lines[2] == "8 problems; nothing was created:"
    whats = [line for line in m.lines if line.startswith("- ")]
    assert whats == ["- docker is not running: `docker info` failed: " + NOT_RUNNING,
                     "- kind is not on PATH", "- kubectl is not on PATH", "- cloud-provider-kind is not on PATH",
                     "- pulumi is not on PATH",
                     "- not enough free memory: 1.0 GiB available, the three topology expects about 7.5 GiB for mgmt, "
                     "cluster1, cluster2",
                     "- fs.inotify.max_user_watches is 8192; kind clusters need at least 524288",
                     "- fs.inotify.max_user_instances is 128; kind clusters need at least 512"]
    assert m.world.commands() == []


def test_a_kind_release_other_than_the_images_is_a_warning_not_a_problem(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"kind_version": "v0.27.0"}, watches=8192)
    assert m("up") == 2
    assert m.lines[2:4] == [
        "      warning: kind v0.27.0: the node image is the one built for kind v0.23.0; if a cluster does not start, "
        "install kind v0.23.0 or pass --node-image with the 1.26 image your kind release lists",
        "1 problem; nothing was created:"]


def test_the_module_runs_as_a_command_on_the_standard_library_alone() -> None:
    """`python3 -m tools local` is the entry point the README and the e2e workflow use; it must run before
    `pulumi install` has made the virtualenv, so `-S` (no site-packages) must do."""
    done = subprocess.run([sys.executable, "-S", "-m", "tools.local", "down", "--topology", "bogus"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "invalid choice: 'bogus' (choose from 'single', 'three')" in done.stderr
    done = subprocess.run([sys.executable, "-S", "-c", "import tools.local.cli, sys; "
                           "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'pulumi')))"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


# --- what `down` may touch: only what `up` made ------------------------------------------------------

def write_state(m: Machine, **state: Any) -> None:
    m.host.state_dir.mkdir(exist_ok=True)
    m.host.state_file.write_text(json.dumps({"topology": "three", "clusters": [], "load_balancer": None,
                                             "stack_file_written": False, **state}))


def test_down_signals_no_process_but_the_cloud_provider_kind_up_started(tmp_path: Path) -> None:
    # A state file naming another process with its pid and start time (a reused pid, an edited file):
    # `ps` shows its command line is not cloud-provider-kind, so it gets no signal.
    other = subprocess.Popen(["sleep", "60"])
    try:
        m = make_machine(tmp_path, {"processes": [{"pid": other.pid, "started": local_host.STARTED,
                                                   "args": "sleep 60"}]})
        write_state(m, load_balancer={"pid": other.pid, "started": local_host.STARTED, "log": "x.log"})
        assert m("down") == 0, m.out
        assert other.poll() is None, "down signalled a process that is not cloud-provider-kind"
        assert f"cloud-provider-kind (pid {other.pid}) that `up` started no longer runs" in m.lines
        assert not [line for line in m.lines if "stop cloud-provider-kind" in line]
        assert m.state() is None
    finally:
        other.kill()
        other.wait()


def test_down_deletes_no_cluster_that_is_not_the_topologys(tmp_path: Path) -> None:
    m = make_machine(tmp_path, {"clusters": ["mgmt", "production"]})
    write_state(m, clusters=["production", "mgmt"])
    assert m("down") == 0, m.out
    assert m.world.commands() == ["kind delete cluster --name mgmt"]
    assert m.world.read()["clusters"] == ["production"]
    assert ("cluster production: listed in the state, but not a cluster of the three topology; left alone"
            in m.lines)
    assert m.state() is None


@pytest.mark.parametrize(("state", "why"), [
    ({"load_balancer": {"pid": -1, "started": local_host.STARTED, "log": "x.log"}},
     "load_balancer.pid -1 is not a process id"),
    ({"load_balancer": {"pid": 0, "started": local_host.STARTED, "log": "x.log"}},
     "load_balancer.pid 0 is not a process id"),
    ({"topology": "everything"}, "unknown topology 'everything'"),
    ({"clusters": "mgmt"}, "clusters is not a list of names"),
])
def test_a_state_file_up_did_not_write_changes_nothing(tmp_path: Path, state: dict[str, Any], why: str) -> None:
    m = make_machine(tmp_path, {"clusters": ["mgmt"]})
    write_state(m, **state)
    assert m("down") == 2
    assert m.lines == ["1 problem; nothing was changed:",
                       f"- .local/state.json is not what `python3 -m tools local up` writes: {why}",
                       "  fix: if you did not edit it, delete what it lists by hand (`kind delete cluster --name …`) "
                       "and remove it"]
    assert m.world.calls() == []
