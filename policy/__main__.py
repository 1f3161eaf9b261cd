"""The CrossGuard policy pack: `pulumi preview --policy-pack policy` (from the repository root).

One stack validation policy per rule of `policy.rules`, with the rule's enforcement level. This
file only adapts pulumi-policy's `StackValidationArgs.resources` to the rules' neutral `Resource`
shape; the checks are the same functions the tests and the offline render run.

Two limits of pulumi-policy shape what the pack can see:
- it gives policies secret values as plain text with no marker (pulumi/pulumi-policy#241), so
  `sensitive-values-are-secrets` cannot tell a secret from plain text here and is skipped; the offline
  render (`gmw render`) and the tests run it;
- values only known after deploy raise when read; the adapter reads through them and marks them
  unknown instead, so a preview of a fresh stack is still checked.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# The pack lives in the program's repository and shares its constants (components/core/constants.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from policy.rules import RULES, UNKNOWN, PolicyRule, Resource, Stack

PACK_NAME = "gloo-mesh-workshop"
UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
})


def raw(value: Any) -> Any:
    """Plain JSON from pulumi-policy's property proxies, with unknown values as `UNKNOWN`."""
    target = value
    if not isinstance(value, dict | list | str | int | float | bool | type(None)):
        try:
            target = value["__target"]  # the proxies keep the real value here
        except (KeyError, TypeError, IndexError):
            target = value
    if isinstance(target, str) and target in UNKNOWN_SENTINELS:
        return UNKNOWN
    if isinstance(target, dict):
        return {k: raw(v) for k, v in target.items()}
    if isinstance(target, list | tuple):
        return [raw(v) for v in target]
    return target


def neutral(resource: PolicyResource) -> Resource:
    deps = {d.urn for d in resource.dependencies}
    for urns in (resource.property_dependencies or {}).values():
        deps.update(d.urn for d in urns)
    provider = resource.provider
    cluster = provider.name if provider is not None and provider.resource_type == "pulumi:providers:kubernetes" \
        else None
    return Resource(
        type=resource.resource_type, name=resource.name, urn=resource.urn, props=raw(resource.props),
        dependencies=tuple(sorted(deps)), parent=resource.parent.urn if resource.parent is not None else None,
        cluster=cluster,
        # Components have no provider; custom resources always have one (default or explicit).
        custom=provider is not None or resource.resource_type.startswith("pulumi:providers:"),
        secrets_marked=False,
    )


def validator(rule: PolicyRule) -> Any:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        stack = Stack([neutral(r) for r in args.resources])
        for violation in rule.run(stack):
            report_violation(f"{violation.resource}: {violation.message}", violation.urn)
    return validate


def policies() -> list[StackValidationPolicy]:
    return [
        StackValidationPolicy(
            name=rule.name,
            description=rule.description,
            enforcement_level=EnforcementLevel.MANDATORY if rule.mandatory else EnforcementLevel.ADVISORY,
            validate=validator(rule),
        )
        for rule in RULES
    ]


if __name__ == "__main__":
    PolicyPack(name=PACK_NAME, policies=policies())
