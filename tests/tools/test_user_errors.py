"""Every user error is one clear message and exit 2, never a traceback: YAML syntax errors, library
modules run as commands, tools.local on an old Python."""

from __future__ import annotations

import ast
import io
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from offline import ROOT
from tools import COMMANDS

BROKEN_STACK = "config:\n  gloo-mesh-workshop:platform: [kubernetes\n"
BROKEN_FLEET = "fleet: x\n  source: [\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [["tools.render", "{file}", "--out", "{out}"], ["tools.diff", "{file}"]],
                         ids=["render", "diff"])
def test_a_stack_file_with_a_yaml_syntax_error_names_the_file_and_the_place(tmp_path: Path,
                                                                              command: list[str]) -> None:
    stack = tmp_path / "broken.yaml"
    stack.write_text(BROKEN_STACK)
    result = run(*(a.format(file=stack, out=tmp_path / "out") for a in command))
    assert result.returncode == 2, result.stderr
    assert "broken.yaml: not valid YAML at line 3, column 1: expected ',' or ']'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["render", "--out", "{out}"], ["check"]])
def test_a_fleet_file_with_a_yaml_syntax_error_names_the_file_and_the_place(tmp_path: Path,
                                                                            command: list[str]) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(BROKEN_FLEET)
    args = [a.format(out=tmp_path / "out") for a in command]
    result = run("tools.fleet", args[0], str(fleet), *args[1:])
    assert result.returncode == 2, result.stderr
    assert "fleet.yaml: invalid fleet file:\n  - not valid YAML at line 2, column 9: mapping values are not allowed" \
        in result.stderr
    assert "Traceback" not in result.stderr


COMMAND_MODULES = {c.module.split(".")[1] for c in COMMANDS if c.module.startswith("tools.")}
LIBRARY_MODULES = sorted(p.stem for p in (ROOT / "tools").glob("*.py")
                         if p.stem not in ("__init__", "__main__") and p.stem not in COMMAND_MODULES)


def test_tools_holds_commands_and_their_terminal_support_only() -> None:
    # The library is offline/; a module added under tools/ is a command (listed, with a main) or says it is none.
    for path in sorted((ROOT / "tools").glob("*.py")):
        text = path.read_text()
        if path.stem in COMMAND_MODULES:
            assert "def main(" in text, path.name
        elif path.stem not in ("__init__", "__main__"):
            assert f'raise SystemExit(not_a_command("tools.{path.stem}"))' in text, path.name
    assert LIBRARY_MODULES == ["colour"]


@pytest.mark.parametrize("module", LIBRARY_MODULES)
def test_a_library_module_run_as_a_command_says_so_and_lists_the_commands(module: str) -> None:
    result = run(f"tools.{module}", "--help")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: tools.{module} is not a command.\nThe commands are: gmw local, gmw render,")


def test_tools_local_on_an_old_python_says_which_python_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 9, 18, "final", 0))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.delitem(sys.modules, "tools.local.cli", raising=False)
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("tools.local", run_name="__main__", alter_sys=False)
    assert exit_.value.code == 2
    assert sys.stderr.getvalue().startswith(  # type: ignore[attr-defined]
        "error: `tools local` needs Python 3.11 or newer; this is Python 3.9 (")
    assert "tools.local.cli" not in sys.modules  # stopped before parsing the 3.11 modules


@pytest.mark.parametrize("path", ["tools/__init__.py", "tools/__main__.py", "tools/local/__init__.py",
                                  "tools/local/__main__.py"])
def test_what_python3_reads_before_the_version_check_parses_on_python_3_9(path: str) -> None:
    ast.parse((ROOT / path).read_text(), feature_version=(3, 9))
    # and the modules after it do not (so the check is what stands between 3.9 and a SyntaxError)
    with pytest.raises(SyntaxError, match=r"only supported in Python 3\.1\d and greater"):  # not a typo
        ast.parse((ROOT / "tools/local/cli.py").read_text(), feature_version=(3, 9))


def test_changed_stacks_with_an_unknown_base_says_what_git_said() -> None:
    result = run("tools.changed_stacks", "--base", "no-such-ref-anywhere")
    assert result.returncode == 2
    assert result.stderr.startswith("error: git diff no-such-ref-anywhere...HEAD failed: fatal: ")
    assert "Traceback" not in result.stderr
