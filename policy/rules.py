"""The policy rules: mistakes Gloo Mesh accepts silently that break traffic, as plain functions.

Every rule takes the stack's resources in one neutral shape (`Resource`) and returns
`Violation`s. Two adapters build that shape: `tools.policy_check` from the mock simulation (tests
and the offline render) and `policy/__main__.py` from pulumi-policy's `StackValidationArgs` (the
CrossGuard pack, `pulumi preview --policy-pack policy`). Both run these same functions.

No Pulumi import here: only the standard library and `components.core.constants`.

Enforcement: a rule is *mandatory* when the stack alone decides it (the object it refers to is
declared by this program or not); *advisory* when a false positive is plausible because the
object may come from outside the stack (a chart, another stack) — see `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from components.core.constants import (
    ADDONS_NS,
    GLOO_MESH_NS,
    ISTIO_SYSTEM_NS,
    MANAGEMENT_REFERENCE_TYPE,
    PREEXISTING_NAMESPACES,
    REVISION_LABEL,
)

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet")
SIDECAR_INJECT_LABEL = "sidecar.istio.io/inject"

# Services that charts create, which the stack therefore never declares. Each entry: the chart,
# the values switch that turns the Service on (a dotted path to a boolean; None: always), and the
# Services it creates in the release's namespace. A Service listed here exists on a cluster when a
# release of that chart with the switch on is declared there.
CHART_SERVICES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    ("gloo-mesh-agent", "ext-auth-service.enabled", ("ext-auth-service",)),
    ("gloo-mesh-agent", "rate-limiter.enabled", ("rate-limiter", "redis")),
    ("gloo-mesh-enterprise", None, ("gloo-mesh-mgmt-server", "gloo-metrics-gateway", "gloo-mesh-ui",
                                    "gloo-mesh-redis")),
)

# Services known to exist without this stack or a chart of it declaring them: (namespace, name).
# Add here, with a comment saying who creates it, rather than switching a rule off.
EXTERNAL_SERVICES: frozenset[tuple[str, str]] = frozenset({
    ("default", "kubernetes"),  # the API server's Service, on every cluster
})

# Key names (lower-cased, without '-', '_' and '.') whose value is a credential.
SENSITIVE_KEYS = frozenset({
    "password", "passwd", "secret", "token", "licensekey", "tlskey", "clientsecret", "privatekey",
    "apikey", "accesskey", "secretkey", "bearertoken", "sessionsecret",
})
SENSITIVE_SUFFIXES = ("password", "privatekey", "clientsecret", "apikey", "licensekey", "secretkey")

DESTINATION_TYPES = {
    "SERVICE": "Service",
    "VIRTUAL_DESTINATION": "VirtualDestination",
    "EXTERNAL_SERVICE": "ExternalService",
}


class _Unknown:
    """A value only known after deploy (seen in preview)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class SecretValue:
    """A value the program marked as a Pulumi secret."""

    value: Any


