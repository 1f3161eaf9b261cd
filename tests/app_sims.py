"""Simulations the app-lab tests share: each config is evaluated once per test session."""

from __future__ import annotations

from functools import cache
from typing import Any

from components.config import Settings, parse_settings
from tools.simulate import ROOT, Record, Simulation, simulate, stack_config

LICENSE = {"licenseKey": "test-license"}


def dev_config(**overrides: Any) -> dict[str, Any]:
    """The dev stack (the workshop: OpenShift, mgmt + cluster1 + cluster2) with a test license."""
    return {**stack_config(ROOT / "Pulumi.dev.yaml"), **LICENSE, **overrides}


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


@cache
def sim(name: str) -> Simulation:
    return simulate(CONFIGS[name])


def settings(**values: Any) -> Settings:
    return parse_settings({**LICENSE, **values})


def istio_ready(s: Simulation, cluster: str) -> Record:
    """The IstioLifecycleManager of a workload cluster (on the management cluster): Istio is HEALTHY."""
    return s.one("IstioLifecycleManager", name=f"{cluster}-installation")


def agent_release(s: Simulation, cluster: str) -> Record:
    return s.one("Release", cluster=cluster, name="gloo-mesh-agent")
