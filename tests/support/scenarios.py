"""The stacks the lab tests simulate, each evaluated once per test session (cached: read-only)."""

from __future__ import annotations

import base64
import dataclasses
from functools import cache
from typing import Any

from components.core.config import Settings, parse_settings
from offline.fleet.check import FleetEvaluation, evaluate
from offline.fleet.parse import load_fleet
from offline.fleet.spec import Fleet
from offline.records import Record, Simulation
from tests.support.simulation import LICENSE, cached_simulation, dev_config

# --- apps (labs 4-8, 14) ---------------------------------------------------------------------------

CONFIGS: dict[str, dict[str, Any]] = {
    "dev": dev_config(),
    "dev-base": dev_config(features=[]),
    "dev-httpbin-workspace": dev_config(features=["httpbin-workspace"]),
    "kubernetes": {"licenseKey": LICENSE, "platform": "kubernetes"},
    "three": {"licenseKey": LICENSE, "workloadClusters": ["cluster1", "cluster2", "cluster3"],
              "features": ["httpbin-workspace"]},
    "mgmt-is-workload": {"licenseKey": LICENSE, "mgmtCluster": "cluster1", "platform": "openshift",
                         "features": ["httpbin-workspace"]},
    "elsewhere": {"licenseKey": LICENSE, "httpbinCluster": "cluster2", "configCluster": "cluster2",
                  "features": ["httpbin-workspace"]},
}


def sim(name: str) -> Simulation:
    return cached_simulation(CONFIGS[name])


def istio_ready(s: Simulation, cluster: str) -> Record:
    """The IstioLifecycleManager of a workload cluster (on the management cluster): Istio is HEALTHY."""
    return s.one("IstioLifecycleManager", name=f"{cluster}-installation")


def agent_release(s: Simulation, cluster: str) -> Record:
    return s.one("Release", cluster=cluster, name="gloo-mesh-agent")


# --- settings without a simulation -----------------------------------------------------------------

def settings(features: list[str] | None = None, **config: Any) -> Settings:
    return parse_settings({"licenseKey": LICENSE, "features": features or [], **config})


def with_features(base: Settings, *features: str) -> Settings:
    """Settings with exactly these features, bypassing availability checks (for labs built elsewhere)."""
    return dataclasses.replace(base, features=frozenset(features))


# --- gateway labs (9-12, 15) -----------------------------------------------------------------------

GATEWAY = ["gateway"]
GATEWAY_TLS = ["gateway", "gateway-tls"]
VIRTUAL_DESTINATIONS = ["gateway", "gateway-tls", "root-trust", "virtual-destinations"]
ALL_GATEWAY_LABS = ["gateway", "gateway-tls", "traffic-policies", "root-trust", "virtual-destinations", "failover",
                    "httpbin-workspace", "external-service"]


def stack(features: list[str], **config: Any) -> Simulation:
    """The simulated program for a feature list and further config."""
    return cached_simulation({"licenseKey": LICENSE, "features": features, **config})


# --- security labs (13, 16-21) ---------------------------------------------------------------------

PREREQUISITES = ("gateway", "gateway-tls", "httpbin-workspace")
SECURITY = ("zero-trust", "keycloak", "oauth", "opa", "jwt", "transformation", "rate-limit", "waf")
ALL = PREREQUISITES + SECURITY


def simulation(features: tuple[str, ...] = ALL, **config: Any) -> Simulation:
    """The simulated program with these features and further config."""
    return cached_simulation({"licenseKey": LICENSE, "features": list(features), **config})


def decode(data: str) -> str:
    return base64.b64decode(data).decode()


def record_key(sim: Simulation, kind: str) -> list[tuple[str | None, str | None, str | None]]:
    """(cluster, namespace, name) of every object of a kind, sorted."""
    return sorted((r.cluster, r.namespace, r.k8s_name) for r in sim.select(kind))


# --- fleets (docs/fleet.md) ------------------------------------------------------------------------

@cache
def dev_fleet() -> tuple[Fleet, FleetEvaluation]:
    """fleets/dev.yaml and its evaluation: the single stack and each of the fleet's stacks."""
    fleet = load_fleet("dev")
    return fleet, evaluate(fleet)
