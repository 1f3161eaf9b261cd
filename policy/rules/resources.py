"""The rules' neutral shape of a stack: `Resource`, `Violation`, and the plain-value helpers every rule uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.core.constants import HELM_RELEASE

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
            return as_str(plain(self.props.get("name")))
        return as_str(self.metadata.get("name"))

    @property
    def namespace(self) -> str | None:
        if self.type == HELM_RELEASE:
            return as_str(plain(self.props.get("namespace")))
        return as_str(self.metadata.get("namespace"))

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


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_labels(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_dict(value).items()}


def fmt_labels(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {v!r}" for k, v in sorted(labels.items())) + "}"


def subset(wanted: Mapping[str, str], have: Mapping[str, str]) -> bool:
    return all(have.get(k) == v for k, v in wanted.items())

