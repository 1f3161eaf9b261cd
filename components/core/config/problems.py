"""Collecting every problem of a config before failing, so one run shows them all.

`Problems` is shared by the stack config (`parse_settings`) and the fleet file's validation
(tools/fleet): each message names its key and what is allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .keys import DEFAULTS


class ConfigError(ValueError):
    """Invalid stack configuration. The message lists every problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n  - " + "\n  - ".join(problems))


class Problems:
    """A list of problems, each naming where it is and what is allowed."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def extend(self, problems: list[str]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class InvalidJson:
    """A list key's value that Pulumi handed over as a string that is not JSON (`decode_value`)."""

    raw: str
    error: str


class Reader(Problems):
    """Reads one stack's config values by type, with Pulumi.yaml's defaults for absent keys."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__()
        self.values = values

    def get(self, key: str) -> Any:
        value = self.values.get(key)
        return DEFAULTS[key] if value is None else value

    def string(self, key: str, allowed: str = "a string") -> str:
        value = self.get(key)
        if not isinstance(value, str):
            self.add(f"{key}: expected {allowed}, got {value!r}")
            return str(DEFAULTS[key])
        return value

    def string_list(self, key: str) -> list[str]:
        value = self.get(key)
        if isinstance(value, InvalidJson):
            self.invalid_json(key, value, 'a list of strings like ["a", "b"]')
            return list(DEFAULTS[key])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"{key}: expected a list of strings, got {value!r}")
            return list(DEFAULTS[key])
        return value

    def invalid_json(self, key: str, value: InvalidJson, expected: str) -> None:
        self.add(f"{key}: {value.raw!r} is not valid JSON ({value.error}); expected {expected} "
                 "(`pulumi config set --path` or a YAML list in the stack file)")

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            self.add(f"{key}: expected true or false, got {value!r}")
            return bool(DEFAULTS[key])
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.get(key)
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
            return int(DEFAULTS[key])
        if not low <= value <= high:
            self.add(f"{key}: {value} is out of range; allowed is {low} to {high}")
        return value


def decode_json(raw: str) -> Any:
    """A list key's string value decoded, or `InvalidJson` for `Reader.string_list` to report."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        return InvalidJson(raw, f"{error.msg} at column {error.colno}")
