"""The packages stack one way: program → security → gateway → apps → platform → core.

Read from the source (every import statement, those under `TYPE_CHECKING` included), so an
upward import or a cycle fails here before it can hide behind a lazy import.

The policy pack stays in small pieces: no module of policy/ over `MAX_MODULE_LINES` lines, no
function over `MAX_FUNCTION_LINES`, and every module of policy/rules/ says what it holds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from offline import ROOT

COMPONENTS = ROOT / "components"
#: Each package and the rank it stands at; a module imports only from lower ranks or its own package.
RANKS = {"core": 0, "platform": 1, "apps": 2, "gateway": 3, "security": 4, "program": 5}
MODULES = sorted(p for p in COMPONENTS.rglob("*.py"))

POLICY = ROOT / "policy"
#: Past these a policy module holds more than one kind of rule, a function more than one step of a check.
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
POLICY_MODULES = sorted(p for p in POLICY.rglob("*.py") if "venv" not in p.relative_to(POLICY).parts)


def package_of(path: Path) -> str:
    relative = path.relative_to(COMPONENTS)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_modules(path: Path, root: Path = COMPONENTS) -> set[str]:
    """The `components.…` modules (or packages) a file imports, relative imports resolved."""
    own = ["components", *path.relative_to(root).with_suffix("").parts]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = ".".join([*own[:-node.level], *([node.module] if node.module else [])]) if node.level \
                else node.module or ""
            found.add(base)  # `from pkg import name`: name is a module of pkg or something pkg defines
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("components.")}


def package_of_module(module: str) -> str:
    return module.split(".")[1]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_from_a_package_above_it(path: Path) -> None:
    own = package_of(path)
    if own == "__init__":  # components/__init__.py stands above no package: it imports none of them
        assert imported_modules(path) == set(), f"{path.relative_to(ROOT)} imports {sorted(imported_modules(path))}"
        return
    upward = sorted(m for m in imported_modules(path)
                    if package_of_module(m) != own and RANKS[package_of_module(m)] >= RANKS[own])
    assert not upward, f"{path.relative_to(ROOT)} ({own}) imports from its level or above: {upward}"


def test_every_package_is_ranked_and_says_what_it_may_import() -> None:
    packages = {p.name for p in COMPONENTS.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(RANKS) - {"program"}
    for package in packages:
        doc = ast.get_docstring(ast.parse((COMPONENTS / package / "__init__.py").read_text()))
        assert doc and "Import" in doc, f"components/{package}/__init__.py must say what it may import"


def test_no_import_cycle_between_modules() -> None:
    graph = {".".join(["components", *p.relative_to(COMPONENTS).with_suffix("").parts]): imported_modules(p)
             for p in MODULES}
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == 1:
            raise AssertionError("import cycle: " + " → ".join([*trail, module]))
        if state.get(module) == 2 or module not in graph:
            return
        state[module] = 1
        for target in sorted(graph[module]):
            visit(target, [*trail, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])


def test_the_checker_sees_an_upward_import_under_type_checking(tmp_path: Path) -> None:
    fake = tmp_path / "components" / "core" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..program import main\n")
    assert "components.program" in imported_modules(fake, tmp_path / "components")


def long_functions(path: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """The functions of a file (methods and nested functions too) longer than `limit` lines, with their length."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append(f"{node.name} ({length} lines)")
    return found


#: Every module of the program, the policy pack, the offline library and the commands is held to the sizes.
SIZED_MODULES = sorted(p for package in ("components", "policy", "offline", "tools")
                       for p in (ROOT / package).rglob("*.py") if "venv" not in p.relative_to(ROOT).parts)


@pytest.mark.parametrize("path", SIZED_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_or_function_is_too_long(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, \
        f"{path.relative_to(ROOT)} has {lines} lines (at most {MAX_MODULE_LINES}): split it along its sections"
    assert not long_functions(path), \
        f"{path.relative_to(ROOT)}: functions over {MAX_FUNCTION_LINES} lines: {long_functions(path)}"


def test_every_rules_module_says_what_it_holds() -> None:
    for path in sorted((POLICY / "rules").glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and doc.splitlines()[0].strip(), f"{path.relative_to(ROOT)} must say in its first line what it holds"


def test_the_size_checker_counts_a_method_nested_in_a_class(tmp_path: Path) -> None:
    fake = tmp_path / "x.py"
    fake.write_text("class C:\n    def f(self) -> None:\n" + "        pass\n" * MAX_FUNCTION_LINES)
    assert long_functions(fake) == [f"f ({MAX_FUNCTION_LINES + 1} lines)"]
    assert long_functions(fake, limit=MAX_FUNCTION_LINES + 1) == []


#: The top-level packages stack one way too: the program, then the policy pack (it reads the program's
#: constants), then the offline library (it runs the program and the pack), then what uses them all.
TOP_RANKS = {"components": 0, "policy": 1, "offline": 2, "tools": 3, "benchmarks": 3, "tests": 4}


def top_level_imports(path: Path) -> set[str]:
    """The top-level packages of this project a file imports (relative imports stay in their package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(TOP_RANKS)


TOP_MODULES = sorted(p for package in TOP_RANKS for p in (ROOT / package).rglob("*.py")
                     if "venv" not in p.relative_to(ROOT).parts)


@pytest.mark.parametrize("path", TOP_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_top_level_package_imports_one_above_it(path: Path) -> None:
    # Nothing but the tests imports a command (tools); the library never does; the program imports neither.
    own = path.relative_to(ROOT).parts[0]
    upward = sorted(p for p in top_level_imports(path) if p != own and TOP_RANKS[p] >= TOP_RANKS[own])
    assert not upward, f"{path.relative_to(ROOT)} ({own}) imports {upward}, at its level or above"


def test_the_offline_library_neither_parses_arguments_nor_prints() -> None:
    for path in sorted((ROOT / "offline").rglob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        printed = [n.lineno for n in ast.walk(tree)
                   if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"]
        assert "argparse" not in imported and not printed, f"{path.relative_to(ROOT)}: argparse or print()"


def test_the_top_level_checker_sees_a_command_imported_by_the_library(tmp_path: Path) -> None:
    fake = tmp_path / "x.py"
    fake.write_text("import os\nfrom tools.diff import main\nfrom offline import ROOT\nfrom .y import z\n")
    assert top_level_imports(fake) == {"tools", "offline"}
