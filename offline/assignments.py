"""Config changes as `gmw diff` takes them: `--set KEY=VALUE` (a list as JSON), `--unset KEY`, applied to a stack's config."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from components.core.config import DEFAULTS, LIST_KEYS, PROJECT, REVIEWS_VERSIONS


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
#: What a list key holds, as `parse_settings` says it.
_LIST_KINDS = {**{key: "a list of strings" for key in LIST_KEYS},
               "reviewsVersions": f"one list per workload cluster of versions from {', '.join(REVIEWS_VERSIONS)}"}

def _list_example(key: str) -> str:
    example = _LIST_EXAMPLES.get(key) or DEFAULTS.get(key) or ["a", "b"]
    return json.dumps(example, separators=(",", ":"))

def parse_assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"--set {text!r}: expected KEY=VALUE")
    bare = _config_key(key)
    if bare in LIST_KEYS or value.lstrip().startswith("["):
        written = f"in JSON, its strings quoted: --set '{key}={_list_example(bare)}'"
        how = f"expected {_LIST_KINDS[bare]} {written}" if bare in LIST_KEYS else f"a list is written {written}"
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"--set {key}: {value!r} is not valid JSON; {how}") from None
        if bare in LIST_KEYS and not isinstance(decoded, list):
            raise ValueError(f"--set {key}: {decoded!r} is not a list; {how}")
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
