"""The rule type: a named check over the stack with its enforcement level, and the violation it reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .resources import Resource, Violation
from .stack import Stack


@dataclass(frozen=True)
class PolicyRule:
    name: str
    description: str
    mandatory: bool
    check: Callable[[Stack, PolicyRule], list[Violation]]

    def run(self, resources: Sequence[Resource] | Stack) -> list[Violation]:
        stack = resources if isinstance(resources, Stack) else Stack(resources)
        return self.check(stack, self)


def violation(rule: PolicyRule, resource: Resource, message: str) -> Violation:
    return Violation(rule.name, rule.mandatory, resource.urn, resource.describe(), message)
