"""Typed, validated settings.

`parse_settings` is pure: it takes the stack's config values (already decoded from JSON where the
key is a list) and returns `Settings`, or raises `ConfigError` listing every problem, each naming
its config key and what is allowed. `load_settings` reads the values from the Pulumi runtime.
Both run before any resource is registered.

The defaults here are the ones declared in Pulumi.yaml (a test keeps the two equal).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .features import feature_errors

PROJECT = "gloo-mesh-workshop"
PLATFORMS = ("openshift", "kubernetes")
REVIEWS_VERSIONS = ("v1", "v2", "v3")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
HELM_TIMEOUT_RANGE = (60, 3600)
#: Stack roles: the whole estate in one stack, or a fleet of a management stack and one stack per
#: workload cluster (docs/fleet.md).
ROLES = ("all", "management", "workload")
FLEET_ROLES = ("management", "workload")
#: A fully qualified stack name, `<organization>/<project>/<stack>`.
QUALIFIED_STACK = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
#: `generated`: the management chart generates the relay CA and token and the program copies them to
#: the agents (the workshop's way); `managed`: the program's own relay PKI (components/platform/relay_trust.py).
RELAY_TRUST_GENERATED = "generated"
RELAY_TRUST_MANAGED = "managed"
RELAY_TRUST_MODES = (RELAY_TRUST_GENERATED, RELAY_TRUST_MANAGED)
#: An Istio revision is the `istio.io/rev` label value and part of object names, the longest being the
#: lifecycle manager's operator namespace `gm-iop-<revision>`: a DNS label of at most 63 characters.
MAX_REVISION_LENGTH = 63 - len("gm-iop-")
CREDENTIALS_ROTATION_RANGE = (0, 2**31 - 1)
#: Gateway certificate lifetime, in hours: up to ten years (the workshop's is one year).
CERT_VALIDITY_RANGE = (1, 10 * 365 * 24)

DEFAULTS: dict[str, Any] = {
    "platform": "kubernetes",
    "mgmtCluster": "mgmt",
    "mgmtContext": "",
    "mgmtKubeconfig": "",
    "workloadClusters": ["cluster1", "cluster2"],
    "workloadContexts": [],
    "workloadKubeconfigs": [],
    "reviewsVersions": [],
    "httpbinCluster": "",
    "configCluster": "",
    "glooMeshVersion": "2.2.6",
    "glooMeshEnterpriseRepo": "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-enterprise",
    "glooMeshAgentRepo": "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-agent",
    "istioRevision": "1-17",
    "istioHub": "us-docker.pkg.dev/gloo-mesh/istio-workshops",
    "istioTag": "1.17.1-solo",
    "istioCanaryRevision": "",
    "istioCanaryTag": "",
    "features": [],
    "externalServiceWeight": 0,
    "autoRestartPods": False,
    "helmTimeoutSeconds": 900,
    "protectPlatform": False,
    "upsertExistingObjects": True,
    "role": "all",
    "managementStack": "",
    "workloadCluster": "",
    "relayTrust": RELAY_TRUST_GENERATED,
    "credentialsRotation": 0,
    "gatewayCertValidityHours": 365 * 24,
    "gatewayCertEarlyRenewalHours": 30 * 24,
}
SECRET_KEYS = ("licenseKey",)
LIST_KEYS = frozenset(k for k, v in DEFAULTS.items() if isinstance(v, list))
KNOWN_KEYS = frozenset(DEFAULTS) | frozenset(SECRET_KEYS)


class ConfigError(ValueError):
    """Invalid stack configuration. The message lists every problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class ManagementCluster:
    name: str
    context: str
    kubeconfig: str | None


@dataclass(frozen=True)
class WorkloadCluster:
    name: str
    context: str
    kubeconfig: str | None
    reviews_versions: tuple[str, ...]


@dataclass(frozen=True)
class Versions:
    gloo_mesh: str
    enterprise_repo: str
    agent_repo: str
    istio_revision: str
    istio_hub: str
    istio_tag: str
    #: A second revision installed beside the active one during a canary upgrade (None: no canary).
    istio_canary_revision: str | None = None
    istio_canary_tag: str | None = None

    @property
    def istio_revisions(self) -> tuple[str, ...]:
        """Every revision the lifecycle managers install, sorted: swapping the active and the canary
        revision then changes which one is active, not the order of anything."""
        return tuple(sorted({self.istio_revision, *filter(None, [self.istio_canary_revision])}))

    def istio_tag_of(self, revision: str) -> str:
        return self.istio_canary_tag if revision == self.istio_canary_revision and self.istio_canary_tag \
            else self.istio_tag


