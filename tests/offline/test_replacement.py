"""The replacement table: what makes `pulumi up` replace a resource rather than update it."""

from __future__ import annotations

import pytest
import yaml

from offline.replacement import UNKNOWN, Options, replacement, rule_for

SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
NAMESPACE = "kubernetes:core/v1:Namespace"
BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
CUSTOM = "kubernetes:networking.gloo.solo.io/v2:ExternalEndpoint"
RELEASE = "kubernetes:helm.sh/v3:Release"
PASSWORD = "random:index/randomPassword:RandomPassword"
KEY = "tls:index/privateKey:PrivateKey"
CERT = "tls:index/selfSignedCert:SelfSignedCert"
PROVIDER = "pulumi:providers:kubernetes"


def meta(name: str = "a", namespace: str = "ns", **extra: object) -> dict:
    return {"name": name, "namespace": namespace, **extra}


@pytest.mark.parametrize(("type_", "kind"), [
    (NAMESPACE, "Namespace"), (SERVICE, "Service"), (DEPLOYMENT, "Deployment"), (CUSTOM, "ExternalEndpoint")])
def test_every_kubernetes_object_is_replaced_on_name_or_namespace_creating_first(type_: str, kind: str) -> None:
    # pulumi-kubernetes provider/pkg/provider/provider.go `Diff` (`deleteBeforeReplace`): deleted
    # first only when the new object keeps the old one's name and namespace; a renamed or moved
    # object is created first, then the old one deleted.
    renamed = replacement(type_, kind, {"metadata": meta()}, {"metadata": meta(name="b")})
    assert renamed.reasons == ("metadata.name",) and not renamed.delete_first
    moved = replacement(type_, kind, {"metadata": meta()}, {"metadata": meta(namespace="other")})
    assert moved.reasons == ("metadata.namespace",) and not moved.delete_first


def test_a_replaced_object_that_keeps_its_name_and_namespace_is_deleted_first() -> None:
    old = {"metadata": meta(), "spec": {"clusterIP": "10.0.0.1"}}
    forced = replacement(SERVICE, "Service", old, {**old, "spec": {"clusterIP": "10.0.0.2"}})
    assert forced.reasons == ("spec.clusterIP",) and forced.delete_first


def test_force_new_fields_are_keyed_by_group_and_version_not_kind_alone() -> None:
    # pulumi-kubernetes provider/pkg/provider/diff.go `forceNewProperties`: the fields come from
    # forceNew[group][version][kind]; a kind of the same name under another group has none.
    old = {"metadata": meta(), "spec": {"selector": {"app": "a"}}}
    new = {**old, "spec": {"selector": {"app": "b"}}}
    assert replacement(DEPLOYMENT, "Deployment", old, new).reasons == ("spec.selector",)
    assert not replacement("kubernetes:example.com/v1:Deployment", "Deployment", old, new)
    assert not replacement("kubernetes:apps/v1beta9:Deployment", "Deployment", old, new)
    # and a Secret's contents rule is the core group's Secret only
    assert not replacement("kubernetes:example.com/v1:Secret", "Secret", {"metadata": meta(), "data": {"k": "1"}},
                           {"metadata": meta(), "data": {"k": "2"}})


def test_labels_and_annotations_update_in_place() -> None:
    old = {"metadata": meta(labels={"istio.io/rev": "1-17"})}
    assert not replacement(NAMESPACE, "Namespace", old, {"metadata": meta(labels={"istio.io/rev": "1-18"})})


def test_service_cluster_ip_replaces_and_its_selector_does_not() -> None:
    old = {"metadata": meta(), "spec": {"clusterIP": "10.0.0.1", "selector": {"revision": "1-17"}}}
    assert not replacement(SERVICE, "Service", old, {**old, "spec": {"clusterIP": "10.0.0.1",
                                                                     "selector": {"revision": "1-18"}}})
    assert replacement(SERVICE, "Service", old, {**old, "spec": {"clusterIP": "10.0.0.2",
                                                                 "selector": {"revision": "1-17"}}}).reasons == (
        "spec.clusterIP",)


