"""The optional kubectl layer for checks that only an in-cluster client can make.

Nothing here is assumed: a check that needs kubectl first asks `unavailable(cluster)`, and is
reported as skipped with that reason when kubectl is missing or the context does not answer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

# Pinned to a release tag (it runs inside the mesh, with the probed pod's identity); a digest needs
# a registry to resolve it (docs/verify.md).
CURL_IMAGE = "curlimages/curl:8.11.1"


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Sequence[str], float], CommandResult]


def run_command(argv: Sequence[str], timeout: float) -> CommandResult:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError as error:
        return CommandResult(127, "", str(error))
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
        return CommandResult(124, out, f"{os.path.basename(argv[0])} timed out after {timeout:g} s")
    return CommandResult(done.returncode, done.stdout, done.stderr)


class Kube:
    """kubectl against the context of each cluster (the cluster's name unless mapped otherwise)."""

    def __init__(self, contexts: Mapping[str, str] | None = None, kubectl: str = "kubectl",
                 runner: Runner = run_command, timeout: float = 60.0) -> None:
        self.contexts = dict(contexts or {})
        self.kubectl = kubectl
        self.runner = runner
        self.timeout = timeout
        self._reachable: dict[str, str | None] = {}

    def context(self, cluster: str) -> str:
        return self.contexts.get(cluster, cluster)

    def unavailable(self, cluster: str) -> str | None:
        """Why kubectl cannot reach `cluster` (None when it can); asked once per cluster."""
        if cluster not in self._reachable:
            self._reachable[cluster] = self._probe(cluster)
        return self._reachable[cluster]

    def _probe(self, cluster: str) -> str | None:
        if shutil.which(self.kubectl) is None:
            return f"kubectl ({self.kubectl}) is not installed or not on PATH"
        context = self.context(cluster)
        result = self.runner([self.kubectl, "--context", context, "get", "--raw", "/version",
                              "--request-timeout=10s"], 20.0)
        if result.returncode != 0:
            reason = (result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}")[:200]
            return f"kube context {context!r} of cluster {cluster!r} is not reachable: {reason}"
        return None

    def run(self, cluster: str, *args: str, timeout: float | None = None) -> CommandResult:
        return self.runner([self.kubectl, "--context", self.context(cluster), *args], timeout or self.timeout)

    def pod_name(self, cluster: str, namespace: str, app: str) -> str | CommandResult:
        """The first pod labelled app=`app`, or the failed result saying why there is none: no such pod,
        or kubectl's own error (a refused or failed list is not reported as a missing pod)."""
        result = self.run(cluster, "-n", namespace, "get", "pods", "-l", f"app={app}",
                          "-o", "jsonpath={.items[*].metadata.name}")
        if result.returncode != 0:
            reason = (result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}")[:200]
            return CommandResult(result.returncode, "", f"listing the pods with app={app} in {namespace} on "
                                                        f"{cluster} failed: {reason}")
        names = result.stdout.split()
        if not names:
            return CommandResult(1, "", f"no pod with app={app} in {namespace} on {cluster}: is the lab deployed "
                                        "and its pods running?")
        return names[0]

    def curl_code_from(self, cluster: str, namespace: str, app: str, url: str) -> CommandResult:
        """The workshop's probe: an ephemeral curl container in the pod's network namespace prints the status.

        It shares the pod's sidecar (if any), so the request carries that pod's mesh identity.
        """
        pod = self.pod_name(cluster, namespace, app)
        if isinstance(pod, CommandResult):
            return pod
        return self.run(cluster, "-n", namespace, "debug", "-i", "-q", pod, f"--image={CURL_IMAGE}", "--",
                        "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", url)

    def python_status_from(self, cluster: str, namespace: str, deployment: str, container: str,
                           url: str) -> CommandResult:
        """Status code of a request made by the app itself (bookinfo's productpage has python + requests)."""
        script = f"import requests; print(requests.get({url!r}, timeout=10).status_code)"
        return self.run(cluster, "-n", namespace, "exec", f"deploy/{deployment}", "-c", container, "--",
                        "python", "-c", script)

    def cacerts_root(self, cluster: str) -> str | None:
        result = self.run(cluster, "-n", "istio-system", "get", "secret", "cacerts",
                          "-o", r"jsonpath={.data.root-cert\.pem}")
        if result.returncode != 0:
            return None
        return result.stdout.strip() or None

    def sidecar_chain(self, cluster: str) -> CommandResult:
        """reviews-v1's sidecar connects to ratings with istio ALPN and prints the peer chain."""
        return self.run(cluster, "-n", "bookinfo-backends", "exec", "deploy/reviews-v1", "-c", "istio-proxy", "--",
                        "openssl", "s_client", "-showcerts", "-connect", "ratings:9080", "-alpn", "istio")
