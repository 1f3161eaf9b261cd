"""`parse_settings`: raw config values in, `Settings` out, or a `ConfigError` listing every problem.

Pure: it runs before any resource is registered, in the program and in every tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..features import feature_errors
from . import validators
from .keys import (
    CERT_VALIDITY_RANGE,
    CREDENTIALS_ROTATION_RANGE,
    FLEET_ROLES,
    HELM_TIMEOUT_RANGE,
    KNOWN_KEYS,
    PLATFORMS,
    QUALIFIED_STACK,
    RELAY_TRUST_MODES,
    REVIEWS_VERSIONS,
    ROLES,
)
from .problems import ConfigError, InvalidJson, Reader
from .settings import ManagementCluster, Settings, Versions, WorkloadCluster


def parse_settings(values: Mapping[str, Any]) -> Settings:
    """Validate raw config values and return typed settings; raise ConfigError naming each bad key."""
    r = Reader(values)
    for key in sorted(set(values) - KNOWN_KEYS):
        r.add(f"{key}: unknown config key; known keys are: {', '.join(sorted(KNOWN_KEYS))}")
    role = _choice(r, "role", ROLES, "role")
    license_key = _license(r, role)
    platform = _choice(r, "platform", PLATFORMS, "platform")
    mgmt = _management_cluster(r)
    names = _workload_names(r)
    stack_cluster = r.string("workloadCluster")
    clusters = _workload_clusters(r, names, mgmt, role, stack_cluster)
    versions = _versions(r)
    requested = r.string_list("features")
    r.extend(feature_errors(requested, "features"))
    httpbin_cluster = _cluster_choice(r, "httpbinCluster", names)
    management_stack = _fleet_role(r, role, stack_cluster, names, mgmt.name)
    _fleet_keycloak(r, role, requested, names, httpbin_cluster)
    relay_trust = _choice(r, "relayTrust", RELAY_TRUST_MODES, "mode")
    validity, early_renewal = _gateway_certificate(r)
    settings = dict(
        platform=platform, mgmt=mgmt, workload_clusters=clusters, versions=versions,
        features=frozenset(requested), httpbin_cluster=httpbin_cluster,
        config_cluster=_cluster_choice(r, "configCluster", names),
        external_service_weight=r.integer("externalServiceWeight", 0, 100),
        auto_restart_pods=r.boolean("autoRestartPods"),
        helm_timeout_seconds=r.integer("helmTimeoutSeconds", *HELM_TIMEOUT_RANGE),
        protect_platform=r.boolean("protectPlatform"),
        upsert_existing_objects=r.boolean("upsertExistingObjects"),
        license_key=license_key, role=role, management_stack=management_stack, stack_cluster=stack_cluster,
        relay_trust=relay_trust,
        credentials_rotation=r.integer("credentialsRotation", *CREDENTIALS_ROTATION_RANGE),
        gateway_cert_validity_hours=validity, gateway_cert_early_renewal_hours=early_renewal,
    )
    if r:
        raise ConfigError(r.problems)
    return Settings(**settings)


def _choice(r: Reader, key: str, allowed: tuple[str, ...], what: str) -> str:
    value = r.string(key)
    if value not in allowed:
        r.add(f"{key}: unknown {what} {value!r}; allowed are: {', '.join(allowed)}")
    return value


def _license(r: Reader, role: str) -> str:
    license_key = r.values.get("licenseKey")
    if role == "workload" and not license_key:  # absent, or the project default ""
        return ""  # only the management plane uses the license: a fleet's workload stacks go without
    if not isinstance(license_key, str) or not license_key.strip():
        r.add("licenseKey: missing; set it with `pulumi config set --secret licenseKey` "
              "(it reads the license from standard input)")
        return ""
    return license_key


def _management_cluster(r: Reader) -> ManagementCluster:
    name = r.string("mgmtCluster")
    validators.dns_label(r, "mgmtCluster", name)
    return ManagementCluster(name=name, context=r.string("mgmtContext") or name,
                             kubeconfig=r.string("mgmtKubeconfig") or None)


def _workload_names(r: Reader) -> list[str]:
    names = r.string_list("workloadClusters")
    if not names:
        r.add("workloadClusters: at least one workload cluster is required")
    for name in names:
        if name == "":
            r.add("workloadClusters: a cluster name is empty")
        else:
            validators.dns_label(r, "workloadClusters", name)
    for name in sorted({n for n in names if names.count(n) > 1}):
        r.add(f"workloadClusters: cluster name {name!r} is listed more than once")
    return names


def _workload_clusters(r: Reader, names: list[str], mgmt: ManagementCluster, role: str,
                       stack_cluster: str) -> tuple[WorkloadCluster, ...]:
    # A workload stack may give its own cluster's entry alone (it reaches no other workload cluster).
    own = names.index(stack_cluster) if role == "workload" and stack_cluster in names else None
    # An empty context means the cluster's own name.
    contexts = [c or n for c, n in zip(_per_cluster(r, "workloadContexts", names, own) or names, names,
                                       strict=False)]
    kubeconfigs = _per_cluster(r, "workloadKubeconfigs", names, own) or [""] * len(names)
    reviews = _reviews_versions(r, names, own)
    for ctx in sorted({c for c in contexts if contexts.count(c) > 1}):
        r.add(f"workloadContexts: context {ctx!r} is used by more than one workload cluster; "
              "each workload cluster needs its own context")
    clusters = tuple(
        WorkloadCluster(name=n, context=c or n, kubeconfig=k or None, reviews_versions=v)
        for n, c, k, v in zip(names, contexts, kubeconfigs, reviews, strict=False)
    )
    for cluster in clusters:
        _shared_context(r, cluster, mgmt)
    return clusters


def _shared_context(r: Reader, cluster: WorkloadCluster, mgmt: ManagementCluster) -> None:
    """One cluster is one context: the management cluster as a workload cluster keeps its context."""
    if cluster.name == mgmt.name and cluster.context != mgmt.context:
        r.add(f"mgmtContext: the management cluster {mgmt.name!r} is also a workload cluster, so "
              f"mgmtContext ({mgmt.context!r}) must equal its workloadContexts entry ({cluster.context!r})")
    if cluster.name != mgmt.name and cluster.context == mgmt.context:
        r.add(f"mgmtCluster: context {mgmt.context!r} is both the management cluster {mgmt.name!r} and the "
              f"workload cluster {cluster.name!r}; to run both on one cluster set mgmtCluster to {cluster.name!r}")


def _versions(r: Reader) -> Versions:
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
    validators.versions(r, versions)
    return versions


def _fleet_role(r: Reader, role: str, stack_cluster: str, names: list[str], mgmt_name: str) -> str:
    """Check the keys of a fleet's stacks (management, workload); return `managementStack`."""
    management_stack = r.string("managementStack")
    if role == "workload":
        _workload_stack(r, management_stack, stack_cluster, names)
    else:
        if management_stack:
            r.add(f"managementStack: only a workload stack reads the management stack (role is {role})")
        if stack_cluster:
            r.add(f"workloadCluster: only a workload stack names its one cluster (role is {role}); "
                  "the clusters of the estate are workloadClusters")
    if role in FLEET_ROLES and mgmt_name in names:
        r.add(f"mgmtCluster: with role {role}, the management cluster {mgmt_name!r} cannot also be a "
              "workload cluster: the management stack alone deploys on it (use role all for that case)")
    return management_stack


