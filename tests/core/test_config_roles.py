"""Stack roles (fleet mode): `role`, `managementStack`, `workloadCluster`, and what each role allows."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.config import ConfigError, parse_settings
from offline.runtime import RecordingMonitor, WorkshopMocks, simulate
from tests.support.config import MGMT_STACK, WORKLOAD, problems
from tests.support.simulation import dev_config


def test_role_defaults_to_all_which_declares_everything() -> None:
    s = parse_settings({"licenseKey": "license"})
    assert (s.role, s.management_stack, s.stack_cluster) == ("all", "", "")
    assert s.declares_estate and s.declares_cluster("cluster1") and s.declares_cluster("cluster2")


def test_management_role_declares_the_estate_and_no_workload_cluster() -> None:
    s = parse_settings({"licenseKey": "license", "role": "management"})
    assert s.declares_estate
    assert not s.declares_cluster("cluster1") and not s.declares_cluster("cluster2")


def test_workload_role_declares_its_one_cluster_and_needs_no_license() -> None:
    s = parse_settings(WORKLOAD)
    assert not s.declares_estate
    assert s.declares_cluster("cluster2") and not s.declares_cluster("cluster1")
    assert s.management_stack == MGMT_STACK and s.license_key == ""


def test_a_workload_stack_may_give_its_own_clusters_entry_alone() -> None:
    s = parse_settings({**WORKLOAD, "workloadContexts": ["kind-cluster2"], "workloadKubeconfigs": ["/k/c2"],
                        "reviewsVersions": [["v3"]]})
    one, two = s.workload_clusters
    assert (two.context, two.kubeconfig, two.reviews_versions) == ("kind-cluster2", "/k/c2", ("v3",))
    # The cluster it does not reach keeps the defaults (its name as context, the first cluster's reviews).
    assert (one.context, one.kubeconfig, one.reviews_versions) == ("cluster1", None, ("v1", "v2"))


def test_one_entry_alone_is_still_an_error_outside_a_workload_stack() -> None:
    assert problems(workloadContexts=["ctx"])[0].startswith("workloadContexts: has 1 entries but workloadClusters has 2")


def test_unknown_role_is_named_with_the_allowed_ones() -> None:
    assert "role: unknown role 'edge'; allowed are: all, management, workload" in problems(role="edge")


def test_a_workload_stack_without_management_stack_is_refused() -> None:
    found = problems(role="workload", workloadCluster="cluster1")
    assert any(p.startswith("managementStack: required with role workload") for p in found)


def test_management_stack_must_be_fully_qualified() -> None:
    found = problems(**{**WORKLOAD, "managementStack": "dev-management"})
    assert "managementStack: 'dev-management' is not a fully qualified stack name " \
           "(<organization>/<project>/<stack>)" in found


def test_a_workload_stack_names_one_of_the_workload_clusters() -> None:
    assert any(p.startswith("workloadCluster: required with role workload") for p in
               problems(role="workload", managementStack=MGMT_STACK))
    assert "workloadCluster: 'cluster9' is not in workloadClusters; allowed are: cluster1, cluster2" in \
        problems(**{**WORKLOAD, "workloadCluster": "cluster9"})


def test_fleet_keys_outside_a_workload_stack_are_refused() -> None:
    found = problems(role="management", managementStack=MGMT_STACK, workloadCluster="cluster1")
    assert "managementStack: only a workload stack reads the management stack (role is management)" in found
    assert any(p.startswith("workloadCluster: only a workload stack names its one cluster (role is management)")
               for p in found)


def test_a_fleet_cannot_run_the_management_cluster_as_a_workload_cluster() -> None:
    found = problems(role="management", mgmtCluster="cluster1")
    assert any(p.startswith("mgmtCluster: with role management, the management cluster 'cluster1' cannot also be")
               for p in found)


def test_a_fleet_with_keycloak_keeps_httpbin_on_the_entry_gateway_cluster() -> None:
    features = ["gateway", "gateway-tls", "httpbin-workspace", "keycloak"]
    found = problems(role="management", features=features, httpbinCluster="cluster2")
    assert any(p.startswith("httpbinCluster: with role management and keycloak, httpbin must run on the first "
                            "workload cluster 'cluster1'") for p in found)
    assert parse_settings({"licenseKey": "l", "features": features, "httpbinCluster": "cluster2"}).role == "all"


@pytest.mark.parametrize("config, fragment", [
    ({"role": "workload", "workloadCluster": "cluster1"}, "managementStack: required with role workload"),
    ({**WORKLOAD, "workloadCluster": "cluster9"}, "workloadCluster: 'cluster9' is not in workloadClusters"),
])
def test_the_program_refuses_bad_roles_before_any_resource(config: dict[str, Any], fragment: str) -> None:
    monitor = RecordingMonitor(WorkshopMocks(preview=False))
    with pytest.raises(ConfigError, match=fragment):
        simulate({**dev_config(), **config}, monitor=monitor)
    assert monitor.records == []
