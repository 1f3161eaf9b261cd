"""`gmw mutate`'s pure parts: which mutants a module has, what each changes, which tests it runs,
the equivalents file and the score."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tools.mutate.mutants import CONTROL, Mutant, mutants, mutate
from tools.mutate.plan import (
    EQUIVALENT,
    KILLED,
    SURVIVED,
    TIMEOUT,
    UNCOVERED,
    EquivalentsError,
    Tally,
    importers_of,
    mark_equivalents,
    module_name,
    nodeids_for,
    parse_equivalents,
    score,
    timeout_for,
)

SOURCE = '''"""A docstring is never mutated."""
from typing import TYPE_CHECKING

__all__ = ["clamp"]
LIMIT: int = 3

if TYPE_CHECKING:
    X = 1


def clamp(x: "int", names: list[str]) -> int:
    """Nor is this one."""
    if x > LIMIT and not names:
        names.append(f"over {x}")
        return LIMIT
    total = x + 1
    return total  # pragma: no mutate


def first(items):
    for item in items:
        if item:
            break
    return [i for i in items if i]
'''


def keys(source: str) -> list[tuple[int, str]]:
    return [(m.line, m.key) for m in mutants(source)]


def test_every_one_token_change_is_listed_in_a_fixed_order_with_its_scope() -> None:
    assert keys(SOURCE) == [
        (5, "<module> | constant | 3 => 4"),
        (13, "clamp | boolean | x > LIMIT and (not names) => x > LIMIT or not names"),
        (13, "clamp | comparison | x > LIMIT => x >= LIMIT"),
        (13, "clamp | not | not names => names"),
        (14, "clamp | statement | names.append(f'over {x}') => pass"),
        (14, "clamp | string | f'over {x}' => f'XXover {x}'"),
        (15, "clamp | return | return LIMIT => return None"),
        (16, "clamp | arithmetic | x + 1 => x - 1"),
        (16, "clamp | constant | 1 => 2"),
        (22, "first | condition | if item: break => if not item: break"),
        (23, "first | loop | break => continue"),
        (24, "first | return | return [i for i in items if i] => return None"),
        (24, "first | condition | for i in items if i => for i in items if not i"),
    ]


def test_docstrings_annotations_all_type_checking_and_pragma_lines_are_left_alone() -> None:
    lines = {m.line for m in mutants(SOURCE)}
    assert not lines & {1, 4, 8, 11, 12, 17}


def test_module_level_mutants_are_marked_and_a_mutant_s_lines_are_its_own_and_its_statement_s() -> None:
    by_key = {m.key: m for m in mutants(SOURCE)}
    assert by_key["<module> | constant | 3 => 4"].module_level is True
    assert by_key["clamp | constant | 1 => 2"].module_level is False
    # a condition runs the lines of its test, not of the block it guards
    assert by_key["first | condition | if item: break => if not item: break"].lines == (22,)
    multi = mutants("def f(a):\n    return g(\n        a,\n        'x')\n")
    assert [(m.key, m.lines) for m in multi] == [
        ("f | return | return g(a, 'x') => return None", (2, 3, 4)), ("f | constant | 'x' => 'XXxXX'", (2, 4))]


def test_mutate_applies_exactly_the_numbered_change_and_keeps_line_numbers() -> None:
    found = mutants(SOURCE)
    index = next(m.index for m in found if m.key == "clamp | comparison | x > LIMIT => x >= LIMIT")
    tree = mutate(SOURCE, index)
    compare = next(n for n in ast.walk(tree) if isinstance(n, ast.Compare))
    assert isinstance(compare.ops[0], ast.GtE) and compare.lineno == 13
    namespace: dict[str, object] = {}
    exec(compile(tree, "sample.py", "exec"), namespace)
    assert namespace["clamp"](3, []) == 3  # type: ignore[operator]  # 3 >= 3: clamped (returns LIMIT)
    assert ast.dump(mutate(SOURCE, CONTROL)) == ast.dump(ast.parse(SOURCE))
    for mutant in found:  # every mutant compiles
        compile(mutate(SOURCE, mutant.index), "sample.py", "exec")
    with pytest.raises(IndexError, match=f"mutant {len(found)}: the module has {len(found)} "):
        mutate(SOURCE, len(found))


def test_a_module_s_dotted_name_from_its_path(tmp_path: Path) -> None:
    assert module_name(tmp_path, tmp_path / "components" / "core" / "config" / "__init__.py") == "components.core.config"
    assert module_name(tmp_path, tmp_path / "offline" / "plan.py") == "offline.plan"


def mutant(line: int, module_level: bool = False, lines: tuple[int, ...] = ()) -> Mutant:
    return Mutant(0, line, "constant", "f", "1", "2", module_level, lines or (line,))


def test_a_function_s_mutant_runs_the_tests_of_its_lines_fastest_first_and_a_module_level_one_all() -> None:
    lines = {3: {"t::a", "t::b", ""}, 4: {"t::c"}, 9: {"t::d"}}
    seconds = {"t::a": 2.0, "t::b": 0.5, "t::c": 1.0, "t::d": 0.1, "t::e": 0.2}
    assert nodeids_for(mutant(3, lines=(3, 4)), lines, seconds) == ["t::b", "t::c", "t::a"]
    # a test that reads a module's data runs none of its lines: module level runs every test
    # (those that ran a line of the module first)
    assert nodeids_for(mutant(1, module_level=True), lines, seconds) == ["t::d", "t::b", "t::c", "t::a", "t::e"]
    assert nodeids_for(mutant(7), lines, seconds) == []
    assert nodeids_for(mutant(1, module_level=True), {}, seconds) == []  # no test runs the module at all
    assert timeout_for(["t::a", "t::b"], seconds) == 30.0 + 3 * 2.5


def test_the_equivalents_file_needs_a_reason_on_every_line() -> None:
    text = "# comment\n\noffline/plan.py :: f | constant | 1 => 2 :: the value is only logged\n"
    [entry] = parse_equivalents(text)
    assert (entry.path, entry.key, entry.why) == ("offline/plan.py", "f | constant | 1 => 2", "the value is only logged")
    with pytest.raises(EquivalentsError, match=r"^eq.txt:1: expected '<path> :: <mutant key> :: <why>', got "):
        parse_equivalents("offline/plan.py :: f | constant | 1 => 2\n", "eq.txt")


def test_the_score_counts_noticed_over_all_but_the_equivalent_and_stale_entries_are_returned() -> None:
    found = [Mutant(i, i, "constant", "f", str(i), str(i + 1), False, (i,)) for i in range(5)]
    tally = Tally("m.py", {0: KILLED, 1: TIMEOUT, 2: SURVIVED, 3: UNCOVERED, 4: EQUIVALENT})
    equivalents = parse_equivalents("m.py :: f | constant | 4 => 5 :: why\nm.py :: f | constant | 9 => 10 :: gone\n"
                                    "other.py :: f | constant | 2 => 3 :: another module\n")
    stale = mark_equivalents(tally, found, equivalents)
    assert [e.key for e in stale] == ["f | constant | 9 => 10"]
    assert tally.equivalent == {4}
    assert tally.score == 50.0  # killed and timed out, of four
    assert Tally("empty.py").score == 100.0
    # over several modules: noticed over counted, summed (not the mean of their scores)
    assert score([tally, Tally("n.py", {0: KILLED, 1: KILLED})]) == 100.0 * 4 / 6


def test_the_tests_whose_file_imports_the_module_run_first_then_those_that_ran_its_lines_then_the_rest() -> None:
    lines = {3: {"a.py::t", "b.py::t"}}
    seconds = {"a.py::t": 5.0, "b.py::t": 3.0, "c.py::t": 0.1}
    assert nodeids_for(mutant(1, module_level=True), lines, seconds, frozenset({"a.py"})) == [
        "a.py::t", "b.py::t", "c.py::t"]
    assert nodeids_for(mutant(3), lines, seconds, frozenset({"a.py"})) == ["a.py::t", "b.py::t"]


def test_the_files_that_import_a_module_by_any_of_its_names() -> None:
    files = {
        "direct.py": "import offline.plan as p\n",
        "from.py": "from offline.plan import Plan\n",
        "parent.py": "from offline import (\n    changes,\n    plan,\n)\n",
        "other.py": "from offline import planning\nfrom offline.plans import x\n# offline.plan in a comment\n",
    }
    assert importers_of("offline.plan", files) == frozenset({"direct.py", "from.py", "parent.py"})
