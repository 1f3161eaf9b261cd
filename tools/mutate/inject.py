"""One mutant in a test process: a pytest plugin (`-p tools.mutate.inject`) that, when imported, puts a
finder first on `sys.meta_path` so that the module named in `GMW_MUTANT_MODULE` (its file in
`GMW_MUTANT_FILE`) is compiled with mutant `GMW_MUTANT_INDEX` applied. Everything that imports the
module afterwards, conftests and tests included, gets the mutant; nothing is written to disk.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from tools.mutate.mutants import mutate

MODULE, FILE, INDEX = "GMW_MUTANT_MODULE", "GMW_MUTANT_FILE", "GMW_MUTANT_INDEX"


class MutantLoader(importlib.abc.Loader):
    def __init__(self, path: Path, index: int) -> None:
        self.path = path
        self.index = index

    def code(self) -> CodeType:
        tree = mutate(self.path.read_text(), self.index)
        return compile(tree, str(self.path), "exec", dont_inherit=True)

    def exec_module(self, module: ModuleType) -> None:
        exec(self.code(), module.__dict__)  # the module's own code, with one change


class MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, path: Path, index: int) -> None:
        self.name = name
        self.path = path
        self.loader = MutantLoader(path, index)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        package = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=self.loader,
                                                      submodule_search_locations=package)


def install() -> None:
    if MODULE not in os.environ:
        return
    name = os.environ[MODULE]
    if name in sys.modules:
        raise RuntimeError(f"{name} was imported before the mutant could be put in its place")
    sys.meta_path.insert(0, MutantFinder(name, Path(os.environ[FILE]), int(os.environ[INDEX])))


install()
