"""What `up` needs before it creates anything, as a pure function of what host.py found: every problem
at once, each with how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tools.local.steps import State
from tools.local.topology import CLOUD_PROVIDER_KIND_VERSION, GIB, KIND_VERSION, TOPOLOGIES, Topology

#: kind's known issues ("Pod errors due to too many open files"): Ubuntu's 8192 / 128 are too few.
INOTIFY_MINIMUM: dict[str, int] = {"max_user_watches": 524288, "max_user_instances": 512}
#: The oldest Pulumi CLI the program supports (components/core/rotation.py: the engine must honour
#: `replacement_trigger`); stated here because this module imports nothing outside the standard library.
MIN_PULUMI_CLI = "3.231"
#: The executables `up` runs, and how to get each.
TOOLS: dict[str, str] = {
    "kind": f"install kind {KIND_VERSION}: `go install sigs.k8s.io/kind@{KIND_VERSION}`, or a release binary "
            "(https://kind.sigs.k8s.io/docs/user/quick-start/#installation)",
    "kubectl": "install kubectl (https://kubernetes.io/docs/tasks/tools/)",
    "cloud-provider-kind": f"install it: `go install sigs.k8s.io/cloud-provider-kind@{CLOUD_PROVIDER_KIND_VERSION}` "
                           "and put it on PATH (`sudo install ~/go/bin/cloud-provider-kind /usr/local/bin`)",
    "pulumi": f"install the Pulumi CLI, {MIN_PULUMI_CLI} or newer (https://www.pulumi.com/docs/install/)",
    "ps": "install procps (`ps` tells whether cloud-provider-kind runs)",
}
ENGINES = ("docker", "podman")
START_ENGINE = {
    "docker": "start it (Docker Desktop, or `sudo systemctl start docker`); for Podman instead, "
              "set KIND_EXPERIMENTAL_PROVIDER=podman",
    "podman": "start it (`podman machine start`, or `systemctl --user start podman.socket`)",
}


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str

    def text(self) -> str:
        return f"- {self.what}\n  fix: {self.fix}"


@dataclass(frozen=True)
class Facts:
    """What host.py found out; None where it could not be found out."""

    #: the container engine kind will use (None: neither docker nor podman is on PATH)
    engine: str | None
    #: why `<engine> info` failed (None: the engine runs)
    engine_error: str | None
    #: the engine's memory from `<engine> info` (a VM's size on macOS)
    engine_memory: int | None
    #: executables of TOOLS that are not on PATH
    missing: frozenset[str]
    kind_version: str | None
    #: the kind clusters there are (None: kind could not be asked)
    existing: frozenset[str] | None
    #: why `kind get clusters` failed although kind and the engine are there
    kind_error: str | None
    #: MemAvailable from /proc/meminfo, bytes (None: no /proc/meminfo)
    memory_available: int | None
    #: /proc/sys/fs/inotify values (None: not there, e.g. macOS, where the engine's VM has its own)
    inotify: Mapping[str, int] | None
    #: a cloud-provider-kind runs already (started by `up` or not)
    load_balancer_running: bool
    #: macOS and WSL2: cloud-provider-kind must run as root, so `up` cannot start it
    load_balancer_needs_root: bool


def engine_for(environ: Mapping[str, str], on_path: Mapping[str, bool]) -> str | None:
    """The engine kind picks: KIND_EXPERIMENTAL_PROVIDER if it names one, else docker, else podman."""
    chosen = environ.get("KIND_EXPERIMENTAL_PROVIDER", "")
    if chosen in ENGINES:
        return chosen
    return next((e for e in ENGINES if on_path.get(e)), None)


def load_balancer_needs_root(platform: str, kernel_release: str) -> bool:
    """cloud-provider-kind: "On macOS and WSL2 you must run cloud-provider-kind using sudo"."""
    return platform == "darwin" or "microsoft" in kernel_release.lower()


def parse_meminfo(text: str) -> int | None:
    """MemAvailable in bytes (/proc/meminfo gives kB)."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "MemAvailable":
            return int(value.split()[0]) * 1024
    return None


