"""The thin part that touches the machine: commands, the background cloud-provider-kind, the state file,
and what the prerequisites look at. Every path and the clock are fields, so tests run it against fake
executables and fake /proc files.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from offline import ROOT
from tools.local.prerequisites import (
    ENGINES,
    INOTIFY_MINIMUM,
    TOOLS,
    Facts,
    engine_for,
    load_balancer_needs_root,
    parse_meminfo,
)
from tools.local.steps import (
    CLOUD_PROVIDER_KIND,
    PS_COMMAND,
    LoadBalancerProcess,
    Process,
    State,
    cloud_provider_kind_command,
    is_cloud_provider_kind,
    parse_kind_clusters,
    parse_kind_version,
    parse_ps,
)

#: `{{.MemTotal}}` of `docker info` / `{{.Host.MemTotal}}` of `podman info`: the engine's memory in bytes.
ENGINE_INFO = {
    "docker": ("docker", "info", "--format", "{{.MemTotal}}"),
    "podman": ("podman", "info", "--format", "{{.Host.MemTotal}}"),
}
#: Processes `start` left running, kept so they are not reported as leaked while this process lives.
_BACKGROUND: list[subprocess.Popen[bytes]] = []


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def error(self) -> str:
        """The first line that says what went wrong."""
        lines = [line.strip() for line in (self.stderr or self.stdout).splitlines() if line.strip()]
        return lines[0] if lines else f"exit status {self.code}"


@dataclass
class Host:
    root: Path = ROOT
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    meminfo: Path = Path("/proc/meminfo")
    inotify: Path = Path("/proc/sys/fs/inotify")
    platform: str = sys.platform
    kernel_release: str = field(default_factory=lambda: os.uname().release)
    #: how long a freshly started cloud-provider-kind must stay up to count as started
    settle_seconds: float = 2.0
    #: how long `down` waits for cloud-provider-kind to clean up and exit before it kills it
    stop_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    say: Callable[[str], None] = print

    # --- files ---------------------------------------------------------------------------------------

    @property
    def state_dir(self) -> Path:
        return self.root / ".local"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def load_balancer_log(self) -> Path:
        return self.state_dir / "cloud-provider-kind.log"

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def load_state(self) -> State:
        """What `up` recorded; StateError when the file is not what it writes."""
        if not self.state_file.exists():
            return State()
        return State.from_json(self.state_file.read_text())

    def save_state(self, state: State) -> None:
        if state.empty:
            self.state_file.unlink(missing_ok=True)
            return
        self.state_dir.mkdir(exist_ok=True)
        self.state_file.write_text(state.to_json())

    def read_text(self, relative: str) -> str | None:
        path = self.root / relative
        return path.read_text() if path.exists() else None

    # --- commands ------------------------------------------------------------------------------------

    def which(self, name: str) -> str | None:
        return shutil.which(name, path=self.environ.get("PATH", ""))

    def run(self, argv: tuple[str, ...], echo: Callable[[str], None] | None = None) -> Result:
        """Run a command; with `echo`, hand it each line of output as it comes (stderr merged in)."""
        if self.which(argv[0]) is None:
            return Result(127, "", f"{argv[0]}: not on PATH")
        if echo is None:
            done = subprocess.run(argv, capture_output=True, text=True, env=dict(self.environ), check=False)
            return Result(done.returncode, done.stdout, done.stderr)
        lines = []
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              text=True, env=dict(self.environ)) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                echo(line.rstrip("\n"))
        return Result(proc.returncode, "".join(lines), "")

    # --- processes -----------------------------------------------------------------------------------

    def processes(self) -> list[Process] | None:
        done = self.run(PS_COMMAND)
        return parse_ps(done.stdout) if done.ok else None

    def find(self, pid: int) -> Process | None:
        return next((p for p in self.processes() or [] if p.pid == pid), None)

    def start_load_balancer(self, argv: tuple[str, ...]) -> LoadBalancerProcess | str:
        """Start cloud-provider-kind detached, its output to the log; the process, or why it did not start."""
        self.state_dir.mkdir(exist_ok=True)
        with self.load_balancer_log.open("ab") as log:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=dict(self.environ), start_new_session=True)
        _BACKGROUND.append(proc)
        deadline = self.clock() + self.settle_seconds
        found: Process | None = None
        while True:
            if proc.poll() is not None:
                tail = self.load_balancer_log.read_text(errors="replace").strip().splitlines()[-5:]
                return f"it exited with status {proc.returncode}: " + " | ".join(tail)
            found = found or self.find(proc.pid)
            if found is not None and self.clock() >= deadline:
                return LoadBalancerProcess(pid=proc.pid, started=found.started,
                                           log=self.relative(self.load_balancer_log))
            if self.clock() >= deadline + 5:
                return f"pid {proc.pid} does not show in `ps`"
            time.sleep(0.05)

    def is_running(self, lb: LoadBalancerProcess, processes: list[Process]) -> bool:
        """Whether the process `up` started still runs: the same pid, start time and a cloud-provider-kind
        command line (`ps` shows the process's own argv), so a reused pid, or a state file naming another
        process, is never taken for it."""
        return any(p.pid == lb.pid and p.started == lb.started and is_cloud_provider_kind(p.args) for p in processes)

    def stop(self, lb: LoadBalancerProcess) -> str:
        """SIGTERM (cloud-provider-kind then removes its load-balancer containers), SIGKILL if it lingers;
        each signal only after `ps` shows that pid still is the cloud-provider-kind `up` started."""
        if not self.is_running(lb, self.processes() or []):
            return "it had exited"
        try:
            os.kill(lb.pid, signal.SIGTERM)
        except ProcessLookupError:
            return "it had exited"
        deadline = self.clock() + self.stop_seconds
        while self.clock() < deadline:
            if not self.is_running(lb, self.processes() or []):
                return "stopped"
            time.sleep(0.1)
        if not self.is_running(lb, self.processes() or []):
            return "stopped"
        try:
            os.kill(lb.pid, signal.SIGKILL)
        except ProcessLookupError:
            return "stopped"
        return f"killed: it did not exit within {self.stop_seconds:.0f} s of SIGTERM"

    # --- what the prerequisites look at --------------------------------------------------------------

    def inotify_limits(self) -> dict[str, int] | None:
        if not self.inotify.is_dir():
            return None
        return {key: int((self.inotify / key).read_text().split()[0])
                for key in INOTIFY_MINIMUM if (self.inotify / key).exists()}

    def memory_available(self) -> int | None:
        return parse_meminfo(self.meminfo.read_text()) if self.meminfo.exists() else None

    def facts(self, state: State, *, full: bool = True) -> tuple[Facts, tuple[str, ...], list[Process]]:
        """What the prerequisites need; also the command that would start cloud-provider-kind and the
        processes. `full=False` skips memory and inotify (`down` and `status` need neither)."""
        on_path = {name: self.which(name) is not None for name in (*ENGINES, *TOOLS)}
        engine = engine_for(self.environ, on_path)
        engine_error = engine_memory = None
        if engine is not None:
            info = self.run(ENGINE_INFO[engine])
            if info.ok:
                engine_memory = int(info.stdout.strip()) if info.stdout.strip().isdigit() else None
            else:
                engine_error = info.error()
        missing = frozenset(tool for tool in TOOLS if not on_path[tool])
        kind_version = existing = kind_error = None
        if "kind" not in missing:
            kind_version = parse_kind_version(self.run(("kind", "version")).stdout)
            if engine is not None and engine_error is None:
                listed = self.run(("kind", "get", "clusters"))
                if listed.ok:
                    existing = parse_kind_clusters(listed.stdout)
                else:
                    kind_error = listed.error()
        processes = (self.processes() or []) if "ps" not in missing else []
        running = [p for p in processes if is_cloud_provider_kind(p.args)
                   or (state.load_balancer is not None and self.is_running(state.load_balancer, [p]))]
        lb_command: tuple[str, ...] = ()
        if full and not running and "cloud-provider-kind" not in missing:
            lb_command = cloud_provider_kind_command(self.run((CLOUD_PROVIDER_KIND, "version")).ok)
        facts = Facts(
            engine=engine, engine_error=engine_error, engine_memory=engine_memory, missing=missing,
            kind_version=kind_version, existing=existing, kind_error=kind_error,
            memory_available=self.memory_available() if full else None,
            inotify=self.inotify_limits() if full else None,
            load_balancer_running=bool(running),
            load_balancer_needs_root=load_balancer_needs_root(self.platform, self.kernel_release),
        )
        return facts, lb_command, processes
