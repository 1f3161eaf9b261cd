"""Reading this stack's config from the Pulumi runtime: the one impure part of the config."""

from __future__ import annotations

from typing import Any

from .keys import KNOWN_KEYS, LIST_KEYS, PROJECT
from .parse import parse_settings
from .problems import decode_json
from .settings import Settings


def load_settings() -> Settings:
    """Read this stack's config from the Pulumi runtime and validate it (no resources registered)."""
    import pulumi

    values: dict[str, Any] = {}
    for key in sorted(KNOWN_KEYS):
        raw = pulumi.runtime.get_config(f"{PROJECT}:{key}")
        if raw is None:
            continue
        values[key] = decode_value(key, raw)
    # Keys this program does not know are a typo more often than not: report them too. The CLI
    # hands the stack's config to the program in PULUMI_CONFIG; tests and tools set it directly.
    full_keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.config.get_config_env())
    for full_key in sorted(full_keys):
        namespace, _, key = full_key.partition(":")
        if namespace == PROJECT and key not in KNOWN_KEYS:
            values[key] = pulumi.runtime.get_config(full_key)
    return parse_settings(values)


def decode_value(key: str, raw: Any) -> Any:
    """A value as Pulumi hands it to the program (a string) made what `parse_settings` reads: list keys
    are JSON (a string that is not JSON is reported by `parse_settings`, never replaced by a default)."""
    if not isinstance(raw, str) or key not in LIST_KEYS:
        return raw
    return decode_json(raw)