def _workload_stack(r: Reader, management_stack: str, stack_cluster: str, names: list[str]) -> None:
    if not management_stack:
        r.add("managementStack: required with role workload: the fully qualified management stack "
              "(<organization>/<project>/<stack>) this stack reads through a StackReference")
    elif not QUALIFIED_STACK.fullmatch(management_stack):
        r.add(f"managementStack: {management_stack!r} is not a fully qualified stack name "
              "(<organization>/<project>/<stack>)")
    if not stack_cluster:
        r.add(f"workloadCluster: required with role workload: the one workload cluster this stack "
              f"deploys, one of: {', '.join(names)}")
    elif stack_cluster not in names:
        r.add(f"workloadCluster: {stack_cluster!r} is not in workloadClusters; allowed are: {', '.join(names)}")


def _fleet_keycloak(r: Reader, role: str, requested: list[str], names: list[str], httpbin_cluster: str) -> None:
    if role in FLEET_ROLES and "keycloak" in requested and names and httpbin_cluster != names[0]:
        r.add(f"httpbinCluster: with role {role} and keycloak, httpbin must run on the first workload cluster "
              f"{names[0]!r}: Keycloak's redirect URIs use that cluster's gateway address, so Keycloak, the OAuth "
              "objects and that gateway belong to one stack")


