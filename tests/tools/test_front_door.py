"""The front door: `gmw` (and `python -m tools`) lists every command and runs one, from any directory,
importing only that command; the old `python -m tools.<name>` paths still run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from offline import ROOT
from tools import BY_NAME, COMMANDS, PROG
from tools.__main__ import main, usage

GMW = Path(sys.executable).parent / PROG


def run(argv: list[str], cwd: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *flags, "-m", "tools", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_the_listing_names_every_command_with_its_help_examples_and_the_exit_codes(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out == usage()
    for command in COMMANDS:
        assert f"  {command.name.ljust(14)}  {command.summary}\n" in out
        for example in command.examples:
            assert f"  gmw {example}\n" in out
    assert [c.name for c in COMMANDS] == [
        "local", "render", "diff", "verify", "snapshot", "fleet", "changed-stacks", "mutate", "bench"]
    assert "    0  done" in out and "    1  the command ran and found" in out and "    2  it could not run" in out


def test_an_unknown_command_is_exit_2_naming_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lcoal"]) == 2
    assert capsys.readouterr().err == (
        "error: gmw: unknown command 'lcoal'; the commands are: local, render, diff, verify, snapshot, fleet, "
        "changed-stacks, mutate, bench\n")


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_command_answers_help_under_its_front_door_name(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    # `local` runs before the venv (and the gmw script) exists: it names itself as it is run then.
    assert capsys.readouterr().out.startswith("usage: python3 -m tools local" if name == "local" else f"usage: gmw {name}")


def test_every_example_names_a_command_and_its_subcommand_parses(capsys: pytest.CaptureFixture[str]) -> None:
    for command in COMMANDS:
        for example in command.examples:
            assert example.split()[0] == command.name, example


def test_the_console_script_runs_a_command_from_another_directory(tmp_path: Path) -> None:
    # Installed by requirements.txt's `-e .` (pyproject.toml [project.scripts]).
    assert GMW.is_file(), f"{GMW}: run ./venv/bin/pip install -r requirements-dev.txt"
    result = subprocess.run([str(GMW), "render", "stacks/base.yaml", "--out", "out"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "cluster1.yaml").is_file()  # the project's stack file, written here


def test_python_dash_m_tools_without_site_packages_runs_local_on_the_standard_library() -> None:
    # `python3 -S -m tools local ...` runs before the venv exists: only the standard library is importable,
    # and the front door imports no other command.
    probe = ("import sys; from tools.__main__ import main\n"
             "try:\n    main(['local', '--help'])\nexcept SystemExit as e:\n    code = e.code\n"
             "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('tools', 'components', 'offline', 'policy', 'pulumi', 'yaml', 'benchmarks'))\n"
             "print(code, loaded, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python3 -m tools local")
    code, loaded = result.stderr.strip().split(" ", 1)
    assert code == "0"
    # offline/__init__.py alone (the project root), which is standard library only too
    assert all(m in ("tools", "offline") or m.startswith(("tools.local", "tools.__main__")) for m in eval(loaded)), \
        loaded
    assert run(["local", "--help"], ROOT, "-S").returncode == 0


@pytest.mark.parametrize(("old", "name"), [("tools.render", "render"), ("tools.diff", "diff"),
                                           ("tools.snapshot", "snapshot"), ("tools.fleet", "fleet"),
                                           ("tools.changed_stacks", "changed-stacks"), ("tools.verify", "verify"),
                                           ("tools.local", "local"), ("benchmarks.run", "bench")])
def test_the_old_module_paths_keep_running_the_same_command(old: str, name: str) -> None:
    assert BY_NAME[name].module.removesuffix(".__main__").removesuffix(".cli") == old
    result = subprocess.run([sys.executable, "-m", old, "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("usage: "), result.stderr