@dataclass(frozen=True)
class Resource:
    """One resource of the stack, whichever tool produced it.

    `props` are the resource's inputs as plain JSON (camelCase), with secret values wrapped in
    `SecretValue` and values known only after deploy as `UNKNOWN`. `secrets_marked` says whether the
    producer could tell secrets apart at all (pulumi-policy cannot: it hands policies plain text).
    `dependencies` are the URNs the resource waits for (explicit and property dependencies).
    `cluster` is the name of the Kubernetes provider the resource is declared with.
    """

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    parent: str | None = None
    cluster: str | None = None
    custom: bool = True
    read: bool = False
    secrets_marked: bool = True

    @property
    def kind(self) -> str:
        kind = self.props.get("kind")
        return kind if isinstance(kind, str) else self.type.split(":")[-1]

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = plain(self.props.get("metadata"))
        return meta if isinstance(meta, dict) else {}

    @property
    def k8s_name(self) -> str | None:
        if self.type == HELM_RELEASE:
            return _str(plain(self.props.get("name")))
        return _str(self.metadata.get("name"))

    @property
    def namespace(self) -> str | None:
        if self.type == HELM_RELEASE:
            return _str(plain(self.props.get("namespace")))
        return _str(self.metadata.get("namespace"))

    @property
    def labels(self) -> dict[str, str]:
        labels = self.metadata.get("labels")
        return {k: v for k, v in labels.items() if isinstance(v, str)} if isinstance(labels, dict) else {}

    @property
    def spec(self) -> Mapping[str, Any]:
        spec = plain(self.props.get("spec"))
        return spec if isinstance(spec, dict) else {}

    @property
    def is_kubernetes(self) -> bool:
        return self.type.startswith("kubernetes:")

    def describe(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        on = f" on {self.cluster}" if self.cluster else ""
        return f"{self.kind} {where}{self.k8s_name or self.name}{on}"


@dataclass(frozen=True)
class Violation:
    rule: str
    mandatory: bool
    urn: str | None
    resource: str
    message: str

    def line(self) -> str:
        level = "mandatory" if self.mandatory else "advisory"
        return f"[{level}] {self.rule}: {self.resource}: {self.message}"


def plain(value: Any) -> Any:
    """The value with every `SecretValue` unwrapped."""
    if isinstance(value, SecretValue):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _labels(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in _dict(value).items()}


def _fmt_labels(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {v!r}" for k, v in sorted(labels.items())) + "}"


def _subset(wanted: Mapping[str, str], have: Mapping[str, str]) -> bool:
    return all(have.get(k) == v for k, v in wanted.items())


# The stack, indexed ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Something a reference or selector can point at: a declared object or a chart-created Service."""

    kind: str
    name: str
    namespace: str | None
    cluster: str | None
    labels: Mapping[str, str]
    labels_known: bool = True


@dataclass
class Stack:
    resources: Sequence[Resource]
    _children: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.resources:
            if r.parent:
                self._children.setdefault(r.parent, []).append(r.urn)

    @cached_property
    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    @cached_property
    def declared(self) -> list[Resource]:
        return [r for r in self.resources if r.custom and not r.read and not r.type.startswith("pulumi:")]

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.declared if r.kind == kind]

    @cached_property
    def route_tables(self) -> list[Resource]:
        return self.of_kind("RouteTable")

    @cached_property
    def releases(self) -> list[Resource]:
        return [r for r in self.declared if r.type == HELM_RELEASE]

    @cached_property
    def targets(self) -> list[Target]:
        """Every Service, VirtualDestination and ExternalService that exists: declared, read, or chart-made."""
        found: list[Target] = []
        for r in self.resources:
            if not r.custom or r.type.startswith("pulumi:") or r.kind not in DESTINATION_TYPES.values():
                continue
            if r.k8s_name:
                found.append(Target(r.kind, r.k8s_name, r.namespace, r.cluster, r.labels, labels_known=not r.read))
        for release in self.releases:
            values = plain(release.props.get("values"))
            chart = str(plain(release.props.get("chart")) or "")
            for chart_name, switch, services in CHART_SERVICES:
                if chart.rsplit("/", 1)[-1] != chart_name:
                    continue
                if switch is not None and _path(values, switch) is not True:
                    continue
                for service in services:
                    found.append(Target("Service", service, release.namespace, release.cluster, {}, labels_known=False))
        for namespace, name in sorted(EXTERNAL_SERVICES):
            found.append(Target("Service", name, namespace, None, {}, labels_known=False))
        return found

    def find(self, kind: str, name: str | None, namespace: str | None, cluster: str | None) -> list[Target]:
        return [t for t in self.targets if t.kind == kind
                and (name is None or t.name == name)
                and (namespace is None or t.namespace == namespace)
                and (cluster is None or t.cluster is None or t.cluster == cluster)]

    def exists(self, kind: str, name: str, namespace: str | None, cluster: str | None) -> bool:
        """A declared object of `kind` (any kind), or for Services also a read or chart-made one."""
        if kind in DESTINATION_TYPES.values():
            return bool(self.find(kind, name, namespace, cluster))
        return any(r.kind == kind and r.k8s_name == name and (namespace is None or r.namespace == namespace)
                   and (cluster is None or r.cluster == cluster) for r in self.declared)

    # Workspaces ---------------------------------------------------------------------------------
    @cached_property
    def workspaces(self) -> list[Resource]:
        return self.of_kind("Workspace")

    def workspace_of(self, cluster: str | None, namespace: str | None) -> Resource | None:
        for ws in self.workspaces:
            for wc in _list(ws.spec.get("workloadClusters")):
                wc = _dict(wc)
                if wc.get("name") not in ("*", cluster):
                    continue
                names = [_dict(n).get("name") for n in _list(wc.get("namespaces"))]
                if "*" in names or namespace in names:
                    return ws
        return None

    def settings_of(self, workspace: Resource) -> list[Resource]:
        found = []
        for settings in self.of_kind("WorkspaceSettings"):
            owner = self.workspace_of(settings.cluster, settings.namespace)
            if (owner is not None and owner.urn == workspace.urn) or (owner is None
                                                                      and settings.k8s_name == workspace.k8s_name):
                found.append(settings)
        return found

    def exports(self, source: Resource, to: Resource, kind: str, labels: Mapping[str, str], name: str,
                namespace: str | None) -> bool:
        """Whether workspace `source` exports an object (kind SERVICE etc., its labels) to workspace `to`."""
        for settings in self.settings_of(source):
            for rule in _list(settings.spec.get("exportTo")):
                rule = _dict(rule)
                if not any(_workspace_matches(_dict(w), to) for w in _list(rule.get("workspaces"))):
                    continue
                resources = _list(rule.get("resources"))
                if not resources:
                    return True
                for res in resources:
                    res = _dict(res)
                    if res.get("kind", "ALL") not in ("ALL", kind):
                        continue
                    if not _subset(_labels(res.get("labels")), labels):
                        continue
                    if res.get("name") not in (None, name) or res.get("namespace") not in (None, namespace):
                        continue
                    return True
        return False

    # Dependencies -------------------------------------------------------------------------------
    def waits_for(self, resource: Resource, target_urns: set[str]) -> bool:
        """Whether `resource` waits for one of `target_urns`, directly or transitively.

        Waiting for a component means waiting for everything under it.
        """
        seen: set[str] = set()
        todo = list(resource.dependencies)
        while todo:
            urn = todo.pop()
            if urn in seen:
                continue
            seen.add(urn)
            if urn in target_urns:
                return True
            current = self.by_urn.get(urn)
            if current is None:
                continue
            todo.extend(current.dependencies)
            if not current.custom:
                todo.extend(self._children.get(urn, []))
        return False


