"""State compatibility: no stack file's URNs change unless the snapshot is regenerated on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline import ROOT
from offline.stack_files import iter_stack_files
from tools import snapshot

STACK_FILES = list(iter_stack_files())


@pytest.mark.parametrize("stack_file", STACK_FILES, ids=lambda p: snapshot.snapshot_name(p))
def test_urns_match_the_committed_snapshot(stack_file: Path) -> None:
    diff = snapshot.differences(snapshot.read_snapshot(stack_file), snapshot.urns_of(stack_file))
    assert not diff, (f"{stack_file.relative_to(ROOT)}: URNs changed\n  " + "\n  ".join(diff)
                      + "\n\n" + snapshot.HOW_TO_FIX)


def test_every_snapshot_belongs_to_a_stack_file() -> None:
    expected = {snapshot.snapshot_path(p).name for p in STACK_FILES}
    assert {p.name for p in snapshot.SNAPSHOT_DIR.glob("*.txt")} == expected


def test_differences_name_each_gone_and_new_urn() -> None:
    assert snapshot.differences(["a", "b"], ["b", "c"]) == ["- a", "+ c"]
    assert snapshot.differences(["a"], ["a"]) == []
    assert snapshot.differences(None, ["a"]) == ["(no snapshot)"]


def test_a_renamed_resource_is_reported_with_how_to_alias_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    dev = ROOT / "Pulumi.dev.yaml"
    monkeypatch.setattr(snapshot, "iter_stack_files", lambda: iter([dev]))
    monkeypatch.setattr(snapshot, "SNAPSHOT_DIR", tmp_path)
    urns = snapshot.urns_of(dev)
    renamed = [urns[0].replace("::cluster1/", "::renamed/"), *urns[1:]]
    snapshot.write_snapshot(dev, renamed)
    assert snapshot.main([]) == 1
    out = capsys.readouterr().out
    assert f"+ {urns[0]}" in out and f"- {renamed[0]}" in out
    assert "aliases=[pulumi.Alias(" in out and "gmw snapshot update" in out
