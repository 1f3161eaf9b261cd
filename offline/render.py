"""Offline render: what a stack would deploy, without a cluster or the Pulumi CLI.

    gmw render dev --out render/dev
    gmw render stacks/base.yaml --out render/base

Evaluates the stack's config through the real program under the Pulumi mock runtime
(`offline.runtime`) and writes:

- `<cluster>.yaml` per cluster: every Kubernetes object as it would be applied, and nothing else
  (valid input for `kubectl apply -f` / `kubectl kustomize`);
- `<cluster>.helm-releases.yaml` per cluster with Helm releases: not Kubernetes objects, so one
  YAML document of its own shape (`format: gloo-mesh-workshop/helm-releases/v1`, `cluster`, and
  `releases`: each with name, namespace, chart, version, repository, timeoutSeconds and values,
  keys sorted), sorted by namespace and name; see `helm_releases`;
- `generated.yaml`: what the program generates itself (passwords, keys, certificates), by type;
- `graph.mmd`: the dependency graph (Mermaid), explicit and property dependencies;
- `summary.md`: resources per cluster and kind, and the stack outputs;
- `outputs.json`: the stack outputs;
- `policy.md`: the policy rules (`policy/rules/`, the same as the CrossGuard pack) over the stack;
- `rbac-<cluster>.yaml` per cluster: the least-privilege ServiceAccount, ClusterRole and Roles that
  `pulumi up` / `pulumi destroy` of the stack need there (`offline/rbac.py`, docs/security.md). On a
  cluster with a Gloo chart it is cluster-admin-equivalent (its header says so) unless rendered with
  `--charts-rbac-preinstalled`, which also writes `rbac-<cluster>-charts.sh`: what a cluster admin
  runs first, applying the charts' own RBAC (`charts_rbac_script`).

The folder may be new or empty, or one an earlier render wrote: the render records what it wrote
(`offline/output_dir.py`) and never overwrites or removes a file it did not write.

Secret values are written as `[secret]`. The same input gives byte-identical output. A bad
config prints the same message `pulumi up` would and exits with status 2; a mandatory policy
violation is printed and exits with status 1 (the render is still written).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from components.core.constants import HELM_RELEASE
from offline import rbac, rbac_header, secrets
from offline.counts import count
from offline.graph import Graph
from offline.output_dir import write_tree
from offline.policy import check_simulation, report
from offline.records import Record, Secret, Simulation, Unknown
from offline.runtime import simulate
from offline.secrets import REDACTED
from offline.stack_files import stack_config, stack_file, with_fake_license

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


HELM_RELEASES_FORMAT = "gloo-mesh-workshop/helm-releases/v1"


def helm_releases_file(cluster: str) -> str:
    return f"{cluster}.helm-releases.yaml"


def helm_releases(cluster: str, records: Iterable[Record]) -> str:
    """`<cluster>.helm-releases.yaml`: the cluster's Helm releases, one document (not Kubernetes-shaped)."""
    releases = sorted((release(r) for r in records), key=lambda r: (str(r["namespace"]), str(r["name"])))
    head = (f"# Helm releases `pulumi up` installs on cluster {cluster} (tools.render). Not Kubernetes objects:\n"
            "# each is what `helm install NAME CHART --repo REPOSITORY --version VERSION -n NAMESPACE` takes,\n"
            "# with its values.\n")
    return head + dump_all([{"format": HELM_RELEASES_FORMAT, "cluster": cluster, "releases": releases}])


def release(record: Record) -> dict[str, Any]:
    """One Helm release of `<cluster>.helm-releases.yaml`, secrets redacted."""
    inputs = redact(record.inputs)
    return {
        "name": inputs.get("name"),
        "namespace": inputs.get("namespace"),
        "chart": inputs.get("chart"),
        "version": inputs.get("version"),
        "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
        "timeoutSeconds": inputs.get("timeout"),
        "values": _sorted(inputs.get("values") or {}),
    }