def test_deployment_selector_replaces_and_its_pod_template_does_not() -> None:
    old = {"metadata": meta(), "spec": {"selector": {"matchLabels": {"app": "a"}},
                                        "template": {"metadata": {"annotations": {"x": "1"}}}}}
    template = {"selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {"annotations": {"x": "2"}}}}
    assert not replacement(DEPLOYMENT, "Deployment", old, {**old, "spec": template})
    selector = {"selector": {"matchLabels": {"app": "b"}}, "template": {"metadata": {"annotations": {"x": "1"}}}}
    assert replacement(DEPLOYMENT, "Deployment", old, {**old, "spec": selector}).reasons == ("spec.selector",)


def test_secret_and_config_map_data_replace_unless_the_provider_makes_them_mutable() -> None:
    old = {"metadata": meta(), "type": "Opaque", "data": {"k": "1"}}
    assert replacement(SECRET, "Secret", old, {**old, "data": {"k": "2"}}).reasons == ("data",)
    assert replacement(SECRET, "Secret", {"metadata": meta(), "stringData": {"k": "1"}},
                       {"metadata": meta(), "stringData": {"k": "2"}}).reasons == ("stringData",)
    assert replacement(CONFIG_MAP, "ConfigMap", {"metadata": meta(), "data": {"k": "1"}},
                       {"metadata": meta(), "data": {"k": "2"}}).reasons == ("data",)
    assert not replacement(SECRET, "Secret", old, {**old, "metadata": meta(labels={"a": "b"})})
    # This program's providers (enableSecretMutable, as the provider's inputs carry it).
    mutable = {"context": "c1", "enableSecretMutable": "true"}
    assert not replacement(SECRET, "Secret", old, {**old, "data": {"k": "2"}}, provider=mutable)
    assert replacement(SECRET, "Secret", old, {**old, "type": "kubernetes.io/tls"}, provider=mutable).reasons == (
        "type",)
    frozen = {**old, "immutable": True}
    assert replacement(SECRET, "Secret", frozen, {**frozen, "data": {"k": "2"}}, provider=mutable).reasons == ("data",)
    assert replacement(CONFIG_MAP, "ConfigMap", {"metadata": meta(), "data": {"k": "1"}},
                       {"metadata": meta(), "data": {"k": "2"}}, provider=mutable).reasons == ("data",)
    assert not replacement(CONFIG_MAP, "ConfigMap", {"metadata": meta(), "data": {"k": "1"}},
                           {"metadata": meta(), "data": {"k": "2"}}, provider={"enableConfigMapMutable": True})


def test_binding_role_ref_replaces() -> None:
    old = {"metadata": {"name": "b"}, "roleRef": {"name": "r1"}, "subjects": [{"name": "s1"}]}
    assert replacement(BINDING, "ClusterRoleBinding", old, {**old, "roleRef": {"name": "r2"}}).reasons == ("roleRef",)
    assert not replacement(BINDING, "ClusterRoleBinding", old, {**old, "subjects": [{"name": "s2"}]})


def test_a_custom_resource_updates_every_spec_field_in_place() -> None:
    # ExternalEndpoint: no field of Gloo's CRD is known to be immutable.
    old = {"metadata": meta(), "spec": {"address": "1.2.3.4", "ports": [{"name": "http", "number": 80}]}}
    assert not replacement(CUSTOM, "ExternalEndpoint", old, {**old, "spec": {"address": "5.6.7.8", "ports": []}})


def test_helm_release_replaces_only_on_name_or_namespace() -> None:
    old = {"name": "gloo-mesh-agent", "namespace": "gloo-mesh", "chart": "gloo-mesh-agent", "version": "2.2.6",
           "repositoryOpts": {"repo": "https://a"}, "values": {"cluster": "c1"}}
    upgraded = {**old, "version": "2.2.7", "chart": "other", "repositoryOpts": {"repo": "https://b"},
                "values": {"cluster": "c2"}}
    assert not replacement(RELEASE, None, old, upgraded)
    renamed = replacement(RELEASE, None, old, {**old, "name": "agent"})
    assert renamed.reasons == ("name",) and not renamed.delete_first


def test_generated_values_are_replaced_by_any_input_change() -> None:
    assert replacement(PASSWORD, None, {"length": 24}, {"length": 24, "keepers": {"credentialsRotation": "1"}}
                       ).reasons == ("keepers",)
    assert replacement(KEY, None, {"algorithm": "RSA", "rsaBits": 2048},
                       {"algorithm": "RSA", "rsaBits": 4096}).reasons == ("rsaBits",)
    assert not replacement(PASSWORD, None, {"length": 24}, {"length": 24})


def test_a_certificates_early_renewal_updates_in_place() -> None:
    old = {"privateKeyPem": "k", "validityPeriodHours": 8760, "earlyRenewalHours": 0}
    assert not replacement(CERT, None, old, {**old, "earlyRenewalHours": 720})
    assert replacement(CERT, None, old, {**old, "validityPeriodHours": 2160}).reasons == ("validityPeriodHours",)
    assert replacement(CERT, None, old, {**old, "privateKeyPem": "k2"}).reasons == ("privateKeyPem",)


def test_replacement_trigger_replaces_when_it_changes_and_not_when_it_first_appears() -> None:
    inputs = {"algorithm": "RSA"}
    assert replacement(KEY, None, inputs, inputs, Options(0), Options(1)).reasons == ("replacement_trigger",)
    assert not replacement(KEY, None, inputs, inputs, Options(None), Options(0))
    assert not replacement(KEY, None, inputs, inputs, Options(None), Options(1))
    assert not replacement(KEY, None, inputs, inputs, Options(2), Options(2))


def test_replace_on_changes_option() -> None:
    old = {"metadata": meta(), "spec": {"a": 1}}
    new = {"metadata": meta(), "spec": {"a": 2}}
    assert not replacement(CUSTOM, "X", old, new)
    assert replacement(CUSTOM, "X", old, new, new_options=Options(replace_on_changes=("spec.a",))).reasons == (
        "spec.a",)


KUBECONFIG = yaml.safe_dump({
    "apiVersion": "v1", "kind": "Config", "current-context": "a",
    "clusters": [{"name": "one", "cluster": {"server": "https://one:6443"}},
                 {"name": "two", "cluster": {"server": "https://two:6443"}}],
    "contexts": [{"name": "a", "context": {"cluster": "one"}}, {"name": "a-admin", "context": {"cluster": "one"}},
                 {"name": "b", "context": {"cluster": "two"}}],
})


# Upstream rules (pulumi-kubernetes provider/pkg/provider/provider.go `DiffConfig`, util.go
# `getActiveClusterFromConfig`/`parseKubeconfigString`):
def test_the_kubernetes_provider_is_replaced_only_when_both_active_clusters_resolve_and_differ() -> None:
    # a context change with no kubeconfig: nothing resolves (the ambient kubeconfig is not read), an update
    assert not replacement(PROVIDER, None, {"context": "c1"}, {"context": "c2"})
    # from the ambient kubeconfig to an explicit one: the old side does not resolve, an update
    assert not replacement(PROVIDER, None, {"context": "a"}, {"context": "a", "kubeconfig": KUBECONFIG})
    # a second context on the same cluster: the active cluster entry is the same, an update
    assert not replacement(PROVIDER, None, {"context": "a", "kubeconfig": KUBECONFIG},
                           {"context": "a-admin", "kubeconfig": KUBECONFIG})
    # another cluster: both resolve and differ, a replace on what changed
    assert replacement(PROVIDER, None, {"context": "a", "kubeconfig": KUBECONFIG},
                       {"context": "b", "kubeconfig": KUBECONFIG}).reasons == ("context",)
    assert not replacement(PROVIDER, None, {"context": "c1", "enableServerSideApply": "true"},
                           {"context": "c1", "enableServerSideApply": "false"})


def test_the_kubernetes_provider_is_replaced_on_unknown_cluster_inputs_and_a_new_render_directory() -> None:
    assert replacement(PROVIDER, None, {"context": "a"}, {"context": UNKNOWN}).reasons == ("context",)
    assert replacement(PROVIDER, None, {}, {"renderYamlToDirectory": "out"}).reasons == ("renderYamlToDirectory",)


def test_cluster_identifier_decides_alone_and_adding_it_is_an_update() -> None:
    # DiffConfig replaces on `clusterIdentifier` only when it is `Updated` (on both sides, changed):
    # adding or removing it is not a replacement ("to make on- and off-boarding less risky").
    assert not replacement(PROVIDER, None, {"context": "a", "kubeconfig": KUBECONFIG},
                           {"context": "a", "kubeconfig": KUBECONFIG, "clusterIdentifier": "mgmt"})
    assert not replacement(PROVIDER, None, {"context": "a", "clusterIdentifier": "mgmt"}, {"context": "a"})
    # the same identifier on both sides: nothing else replaces, not even another cluster or an unknown
    same = {"clusterIdentifier": "mgmt"}
    assert not replacement(PROVIDER, None, {**same, "context": "a", "kubeconfig": KUBECONFIG},
                           {**same, "context": "b", "kubeconfig": KUBECONFIG})
    assert not replacement(PROVIDER, None, {**same, "context": "a"}, {**same, "context": UNKNOWN})
    assert replacement(PROVIDER, None, {"clusterIdentifier": "mgmt"}, {"clusterIdentifier": "mgmt2"}).reasons == (
        "clusterIdentifier",)


def test_unknown_types_are_never_replaced_by_inputs() -> None:
    assert rule_for("other:index:Thing").replace_on == ()