def _gateway_certificate(r: Reader) -> tuple[int, int]:
    validity = r.integer("gatewayCertValidityHours", *CERT_VALIDITY_RANGE)
    early_renewal = r.integer("gatewayCertEarlyRenewalHours", 0, CERT_VALIDITY_RANGE[1])
    if CERT_VALIDITY_RANGE[0] <= validity <= CERT_VALIDITY_RANGE[1] and early_renewal >= validity:
        r.add(f"gatewayCertEarlyRenewalHours: {early_renewal} is not less than gatewayCertValidityHours "
              f"({validity}); the certificate would be due for renewal as soon as it is issued")
    return validity, early_renewal


def _per_cluster(r: Reader, key: str, names: list[str], own: int | None) -> list[str]:
    """One entry per workload cluster; or, in a workload stack (`own` is its index), its one entry."""
    values = r.string_list(key)
    if own is not None and len(values) == 1 and len(names) > 1:
        return [values[0] if i == own else "" for i in range(len(names))]
    if values and len(values) != len(names):
        r.add(f"{key}: has {len(values)} entries but workloadClusters has {len(names)}; "
              "give one entry per workload cluster, in the same order, or leave it empty"
              + (" (a workload stack may give its own cluster's entry alone)" if own is not None else ""))
        return []
    return values


def _reviews_versions(r: Reader, names: list[str], own: int | None) -> list[tuple[str, ...]]:
    """The workshop's default: the first workload cluster runs reviews v1+v2, the others v1+v2+v3.

    A workload stack (`own` is its cluster's index) may give its own cluster's entry alone.
    """
    default = [REVIEWS_VERSIONS[:2] if i == 0 else REVIEWS_VERSIONS for i in range(len(names))]
    value = r.get("reviewsVersions")
    if value == []:
        return default
    allowed = f"one list per workload cluster of versions from {', '.join(REVIEWS_VERSIONS)}"
    if isinstance(value, InvalidJson):
        r.invalid_json("reviewsVersions", value, f'{allowed} like [["v1", "v2"], ["v1", "v2", "v3"]]')
        return default
    if not isinstance(value, list) or not all(isinstance(v, list) for v in value):
        r.add(f"reviewsVersions: expected {allowed}, got {value!r}")
        return default
    if own is not None and len(value) == 1 and len(names) > 1:
        value = [value[0] if i == own else list(default[i]) for i in range(len(names))]
    if len(value) != len(names):
        r.add(f"reviewsVersions: has {len(value)} entries but workloadClusters has {len(names)}; expected {allowed}")
        return default
    return [_reviews_of(r, name, versions, allowed) for name, versions in zip(names, value, strict=True)]


def _reviews_of(r: Reader, name: str, versions: list[Any], allowed: str) -> tuple[str, ...]:
    bad = [v for v in versions if v not in REVIEWS_VERSIONS]
    if not versions or bad or len(set(versions)) != len(versions):
        r.add(f"reviewsVersions: {versions!r} for cluster {name!r} is not allowed; expected {allowed}, "
              "each at most once and at least one")
    return tuple(versions)


def _cluster_choice(r: Reader, key: str, names: list[str]) -> str:
    value = r.string(key)
    if value == "":
        return names[0] if names else ""
    if value not in names:
        r.add(f"{key}: {value!r} is not a workload cluster; allowed are: {', '.join(names)}")
    return value
