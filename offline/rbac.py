"""Least privilege for the identity that runs a stack: per cluster, exactly what `pulumi up` and
`pulumi destroy` of that stack need there, as RBAC. Pure functions over `offline.runtime` records.

What a stack needs on a cluster, and why (`Need.reason`):

- **declared objects**: every object it declares, on its API group and resource: `create`, `list`,
  `watch` (Pulumi's informers watch the kind in the object's namespace while it waits for the
  object to be ready or gone) and, restricted to the objects' names, `get`, `update`, `patch`,
  `delete`;
- **what the Kubernetes provider watches while it waits**: a Deployment's ReplicaSets, Pods and
  PersistentVolumeClaims, a Service's Endpoints (read-only verbs, in the object's namespace);
- **bindings**: a declared ClusterRoleBinding needs `bind` on the ClusterRole it references;
- **reads** (`Secret.get`, `Service.get`): `get` on those names;
- **Helm releases**: Helm's release records (Secrets in the release's namespace: `create`, `get`,
  `list`, `update`, `delete`), and what the chart templates, stated per release in
  `CHART_OBJECTS` (not derived: there is no chart here to render). A chart that templates
  ClusterRoles or Roles needs `escalate` and `bind` on them, because the API server only lets an
  identity create a role granting, or a binding to, permissions it holds itself otherwise. That
  makes the identity cluster-admin-equivalent (`cluster_admin_equivalent`): it can grant itself
  anything. With `charts_rbac_preinstalled`, a cluster admin installs the charts' RBAC first
  (`tools.render.charts_rbac_script`), Helm adopts it, and the identity only reads those kinds:
  no `escalate`, and `bind` only on the roles the stack's own bindings name.

Namespaced needs go into one Role per namespace, cluster-scoped ones into a ClusterRole; one
ServiceAccount is bound to all of them. `documents(sim, cluster)` is the YAML `tools.render` writes
to `rbac-<cluster>.yaml`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from components.apps.lab06_addons import ADDONS_RELEASE
from components.core import crds
from components.core.constants import AGENT_CHART, ENTERPRISE_CHART, HELM_RELEASE
from offline.records import Record, Simulation

RBAC_GROUP = "rbac.authorization.k8s.io"
DEPLOYER = "gloo-mesh-workshop-deployer"
#: The deployer's own namespace (its ServiceAccount lives there; the stack never declares it).
DEPLOYER_NAMESPACE = DEPLOYER

#: What the stack does to the objects it declares. The last four can be restricted to names.
DECLARED_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
NAMED_VERBS = frozenset({"delete", "get", "patch", "update"})
READ_VERBS = ("get", "list", "watch")
#: Helm's release records (the `secret` storage driver, Helm's default).
HELM_STORAGE_VERBS = ("create", "delete", "get", "list", "update")
#: Helm installs a chart's `crds/` on install and never updates or deletes them.
CRD_VERBS = ("create", "get", "list", "watch")
ROLE_GRANT_VERBS = ("bind", "escalate")


@dataclass(frozen=True)
class ApiKind:
    group: str
    resource: str
    namespaced: bool


#: The built-in kinds a stack declares, reads, watches or a chart templates.
BUILTIN_KINDS: dict[str, ApiKind] = {
    "ConfigMap": ApiKind("", "configmaps", True),
    "Endpoints": ApiKind("", "endpoints", True),
    "Namespace": ApiKind("", "namespaces", False),
    "PersistentVolumeClaim": ApiKind("", "persistentvolumeclaims", True),
    "Pod": ApiKind("", "pods", True),
    "Secret": ApiKind("", "secrets", True),
    "Service": ApiKind("", "services", True),
    "ServiceAccount": ApiKind("", "serviceaccounts", True),
    "DaemonSet": ApiKind("apps", "daemonsets", True),
    "Deployment": ApiKind("apps", "deployments", True),
    "ReplicaSet": ApiKind("apps", "replicasets", True),
    "CustomResourceDefinition": ApiKind("apiextensions.k8s.io", "customresourcedefinitions", False),
    "ClusterRole": ApiKind(RBAC_GROUP, "clusterroles", False),
    "ClusterRoleBinding": ApiKind(RBAC_GROUP, "clusterrolebindings", False),
    "Role": ApiKind(RBAC_GROUP, "roles", True),
    "RoleBinding": ApiKind(RBAC_GROUP, "rolebindings", True),
}

#: What the Kubernetes provider watches while it waits for a declared kind (pulumi-kubernetes'
#: Deployment and Service awaiters), in the object's namespace.
AWAIT_WATCHES: dict[str, tuple[str, ...]] = {
    "Deployment": ("ReplicaSet", "Pod", "PersistentVolumeClaim"),
    "Service": ("Endpoints",),
}


def api_kind(kind: str) -> ApiKind:
    """Group, resource and scope of a kind: built-in, or one of the typed Gloo/Istio CRDs (all namespaced)."""
    if kind in BUILTIN_KINDS:
        return BUILTIN_KINDS[kind]
    if kind in crds.KINDS:
        custom = crds.KINDS[kind]
        return ApiKind(api_group(custom.API_VERSION), custom.PLURAL, True)
    raise KeyError(f"no RBAC resource known for kind {kind!r}; add it to offline/rbac.py BUILTIN_KINDS")


def api_group(api_version: str) -> str:
    """`apps/v1` → `apps`; `v1` → `` (the core group)."""
    return api_version.rpartition("/")[0]


@dataclass(frozen=True)
class ChartObjects:
    """What a Helm release's chart templates (stated, see CHART_OBJECTS), and why we believe it."""

    chart: str
    version: str
    kinds: tuple[str, ...]
    basis: str


