"""No tool deletes or overwrites a file it did not write: the output folder's manifest rules."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from offline import ROOT
from offline.output_dir import MANIFEST, OutputDirError, digest, plan, write_tree
from tools.fleet.__main__ import main as fleet_main


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the pure plan ---------------------------------------------------------------------------------------------

def test_a_new_or_empty_folder_gets_every_file_and_removes_nothing() -> None:
    result = plan("out", {"b.yaml": "b", "a.yaml": "a"}, {"a.yaml": None, "b.yaml": None}, None, folder_empty=True)
    assert list(result.write) == ["a.yaml", "b.yaml"]
    assert result.remove == ()
    assert result.manifest == {"a.yaml": digest("a"), "b.yaml": digest("b")}


def test_a_folder_with_files_and_no_manifest_is_refused() -> None:
    with pytest.raises(OutputDirError, match=rf"already holds files that this tool did not write \(it has no {MANIFEST}\)"):
        plan(".", {"a.yaml": "a"}, {"a.yaml": None}, None, folder_empty=False)


def test_files_the_new_output_no_longer_has_are_removed_if_unchanged() -> None:
    manifest = {"cluster1.yaml": digest("1"), "cluster3.yaml": digest("3")}
    present = {"cluster1.yaml": digest("1"), "cluster3.yaml": digest("3")}
    result = plan("out", {"cluster1.yaml": "1 new"}, present, manifest, folder_empty=False)
    assert result.remove == ("cluster3.yaml",)
    assert result.write == {"cluster1.yaml": "1 new"}


def test_a_listed_file_already_gone_is_neither_removed_nor_an_error() -> None:
    manifest = {"old.yaml": digest("x")}
    result = plan("out", {"new.yaml": "n"}, {"old.yaml": None, "new.yaml": None}, manifest, folder_empty=False)
    assert result.remove == ()


def test_a_file_changed_since_it_was_written_is_neither_overwritten_nor_removed() -> None:
    manifest = {"mgmt.yaml": digest("written")}
    with pytest.raises(OutputDirError, match=r"out: mgmt.yaml was changed since this tool wrote it"):
        plan("out", {"mgmt.yaml": "again"}, {"mgmt.yaml": digest("edited")}, manifest, folder_empty=False)
    with pytest.raises(OutputDirError, match=r"mgmt.yaml was changed"):
        plan("out", {}, {"mgmt.yaml": digest("edited")}, manifest, folder_empty=False)


def test_a_file_to_write_that_the_user_has_is_refused() -> None:
    manifest = {"mgmt.yaml": digest("m")}
    with pytest.raises(OutputDirError, match=r"out: notes.yaml exists and was not written by this tool"):
        plan("out", {"notes.yaml": "x"}, {"notes.yaml": digest("mine"), "mgmt.yaml": digest("m")}, manifest,
             folder_empty=False)


@pytest.mark.parametrize("name", ["../Pulumi.yaml", "/etc/passwd", "a/../../b", ""])
def test_paths_outside_the_folder_are_refused_in_the_output_and_in_a_manifest(name: str) -> None:
    with pytest.raises(OutputDirError, match="must be relative, inside the folder"):
        plan("out", {name: "x"}, {}, None, folder_empty=True)
    with pytest.raises(OutputDirError, match="must be relative, inside the folder"):
        plan("out", {}, {name: digest("x")}, {name: digest("x")}, folder_empty=False)


# --- the folder ------------------------------------------------------------------------------------------------

def test_a_second_write_replaces_its_own_files_removes_stale_ones_and_keeps_the_users(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"cluster1.yaml": "one", "cluster3.yaml": "three", "rbac/c3/rbac.yaml": "r"})
    (out / "NOTES.md").write_text("the user's")
    write_tree(out, {"cluster1.yaml": "one, again"})
    assert snapshot(out) == {
        MANIFEST: (json.dumps({"format": 1, "files": {"cluster1.yaml": digest("one, again")}}, indent=2)
                   + "\n").encode(),
        "NOTES.md": b"the user's",
        "cluster1.yaml": b"one, again",
    }
    assert not (out / "rbac").exists()


def test_an_existing_empty_folder_is_written(tmp_path: Path) -> None:
    assert write_tree(tmp_path, {"a.yaml": "a"}) == [tmp_path / "a.yaml"]


def test_out_naming_a_file_is_refused_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputDirError, match="exists and is not a folder"):
        write_tree(tmp_path / "file", {"a.yaml": "a"})
    assert (tmp_path / "file").read_text() == "x"


def test_an_unreadable_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(OutputDirError, match="is not a manifest this tool can read"):
        write_tree(tmp_path, {"a.yaml": "a"})


def _link_a_new_file(out: Path, outside: Path) -> None:
    (out / "b.yaml").symlink_to(outside / "target")  # dangling: b.yaml looks absent


def _link_a_folder(out: Path, outside: Path) -> None:
    shutil.rmtree(out / "sub")
    (out / "sub").symlink_to(outside, target_is_directory=True)


def _link_the_manifest(out: Path, outside: Path) -> None:
    (out / MANIFEST).rename(outside / "manifest.json")
    (out / MANIFEST).symlink_to(outside / "manifest.json")


@pytest.mark.parametrize(("link", "where"), [
    (_link_a_new_file, "b.yaml"), (_link_a_folder, "sub"), (_link_the_manifest, MANIFEST)])
def test_a_symbolic_link_in_the_folder_is_not_written_through(tmp_path: Path, link: Callable[[Path, Path], None],
                                                               where: str) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    write_tree(out, {"a.yaml": "a", "sub/c.yaml": "c"})
    link(out, outside)
    before = snapshot(outside)
    with pytest.raises(OutputDirError, match=rf"out: {re.escape(where)} is a symbolic link; not writing, removing "
                                             "or reading through it"):
        write_tree(out, {"a.yaml": "a2", "b.yaml": "b", "sub/c.yaml": "c2"})
    assert snapshot(outside) == before
    assert not (outside / "target").exists() and not (outside / "c.yaml").exists()
    assert (out / "a.yaml").read_text() == "a", "refused before anything was written"


def test_a_file_is_replaced_by_a_new_one_not_rewritten_in_place(tmp_path: Path) -> None:
    # A hard link elsewhere to a file of the folder keeps the old text: the write made a new file.
    out = tmp_path / "out"
    write_tree(out, {"a.yaml": "a"})
    os.link(out / "a.yaml", tmp_path / "elsewhere")
    write_tree(out, {"a.yaml": "a, again"})
    assert (out / "a.yaml").read_text() == "a, again"
    assert (tmp_path / "elsewhere").read_text() == "a"
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.yaml"], "no temporary file is left"


# --- the commands ----------------------------------------------------------------------------------------------

def test_render_into_the_project_folder_deletes_nothing(tmp_path: Path) -> None:
    # `--out .` once deleted Pulumi.yaml and Pulumi.dev.yaml; `--out stacks` every stack file, with the only
    # copy of an encrypted license. Both are refused now, before anything is written.
    project = tmp_path / "project"
    shutil.copytree(ROOT / "stacks", project / "stacks")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(ROOT / name, project / name)
    before = snapshot(project)
    for out, stack in ((project, str(ROOT / "Pulumi.dev.yaml")), (project / "stacks", str(ROOT / "stacks/local.yaml"))):
        result = subprocess.run([sys.executable, "-m", "tools.render", stack, "--out", str(out)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "already holds files that this tool did not write" in result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_fleet_render_removes_the_files_of_a_removed_cluster(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "fleets" / "dev.yaml").read_text())
    two = list(data["workloadClusters"])
    third = dict(two[-1], name="cluster3", context="cluster3",
                 kubeconfigSecret={"name": "kubeconfig-cluster3", "key": "config"},
                 managementKubeconfigSecret={"name": "kubeconfig-mgmt-as-cluster3", "key": "config"})
    fleet, out = tmp_path / "fleet.yaml", tmp_path / "out"
    fleet.write_text(yaml.safe_dump({**data, "workloadClusters": [*two, third]}, sort_keys=False))
    assert fleet_main(["render", str(fleet), "--out", str(out)]) == 0
    assert (out / "stacks" / "dev-cluster3.yaml").is_file()
    (out / "operator" / "my-overlay.yaml").write_text("the user's")
    fleet.write_text(yaml.safe_dump({**data, "workloadClusters": two}, sort_keys=False))
    assert fleet_main(["render", str(fleet), "--out", str(out)]) == 0
    files = set(snapshot(out))
    assert not any("cluster3" in name for name in files), sorted(files)
    assert {"operator/my-overlay.yaml", "stacks/dev-cluster2.yaml"} <= files
    assert not (out / "rbac" / "dev-cluster3").exists()
