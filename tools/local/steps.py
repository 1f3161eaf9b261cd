"""What `up` and `down` do, as data: the state `up` records, the actions in order, and the parsing of
what kind and `ps` print. Pure: no subprocess, no files (host.py and cli.py carry the actions out).
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import asdict, dataclass, field
from typing import Literal

from tools.local.topology import CREATE_WAIT, TOPOLOGIES, Topology

CLOUD_PROVIDER_KIND = "cloud-provider-kind"
#: The label cloud-provider-kind puts on each load-balancer container it runs for a cluster.
LOAD_BALANCER_LABEL = "io.x-k8s.cloud-provider-kind.cluster"
#: kind >= v0.22 drops this label from single-node clusters; older releases keep it, and then the
#: only node may not back a LoadBalancer Service. Removing it again is harmless.
EXCLUDE_FROM_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
PS_COMMAND = ("ps", "-A", "-o", "pid=,lstart=,args=")

ActionKind = Literal["create", "label", "write-stack", "start-lb", "stop-lb", "delete", "remove-lb-containers",
                     "remove-stack"]


# --- what `up` recorded -----------------------------------------------------------------------------

@dataclass
class LoadBalancerProcess:
    """The cloud-provider-kind `up` started: pid and start time together name the process."""

    pid: int
    started: str
    log: str


class StateError(ValueError):
    """`.local/state.json` is not what `up` writes."""


@dataclass
class State:
    """What `up` created here (`.local/state.json`); `down` deletes exactly this, and only what is
    also the recorded topology's (a cluster) or still the cloud-provider-kind it started (a process)."""

    topology: str | None = None
    #: kind clusters `up` created (each recorded just before `kind create cluster`); `down` keeps one
    #: here until it has removed the load-balancer containers left for it, also after deleting it.
    clusters: list[str] = field(default_factory=list)
    load_balancer: LoadBalancerProcess | None = None
    #: True when the stack file was missing and `up` wrote it.
    stack_file_written: bool = False

    @property
    def empty(self) -> bool:
        return not self.clusters and self.load_balancer is None and not self.stack_file_written

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> State:
        """The state `text` holds; StateError when it is not what `up` writes."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise StateError(f"not JSON ({error})") from None
        if not isinstance(data, dict):
            raise StateError("not a JSON object")
        topology = data.get("topology")
        if topology is not None and topology not in TOPOLOGIES:
            raise StateError(f"unknown topology {topology!r}")
        clusters = data.get("clusters", [])
        if not isinstance(clusters, list) or not all(isinstance(c, str) and c for c in clusters):
            raise StateError("clusters is not a list of names")
        return cls(topology=topology, clusters=list(clusters), load_balancer=_load_balancer(data.get("load_balancer")),
                   stack_file_written=data.get("stack_file_written") is True)


def _load_balancer(value: object) -> LoadBalancerProcess | None:
    if not value:
        return None
    if not isinstance(value, dict) or set(value) != {"pid", "started", "log"}:
        raise StateError("load_balancer is not {pid, started, log}")
    pid, started, log = value["pid"], value["started"], value["log"]
    # 0, -1 and other negative numbers signal process groups (or every process) in kill(2).
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 1:
        raise StateError(f"load_balancer.pid {pid!r} is not a process id")
    if not isinstance(started, str) or not started or not isinstance(log, str):
        raise StateError("load_balancer.started and .log must be strings")
    return LoadBalancerProcess(pid=pid, started=started, log=log)


# --- what kind and ps print -------------------------------------------------------------------------

def parse_kind_clusters(stdout: str) -> frozenset[str]:
    """`kind get clusters`: one name per line (kind says "No kind clusters found." on stderr)."""
    return frozenset(line.strip() for line in stdout.splitlines() if line.strip())


def parse_kind_version(stdout: str) -> str | None:
    """`kind version` → `v0.23.0` (it prints `kind v0.23.0 go1.21.10 linux/amd64`)."""
    parts = stdout.split()
    return parts[1] if len(parts) > 1 and parts[0] == "kind" else None


@dataclass(frozen=True)
class Process:
    pid: int
    started: str
    args: str


def parse_ps(stdout: str) -> list[Process]:
    """`ps -A -o pid=,lstart=,args=`: pid, start time (`Tue Nov 25 21:25:00 2025`), command line."""
    processes = []
    for line in stdout.splitlines():
        parts = line.split(None, 6)
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        processes.append(Process(int(parts[0]), " ".join(parts[1:6]), parts[6] if len(parts) > 6 else ""))
    return processes


def is_cloud_provider_kind(args: str) -> bool:
    """A command line that runs cloud-provider-kind, directly or through sudo (not a file named like it)."""
    words = args.split()
    if not words:
        return False
    if posixpath.basename(words[0]) == "sudo":
        words = [w for w in words[1:] if not w.startswith("-")][:1]
    return bool(words) and posixpath.basename(words[0]) == CLOUD_PROVIDER_KIND


def cloud_provider_kind_command(has_version_command: bool) -> tuple[str, ...]:
    """v0.8.0 serves LoadBalancers only. Releases with a `version` subcommand (v0.11+) also install
    Gateway API CRDs and an ingress controller into every cluster unless told not to; Istio 1.17
    should not meet those. (v0.9 and v0.10 have neither the subcommand nor `disabled`: use v0.8.0.)"""
    if has_version_command:
        return (CLOUD_PROVIDER_KIND, "--gateway-channel", "disabled", "--enable-default-ingress=false")
    return (CLOUD_PROVIDER_KIND,)


# --- the actions ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    kind: ActionKind
    title: str
    argv: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    notes: tuple[str, ...]
    actions: tuple[Action, ...]


def create_command(name: str, node_image: str) -> tuple[str, ...]:
    return ("kind", "create", "cluster", "--name", name, "--image", node_image, "--wait", CREATE_WAIT)


def label_command(context: str) -> tuple[str, ...]:
    return ("kubectl", "--context", context, "label", "node", "--all", f"{EXCLUDE_FROM_LB_LABEL}-")


def delete_command(name: str) -> tuple[str, ...]:
    return ("kind", "delete", "cluster", "--name", name)


def load_balancer_containers_command(engine: str, cluster: str) -> tuple[str, ...]:
    return (engine, "ps", "-a", "-q", "--filter", f"label={LOAD_BALANCER_LABEL}={cluster}")


def stack_file_note(topology: Topology, current: str | None) -> str | None:
    """What to say about an existing stack file (None: it is missing, `up` writes it)."""
    if current is None:
        return None
    if current == topology.stack_file_text():
        return f"{topology.stack_file}: as `up` writes it"
    absent = [c.context for c in topology.clusters if c.context not in current]
    if absent:
        return (f"{topology.stack_file}: changed and does not name {', '.join(absent)}; left as it is "
                f"(`git checkout {topology.stack_file}` restores it)")
    return f"{topology.stack_file}: changed (an encrypted license, your edits); left as it is"


def steps_up(topology: Topology, existing: frozenset[str], state: State, load_balancer: str | None,
            lb_command: tuple[str, ...], stack_file: str | None, node_image: str) -> Plan:
    """The clusters to create, the stack file if missing, cloud-provider-kind if none runs.

    `load_balancer` says what runs already: None, or a note such as "started by `up`, pid 42".
    """
    notes: list[str] = []
    actions: list[Action] = []
    for cluster in topology.clusters:
        if cluster.name in existing:
            whose = ("created by `up`" if cluster.name in state.clusters
                     else "not created by this command: used as it is, and `down` leaves it")
            notes.append(f"cluster {cluster.name}: exists ({whose})")
            continue
        actions.append(Action("create", f"create kind cluster {cluster.name} (context {cluster.context})",
                              create_command(cluster.name, node_image), (cluster.name,)))
        actions.append(Action("label", f"let {cluster.name}'s node back LoadBalancer Services",
                              label_command(cluster.context), (cluster.name,)))
    note = stack_file_note(topology, stack_file)
    if note:
        notes.append(note)
    else:
        actions.append(Action("write-stack", f"write {topology.stack_file}"))
    if load_balancer:
        notes.append(f"LoadBalancer support: cloud-provider-kind runs ({load_balancer})")
    else:
        if state.load_balancer is not None:
            notes.append(f"cloud-provider-kind (pid {state.load_balancer.pid}) that `up` started no longer runs")
        actions.append(Action("start-lb", "start cloud-provider-kind in the background (LoadBalancer Services)",
                              lb_command))
    return Plan(tuple(notes), tuple(actions))


def steps_down(topology: Topology, existing: frozenset[str], state: State, load_balancer_alive: bool,
              stack_file: str | None) -> Plan:
    """Stop the cloud-provider-kind `up` started (it removes its load balancers on the way out), delete
    the clusters `up` created (newest first), then any load-balancer container left for them, also for
    a cluster the state still lists that is gone already (an earlier `down` deleted it, then stopped
    before its containers were removed). A cluster the state lists that is not one of the topology's
    is left alone: `up` creates no other."""
    notes: list[str] = []
    actions: list[Action] = []
    if state.load_balancer is not None:
        if load_balancer_alive:
            actions.append(Action("stop-lb", f"stop cloud-provider-kind (pid {state.load_balancer.pid})"))
        else:
            notes.append(f"cloud-provider-kind (pid {state.load_balancer.pid}) that `up` started no longer runs")
    deleted = []
    for name in reversed(state.clusters):
        if name not in topology.names:
            notes.append(f"cluster {name}: listed in the state, but not a cluster of the {topology.name} topology; "
                         "left alone")
            continue
        if name in existing:
            actions.append(Action("delete", f"delete kind cluster {name}", delete_command(name), (name,)))
        else:
            notes.append(f"cluster {name}: not there (its creation did not finish, or it was deleted)")
        deleted.append(name)
    if deleted:
        actions.append(Action("remove-lb-containers", "remove load-balancer containers left for "
                              + ", ".join(deleted), clusters=tuple(deleted)))
    if state.stack_file_written:
        if stack_file == topology.stack_file_text():
            actions.append(Action("remove-stack", f"remove {topology.stack_file} (`up` wrote it)"))
        elif stack_file is not None:
            notes.append(f"{topology.stack_file}: `up` wrote it, but it changed since; left as it is")
    return Plan(tuple(notes), tuple(actions))
