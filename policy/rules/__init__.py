"""The policy rules: mistakes Gloo Mesh accepts silently that break traffic, as plain functions.

Every rule takes the stack's resources in one neutral shape (`Resource`) and returns
`Violation`s. Two adapters build that shape: `offline.policy` from the mock simulation (tests
and the offline render) and `policy/__main__.py` from pulumi-policy's `StackValidationArgs` (the
CrossGuard pack, `pulumi preview --policy-pack policy`). Both run these same functions.

No Pulumi import here: only the standard library and `components.core.constants`.

Enforcement: a rule is *mandatory* when the stack alone decides it (the object it refers to is
declared by this program or not); *advisory* when a false positive is plausible because the
object may come from outside the stack (a chart, another stack) — see `RULES`.

One module per kind of rule, over two shared ones:
- `resources`: the neutral shape (`Resource`, `Violation`, `SecretValue`, `UNKNOWN`) and value helpers;
- `stack`: the stack indexed (`Stack`: what exists, workspaces and exports, dependencies);
- `rule`: `PolicyRule`, a named check with its enforcement level;
- `routes`, `server_refs`, `namespaces`, `injection`, `secrets`: the checks;
- `registry`: `RULES`, the one list of rules the pack, the render and the tests run.
"""

from .injection import (
    SIDECAR_INJECT_LABEL,
    WORKLOAD_TYPES,
    injected_charts_wait_for_istio,
    injected_workloads_wait_for_istio,
)
from .namespaces import lifecycle_namespaces, management_stack_namespaces, namespaces_exist
from .registry import RULES, RULES_BY_NAME, check
from .resources import DESTINATION_TYPES, HELM_RELEASE, UNKNOWN, Resource, SecretValue, Violation, plain
from .routes import (
    delegated_tables_have_a_parent,
    delegation_selectors_match,
    destination_selectors_match,
    forward_to_declared,
    forward_to_exported,
    route_selectors_match,
)
from .rule import PolicyRule
from .secrets import (
    SENSITIVE_KEYS,
    SENSITIVE_SUFFIXES,
    is_sensitive_key,
    sensitive_paths,
    sensitive_values_are_secrets,
)
from .server_refs import POLICY_REFS, SERVICE_REFS, server_refs_exist
from .stack import CHART_SERVICES, EXTERNAL_SERVICES, Stack, Target

__all__ = [
    "CHART_SERVICES", "DESTINATION_TYPES", "EXTERNAL_SERVICES", "HELM_RELEASE", "POLICY_REFS", "RULES",
    "RULES_BY_NAME", "SENSITIVE_KEYS", "SENSITIVE_SUFFIXES", "SERVICE_REFS", "SIDECAR_INJECT_LABEL", "UNKNOWN",
    "WORKLOAD_TYPES", "PolicyRule", "Resource", "SecretValue", "Stack", "Target", "Violation", "check",
    "delegated_tables_have_a_parent", "delegation_selectors_match", "destination_selectors_match",
    "forward_to_declared", "forward_to_exported", "injected_charts_wait_for_istio",
    "injected_workloads_wait_for_istio", "is_sensitive_key", "lifecycle_namespaces", "management_stack_namespaces",
    "namespaces_exist", "plain", "route_selectors_match", "sensitive_paths", "sensitive_values_are_secrets",
    "server_refs_exist",
]
