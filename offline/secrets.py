"""The config keys Pulumi.yaml declares secret, and keeping their values out of what a tool prints or writes.

`secret_keys()` reads the `secret: true` declarations of Pulumi.yaml's `config:` (today
`licenseKey`), so a key declared secret later is redacted without a change here. A tool that was
given a secret value (a `--set licenseKey=...`, a stack file holding one in plaintext) names the
key with `[secret]` instead of the value (`assignment`), and passes every text it prints or writes
through `Redactor.scrub`, which replaces each such value (as given, and as JSON would escape it)
with `[secret]`.

A kubeconfig key (`mgmtKubeconfig`, `workloadKubeconfigs`) names a file, but pulumi-kubernetes also
takes a kubeconfig's contents there, credentials included: a value that is contents rather than a
path (`is_kubeconfig_contents`) is treated like a secret's value, by `assignment` and `Redactor`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from components.core.config import PROJECT
from offline import ROOT
from offline.config_rules import declarations

REDACTED = "[secret]"


#: Config keys whose value is a kubeconfig path, or (pulumi-kubernetes takes either) its contents.
KUBECONFIG_KEYS = frozenset({"mgmtKubeconfig", "workloadKubeconfigs"})


def _bare(key: str) -> str:
    namespace, sep, bare = key.partition(":")
    return bare if sep and namespace == PROJECT else key


def is_kubeconfig_contents(value: Any) -> bool:
    """A kubeconfig's contents rather than a path: more than one line, or a YAML or JSON document."""
    return isinstance(value, str) and ("\n" in value or value.lstrip().startswith(("{", "apiVersion")))


def kubeconfig_contents(key: str, value: Any) -> list[str]:
    """The kubeconfig contents `value` of config key `key` holds (empty: a path, or not a kubeconfig key)."""
    if _bare(key) not in KUBECONFIG_KEYS:
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if is_kubeconfig_contents(item)]


def secret_keys(project_file: Path = ROOT / "Pulumi.yaml") -> frozenset[str]:
    """The config keys (without the project prefix) Pulumi.yaml declares `secret: true`."""
    keys = set()
    for key, declaration in declarations(project_file).items():
        namespace, sep, bare = str(key).partition(":")
        if declaration.secret:
            keys.add(bare if sep and namespace == PROJECT else str(key))
    return frozenset(keys)


def is_secret(key: str) -> bool:
    return _bare(key) in secret_keys()


def assignment(key: str, value: Any) -> str:
    """`KEY=VALUE` as a plan's header shows a `--set`: the value of a secret key, and a kubeconfig's
    contents, as `[secret]`."""
    if is_secret(key) or kubeconfig_contents(key, value):
        return f"{key}={REDACTED}"
    return f"{key}={value if isinstance(value, str) else json.dumps(value)}"


def _texts(value: Any) -> list[str]:
    """The forms a secret value can take in printed text: as given, and JSON-encoded."""
    if value is None:
        return []
    if isinstance(value, str):
        raw = value
    elif isinstance(value, bool | int | float):
        raw = json.dumps(value)
    else:
        raw = json.dumps(value, sort_keys=True)
    forms = {raw, json.dumps(raw)[1:-1], json.dumps(raw, ensure_ascii=False)[1:-1]}
    return [form for form in forms if form.strip()]


class Redactor:
    """Replaces every known secret value in a text with `[secret]`."""

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._values: set[str] = set()
        for value in values:
            self.add(value)

    def add(self, value: Any) -> None:
        self._values.update(_texts(value))

    def add_config(self, config: Mapping[str, Any]) -> None:
        """The plaintext values of `config`'s secret keys (encrypted ones are not readable here), and
        the kubeconfig contents its kubeconfig keys hold."""
        for key, value in config.items():
            if is_secret(key) and (value is None or isinstance(value, str | int | float | bool | list | dict)):
                self.add(value)
            self.add_kubeconfigs(key, value)

    def add_kubeconfigs(self, key: str, value: Any) -> None:
        """Each kubeconfig's contents `value` (of config key `key`) holds; nothing for a path."""
        for contents in kubeconfig_contents(key, value):
            self.add(contents)

    def scrub(self, text: str) -> str:
        # Longest first: a secret that contains another is replaced whole.
        for value in sorted(self._values, key=lambda v: (-len(v), v)):
            text = text.replace(value, REDACTED)
        return text

    def __bool__(self) -> bool:
        return bool(self._values)

