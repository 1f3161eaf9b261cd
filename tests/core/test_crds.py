"""The typed CRD layer: one class per kind, apiVersion and kind fixed, spec fields checked."""

from __future__ import annotations

import pytest

from components.core import crds

# Every kind the workshop applies, with the apiVersion its manifests use.
WORKSHOP_KINDS = {
    "ExtAuthServer": "admin.gloo.solo.io/v2",
    "GatewayLifecycleManager": "admin.gloo.solo.io/v2",
    "IstioLifecycleManager": "admin.gloo.solo.io/v2",
    "KubernetesCluster": "admin.gloo.solo.io/v2",
    "RateLimitServerConfig": "admin.gloo.solo.io/v2",
    "RateLimitServerSettings": "admin.gloo.solo.io/v2",
    "RootTrustPolicy": "admin.gloo.solo.io/v2",
    "Workspace": "admin.gloo.solo.io/v2",
    "WorkspaceSettings": "admin.gloo.solo.io/v2",
    "NetworkAttachmentDefinition": "k8s.cni.cncf.io/v1",
    "ExternalEndpoint": "networking.gloo.solo.io/v2",
    "ExternalService": "networking.gloo.solo.io/v2",
    "RouteTable": "networking.gloo.solo.io/v2",
    "VirtualDestination": "networking.gloo.solo.io/v2",
    "VirtualGateway": "networking.gloo.solo.io/v2",
    "FailoverPolicy": "resilience.policy.gloo.solo.io/v2",
    "FaultInjectionPolicy": "resilience.policy.gloo.solo.io/v2",
    "OutlierDetectionPolicy": "resilience.policy.gloo.solo.io/v2",
    "RetryTimeoutPolicy": "resilience.policy.gloo.solo.io/v2",
    "AccessPolicy": "security.policy.gloo.solo.io/v2",
    "ExtAuthPolicy": "security.policy.gloo.solo.io/v2",
    "JWTPolicy": "security.policy.gloo.solo.io/v2",
    "WAFPolicy": "security.policy.gloo.solo.io/v2",
    "RateLimitClientConfig": "trafficcontrol.policy.gloo.solo.io/v2",
    "RateLimitPolicy": "trafficcontrol.policy.gloo.solo.io/v2",
    "TransformationPolicy": "trafficcontrol.policy.gloo.solo.io/v2",
}


def test_one_class_per_workshop_kind_with_its_api_version() -> None:
    assert {kind: cls.API_VERSION for kind, cls in crds.KINDS.items()} == WORKSHOP_KINDS
    for kind, cls in crds.KINDS.items():
        assert cls.KIND == kind and issubclass(cls, crds.CustomResourceKind)


def test_manifest_fixes_api_version_and_kind() -> None:
    doc = crds.RouteTable.manifest("main", "istio-gateways", {"hosts": ["*"]}, labels={"expose": "true"})
    assert doc == {
        "apiVersion": "networking.gloo.solo.io/v2",
        "kind": "RouteTable",
        "metadata": {"name": "main", "namespace": "istio-gateways", "labels": {"expose": "true"}},
        "spec": {"hosts": ["*"]},
    }


def test_unknown_spec_field_is_rejected_with_kind_name_and_field() -> None:
    with pytest.raises(TypeError) as caught:
        crds.ExtAuthPolicy.manifest("httpbin", "httpbin", {"applyToRoute": [], "config": {}})
    message = str(caught.value)
    assert message.startswith("ExtAuthPolicy 'httpbin': unknown spec field(s) applyToRoute;")
    assert "applyToRoutes" in message


def test_emit_rejects_a_manifest_of_the_wrong_api_version() -> None:
    doc = crds.Workspace.manifest("bookinfo", "gloo-mesh", {})
    doc["apiVersion"] = "admin.gloo.solo.io/v1"
    with pytest.raises(TypeError, match="apiVersion 'admin.gloo.solo.io/v1' is not 'admin.gloo.solo.io/v2'"):
        crds.emit("x", doc, None)  # type: ignore[arg-type]


def test_every_kind_names_its_api_resource() -> None:
    # The CRDs' `spec.names.plural`: RBAC rules and API paths use it, not the kind.
    special = {"WorkspaceSettings": "workspacesettings", "RateLimitServerSettings": "ratelimitserversettings",
               "VirtualGateway": "virtualgateways", "NetworkAttachmentDefinition": "network-attachment-definitions"}
    for kind, cls in crds.KINDS.items():
        if kind in special:
            assert cls.PLURAL == special[kind]
        elif kind.endswith("Policy"):
            assert cls.PLURAL == kind.lower()[:-1] + "ies"
        else:
            assert cls.PLURAL == kind.lower() + "s", kind
