"""The policy rules (`policy.rules`) over a mock simulation: for the tests and the offline render.

`resources(sim)` turns the simulation's records into the rules' neutral `Resource` shape, keeping
which values are secrets (the simulation sees them marked; pulumi-policy does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from offline.records import Record, Secret, Simulation, Unknown
from policy.rules import RULES, UNKNOWN, Resource, SecretValue, Violation, check


def neutral(value: Any) -> Any:
    """A record's input value with the simulation's markers replaced by the rules' markers."""
    if isinstance(value, Secret):
        return SecretValue(neutral(value.value))
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: neutral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [neutral(v) for v in value]
    return value


def resource(record: Record) -> Resource:
    props = neutral(record.inputs)
    if record.read:
        # A read's inputs are (mostly) empty; its id says what it reads.
        namespace, _, name = record.id.rpartition("/")
        kind = record.type.split(":")[-1]
        props = {**props, "kind": kind, "metadata": {"name": name, **({"namespace": namespace} if namespace else {})}}
    deps = set(record.dependencies)
    for urns in record.property_dependencies.values():
        deps.update(urns)
    return Resource(
        type=record.type, name=record.name, urn=record.urn, props=props, dependencies=tuple(sorted(deps)),
        parent=record.parent, cluster=record.cluster, custom=record.custom, read=record.read,
    )


def resources(sim: Simulation) -> list[Resource]:
    return [resource(r) for r in sim.records]


def check_simulation(sim: Simulation) -> list[Violation]:
    return check(resources(sim))


def report(violations: Sequence[Violation], stack: str) -> str:
    """`policy.md`: each rule with its result, then every violation."""
    lines = [f"# Policy report of stack `{stack}`", ""]
    mandatory = [v for v in violations if v.mandatory]
    advisory = [v for v in violations if not v.mandatory]
    lines += [f"{len(mandatory)} mandatory and {len(advisory)} advisory violations.", "",
              "| rule | enforcement | violations |", "|---|---|---|"]
    for rule in RULES:
        count = sum(1 for v in violations if v.rule == rule.name)
        lines.append(f"| `{rule.name}` | {'mandatory' if rule.mandatory else 'advisory'} | {count} |")
    if violations:
        lines += ["", "## Violations", ""]
        lines += [f"- **{v.rule}** ({'mandatory' if v.mandatory else 'advisory'}) — {v.resource}: {v.message}"
                  for v in violations]
    return "\n".join(lines) + "\n"

