"""`gmw mutate` end to end on a small project of its own (in a temporary folder): the line map, one
forked pytest per mutant, the outcomes, the score, the equivalents file, `--again` and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CALC = '''"""A toy module."""
LIMIT = 3


def clamp(x):
    if x > LIMIT:
        return LIMIT
    return x


def countdown(n):
    steps = 0
    while n > 0:
        n -= 1
        steps += 1
    return steps
'''
TESTS = '''from calc import clamp, countdown


def test_clamp():
    assert clamp(5) == 3 and clamp(1) == 1


def test_countdown():
    assert countdown(2) == 2
'''
BOUNDARY = "clamp | comparison | x > LIMIT => x >= LIMIT"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "calc.py").write_text(CALC)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_calc.py").write_text(TESTS)
    return tmp_path


def gmw_mutate(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # --grace 5: the endless loop's process is stopped 5 s (plus 3x its tests' time) after it starts
    return subprocess.run([sys.executable, "-m", "tools", "mutate", "calc.py", "--root", str(project), "--jobs", "2",
                           "--grace", "5", *args], capture_output=True, text=True, timeout=240)


def outcomes(report: Path) -> dict[str, str]:
    return {m["key"]: m["outcome"] for m in json.loads(report.read_text())["mutants"]}


def test_each_mutant_is_killed_timed_out_or_missed_the_score_decides_and_equivalents_are_not_run(project: Path) -> None:
    result = gmw_mutate(project, "--json", str(project / "report.json"))
    assert result.returncode == 1, result.stderr
    assert outcomes(project / "report.json") == {
        "<module> | constant | 3 => 4": "killed",
        BOUNDARY: "survived",  # no test asks for clamp(3)
        "clamp | return | return LIMIT => return None": "killed",
        "clamp | return | return x => return None": "killed",
        "countdown | constant | 0 => 1": "killed",
        "countdown | comparison | n > 0 => n >= 0": "killed",
        "countdown | constant | 0 => 1 #2": "killed",
        "countdown | statement | n -= 1 => pass": "timeout",  # an endless loop counts as noticed
        "countdown | constant | 1 => 2": "killed",
        "countdown | statement | steps += 1 => pass": "killed",
        "countdown | constant | 1 => 2 #2": "killed",
        "countdown | return | return steps => return None": "killed",
    }
    assert f"calc.py:6 [survived] {BOUNDARY}\n" in result.stdout
    assert "calc.py                                           12      11     0      1   91.7%\n" in result.stdout

    # an equivalent is not run again, and with it the score is met; the others' outcomes come from --again
    (project / "equivalents.txt").write_text(f"calc.py :: {BOUNDARY} :: the toy never calls clamp(3)\n")
    again = gmw_mutate(project, "--equivalents", str(project / "equivalents.txt"), "--again",
                       str(project / "report.json"), "--json", str(project / "second.json"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert outcomes(project / "second.json")[BOUNDARY] == "equivalent"
    assert not [line for line in again.stderr.splitlines() if line.startswith("[")]  # the rest: report.json
    assert "100.0%" in again.stdout
    (project / "equivalents.txt").write_text("calc.py :: clamp | constant | 7 => 8 :: no such mutant\n"
                                             f"calc.py :: {BOUNDARY} :: the toy never calls clamp(3)\n")
    stale = gmw_mutate(project, "--equivalents", str(project / "equivalents.txt"), "--again",
                       str(project / "report.json"))
    assert stale.returncode == 1
    assert "stale equivalents (no such mutant any more; remove them):\n  calc.py :: clamp | constant | 7 => 8" \
        in stale.stdout


def test_tests_that_fail_with_no_mutant_stop_it_before_any_mutant_runs(project: Path) -> None:
    (project / "tests" / "test_calc.py").write_text(TESTS.replace("== 3", "== 4"))
    result = gmw_mutate(project)
    assert result.returncode == 2
    assert "error: gmw mutate: the tests fail with no mutant (pytest exit 1); fix them first:" in result.stderr


def test_a_bad_path_or_equivalents_file_is_exit_2_naming_it(project: Path) -> None:
    missing = subprocess.run([sys.executable, "-m", "tools", "mutate", "nope.py", "--root", str(project)],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    assert missing.stderr == f"error: gmw mutate: nope.py: not a Python module or folder under {project}\n"
    (project / "eq.txt").write_text("calc.py :: no reason\n")
    bad = gmw_mutate(project, "--equivalents", str(project / "eq.txt"))
    assert bad.returncode == 2
    assert bad.stderr == (f"error: gmw mutate: {project / 'eq.txt'}:1: expected '<path> :: <mutant key> :: <why>', "
                          "got 'calc.py :: no reason'\n")
