"""Simulations the app-lab tests share: each config is evaluated once per test session."""

from __future__ import annotations

from typing import Any

from components.config import Settings, parse_settings
from tests.conftest import cached_simulation, dev_config
from tools.simulate import Record, Simulation

LICENSE = {"licenseKey": "test-license"}


CONFIGS: dict[str, dict[str, Any]] = {
    "dev": dev_config(),
    "dev-base": dev_config(features=[]),
    "dev-httpbin-workspace": dev_config(features=["httpbin-workspace"]),
    "kubernetes": {**LICENSE, "platform": "kubernetes"},
    "three": {**LICENSE, "workloadClusters": ["cluster1", "cluster2", "cluster3"],
              "features": ["httpbin-workspace"]},
    "mgmt-is-workload": {**LICENSE, "mgmtCluster": "cluster1", "platform": "openshift",
                         "features": ["httpbin-workspace"]},
    "elsewhere": {**LICENSE, "httpbinCluster": "cluster2", "configCluster": "cluster2",
                  "features": ["httpbin-workspace"]},
}


def sim(name: str) -> Simulation:
    return cached_simulation(CONFIGS[name])


def settings(**values: Any) -> Settings:
    return parse_settings({**LICENSE, **values})


def istio_ready(s: Simulation, cluster: str) -> Record:
    """The IstioLifecycleManager of a workload cluster (on the management cluster): Istio is HEALTHY."""
    return s.one("IstioLifecycleManager", name=f"{cluster}-installation")


def agent_release(s: Simulation, cluster: str) -> Record:
    return s.one("Release", cluster=cluster, name="gloo-mesh-agent")
