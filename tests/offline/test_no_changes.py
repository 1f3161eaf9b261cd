"""The no-change gate of the end-to-end test: what `pulumi preview --expect-no-changes` checks."""

from __future__ import annotations

import pytest
from pulumi.automation import OpType

from offline.no_changes import proposed_changes


def test_reads_and_same_are_no_change() -> None:
    # Upstream fact (pulumi/pulumi pkg/engine/update.go `HasChanges`): every op counts as a change
    # except OpSame, OpRead, OpReadDiscard ("discard") and OpReadReplacement. A real preview after `up` shows
    # this program's four chart-object reads as `read` steps, each time.
    summary = {OpType.SAME: 170, OpType.READ: 4, OpType.DISCARD: 0, OpType.READ_REPLACEMENT: 1}
    assert proposed_changes(summary) == {}


@pytest.mark.parametrize("op", [OpType.CREATE, OpType.UPDATE, OpType.REPLACE, OpType.DELETE,
                                OpType.CREATE_REPLACEMENT, OpType.DELETE_REPLACED, OpType.IMPORT])
def test_any_other_step_is_a_change(op: OpType) -> None:
    assert proposed_changes({OpType.SAME: 3, OpType.READ: 4, op: 2}) == {op.value: 2}


def test_plain_strings_as_the_cli_json_gives_them() -> None:
    assert proposed_changes({"same": 1, "read": 4, "update": 0}) == {}
