"""The stack outputs the verifier reads, validated into one typed object.

Required (every stack exports them): `features`, `managementCluster`, `workloadClusters`,
`mgmtServerEndpoint`, `gatewayEndpoints`. Everything the labs add is optional: a check that
needs a missing output is skipped and says which output it missed. `gatewayCertificate` (with
`gateway-tls`) is the certificate the gateways must present (`tools/verify/transport.py`).
"""

from __future__ import annotations

import json
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_REALM = "master"

#: Outputs added by the labs; absent on stacks (or program versions) without them.
OPTIONAL_OUTPUTS = (
    "gatewayCertificate",
    "productpageUrls",
    "httpbinUrl",
    "httpbinCluster",
    "keycloakUrl",
    "keycloakRealm",
    "keycloakClientId",
    "keycloakClientSecret",
    "keycloakUsers",
    "externalServiceWeight",
)
#: Outputs whose value an error message must not quote.
SECRET_OUTPUTS = frozenset({"keycloakClientSecret", "keycloakUsers", "keycloakAdminPassword"})


class OutputsError(ValueError):
    """The outputs cannot be read or do not have the shape the program exports."""


@dataclass(frozen=True)
class KeycloakUser:
    username: str
    password: str
    email: str


@dataclass(frozen=True)
class StackOutputs:
    features: frozenset[str]
    management_cluster: str
    workload_clusters: tuple[str, ...]
    mgmt_server_endpoint: str
    gateway_endpoints: dict[str, dict[str, str]]
    gateway_certificate: str | None = None
    productpage_urls: dict[str, str] | None = None
    httpbin_url: str | None = None
    httpbin_cluster: str | None = None
    keycloak_url: str | None = None
    keycloak_realm: str = DEFAULT_REALM
    keycloak_client_id: str | None = None
    keycloak_client_secret: str | None = field(default=None, repr=False)
    keycloak_users: dict[str, KeycloakUser] = field(default_factory=dict, repr=False)
    external_service_weight: int | None = None

    @property
    def first_cluster(self) -> str:
        """The workload cluster the workshop calls cluster1: config, httpbin and lab policies live there."""
        return self.workload_clusters[0]

    def has(self, feature: str) -> bool:
        return feature in self.features

    def gateway(self, cluster: str, scheme: str) -> str:
        """`http://host:80` or `https://host:443` of a workload cluster's ingress gateway."""
        return f"{scheme}://{self.gateway_endpoints[cluster][scheme]}"


def _require(raw: dict[str, Any], key: str, kind: type, problems: list[str]) -> Any:
    if key not in raw:
        problems.append(f"{key}: missing from the stack outputs")
        return None
    value = raw[key]
    if not isinstance(value, kind):
        problems.append(f"{key}: expected {kind.__name__}, got {value!r}")
        return None
    return value


def _optional(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], problems: list[str]) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        shown = f"a {type(value).__name__}" if key in SECRET_OUTPUTS else repr(value)
        problems.append(f"{key}: unexpected value {shown}")
        return None
    return value


def _certificate(raw: dict[str, Any], problems: list[str]) -> str | None:
    """`gatewayCertificate`: one PEM certificate (the public part only)."""
    pem = _optional(raw, "gatewayCertificate", str, problems)
    if pem is None:
        return None
    try:
        ssl.PEM_cert_to_DER_cert(pem.strip())
    except ValueError:
        problems.append("gatewayCertificate: not a PEM certificate")
        return None
    return pem.strip() + "\n"


