"""The deploy order of a stack as Pulumi sees it, and its critical path. Pure Python, no Pulumi.

Pulumi starts a resource once everything it waits for is done:

- its explicit `depends_on` and its property dependencies (Outputs of other resources it takes);
- its parent: a child is registered after its parent (for a component parent that is only the
  component's own dependencies; a component takes no time itself);
- depending on a component means waiting for the component and everything under it.

Most resources are done as soon as the API server accepts them. A few are *awaited*: Pulumi (or
Helm) waits until they are ready, which is where a deploy spends its minutes. The critical path is
the chain of waits with the most awaited resources on it: the number of awaited stages a deploy
goes through one after the other, however many clusters run in parallel.

`Graph.from_records(sim.records)` builds the graph of a `offline.records.Simulation`; tests build
small graphs by hand from `Node`s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any, Protocol

from components.core.constants import HELM_RELEASE

SERVICE = "kubernetes:core/v1:Service"
WAIT_FOR = "pulumi.com/waitFor"
SKIP_AWAIT = "pulumi.com/skipAwait"
# Kinds the Kubernetes provider waits on until they are rolled out (or, for a Job, complete).
ROLLOUT_TYPES = frozenset({
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
})


class RecordLike(Protocol):
    """What the graph needs of a `offline.records.Record`."""

    urn: str
    type: str
    custom: bool
    read: bool
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    cluster: str | None

    @property
    def inputs(self) -> dict[str, Any]: ...

    @property
    def metadata(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Node:
    urn: str
    custom: bool = True
    parent: str | None = None
    #: explicit and property dependencies, as recorded (components not expanded)
    dependencies: tuple[str, ...] = ()
    awaited: bool = False
    cluster: str | None = None


def is_awaited(record: RecordLike) -> bool:
    """Whether Pulumi waits for `record` to become ready, not just to be accepted.

    Helm releases (Helm waits for the chart's workloads), Deployments, StatefulSets, DaemonSets and
    Jobs, LoadBalancer Services (until they have an address), and any object with a
    `pulumi.com/waitFor` annotation. A read is a GET and is never awaited; `pulumi.com/skipAwait`
    (or a release's `skipAwait`) turns the wait off.
    """
    if not record.custom or record.read:
        return False
    if record.type == HELM_RELEASE:
        return not record.inputs.get("skipAwait")
    if not record.type.startswith("kubernetes:"):
        return False
    annotations = (record.metadata or {}).get("annotations") or {}
    if isinstance(annotations, Mapping):
        if annotations.get(WAIT_FOR):
            return True
        if str(annotations.get(SKIP_AWAIT, "")).lower() == "true":
            return False
    if record.type in ROLLOUT_TYPES:
        return True
    if record.type == SERVICE:
        spec = record.inputs.get("spec")
        return isinstance(spec, Mapping) and spec.get("type") == "LoadBalancer"
    return False


@dataclass(frozen=True)
class CriticalPath:
    #: awaited resources on the longest chain
    length: int
    #: the chain, first resource to deploy first, every link included
    chain: tuple[str, ...]
    #: the awaited resources on it, in order
    awaited: tuple[str, ...]


@dataclass
class Graph:
    nodes: dict[str, Node]
    _children: dict[str, list[str]] = field(default_factory=dict)
    _subtree: dict[str, frozenset[str]] = field(default_factory=dict)
    _waits: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        children: dict[str, list[str]] = defaultdict(list)
        for node in self.nodes.values():
            if node.parent is not None and node.parent in self.nodes:
                children[node.parent].append(node.urn)
        self._children = dict(children)

    @classmethod
    def of(cls, nodes: Iterable[Node]) -> Graph:
        return cls({n.urn: n for n in nodes})

    @classmethod
    def from_records(cls, records: Iterable[RecordLike]) -> Graph:
        nodes = []
        for r in records:
            deps = set(r.dependencies)
            for urns in r.property_dependencies.values():
                deps.update(urns)
            nodes.append(Node(urn=r.urn, custom=r.custom, parent=r.parent, dependencies=tuple(sorted(deps)),
                              awaited=is_awaited(r), cluster=r.cluster))
        return cls.of(nodes)

    def subtree(self, urn: str) -> frozenset[str]:
        """`urn` and every resource under it (what depending on it waits for)."""
        cached = self._subtree.get(urn)
        if cached is not None:
            return cached
        found = {urn}
        stack = list(self._children.get(urn, ()))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(self._children.get(child, ()))
        result = frozenset(found)
        self._subtree[urn] = result
        return result

    def dependencies(self, urn: str) -> frozenset[str]:
        """The resources `urn` depends on directly, components expanded to everything under them."""
        result: set[str] = set()
        for dep in self.nodes[urn].dependencies:
            if dep in self.nodes:
                result.update(self.subtree(dep) if not self.nodes[dep].custom else (dep,))
        result.discard(urn)
        return frozenset(result)

    def waits_for(self, urn: str) -> frozenset[str]:
        """What Pulumi waits for before starting `urn`: its dependencies and its parent."""
        cached = self._waits.get(urn)
        if cached is not None:
            return cached
        result = set(self.dependencies(urn))
        parent = self.nodes[urn].parent
        if parent is not None and parent in self.nodes:
            result.add(parent)
        frozen = frozenset(result)
        self._waits[urn] = frozen
        return frozen

    def reaches(self, urn: str, other: str) -> bool:
        """Whether `urn` waits for `other`, directly or transitively."""
        seen: set[str] = set()
        stack = list(self.waits_for(urn))
        while stack:
            current = stack.pop()
            if current == other:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(self.waits_for(current))
        return False

    def order(self) -> list[str]:
        """Every resource, each after all it waits for (deterministic; raises graphlib.CycleError)."""
        sorter: TopologicalSorter[str] = TopologicalSorter()
        for urn in sorted(self.nodes):
            sorter.add(urn, *sorted(self.waits_for(urn)))
        return list(sorter.static_order())

    def critical_path(self) -> CriticalPath:
        """The chain of waits with the most awaited resources on it (ties: the lexically first)."""
        best: dict[str, int] = {}
        previous: dict[str, str | None] = {}
        for urn in self.order():
            before = max(sorted(self.waits_for(urn)), key=lambda u: best[u], default=None)
            best[urn] = (best[before] if before is not None else 0) + (1 if self.nodes[urn].awaited else 0)
            previous[urn] = before
        if not best:
            return CriticalPath(0, (), ())
        end: str | None = max(sorted(best), key=lambda u: best[u])
        chain: list[str] = []
        while end is not None:
            chain.append(end)
            end = previous[end]
        chain.reverse()
        awaited = tuple(u for u in chain if self.nodes[u].awaited)
        return CriticalPath(len(awaited), tuple(chain), awaited)

    def cross_cluster_waits(self, clusters: Iterable[str], ignore: Iterable[str] = ()) -> list[tuple[str, str]]:
        """(a, b) pairs where a resource `a` on one of `clusters` waits, directly or transitively, for a
        resource `b` on another of them. Waits through resources on an `ignore`d cluster (the
        management cluster) are not followed; resources on no cluster (components, generated keys)
        are. One pair per offending resource and cluster it reaches."""
        workload = set(clusters)
        skipped = set(ignore) - workload
        # reach[u]: for each workload cluster u reaches, one resource on it.
        reach: dict[str, dict[str, str]] = {}
        for urn in self.order():
            found: dict[str, str] = {}
            for dep in sorted(self.waits_for(urn)):
                cluster = self.nodes[dep].cluster
                if cluster in skipped:
                    continue
                if cluster in workload:
                    found.setdefault(cluster, dep)
                for c, example in reach[dep].items():
                    found.setdefault(c, example)
            reach[urn] = found
        pairs = []
        for urn in sorted(self.nodes):
            own = self.nodes[urn].cluster
            if own not in workload:
                continue
            pairs.extend((urn, example) for c, example in sorted(reach[urn].items()) if c != own)
        return pairs