RBAC_KINDS = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
#: Per release of this program, the kinds its chart templates with the values the program sets.
#: Stated, not derived: the program never renders a chart, and the charts are not at hand here. It is
#: conservative: kinds we could not rule out are in (a permission too many fails nothing; one too few
#: fails a deploy halfway). `helm template` checks it (docs/security.md).
CHART_OBJECTS: dict[str, ChartObjects] = {
    ENTERPRISE_CHART: ChartObjects(
        ENTERPRISE_CHART, "2.2.6",
        ("ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "DaemonSet", "PersistentVolumeClaim",
         *RBAC_KINDS, "CustomResourceDefinition"),
        "management server, UI, Redis, Prometheus, metrics gateway (Deployments, Services, ConfigMaps, service "
        "accounts, their RBAC), the metrics collector (DaemonSet), the license Secret, the Gloo CRDs (crds/ of "
        "the gloo-mesh-crds subchart); a Prometheus volume claim not ruled out",
    ),
    AGENT_CHART: ChartObjects(
        AGENT_CHART, "2.2.6",
        ("ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "DaemonSet", *RBAC_KINDS,
         "CustomResourceDefinition"),
        "the agent (Deployment, Service, service account, its RBAC), the metrics collector (DaemonSet, "
        "ConfigMap), the Gloo, ext-auth and rate-limiter CRDs (crds/ of its subcharts)",
    ),
    ADDONS_RELEASE: ChartObjects(
        AGENT_CHART, "2.2.6",
        ("ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", *RBAC_KINDS,
         "CustomResourceDefinition"),
        "the gloo-mesh-agent chart with the agent off: ext-auth-service, rate-limiter with its Redis and the "
        "portal server (Deployments, Services, ConfigMaps, Secrets, service accounts, their RBAC); Helm "
        "installs the chart's crds/ again and skips those that exist",
    ),
}


@dataclass(frozen=True)
class Need:
    """One permission: `verb` on `group`/`resource` in `namespace` (None: cluster-scoped), limited to
    `name` unless None."""

    namespace: str | None
    group: str
    resource: str
    verb: str
    name: str | None
    reason: str = ""


def _declared(record: Record) -> list[Need]:
    kind = api_kind(record.kind)
    namespace = record.namespace if kind.namespaced else None
    what = f"declared {record.kind} {record.k8s_name}"
    needs = [Need(namespace, kind.group, kind.resource, verb, record.k8s_name if verb in NAMED_VERBS else None, what)
             for verb in DECLARED_VERBS]
    for watched in AWAIT_WATCHES.get(record.kind, ()):
        target = api_kind(watched)
        needs += [Need(namespace, target.group, target.resource, verb, None, f"awaiting {what}")
                  for verb in READ_VERBS]
    role_ref = record.inputs.get("roleRef")
    if record.kind == "ClusterRoleBinding" and isinstance(role_ref, Mapping):
        role = api_kind(str(role_ref.get("kind")))
        needs.append(Need(None, role.group, role.resource, "bind", str(role_ref.get("name")), f"binding in {what}"))
    return needs


def _read(record: Record) -> list[Need]:
    kind = api_kind(record.kind)
    return [Need(record.namespace if kind.namespaced else None, kind.group, kind.resource, "get", record.k8s_name,
                 f"read {record.kind} {record.k8s_name}")]


def chart_objects(release_name: str) -> ChartObjects:
    if release_name not in CHART_OBJECTS:
        raise KeyError(f"no chart objects stated for Helm release {release_name!r}; add it to offline/rbac.py")
    return CHART_OBJECTS[release_name]


def _chart_verbs(kind_name: str, charts_rbac_preinstalled: bool) -> tuple[str, ...]:
    """What Helm does to the objects of a kind its chart templates. Pre-installed RBAC is only read:
    Helm looks up each object it would create and adopts it (its ownership labels and annotations
    match) without a write when it is unchanged."""
    if kind_name == "CustomResourceDefinition":
        return CRD_VERBS
    if charts_rbac_preinstalled and kind_name in RBAC_KINDS:
        return READ_VERBS
    return DECLARED_VERBS