@dataclass(frozen=True)
class Settings:
    platform: str
    mgmt: ManagementCluster
    workload_clusters: tuple[WorkloadCluster, ...]
    versions: Versions
    features: frozenset[str]
    httpbin_cluster: str
    config_cluster: str
    external_service_weight: int
    auto_restart_pods: bool
    helm_timeout_seconds: int
    protect_platform: bool
    #: Each cluster provider's `upsertExistingObjects`: a create adopts an object of the same name
    #: that exists (the namespaces the least-privilege RBAC render pre-creates) instead of failing.
    upsert_existing_objects: bool
    #: Raising it regenerates every credential the program generates (components/core/rotation.py).
    credentials_rotation: int
    #: The gateway certificate's lifetime, and how long before its end `pulumi up` renews it.
    gateway_cert_validity_hours: int
    gateway_cert_early_renewal_hours: int
    license_key: str = field(repr=False)
    #: `all`, `management` or `workload` (see `declares_fleet` and `declares_cluster`).
    role: str = "all"
    #: A workload stack: the management stack it reads (`<organization>/<project>/<stack>`).
    management_stack: str = ""
    #: A workload stack: the one workload cluster it deploys.
    stack_cluster: str = ""
    relay_trust: str = RELAY_TRUST_GENERATED

    @property
    def openshift(self) -> bool:
        return self.platform == "openshift"

    @property
    def mgmt_is_workload(self) -> bool:
        return any(c.name == self.mgmt.name for c in self.workload_clusters)

    @property
    def first_workload(self) -> WorkloadCluster:
        return self.workload_clusters[0]

    @property
    def managed_relay_trust(self) -> bool:
        """Whether the program issues the relay PKI itself instead of copying what the chart generates."""
        return self.relay_trust == RELAY_TRUST_MANAGED

    def has(self, feature: str) -> bool:
        return feature in self.features

    def workload(self, name: str) -> WorkloadCluster:
        return next(c for c in self.workload_clusters if c.name == name)

    @property
    def declares_fleet(self) -> bool:
        """Whether this stack declares what concerns the whole estate: the management plane, the
        Workspaces, the root trust policy, the shared gateway certificate."""
        return self.role in ("all", "management")

    def declares_cluster(self, name: str) -> bool:
        """Whether this stack declares a workload cluster's chain (registration → agent → Istio
        lifecycle → apps) and the objects applied on that cluster."""
        return self.role == "all" or (self.role == "workload" and self.stack_cluster == name)