def document(record: Record) -> dict[str, Any]:
    """The YAML document of one declared resource (not a Helm release: `release`), secrets redacted."""
    inputs = redact(record.inputs)
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
    (Pulumi waits for a component's children). Building the graph once (`offline.graph.Graph`) is
    cheaper when asking for many records."""
    return set(Graph.from_records(sim.records).dependencies(record.urn))


def summary(sim: Simulation, stack: str, fake_license: bool) -> str:
    records = declared(sim)
    counts = Counter((cluster_of(r), r.kind) for r in records)
    clusters = sorted({c for c, _ in counts})
    lines = [f"# Render of stack `{stack}`", ""]
    if fake_license:
        lines += ["The stack has no readable license key here; a fake one was used for this render.", ""]
    lines += [f"{count(sim).line()} (`offline/counts.py` says what each counts).", "",
              "| cluster | kind | count |", "|---|---|---|"]
    for cluster in clusters:
        for (c, kind), n in sorted(counts.items()):
            if c == cluster:
                lines.append(f"| {cluster} | {kind} | {n} |")
    lines += ["", "## Stack outputs", "", "```json", json.dumps(redact(sim.outputs), indent=2, sort_keys=True), "```", ""]
    return "\n".join(lines)


#: The kinds `charts_rbac_script` takes from a chart's templates: what only an admin may create.
CHARTS_RBAC_SELECT = " or ".join(f'.kind == "{kind}"' for kind in rbac.RBAC_KINDS)


def charts_rbac_script(sim: Simulation, cluster: str, stack: str) -> str | None:
    """`rbac-<cluster>-charts.sh` (None without a Helm release there): for `--charts-rbac-preinstalled`,
    the admin step. The program never renders a chart, so it cannot list the charts' RBAC objects; the
    script renders each release with `helm template` and its values (secrets and values only known after
    a deploy as stand-ins), keeps the RBAC kinds, adds the ownership labels and annotations Helm adopts an
    existing object by and `helm.sh/resource-policy: keep` (so `pulumi destroy`, which uninstalls the
    release, leaves them to the admin), and applies them."""
    releases = sorted(sim.select(HELM_RELEASE, cluster=cluster), key=lambda r: str(r.inputs.get("name")))
    if not releases:
        return None
    lines = [
        "#!/bin/sh",
        f"# The charts' RBAC for stack `{stack}` on cluster `{cluster}` (tools.render --charts-rbac-preinstalled,",
        "# docs/security.md). A cluster admin runs it after applying rbac-<cluster>.yaml, before the first",
        "# `pulumi up`, after a `pulumi destroy` and before every chart upgrade:",
        f"#   sh rbac-{cluster}-charts.sh <admin context for {cluster}>",
        "# It renders each Helm release of the stack with `helm template`, keeps the ClusterRoles,",
        "# ClusterRoleBindings, Roles and RoleBindings, marks them as the release's (Helm then adopts them",
        "# instead of creating them, so the deploy identity needs no `escalate` or `bind`) and as kept on",
        "# uninstall, and applies them. Values marked [secret] or [known after deploy] are stand-ins; the",
        "# charts' RBAC is not expected to depend on them. Needs helm 3, yq 4 (mikefarah) and kubectl.",
        "set -eu",
        f'context="${{1:?usage: sh rbac-{cluster}-charts.sh KUBE_CONTEXT}}"',
        "# The cluster's version, for what the charts render by capabilities (`helm template` has no cluster).",
        """kube_version=$(kubectl --context "$context" version -o json | yq -p json '.serverVersion.gitVersion')""",
        'values=$(mktemp)',
        """trap 'rm -f "$values"' EXIT""",
    ]
    for record in releases:
        spec = release(record)
        name, namespace = spec["name"], spec["namespace"]
        select = (f"select({CHARTS_RBAC_SELECT})"
                  f' | .metadata.labels["app.kubernetes.io/managed-by"] = "Helm"'
                  f' | .metadata.annotations["meta.helm.sh/release-name"] = "{name}"'
                  f' | .metadata.annotations["meta.helm.sh/release-namespace"] = "{namespace}"'
                  ' | .metadata.annotations["helm.sh/resource-policy"] = "keep"')
        lines += [
            "",
            f"# {name}: chart {spec['chart']} {spec['version']} in namespace {namespace}",
            """cat > "$values" <<'END_OF_VALUES'""",
            yaml.safe_dump(spec["values"], sort_keys=True, default_flow_style=False).rstrip("\n"),
            "END_OF_VALUES",
            f"helm template {name} {spec['chart']} --repo {spec['repository']} --version {spec['version']} \\",
            f'  --namespace {namespace} --kube-version "$kube_version" --values "$values" \\',
            f"  | yq '{select}' \\",
            f'  | kubectl --context "$context" apply --namespace {namespace} -f -',
        ]
    return "\n".join(lines) + "\n"


def rbac_files(sim: Simulation, stack: str, identity: str = rbac.DEPLOYER, charts_rbac_preinstalled: bool = False,
               extra: Sequence[dict[str, Any]] = ()) -> dict[str, str]:
    """`rbac-<cluster>.yaml` per cluster the stack reaches (its documents, then `extra`) and, with
    `charts_rbac_preinstalled`, `rbac-<cluster>-charts.sh` where it installs a chart."""
    files: dict[str, str] = {}
    for cluster in rbac.clusters(sim):
        docs = [*rbac.documents(sim, cluster, identity, charts_rbac_preinstalled), *extra]
        files[f"rbac-{cluster}.yaml"] = rbac_header.header(sim, cluster, stack, identity, charts_rbac_preinstalled) + dump_all(docs)
        script = charts_rbac_script(sim, cluster, stack) if charts_rbac_preinstalled else None
        if script:
            files[f"rbac-{cluster}-charts.sh"] = script
    return files


def render(stack: str, out: Path, charts_rbac_preinstalled: bool = False) -> Simulation:
    path = stack_file(stack)
    raw = stack_config(path)
    redactor = secrets.Redactor()
    redactor.add_config(raw)  # a secret key in plaintext: its value appears in no file
    config, fake_license = with_fake_license(raw)
    sim = simulate(config)
    by_cluster: dict[str, list[Record]] = defaultdict(list)
    for r in declared(sim):
        by_cluster[cluster_of(r)].append(r)
    files: dict[str, str] = {}
    for cluster, records in sorted(by_cluster.items()):
        objects = [r for r in records if r.type != HELM_RELEASE]
        releases = [r for r in records if r.type == HELM_RELEASE]
        if objects:
            files[f"{cluster}.yaml"] = dump_all(document(r) for r in sorted(objects, key=_sort_key))
        if releases:
            files[helm_releases_file(cluster)] = helm_releases(cluster, releases)
    files["graph.mmd"] = mermaid(sim)
    files["summary.md"] = summary(sim, stack, fake_license)
    files["outputs.json"] = json.dumps(redact(sim.outputs), indent=2, sort_keys=True) + "\n"
    files["policy.md"] = report(check_simulation(sim), stack)
    files.update(rbac_files(sim, stack, charts_rbac_preinstalled=charts_rbac_preinstalled))
    write_tree(out, {name: redactor.scrub(text) for name, text in files.items()})
    return sim


