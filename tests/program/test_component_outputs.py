"""A component's outputs are its class's typed annotations, read from the source.

Every `pulumi.ComponentResource` subclass of components/ declares each public attribute it sets on
`self` (in `__init__` or any other method) as a class-level annotation, in one block directly under
the class docstring; no annotation names an attribute the class never sets, and no assignment on
`self` repeats the annotation inline. A reader (or a type checker) sees what a component offers
without reading its `__init__`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from offline import ROOT

COMPONENTS = ROOT / "components"
MODULES = sorted(COMPONENTS.rglob("*.py"))


def is_component(node: ast.ClassDef) -> bool:
    return any(isinstance(b, ast.Attribute) and b.attr == "ComponentResource"
               and isinstance(b.value, ast.Name) and b.value.id == "pulumi" for b in node.bases)


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor | ast.NamedExpr):
        return [node.target]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [node.optional_vars]
    return []


def _flatten(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        return [t for element in target.elts for t in _flatten(element)]
    if isinstance(target, ast.Starred):
        return _flatten(target.value)
    return [target]


def _methods(cls: ast.ClassDef) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in n.decorator_list)]


def self_assignments(cls: ast.ClassDef) -> dict[str, list[ast.AST]]:
    """Each public attribute the class's methods assign on their first argument, with the assignments."""
    found: dict[str, list[ast.AST]] = {}
    for method in _methods(cls):
        if not method.args.args:
            continue
        me = method.args.args[0].arg
        for node in ast.walk(method):
            for target in (t for raw in _targets(node) for t in _flatten(raw)):
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == me and not target.attr.startswith("_")):
                    found.setdefault(target.attr, []).append(node)
    return found


def declared(cls: ast.ClassDef) -> tuple[dict[str, ast.AnnAssign], list[str]]:
    """The class-level annotations, and those that do not sit in one block right under the docstring."""
    body = cls.body[1:] if ast.get_docstring(cls) is not None else cls.body
    annotations: dict[str, ast.AnnAssign] = {}
    misplaced: list[str] = []
    in_block = True
    for statement in body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            annotations[statement.target.id] = statement
            if not in_block:
                misplaced.append(statement.target.id)
        else:
            in_block = False
    return annotations, misplaced


def problems(source: str) -> list[str]:
    """What is wrong with the components' declared outputs in one module's source, one line each."""
    found: list[str] = []
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef) or not is_component(cls):
            continue
        assigned = self_assignments(cls)
        annotations, misplaced = declared(cls)
        found += [f"{cls.name}.{name} is set on self but not declared on the class"
                  for name in sorted(set(assigned) - set(annotations))]
        found += [f"{cls.name}.{name} is declared but never set"
                  for name, node in sorted(annotations.items()) if node.value is None and name not in assigned]
        found += [f"{cls.name}.{name} is declared away from the block under the docstring" for name in misplaced]
        found += [f"{cls.name}.{name} repeats its annotation inline (line {node.lineno})"
                  for name, nodes in sorted(assigned.items()) for node in nodes if isinstance(node, ast.AnnAssign)]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_component_declares_its_outputs(path: Path) -> None:
    found = problems(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: " + "; ".join(found)


def test_the_checker_finds_the_components() -> None:
    # It would pass vacuously if it stopped recognising them (a base class spelled another way).
    classes = [c.name for p in MODULES for c in ast.walk(ast.parse(p.read_text()))
               if isinstance(c, ast.ClassDef) and is_component(c)]
    assert len(classes) >= 25 and {"ManagementPlane", "IstioLifecycle", "Keycloak"} <= set(classes)


FAKE = '''
class Fake(pulumi.ComponentResource):
    """A fake."""

    declared: pulumi.Output[str]
    stale: int

    def __init__(self, name: str) -> None:
        super().__init__("gmw:test:Fake", name)
        self.declared = pulumi.Output.from_input("x")
        self.missing = 1
        self._private = 2
        self.inline: int = 3
        self.first, (self.second, _) = 4, (5, 6)

    def later(self) -> None:
        self.set_in_a_method = 7

    late: str


class NotAComponent:
    def __init__(self) -> None:
        self.anything = 1
'''


def test_the_checker_reports_what_is_missing_stale_misplaced_or_inline() -> None:
    assert problems(FAKE) == [
        "Fake.first is set on self but not declared on the class",
        "Fake.inline is set on self but not declared on the class",
        "Fake.missing is set on self but not declared on the class",
        "Fake.second is set on self but not declared on the class",
        "Fake.set_in_a_method is set on self but not declared on the class",
        "Fake.late is declared but never set",
        "Fake.stale is declared but never set",
        "Fake.late is declared away from the block under the docstring",
        "Fake.inline repeats its annotation inline (line 13)",
    ]


def test_the_checker_passes_a_fully_declared_component() -> None:
    source = ('class Fine(pulumi.ComponentResource):\n    """Fine."""\n\n'
              "    #: a comment\n    out: pulumi.Output[str]\n    KIND: str = 'x'\n\n"
              "    def __init__(self) -> None:\n        self.out = pulumi.Output.from_input('x')\n")
    assert problems(source) == []
