"""The typed settings a valid config becomes (`parse_settings`); the license never shows in a repr."""

from __future__ import annotations

from dataclasses import dataclass, field

from .keys import RELAY_TRUST_MANAGED


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
    #: `all`, `management` or `workload` (see `declares_estate` and `declares_cluster`).
    role: str
    #: A workload stack: the management stack it reads (`<organization>/<project>/<stack>`), else "".
    management_stack: str
    #: A workload stack: the one workload cluster it deploys, else "".
    stack_cluster: str
    #: RELAY_TRUST_GENERATED or RELAY_TRUST_MANAGED (keys.py).
    relay_trust: str

    @property
    def openshift(self) -> bool:
        return self.platform == "openshift"

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
    def declares_estate(self) -> bool:
        """Whether this stack declares what concerns the whole estate: the management plane, the
        Workspaces, the root trust policy, the shared gateway certificate."""
        return self.role in ("all", "management")

    def declares_cluster(self, name: str) -> bool:
        """Whether this stack declares a workload cluster's chain (registration → agent → Istio
        lifecycle → apps) and the objects applied on that cluster."""
        return self.role == "all" or (self.role == "workload" and self.stack_cluster == name)
