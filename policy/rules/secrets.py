"""Secret rules: Secrets, ConfigMaps and Helm values carry credentials only as Pulumi secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .resources import HELM_RELEASE, UNKNOWN, Resource, SecretValue, Violation
from .rule import PolicyRule, violation
from .stack import Stack

# Key names (lower-cased, without '-', '_' and '.') whose value is a credential: these, and any
# ending in one of the suffixes (which covers the suffixes themselves: `password`, `privateKey` ...).
SENSITIVE_KEYS = frozenset({"passwd", "secret", "token", "tlskey", "accesskey", "bearertoken", "sessionsecret"})
SENSITIVE_SUFFIXES = ("password", "privatekey", "clientsecret", "apikey", "licensekey", "secretkey")


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


def _checked_fields(r: Resource) -> list[tuple[str, Any]]:
    """The fields of `r` that may carry a credential: a release's values, a Secret's or ConfigMap's data."""
    if r.type == HELM_RELEASE:
        return [("values", r.props.get("values"))]
    if r.is_kubernetes and r.kind in ("Secret", "ConfigMap"):
        return [(f, r.props.get(f)) for f in ("data", "stringData", "binaryData")]
    return []


def _plaintext_paths(kind: str, name: str, value: Any) -> list[str]:
    """The paths under field `name` (of an object of `kind`) that hold a credential in plain text."""
    if isinstance(value, SecretValue):
        return []
    if isinstance(value, dict) and kind == "Secret":
        # In a Secret every key of data is a value; flag the sensitive ones.
        paths = [f"{name}.{k}" for k, v in value.items() if is_sensitive_key(k) and _plaintext(v)]
        return paths + [p for k, v in value.items() if not is_sensitive_key(k)
                        for p in sensitive_paths(v, f"{name}.{k}")]
    return list(sensitive_paths(value, name))


def sensitive_values_are_secrets(stack: Stack, rule: PolicyRule) -> list[Violation]:
    """Secrets, ConfigMaps and Helm values carry credentials only as Pulumi secrets."""
    return [violation(rule, r, (
        f"{path} holds a credential in plain text: it is written unencrypted to the stack state and "
        "shown in previews. Fix: wrap it with pulumi.Output.secret(...) (or generate it with "
        "pulumi-random / pulumi-tls, whose results are secrets)."))
        for r in stack.declared if r.secrets_marked
        for name, value in _checked_fields(r) for path in _plaintext_paths(r.kind, name, value)]
