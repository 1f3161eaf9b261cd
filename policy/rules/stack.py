"""The stack, indexed: what exists (declared, read or chart-made), workspaces and exports, and dependencies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .resources import DESTINATION_TYPES, HELM_RELEASE, Resource, as_dict, as_labels, as_list, plain, subset

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


@dataclass(frozen=True)
class Target:
    """Something a reference or selector can point at: a declared object or a chart-created Service."""

    kind: str
    name: str
    namespace: str | None
    cluster: str | None
    labels: Mapping[str, str]
    #: False for what the stack reads or a chart creates: its labels are not visible here
    labels_known: bool


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
            for wc in as_list(ws.spec.get("workloadClusters")):
                wc = as_dict(wc)
                if wc.get("name") not in ("*", cluster):
                    continue
                names = [as_dict(n).get("name") for n in as_list(wc.get("namespaces"))]
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
            for rule in as_list(settings.spec.get("exportTo")):
                rule = as_dict(rule)
                if not any(_workspace_matches(as_dict(w), to) for w in as_list(rule.get("workspaces"))):
                    continue
                resources = as_list(rule.get("resources"))
                if not resources:
                    return True
                for res in resources:
                    res = as_dict(res)
                    if res.get("kind", "ALL") not in ("ALL", kind):
                        continue
                    if not subset(as_labels(res.get("labels")), labels):
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
        return subset(as_labels(ref["selector"]), workspace.labels)
    return False


def _path(value: Any, dotted: str) -> Any:
    """`values['a']['b']` for 'a.b', trying the longest keys first (chart keys may hold dots or dashes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if isinstance(value, dict) and key in value:
            return value[key] if cut == len(parts) else _path(value[key], ".".join(parts[cut:]))
    return None

