"""Shared simulations for the tests of labs 13 and 16-21 (each simulate() runs once per config)."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import cached_simulation
from tools.simulate import Simulation

LICENSE = "test-license"
PREREQUISITES = ("gateway", "gateway-tls", "httpbin-workspace")
SECURITY = ("zero-trust", "keycloak", "oauth", "opa", "jwt", "transformation", "rate-limit", "waf")
ALL = PREREQUISITES + SECURITY

# What the workshop's shell variables become under the mocks (LoadBalancer hosts are
# `<service>.<namespace>.<cluster>.lb.example`).
ENDPOINT_HTTPS_GW_CLUSTER1 = "istio-ingressgateway.istio-gateways.cluster1.lb.example:443"
HOST_KEYCLOAK = "keycloak.keycloak.mgmt.lb.example"
KEYCLOAK_URL = f"http://{HOST_KEYCLOAK}:8080"


def simulation(features: tuple[str, ...] = ALL, **config: Any) -> Simulation:
    """The simulated program with these features and further config (cached: treat it as read-only)."""
    return cached_simulation({"licenseKey": LICENSE, "features": list(features), **config})


def decode(data: str) -> str:
    return base64.b64decode(data).decode()


def record_key(sim: Simulation, kind: str) -> list[tuple[str | None, str | None, str | None]]:
    """(cluster, namespace, name) of every object of a kind, sorted."""
    return sorted((r.cluster, r.namespace, r.k8s_name) for r in sim.select(kind))