class _Reader:
    """Collects problems instead of stopping at the first, so one run shows them all."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.problems: list[str] = []

    def get(self, key: str) -> Any:
        value = self.values.get(key)
        return DEFAULTS[key] if value is None else value

    def string(self, key: str, allowed: str = "a string") -> str:
        value = self.get(key)
        if not isinstance(value, str):
            self.problems.append(f"{key}: expected {allowed}, got {value!r}")
            return str(DEFAULTS[key])
        return value

    def string_list(self, key: str) -> list[str]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(f"{key}: expected a list of strings, got {value!r}")
            return list(DEFAULTS[key])
        return value

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            self.problems.append(f"{key}: expected true or false, got {value!r}")
            return bool(DEFAULTS[key])
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.get(key)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{key}: expected a whole number from {low} to {high}, got {value!r}")
            return int(DEFAULTS[key])
        if not low <= value <= high:
            self.problems.append(f"{key}: {value} is out of range; allowed is {low} to {high}")
        return value

    def revision(self, key: str, value: str) -> None:
        if not DNS_LABEL.match(value) or len(value) > MAX_REVISION_LENGTH:
            self.problems.append(
                f"{key}: {value!r} is not a valid Istio revision; it is the istio.io/rev label value and part "
                f"of object names (gm-iop-<revision>), so: lower-case letters, digits and '-', starting and "
                f"ending with a letter or digit, at most {MAX_REVISION_LENGTH} characters (like 1-17)"
            )

    def dns_label(self, key: str, value: str) -> None:
        if not DNS_LABEL.match(value):
            self.problems.append(
                f"{key}: {value!r} is not a DNS label (lower-case letters, digits and '-', "
                "starting and ending with a letter or digit, at most 63 characters)"
            )


def parse_settings(values: Mapping[str, Any]) -> Settings:
    """Validate raw config values and return typed settings; raise ConfigError naming each bad key."""
    r = _Reader(values)
    for key in sorted(set(values) - KNOWN_KEYS):
        r.problems.append(f"{key}: unknown config key; known keys are: {', '.join(sorted(KNOWN_KEYS))}")

    role = r.string("role")
    if role not in ROLES:
        r.problems.append(f"role: unknown role {role!r}; allowed are: {', '.join(ROLES)}")
    license_key = values.get("licenseKey")
    if role == "workload" and not license_key:  # absent, or the project default ""
        license_key = ""  # only the management plane uses the license: a fleet's workload stacks go without
    elif not isinstance(license_key, str) or not license_key.strip():
        r.problems.append(
            "licenseKey: missing; set it with `pulumi config set --secret licenseKey <your Gloo Mesh license>`"
        )
        license_key = ""

    platform = r.string("platform")
    if platform not in PLATFORMS:
        r.problems.append(f"platform: unknown platform {platform!r}; allowed are: {', '.join(PLATFORMS)}")

    mgmt_name = r.string("mgmtCluster")
    r.dns_label("mgmtCluster", mgmt_name)
    mgmt = ManagementCluster(
        name=mgmt_name,
        context=r.string("mgmtContext") or mgmt_name,
        kubeconfig=r.string("mgmtKubeconfig") or None,
    )

    names = r.string_list("workloadClusters")
    if not names:
        r.problems.append("workloadClusters: at least one workload cluster is required")
    for name in names:
        if name == "":
            r.problems.append("workloadClusters: a cluster name is empty")
        else:
            r.dns_label("workloadClusters", name)
    for name in sorted({n for n in names if names.count(n) > 1}):
        r.problems.append(f"workloadClusters: cluster name {name!r} is listed more than once")

    stack_cluster = r.string("workloadCluster")
    # A workload stack may give its own cluster's entry alone (it reaches no other workload cluster).
    own = names.index(stack_cluster) if role == "workload" and stack_cluster in names else None
    # An empty context means the cluster's own name.
    contexts = [c or n for c, n in zip(_per_cluster(r, "workloadContexts", names, own) or names, names,
                                       strict=False)]
    kubeconfigs = _per_cluster(r, "workloadKubeconfigs", names, own) or [""] * len(names)
    reviews = _reviews_versions(r, names, own)
    for ctx in sorted({c for c in contexts if contexts.count(c) > 1}):
        r.problems.append(
            f"workloadContexts: context {ctx!r} is used by more than one workload cluster; "
            "each workload cluster needs its own context"
        )
    clusters = tuple(
        WorkloadCluster(name=n, context=c or n, kubeconfig=k or None, reviews_versions=v)
        for n, c, k, v in zip(names, contexts, kubeconfigs, reviews, strict=False)
    )
    for cluster in clusters:
        if cluster.name == mgmt.name and cluster.context != mgmt.context:
            r.problems.append(
                f"mgmtContext: the management cluster {mgmt.name!r} is also a workload cluster, so "
                f"mgmtContext ({mgmt.context!r}) must equal its workloadContexts entry ({cluster.context!r})"
            )
        if cluster.name != mgmt.name and cluster.context == mgmt.context:
            r.problems.append(
                f"mgmtCluster: context {mgmt.context!r} is both the management cluster {mgmt.name!r} and the "
                f"workload cluster {cluster.name!r}; to run both on one cluster set mgmtCluster to {cluster.name!r}"
            )

    versions = Versions(
        gloo_mesh=r.string("glooMeshVersion"),
        enterprise_repo=r.string("glooMeshEnterpriseRepo"),
        agent_repo=r.string("glooMeshAgentRepo"),
        istio_revision=r.string("istioRevision"),
        istio_hub=r.string("istioHub"),
        istio_tag=r.string("istioTag"),
        istio_canary_revision=r.string("istioCanaryRevision") or None,
        istio_canary_tag=r.string("istioCanaryTag") or None,
    )
    if not SEMVER.match(versions.gloo_mesh):
        r.problems.append(f"glooMeshVersion: {versions.gloo_mesh!r} is not a version like 2.2.6")
    r.revision("istioRevision", versions.istio_revision)
    _canary_problems(r, versions)
    for key, repo in (("glooMeshEnterpriseRepo", versions.enterprise_repo), ("glooMeshAgentRepo", versions.agent_repo)):
        if not re.match(r"^(https?|oci)://\S+$", repo):
            r.problems.append(f"{key}: {repo!r} is not a chart repository URL (https://, http:// or oci://)")
    for key, value in (("istioHub", versions.istio_hub), ("istioTag", versions.istio_tag)):
        if not value.strip():
            r.problems.append(f"{key}: must not be empty")

    requested = r.string_list("features")
    r.problems.extend(feature_errors(requested, "features"))

    httpbin_cluster = _cluster_choice(r, "httpbinCluster", names)
    config_cluster = _cluster_choice(r, "configCluster", names)
    weight = r.integer("externalServiceWeight", 0, 100)
    timeout = r.integer("helmTimeoutSeconds", *HELM_TIMEOUT_RANGE)
    auto_restart = r.boolean("autoRestartPods")
    protect = r.boolean("protectPlatform")
    upsert = r.boolean("upsertExistingObjects")
    management_stack = _fleet_role(r, role, stack_cluster, names, mgmt.name)
    if role in FLEET_ROLES and "keycloak" in requested and names and httpbin_cluster != names[0]:
        r.problems.append(
            f"httpbinCluster: with role {role} and keycloak, httpbin must run on the first workload cluster "
            f"{names[0]!r}: Keycloak's redirect URIs use that cluster's gateway address, so Keycloak, the OAuth "
            "objects and that gateway belong to one stack"
        )
    relay_trust = r.string("relayTrust")
    if relay_trust not in RELAY_TRUST_MODES:
        r.problems.append(
            f"relayTrust: unknown mode {relay_trust!r}; allowed are: {', '.join(RELAY_TRUST_MODES)}")
    rotation = r.integer("credentialsRotation", *CREDENTIALS_ROTATION_RANGE)
    validity = r.integer("gatewayCertValidityHours", *CERT_VALIDITY_RANGE)
    early_renewal = r.integer("gatewayCertEarlyRenewalHours", 0, CERT_VALIDITY_RANGE[1])
    if CERT_VALIDITY_RANGE[0] <= validity <= CERT_VALIDITY_RANGE[1] and early_renewal >= validity:
        r.problems.append(
            f"gatewayCertEarlyRenewalHours: {early_renewal} is not less than gatewayCertValidityHours ({validity}); "
            "the certificate would be due for renewal as soon as it is issued"
        )

    if r.problems:
        raise ConfigError(r.problems)
    return Settings(
        platform=platform,
        mgmt=mgmt,
        workload_clusters=clusters,
        versions=versions,
        features=frozenset(requested),
        httpbin_cluster=httpbin_cluster,
        config_cluster=config_cluster,
        external_service_weight=weight,
        auto_restart_pods=auto_restart,
        helm_timeout_seconds=timeout,
        protect_platform=protect,
        upsert_existing_objects=upsert,
        license_key=license_key,
        role=role,
        management_stack=management_stack,
        stack_cluster=stack_cluster,
        relay_trust=relay_trust,
        credentials_rotation=rotation,
        gateway_cert_validity_hours=validity,
        gateway_cert_early_renewal_hours=early_renewal,
    )


def _canary_problems(r: _Reader, versions: Versions) -> None:
    """A canary is a second, different revision with its own image tag; a tag alone installs nothing."""
    canary, tag = versions.istio_canary_revision, versions.istio_canary_tag
    if canary is None:
        if tag is not None:
            r.problems.append(
                f"istioCanaryTag: {tag!r} is set without istioCanaryRevision; a canary tag needs the canary "
                "revision it installs (set both, or neither)"
            )
        return
    r.revision("istioCanaryRevision", canary)
    if canary == versions.istio_revision:
        r.problems.append(
            f"istioCanaryRevision: {canary!r} is the active revision (istioRevision); a canary is a second "
            "revision beside it, so it needs another name (like 1-18)"
        )
    if tag is None:
        r.problems.append(
            f"istioCanaryTag: missing; istioCanaryRevision {canary!r} needs the image tag it installs "
            "(like 1.18.2-solo)"
        )


def _fleet_role(r: _Reader, role: str, stack_cluster: str, names: list[str], mgmt_name: str) -> str:
    """Check the keys of a fleet's stacks (management, workload); return `managementStack`."""
    management_stack = r.string("managementStack")
    if role == "workload":
        if not management_stack:
            r.problems.append("managementStack: required with role workload: the fully qualified management stack "
                              "(<organization>/<project>/<stack>) this stack reads through a StackReference")
        elif not QUALIFIED_STACK.match(management_stack):
            r.problems.append(f"managementStack: {management_stack!r} is not a fully qualified stack name "
                              "(<organization>/<project>/<stack>)")
        if not stack_cluster:
            r.problems.append(f"workloadCluster: required with role workload: the one workload cluster this stack "
                              f"deploys, one of: {', '.join(names)}")
        elif stack_cluster not in names:
            r.problems.append(f"workloadCluster: {stack_cluster!r} is not in workloadClusters; allowed are: "
                              f"{', '.join(names)}")
    else:
        if management_stack:
            r.problems.append(f"managementStack: only a workload stack reads the management stack (role is {role})")
        if stack_cluster:
            r.problems.append(f"workloadCluster: only a workload stack names its one cluster (role is {role}); "
                              "the clusters of the estate are workloadClusters")
    if role in FLEET_ROLES and mgmt_name in names:
        r.problems.append(f"mgmtCluster: with role {role}, the management cluster {mgmt_name!r} cannot also be a "
                          "workload cluster: the management stack alone deploys on it (use role all for that case)")
    return management_stack


