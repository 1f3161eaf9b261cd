"""`python3 -m tools local up|down|status`: the plan of plan.py carried out step by step, each with its
elapsed time. Exit status: 0 done (or nothing to do), 1 a step failed (or, for `status`, something is
not up), 2 a prerequisite is missing (nothing was changed).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from tools.local.host import Host
from tools.local.prerequisites import TOOLS, Facts, Problem, problems, warnings
from tools.local.steps import (
    Action,
    Process,
    State,
    StateError,
    is_cloud_provider_kind,
    load_balancer_containers_command,
    stack_file_note,
    steps_down,
    steps_up,
)
from tools.local.topology import DEFAULT_TOPOLOGY, NODE_IMAGE, TOPOLOGIES, Topology

PROG = "python3 -m tools local"  # runs before the venv (and gmw) exists


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class StepFailed(Exception):
    pass


class Run:
    """One invocation: numbered steps with their elapsed time, and the state saved after each change."""

    def __init__(self, host: Host, topology: Topology, state: State) -> None:
        self.host, self.topology, self.state = host, topology, state
        self.started = host.clock()
        self.engine = "docker"

    def elapsed(self) -> str:
        return duration(self.host.clock() - self.started)

    def indent(self, line: str) -> None:
        self.host.say(f"      {line}")

    def steps(self, actions: Sequence[Action]) -> bool:
        for number, action in enumerate(actions, 1):
            self.host.say(f"[{number}/{len(actions)}] {action.title}")
            began = self.host.clock()
            try:
                outcome = self.carry_out(action)
            except StepFailed as failed:
                self.host.say(f"      FAILED after {duration(self.host.clock() - began)}: {failed}")
                return False
            self.host.say(f"      {outcome} in {duration(self.host.clock() - began)} ({self.elapsed()} in all)")
        return True

    def command(self, action: Action) -> None:
        self.host.say(f"      $ {' '.join(action.argv)}")
        done = self.host.run(action.argv, echo=self.indent)
        if not done.ok:
            raise StepFailed(f"`{' '.join(action.argv[:4])} …` exited with status {done.code}")

    def carry_out(self, action: Action) -> str:
        host, state = self.host, self.state
        match action.kind:
            case "create":
                state.topology = self.topology.name
                if action.clusters[0] not in state.clusters:  # before: a half-made cluster is ours too
                    state.clusters.append(action.clusters[0])
                host.save_state(state)
                self.command(action)
                return "created"
            case "label":
                self.host.say(f"      $ {' '.join(action.argv)}")
                done = host.run(action.argv, echo=self.indent)
                return "done" if done.ok else f"skipped (kubectl: {done.error()})"
            case "write-stack":
                path = host.root / self.topology.stack_file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(self.topology.stack_file_text())
                state.topology, state.stack_file_written = self.topology.name, True
                host.save_state(state)
                return "written"
            case "start-lb":
                self.host.say(f"      $ {' '.join(action.argv)} >> {host.relative(host.load_balancer_log)} 2>&1 &")
                started = host.start_load_balancer(action.argv)
                if isinstance(started, str):
                    raise StepFailed(f"cloud-provider-kind did not start: {started}")
                state.topology, state.load_balancer = self.topology.name, started
                host.save_state(state)
                return f"running as pid {started.pid}"
            case "stop-lb":
                assert state.load_balancer is not None
                outcome = host.stop(state.load_balancer)
                state.load_balancer = None
                host.save_state(state)
                return outcome
            case "delete":  # the cluster stays in the state until its load-balancer containers are gone
                self.command(action)
                return "deleted"
            case "remove-lb-containers":
                ids: list[str] = []
                for cluster in action.clusters:
                    listed = host.run(load_balancer_containers_command(self.engine, cluster))
                    if not listed.ok:
                        raise StepFailed(f"`{self.engine} ps` failed: {listed.error()}")
                    ids += listed.stdout.split()
                if ids:
                    removed = host.run((self.engine, "rm", "-f", *ids))
                    if not removed.ok:
                        raise StepFailed(f"`{self.engine} rm` failed: {removed.error()}")
                state.clusters = [name for name in state.clusters if name not in action.clusters]
                host.save_state(state)
                return f"removed {len(ids)}" if ids else "none left"
            case "remove-stack":
                (host.root / self.topology.stack_file).unlink()
                state.stack_file_written = False
                host.save_state(state)
                return "removed"
        raise AssertionError(action.kind)


def report_problems(host: Host, found: Sequence[Problem], what: str) -> int:
    host.say(f"{len(found)} problem{'s' if len(found) > 1 else ''}; {what}:")
    for problem in found:
        for line in problem.text().splitlines():
            host.say(line)
    return 2


def next_steps(host: Host, topology: Topology, state: State) -> None:
    stack = Path(topology.stack_file).stem
    config = f"--config-file {topology.stack_file}"
    host.say("Next, the workshop on it (the license as encrypted config; see README, \"Try it locally\"):")
    host.say(f"  pulumi install && pulumi stack select --create {stack} \\")
    # The license on standard input, not on a command line that `ps` shows (printf is a shell builtin).
    host.say(f"    && printf %s \"$GLOO_MESH_LICENSE_KEY\" | pulumi config set --secret licenseKey {config} \\")
    host.say(f"    && pulumi up {config}")
    if state.load_balancer is not None:
        host.say(f"cloud-provider-kind keeps running in the background (pid {state.load_balancer.pid}, log "
                 f"{state.load_balancer.log}); `{PROG} down` stops it with the clusters (or `kill "
                 f"{state.load_balancer.pid}`).")


def up(host: Host, topology: Topology, node_image: str) -> int:
    state = host.load_state()
    run = Run(host, topology, state)
    host.say(f"{PROG} up --topology {topology.name}: kind clusters {', '.join(topology.names)}, "
             f"node image {node_image}")
    host.say("checking prerequisites")
    facts, lb_command, processes = host.facts(state)
    for warning in warnings(facts):
        host.say(f"      warning: {warning}")
    found = problems(facts, topology, state)
    if found:
        return report_problems(host, found, "nothing was created")
    host.say(f"      ok in {run.elapsed()}")
    assert facts.existing is not None and facts.engine is not None
    run.engine = facts.engine
    plan = steps_up(topology, facts.existing, state, describe_load_balancer(host, state, processes, facts),
                   lb_command, host.read_text(topology.stack_file), node_image)
    for note in plan.notes:
        host.say(note)
    if not plan.actions:
        host.say(f"nothing to do: the {topology.name} topology is up, nothing was changed")
        next_steps(host, topology, state)
        return 0
    if not run.steps(plan.actions):
        host.say(f"`{PROG} up` again carries on from here; `{PROG} down` removes what was created.")
        return 1
    host.say(f"up: done in {run.elapsed()}")
    next_steps(host, topology, state)
    return 0


def describe_load_balancer(host: Host, state: State, processes: list[Process], facts: Facts) -> str | None:
    if state.load_balancer is not None and host.is_running(state.load_balancer, processes):
        return f"pid {state.load_balancer.pid}, started by `up`, log {state.load_balancer.log}"
    if facts.load_balancer_running:
        pids = [str(p.pid) for p in processes if is_cloud_provider_kind(p.args)]
        return f"pid {', '.join(pids)}, not started by this command: used as it is, and `down` leaves it"
    return None


def down(host: Host, requested: str | None) -> int:
    state = host.load_state()
    if state.empty:
        host.say(f"nothing to do: `up` has not created anything here (no {host.relative(host.state_file)})")
        return 0
    topology = TOPOLOGIES[state.topology or DEFAULT_TOPOLOGY]
    if requested is not None and requested != topology.name:
        return report_problems(host, [Problem(
            f"`up` created the {topology.name} topology here, not {requested}",
            f"`{PROG} down` (without --topology) removes what `up` created")], "nothing was deleted")
    run = Run(host, topology, state)
    host.say(f"{PROG} down: what `up` created ({', '.join(state.clusters) or 'no clusters'}"
             f"{', cloud-provider-kind' if state.load_balancer else ''})")
    facts, _, processes = host.facts(state, full=False)
    found = down_problems(facts)
    if found:
        return report_problems(host, found, "nothing was deleted")
    assert facts.existing is not None and facts.engine is not None
    run.engine = facts.engine
    alive = state.load_balancer is not None and host.is_running(state.load_balancer, processes)
    plan = steps_down(topology, facts.existing, state, alive, host.read_text(topology.stack_file))
    for note in plan.notes:
        host.say(note)
    state.clusters = [name for name in state.clusters if name in topology.names]
    if not alive:
        state.load_balancer = None
    host.save_state(state)
    if not run.steps(plan.actions):
        host.say(f"`{PROG} down` again carries on from here.")
        return 1
    if state.empty:
        host.load_balancer_log.unlink(missing_ok=True)
        if host.state_dir.is_dir() and not any(host.state_dir.iterdir()):
            host.state_dir.rmdir()
    host.say(f"down: done in {run.elapsed()}")
    if any(a.kind == "delete" for a in plan.actions):
        host.say("A Pulumi stack deployed to these clusters still lists their resources: "
                 "`pulumi stack rm --force <stack>` forgets them (or `pulumi destroy` before `down`).")
    return 0


def down_problems(facts: Facts) -> list[Problem]:
    """`down` needs kind, a running engine and ps; nothing else."""
    found = []
    if facts.engine is None:
        found.append(Problem("no container engine: neither docker nor podman is on PATH",
                             "install Docker or Podman again, or delete the clusters by hand"))
    elif facts.engine_error is not None:
        found.append(Problem(f"{facts.engine} is not running: `{facts.engine} info` failed: {facts.engine_error}",
                             "start it, then run `down` again"))
    for tool in ("kind", "ps"):
        if tool in facts.missing:
            found.append(Problem(f"{tool} is not on PATH", TOOLS[tool]))
    if facts.kind_error is not None:
        found.append(Problem(f"kind cannot list its clusters: `kind get clusters` failed: {facts.kind_error}",
                             "make `kind get clusters` work (it talks to the container engine)"))
    return found


def status(host: Host, requested: str | None) -> int:
    state = host.load_state()
    topology = TOPOLOGIES[requested or state.topology or DEFAULT_TOPOLOGY]
    recorded = f" (`up` created it: {', '.join(state.clusters) or 'no clusters'})" \
        if state.topology == topology.name else ""
    host.say(f"{PROG} status --topology {topology.name}{recorded}")
    facts, _, processes = host.facts(state, full=False)
    healthy = True
    if facts.existing is None:
        why = down_problems(facts) or [Problem("kind cannot list clusters", "")]
        host.say(f"  clusters: unknown ({why[0].what})")
        healthy = False
    for cluster in topology.clusters if facts.existing is not None else ():
        by = "created by `up`" if cluster.name in state.clusters else "not created by `up`"
        if cluster.name not in facts.existing:
            host.say(f"  {cluster.name}: missing")
            healthy = False
            continue
        answer = host.run(("kubectl", "--context", cluster.context, "get", "--raw", "/version",
                           "--request-timeout=5s"))
        version = _git_version(answer.stdout) if answer.ok else None
        if version is None:
            healthy = False
            host.say(f"  {cluster.name}: exists ({by}); context {cluster.context} does not answer: {answer.error()}")
        else:
            host.say(f"  {cluster.name}: exists ({by}); context {cluster.context} answers, Kubernetes {version}")
    lb = describe_load_balancer(host, state, processes, facts)
    if "ps" in facts.missing:
        lb, healthy = None, False
        host.say("  LoadBalancer support: unknown (ps is not on PATH)")
    elif lb is None:
        healthy = False
        host.say(f"  LoadBalancer support: cloud-provider-kind is not running (`{PROG} up` starts it)")
    else:
        host.say(f"  LoadBalancer support: cloud-provider-kind runs ({lb})")
    note = stack_file_note(topology, host.read_text(topology.stack_file))
    host.say(f"  stack file {note or topology.stack_file + ': missing'}")
    return 0 if healthy else 1


def _git_version(stdout: str) -> str | None:
    try:
        return str(json.loads(stdout)["gitVersion"])
    except (ValueError, KeyError, TypeError):
        return None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description="Local kind clusters for the workshop (see README).")
    p.add_argument("command", choices=("up", "down", "status"))
    p.add_argument("--topology", choices=sorted(TOPOLOGIES),
                   help="three: mgmt, cluster1, cluster2 (up's default); single: cluster1 as management and "
                        "workload cluster. down and status default to what up created")
    p.add_argument("--node-image", default=NODE_IMAGE, help=f"kind node image for up (default {NODE_IMAGE})")
    return p


def main(argv: Sequence[str] | None = None, host: Host | None = None) -> int:
    args = parser().parse_args(argv)
    host = host or Host()
    try:
        host.load_state()
    except StateError as error:
        return report_problems(host, [Problem(
            f"{host.relative(host.state_file)} is not what `{PROG} up` writes: {error}",
            "if you did not edit it, delete what it lists by hand (`kind delete cluster --name …`) and remove it")],
            "nothing was changed")
    try:
        if args.command == "up":
            return up(host, TOPOLOGIES[args.topology or DEFAULT_TOPOLOGY], args.node_image)
        if args.command == "down":
            return down(host, args.topology)
        return status(host, args.topology)
    except KeyboardInterrupt:
        host.say(f"interrupted: `{PROG} {args.command}` again carries on; what was created so far is in "
                 f"{host.relative(host.state_file)}, and `{PROG} down` removes it")
        return 130
