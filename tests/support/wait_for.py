"""`pulumi.com/waitFor` as current pulumi-kubernetes reads it, offline.

pulumi-kubernetes 4.24+ (`provider/pkg/jsonpath/jsonpath.go`): the annotation is one
`jsonpath=...` expression or a JSON array of them (all must hold); each is split on a single `=`
into path and expected value, the path must be wrapped in `{ }`, a leading `$` is added, and the
path is parsed per RFC 9535. The resource is ready when, for every expression, the *first* node the
path selects equals the value. Here `jsonpath_rfc9535` (an RFC 9535 implementation) parses and
evaluates the path, so a test fails on exactly the paths the provider would refuse.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import jsonpath_rfc9535

_BRACKETED = re.compile(r"\{\s*(.*?)\s*\}")
_PLACEHOLDER = "\ufffd"


@dataclass(frozen=True)
class Condition:
    path: str
    value: str

    def holds(self, obj: dict[str, Any]) -> bool:
        found = jsonpath_rfc9535.find(self.path, obj).values()
        return bool(found) and str(found[0]) == self.value


def parse(annotation: str) -> list[Condition]:
    """The conditions of a waitFor annotation; raises on anything the provider would refuse."""
    expressions = json.loads(annotation) if annotation.startswith("[") else [annotation]
    conditions = []
    for raw in expressions:
        if not raw.startswith("jsonpath="):
            raise ValueError(f"only jsonpath= conditions are used here: {raw!r}")
        parts = raw.removeprefix("jsonpath=").replace("==", _PLACEHOLDER).split("=")
        if len(parts) != 2 or not parts[1]:
            raise ValueError(f"expected {{.path}}=value: {raw!r}")
        match = _BRACKETED.search(parts[0].replace(_PLACEHOLDER, "=="))
        if match is None:
            raise ValueError(f"the path must be wrapped in {{ }}: {raw!r}")
        path = match.group(1) if match.group(1).startswith("$") else "$" + match.group(1)
        jsonpath_rfc9535.compile(path)  # JSONPathSyntaxError where RFC 9535 refuses it
        conditions.append(Condition(path, parts[1].replace(_PLACEHOLDER, "==")))
    return conditions


def ready(annotation: str, obj: dict[str, Any]) -> bool:
    return all(condition.holds(obj) for condition in parse(annotation))
