"""The config reader at its edges: boundaries, exact messages, what a workload stack may leave out,
and values that must stay as they are once read. Each test pins a rule `gmw mutate` found no test
noticing a one-token change of (docs/testing.md)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from components.core.config import ConfigError, parse_settings
from components.core.config.keys import CERT_VALIDITY_RANGE
from components.core.config.problems import InvalidJson
from tests.support.config import VALID, WORKLOAD, problems


def test_the_error_lists_every_problem_one_per_line() -> None:
    assert str(ConfigError(["a: wrong", "b: missing"])) == "invalid configuration:\n  - a: wrong\n  - b: missing"


def test_an_unknown_role_names_the_three_roles() -> None:
    assert problems(role="fleet") == ["role: unknown role 'fleet'; allowed are: all, management, workload"]


def test_a_workload_stack_needs_no_license_and_gets_an_empty_one() -> None:
    assert parse_settings(WORKLOAD).license_key == ""


def test_a_workload_cluster_without_kubeconfig_uses_the_default_one() -> None:
    assert [c.kubeconfig for c in parse_settings(VALID).workload_clusters] == [None, None]


def test_two_workload_clusters_on_one_context_are_refused_with_the_context_named() -> None:
    assert problems(workloadContexts=["kind-a", "kind-a"]) == [
        "workloadContexts: context 'kind-a' is used by more than one workload cluster; "
        "each workload cluster needs its own context"]


@pytest.mark.parametrize("hours", CERT_VALIDITY_RANGE)
def test_an_early_renewal_as_long_as_the_validity_is_refused_at_both_ends_of_its_range(hours: int) -> None:
    assert problems(gatewayCertValidityHours=hours, gatewayCertEarlyRenewalHours=hours) == [
        f"gatewayCertEarlyRenewalHours: {hours} is not less than gatewayCertValidityHours ({hours}); "
        "the certificate would be due for renewal as soon as it is issued"]


def test_a_per_cluster_list_of_the_wrong_length_says_a_workload_stack_may_give_its_own_entry_alone() -> None:
    expected = ("workloadKubeconfigs: has 3 entries but workloadClusters has 2; give one entry per workload "
                "cluster, in the same order, or leave it empty")
    assert problems(workloadKubeconfigs=["a", "b", "c"]) == [expected]
    assert problems(**WORKLOAD, workloadKubeconfigs=["a", "b", "c"]) == [
        expected + " (a workload stack may give its own cluster's entry alone)"]


@pytest.mark.parametrize("hub", ["Registry.Example.com/istio", "my_host/istio", "my_host/localhost",
                                 "localhost:5000/istio"])
def test_an_image_hub_s_first_part_is_a_registry_host_only_with_a_dot_a_port_or_localhost(hub: str) -> None:
    # distribution/reference: a host may have upper case, a path may not; a path may have `_`, a host may not.
    assert parse_settings({**VALID, "istioHub": hub}).versions.istio_hub == hub


def test_a_registry_host_alone_is_no_image_hub() -> None:
    [problem] = problems(istioHub="registry:5000")
    assert problem.startswith("istioHub: 'registry:5000' is not an image repository (like us-docker.pkg.dev/")


def test_an_invalid_enterprise_chart_repository_is_refused_by_its_key() -> None:
    assert problems(glooMeshEnterpriseRepo="ftp://charts") == [
        "glooMeshEnterpriseRepo: 'ftp://charts' is not a chart repository URL (https://, http:// or oci://)"]


def test_settings_find_a_workload_cluster_by_its_name() -> None:
    s = parse_settings(VALID)
    assert s.workload("cluster2") is s.workload_clusters[1]
    assert (s.openshift, parse_settings({**VALID, "platform": "openshift"}).openshift) == (False, True)


def test_what_the_reader_returns_cannot_be_changed_afterwards() -> None:
    s = parse_settings(VALID)
    for value, field in [(s, "role"), (s.mgmt, "name"), (s.workload_clusters[0], "name"), (s.versions, "gloo_mesh"),
                         (InvalidJson("[", "expected"), "raw")]:
        with pytest.raises(FrozenInstanceError, match=f"cannot assign to field '{field}'"):
            setattr(value, field, "changed")


@pytest.mark.parametrize("role", ["management", "workload"])
def test_in_either_fleet_role_the_management_cluster_cannot_also_be_a_workload_cluster(role: str) -> None:
    extra = WORKLOAD if role == "workload" else {"role": role}
    assert (f"mgmtCluster: with role {role}, the management cluster 'cluster2' cannot also be a workload cluster: "
            "the management stack alone deploys on it (use role all for that case)") in problems(
        **extra, mgmtCluster="cluster2")