def parse_outputs(raw: Any) -> StackOutputs:
    """Validate the JSON of `pulumi stack output --json --show-secrets`; raise OutputsError listing every problem."""
    if not isinstance(raw, dict):
        raise OutputsError(f"stack outputs: expected a JSON object, got {type(raw).__name__}")
    problems: list[str] = []
    features = _require(raw, "features", list, problems)
    if features is not None and not all(isinstance(f, str) for f in features):
        problems.append(f"features: expected a list of names, got {features!r}")
        features = None
    mgmt = _require(raw, "managementCluster", str, problems)
    workloads = _require(raw, "workloadClusters", list, problems)
    if workloads is not None and (not workloads or not all(isinstance(w, str) for w in workloads)):
        problems.append(f"workloadClusters: expected a non-empty list of names, got {workloads!r}")
        workloads = None
    relay = _require(raw, "mgmtServerEndpoint", str, problems)
    gateways = _require(raw, "gatewayEndpoints", dict, problems)
    if gateways is not None and workloads is not None:
        for cluster in workloads:
            entry = gateways.get(cluster)
            if not isinstance(entry, dict) or not all(isinstance(entry.get(s), str) for s in ("http", "https")):
                problems.append(f"gatewayEndpoints: cluster {cluster!r} needs 'http' and 'https' endpoints, got {entry!r}")

    productpage_urls = _optional(raw, "productpageUrls", dict, problems)
    if productpage_urls is not None and not all(isinstance(v, str) for v in productpage_urls.values()):
        problems.append(f"productpageUrls: expected cluster → URL, got {productpage_urls!r}")
    weight = _optional(raw, "externalServiceWeight", int, problems)
    if weight is not None and not 0 <= weight <= 100:
        problems.append(f"externalServiceWeight: {weight} is not a share from 0 to 100")
    users = _parse_users(raw.get("keycloakUsers"), problems)
    realm = _optional(raw, "keycloakRealm", str, problems) or DEFAULT_REALM
    keycloak_url = _optional(raw, "keycloakUrl", str, problems)
    certificate = _certificate(raw, problems)

    if problems:
        raise OutputsError("stack outputs are not what the program exports:\n  - " + "\n  - ".join(problems))
    return StackOutputs(
        features=frozenset(features),
        management_cluster=mgmt,
        workload_clusters=tuple(workloads),
        mgmt_server_endpoint=relay,
        gateway_endpoints={c: dict(gateways[c]) for c in workloads},
        gateway_certificate=certificate,
        productpage_urls=dict(productpage_urls) if productpage_urls is not None else None,
        httpbin_url=_optional(raw, "httpbinUrl", str, problems),
        httpbin_cluster=_optional(raw, "httpbinCluster", str, problems),
        keycloak_url=keycloak_url.rstrip("/") if keycloak_url else None,
        keycloak_realm=realm,
        keycloak_client_id=_optional(raw, "keycloakClientId", str, problems),
        keycloak_client_secret=_optional(raw, "keycloakClientSecret", str, problems),
        keycloak_users=users,
        external_service_weight=weight,
    )


def _parse_users(value: Any, problems: list[str]) -> dict[str, KeycloakUser]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append("keycloakUsers: expected {user: {password, email}}")
        return {}
    users: dict[str, KeycloakUser] = {}
    for name, entry in value.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
            problems.append(f"keycloakUsers: user {name!r} needs a password")
            continue
        email = entry.get("email")
        users[name] = KeycloakUser(name, entry["password"], email if isinstance(email, str) else "")
    return users


def load_outputs_file(path: Path) -> StackOutputs:
    try:
        raw = json.loads(path.read_text())
    except OSError as error:
        raise OutputsError(f"{path}: cannot read: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise OutputsError(f"{path}: not JSON: {error}") from None
    return parse_outputs(raw)


def load_stack_outputs(stack: str, cwd: Path | None = None) -> StackOutputs:
    """Ask the Pulumi CLI for the stack's outputs, secrets in plain text."""
    command = ["pulumi", "stack", "output", "--json", "--show-secrets", "--stack", stack]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        raise OutputsError("the Pulumi CLI is not installed; pass the outputs as a JSON file with --outputs") from None
    except subprocess.TimeoutExpired:
        raise OutputsError(f"`{' '.join(command)}` did not answer within 120 s") from None
    if done.returncode != 0:
        raise OutputsError(f"`{' '.join(command)}` failed ({done.returncode}): {done.stderr.strip()[:500]}")
    try:
        raw = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise OutputsError(f"`{' '.join(command)}` printed no JSON: {error}") from None
    return parse_outputs(raw)
