"""Stand-ins for what `python3 -m tools local` runs: `kind`, `docker`, `podman`, `kubectl`, `cloud-provider-kind`,
`ps` and `pulumi`, executables answering from one JSON world and logging every call.

`install(bin_dir, world)` writes the world (`world.json`) and one wrapper per tool into `bin_dir`;
`World` reads it back with the log of calls (`calls.jsonl`: one `[tool, arg, ...]` per line).
The fake `cloud-provider-kind` really runs in the background until SIGTERM, and shows itself in the
fake `ps` while it does, like the real one. No container engine, no network.

World keys: `clusters` (kind clusters there are), `engine_running`, `engine_memory` (bytes),
`kind_version`, `lb_version_command` (true: a cloud-provider-kind with a `version` subcommand,
v0.11+), `fail` (`"kind create cluster --name X"`-style prefixes of calls that fail, with the
message), `processes` (what `ps` lists besides the fake cloud-provider-kind), `lb_containers`
(`{"id": ..., "cluster": ...}` load-balancer containers of cloud-provider-kind).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import sys
from pathlib import Path
from typing import Any

from tests.support.fakes import local_executables
from tests.support.fakes.local_executables import STARTED, _locked

__all__ = ["STARTED", "TOOLS", "World", "install"]

TOOLS = ("kind", "docker", "podman", "kubectl", "cloud-provider-kind", "ps", "pulumi")


def default_world() -> dict[str, Any]:
    return {"clusters": [], "engine_running": True, "engine_memory": 32 * 1024 ** 3, "kind_version": "v0.23.0",
            "lb_version_command": False, "fail": {}, "processes": [], "lb_containers": []}


def install(bin_dir: Path, world: dict[str, Any] | None = None, tools: tuple[str, ...] = TOOLS) -> None:
    """The world and one executable per tool (a Python script, no shell in between: calls stay cheap)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "world.json").write_text(json.dumps({**default_world(), **(world or {})}))
    fakes = Path(local_executables.__file__).parent
    for tool in tools:
        wrapper = bin_dir / tool
        wrapper.write_text(f"#!{sys.executable} -IS\nimport sys\nsys.path.insert(0, {str(fakes)!r})\n"
                           f"from local_executables import main\n"
                           f"sys.exit(main([{str(bin_dir)!r}, {tool!r}, *sys.argv[1:]]))\n")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)


class World:
    """The test's view: the world now, and the calls made so far."""

    def __init__(self, bin_dir: Path) -> None:
        self.dir = bin_dir

    def read(self) -> dict[str, Any]:
        return json.loads((self.dir / "world.json").read_text())

    def update(self, **changes: Any) -> None:
        with _locked(str(self.dir)) as world:
            world.update(changes)

    def calls(self) -> list[list[str]]:
        log = self.dir / "calls.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def commands(self) -> list[str]:
        """The calls as command lines, without the read-only probes (info, version, get, ps)."""
        return [" ".join(call) for call in self.calls() if not _probe(call)]

    def clear_calls(self) -> None:
        (self.dir / "calls.jsonl").unlink(missing_ok=True)

    def kill_background(self) -> None:
        """End any fake cloud-provider-kind a test left running."""
        for process in self.read()["processes"]:
            if process.get("fake"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process["pid"], signal.SIGKILL)


def _probe(call: list[str]) -> bool:
    tool, args = call[0], call[1:]
    return (tool == "ps" or args[:1] in (["info"], ["version"]) or args[:2] == ["get", "clusters"]
            or "get" in args or args[:2] == ["ps", "-a"])


