"""Shared simulations for the tests of labs 13 and 16-21 (each simulate() runs once per config)."""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any

from tools.simulate import Simulation, simulate

LICENSE = "test-license"
PREREQUISITES = ("gateway", "gateway-tls", "httpbin-workspace")
SECURITY = ("zero-trust", "keycloak", "oauth", "opa", "jwt", "transformation", "rate-limit", "waf")
ALL = PREREQUISITES + SECURITY

# What the workshop's shell variables become under the mocks (LoadBalancer hosts are
# `<service>.<namespace>.<cluster>.lb.example`).
ENDPOINT_HTTPS_GW_CLUSTER1 = "istio-ingressgateway.istio-gateways.cluster1.lb.example:443"
HOST_KEYCLOAK = "keycloak.keycloak.mgmt.lb.example"
KEYCLOAK_URL = f"http://{HOST_KEYCLOAK}:8080"


@cache
def _simulate(features: tuple[str, ...], extra: tuple[tuple[str, Any], ...]) -> Simulation:
    return simulate({"licenseKey": LICENSE, "features": list(features), **{k: v for k, v in extra}})


def simulation(features: tuple[str, ...] = ALL, **config: Any) -> Simulation:
    return _simulate(tuple(features), tuple(sorted((k, json.dumps(v) if isinstance(v, list) else v)
                                                   for k, v in config.items())))


def decode(data: str) -> str:
    return base64.b64decode(data).decode()


def record_key(sim: Simulation, kind: str) -> list[tuple[str | None, str | None, str | None]]:
    """(cluster, namespace, name) of every object of a kind, sorted."""
    return sorted((r.cluster, r.namespace, r.k8s_name) for r in sim.select(kind))
