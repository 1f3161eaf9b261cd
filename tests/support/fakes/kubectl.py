"""A stand-in `kubectl` for the verifier's in-cluster checks, answering from a JSON spec.

The spec (path in FAKE_KUBECTL_SPEC) says which contexts answer and what each in-cluster probe
prints; `install(directory, spec)` writes an executable wrapper and returns its path.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

#: What a zero-trust, root-trusted workshop answers.
RIGHT: dict[str, Any] = {
    "contexts": ["cluster1", "cluster2"],
    "roots": {"cluster1": "LS0tcm9vdA==", "cluster2": "LS0tcm9vdA=="},
    "issuer": {"cluster1": "gloo-mesh", "cluster2": "gloo-mesh"},
    "curl": {"not-in-mesh": "000", "in-mesh": "403"},
    "python": {"details": "200", "reviews": "200", "ratings": "403"},
}


def install(directory: Path, spec: dict[str, Any]) -> Path:
    spec_path = directory / "kubectl-spec.json"
    spec_path.write_text(json.dumps(spec))
    wrapper = directory / "kubectl"
    wrapper.write_text(f"#!/bin/sh\nFAKE_KUBECTL_SPEC='{spec_path}' exec '{sys.executable}' -I -S '{__file__}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


def main(argv: list[str]) -> int:
    spec = json.loads(Path(os.environ["FAKE_KUBECTL_SPEC"]).read_text())
    if argv[:1] != ["--context"]:
        print("error: the verifier must name a context", file=sys.stderr)
        return 2
    context, rest = argv[1], argv[2:]
    if context not in spec["contexts"]:
        print(f'error: context "{context}" does not exist', file=sys.stderr)
        return 1
    if rest[:3] == ["get", "--raw", "/version"]:
        print('{"gitVersion": "v1.29.0"}')
        return 0
    if "pods" in rest:
        app = next(a for a in rest if a.startswith("app=")).removeprefix("app=")
        print(f"{app}-7d9c-abcde", end="")
        return 0
    if "debug" in rest:
        pod = rest[rest.index("debug") + 3]
        app = pod.rsplit("-", 2)[0]
        code = spec["curl"].get(app, "000")
        print(code, end="")
        return 0 if code != "000" else 56
    if "exec" in rest and "python" in rest:
        service = re.search(r"http://([a-z]+)\.", rest[-1]).group(1)  # type: ignore[union-attr]
        print(spec["python"][service])
        return 0
    if "cacerts" in rest:
        root = spec["roots"].get(context)
        if root is None:
            print('Error from server (NotFound): secrets "cacerts" not found', file=sys.stderr)
            return 1
        print(root, end="")
        return 0
    if "openssl" in rest:
        issuer = spec["issuer"][context]
        print(f"CONNECTED(00000003)\n---\nCertificate chain\n 0 s:\n   i:O = {issuer}\n 1 s:O = {issuer}\n   i:O = {issuer}\n")
        print("depth=2 O = gloo-mesh\nverify error", file=sys.stderr)
        return 0
    print(f"fake kubectl: unexpected {rest}", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
