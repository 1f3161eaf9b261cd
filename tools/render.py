"""Offline render: what a stack would deploy, without a cluster or the Pulumi CLI.

    python -m tools.render dev --out render/dev
    python -m tools.render stacks/base.yaml --out render/base

Evaluates the stack's config through the real program under the Pulumi mock runtime
(`tools.simulate`) and writes:

- `<cluster>.yaml` per cluster: every Kubernetes object as it would be applied, and each Helm
  release as a document of kind `HelmRelease` (chart, version, repository, namespace, values);
- `generated.yaml`: what the program generates itself (passwords, keys, certificates), by type;
- `graph.mmd`: the dependency graph (Mermaid), explicit and property dependencies;
- `summary.md`: resources per cluster and kind, and the stack outputs;
- `outputs.json`: the stack outputs;
- `policy.md`: the policy rules (`policy/rules.py`, the same as the CrossGuard pack) over the stack;
- `rbac-<cluster>.yaml` per cluster: the least-privilege ServiceAccount, ClusterRole and Roles that
  `pulumi up` / `pulumi destroy` of the stack need there (`tools/rbac.py`, docs/security.md).

Secret values are written as `[secret]`. The same input gives byte-identical output. A bad
config prints the same message `pulumi up` would and exits with status 2; a mandatory policy
violation is printed and exits with status 1 (the render is still written).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from components.core.config import ConfigError
from tools import rbac
from tools.graph import Graph
from tools.policy_check import check_simulation, report
from tools.simulate import (
    Record,
    Secret,
    Simulation,
    Unknown,
    simulate,
    stack_config,
    stack_file,
    with_fake_license,
)

REDACTED = "[secret]"
COMPUTED = "[known after deploy]"
PLATFORM_TYPE_PREFIX = "gloo-mesh-workshop:"


def redact(value: Any) -> Any:
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, Unknown):
        return COMPUTED
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def document(record: Record) -> dict[str, Any]:
    """The YAML document of one declared resource, secrets redacted."""
    inputs = redact(record.inputs)
    if record.type == "kubernetes:helm.sh/v3:Release":
        return {
            "kind": "HelmRelease",
            "name": inputs.get("name"),
            "namespace": inputs.get("namespace"),
            "chart": inputs.get("chart"),
            "version": inputs.get("version"),
            "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
            "timeoutSeconds": inputs.get("timeout"),
            "values": _sorted(inputs.get("values") or {}),
        }
    if record.type.startswith("kubernetes:"):
        doc = {k: inputs[k] for k in ("apiVersion", "kind", "metadata") if k in inputs}
        doc.update({k: v for k, v in inputs.items() if k not in doc and k != "__defaults"})
        return doc
    # Non-Kubernetes resources (generated passwords, keys, certificates) by type and inputs.
    return {"pulumiType": record.type, "name": record.name,
            "inputs": {k: v for k, v in inputs.items() if k != "__defaults"}}


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _sort_key(record: Record) -> tuple[str, ...]:
    return (record.type, record.namespace or "", record.k8s_name or "", record.name)


def declared(sim: Simulation) -> list[Record]:
    return [r for r in sim.records if r.custom and not r.read and not r.type.startswith("pulumi:providers:")]


def cluster_of(record: Record) -> str:
    """The file a resource is written to: its cluster, or `generated` for what the program generates
    itself (passwords, keys, certificates) and applies to no cluster."""
    return record.cluster or "generated"


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_all(docs: Iterable[dict[str, Any]]) -> str:
    return yaml.dump_all(list(docs), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)


def mermaid(sim: Simulation) -> str:
    """Resources as nodes grouped by cluster, edges from each resource to what it waits for."""
    records = declared(sim)
    ids = {r.urn: f"r{i}" for i, r in enumerate(sorted(records, key=lambda r: (cluster_of(r), *_sort_key(r))))}
    by_cluster: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_cluster[cluster_of(r)].append(r)
    lines = ["flowchart LR"]
    for cluster in sorted(by_cluster):
        lines.append(f"  subgraph {cluster}")
        for r in sorted(by_cluster[cluster], key=_sort_key):
            label = f"{r.kind} {r.namespace + '/' if r.namespace else ''}{r.k8s_name or r.name}"
            lines.append(f'    {ids[r.urn]}["{label}"]')
        lines.append("  end")
    graph = Graph.from_records(sim.records)
    edges = set()
    for r in records:
        for dep in graph.dependencies(r.urn):
            if dep in ids:
                edges.add((ids[r.urn], ids[dep]))
    lines.extend(f"  {a} --> {b}" for a, b in sorted(edges, key=lambda e: (int(e[0][1:]), int(e[1][1:]))))
    return "\n".join(lines) + "\n"


def waits_for(sim: Simulation, record: Record) -> set[str]:
    """The resources `record` depends on directly, components expanded to the resources under them
    (Pulumi waits for a component's children). Building the graph once (`tools.graph.Graph`) is
    cheaper when asking for many records."""
    return set(Graph.from_records(sim.records).dependencies(record.urn))


def summary(sim: Simulation, stack: str, fake_license: bool) -> str:
    records = declared(sim)
    counts = Counter((cluster_of(r), r.kind) for r in records)
    clusters = sorted({c for c, _ in counts})
    lines = [f"# Render of stack `{stack}`", ""]
    if fake_license:
        lines += ["The stack has no readable license key here; a fake one was used for this render.", ""]
    lines += [f"{len(records)} resources.", "", "| cluster | kind | count |", "|---|---|---|"]
    for cluster in clusters:
        for (c, kind), n in sorted(counts.items()):
            if c == cluster:
                lines.append(f"| {cluster} | {kind} | {n} |")
    lines += ["", "## Stack outputs", "", "```json", json.dumps(redact(sim.outputs), indent=2, sort_keys=True), "```", ""]
    return "\n".join(lines)


def render(stack: str, out: Path) -> Simulation:
    path = stack_file(stack)
    config, fake_license = with_fake_license(stack_config(path))
    if fake_license:
        print(f"note: {path.name} has no readable licenseKey; rendering with a fake license", file=sys.stderr)
    sim = simulate(config)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    by_cluster: dict[str, list[Record]] = defaultdict(list)
    for r in declared(sim):
        by_cluster[cluster_of(r)].append(r)
    for cluster, records in sorted(by_cluster.items()):
        (out / f"{cluster}.yaml").write_text(dump_all(document(r) for r in sorted(records, key=_sort_key)))
    (out / "graph.mmd").write_text(mermaid(sim))
    (out / "summary.md").write_text(summary(sim, stack, fake_license))
    (out / "outputs.json").write_text(json.dumps(redact(sim.outputs), indent=2, sort_keys=True) + "\n")
    (out / "policy.md").write_text(report(check_simulation(sim), stack))
    for cluster in rbac.clusters(sim):
        (out / f"rbac-{cluster}.yaml").write_text(rbac.header(sim, cluster, stack)
                                                   + dump_all(rbac.documents(sim, cluster)))
    return sim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="stack name (dev → Pulumi.dev.yaml) or a stack config file (stacks/x.yaml)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the render to")
    args = parser.parse_args(argv)
    path = stack_file(args.stack)
    if not path.is_file():
        print(f"error: no stack config file {path}", file=sys.stderr)
        return 2
    try:
        sim = render(args.stack, args.out)
    except ConfigError as error:
        print(f"error: {path.name}: {error}", file=sys.stderr)
        return 2
    print(f"rendered {len(declared(sim))} resources of {path.name} to {args.out}")
    for warning in rbac.version_warnings(sim):
        print(f"warning: {path.name}: {warning}", file=sys.stderr)
    violations = check_simulation(sim)
    for violation in violations:
        print(violation.line(), file=sys.stderr)
    if any(v.mandatory for v in violations):
        print(f"error: {path.name}: mandatory policy violations (see {args.out / 'policy.md'})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
