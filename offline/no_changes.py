"""What `pulumi preview --expect-no-changes` counts as a change, for a preview's change summary.

The Pulumi CLI fails `--expect-no-changes` when the summary has any step other than `same` and
the read steps (`read`, `discard`, `read-replacement`): a `Resource.get` read is a read step in
every preview, whatever the provider writes into its outputs, and is never a change
(pulumi/pulumi `pkg/engine/update.go` `HasChanges`, used by `pkg/cmd/pulumi/operations/preview.go`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Step operations (as the automation API spells them, `OpType` values) that are not changes.
NOT_CHANGES = frozenset({"same", "read", "discard", "read-replacement"})


def proposed_changes(change_summary: Mapping[Any, int]) -> dict[str, int]:
    """The counted steps of a preview's change summary that `--expect-no-changes` rejects."""
    changes: dict[str, int] = {}
    for op, count in change_summary.items():
        name = str(getattr(op, "value", op))
        if count and name not in NOT_CHANGES:
            changes[name] = count
    return changes

