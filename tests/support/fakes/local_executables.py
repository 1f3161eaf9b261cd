"""The executables behind tests/support/fakes/local_host.py (run as `python -IS local_executables.py BIN_DIR TOOL ARGS`).

Kept apart, with only the imports a call needs, because `up` makes a dozen calls per test.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
import time

STARTED = "Tue Nov 25 21:25:00 2025"
LB_LABEL = "io.x-k8s.cloud-provider-kind.cluster"
NOT_RUNNING = {
    "docker": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    "podman": "Cannot connect to Podman. Please verify your connection to the Linux system using `podman system "
              "connection list`, or try `podman machine init` and `podman machine start` to manage a new Linux VM",
}


class _locked:
    """The world, read under an exclusive lock and written back on exit."""

    def __init__(self, bin_dir: str) -> None:
        self.bin_dir = bin_dir

    def __enter__(self) -> dict:
        self.lock = open(os.path.join(self.bin_dir, "world.lock"), "w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        with open(os.path.join(self.bin_dir, "world.json")) as f:
            self.world = json.load(f)
        return self.world

    def __exit__(self, *exc: object) -> bool:
        with open(os.path.join(self.bin_dir, "world.json"), "w") as f:
            json.dump(self.world, f)
        self.lock.close()
        return False


def _read(bin_dir: str) -> dict:
    with open(os.path.join(bin_dir, "world.json")) as f:
        return json.load(f)


def _log(bin_dir: str, call: list[str]) -> None:
    with open(os.path.join(bin_dir, "calls.jsonl"), "a") as log:
        log.write(json.dumps(call) + "\n")


def _failure(world: dict, call: list[str]) -> str | None:
    line = " ".join(call)
    return next((message for prefix, message in world["fail"].items() if line.startswith(prefix)), None)


def kind(bin_dir: str, args: list[str]) -> int:
    with _locked(bin_dir) as world:
        if args == ["version"]:
            print(f"kind {world['kind_version']} go1.21.10 linux/amd64")
            return 0
        if not world["engine_running"]:
            print("ERROR: failed to list clusters: command \"docker ps -a\" failed", file=sys.stderr)
            return 1
        if args == ["get", "clusters"]:
            if not world["clusters"]:
                print("No kind clusters found.", file=sys.stderr)
            for name in world["clusters"]:
                print(name)
            return 0
        name = args[args.index("--name") + 1]
        if args[:2] == ["create", "cluster"]:
            print(f'Creating cluster "{name}" ...')
            if name in world["clusters"]:
                print(f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{name}"',
                      file=sys.stderr)
                return 1
            print(" ✓ Ensuring node image (kindest/node:v1.26.15) 🖼")
            if "--image" not in args or "--wait" not in args:
                print("fake kind: expected --image and --wait", file=sys.stderr)
                return 3
            world["clusters"].append(name)
            print(f'Set kubectl context to "kind-{name}"')
            return 0
        if args[:2] == ["delete", "cluster"]:
            print(f'Deleting cluster "{name}" ...')
            if name in world["clusters"]:
                world["clusters"].remove(name)
                print(f'Deleted nodes: ["{name}-control-plane"]')
            return 0
    print(f"fake kind: unexpected {args}", file=sys.stderr)
    return 3


def engine(bin_dir: str, tool: str, args: list[str]) -> int:
    with _locked(bin_dir) as world:
        if not world["engine_running"]:
            print(NOT_RUNNING[tool], file=sys.stderr)
            return 1
        if args[:1] == ["info"]:
            print(world["engine_memory"])
            return 0
        if args[:4] == ["ps", "-a", "-q", "--filter"] and args[4].startswith(f"label={LB_LABEL}="):
            cluster = args[4].split("=", 2)[2]
            for container in world["lb_containers"]:
                if container["cluster"] == cluster:
                    print(container["id"])
            return 0
        if args[:2] == ["rm", "-f"]:
            world["lb_containers"] = [c for c in world["lb_containers"] if c["id"] not in args[2:]]
            return 0
    print(f"fake {tool}: unexpected {args}", file=sys.stderr)
    return 3


def kubectl(bin_dir: str, args: list[str]) -> int:
    world = _read(bin_dir)
    context = args[1]
    name = context.removeprefix("kind-")
    if args[0] != "--context" or not context.startswith("kind-") or name not in world["clusters"]:
        print(f'error: context "{context}" does not exist', file=sys.stderr)
        return 1
    if args[2:4] == ["label", "node"]:
        print(f'label "{args[-1][:-1]}" not found.\nnode/{name}-control-plane not labeled')
        return 0
    if args[2:5] == ["get", "--raw", "/version"]:
        print('{"major": "1", "minor": "26", "gitVersion": "v1.26.15"}')
        return 0
    print(f"fake kubectl: unexpected {args}", file=sys.stderr)
    return 3


def cloud_provider_kind(bin_dir: str, args: list[str]) -> int:
    world = _read(bin_dir)
    if args == ["version"]:
        if world["lb_version_command"]:
            print("cloud-provider-kind v0.11.1")
            return 0
        print("Usage: cloud-provider-kind [subcommand] [options]", file=sys.stderr)
        return 1
    pid = os.getpid()

    def stop(signum: int, frame: object) -> None:
        with _locked(bin_dir) as world:
            world["processes"] = [p for p in world["processes"] if p["pid"] != pid]
            world["lb_containers"] = []  # the real one removes its load balancers on the way out
        print("Exiting: received signal", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    with _locked(bin_dir) as world:
        world["processes"].append({"pid": pid, "started": STARTED, "fake": True,
                                   "args": " ".join(["cloud-provider-kind", *args])})
    print("I1125 21:25:00 controller.go:60] FLAG: --gateway-channel", flush=True)
    while True:
        time.sleep(1)


def ps(bin_dir: str, args: list[str]) -> int:
    if args != ["-A", "-o", "pid=,lstart=,args="]:
        print(f"fake ps: unexpected {args}", file=sys.stderr)
        return 3
    world = _read(bin_dir)
    print(f"    1 {STARTED} /sbin/init")
    for process in world["processes"]:
        print(f"{process['pid']:>5} {process['started']} {process['args']}")
    return 0


def main(argv: list[str]) -> int:
    bin_dir, tool, args = argv[0], argv[1], argv[2:]
    _log(bin_dir, [tool, *args])
    world = _read(bin_dir)
    message = _failure(world, [tool, *args])
    if message is not None:
        print(message, file=sys.stderr)
        return 1
    if tool == "kind":
        return kind(bin_dir, args)
    if tool in ("docker", "podman"):
        return engine(bin_dir, tool, args)
    if tool == "kubectl":
        return kubectl(bin_dir, args)
    if tool == "cloud-provider-kind":
        return cloud_provider_kind(bin_dir, args)
    if tool == "ps":
        return ps(bin_dir, args)
    if tool == "pulumi":
        print("v3.231.0")
        return 0
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
