"""What the tools say when the world is not as they expect: the verifier's HTTP on a refused connection,
a name that does not resolve and a certificate that does not verify; its kubectl layer without kubectl,
on a timeout and without a matching pod; `python3 -m tools local` when `docker ps` fails, when `down`
fails halfway and on Ctrl-C. Loopback servers and fake executables only, each stopped by its test."""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.fakes import local_host
from tests.support.fakes.loopback import LoopbackServer
from tests.support.fakes.workshop import self_signed
from tools.local.cli import main as local_main
from tools.local.host import Host, Result
from tools.local.steps import create_command
from tools.local.topology import NODE_IMAGE
from tools.verify import verdicts as v
from tools.verify.checks import checks_for
from tools.verify.http import Tls, pinned_tls, request, system_tls
from tools.verify.kube import CommandResult, Kube, run_command
from tools.verify.outputs import parse_outputs
from tools.verify.probe import Probe
from tools.verify.runner import FAIL, SKIP, run_checks

# --- the verifier's HTTP ---------------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


def test_a_refused_connection_names_the_address_nothing_listens_on() -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}/productpage"
    response = request("GET", url, timeout=5)
    assert (response.status, response.error) == (0, f"connection refused by 127.0.0.1:{port}: nothing listens there")
    assert response.describe() == f"no response from {url}: connection refused by 127.0.0.1:{port}: nothing listens there"
    assert v.status_is(response, 200).detail == (f"expected 200, got no response from {url}: connection refused by "
                                                 f"127.0.0.1:{port}: nothing listens there")
    assert not v.status_is(response, 200).ok


def test_a_refused_port_forward_is_named_not_the_url_it_stands_in_for() -> None:
    # `--keycloak-via 127.0.0.1:PORT` with no `kubectl port-forward` running: the URL's host is not
    # what refused, the forward's address is.
    port = closed_port()
    response = request("POST", "http://keycloak.example:8080/realms/workshop/protocol/openid-connect/token",
                       timeout=5, connect_to=("127.0.0.1", port))
    assert response.error == (f"connection refused by 127.0.0.1:{port} (where keycloak.example:8080 is reached "
                              "through): nothing listens there")


def test_a_host_name_that_does_not_resolve_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def unresolvable(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)  # no resolver is asked
    for url in ("https://gw1.example.invalid/productpage", "http://gw1.example.invalid:8080/productpage"):
        response = request("GET", url, timeout=5, tls=system_tls())
        assert (response.status, response.error) == (
            0, "cannot resolve the host name 'gw1.example.invalid': Name or service not known")
    assert asked == ["gw1.example.invalid", "gw1.example.invalid"]


