"""Server reference rules: ext-auth and rate-limit servers, server settings and configs that are referenced exist."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from components.core.constants import ADDONS_NS

from .resources import Violation, as_dict, as_list, as_str
from .rule import PolicyRule, violation
from .stack import Stack

# The references checked: (kind, field path) of a Service ref; (kind, field path, referenced kind) of a policy's.
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
            for i, item in enumerate(as_list(as_dict(value).get(head[:-2]))):
                yield from walk(item, rest, f"{at}.{head[:-2]}[{i}]")
        else:
            yield from walk(as_dict(value).get(head), rest, f"{at}.{head}")
    yield from walk(spec, path.split("."), "spec")


def server_refs_exist(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Ext-auth and rate-limit servers, server settings and configs that are referenced must exist."""
    found = []
    for owner_kind, path in SERVICE_REFS:
        for obj in stack.of_kind(owner_kind):
            for at, ref in _refs_at(obj.spec, path):
                name, namespace = as_str(ref.get("name")), as_str(ref.get("namespace")) or obj.namespace
                if name and not stack.exists("Service", name, namespace, as_str(ref.get("cluster"))):
                    found.append(violation(rule, obj, (
                        f"{at} refers to Service {namespace}/{name}{_on(ref)}, which neither the stack nor a "
                        "chart it installs creates there; requests needing this server fail. Fix: correct the "
                        "ref, or install the addons (gloo-mesh-agent chart with ext-auth-service / rate-limiter "
                        f"enabled, namespace {ADDONS_NS}) on that cluster.")))
    for owner_kind, path, target_kind in POLICY_REFS:
        for obj in stack.of_kind(owner_kind):
            for at, ref in _refs_at(obj.spec, path):
                name, namespace = as_str(ref.get("name")), as_str(ref.get("namespace")) or obj.namespace
                if name and not stack.exists(target_kind, name, namespace, as_str(ref.get("cluster"))):
                    found.append(violation(rule, obj, (
                        f"{at} refers to {target_kind} {namespace}/{name}{_on(ref)}, which the stack does not "
                        f"declare; Gloo accepts the policy and the route fails closed. Fix: declare the "
                        f"{target_kind} or correct the reference.")))
    return found


def _on(ref: Mapping[str, Any]) -> str:
    return f" on {ref['cluster']}" if ref.get("cluster") else ""

