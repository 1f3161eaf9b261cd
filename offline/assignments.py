"""Config changes as `gmw diff` takes them: `--set KEY=VALUE` (a list as JSON), `--unset KEY`, applied to a stack's config."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from components.core.config import DEFAULTS, LIST_KEYS, PROJECT


# Config ---------------------------------------------------------------------------------------------
def config_value(text: str) -> Any:
    """A `--set` value as Pulumi config holds it: JSON lists, objects, whole numbers and booleans;
    everything else (`1-18`, `1.18.2-solo`, `2.2.7`, even `1.5`) a string. `"..."` forces a string."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(value, list | dict | bool | str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return text

#: How a list value is written on the command line, per list key (others: its default, or two strings).
_LIST_EXAMPLES = {"features": ["gateway", "waf"], "reviewsVersions": [["v1", "v2"], ["v1", "v2", "v3"]]}

def _list_example(key: str) -> str:
    example = _LIST_EXAMPLES.get(key) or DEFAULTS.get(key) or ["a", "b"]
    return json.dumps(example, separators=(",", ":"))

def parse_assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"--set {text!r}: expected KEY=VALUE")
    bare = _config_key(key)
    if bare in LIST_KEYS or value.lstrip().startswith("["):
        try:
            json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(
                f"--set {key}: {value!r} is not valid JSON; a list is written in JSON, its strings quoted: "
                f"--set '{key}={_list_example(bare)}'") from None
    return bare, config_value(value)

def _config_key(key: str) -> str:
    namespace, sep, bare = key.partition(":")
    if not sep:
        return key
    if namespace != PROJECT:
        raise ValueError(f"{key!r}: only {PROJECT}: keys are this program's config")
    return bare

def changed_config(config: Mapping[str, Any], sets: Iterable[tuple[str, Any]], unsets: Iterable[str]) -> dict[str, Any]:
    result = dict(config)
    for key in unsets:
        result.pop(_config_key(key), None)
    result.update(sets)
    return result
