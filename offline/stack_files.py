"""Stack files: reading one (`stack_config`, YAML errors with their place), naming one (`dev` →
Pulumi.dev.yaml, a path from the working directory or the project), every committed one, and the
fake license the offline evaluation uses when a stack carries none."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from components.core.config import PROJECT, ConfigError
from offline import ROOT
from offline.config_rules import check_stack_document
from offline.records import Secret

FAKE_LICENSE = "fake-license-for-offline-evaluation"


def stack_config(path: Path) -> dict[str, Any]:
    """The `config:` of a stack file, keyed without the project prefix; encrypted values stay marked."""
    doc = load_yaml(path) or {}
    problems = check_stack_document(path.name, stack_name(path), doc)
    if problems:
        raise ConfigError(problems)
    values: dict[str, Any] = {}
    for full_key, value in (doc.get("config") or {}).items():
        namespace, _, key = full_key.partition(":")
        if namespace != PROJECT:
            continue
        values[key] = Secret(None) if isinstance(value, dict) and "secure" in value else value
    return values


def yaml_problem(error: yaml.YAMLError) -> str:
    """A YAML syntax error as one line: where (1-based line and column) and what."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"not valid YAML{where}: {problem}"


def load_yaml(path: Path) -> Any:
    """A stack file's YAML; a syntax error is a ConfigError saying where, as `pulumi up` refuses the file too."""
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConfigError([f"{path.name}: {yaml_problem(error)}"]) from None


def stack_name(path: Path) -> str:
    """The stack a config file is for: Pulumi.dev.yaml → dev; stacks/base.yaml → base."""
    name = path.name
    return name[len("Pulumi."):-len(".yaml")] if name.startswith("Pulumi.") else path.stem


def with_fake_license(config: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The config with a fake license where none is given (or it is encrypted); True if one was supplied."""
    values = dict(config)
    license_key = values.get("licenseKey")
    if license_key is None or isinstance(license_key, Secret):
        values["licenseKey"] = FAKE_LICENSE
        return values, True
    return values, False


def stack_file(stack: str) -> Path:
    """`dev` → Pulumi.dev.yaml; a path (stacks/x.yaml) → that file, relative to the working directory,
    or to the project when the working directory has no such file (`gmw` runs from any directory)."""
    candidate = Path(stack)
    if candidate.suffix in (".yaml", ".yml"):
        return project_relative(candidate)
    return ROOT / f"Pulumi.{stack}.yaml"


def project_relative(path: Path) -> Path:
    """A path a user gave: as it is when it exists from the working directory, else the project's file."""
    if path.is_absolute():
        return path
    here = Path.cwd() / path
    return here if here.exists() or not (ROOT / path).exists() else ROOT / path


def iter_stack_files() -> Iterator[Path]:
    yield from sorted(ROOT.glob("Pulumi.*.yaml"))
    yield from sorted((ROOT / "stacks").glob("*.yaml"))