def _workspace_matches(ref: Mapping[str, Any], workspace: Resource) -> bool:
    if "name" in ref:
        return ref["name"] in ("*", workspace.k8s_name)
    if "selector" in ref:
        return _subset(_labels(ref["selector"]), workspace.labels)
    return False


def _path(value: Any, dotted: str) -> Any:
    """`values['a']['b']` for 'a.b', trying the longest keys first (chart keys may hold dots or dashes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if isinstance(value, dict) and key in value:
            return value[key] if cut == len(parts) else _path(value[key], ".".join(parts[cut:]))
    return None


# Routes ---------------------------------------------------------------------------------------
def _routes(stack: Stack) -> Iterator[tuple[Resource, int, dict[str, Any]]]:
    for table in stack.route_tables:
        for i, route in enumerate(_list(table.spec.get("http"))):
            yield table, i, _dict(route)


def _violation(rule: PolicyRule, resource: Resource, message: str) -> Violation:
    return Violation(rule.name, rule.mandatory, resource.urn, resource.describe(), message)


def route_selectors_match(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A policy's `applyToRoutes[].route.labels` must select at least one route of the stack."""
    route_labels = [_labels(route.get("labels")) for _, _, route in _routes(stack)]
    found = []
    for policy in stack.declared:
        for i, entry in enumerate(_list(policy.spec.get("applyToRoutes"))):
            wanted = _labels(_dict(_dict(entry).get("route")).get("labels"))
            if not wanted or any(_subset(wanted, have) for have in route_labels):
                continue
            known = sorted({_fmt_labels(labels) for labels in route_labels if labels})
            found.append(_violation(rule, policy, (
                f"spec.applyToRoutes[{i}].route.labels {_fmt_labels(wanted)} selects no route in the stack, so "
                "Gloo applies the policy nowhere. Fix: put these labels on the route (RouteTable "
                "spec.http[].labels) or correct the selector; route labels in the stack: "
                f"{', '.join(known) or 'none'}.")))
    return found