def _per_cluster(r: _Reader, key: str, names: list[str], own: int | None) -> list[str]:
    """One entry per workload cluster; or, in a workload stack (`own` is its index), its one entry."""
    values = r.string_list(key)
    if own is not None and len(values) == 1 and len(names) > 1:
        return [values[0] if i == own else "" for i in range(len(names))]
    if values and len(values) != len(names):
        r.problems.append(
            f"{key}: has {len(values)} entries but workloadClusters has {len(names)}; "
            "give one entry per workload cluster, in the same order, or leave it empty"
            + (" (a workload stack may give its own cluster's entry alone)" if own is not None else "")
        )
        return []
    return values


def _reviews_versions(r: _Reader, names: list[str], own: int | None) -> list[tuple[str, ...]]:
    """The workshop's default: the first workload cluster runs reviews v1+v2, the others v1+v2+v3.

    A workload stack (`own` is its cluster's index) may give its own cluster's entry alone.
    """
    default = [REVIEWS_VERSIONS[:2] if i == 0 else REVIEWS_VERSIONS for i in range(len(names))]
    value = r.get("reviewsVersions")
    if value == []:
        return default
    allowed = f"one list per workload cluster of versions from {', '.join(REVIEWS_VERSIONS)}"
    if not isinstance(value, list) or not all(isinstance(v, list) for v in value):
        r.problems.append(f"reviewsVersions: expected {allowed}, got {value!r}")
        return default
    if own is not None and len(value) == 1 and len(names) > 1:
        value = [value[0] if i == own else list(default[i]) for i in range(len(names))]
    if len(value) != len(names):
        r.problems.append(
            f"reviewsVersions: has {len(value)} entries but workloadClusters has {len(names)}; expected {allowed}"
        )
        return default
    result = []
    for name, versions in zip(names, value, strict=True):
        bad = [v for v in versions if v not in REVIEWS_VERSIONS]
        if not versions or bad or len(set(versions)) != len(versions):
            r.problems.append(f"reviewsVersions: {versions!r} for cluster {name!r} is not allowed; expected {allowed}, "
                              "each at most once and at least one")
        result.append(tuple(versions))
    return result


