"""Which stacks a pull request previews."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from tools import changed_stacks as cs

FILES = ["Pulumi.dev.yaml", "stacks/base.yaml", "stacks/gateway.yaml"]


def names(changed: list[str]) -> list[str]:
    return [s["stack"] for s in cs.changed_stacks(changed, FILES)]


def test_a_stack_file_change_previews_that_stack_only() -> None:
    assert names(["stacks/gateway.yaml"]) == ["gateway"]
    assert names(["Pulumi.dev.yaml", "docs/stacks.md"]) == ["dev"]
    assert cs.changed_stacks(["stacks/base.yaml"], FILES) == [{"stack": "base", "file": "stacks/base.yaml"}]


@pytest.mark.parametrize("path", ["components/core/config/parse.py", "__main__.py", "Pulumi.yaml", "requirements.txt",
                                  "policy/rules/registry.py"])
def test_a_program_change_previews_every_stack(path: str) -> None:
    assert names([path]) == ["dev", "base", "gateway"]


@pytest.mark.parametrize("path", ["README.md", "tests/program/test_stacks.py", "tools/render.py", "requirements-dev.txt",
                                  "stacks/removed.yaml", "components.md", "docs/components/x.md"])
def test_other_changes_preview_nothing(path: str) -> None:
    assert names([path]) == []


def test_stack_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="same stack name: dev"):
        cs.changed_stacks(["Pulumi.yaml"], ["Pulumi.dev.yaml", "stacks/dev.yaml"])


def test_the_repository_stack_files_have_unique_names() -> None:
    files = cs.stack_files()
    assert "Pulumi.dev.yaml" in files and "stacks/base.yaml" in files
    assert len({cs.stack_name(f) for f in files}) == len(files)


def test_cli_prints_json_and_writes_the_github_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setattr("sys.stdin", io.StringIO("stacks/base.yaml\nREADME.md\n"))
    assert cs.main(["--stdin"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [{"stack": "base", "file": "stacks/base.yaml"}]
    assert output.read_text() == f"stacks={json.dumps(printed)}\n"


def test_the_local_stacks_are_never_previewed() -> None:
    files = cs.stack_files()
    assert "stacks/local.yaml" not in files and "stacks/local-single.yaml" not in files
    assert "stacks/base.yaml" in files and "Pulumi.dev.yaml" in files


@pytest.mark.parametrize(("args", "message"), [
    (["--base=--output={file}"], "error: --base '--output={file}': expected a commit or ref, not an option"),
    (["--base", "HEAD", "--head=--output={file}"],
     "error: --head '--output={file}': expected a commit or ref, not an option"),
    (["--base", "main..x"], "error: --base 'main..x': not a commit or ref name"),
    (["--base", "a b"], "error: --base 'a b': not a commit or ref name"),
])
def test_a_ref_that_git_would_read_as_an_option_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           args: list[str], message: str) -> None:
    file = tmp_path / "written"
    assert cs.main([a.format(file=file) for a in args]) == 2
    assert capsys.readouterr().err == message.format(file=file) + "\n"
    assert list(tmp_path.iterdir()) == [], "git wrote a file"


def test_git_reads_the_refs_as_revisions_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        return subprocess.CompletedProcess(argv, 0, "stacks/base.yaml\n", "")

    monkeypatch.setattr(cs.subprocess, "run", run)
    assert cs.git_changed("origin/main", "HEAD") == ["stacks/base.yaml"]
    assert calls == [["git", "diff", "--name-only", "--end-of-options", "origin/main...HEAD"]]
