"""The Pulumi CLI's stack-config rules, applied offline: one check for every stack config we write or read.

The CLI validates a stack's config against the project's `config:` declarations (Pulumi.yaml) before
the program runs (pulumi/pulumi `pkg/workspace/config.go`: `mergeConfig`, `validateStackConfigValues`,
`validateStackConfigValue`; `sdk/go/common/workspace/project.go`: `ValidateConfigValue`):

- a key declared in the project's namespace with no `default` (nor `value`) and absent from the stack
  is refused: "Stack 'S' is missing configuration value 'K'";
- a key declared with a `type` and `secret: true` whose stack value is not encrypted (`secure:`) is
  refused: "Stack 'S' with configuration key 'K' must be encrypted as it's secret" (a project
  default counts as a plaintext value);
- a key declared with a `type` whose value is not of it is refused: "... must be of type 'T'".

This check applies the secret rule to every key declared `secret: true`, typed or not (the CLI checks
typed keys only; the program's `licenseKey` is declared untyped so that a stack without a license,
a fleet's workload stack, passes the CLI, and this check still refuses a plaintext license).

It also refuses what the CLI ignores but this program never means: a stack file's unknown top-level
key (`confg:`) and an unknown key of the project's namespace, each with the nearest known key.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.core.config import PROJECT

PROJECT_FILE = Path(__file__).resolve().parent.parent / "Pulumi.yaml"
#: The top-level keys of a stack config file (pulumi/pulumi `sdk/go/common/workspace/project.go`,
#: `ProjectStack`'s yaml tags).
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")


@dataclass(frozen=True)
class Declaration:
    type: str | None
    items: Mapping[str, Any] | None
    has_default: bool
    secret: bool


@cache
def declarations(project_file: Path = PROJECT_FILE) -> dict[str, Declaration]:
    """The project's config declarations (keys without the project prefix)."""
    config = (yaml.safe_load(project_file.read_text()) or {}).get("config") or {}
    out: dict[str, Declaration] = {}
    for key, decl in config.items():
        if not isinstance(decl, Mapping):  # `key: value` shorthand: a value, no type
            out[key] = Declaration(None, None, True, False)
            continue
        out[key] = Declaration(decl.get("type"), decl.get("items"), "default" in decl or "value" in decl,
                               bool(decl.get("secret")))
    return out


def suggestion(key: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the nearest known key, or nothing."""
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def _of_type(type_name: str, items: Mapping[str, Any] | None, value: Any) -> bool:
    """`ValidateConfigValue`: string, integer, boolean, array (of `items`)."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "array":
        return isinstance(value, list) and all(
            items is None or _of_type(str(items.get("type")), items.get("items"), v) for v in value)
    return True


def _type_name(type_name: str, items: Mapping[str, Any] | None) -> str:
    if type_name == "array" and items:
        return f"List<{_type_name(str(items.get('type')), items.get('items'))}>"
    return type_name


def is_secure(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"secure"}


def check_config(source: str, stack: str, config: Mapping[str, Any],
                 secure_keys: Iterable[str] = ()) -> list[str]:
    """Every rule the CLI applies to `config` (full keys `project:key` → values as a stack file holds
    them: `{secure: ...}` for an encrypted one), plus unknown keys; `secure_keys` are set encrypted
    elsewhere (an operator Stack's `secretsRef`). Each problem names `source` and the key."""
    decls = declarations()
    secure = set(secure_keys)
    problems: list[str] = []
    present: dict[str, Any] = {}
    for full_key, value in config.items():
        namespace, sep, key = str(full_key).partition(":")
        if not sep or namespace != PROJECT:
            continue  # another namespace (a provider's config): not this program's
        if key not in decls:
            problems.append(f"{source}: config key {full_key!r} is not a config key of {PROJECT}"
                            f"{suggestion(key, decls)}")
            continue
        present[key] = value
    for key in sorted(secure):
        namespace, _, bare = key.partition(":")
        if bare in decls:
            present[bare] = {"secure": "[set by secretsRef]"}
    for key, decl in sorted(decls.items()):
        full = f"{PROJECT}:{key}"
        if key not in present:
            if not decl.has_default:
                problems.append(f"{source}: Stack '{stack}' is missing configuration value '{key}' ({full})")
            elif decl.secret and decl.type is not None:
                problems.append(f"{source}: Stack '{stack}' with configuration key '{key}' must be encrypted "
                                "as it's secret (its project default is plaintext)")
            continue
        value = present[key]
        if decl.secret and not is_secure(value):
            problems.append(f"{source}: Stack '{stack}' with configuration key '{key}' must be encrypted as it's "
                            f"secret (`pulumi config set --secret {key} < file`: the value from standard input)")
            continue
        if decl.type is not None and not is_secure(value) and not _of_type(decl.type, decl.items, value):
            problems.append(f"{source}: Stack '{stack}' with configuration key '{key}' must be of type "
                            f"'{_type_name(decl.type, decl.items)}', got {_shown(value)}")
    return problems


def _shown(value: Any) -> str:
    """A wrong value as a message quotes it; not one with line breaks, which may be a file's contents
    (a kubeconfig's, credentials included, where a kubeconfig path goes)."""
    text = json.dumps(value)
    if "\\n" in text:
        return f"a value of {len(text)} characters with line breaks (not shown: it may hold credentials)"
    return text


def check_stack_document(source: str, stack: str, doc: Any) -> list[str]:
    """A whole stack config file: its top-level keys, then `check_config` on its `config:`."""
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        return [f"{source}: expected a mapping with `config:` at the top level"]
    problems = [f"{source}: unknown top-level key {key!r}{suggestion(str(key), STACK_FILE_KEYS)}"
                for key in doc if key not in STACK_FILE_KEYS]
    config = doc.get("config") or {}
    if not isinstance(config, Mapping):
        return [*problems, f"{source}: config: expected a mapping of `{PROJECT}:<key>: <value>`"]
    return problems + check_config(source, stack, config)