def destination_selectors_match(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A policy's `applyToDestinations[].selector` must select at least one destination of its kind."""
    found = []
    for policy in stack.declared:
        for i, entry in enumerate(_list(policy.spec.get("applyToDestinations"))):
            entry = _dict(entry)
            selector = _dict(entry.get("selector"))
            wanted = _labels(selector.get("labels"))
            if not wanted and "name" not in selector:
                continue
            kind_name = str(entry.get("kind", "SERVICE"))
            kind = DESTINATION_TYPES.get(kind_name)
            if kind is None:
                continue
            candidates = [t for t in stack.find(kind, _str(selector.get("name")), _str(selector.get("namespace")),
                                                _str(selector.get("cluster")))
                          if t.labels_known and _subset(wanted, t.labels)]
            if candidates:
                continue
            found.append(_violation(rule, policy, (
                f"spec.applyToDestinations[{i}] (kind {kind_name}) selector "
                f"{_fmt_labels(wanted) if wanted else selector} selects no {kind} the stack declares, so the "
                f"policy may apply to nothing. Fix: label the {kind} with these labels or correct the selector "
                "(advisory: a Service created by a chart is not visible here).")))
    return found


def delegation_selectors_match(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A RouteTable's `http[].delegate.routeTables[]` selector must select another RouteTable."""
    found = []
    for table, i, route in _routes(stack):
        for j, selector in enumerate(_list(_dict(route.get("delegate")).get("routeTables"))):
            selector = _dict(selector)
            if not _delegates_to_any(stack, table, selector):
                found.append(_violation(rule, table, (
                    f"spec.http[{i}].delegate.routeTables[{j}] {_fmt_labels(_labels(selector.get('labels')))} "
                    "selects no RouteTable, so every request on this route gets a 404. Fix: label the child "
                    "RouteTable (metadata.labels) with these labels or correct the selector.")))
    return found


def _selects(selector: Mapping[str, Any], child: Resource) -> bool:
    return (_subset(_labels(selector.get("labels")), child.labels)
            and selector.get("name") in (None, child.k8s_name)
            and selector.get("namespace") in (None, child.namespace))


def _delegates_to_any(stack: Stack, parent: Resource, selector: Mapping[str, Any]) -> bool:
    return any(child.urn != parent.urn and _selects(selector, child) for child in stack.route_tables)


def delegated_tables_have_a_parent(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A RouteTable with no hosts and no virtualGateways is reachable only by delegation: something must select it."""
    selectors = [(table, _dict(s)) for table, _, route in _routes(stack)
                 for s in _list(_dict(route.get("delegate")).get("routeTables"))]
    found = []
    for table in stack.route_tables:
        if table.spec.get("hosts") or table.spec.get("virtualGateways") or table.spec.get("workloadSelectors"):
            continue
        if any(parent.urn != table.urn and _selects(s, table) for parent, s in selectors):
            continue
        found.append(_violation(rule, table, (
            f"has no spec.hosts or spec.virtualGateways, so only delegation reaches it, but no RouteTable's "
            f"spec.http[].delegate.routeTables selects its labels {_fmt_labels(table.labels)}; its routes "
            "serve nothing. Fix: label it for the parent's delegate selector (expose: 'true' for the main "
            "RouteTable) or give it hosts and virtualGateways (advisory: a parent may live in another stack).")))
    return found


def forward_to_declared(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Every `forwardTo` destination must exist: a Service, VirtualDestination or ExternalService of the stack."""
    found = []
    for table, i, route in _routes(stack):
        for j, dest in enumerate(_list(_dict(route.get("forwardTo")).get("destinations"))):
            ref, kind_name, kind = _dest_ref(dest)
            if not ref.get("name") or kind is None:
                continue
            namespace = _str(ref.get("namespace")) or table.namespace
            if stack.find(kind, ref["name"], namespace, _str(ref.get("cluster"))):
                continue
            found.append(_violation(rule, table, (
                f"spec.http[{i}].forwardTo.destinations[{j}] refers to {kind} {namespace}/{ref['name']} "
                f"(kind {kind_name}{', cluster ' + ref['cluster'] if ref.get('cluster') else ''}), which the stack "
                f"does not declare; Gloo accepts the route and answers 503. Fix: declare the {kind}, correct the "
                "ref (name, namespace, kind), or if a chart creates it add it to policy.rules.EXTERNAL_SERVICES.")))
    return found


def _dest_ref(dest: Any) -> tuple[dict[str, Any], str, str | None]:
    dest = _dict(dest)
    kind_name = str(dest.get("kind", "SERVICE"))
    return _dict(dest.get("ref")), kind_name, DESTINATION_TYPES.get(kind_name)


def forward_to_exported(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """A destination in another workspace must be exported by that workspace to the route's workspace."""
    found = []
    if not stack.workspaces:
        return found
    for table, i, route in _routes(stack):
        route_ws = stack.workspace_of(table.cluster, table.namespace)
        for j, dest in enumerate(_list(_dict(route.get("forwardTo")).get("destinations"))):
            ref, kind_name, kind = _dest_ref(dest)
            if not ref.get("name") or kind is None:
                continue
            namespace = _str(ref.get("namespace")) or table.namespace
            targets = stack.find(kind, ref["name"], namespace, _str(ref.get("cluster")))
            if not targets:
                continue  # forward_to_declared reports it
            if route_ws is None:
                found.append(_violation(rule, table, (
                    f"is in namespace {table.namespace} on {table.cluster}, which no Workspace "
                    f"(spec.workloadClusters[].namespaces) contains, so Gloo ignores its "
                    f"spec.http[{i}].forwardTo. Fix: add the namespace to a Workspace.")))
                break
            visible = False
            for target in targets:
                dest_ws = stack.workspace_of(target.cluster, target.namespace)
                if dest_ws is None:
                    continue
                if dest_ws.urn == route_ws.urn or stack.exports(dest_ws, route_ws, kind_name, target.labels,
                                                                target.name, target.namespace):
                    visible = True
                    break
            if visible:
                continue
            owners = sorted({ws.k8s_name or "?" for t in targets
                             if (ws := stack.workspace_of(t.cluster, t.namespace)) is not None})
            found.append(_violation(rule, table, (
                f"spec.http[{i}].forwardTo.destinations[{j}] {kind} {namespace}/{ref['name']} belongs to "
                f"workspace {', '.join(owners) or '(none)'}, which does not export it to this route's workspace "
                f"{route_ws.k8s_name}; the route gets no endpoints. Fix: add an exportTo entry "
                f"(workspaces: [{{name: {route_ws.k8s_name}}}], resources: [{{kind: {kind_name}}}]) to that "
                "workspace's WorkspaceSettings, or point the route at a destination in its own workspace.")))
    return found


# Server references: (kind, field path, referenced kind) --------------------------------------------
SERVICE_REFS: tuple[tuple[str, str], ...] = (
    ("ExtAuthServer", "destinationServer.ref"),
    ("RateLimitServerSettings", "destinationServer.ref"),
    ("RateLimitServerConfig", "destinationServers[].ref"),
)
POLICY_REFS: tuple[tuple[str, str, str], ...] = (
    ("ExtAuthPolicy", "config.server", "ExtAuthServer"),
    ("RateLimitPolicy", "config.serverSettings", "RateLimitServerSettings"),
    ("RateLimitPolicy", "config.ratelimitClientConfig", "RateLimitClientConfig"),
    ("RateLimitPolicy", "config.ratelimitServerConfig", "RateLimitServerConfig"),
)


def _refs_at(spec: Mapping[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The dicts at a path like `a.b` or `a[].b` under spec, with the concrete path of each."""
    def walk(value: Any, parts: list[str], at: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if not parts:
            if isinstance(value, dict):
                yield at, value
            return
        head, rest = parts[0], parts[1:]
        if head.endswith("[]"):
            for i, item in enumerate(_list(_dict(value).get(head[:-2]))):
                yield from walk(item, rest, f"{at}.{head[:-2]}[{i}]")
        else:
            yield from walk(_dict(value).get(head), rest, f"{at}.{head}")
    yield from walk(spec, path.split("."), "spec")


def server_refs_exist(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Ext-auth and rate-limit servers, server settings and configs that are referenced must exist."""
    found = []
    for owner_kind, path in SERVICE_REFS:
        for obj in stack.of_kind(owner_kind):
            for at, ref in _refs_at(obj.spec, path):
                name, namespace = _str(ref.get("name")), _str(ref.get("namespace")) or obj.namespace
                if name and not stack.exists("Service", name, namespace, _str(ref.get("cluster"))):
                    found.append(_violation(rule, obj, (
                        f"{at} refers to Service {namespace}/{name}{_on(ref)}, which neither the stack nor a "
                        "chart it installs creates there; requests needing this server fail. Fix: correct the "
                        "ref, or install the addons (gloo-mesh-agent chart with ext-auth-service / rate-limiter "
                        f"enabled, namespace {ADDONS_NS}) on that cluster.")))
    for owner_kind, path, target_kind in POLICY_REFS:
        for obj in stack.of_kind(owner_kind):
            for at, ref in _refs_at(obj.spec, path):
                name, namespace = _str(ref.get("name")), _str(ref.get("namespace")) or obj.namespace
                if name and not stack.exists(target_kind, name, namespace, _str(ref.get("cluster"))):
                    found.append(_violation(rule, obj, (
                        f"{at} refers to {target_kind} {namespace}/{name}{_on(ref)}, which the stack does not "
                        f"declare; Gloo accepts the policy and the route fails closed. Fix: declare the "
                        f"{target_kind} or correct the reference.")))
    return found


def _on(ref: Mapping[str, Any]) -> str:
    return f" on {ref['cluster']}" if ref.get("cluster") else ""


# Namespaces -----------------------------------------------------------------------------------
def lifecycle_namespaces(stack: Stack) -> dict[str | None, set[str]]:
    """Per cluster, the namespaces Gloo's lifecycle managers create: istio-system and gm-iop-<revision>."""
    found: dict[str | None, set[str]] = {}
    for manager in stack.of_kind("IstioLifecycleManager") + stack.of_kind("GatewayLifecycleManager"):
        for installation in _list(manager.spec.get("installations")):
            installation = _dict(installation)
            revision = installation.get("revision") or installation.get("gatewayRevision")
            operator = _dict(installation.get("istioOperatorSpec"))
            for cluster in _list(installation.get("clusters")):
                names = found.setdefault(_dict(cluster).get("name"), set())
                if manager.kind == "IstioLifecycleManager":
                    names.add(_str(operator.get("namespace")) or ISTIO_SYSTEM_NS)
                if revision:
                    names.add(f"gm-iop-{revision}")
    return found


def _type_of_urn(urn: str) -> str:
    """A URN's own type token (the last of its `$`-joined type chain)."""
    parts = urn.split("::")
    return parts[2].split("$")[-1] if len(parts) > 3 else ""


def management_stack_namespaces(stack: Stack) -> set[tuple[str | None, str]]:
    """In a fleet's workload stack: the management plane's namespace on the management cluster, which
    the management stack created before this stack runs (the clusters of the ManagementReference's objects)."""
    return {(r.cluster, GLOO_MESH_NS) for r in stack.declared
            if r.parent and _type_of_urn(r.parent) == MANAGEMENT_REFERENCE_TYPE}


def namespaces_exist(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Every namespaced Kubernetes object goes into a namespace the stack declares or knows to exist.

    Known to exist on a cluster: `PREEXISTING_NAMESPACES`, declared Namespaces, what the lifecycle
    managers create, (for objects other than the release itself) a declared Helm release's namespace,
    and in a fleet's workload stack the management stack's namespace on the management cluster.
    """
    declared = {(r.cluster, r.k8s_name) for r in stack.declared if r.kind == "Namespace" and r.is_kubernetes}
    declared |= management_stack_namespaces(stack)
    lifecycle = lifecycle_namespaces(stack)
    releases = {(r.cluster, r.namespace) for r in stack.releases}
    found = []
    for r in stack.declared:
        if not r.is_kubernetes or r.kind == "Namespace":
            continue
        namespace = r.namespace
        if not namespace or namespace in PREEXISTING_NAMESPACES:
            continue
        key = (r.cluster, namespace)
        if key in declared or namespace in lifecycle.get(r.cluster, set()):
            continue
        if r.type == HELM_RELEASE:
            if plain(r.props.get("createNamespace")) is True:
                continue
        elif key in releases:
            continue
        field_name = "namespace" if r.type == HELM_RELEASE else "metadata.namespace"
        found.append(_violation(rule, r, (
            f"{field_name} {namespace!r} is neither declared on {r.cluster} by the stack nor known to exist "
            "there; the API server rejects the object. Fix: declare the Namespace on that cluster (and make the "
            "object depend on it) or correct the namespace.")))
    return found


# Injection ------------------------------------------------------------------------------------
def _injected_namespaces(stack: Stack) -> set[tuple[str | None, str]]:
    return {(r.cluster, r.k8s_name) for r in stack.declared
            if r.kind == "Namespace" and r.is_kubernetes and r.k8s_name and REVISION_LABEL in r.labels}


def _istio_managers(stack: Stack, cluster: str | None) -> set[str]:
    urns = set()
    for manager in stack.of_kind("IstioLifecycleManager"):
        for installation in _list(manager.spec.get("installations")):
            if any(_dict(c).get("name") == cluster for c in _list(_dict(installation).get("clusters"))):
                urns.add(manager.urn)
    return urns


def _missing_istio(stack: Stack, rule: PolicyRule, r: Resource, why: str) -> Violation | None:
    managers = _istio_managers(stack, r.cluster)
    if managers and stack.waits_for(r, managers):
        return None
    detail = ("does not wait for the IstioLifecycleManager that installs Istio there" if managers
              else "but no IstioLifecycleManager of the stack installs Istio there")
    return _violation(rule, r, (
        f"gets an Istio sidecar ({why}) and {detail}; its pods start before the injector and run without a "
        "sidecar until restarted. Fix: add the cluster's IstioLifecycleManager (IstioLifecycle.ready) to "
        "its depends_on."))


def injected_workloads_wait_for_istio(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Deployments (and StatefulSets, DaemonSets) that get a sidecar wait until Istio is ready on their cluster."""
    injected = _injected_namespaces(stack)
    found = []
    for r in stack.declared:
        if r.type not in WORKLOAD_TYPES:
            continue
        template = _dict(_dict(plain(r.props.get("spec"))).get("template"))
        template_labels = _labels(_dict(template.get("metadata")).get("labels"))
        if template_labels.get(SIDECAR_INJECT_LABEL) == "false":
            continue
        if REVISION_LABEL in template_labels:
            why = f"spec.template.metadata.labels has {REVISION_LABEL}"
        elif (r.cluster, r.namespace) in injected:
            why = f"namespace {r.namespace} has label {REVISION_LABEL}"
        else:
            continue
        if (v := _missing_istio(stack, rule, r, why)) is not None:
            found.append(v)
    return found


def injected_charts_wait_for_istio(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Helm releases into a namespace with sidecar injection wait until Istio is ready on their cluster."""
    injected = _injected_namespaces(stack)
    found = []
    for r in stack.releases:
        if (r.cluster, r.namespace) in injected and (v := _missing_istio(
                stack, rule, r, f"release into namespace {r.namespace}, which has label {REVISION_LABEL}; "
                "advisory: the chart may create no injected pods")) is not None:
            found.append(v)
    return found


# Secrets --------------------------------------------------------------------------------------
def is_sensitive_key(key: str) -> bool:
    normalized = "".join(c for c in key.lower() if c.isalnum())
    return normalized in SENSITIVE_KEYS or normalized.endswith(SENSITIVE_SUFFIXES)


def _plaintext(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""


def sensitive_paths(value: Any, at: str) -> Iterator[str]:
    """Paths under `value` that hold a credential in plain text (not wrapped as a secret)."""
    if isinstance(value, SecretValue) or value is UNKNOWN:
        return
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and is_sensitive_key(name) and _plaintext(value.get("value")):
            yield f"{at}.value (env {name})"
        for key, item in value.items():
            if is_sensitive_key(str(key)) and _plaintext(item):
                yield f"{at}.{key}"
            else:
                yield from sensitive_paths(item, f"{at}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from sensitive_paths(item, f"{at}[{i}]")


def sensitive_values_are_secrets(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Secrets, ConfigMaps and Helm values carry credentials only as Pulumi secrets."""
    found = []
    for r in stack.declared:
        if not r.secrets_marked:
            continue
        if r.type == HELM_RELEASE:
            fields: Iterable[tuple[str, Any]] = [("values", r.props.get("values"))]
        elif r.is_kubernetes and r.kind in ("Secret", "ConfigMap"):
            fields = [(f, r.props.get(f)) for f in ("data", "stringData", "binaryData")]
        else:
            continue
        for name, value in fields:
            if isinstance(value, SecretValue):
                continue
            if isinstance(value, dict) and r.kind == "Secret":
                # In a Secret every key of data is a value; flag the sensitive ones.
                paths = [f"{name}.{k}" for k, v in value.items() if is_sensitive_key(k) and _plaintext(v)]
                paths += [p for k, v in value.items() if not is_sensitive_key(k)
                          for p in sensitive_paths(v, f"{name}.{k}")]
            else:
                paths = list(sensitive_paths(value, name))
            for path in paths:
                found.append(_violation(rule, r, (
                    f"{path} holds a credential in plain text: it is written unencrypted to the stack state and "
                    "shown in previews. Fix: wrap it with pulumi.Output.secret(...) (or generate it with "
                    "pulumi-random / pulumi-tls, whose results are secrets).")))
    return found


# The rules ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyRule:
    name: str
    description: str
    mandatory: bool
    check: Callable[[Stack, PolicyRule], list[Violation]]

    def run(self, resources: Sequence[Resource] | Stack) -> list[Violation]:
        stack = resources if isinstance(resources, Stack) else Stack(resources)
        return self.check(stack, self)


RULES: tuple[PolicyRule, ...] = (
    PolicyRule("route-selector-matches", "A policy's applyToRoutes route labels select a route of the stack.", True,
         route_selectors_match),
    # Advisory: a destination may be a Service a chart creates, whose labels the stack cannot see.
    PolicyRule("destination-selector-matches",
         "A policy's applyToDestinations selector selects a Service, VirtualDestination or ExternalService.",
         False, destination_selectors_match),
    PolicyRule("delegation-selector-matches", "A RouteTable's delegate selector selects a RouteTable.", True,
         delegation_selectors_match),
    # Advisory: the parent RouteTable may belong to another stack.
    PolicyRule("delegated-route-table-has-parent",
         "A RouteTable without hosts or virtual gateways is selected by some delegate.", False,
         delegated_tables_have_a_parent),
    PolicyRule("forward-to-declared", "A route's forwardTo destination exists in the stack.", True, forward_to_declared),
    PolicyRule("forward-to-exported",
         "A route's destination in another workspace is exported to the route's workspace.", True,
         forward_to_exported),
    PolicyRule("server-refs-exist",
         "Ext-auth and rate-limit server, settings and config references point at existing objects.", True,
         server_refs_exist),
    PolicyRule("namespace-exists", "Every namespaced object's namespace is declared or known to exist.", True,
         namespaces_exist),
    PolicyRule("injected-workload-waits-for-istio",
         "A workload with sidecar injection waits until Istio is ready on its cluster.", True,
         injected_workloads_wait_for_istio),
    # Advisory: a chart released into an injected namespace may create no injected pods.
    PolicyRule("injected-chart-waits-for-istio",
         "A Helm release into a namespace with sidecar injection waits until Istio is ready.", False,
         injected_charts_wait_for_istio),
    PolicyRule("sensitive-values-are-secrets",
         "Secrets, ConfigMaps and Helm values hold credentials only as Pulumi secrets.", True,
         sensitive_values_are_secrets),
)
RULES_BY_NAME: dict[str, PolicyRule] = {r.name: r for r in RULES}


def check(resources: Sequence[Resource]) -> list[Violation]:
    """Every rule over the stack; violations in rule order."""
    stack = Stack(resources)
    return [v for rule in RULES for v in rule.run(stack)]
