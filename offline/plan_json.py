"""The change plan as JSON (`gmw diff --json`; its shape: docs/json-output.md)."""

from __future__ import annotations

from typing import Any

from offline.changes import MISSING, SECRET, Change, _plain
from offline.plan import ACTIONS, Plan

# JSON -----------------------------------------------------------------------------------------------
JSON_FORMAT = 1

def _json_change(change: Change) -> dict[str, Any]:
    """One changed input: `old`/`new` hold the value (a secret as "[secret]"); absent means the input was not set."""
    entry: dict[str, Any] = {"path": change.path, "secret": change.secret}
    for side, value in (("old", change.old), ("new", change.new)):
        if value is not MISSING:
            entry[side] = SECRET if change.secret else _plain(value)
    return entry

def plan_json(result: Plan) -> dict[str, Any]:
    """The plan as `--json` prints it (docs/json-output.md): the same steps and counts as the text."""
    return {
        "format": JSON_FORMAT,
        "title": result.title,
        "notes": list(result.notes),
        "steps": [{"action": s.action, "cluster": s.cluster, "label": s.label, "urn": s.urn,
                   "changes": [_json_change(c) for c in s.changes],
                   "reasons": list(s.reasons), "deleteFirst": s.delete_first, "blocked": s.blocked,
                   "note": s.note} for s in result.steps],
        "blocked": len(result.blocked()),
        "summary": {**{action: len(result.of(action)) for action in ACTIONS}, "unchanged": result.unchanged},
    }
