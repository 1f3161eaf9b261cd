"""The pure part of a mutation check: which tests each mutant runs, the equivalents file, the score.

A mutant inside a function runs the tests that executed its lines; one at module level (a constant,
a table, a decorator) runs every test, since a test that reads a module's data runs none of its
lines. First run the tests whose file imports the module, then those that ran some line of it;
within each, fastest first. The first failure kills the mutant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.mutate.mutants import Mutant

#: How a mutant ended: a test failed (or the module no longer imports), the tests ran out of time
#: (an endless loop counts as noticed), every test passed, or no test runs its lines.
#: A mutant the equivalents file names is not run.
KILLED, TIMEOUT, SURVIVED, UNCOVERED, EQUIVALENT = "killed", "timeout", "survived", "uncovered", "equivalent"
NOTICED = (KILLED, TIMEOUT)


class EquivalentsError(ValueError):
    pass


def module_name(root: Path, path: Path) -> str:
    """`components/core/config/__init__.py` → `components.core.config`."""
    parts = list(path.resolve().relative_to(root.resolve()).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def nodeids_for(mutant: Mutant, lines: Mapping[int, set[str]], seconds: Mapping[str, float],
                importers: frozenset[str] = frozenset()) -> list[str]:
    """The nodeids the mutant runs, fastest first (`seconds` lists every test; "" is import time).
    Those most likely to notice go first: the tests whose file imports the module by name
    (`importers`: test files), then those that ran some line of it, then the rest."""
    near: set[str] = set().union(*lines.values()) if lines else set()
    if mutant.module_level:
        chosen = set(seconds) if lines else set()
    else:
        chosen = set().union(*(lines.get(line, set()) for line in mutant.lines))
    chosen.discard("")

    def order(nodeid: str) -> tuple[int, float, str]:
        rank = 0 if nodeid.split("::")[0] in importers else 1 if nodeid in near else 2
        return rank, seconds.get(nodeid, 0.0), nodeid
    return sorted(chosen, key=order)


def importers_of(module: str, test_files: Mapping[str, str]) -> frozenset[str]:
    """The test files (path → source) that import `module` (`a.b.c`): `import a.b.c`,
    `from a.b.c import ...` or `from a.b import c`."""
    package, _, name = module.rpartition(".")
    direct = re.compile(rf"^\s*(import|from) {re.escape(module)}\b", re.MULTILINE)
    parent = re.compile(rf"^\s*from {re.escape(package)} import (\([^)]*\)|[^\n]*)", re.MULTILINE)
    word = re.compile(rf"\b{re.escape(name)}\b")
    return frozenset(path for path, source in test_files.items()
                     if direct.search(source) or (package and any(word.search(m[1]) for m in parent.finditer(source))))


#: Seconds for a test process to start and collect, added to three times what its tests took unmutated.
GRACE = 30.0


def timeout_for(nodeids: Sequence[str], seconds: Mapping[str, float], grace: float = GRACE) -> float:
    """When a mutant's tests have run out of time: `grace` plus three times what they took unmutated."""
    return grace + 3 * sum(seconds.get(n, 1.0) for n in nodeids)


@dataclass(frozen=True)
class Equivalent:
    path: str
    key: str
    why: str


def parse_equivalents(text: str, source: str = "equivalents") -> list[Equivalent]:
    """`<path> :: <mutant key> :: <why it changes nothing>` per line; `#` starts a comment line."""
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(" :: ")
        if len(parts) < 3 or not parts[-1].strip():
            raise EquivalentsError(f"{source}:{number}: expected '<path> :: <mutant key> :: <why>', got {line!r}")
        found.append(Equivalent(parts[0], " :: ".join(parts[1:-1]), parts[-1].strip()))
    return found


@dataclass
class Tally:
    """The outcome of every mutant of one module."""
    path: str
    outcomes: dict[int, str] = field(default_factory=dict)
    equivalent: set[int] = field(default_factory=set)

    def count(self, *outcomes: str) -> int:
        return sum(1 for i, o in self.outcomes.items() if o in outcomes and i not in self.equivalent)

    @property
    def counted(self) -> int:
        """The mutants that count: all but the equivalent ones."""
        return len(self.outcomes) - len(self.equivalent & set(self.outcomes))

    @property
    def score(self) -> float:
        return score([self])


def score(tallies: Iterable[Tally]) -> float:
    """Noticed mutants over all but the equivalent ones of these modules, in percent (100 when none count)."""
    tallies = list(tallies)
    counted = sum(t.counted for t in tallies)
    return 100.0 if counted == 0 else 100.0 * sum(t.count(*NOTICED) for t in tallies) / counted


def mark_equivalents(tally: Tally, mutants: Iterable[Mutant], equivalents: Sequence[Equivalent]) -> list[Equivalent]:
    """Marks the tally's mutants the file calls equivalent; returns the file's entries for this module
    that match no mutant (stale: the code changed under them)."""
    mine = [e for e in equivalents if e.path == tally.path]
    by_key: dict[str, list[int]] = {}
    for mutant in mutants:
        by_key.setdefault(mutant.key, []).append(mutant.index)
    for entry in mine:
        tally.equivalent.update(by_key.get(entry.key, []))
    return [e for e in mine if e.key not in by_key]
