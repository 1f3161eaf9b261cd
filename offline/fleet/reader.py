"""Reading a fleet file's fields: every problem collected (the same `Problems` the stack config uses), each naming its key and what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.core.config import DNS_LABEL, REVIEWS_VERSIONS, Problems
from offline.config_rules import suggestion
from offline.fleet.spec import (
    CLUSTER_KEYS,
    GIT_AUTH_KEYS,
    SECRET_REF_KEYS,
    SECTION_KEYS,
    FleetCluster,
    SecretRef,
)


class FleetReader(Problems):
    """A fleet file's fields by kind (strings, Secret references, sections, clusters), each problem kept."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        super().__init__()
        self.doc = doc

    def known(self, mapping: Any, keys: tuple[str, ...], path: str) -> None:
        """Refuse each key of `mapping` not in `keys`, with the nearest known one."""
        if isinstance(mapping, Mapping):
            for key in mapping:
                if key not in keys:
                    where = f"{path}.{key}" if path else str(key)
                    self.problems.append(f"{where}: unknown key{suggestion(str(key), keys)}")

    def string(self, mapping: Any, key: str, path: str, default: str | None = None) -> str:
        value = mapping.get(key) if isinstance(mapping, Mapping) else None
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or not value:
            self.problems.append(f"{path}: required, a non-empty string")
            return ""
        return value

    def secret(self, mapping: Any, key: str, path: str, required: bool) -> SecretRef | None:
        value = mapping.get(key) if isinstance(mapping, Mapping) else None
        if value is None:
            if required:
                self.problems.append(f"{path}: required, a Kubernetes Secret reference {{name: ..., key: ...}}")
            return None
        if not isinstance(value, Mapping):  # the value itself, inlined: not echoed (it may be the secret)
            self.problems.append(f"{path}: expected a Kubernetes Secret reference {{name: ..., key: ...}}, got a "
                                 f"{type(value).__name__}: the fleet file names the Secret that holds a value, "
                                 "never the value")
            return SecretRef("", "")
        self.known(value, SECRET_REF_KEYS, path)
        name = self.string(value, "name", f"{path}.name")
        key_ = self.string(value, "key", f"{path}.key")
        if name and not DNS_LABEL.match(name):
            self.problems.append(f"{path}.name: {name!r} is not a valid Secret name (a DNS label)")
        return SecretRef(name, key_)

    def section(self, mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """A top-level section of the file (absent: empty); anything but a mapping is a problem."""
        value = mapping.get(key) or {}
        if not isinstance(value, Mapping):
            self.problems.append(f"{key}: expected a mapping, got {value!r}")
            return {}
        if key in SECTION_KEYS:
            self.known(value, SECTION_KEYS[key], key)
        return value

    def git_auth(self, value: Any) -> dict[str, SecretRef]:
        if value is None:
            return {}
        path = "source.gitAuth"
        if not isinstance(value, Mapping):
            self.problems.append(f"{path}: expected a mapping of Secret references")
            return {}
        self.known(value, GIT_AUTH_KEYS, path)
        refs = {k: self.secret(value, k, f"{path}.{k}", required=False) for k in GIT_AUTH_KEYS if k in value}
        modes = [set(refs) == {"accessToken"}, set(refs) in ({"sshPrivateKey"}, {"sshPrivateKey", "password"}),
                 set(refs) == {"userName", "password"}]
        if refs and not any(modes):
            self.problems.append(f"{path}: give one of accessToken, sshPrivateKey (and password), or userName and "
                                 "password (the operator accepts one authentication mode)")
        return {k: ref for k, ref in refs.items() if ref is not None}

    def cluster(self, value: Any, path: str) -> FleetCluster:
        if not isinstance(value, Mapping):
            self.problems.append(f"{path}: expected a mapping with name, context and kubeconfigSecret")
            return FleetCluster("", "", None)
        self.known(value, CLUSTER_KEYS, path)
        name = self.string(value, "name", f"{path}.name")
        if name and not DNS_LABEL.match(name):
            self.problems.append(f"{path}.name: {name!r} is not a valid cluster name (a DNS label: lower-case "
                                 "letters, digits and '-', starting and ending with a letter or digit)")
        reviews = value.get("reviewsVersions")
        if reviews is not None and (not isinstance(reviews, list) or not reviews
                                    or any(v not in REVIEWS_VERSIONS for v in reviews)):
            self.problems.append(f"{path}.reviewsVersions: expected a list of versions from "
                                 f"{', '.join(REVIEWS_VERSIONS)}, got {reviews!r}")
            reviews = None
        return FleetCluster(
            name=name,
            context=self.string(value, "context", f"{path}.context", default=name),
            kubeconfig=self.secret(value, "kubeconfigSecret", f"{path}.kubeconfigSecret", required=False),
            reviews_versions=tuple(reviews) if reviews else None,
            management_kubeconfig=self.secret(value, "managementKubeconfigSecret",
                                              f"{path}.managementKubeconfigSecret", required=False),
            access_token=self.secret(value, "pulumiAccessToken", f"{path}.pulumiAccessToken", required=False),
            passphrase=self.secret(value, "configPassphrase", f"{path}.configPassphrase", required=False),
        )
