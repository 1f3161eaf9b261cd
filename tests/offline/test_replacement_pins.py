"""Every rule of the replacement table pinned, for every type the stacks declare: a one-token change of
`offline.replacement` (a flipped comparison, a dropped field, a changed constant) fails one of these.

The upstream source of each rule is named in `offline.replacement`'s docstring; where a test cites a
file, it is pulumi-kubernetes v4.32.0, pulumi-tls v5.5.1 (terraform-provider-tls'
`internal/provider/resource_locally_signed_cert.go`) or pulumi-random.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.platform import relay_trust
from offline import replacement as model
from offline.records import UNKNOWN_ID_MARK, Record, reveal
from offline.replacement import (
    CERTIFICATES,
    CLUSTER_KEYS,
    IMMUTABLE_CONTENTS,
    KUBERNETES_KINDS,
    KUBERNETES_PROVIDER,
    RULES,
    UNKNOWN,
    Options,
    Replacement,
    ReplacementRule,
    active_cluster,
    group_version_kind,
    ready_for_renewal,
    renewal_note,
    replacement,
    rule_for,
    value_at,
)
from tests.support.simulation import cached_simulation, dev_config

SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
NAMESPACE = "kubernetes:core/v1:Namespace"
RELEASE = "kubernetes:helm.sh/v3:Release"
CERT_REQUEST = "tls:index/certRequest:CertRequest"
LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert"
SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert"
PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
PASSWORD = "random:index/randomPassword:RandomPassword"
META = {"name": "a", "namespace": "ns"}
MUTABLE = {"context": "c1", "enableSecretMutable": "true"}


def reasons(type_: str, old: dict[str, Any], new: dict[str, Any], **kwargs: Any) -> tuple[str, ...]:
    return replacement(type_, None, old, new, **kwargs).reasons


# What the stacks declare ------------------------------------------------------------------------------
#: Kubernetes kinds upstream's forceNew lists no field for (diff.go `core`/`apps`/`rbac`): replaced on
#: name or namespace alone (a ConfigMap also on its contents, `IMMUTABLE_CONTENTS`).
WITHOUT_FIELDS = {("core", "v1", "Namespace"), ("core", "v1", "ServiceAccount"), ("core", "v1", "ConfigMap")}
#: The API groups upstream's forceNew has entries for: a kind of any other group is a custom resource.
FORCE_NEW_GROUPS = {"apps", "core", "", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "batch"}


@pytest.fixture(scope="module")
def managed() -> list[Record]:
    """The whole workshop with managed relay trust: every type any committed stack declares, and more."""
    return cached_simulation(dev_config(relayTrust="managed")).records


def test_every_type_the_stacks_declare_has_a_reviewed_rule_and_every_row_is_declared(managed: list[Record]) -> None:
    declared = {r.type for r in managed if r.custom and not r.read}
    kinds = {group_version_kind(t) for t in declared if t.startswith("kubernetes:") and t != RELEASE}
    built_in = {gvk for gvk in kinds if gvk[0] in FORCE_NEW_GROUPS}
    listed = {(group, version, kind) for (group, version), fields in KUBERNETES_KINDS.items() if group != ""
              for kind in fields}
    # A new built-in kind needs its forceNew fields looked up; a listed kind nothing declares goes.
    assert built_in == listed | WITHOUT_FIELDS
    others = {t for t in declared if not t.startswith("kubernetes:")}
    assert others == set(RULES) - {RELEASE} | {KUBERNETES_PROVIDER}
    assert RELEASE in declared


def test_the_core_group_is_listed_under_its_legacy_name_too() -> None:
    # diff.go: `"core": core, "": core` (a manifest's `apiVersion: v1` has the empty group).
    assert KUBERNETES_KINDS[("", "v1")] is KUBERNETES_KINDS[("core", "v1")]
    assert group_version_kind("kubernetes:v1:Secret") == ("", "v1", "Secret")
    assert group_version_kind("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding") == (
        "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding")
    old, new = {"metadata": META, "type": "Opaque"}, {"metadata": META, "type": "kubernetes.io/tls"}
    assert reasons("kubernetes:v1:Secret", old, new, provider=MUTABLE) == ("type",)


# Kubernetes kinds ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("type_", "path", "before", "after"), [
    (SERVICE, "spec.clusterIP", "10.0.0.1", "10.0.0.2"),
    (DEPLOYMENT, "spec.selector", {"matchLabels": {"app": "a"}}, {"matchLabels": {"app": "b"}}),
    (BINDING, "roleRef", {"name": "r1"}, {"name": "r2"}),
    (SECRET, "type", "Opaque", "kubernetes.io/tls"),
])
def test_each_listed_field_replaces_on_its_kind_alone(type_: str, path: str, before: Any, after: Any) -> None:
    def inputs(value: Any) -> dict[str, Any]:
        top, _, rest = path.partition(".")
        return {"metadata": META, top: {rest: value} if rest else value}
    forced = replacement(type_, None, inputs(before), inputs(after), provider=MUTABLE)
    assert forced == Replacement((path,), delete_first=True)
    # the same change on a kind that does not list the field updates in place
    assert not replacement(NAMESPACE, None, inputs(before), inputs(after), provider=MUTABLE)


def test_the_kind_comes_from_the_type_when_the_record_names_none() -> None:
    old = {"metadata": META, "spec": {"clusterIP": "10.0.0.1"}}
    assert reasons(SERVICE, old, {**old, "spec": {"clusterIP": "10.0.0.2"}}) == ("spec.clusterIP",)
    assert rule_for(SERVICE) == ReplacementRule(replace_on=("metadata.name", "metadata.namespace", "spec.clusterIP"),
                                     delete_first=True)


def test_a_secrets_type_replaces_when_secrets_are_not_mutable() -> None:
    # diff.go `forceNewProperties`: an immutable-contents Secret replaces on `.type`, `.stringData`, `.data`.
    old = {"metadata": META, "type": "Opaque", "data": {"k": "1"}}
    assert reasons(SECRET, old, {**old, "type": "kubernetes.io/tls"}) == ("type",)
    assert reasons(SECRET, old, {**old, "type": "kubernetes.io/tls"}, provider={"context": "c1"}) == ("type",)
    assert rule_for(SECRET).replace_on == ("metadata.name", "metadata.namespace", "type", "stringData", "data")
    assert rule_for(SECRET, provider=MUTABLE).replace_on == ("metadata.name", "metadata.namespace", "type")


def test_a_config_maps_binary_data_replaces_unless_config_maps_are_mutable() -> None:
    old = {"metadata": META, "binaryData": {"k": "MQ=="}}
    new = {**old, "binaryData": {"k": "Mg=="}}
    assert reasons(CONFIG_MAP, old, new) == ("binaryData",)
    assert reasons(CONFIG_MAP, old, new, provider=MUTABLE) == ("binaryData",)  # Secrets mutable, not ConfigMaps
    assert not replacement(CONFIG_MAP, None, old, new, provider={"enableConfigMapMutable": "true"})
    frozen = {**new, "immutable": True}
    assert reasons(CONFIG_MAP, old, frozen, provider={"enableConfigMapMutable": "true"}) == ("binaryData",)
    assert IMMUTABLE_CONTENTS == {"Secret": ("enableSecretMutable", ("type", "stringData", "data")),
                                  "ConfigMap": ("enableConfigMapMutable", ("binaryData", "data"))}


@pytest.mark.parametrize(("flag", "mutable"), [
    ("true", True), (True, True), ("false", False), (False, False), ("True", False), (None, False)])
def test_the_mutable_flag_is_read_as_the_provider_receives_it(flag: Any, mutable: bool) -> None:
    old = {"metadata": META, "data": {"k": "1"}}
    forced = replacement(SECRET, None, old, {**old, "data": {"k": "2"}}, provider={"enableSecretMutable": flag})
    assert forced.reasons == (() if mutable else ("data",))


def test_immutable_is_read_from_the_new_object() -> None:
    # diff.go `clients.IsImmutable(obj)` of the new object.
    old = {"metadata": META, "data": {"k": "1"}, "immutable": True}
    new = {"metadata": META, "data": {"k": "2"}}
    assert not replacement(SECRET, None, old, new, provider=MUTABLE)
    assert reasons(SECRET, new, {**old, "data": {"k": "3"}, "immutable": "true"}, provider=MUTABLE) == ("data",)


def test_an_autonamed_or_unchanged_object_is_not_deleted_first() -> None:
    # provider.go `Diff`: deleteBeforeReplace only for a named object keeping its name and namespace.
    autonamed = {"metadata": {"namespace": "ns"}, "spec": {"clusterIP": "10.0.0.1"}}
    forced = replacement(SERVICE, None, autonamed, {**autonamed, "spec": {"clusterIP": "10.0.0.2"}})
    assert forced == Replacement(("spec.clusterIP",), delete_first=False)
    unchanged = {"metadata": META, "spec": {"clusterIP": "10.0.0.1"}}
    assert replacement(SERVICE, None, unchanged, unchanged) == Replacement((), delete_first=False)


def test_a_replace_on_changes_path_the_kind_lists_is_one_reason() -> None:
    old, new = {"metadata": META}, {"metadata": {**META, "name": "b"}}
    options = Options(replace_on_changes=("metadata.name",))
    assert reasons(NAMESPACE, old, new, new_options=options) == ("metadata.name",)


def test_value_at_follows_dotted_paths_and_stops_at_a_leaf() -> None:
    assert value_at({"a": {"b": {"c": 1}}}, "a.b.c") == 1
    assert value_at({"a": {"b": 1}}, "a.b.c") is None
    assert value_at({"a": 1}, "b") is None


# Helm releases -------------------------------------------------------------------------------------------
def test_a_helm_releases_namespace_replaces_it_creating_first() -> None:
    # helm_release.go `Diff`: forceNewFields `.name`, `.namespace`; DeleteBeforeReplace false.
    old = {"name": "gloo-mesh-agent", "namespace": "gloo-mesh", "chart": "gloo-mesh-agent"}
    assert replacement(RELEASE, None, old, {**old, "namespace": "gloo-mesh-agent"}) == Replacement(
        ("namespace",), delete_first=False)
    assert rule_for(RELEASE) == ReplacementRule(replace_on=("name", "namespace"))


# Generated values ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def relay_records(managed: list[Record]) -> dict[str, list[Record]]:
    return {t: [r for r in managed if r.type == t] for t in (CERT_REQUEST, LOCALLY_SIGNED)}


def changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, list):
        return [*value, "extra"]
    if isinstance(value, dict):
        return {**value, "extra": "x"}
    return f"{value}-changed"


def test_any_input_change_of_the_relay_certificate_requests_replaces_them(
        relay_records: dict[str, list[Record]]) -> None:
    # terraform-provider-tls resource_cert_request.go: every attribute RequiresReplace.
    requests = relay_records[CERT_REQUEST]
    assert len(requests) == 4  # the server, the metrics gateway and one agent per workload cluster
    for record in requests:
        inputs = reveal(record.inputs)
        assert sorted(inputs) == ["dnsNames", "privateKeyPem", "subject"], record.name
        for key in inputs:
            assert reasons(CERT_REQUEST, inputs, {**inputs, key: changed(inputs[key])}) == (key,), (record.name, key)
        assert not replacement(CERT_REQUEST, None, inputs, dict(inputs))


def test_any_input_change_of_the_relay_certificates_replaces_them_but_their_renewal_window(
        relay_records: dict[str, list[Record]]) -> None:
    # resource_locally_signed_cert.go: every attribute RequiresReplace (or requireReplaceIfStateContainsPEMString)
    # but `early_renewal_hours`, which has only a default.
    certificates = relay_records[LOCALLY_SIGNED]
    assert len(certificates) == 4
    for record in certificates:
        inputs = reveal(record.inputs)
        assert sorted(inputs) == ["allowedUses", "caCertPem", "caPrivateKeyPem", "certRequestPem",
                                  "earlyRenewalHours", "validityPeriodHours"], record.name
        for key in sorted(set(inputs) - {"earlyRenewalHours"}):
            assert reasons(LOCALLY_SIGNED, inputs, {**inputs, key: changed(inputs[key])}) == (key,), (record.name, key)
        assert not replacement(LOCALLY_SIGNED, None, inputs, {**inputs, "earlyRenewalHours": 1})
        # the program's window is narrower than the validity: no `up` finds a fresh one ready for renewal
        assert (inputs["earlyRenewalHours"], inputs["validityPeriodHours"]) == (
            relay_trust.LEAF_EARLY_RENEWAL_HOURS, relay_trust.LEAF_VALIDITY_HOURS) == (720, 8760)
        assert not ready_for_renewal(inputs)


def test_the_certificate_rules_are_the_tls_providers() -> None:
    assert RULES[CERT_REQUEST] == ReplacementRule(any_input=True)
    assert RULES[PRIVATE_KEY] == ReplacementRule(any_input=True)
    assert RULES[PASSWORD] == ReplacementRule(any_input=True)
    for certificate in (SELF_SIGNED, LOCALLY_SIGNED):
        assert RULES[certificate] == ReplacementRule(any_input=True, update_in_place=("earlyRenewalHours",))
    assert CERTIFICATES == (SELF_SIGNED, LOCALLY_SIGNED)


def test_engine_defaults_never_replace_a_generated_value() -> None:
    inputs = {"length": 24, "special": False}
    assert not replacement(PASSWORD, None, {**inputs, "__defaults": []}, {**inputs, "__defaults": ["special"]})


# The renewal window ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("early", "validity", "ready"), [
    (8760, 8760, True), (9000, 8760, True), (1, 1, True), (8759, 8760, False), (0, 0, False), (720, 8760, False),
    (None, 8760, False), (8760, None, False), ("8760", 8760, False),
])
def test_a_certificate_is_ready_for_renewal_at_any_up_only_when_its_window_covers_its_validity(
        early: Any, validity: Any, ready: bool) -> None:
    # terraform-provider-tls: replaced when now >= validity end - early_renewal_hours (offline: certain
    # only when the window is at least the validity).
    inputs = {k: v for k, v in (("earlyRenewalHours", early), ("validityPeriodHours", validity)) if v is not None}
    assert ready_for_renewal(inputs) is ready


@pytest.mark.parametrize("certificate", [SELF_SIGNED, LOCALLY_SIGNED])
def test_a_window_as_long_as_the_validity_replaces_either_certificate_at_every_up(certificate: str) -> None:
    inputs = {"validityPeriodHours": 8760, "earlyRenewalHours": 8760}
    assert replacement(certificate, None, inputs, dict(inputs)) == Replacement(("ready_for_renewal",))
    assert not replacement(PRIVATE_KEY, None, inputs, dict(inputs))


def test_a_widened_window_is_noted_and_a_narrowed_or_unchanged_one_is_not() -> None:
    assert renewal_note({"earlyRenewalHours": 720}, {"earlyRenewalHours": 1440}) == (
        "earlyRenewalHours widens to 1440: replaced (with its Secrets rolled) if the certificate expires within "
        "1440 hours of the `up`")
    assert renewal_note({}, {"earlyRenewalHours": 1}) == (
        "earlyRenewalHours widens to 1: replaced (with its Secrets rolled) if the certificate expires within "
        "1 hours of the `up`")
    assert renewal_note({"earlyRenewalHours": 720}, {"earlyRenewalHours": 720}) is None
    assert renewal_note({"earlyRenewalHours": 720}, {"earlyRenewalHours": 360}) is None
    assert renewal_note({"earlyRenewalHours": 720}, {}) is None
    assert renewal_note({}, {}) is None and renewal_note({"earlyRenewalHours": 0}, {}) is None


def test_the_plan_notes_a_widened_relay_certificate_window() -> None:
    from offline.plan import plan
    from offline.records import Simulation

    def sim(early: int) -> Simulation:
        return Simulation([Record(urn="c", type=LOCALLY_SIGNED, name="cert", custom=True, read=False, id="c",
                                  inputs={"validityPeriodHours": 8760, "earlyRenewalHours": early}, provider=None,
                                  parent=None, dependencies=[], property_dependencies={}, protect=False,
                                  retain_on_delete=False)], {})
    step = plan(sim(720), sim(1440)).step("LocallySignedCert cert")
    assert (step.action, step.note) == ("update", renewal_note({"earlyRenewalHours": 720},
                                                               {"earlyRenewalHours": 1440}))


# The Kubernetes provider ------------------------------------------------------------------------------------
KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config", "current-context": "a",
    "clusters": [{"name": "one", "cluster": {"server": "https://one:6443"}},
                 {"name": "two", "cluster": {"server": "https://two:6443"}}],
    "contexts": [{"name": "a", "context": {"cluster": "one"}}, {"name": "b", "context": {"cluster": "two"}}],
}
TEXT = yaml.safe_dump(KUBECONFIG)


def provider_reasons(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    return reasons(KUBERNETES_PROVIDER, old, new)


def test_the_unknown_marker_is_the_one_the_simulation_records() -> None:
    assert UNKNOWN == UNKNOWN_ID_MARK == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert CLUSTER_KEYS == ("kubeconfig", "context", "cluster")


def test_the_active_cluster_follows_the_current_context_and_the_overrides(tmp_path: Path) -> None:
    # util.go `getActiveClusterFromConfig`: the `context` override, else current-context; the `cluster`
    # override, else the context's cluster.
    one, two = {"server": "https://one:6443"}, {"server": "https://two:6443"}
    assert active_cluster({"kubeconfig": TEXT}) == one
    assert active_cluster({"kubeconfig": TEXT, "context": "b"}) == two
    assert active_cluster({"kubeconfig": TEXT, "cluster": "two"}) == two
    assert active_cluster({"kubeconfig": KUBECONFIG, "context": "b"}) == two  # a structured value
    assert active_cluster({"kubeconfig": TEXT, "context": "nope"}) is None
    assert active_cluster({"kubeconfig": "{not: [yaml"}) is None
    assert active_cluster({"kubeconfig": "- a list"}) is None
    assert active_cluster({"context": "a"}) is None
    assert active_cluster({"kubeconfig": 5}) is None and active_cluster({"kubeconfig": [TEXT]}) is None
    path = tmp_path / "config"
    path.write_text(TEXT)
    assert active_cluster({"kubeconfig": str(path), "context": "b"}) == two  # a file, as the provider reads it
    assert active_cluster({"kubeconfig": str(tmp_path / "missing")}) is None


def test_a_cluster_override_or_the_current_context_moving_replaces_the_provider() -> None:
    assert provider_reasons({"kubeconfig": TEXT}, {"kubeconfig": TEXT, "cluster": "two"}) == ("cluster",)
    assert provider_reasons({"kubeconfig": TEXT}, {"kubeconfig": TEXT, "context": "b"}) == ("context",)
    other = yaml.safe_dump({**KUBECONFIG, "current-context": "b"})
    assert provider_reasons({"kubeconfig": TEXT}, {"kubeconfig": other}) == ("kubeconfig",)
    assert provider_reasons({"kubeconfig": TEXT, "context": "a"}, {"kubeconfig": other, "context": "b"}) == (
        "kubeconfig", "context")
    # the same active cluster under a rewritten kubeconfig: an update
    assert not provider_reasons({"kubeconfig": TEXT}, {"kubeconfig": yaml.safe_dump(KUBECONFIG, indent=4)})


def test_only_the_first_unknown_cluster_input_is_reported_after_a_changed_identifier() -> None:
    assert provider_reasons({"context": "a"}, {"kubeconfig": UNKNOWN, "context": UNKNOWN}) == ("kubeconfig",)
    assert provider_reasons({"cluster": "one"}, {"cluster": UNKNOWN}) == ("cluster",)
    assert provider_reasons({"clusterIdentifier": "a", "context": "a"},
                            {"clusterIdentifier": "b", "context": UNKNOWN}) == ("clusterIdentifier", "context")


def test_a_render_directory_added_or_removed_replaces_the_provider() -> None:
    assert provider_reasons({"renderYamlToDirectory": "out"}, {}) == ("renderYamlToDirectory",)
    assert provider_reasons({"renderYamlToDirectory": "a"}, {"renderYamlToDirectory": "b"}) == (
        "renderYamlToDirectory",)
    assert provider_reasons({"clusterIdentifier": "a", "renderYamlToDirectory": "a"},
                            {"clusterIdentifier": "b", "renderYamlToDirectory": "b"}) == (
        "clusterIdentifier", "renderYamlToDirectory")
    # the same identifier silences every replace (provider.go: `resp.Replaces = nil` when it is Same)
    assert not provider_reasons({"clusterIdentifier": "a", "renderYamlToDirectory": "a"},
                                {"clusterIdentifier": "a", "renderYamlToDirectory": "b"})


def test_engine_defaults_alone_change_no_provider() -> None:
    assert model.provider_replaces({"context": "a", "__defaults": []}, {"context": "a", "__defaults": ["x"]}) == ()
    assert provider_reasons({"context": "a", "__defaults": ["renderYamlToDirectory"]},
                            {"context": "a", "renderYamlToDirectory": "out", "__defaults": []}) == (
        "renderYamlToDirectory",)


def test_only_the_kubernetes_provider_is_judged_by_its_cluster() -> None:
    assert not replacement("pulumi:providers:random", None, {"context": "a"}, {"context": UNKNOWN})
    assert rule_for(KUBERNETES_PROVIDER) == ReplacementRule()


def test_a_replaced_resource_other_than_a_kubernetes_object_is_created_before_the_old_one_is_deleted() -> None:
    assert model.replacement("tls:index/certRequest:CertRequest", None, {"subject": "a"}, {"subject": "b"}) == \
        Replacement(("subject",), False)
    assert ReplacementRule().delete_first is False


def test_a_legacy_core_group_secret_s_contents_replace_it_as_core_v1_s_do() -> None:
    assert model.rule_for("kubernetes:v1:Secret").replace_on == model.rule_for("kubernetes:core/v1:Secret").replace_on \
        == ("metadata.name", "metadata.namespace", "type", "stringData", "data")


def test_the_model_s_values_cannot_be_changed_afterwards() -> None:
    from dataclasses import FrozenInstanceError

    for value, field in [(ReplacementRule(), "any_input"), (Replacement(), "reasons"), (Options(), "replacement_trigger")]:
        with pytest.raises(FrozenInstanceError, match=f"cannot assign to field '{field}'"):
            setattr(value, field, "changed")
