"""The mutants of one module, pure: every one-token change of a comparison, boolean operator, `not`,
constant, string, arithmetic operator, condition or statement, numbered in a fixed walk of the tree.

`mutants(source)` lists them; `mutate(source, index)` gives the module's syntax tree with mutant
`index` applied, to compile as it is (line numbers stay those of the file). Both walk a fresh parse
the same way, so an index means the same change in the runner and in each test process.

Not mutated: docstrings, annotations, `__all__`, `if TYPE_CHECKING:` and `if __name__ == "__main__":`
blocks, and any line ending in `# pragma: no mutate`.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

PRAGMA = "# pragma: no mutate"
SWAPPED_COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
SWAPPED_ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
}
#: Statements a mutant replaces by `pass`: calls made for their effect, raises, asserts, in-place updates.
#: (Deleting a plain `name = ...` only makes a NameError; stores into an object or a container count.)
DELETED = (ast.Expr, ast.Raise, ast.AugAssign, ast.Assert)
ANNOTATIONS = ("annotation", "returns")
SKIPPED_IFS = ("TYPE_CHECKING", "__name__")
#: The index of no mutant: the module as it is, through the same loader (a check of the harness).
CONTROL = -1
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Mutant:
    index: int
    line: int
    operator: str
    scope: str          # the enclosing function or class (`Settings.parse`), or `<module>`
    before: str
    after: str
    module_level: bool  # runs when the module is imported, outside any function
    lines: tuple[int, ...] = ()  # the lines whose tests run it: its own and its statement's first
    occurrence: int = 1  # the same change in the same scope, counted in order

    @property
    def key(self) -> str:
        """Names the mutant in the equivalents file: it stays the same when lines above it move."""
        key = f"{self.scope} | {self.operator} | {self.before} => {self.after}"
        return key if self.occurrence == 1 else f"{key} #{self.occurrence}"


@dataclass
class _Site:
    node: ast.AST
    operator: str
    position: int   # which operator of a comparison
    scope: str
    module_level: bool
    lines: tuple[int, ...]


def _text(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 100 else text[:97] + "..."


def _is_docstring(stmt: ast.AST, owner: ast.AST) -> bool:
    body = getattr(owner, "body", None)
    return (isinstance(owner, (ast.Module, *SCOPES)) and bool(body) and body[0] is stmt
            and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _never_mutated(node: ast.AST) -> bool:
    if isinstance(node, ast.If):
        return any(isinstance(n, ast.Name) and n.id in SKIPPED_IFS for n in ast.walk(node.test))
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    return False


def _operators(node: ast.AST) -> Iterator[tuple[str, int]]:
    """The changes one node offers, as (operator, position)."""
    if isinstance(node, ast.Compare):
        yield from (("comparison", i) for i, op in enumerate(node.ops) if type(op) in SWAPPED_COMPARISONS)
    elif isinstance(node, ast.BoolOp):
        yield "boolean", 0
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not", 0
    elif isinstance(node, ast.BinOp) and type(node.op) in SWAPPED_ARITHMETIC:
        yield "arithmetic", 0
    elif isinstance(node, ast.Constant) and _changed(node.value) is not NotImplemented:
        yield "constant", 0
    elif isinstance(node, ast.JoinedStr):
        yield "string", 0
    elif isinstance(node, ast.If | ast.While | ast.IfExp) and not isinstance(node.test, ast.Compare | ast.BoolOp) \
            and not (isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)):
        yield "condition", 0
    elif isinstance(node, ast.comprehension):
        yield from (("condition", i) for i, test in enumerate(node.ifs)
                    if not isinstance(test, ast.Compare | ast.BoolOp | ast.UnaryOp))
    if isinstance(node, DELETED) or (isinstance(node, ast.Assign)
                                     and any(isinstance(t, ast.Subscript | ast.Attribute) for t in node.targets)):
        yield "statement", 0
    elif isinstance(node, ast.Return) and node.value is not None \
            and not (isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return", 0
    elif isinstance(node, ast.Break | ast.Continue):
        yield "loop", 0


def _changed(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return f"XX{value}XX"
    return NotImplemented


def _sites(tree: ast.Module, lines: list[str]) -> list[_Site]:
    sites: list[_Site] = []

    def walk(node: ast.AST, scope: list[str], in_function: bool, in_fstring: bool, statement: int) -> None:
        line = getattr(node, "lineno", 0)
        if line and lines[line - 1].rstrip().endswith(PRAGMA):
            return
        statement = line if isinstance(node, ast.stmt) else statement
        if not (in_fstring and isinstance(node, ast.Constant)):  # an f-string changes as one
            name = ".".join(scope) or "<module>"
            sites.extend(_Site(node, op, pos, name, not in_function, _span(node, op, pos, statement))
                         for op, pos in _operators(node))
        for field, value in ast.iter_fields(node):
            if field in ANNOTATIONS:
                continue
            children = value if isinstance(value, list) else [value]
            for child in children:
                if not isinstance(child, ast.AST) or _is_docstring(child, node) or _never_mutated(child):
                    continue
                inner = field == "body" and isinstance(node, SCOPES)
                walk(child, [*scope, node.name] if inner else scope,  # type: ignore[attr-defined]
                     in_function or (inner and not isinstance(node, ast.ClassDef)),
                     in_fstring or isinstance(node, ast.JoinedStr), statement)

    walk(tree, [], False, False, 0)
    return sites


def _span(node: ast.AST, operator: str, position: int, statement: int) -> tuple[int, ...]:
    """The lines a test must run for the mutant to matter: those of the changed expression (for a
    condition, of its test alone, not of the block it guards) and the first of its statement."""
    if operator == "condition":
        node = node.ifs[position] if isinstance(node, ast.comprehension) else node.test  # type: ignore[attr-defined]
    first, last = getattr(node, "lineno", statement), getattr(node, "end_lineno", None) or statement
    if isinstance(node, ast.stmt) and not isinstance(node, ast.Expr | ast.Return | ast.Raise | ast.Assign
                                                    | ast.AugAssign | ast.Assert | ast.Break | ast.Continue):
        last = first
    return tuple(sorted({*range(first, last + 1), statement} - {0}))


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(v is old for v in value):
                value[[i for i, v in enumerate(value) if v is old][0]] = new
                return
    raise AssertionError("the node to replace is not in the tree")


def _change(site: _Site) -> ast.AST:
    """The node that stands at `site` once it changes: the same node changed in place, or a new one."""
    node, op = site.node, site.operator
    if op == "comparison":
        assert isinstance(node, ast.Compare)
        node.ops[site.position] = SWAPPED_COMPARISONS[type(node.ops[site.position])]()
    elif op == "boolean":
        assert isinstance(node, ast.BoolOp)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif op == "arithmetic":
        assert isinstance(node, ast.BinOp)
        node.op = SWAPPED_ARITHMETIC[type(node.op)]()
    elif op == "constant":
        assert isinstance(node, ast.Constant)
        node.value = _changed(node.value)
    elif op == "string":
        assert isinstance(node, ast.JoinedStr)
        node.values.insert(0, ast.Constant("XX"))
    elif op == "condition" and isinstance(node, ast.comprehension):
        node.ifs[site.position] = _negate(node.ifs[site.position])
    elif op == "condition":
        assert isinstance(node, ast.If | ast.While | ast.IfExp)
        node.test = _negate(node.test)
    elif op == "not":
        assert isinstance(node, ast.UnaryOp)
        return node.operand
    else:
        new = {"statement": ast.Pass, "return": lambda: ast.Return(value=ast.Constant(None)),
               "loop": ast.Continue if isinstance(node, ast.Break) else ast.Break}[op]()
        return ast.copy_location(new, node)
    return node


def _apply(tree: ast.Module, site: _Site) -> None:
    new = _change(site)
    if new is not site.node:
        _replace(tree, site.node, new)


def _negate(test: ast.expr) -> ast.expr:
    return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=test), test)


def _lines(source: str) -> list[str]:
    return source.splitlines() or [""]


def mutants(source: str) -> list[Mutant]:
    """Every mutant of the module `source`, in index order."""
    found = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for index, site in enumerate(_sites(ast.parse(source), _lines(source))):
        before = _text(site.node)
        after = _text(_change(_Site(copy.deepcopy(site.node), site.operator, site.position, site.scope,
                                    site.module_level, site.lines)))
        same = (site.scope, site.operator, before, after)
        seen[same] = seen.get(same, 0) + 1
        line = getattr(site.node, "lineno", None) or site.lines[0]
        found.append(Mutant(index, line, site.operator, site.scope, before, after, site.module_level, site.lines,
                            seen[same]))
    return found


def mutate(source: str, index: int) -> ast.Module:
    """The module with mutant `index` applied, line numbers kept; `CONTROL` applies none."""
    tree = ast.parse(source)
    if index == CONTROL:
        return tree
    sites = _sites(tree, _lines(source))
    if not 0 <= index < len(sites):
        raise IndexError(f"mutant {index}: the module has {len(sites)} (0 to {len(sites) - 1})")
    _apply(tree, sites[index])
    return ast.fix_missing_locations(tree)