class TlsServer(LoopbackServer):
    """A loopback HTTPS server presenting `cert`; it records each request that got through the handshake."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.requests: list[bytes] = []
        super().__init__()

    def handle(self, connection: socket.socket) -> None:
        connection.settimeout(2)
        try:
            with self.context.wrap_socket(connection, server_side=True) as tls:
                self.requests.append(tls.recv(65536))
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        except (ssl.SSLError, OSError):
            pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TlsServer]:
    server = TlsServer(*self_signed(tmp_path / "served", ip_san="127.0.0.1"))
    yield server
    server.stop()
    assert not server.thread.is_alive()


def test_a_server_without_the_pinned_certificate_fails_the_handshake_naming_the_pin(tls_server: TlsServer,
                                                                                    tmp_path: Path) -> None:
    other = self_signed(tmp_path / "other")[0].read_text()
    response = request("GET", f"https://127.0.0.1:{tls_server.port}/productpage", timeout=5, tls=pinned_tls(other))
    assert (response.status, response.error) == (0, (
        f"TLS handshake with 127.0.0.1:{tls_server.port} failed: certificate verify failed: self-signed certificate "
        "(CERTIFICATE_VERIFY_FAILED), verified against the gateway certificate of the stack outputs"))
    assert tls_server.requests == []


def test_a_self_signed_server_fails_against_the_system_roots(tls_server: TlsServer) -> None:
    response = request("GET", f"https://127.0.0.1:{tls_server.port}/", timeout=5, tls=system_tls())
    assert response.error == (f"TLS handshake with 127.0.0.1:{tls_server.port} failed: certificate verify failed: "
                              "self-signed certificate (CERTIFICATE_VERIFY_FAILED), verified against the system's "
                              "trusted roots")
    assert tls_server.requests == []


def test_a_certificate_for_another_address_fails_the_host_name_check(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "elsewhere", ip_san="127.0.0.2")
    server = TlsServer(cert, key)
    try:
        context = ssl.create_default_context(cafile=str(cert))
        response = request("GET", f"https://127.0.0.1:{server.port}/", timeout=5, tls=Tls(context, name="its own CA"))
        assert response.error == (f"TLS handshake with 127.0.0.1:{server.port} failed: certificate verify failed: "
                                  "IP address mismatch, certificate is not valid for '127.0.0.1'. "
                                  "(CERTIFICATE_VERIFY_FAILED), verified against its own CA")
        assert server.requests == []
        assert request("GET", f"https://127.0.0.2:{server.port}/", timeout=5,
                       tls=Tls(context)).error.startswith("connection refused by 127.0.0.2")
    finally:
        server.stop()


def test_the_trusted_server_answers(tls_server: TlsServer, tmp_path: Path) -> None:
    # The same server and client with the right pin: the failures above are the certificate's.
    served = (tmp_path / "served" / "tls.crt").read_text()
    response = request("GET", f"https://127.0.0.1:{tls_server.port}/", timeout=5, tls=pinned_tls(served))
    assert (response.status, response.body) == (200, "ok")
    assert len(tls_server.requests) == 1


# --- the verifier's kubectl ------------------------------------------------------------------------


def outputs(*features: str) -> Any:
    return parse_outputs({
        "features": list(features), "managementCluster": "mgmt", "workloadClusters": ["cluster1", "cluster2"],
        "mgmtServerEndpoint": "mgmt.example:9900",
        "gatewayEndpoints": {"cluster1": {"http": "gw1.example:80", "https": "gw1.example:443"},
                             "cluster2": {"http": "gw2.example:80", "https": "gw2.example:443"}}})


def executable(path: Path, script: str) -> Path:
    path.write_text(script)
    path.chmod(0o755)
    return path


def test_without_kubectl_every_kubectl_check_is_skipped_naming_the_binary(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    called: list[Sequence[str]] = []

    def runner(argv: Sequence[str], timeout: float) -> CommandResult:
        called.append(argv)
        return CommandResult(0, "", "")

    assert Kube(runner=runner).unavailable("cluster1") == "kubectl (kubectl) is not installed or not on PATH"
    missing = tmp_path / "bin" / "kubectl"
    assert Kube(kubectl=str(missing), runner=runner).unavailable("cluster1") == (
        f"kubectl ({missing}) is not installed or not on PATH")
    assert called == []
    o = outputs("gateway", "zero-trust")
    kubectl_checks = [c for c in checks_for(o) if c.name.endswith("(kubectl)")]
    results = run_checks(kubectl_checks, Probe(o, Kube(runner=runner)), timeout=0, interval=0)
    assert {(r.status, r.detail) for r in results} == {(SKIP, "kubectl (kubectl) is not installed or not on PATH")}


def test_kubectl_gone_after_the_probe_is_a_failed_command_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "kubectl"
    assert run_command([str(missing), "version"], 5) == CommandResult(
        127, "", f"[Errno 2] No such file or directory: '{missing}'")


def test_a_kubectl_that_hangs_is_killed_at_the_timeout_and_named(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    kubectl = executable(tmp_path / "kubectl", f"#!/bin/sh\necho $$ > '{pid_file}'\nexec sleep 30\n")
    began = time.monotonic()
    result = run_command([str(kubectl), "--context", "cluster1", "get", "--raw", "/version"], 0.5)
    assert time.monotonic() - began < 5
    assert result == CommandResult(124, "", "kubectl timed out after 0.5 s")
    pid = int(pid_file.read_text())
    assert not os.path.exists(f"/proc/{pid}"), "the hung kubectl is still running"

    kube = Kube(kubectl=str(kubectl), runner=lambda argv, timeout: run_command(argv, 0.5))
    assert kube.unavailable("cluster1") == ("kube context 'cluster1' of cluster 'cluster1' is not reachable: "
                                            "kubectl timed out after 0.5 s")
    assert not os.path.exists(f"/proc/{int(pid_file.read_text())}")


def zero_trust_check(name: str) -> Any:
    o = outputs("gateway", "httpbin-workspace", "zero-trust")
    return o, next(c for c in checks_for(o) if c.name == name)


def kube_answering(tmp_path: Path, answer: Any) -> Kube:
    """A Kube whose every kubectl call (after the /version probe) is answered by `answer(args)`."""
    kubectl = executable(tmp_path / "kubectl", "#!/bin/sh\nexit 0\n")

    def runner(argv: Sequence[str], timeout: float) -> CommandResult:
        args = list(argv[3:])
        if args[:3] == ["get", "--raw", "/version"]:
            return CommandResult(0, '{"gitVersion": "v1.29.0"}', "")
        return answer(args)

    return Kube(kubectl=str(kubectl), runner=runner)


def test_a_timed_out_in_cluster_request_fails_the_check_naming_kubectl(tmp_path: Path) -> None:
    def answer(args: list[str]) -> CommandResult:
        if "pods" in args:
            return CommandResult(0, "in-mesh-7d9c-abcde", "")
        return CommandResult(124, "", "kubectl timed out after 60 s")

    o, check = zero_trust_check("in-mesh → reviews denied 403 (kubectl)")
    [result] = run_checks([check], Probe(o, kube_answering(tmp_path, answer)), timeout=0, interval=0)
    assert (result.status, result.detail) == (
        FAIL, "expected 403, the in-cluster request printed ''; stderr: 'kubectl timed out after 60 s'")


def test_no_matching_pod_fails_the_check_saying_so(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def answer(args: list[str]) -> CommandResult:
        calls.append(args)
        return CommandResult(0, "", "")  # kubectl lists no pod

    o, check = zero_trust_check("not-in-mesh → reviews cannot connect (000) (kubectl)")
    [result] = run_checks([check], Probe(o, kube_answering(tmp_path, answer)), timeout=0, interval=0)
    assert (result.status, result.detail) == (
        FAIL, "expected 000, the in-cluster request printed ''; stderr: 'no pod with app=not-in-mesh in httpbin on "
              "cluster1: is the lab deployed and its pods running?'")
    assert calls == [["-n", "httpbin", "get", "pods", "-l", "app=not-in-mesh", "-o",
                      "jsonpath={.items[*].metadata.name}"]], "no debug container without a pod"


def test_a_pod_list_kubectl_refuses_is_its_error_not_a_missing_pod(tmp_path: Path) -> None:
    forbidden = ('Error from server (Forbidden): pods is forbidden: User "dev" cannot list resource "pods" in API '
                 'group "" in the namespace "httpbin"')
    kube = kube_answering(tmp_path, lambda args: CommandResult(1, "", forbidden + "\n"))
    assert kube.pod_name("cluster1", "httpbin", "in-mesh") == CommandResult(
        1, "", f"listing the pods with app=in-mesh in httpbin on cluster1 failed: {forbidden[:200]}")
    first = kube_answering(tmp_path, lambda args: CommandResult(0, "in-mesh-1 in-mesh-2", ""))
    assert first.pod_name("cluster1", "httpbin", "in-mesh") == "in-mesh-1"


# --- python3 -m tools local ------------------------------------------------------------------------

GIB_KB = 1024 * 1024


class Machine:
    """`python3 -m tools local` against the fake executables (tests/support/fakes/local_host.py)."""

    def __init__(self, tmp_path: Path, world: dict[str, Any] | None = None, host: type[Host] = Host) -> None:
        bin_dir = tmp_path / "bin"
        local_host.install(bin_dir, world)
        self.world = local_host.World(bin_dir)
        root = tmp_path / "repo"
        (root / "stacks").mkdir(parents=True)
        meminfo = tmp_path / "meminfo"
        meminfo.write_text(f"MemAvailable:   {16 * GIB_KB} kB\n")
        inotify = tmp_path / "inotify"
        inotify.mkdir()
        (inotify / "max_user_watches").write_text("524288\n")
        (inotify / "max_user_instances").write_text("512\n")
        self.lines: list[str] = []
        self.host = host(root=root, environ={"PATH": str(bin_dir), "HOME": str(tmp_path)}, meminfo=meminfo,
                         inotify=inotify, platform="linux", kernel_release="6.8.0-45-generic", settle_seconds=0.05,
                         stop_seconds=5, say=self.lines.append)

    def __call__(self, *argv: str) -> int:
        self.lines.clear()
        return local_main(list(argv), self.host)

    def state(self) -> Any:
        return json.loads(self.host.state_file.read_text()) if self.host.state_file.exists() else None


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    m = Machine(tmp_path)
    yield m
    m.world.kill_background()


def test_down_stops_when_docker_ps_fails_and_a_second_down_removes_the_containers_left(machine: Machine) -> None:
    # cloud-provider-kind crashed: its load balancers stay behind, and `down` must remove them.
    assert machine("up", "--topology", "single") == 0, "\n".join(machine.lines)
    machine.world.kill_background()
    machine.world.update(processes=[], lb_containers=[{"id": "c0ffee", "cluster": "cluster1"}],
                         fail={"docker ps": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
                                            "Is the docker daemon running?"})
    assert machine("down") == 1
    assert machine.lines[-3:] == [
        "[2/3] remove load-balancer containers left for cluster1",
        machine.lines[-2].split(": `docker ps`")[0] + ": `docker ps` failed: Cannot connect to the Docker daemon at "
        "unix:///var/run/docker.sock. Is the docker daemon running?",
        "`python3 -m tools local down` again carries on from here."]
    assert machine.lines[-2].startswith("      FAILED after ")
    assert machine.world.read()["clusters"] == []  # the delete before it was done
    # ... and cluster1 stays in the state until its load balancers are gone.
    assert machine.state() == {"topology": "single", "clusters": ["cluster1"], "load_balancer": None,
                               "stack_file_written": True}
    machine.world.update(fail={})
    machine.world.clear_calls()
    assert machine("down") == 0, "\n".join(machine.lines)
    assert "cluster cluster1: not there (its creation did not finish, or it was deleted)" in machine.lines
    assert machine.world.commands() == ["docker rm -f c0ffee"]
    assert machine.world.read()["lb_containers"] == []
    assert machine.state() is None


def test_down_that_fails_halfway_keeps_what_is_left_and_carries_on_from_there(tmp_path: Path) -> None:
    m = Machine(tmp_path)
    try:
        assert m("up") == 0
        m.world.kill_background()  # cloud-provider-kind crashed: the load balancers of cluster2 stay behind
        m.world.update(processes=[], lb_containers=[{"id": "c0ffee", "cluster": "cluster2"}],
                       fail={"kind delete cluster --name cluster1": "ERROR: failed to delete cluster \"cluster1\": "
                                                                    "permission denied"})
        m.world.clear_calls()
        assert m("down") == 1
        assert m.world.commands() == ["kind delete cluster --name cluster2", "kind delete cluster --name cluster1"]
        assert m.lines[-3:] == ['      ERROR: failed to delete cluster "cluster1": permission denied',
                                m.lines[-2].split(": `kind")[0] + ": `kind delete cluster --name …` exited with status 1",
                                "`python3 -m tools local down` again carries on from here."]
        assert m.lines[-2].startswith("      FAILED after ")
        # cluster2 is deleted, but its load balancers are not removed yet: it stays in the state.
        assert m.state() == {"topology": "three", "clusters": ["mgmt", "cluster1", "cluster2"], "load_balancer": None,
                             "stack_file_written": True}
        assert m.world.read()["clusters"] == ["mgmt", "cluster1"]
        m.world.update(fail={})
        m.world.clear_calls()
        assert m("down") == 0, "\n".join(m.lines)
        assert m.world.commands() == ["kind delete cluster --name cluster1", "kind delete cluster --name mgmt",
                                      "docker rm -f c0ffee"]
        assert m.state() is None and m.world.read()["clusters"] == [] and m.world.read()["lb_containers"] == []
    finally:
        m.world.kill_background()


class InterruptedHost(Host):
    """Ctrl-C while `kind create cluster --name cluster1` runs."""

    def run(self, argv: tuple[str, ...], echo: Any = None) -> Result:
        if argv[:5] == ("kind", "create", "cluster", "--name", "cluster1"):
            raise KeyboardInterrupt
        return super().run(argv, echo)


def test_ctrl_c_during_up_says_how_to_go_on_and_keeps_the_half_made_cluster(tmp_path: Path) -> None:
    m = Machine(tmp_path, host=InterruptedHost)
    try:
        assert m("up") == 130
        assert m.lines[-3:-1] == ["[3/8] create kind cluster cluster1 (context kind-cluster1)",
                                  f"      $ {' '.join(create_command('cluster1', NODE_IMAGE))}"]
        assert m.lines[-1] == ("interrupted: `python3 -m tools local up` again carries on; what was created so far is "
                               "in .local/state.json, and `python3 -m tools local down` removes it")
        # cluster1 is recorded before its creation runs: a half-made cluster is `up`'s to remove.
        assert m.state() == {"topology": "three", "clusters": ["mgmt", "cluster1"], "load_balancer": None,
                             "stack_file_written": False}
    finally:
        m.world.kill_background()


class InterruptedDown(Host):
    """Ctrl-C while `kind delete cluster --name cluster1` runs."""

    def run(self, argv: tuple[str, ...], echo: Any = None) -> Result:
        if argv[:5] == ("kind", "delete", "cluster", "--name", "cluster1"):
            raise KeyboardInterrupt
        return super().run(argv, echo)


def test_ctrl_c_during_down_keeps_the_clusters_not_yet_deleted(tmp_path: Path) -> None:
    m = Machine(tmp_path, {"clusters": [], "fail": {}}, host=InterruptedDown)
    try:
        assert m("up") == 0
        assert m("down") == 130
        assert m.lines[-1] == ("interrupted: `python3 -m tools local down` again carries on; what was created so far "
                               "is in .local/state.json, and `python3 -m tools local down` removes it")
        # cluster2 is deleted, its load balancers not yet looked for: the state keeps it, with the two left.
        assert m.state()["clusters"] == ["mgmt", "cluster1", "cluster2"]
        assert m.world.read()["clusters"] == ["mgmt", "cluster1"]
    finally:
        m.world.kill_background()
