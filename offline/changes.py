"""The field-level changes between a resource's old and new inputs: paths, list indices, secrets shown as [secret], unknowns as known after deploy."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from offline.records import Secret, Unknown
from offline.secrets import REDACTED

SECRET = REDACTED
ABSENT = "(none)"
VALUE_WIDTH = 200


class _Missing:
    def __repr__(self) -> str:
        return ABSENT

MISSING = _Missing()

@dataclass(frozen=True)
class Change:
    """One changed input: its path (Pulumi's notation), old and new value, and whether it is secret."""

    path: str
    old: Any
    new: Any
    secret: bool = False

    def line(self) -> str:
        return f"{self.path}: {_show(self.old, self.secret)} → {_show(self.new, self.secret)}"

# Inputs ---------------------------------------------------------------------------------------------
def _show(value: Any, secret: bool) -> str:
    if value is MISSING:
        return ABSENT
    if secret:
        return SECRET
    if isinstance(value, Unknown):
        return "[known after deploy]"
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "…"

def _plain(value: Any) -> Any:
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, Unknown):
        return "[known after deploy]"
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value

def _key(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"

def input_changes(old: Any, new: Any, path: str = "", secret: bool = False) -> list[Change]:
    """Every changed leaf between two input values, in order; containers added or removed whole are one change."""
    if isinstance(old, Secret) or isinstance(new, Secret):
        return input_changes(old.value if isinstance(old, Secret) else old,
                             new.value if isinstance(new, Secret) else new, path, secret=True)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[Change] = []
        for key in sorted(set(old) | set(new)):
            if key == "__defaults":
                continue
            found += input_changes(old.get(key, MISSING), new.get(key, MISSING), _key(path, key), secret)
        return found
    if isinstance(old, list) and isinstance(new, list):
        return _list_changes(old, new, path, secret)
    if _same(old, new):
        return []
    return [Change(path or "(inputs)", old, new, secret)]

def _list_changes(old: list[Any], new: list[Any], path: str, secret: bool) -> list[Change]:
    """Lists aligned on their equal elements, so an entry inserted in the middle shows as that one entry
    (at its new index; a removed one at its old index), and a changed entry as its changed fields."""
    def canonical(items: list[Any]) -> list[str]:
        return [json.dumps(_plain(_revealed(v)), sort_keys=True) for v in items]

    found: list[Change] = []
    matcher = difflib.SequenceMatcher(a=canonical(old), b=canonical(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            found += input_changes(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]", secret)
        found += [Change(f"{path}[{i}]", old[i], MISSING, secret) for i in range(i1 + paired, i2)]
        found += [Change(f"{path}[{j}]", MISSING, new[j], secret) for j in range(j1 + paired, j2)]
    return found

def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Unknown) or isinstance(new, Unknown):
        return False  # Pulumi cannot know either: a preview shows it as a change
    return type(old) is type(new) and old == new

def _revealed(value: Any) -> Any:
    if isinstance(value, Secret):
        return _revealed(value.value)
    if isinstance(value, Mapping):
        return {k: _revealed(v) for k, v in value.items() if k != "__defaults"}
    if isinstance(value, list):
        return [_revealed(v) for v in value]
    return value
