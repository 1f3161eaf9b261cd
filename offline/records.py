"""What a simulation records: each resource the program registers or reads, with its inputs (secret
values wrapped in `Secret`, unknowns as `UNKNOWN`), provider, parent and dependencies, and the
stack outputs (`Simulation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offline.graph import Graph

_SECRET_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_REF_VALUE = "5cf8f73096256a8f31e491e813e4eb8e"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_ID_MARK = _UNKNOWN  # appears in a read's id when the id is only known after deploy


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret."""

    value: Any


class Unknown:
    """A value only known after deploy (seen in preview)."""

    def __repr__(self) -> str:
        return "Unknown"


UNKNOWN = Unknown()


@dataclass
class Record:
    urn: str
    type: str
    name: str
    custom: bool
    read: bool
    id: str
    inputs: dict[str, Any]
    provider: str | None
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    create_timeout: str | None = None
    cluster: str | None = None
    #: resource options that bear on replacement (`offline.replacement`)
    replacement_trigger: Any = None
    replace_on_changes: tuple[str, ...] = ()
    #: how often a generated resource has been replaced since the first simulation of a series
    #: (`simulate(..., previous=...)`); its stand-in values differ per generation
    generation: int = 0

    @property
    def kind(self) -> str:
        return self.inputs.get("kind") or self.type.split(":")[-1]

    @property
    def metadata(self) -> dict[str, Any]:
        return reveal(self.inputs.get("metadata") or {})

    @property
    def k8s_name(self) -> str | None:
        if self.read:  # a read is named by its id, `namespace/name`
            return self.id.rpartition("/")[2]
        return self.metadata.get("name") or reveal(self.inputs.get("name"))

    @property
    def namespace(self) -> str | None:
        if self.read:
            return self.id.rpartition("/")[0] or None
        return self.metadata.get("namespace") or reveal(self.inputs.get("namespace"))

    @property
    def labels(self) -> dict[str, str]:
        return self.metadata.get("labels") or {}

    @property
    def spec(self) -> dict[str, Any]:
        return reveal(self.inputs.get("spec") or {})


@dataclass
class Simulation:
    records: list[Record]
    outputs: dict[str, Any]
    _by_urn: dict[str, Record] = field(default_factory=dict)
    _graph: Graph | None = None

    def __post_init__(self) -> None:
        self._by_urn = {r.urn: r for r in self.records}

    def by_urn(self, urn: str) -> Record:
        return self._by_urn[urn]

    def select(self, type_or_kind: str | None = None, *, cluster: str | None = None, name: str | None = None,
               namespace: str | None = None, read: bool = False) -> list[Record]:
        found = []
        for r in self.records:
            if r.read != read or not r.custom or r.type == "pulumi:providers:kubernetes":
                continue
            if type_or_kind is not None and type_or_kind not in (r.type, r.kind):
                continue
            if cluster is not None and r.cluster != cluster:
                continue
            if name is not None and r.k8s_name != name:
                continue
            if namespace is not None and r.namespace != namespace:
                continue
            found.append(r)
        return found

    def one(self, type_or_kind: str, **where: Any) -> Record:
        found = self.select(type_or_kind, **where)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_or_kind} {where}, found {len(found)}: {[r.urn for r in found]}")
        return found[0]

    def depends_on(self, record: Record, other: Record) -> bool:
        """Whether `record` waits for `other`, directly or transitively, as the engine orders them
        (`offline.graph.Graph`: dependencies, a component standing for everything under it, and parents)."""
        if self._graph is None:
            self._graph = Graph.from_records(self.records)
        return self._graph.reaches(record.urn, other.urn)


def reveal(value: Any) -> Any:
    """The value with every Secret unwrapped (for assertions on the plain values)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def _decode_wire(value: Any) -> Any:
    """A property value as the monitor received it, keeping secrets, unknowns and references visible."""
    if isinstance(value, dict):
        sig = value.get(_SECRET_SIG)
        if sig == _SECRET_VALUE:
            return Secret(_decode_wire(value.get("value")))
        if sig == _RESOURCE_REF_VALUE:
            return {"$ref": value.get("urn")}
        # The wire format (a protobuf Struct) does not keep key order: sort, so records are deterministic.
        return {k: _decode_wire(value[k]) for k in sorted(value) if k != _SECRET_SIG}
    if isinstance(value, list):
        return [_decode_wire(v) for v in value]
    if isinstance(value, str) and _UNKNOWN in value:
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


