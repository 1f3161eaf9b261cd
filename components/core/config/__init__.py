"""Typed, validated settings.

`parse_settings` (parse.py) is pure: it takes the stack's config values (already decoded from JSON
where the key is a list) and returns `Settings` (settings.py), or raises `ConfigError` (problems.py)
listing every problem, each naming its config key and what is allowed; the checks of single values
are small named functions (validators.py). `load_settings` (runtime.py) reads the values from the
Pulumi runtime. Both run before any resource is registered.

The keys and their defaults (keys.py) are the ones declared in Pulumi.yaml (a test keeps the two equal).
"""

from .keys import (
    CERT_VALIDITY_RANGE,
    CREDENTIALS_ROTATION_RANGE,
    DEFAULTS,
    DNS_LABEL,
    FLEET_ROLES,
    HELM_TIMEOUT_RANGE,
    KNOWN_KEYS,
    LIST_KEYS,
    MAX_REVISION_LENGTH,
    PLATFORMS,
    PROJECT,
    QUALIFIED_STACK,
    RELAY_TRUST_GENERATED,
    RELAY_TRUST_MANAGED,
    RELAY_TRUST_MODES,
    REVIEWS_VERSIONS,
    ROLES,
    SECRET_KEYS,
    SEMVER,
)
from .parse import parse_settings
from .problems import ConfigError, InvalidJson, Problems, Reader
from .runtime import decode_value, load_settings
from .settings import ManagementCluster, Settings, Versions, WorkloadCluster

__all__ = [
    "CERT_VALIDITY_RANGE", "CREDENTIALS_ROTATION_RANGE", "DEFAULTS", "DNS_LABEL", "FLEET_ROLES",
    "HELM_TIMEOUT_RANGE", "KNOWN_KEYS", "LIST_KEYS", "MAX_REVISION_LENGTH", "PLATFORMS", "PROJECT",
    "QUALIFIED_STACK", "RELAY_TRUST_GENERATED", "RELAY_TRUST_MANAGED", "RELAY_TRUST_MODES", "REVIEWS_VERSIONS",
    "ROLES", "SECRET_KEYS", "SEMVER", "ConfigError", "InvalidJson", "ManagementCluster", "Problems", "Reader",
    "Settings", "Versions", "WorkloadCluster", "decode_value", "load_settings", "parse_settings",
]