def gib(value: int) -> str:
    return f"{value / GIB:.1f} GiB"


def problems(facts: Facts, topology: Topology, state: State) -> list[Problem]:
    """Every reason `up --topology <topology>` cannot go ahead, in a fixed order."""
    found: list[Problem] = []
    if state.topology is not None and state.topology != topology.name:
        found.append(Problem(
            f"`up` created the {state.topology} topology here ({', '.join(state.clusters) or 'its clusters'}); "
            f"the {topology.name} topology does not go beside it",
            f"`python3 -m tools local down` first, or `python3 -m tools local up --topology {state.topology}`"))
    if facts.engine is None:
        found.append(Problem("no container engine: neither docker nor podman is on PATH",
                             "install Docker (https://docs.docker.com/engine/install/) or Podman "
                             "(https://podman.io/docs/installation)"))
    elif facts.engine_error is not None:
        found.append(Problem(f"{facts.engine} is not running: `{facts.engine} info` failed: {facts.engine_error}",
                             START_ENGINE[facts.engine]))
    if facts.kind_error is not None:
        found.append(Problem(f"kind cannot list its clusters: `kind get clusters` failed: {facts.kind_error}",
                             "make `kind get clusters` work (it talks to the container engine)"))
    for tool, fix in TOOLS.items():
        if tool not in facts.missing:
            continue
        if tool == "cloud-provider-kind" and facts.load_balancer_running:
            continue  # one runs already; `up` uses it
        found.append(Problem(f"{tool} is not on PATH", fix))
    if facts.load_balancer_needs_root and not facts.load_balancer_running:
        found.append(Problem("cloud-provider-kind must run as root here (macOS, WSL2), so `up` cannot start it",
                             "run `sudo cloud-provider-kind` in another terminal and keep it running, "
                             "then run `up` again"))
    to_create = [c for c in topology.clusters if facts.existing is None or c.name not in facts.existing]
    needed = sum(c.memory_bytes for c in to_create)
    names = ", ".join(c.name for c in to_create)
    smaller = "" if topology.name == "single" else \
        f", or use `--topology single` (about {gib(TOPOLOGIES['single'].memory_bytes)})"
    if needed and facts.memory_available is not None and facts.memory_available < needed:
        found.append(Problem(
            f"not enough free memory: {gib(facts.memory_available)} available, the {topology.name} topology "
            f"expects about {gib(needed)} for {names}",
            f"close other programs{smaller}"))
    elif needed and facts.memory_available is None and facts.engine_memory is not None \
            and facts.engine_memory < topology.memory_bytes:
        found.append(Problem(
            f"not enough memory for {facts.engine}: it has {gib(facts.engine_memory)}, the {topology.name} "
            f"topology expects about {gib(topology.memory_bytes)}",
            f"give its VM more memory (Docker Desktop: Settings → Resources){smaller}"))
    for key, minimum in INOTIFY_MINIMUM.items():
        value = (facts.inotify or {}).get(key)
        if value is not None and value < minimum:
            found.append(Problem(
                f"fs.inotify.{key} is {value}; kind clusters need at least {minimum}",
                f"`sudo sysctl -w fs.inotify.{key}={minimum}` (to keep it, add "
                f"`fs.inotify.{key} = {minimum}` to /etc/sysctl.d/99-kind.conf)"))
    return found


def warnings(facts: Facts) -> list[str]:
    """Worth saying, not worth stopping for."""
    said = []
    minor = KIND_VERSION.rsplit(".", 1)[0]
    if facts.kind_version is not None and not facts.kind_version.startswith(minor + "."):
        said.append(f"kind {facts.kind_version}: the node image is the one built for kind {KIND_VERSION}; if a "
                    f"cluster does not start, install kind {KIND_VERSION} or pass --node-image with the 1.26 "
                    "image your kind release lists")
    return said
