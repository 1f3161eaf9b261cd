"""Config validation: every invalid input is rejected before any resource is registered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.core.config import DEFAULTS, ConfigError, parse_settings
from components.core.features import FEATURES, KNOWN_FEATURES
from offline import ROOT
from offline.runtime import RecordingMonitor, WorkshopMocks, simulate
from tests.support.config import VALID, problems
from tests.support.simulation import dev_config


def assert_rejected_before_any_resource(config: dict[str, Any], *fragments: str) -> None:
    """The program itself (not just the parser) refuses, and registers nothing first."""
    monitor = RecordingMonitor(WorkshopMocks(preview=False))
    with pytest.raises(ConfigError) as caught:
        simulate(config, monitor=monitor)
    for fragment in fragments:
        assert fragment in str(caught.value)
    assert monitor.records == []


def test_defaults_give_the_workshop_layout() -> None:
    s = parse_settings(VALID)
    assert s.mgmt.name == "mgmt" and s.mgmt.context == "mgmt" and s.mgmt.kubeconfig is None
    assert [(c.name, c.context, c.reviews_versions) for c in s.workload_clusters] == [
        ("cluster1", "cluster1", ("v1", "v2")),
        ("cluster2", "cluster2", ("v1", "v2", "v3")),
    ]
    assert s.versions.gloo_mesh == "2.2.6"
    assert s.versions.istio_revision == "1-17"
    assert s.versions.istio_tag == "1.17.1-solo"
    assert s.versions.istio_hub == "us-docker.pkg.dev/gloo-mesh/istio-workshops"
    assert s.httpbin_cluster == s.config_cluster == "cluster1"
    assert s.external_service_weight == 0 and s.auto_restart_pods is False
    assert s.features == frozenset()


def test_pulumi_yaml_declares_every_key_with_type_description_and_the_same_default() -> None:
    schema = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert set(schema) == set(DEFAULTS) | {"licenseKey"}
    for key, declaration in schema.items():
        assert declaration["description"], key
        if key == "licenseKey":
            # Untyped, default "": pulumi/pulumi pkg/workspace/config.go mergeConfig refuses a stack missing a
            # declared key without default, and validateStackConfigValue refuses a plaintext (default) value of
            # a *typed* secret key; workload stacks have no license (offline/config_rules.py).
            assert declaration["secret"] is True and declaration["default"] == "" and "type" not in declaration
        else:
            assert declaration["type"] in ("string", "integer", "boolean", "array"), key
            assert declaration["default"] == DEFAULTS[key], key


def test_dev_stack_is_the_workshop() -> None:
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    assert "gloo-mesh-workshop:licenseKey" not in config  # users add it, encrypted
    s = parse_settings({**dev_config()})
    assert s.platform == "openshift"
    assert (s.mgmt.name, s.mgmt.context) == ("mgmt", "mgmt")
    assert [(c.name, c.context) for c in s.workload_clusters] == [("cluster1", "cluster1"), ("cluster2", "cluster2")]


def test_missing_license() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({})
    assert caught.value.problems == ["licenseKey: missing; set it with `pulumi config set --secret licenseKey` (it "
                                     "reads the license from standard input)"]
    config = dev_config()
    del config["licenseKey"]
    assert_rejected_before_any_resource(config, "licenseKey: missing", "pulumi config set --secret licenseKey")


def test_unknown_platform() -> None:
    assert problems(platform="gke") == ["platform: unknown platform 'gke'; allowed are: openshift, kubernetes"]
    assert_rejected_before_any_resource(dev_config(platform="gke"), "platform: unknown platform 'gke'")


def test_empty_workload_cluster_list_and_empty_name() -> None:
    assert problems(workloadClusters=[]) == ["workloadClusters: at least one workload cluster is required"]
    assert "workloadClusters: a cluster name is empty" in problems(workloadClusters=["cluster1", ""])
    assert_rejected_before_any_resource(dev_config(workloadClusters=[], workloadContexts=[], reviewsVersions=[]),
                                        "workloadClusters: at least one")


def test_duplicate_workload_cluster_names() -> None:
    found = problems(workloadClusters=["cluster1", "cluster1"])
    assert "workloadClusters: cluster name 'cluster1' is listed more than once" in found
    assert_rejected_before_any_resource(
        dev_config(workloadClusters=["cluster1", "cluster1"]), "listed more than once")


@pytest.mark.parametrize("bad", ["Cluster1", "cluster_1", "-cluster", "a" * 64, "clüster"])
def test_names_must_be_dns_labels(bad: str) -> None:
    assert any(p.startswith(f"workloadClusters: {bad!r} is not a DNS label") for p in
               problems(workloadClusters=[bad]))
    assert any(p.startswith(f"mgmtCluster: {bad!r} is not a DNS label") for p in problems(mgmtCluster=bad))


def test_shared_context_between_workload_clusters() -> None:
    found = problems(workloadContexts=["ctx", "ctx"])
    assert any("workloadContexts: context 'ctx' is used by more than one workload cluster" in p for p in found)


def test_per_cluster_lists_must_match_the_clusters() -> None:
    assert any(p.startswith("workloadContexts: has 1 entries but workloadClusters has 2") for p in
               problems(workloadContexts=["only-one"]))
    assert any(p.startswith("workloadKubeconfigs: has 3 entries") for p in
               problems(workloadKubeconfigs=["a", "b", "c"]))
    assert any(p.startswith("reviewsVersions: has 1 entries") for p in problems(reviewsVersions=[["v1"]]))


def test_reviews_versions_are_checked() -> None:
    found = problems(reviewsVersions=[["v1", "v4"], ["v1"]])
    assert any(p.startswith("reviewsVersions: ['v1', 'v4'] for cluster 'cluster1' is not allowed") for p in found)
    assert any("for cluster 'cluster2'" in p for p in problems(reviewsVersions=[["v1"], []]))
    assert any("for cluster 'cluster1'" in p for p in problems(reviewsVersions=[["v1", "v1"], ["v2"]]))


def test_unknown_feature_lists_the_known_ones() -> None:
    found = problems(features=["gateway-tlz"])
    assert found[0] == f"features: unknown feature 'gateway-tlz'; known features are: {', '.join(KNOWN_FEATURES)}"
    assert_rejected_before_any_resource(dev_config(features=["gateway-tlz"]), "unknown feature 'gateway-tlz'")


def test_feature_without_prerequisite_names_both() -> None:
    for feature in (f for f in FEATURES if f.needs):
        found = problems(features=[feature.name])
        for need in feature.needs:
            assert f"features: feature {feature.name!r} needs feature {need!r}; add {need!r} to features" in found
    assert_rejected_before_any_resource(dev_config(features=["failover"]),
                                        "feature 'failover' needs feature 'virtual-destinations'")


def _closure(name: str) -> set[str]:
    by_name = {f.name: f for f in FEATURES}
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(by_name[current].needs)
    return seen


def test_every_feature_of_the_contract_is_built() -> None:
    assert [f.name for f in FEATURES if not f.available] == []


def test_a_feature_not_built_is_rejected_not_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # The mechanism a future lab uses while it is being built: listed, but refused with a clear error.
    from components.core import features

    waf = features.FEATURES_BY_NAME["waf"]
    monkeypatch.setitem(features.FEATURES_BY_NAME, "waf", replace(waf, available=False))
    found = problems(features=sorted(_closure("waf")))
    assert found == ["features: feature 'waf' (lab 21) is not available yet in this version"]


def test_duplicate_feature() -> None:
    assert "features: feature 'root-trust' is listed twice" in problems(features=["root-trust", "root-trust"])


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("externalServiceWeight", 101, "externalServiceWeight: 101 is out of range; allowed is 0 to 100"),
    ("externalServiceWeight", -1, "externalServiceWeight: -1 is out of range; allowed is 0 to 100"),
    ("helmTimeoutSeconds", 10, "helmTimeoutSeconds: 10 is out of range; allowed is 60 to 3600"),
    ("externalServiceWeight", "half", "externalServiceWeight: expected a whole number from 0 to 100, got 'half'"),
    ("autoRestartPods", "yes", "autoRestartPods: expected true or false, got 'yes'"),
    ("upsertExistingObjects", "adopt", "upsertExistingObjects: expected true or false, got 'adopt'"),
])
def test_out_of_range_and_mistyped_values(key: str, value: Any, expected: str) -> None:
    assert expected in problems(**{key: value})


def test_numbers_and_booleans_arrive_as_strings_from_pulumi() -> None:
    s = parse_settings({**VALID, "externalServiceWeight": "50", "autoRestartPods": "true"})
    assert s.external_service_weight == 50 and s.auto_restart_pods is True
    assert_rejected_before_any_resource(dev_config(externalServiceWeight=500), "externalServiceWeight: 500")


def test_upsert_existing_objects_defaults_on_and_arrives_as_a_string() -> None:
    assert parse_settings(VALID).upsert_existing_objects is True
    assert parse_settings({**VALID, "upsertExistingObjects": "false"}).upsert_existing_objects is False


def test_relay_trust_defaults_to_the_workshops_generated_mode() -> None:
    s = parse_settings(VALID)
    assert (s.relay_trust, s.managed_relay_trust) == ("generated", False)
    managed = parse_settings({**VALID, "relayTrust": "managed"})
    assert (managed.relay_trust, managed.managed_relay_trust) == ("managed", True)


def test_unknown_relay_trust_mode_names_the_key_and_the_modes() -> None:
    assert problems(relayTrust="self-signed") == [
        "relayTrust: unknown mode 'self-signed'; allowed are: generated, managed"]
    assert problems(relayTrust=True) == ["relayTrust: expected a string, got True"]
    assert_rejected_before_any_resource(dev_config(relayTrust="byo"), "relayTrust: unknown mode 'byo'")


def test_cluster_choices_must_be_workload_clusters() -> None:
    assert "httpbinCluster: 'mgmt' is not a workload cluster; allowed are: cluster1, cluster2" in problems(
        httpbinCluster="mgmt")
    assert "configCluster: 'cluster9' is not a workload cluster; allowed are: cluster1, cluster2" in problems(
        configCluster="cluster9")


def test_management_cluster_sharing_a_context() -> None:
    found = problems(mgmtContext="cluster1")
    assert any(p.startswith("mgmtCluster: context 'cluster1' is both the management cluster 'mgmt' and the "
                            "workload cluster 'cluster1'") for p in found)
    found = problems(mgmtCluster="cluster1", mgmtContext="other")
    assert any(p.startswith("mgmtContext: the management cluster 'cluster1' is also a workload cluster") for p in found)


def test_versions_and_repositories() -> None:
    assert "glooMeshVersion: 'latest' is not a version like 2.2.6" in problems(glooMeshVersion="latest")
    assert any(p.startswith("istioRevision: '1.17' is not a valid Istio revision; it is the istio.io/rev label value")
               for p in problems(istioRevision="1.17"))
    # gm-iop-<revision> must still be a namespace name (63 characters at most).
    assert any(p.startswith("istioRevision: ") and "at most 56 characters" in p for p in problems(istioRevision="a" * 57))
    assert parse_settings({**VALID, "istioRevision": "a" * 56}).versions.istio_revision == "a" * 56
    assert any(p.startswith("glooMeshAgentRepo: 'storage.googleapis.com' is not a chart repository URL")
               for p in problems(glooMeshAgentRepo="storage.googleapis.com"))
    assert "istioTag: must not be empty" in problems(istioTag=" ")


def test_canary_defaults_to_none_and_lists_both_revisions_when_set() -> None:
    versions = parse_settings(VALID).versions
    assert (versions.istio_canary_revision, versions.istio_canary_tag) == (None, None)
    assert versions.istio_revisions == ("1-17",)
    canary = parse_settings({**VALID, "istioCanaryRevision": "1-18", "istioCanaryTag": "1.18.2-solo"}).versions
    assert canary.istio_revisions == ("1-17", "1-18")
    assert (canary.istio_tag_of("1-17"), canary.istio_tag_of("1-18")) == ("1.17.1-solo", "1.18.2-solo")
    # The canary made active: the same two revisions, in the same order.
    swapped = parse_settings({**VALID, "istioRevision": "1-18", "istioTag": "1.18.2-solo",
                              "istioCanaryRevision": "1-17", "istioCanaryTag": "1.17.1-solo"}).versions
    assert swapped.istio_revisions == ("1-17", "1-18")
    assert (swapped.istio_tag_of("1-17"), swapped.istio_tag_of("1-18")) == ("1.17.1-solo", "1.18.2-solo")


def test_bad_canary_config_names_the_key() -> None:
    assert problems(istioCanaryRevision="1-17", istioCanaryTag="1.17.1-solo") == [
        "istioCanaryRevision: '1-17' is the active revision (istioRevision); a canary is a second revision "
        "beside it, so it needs another name (like 1-18)"]
    assert problems(istioCanaryTag="1.18.2-solo") == [
        "istioCanaryTag: '1.18.2-solo' is set without istioCanaryRevision; a canary tag needs the canary revision "
        "it installs (set both, or neither)"]
    assert problems(istioCanaryRevision="1-18") == [
        "istioCanaryTag: missing; istioCanaryRevision '1-18' needs the image tag it installs (like 1.18.2-solo)"]
    for bad in ("1.18", "Canary", "-18", "1_18", "a" * 57):
        found = problems(istioCanaryRevision=bad, istioCanaryTag="1.18.2-solo")
        assert len(found) == 1 and found[0].startswith(f"istioCanaryRevision: {bad!r} is not a valid Istio revision")
    assert_rejected_before_any_resource(dev_config(istioCanaryRevision="1-17", istioCanaryTag="1.17.1-solo"),
                                        "istioCanaryRevision: '1-17' is the active revision")


def test_rotation_and_certificate_lifetime() -> None:
    s = parse_settings(VALID)
    assert (s.credentials_rotation, s.gateway_cert_validity_hours, s.gateway_cert_early_renewal_hours) == (0, 8760, 720)
    s = parse_settings({**VALID, "credentialsRotation": "3", "gatewayCertValidityHours": 48,
                        "gatewayCertEarlyRenewalHours": 0})
    assert (s.credentials_rotation, s.gateway_cert_validity_hours, s.gateway_cert_early_renewal_hours) == (3, 48, 0)
    assert problems(credentialsRotation=-1) == ["credentialsRotation: -1 is out of range; allowed is 0 to 2147483647"]
    assert problems(credentialsRotation="one") == [
        "credentialsRotation: expected a whole number from 0 to 2147483647, got 'one'"]
    assert problems(gatewayCertValidityHours=0) == ["gatewayCertValidityHours: 0 is out of range; allowed is 1 to 87600"]
    assert problems(gatewayCertValidityHours=48, gatewayCertEarlyRenewalHours=48) == [
        "gatewayCertEarlyRenewalHours: 48 is not less than gatewayCertValidityHours (48); the certificate would be "
        "due for renewal as soon as it is issued"]
    assert_rejected_before_any_resource(dev_config(credentialsRotation=-2), "credentialsRotation: -2 is out of range")


def test_unknown_config_key_is_reported() -> None:
    found = problems(workloadClustres=["cluster1"])
    assert found[0].startswith("workloadClustres: unknown config key; known keys are: ")
    assert_rejected_before_any_resource(dev_config(featurez=["gateway"]), "featurez: unknown config key")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"platform": "gke", "externalServiceWeight": 200})
    keys = {p.split(":")[0] for p in caught.value.problems}
    assert keys == {"licenseKey", "platform", "externalServiceWeight"}


def test_stack_files_carry_no_license() -> None:
    for path in [ROOT / "Pulumi.dev.yaml", *sorted(Path(ROOT / "stacks").glob("*.yaml"))]:
        config = yaml.safe_load(path.read_text()).get("config") or {}
        assert "gloo-mesh-workshop:licenseKey" not in config, path


def test_pulumi_up_entry_point_reports_a_config_error_without_a_traceback() -> None:
    # `pulumi up` runs __main__.py: a config mistake surfaces as pulumi.RunError, which the engine
    # prints as a plain message instead of the program's stack trace.
    import runpy

    import pulumi

    config = dev_config(platform="gke")
    with pytest.raises(pulumi.RunError) as caught:
        simulate(config, program=lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))
    assert "platform: unknown platform 'gke'; allowed are: openshift, kubernetes" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_pulumi_up_entry_point_runs_the_program() -> None:
    import runpy

    sim = simulate(dev_config(), program=lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))
    assert sim.one("kubernetes:helm.sh/v3:Release", cluster="mgmt").inputs["name"] == "gloo-mesh-enterprise"


def test_settings_from_the_environment_the_pulumi_cli_provides(monkeypatch: pytest.MonkeyPatch) -> None:
    # Under `pulumi up` the stack's config reaches the program as JSON in PULUMI_CONFIG.
    import json

    from pulumi.runtime.config import set_all_config

    from components.core.config import load_settings

    set_all_config({})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({
        "gloo-mesh-workshop:licenseKey": "license",
        "gloo-mesh-workshop:workloadClusters": '["east", "west"]',
        "gloo-mesh-workshop:externalServiceWeight": "25",
    }))
    settings = load_settings()
    assert [c.name for c in settings.workload_clusters] == ["east", "west"]
    assert settings.external_service_weight == 25
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({
        "gloo-mesh-workshop:licenseKey": "license", "gloo-mesh-workshop:featurez": '["gateway"]'}))
    with pytest.raises(ConfigError, match="featurez: unknown config key"):
        load_settings()
