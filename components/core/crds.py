"""Typed layer over the custom resources the workshop applies.

One class per kind, over `kubernetes.apiextensions.CustomResource`, with apiVersion and kind fixed
and the spec's top-level fields declared as a `TypedDict`. A spec field the kind does not have is
rejected when the object is built, naming the kind, the object and the field, instead of being
accepted by the API server and silently ignored by Gloo.

Manifests are plain dicts built by pure functions (`manifest`), so labs can be unit-tested without
Pulumi; `emit` turns one into a resource of the right class.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar, TypedDict, get_type_hints

import pulumi
import pulumi_kubernetes as k8s

Json = Any  # a JSON-shaped value; may hold pulumi Outputs where a value is only known after deploy


class ObjectRef(TypedDict, total=False):
    name: str
    namespace: str
    cluster: str


class Selector(TypedDict, total=False):
    name: str
    namespace: str
    cluster: str
    workspace: str
    labels: dict[str, str]


# Specs: the top-level fields of each kind's spec (Gloo Platform 2.2 API) ------------------------
class KubernetesClusterSpec(TypedDict, total=False):
    clusterDomain: str


class WorkspaceSpec(TypedDict, total=False):
    workloadClusters: list[Json]


class WorkspaceSettingsSpec(TypedDict, total=False):
    importFrom: list[Json]
    exportTo: list[Json]
    options: Json


class LifecycleManagerSpec(TypedDict, total=False):
    installations: list[Json]


class RootTrustPolicySpec(TypedDict, total=False):
    config: Json


class ServerRefSpec(TypedDict, total=False):
    destinationServer: Json


class RateLimitServerConfigSpec(TypedDict, total=False):
    destinationServers: list[Json]
    raw: Json


class RateLimitClientConfigSpec(TypedDict, total=False):
    raw: Json


class VirtualGatewaySpec(TypedDict, total=False):
    workloads: list[Json]
    listeners: list[Json]


class RouteTableSpec(TypedDict, total=False):
    hosts: list[str]
    virtualGateways: list[ObjectRef]
    workloadSelectors: list[Json]
    defaultDestination: Json
    http: list[Json]
    tcp: list[Json]
    tls: list[Json]
    weight: int


class VirtualDestinationSpec(TypedDict, total=False):
    hosts: list[str]
    services: list[Json]
    externalServices: list[Json]
    ports: list[Json]


class ExternalServiceSpec(TypedDict, total=False):
    hosts: list[str]
    addresses: list[str]
    ports: list[Json]
    selector: Json


class ExternalEndpointSpec(TypedDict, total=False):
    address: str
    ports: list[Json]


class RoutePolicySpec(TypedDict, total=False):
    applyToRoutes: list[Json]
    config: Json


class DestinationPolicySpec(TypedDict, total=False):
    applyToDestinations: list[Json]
    config: Json


class NetworkAttachmentDefinitionSpec(TypedDict, total=False):
    config: str


class CustomResourceKind(k8s.apiextensions.CustomResource):
    """Base of every typed kind; subclasses fix API_VERSION, KIND, SPEC and PLURAL."""

    API_VERSION: ClassVar[str]
    KIND: ClassVar[str]
    SPEC: ClassVar[type]
    #: The resource name in the API path and in RBAC rules (the CRD's `spec.names.plural`).
    PLURAL: ClassVar[str]

    def __init__(
        self,
        resource_name: str,
        metadata: Mapping[str, Json],
        spec: Mapping[str, Json] | None,
        opts: pulumi.ResourceOptions,
    ) -> None:
        check_spec(type(self), metadata.get("name", resource_name), spec)
        super().__init__(
            resource_name,
            api_version=self.API_VERSION,
            kind=self.KIND,
            metadata=dict(metadata),
            spec=dict(spec) if spec is not None else None,
            opts=opts,
        )

    @classmethod
    def manifest(
        cls,
        name: str,
        namespace: str | None,
        spec: Mapping[str, Json] | None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> dict[str, Json]:
        """The object as a plain dict, checked like the resource would be."""
        check_spec(cls, name, spec)
        metadata: dict[str, Json] = {"name": name}
        if namespace is not None:
            metadata["namespace"] = namespace
        if labels:
            metadata["labels"] = dict(labels)
        if annotations:
            metadata["annotations"] = dict(annotations)
        doc: dict[str, Json] = {"apiVersion": cls.API_VERSION, "kind": cls.KIND, "metadata": metadata}
        if spec is not None:
            doc["spec"] = dict(spec)
        return doc


@functools.cache
def spec_fields(kind: type[CustomResourceKind]) -> frozenset[str]:
    """The spec's top-level fields of a kind (resolving the TypedDict's annotations once per kind)."""
    return frozenset(get_type_hints(kind.SPEC))


def check_spec(kind: type[CustomResourceKind], name: str, spec: Mapping[str, Json] | None) -> None:
    if spec is None:
        return
    allowed = spec_fields(kind)
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise TypeError(
            f"{kind.KIND} {name!r}: unknown spec field(s) {', '.join(unknown)}; "
            f"{kind.KIND} has {', '.join(sorted(allowed))}"
        )


def _kind(api_version: str, kind: str, spec: type, plural: str) -> type[CustomResourceKind]:
    return type(kind, (CustomResourceKind,), {"API_VERSION": api_version, "KIND": kind, "SPEC": spec,
                                               "PLURAL": plural,
                                               "__doc__": f"{api_version} {kind}", "__module__": __name__})


ADMIN = "admin.gloo.solo.io/v2"
NETWORKING = "networking.gloo.solo.io/v2"
RESILIENCE = "resilience.policy.gloo.solo.io/v2"
SECURITY = "security.policy.gloo.solo.io/v2"
TRAFFIC = "trafficcontrol.policy.gloo.solo.io/v2"

KubernetesCluster = _kind(ADMIN, "KubernetesCluster", KubernetesClusterSpec, "kubernetesclusters")
Workspace = _kind(ADMIN, "Workspace", WorkspaceSpec, "workspaces")
WorkspaceSettings = _kind(ADMIN, "WorkspaceSettings", WorkspaceSettingsSpec, "workspacesettings")
IstioLifecycleManager = _kind(ADMIN, "IstioLifecycleManager", LifecycleManagerSpec, "istiolifecyclemanagers")
GatewayLifecycleManager = _kind(ADMIN, "GatewayLifecycleManager", LifecycleManagerSpec, "gatewaylifecyclemanagers")
RootTrustPolicy = _kind(ADMIN, "RootTrustPolicy", RootTrustPolicySpec, "roottrustpolicies")
ExtAuthServer = _kind(ADMIN, "ExtAuthServer", ServerRefSpec, "extauthservers")
RateLimitServerSettings = _kind(ADMIN, "RateLimitServerSettings", ServerRefSpec, "ratelimitserversettings")
RateLimitServerConfig = _kind(ADMIN, "RateLimitServerConfig", RateLimitServerConfigSpec, "ratelimitserverconfigs")
VirtualGateway = _kind(NETWORKING, "VirtualGateway", VirtualGatewaySpec, "virtualgateways")
RouteTable = _kind(NETWORKING, "RouteTable", RouteTableSpec, "routetables")
VirtualDestination = _kind(NETWORKING, "VirtualDestination", VirtualDestinationSpec, "virtualdestinations")
ExternalService = _kind(NETWORKING, "ExternalService", ExternalServiceSpec, "externalservices")
ExternalEndpoint = _kind(NETWORKING, "ExternalEndpoint", ExternalEndpointSpec, "externalendpoints")
FaultInjectionPolicy = _kind(RESILIENCE, "FaultInjectionPolicy", RoutePolicySpec, "faultinjectionpolicies")
RetryTimeoutPolicy = _kind(RESILIENCE, "RetryTimeoutPolicy", RoutePolicySpec, "retrytimeoutpolicies")
FailoverPolicy = _kind(RESILIENCE, "FailoverPolicy", DestinationPolicySpec, "failoverpolicies")
OutlierDetectionPolicy = _kind(RESILIENCE, "OutlierDetectionPolicy", DestinationPolicySpec, "outlierdetectionpolicies")
AccessPolicy = _kind(SECURITY, "AccessPolicy", DestinationPolicySpec, "accesspolicies")
ExtAuthPolicy = _kind(SECURITY, "ExtAuthPolicy", RoutePolicySpec, "extauthpolicies")
JWTPolicy = _kind(SECURITY, "JWTPolicy", RoutePolicySpec, "jwtpolicies")
WAFPolicy = _kind(SECURITY, "WAFPolicy", RoutePolicySpec, "wafpolicies")
RateLimitClientConfig = _kind(TRAFFIC, "RateLimitClientConfig", RateLimitClientConfigSpec, "ratelimitclientconfigs")
RateLimitPolicy = _kind(TRAFFIC, "RateLimitPolicy", RoutePolicySpec, "ratelimitpolicies")
TransformationPolicy = _kind(TRAFFIC, "TransformationPolicy", RoutePolicySpec, "transformationpolicies")
NetworkAttachmentDefinition = _kind("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition",
                                    NetworkAttachmentDefinitionSpec, "network-attachment-definitions")

KINDS: dict[str, type[CustomResourceKind]] = {
    k.KIND: k
    for k in (
        KubernetesCluster, Workspace, WorkspaceSettings, IstioLifecycleManager, GatewayLifecycleManager,
        RootTrustPolicy, ExtAuthServer, RateLimitServerSettings, RateLimitServerConfig, VirtualGateway,
        RouteTable, VirtualDestination, ExternalService, ExternalEndpoint, FaultInjectionPolicy,
        RetryTimeoutPolicy, FailoverPolicy, OutlierDetectionPolicy, AccessPolicy, ExtAuthPolicy, JWTPolicy,
        WAFPolicy, RateLimitClientConfig, RateLimitPolicy, TransformationPolicy, NetworkAttachmentDefinition,
    )
}


def emit(resource_name: str, manifest: Mapping[str, Json], opts: pulumi.ResourceOptions) -> CustomResourceKind:
    """Declare the resource a manifest (from `manifest`) describes, as an instance of its kind's class."""
    kind = KINDS[manifest["kind"]]
    if manifest["apiVersion"] != kind.API_VERSION:
        raise TypeError(f"{manifest['kind']}: apiVersion {manifest['apiVersion']!r} is not {kind.API_VERSION!r}")
    return kind(resource_name, manifest["metadata"], manifest.get("spec"), opts)