def _cluster_choice(r: _Reader, key: str, names: list[str]) -> str:
    value = r.string(key)
    if value == "":
        return names[0] if names else ""
    if value not in names:
        r.problems.append(f"{key}: {value!r} is not a workload cluster; allowed are: {', '.join(names)}")
    return value


def load_settings() -> Settings:
    """Read this stack's config from the Pulumi runtime and validate it (no resources registered)."""
    import pulumi

    values: dict[str, Any] = {}
    for key in sorted(KNOWN_KEYS):
        raw = pulumi.runtime.get_config(f"{PROJECT}:{key}")
        if raw is None:
            continue
        values[key] = decode_value(key, raw)
    # Keys this program does not know are a typo more often than not: report them too. The CLI
    # hands the stack's config to the program in PULUMI_CONFIG; tests and tools set it directly.
    full_keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.config.get_config_env())
    for full_key in sorted(full_keys):
        namespace, _, key = full_key.partition(":")
        if namespace == PROJECT and key not in KNOWN_KEYS:
            values[key] = pulumi.runtime.get_config(full_key)
    return parse_settings(values)


def decode_value(key: str, raw: Any) -> Any:
    """A value as Pulumi hands it to the program (a string) made what `parse_settings` reads: list keys
    are JSON."""
    if not isinstance(raw, str) or key not in LIST_KEYS:
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw  # reported by parse_settings as "expected a list"
