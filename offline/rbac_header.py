"""The comment at the top of each `rbac-<cluster>.yaml`: how to use it, what is stated rather than derived, and whether the identity is cluster-admin-equivalent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from components.core.constants import HELM_RELEASE
from offline.rbac import (
    DEPLOYER,
    DEPLOYER_NAMESPACE,
    RBAC_GROUP,
    ROLE_GRANT_VERBS,
    Need,
    RbacRule,
    chart_objects,
    needs,
    rules,
)
from offline.records import Simulation


def version_warnings(sim: Simulation, cluster: str | None = None) -> list[str]:
    """A warning for each Helm release whose chart version is not the one CHART_OBJECTS states (the
    least-privilege RBAC may then miss a kind the chart templates): what docs/security.md promises."""
    warnings = []
    for release in sim.select(HELM_RELEASE, cluster=cluster):
        stated = chart_objects(str(release.inputs.get("name")))
        version = release.inputs.get("version")
        if version != stated.version:
            where = f" on {release.cluster}" if cluster is None and release.cluster else ""
            warnings.append(f"the stack installs {release.inputs.get('chart')} {version}{where}; the least-privilege "
                            f"RBAC states what {stated.chart} {stated.version} templates: check the table with "
                            "`helm template` (docs/security.md)")
    return sorted(set(warnings))

def cluster_admin_equivalent(found: Iterable[RbacRule]) -> bool:
    """Whether the rules let the identity grant itself anything on the cluster: `escalate` or `bind` on
    any ClusterRole (with `escalate` it writes a ClusterRole with every permission; with `bind` it binds
    one, cluster-admin included)."""
    return any(r.namespace is None and r.group == RBAC_GROUP and r.resource == "clusterroles" and not r.names
               and set(r.verbs) & set(ROLE_GRANT_VERBS) for r in found)

def secret_readers(found: Iterable[Need]) -> dict[str, list[str]]:
    """Per namespace where the identity may list Secrets of any name (so read every Secret there):
    why, from the needs' reasons."""
    why: dict[str, set[str]] = defaultdict(set)
    for need in found:
        if need.resource == "secrets" and need.group == "" and need.verb == "list" and need.name is None \
                and need.namespace is not None:
            why[need.namespace].add("Helm's release records and the charts' own Secrets" if "Helm release" in
                                    need.reason else "the Secrets the stack declares")
    return {namespace: sorted(reasons) for namespace, reasons in sorted(why.items())}

def _secret_lines(found: list[Need]) -> list[str]:
    readers = secret_readers(found)
    if not readers:
        return []
    return [
        "It can read every Secret in these namespaces (`list`/`watch` on Secrets of any name):",
        *(f"  {namespace}: {'; '.join(why)}" for namespace, why in readers.items()),
        "Not narrower: Kubernetes limits neither `create` nor a `list`/`watch` without a name selector to",
        "names; pulumi-kubernetes waits on each object it declares or deletes with an informer over the",
        "kind in the namespace (no selector); Helm lists its release records by label, and a chart names",
        "its own Secrets. `get`, `update`, `patch` and `delete` of the stack's own Secrets are by name.",
    ]

def _chart_rbac_lines(cluster: str, admin: bool, charts_rbac_preinstalled: bool, binds: list[str]) -> list[str]:
    if admin:
        return [
            f"This identity is cluster-admin-equivalent on `{cluster}`: the charts template ClusterRoles and",
            "their bindings, so it holds `escalate` and `bind` on every ClusterRole and `create` on",
            "ClusterRoleBindings, and can grant itself any permission on this cluster. This is least",
            "privilege for what the stack deploys, not a reduction from cluster-admin. For one, render",
            f"with --charts-rbac-preinstalled; an admin then runs rbac-{cluster}-charts.sh first",
            "(docs/security.md).",
        ]
    if not charts_rbac_preinstalled:
        return []
    bound = f"`bind` only on {', '.join(binds)} (the stack's own bindings)" if binds else "no `bind`"
    return [
        "The charts' RBAC is pre-installed (--charts-rbac-preinstalled): after applying this file, before",
        "the first `pulumi up`, after a `pulumi destroy` and before every chart upgrade, a cluster admin runs",
        f"  sh rbac-{cluster}-charts.sh <{cluster}>",
        "which applies the ClusterRoles, ClusterRoleBindings, Roles and RoleBindings the charts template,",
        "for Helm to adopt. This identity only reads those kinds:",
        f"no `escalate`, {bound}.",
    ]

def header(sim: Simulation, cluster: str, stack: str, identity: str = DEPLOYER,
           charts_rbac_preinstalled: bool = False) -> str:
    """The comment at the top of `rbac-<cluster>.yaml`: how to use it, whether it is cluster-admin-equivalent,
    which Secrets it can read, and what is stated rather than derived."""
    releases = sim.select(HELM_RELEASE, cluster=cluster)
    found = needs(sim.records, cluster, charts_rbac_preinstalled)
    all_rules = rules(found)
    binds = sorted({n.name for n in found if n.verb == "bind" and n.name is not None})
    scope = [*_chart_rbac_lines(cluster, cluster_admin_equivalent(all_rules),
                                charts_rbac_preinstalled and bool(releases), binds),
             *_secret_lines(found)]
    lines = [
        f"Least privilege for `pulumi up` / `pulumi destroy` of stack `{stack}` on cluster `{cluster}`",
        "(offline/rbac.py; docs/security.md). A cluster admin applies it once:",
        f"  kubectl --context <{cluster}> apply -f rbac-{cluster}.yaml",
        f"and the deploy runs as ServiceAccount {DEPLOYER_NAMESPACE}/{identity} (a kubeconfig with its token).",
        "",
        *([*scope, ""] if scope else []),
        "The namespaces below that the stack declares are created here too, so their Roles can be bound",
        "before the first deploy. The stack adopts them: its providers upsert existing objects (config",
        "upsertExistingObjects, on by default); with it set false the first `pulumi up` fails on them.",
        "`pulumi destroy` deletes them, Roles included: re-apply this file before deploying again.",
        "",
        "Derived from what the stack declares and reads.",
    ]
    if releases:
        stated = sorted({f"{chart_objects(str(r.inputs.get('name'))).chart} "
                         f"{chart_objects(str(r.inputs.get('name'))).version}" for r in releases})
        lines += [
            "What each Helm release's chart templates is stated, not derived (offline/rbac.py CHART_OBJECTS,",
            f"for {', '.join(stated)}).",
        ]
        lines += [f"WARNING: {w}" for w in version_warnings(sim, cluster)]
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)