def _release(record: Record, charts_rbac_preinstalled: bool = False) -> list[Need]:
    name, namespace = str(record.inputs.get("name")), str(record.inputs.get("namespace"))
    objects = chart_objects(name)
    what = f"Helm release {name}"
    needs = [Need(namespace, "", "secrets", verb, None, f"{what}: release records") for verb in HELM_STORAGE_VERBS]
    for kind_name in objects.kinds:
        kind = api_kind(kind_name)
        preinstalled = charts_rbac_preinstalled and kind_name in RBAC_KINDS
        needs += [Need(namespace if kind.namespaced else None, kind.group, kind.resource, verb, None,
                       f"{what}: chart's {kind_name}s, pre-installed by an admin" if preinstalled
                       else f"{what}: chart templates {kind_name}")
                  for verb in _chart_verbs(kind_name, charts_rbac_preinstalled)]
        if kind_name in ("ClusterRole", "Role") and not preinstalled:
            needs += [Need(namespace if kind.namespaced else None, kind.group, kind.resource, verb, None,
                           f"{what}: chart's own {kind_name}s") for verb in ROLE_GRANT_VERBS]
        for watched in AWAIT_WATCHES.get(kind_name, ()):
            target = api_kind(watched)
            needs += [Need(namespace, target.group, target.resource, verb, None, f"{what}: awaiting {kind_name}s")
                      for verb in READ_VERBS]
    return needs


def is_kubernetes(record: Record) -> bool:
    return record.custom and record.type.startswith("kubernetes:") and record.cluster is not None


def needs(records: Iterable[Record], cluster: str, charts_rbac_preinstalled: bool = False) -> list[Need]:
    """Every permission the stack's records need on `cluster`, with the reason for each (with
    `charts_rbac_preinstalled`: the charts' RBAC installed by an admin beforehand)."""
    found: list[Need] = []
    for record in records:
        if record.cluster != cluster or not is_kubernetes(record):
            continue
        if record.type == HELM_RELEASE:
            found += _release(record, charts_rbac_preinstalled)
        elif record.read:
            found += _read(record)
        else:
            found += _declared(record)
    return sorted(set(found), key=lambda n: (n.namespace is not None, n.namespace or "", n.group, n.resource,
                                             n.verb, n.name is not None, n.name or "", n.reason))


@dataclass(frozen=True)
class RbacRule:
    namespace: str | None
    group: str
    resource: str
    names: tuple[str, ...]  # empty: any name
    verbs: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"apiGroups": [self.group], "resources": [self.resource]}
        if self.names:
            rule["resourceNames"] = list(self.names)
        rule["verbs"] = list(self.verbs)
        return rule


def rules(found: Iterable[Need]) -> list[RbacRule]:
    """Needs merged into rules: per namespace, resource and verb, any name if one need has no name,
    else the union of names; then one rule per resource and set of names."""
    names: dict[tuple[str | None, str, str, str], set[str] | None] = {}
    for need in found:
        key = (need.namespace, need.group, need.resource, need.verb)
        if need.name is None or names.get(key, set()) is None:
            names[key] = None
        else:
            current = names.setdefault(key, set())
            assert current is not None
            current.add(need.name)
    verbs: dict[tuple[str | None, str, str, tuple[str, ...]], set[str]] = defaultdict(set)
    for (namespace, group, resource, verb), allowed in names.items():
        verbs[(namespace, group, resource, tuple(sorted(allowed)) if allowed else ())].add(verb)
    return sorted((RbacRule(ns, group, resource, named, tuple(sorted(vs)))
                   for (ns, group, resource, named), vs in verbs.items()),
                  key=lambda r: (r.namespace is not None, r.namespace or "", r.group, r.resource, r.names))


def documents(sim: Simulation, cluster: str, identity: str = DEPLOYER,
              charts_rbac_preinstalled: bool = False) -> list[dict[str, Any]]:
    """The ServiceAccount, ClusterRole and Roles (each with its binding) for `cluster`, and the
    namespaces the stack declares that hold a Role (see `header`). `identity` names the
    ServiceAccount, roles and bindings: one per stack where several stacks deploy to one cluster."""
    all_rules = rules(needs(sim.records, cluster, charts_rbac_preinstalled))
    declared_namespaces = {r.k8s_name for r in sim.select("Namespace", cluster=cluster)}
    subject = {"kind": "ServiceAccount", "name": identity, "namespace": DEPLOYER_NAMESPACE}
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": DEPLOYER_NAMESPACE}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": identity, "namespace": DEPLOYER_NAMESPACE}},
        {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRole", "metadata": {"name": identity},
         "rules": [r.document() for r in all_rules if r.namespace is None]},
        {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": identity},
         "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": identity}, "subjects": [subject]},
    ]
    namespaces = sorted({r.namespace for r in all_rules if r.namespace is not None})
    for namespace in namespaces:
        if namespace in declared_namespaces:
            docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        docs.append({"apiVersion": f"{RBAC_GROUP}/v1", "kind": "Role",
                     "metadata": {"name": identity, "namespace": namespace},
                     "rules": [r.document() for r in all_rules if r.namespace == namespace]})
        docs.append({"apiVersion": f"{RBAC_GROUP}/v1", "kind": "RoleBinding",
                     "metadata": {"name": identity, "namespace": namespace},
                     "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": identity}, "subjects": [subject]})
    return docs














def clusters(sim: Simulation) -> list[str]:
    """The clusters the stack declares or reads Kubernetes objects on, sorted."""
    return sorted({r.cluster for r in sim.records if is_kubernetes(r) and r.cluster is not None})

