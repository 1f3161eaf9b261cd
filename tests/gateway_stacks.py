"""Stacks the gateway-lab tests simulate, each evaluated once per test session (a simulation takes ~0.5 s)."""

from __future__ import annotations

import dataclasses
from typing import Any

from components.config import Settings, parse_settings
from tests.conftest import cached_simulation
from tools.simulate import Simulation

LICENSE = "test-license-not-a-real-key"

GATEWAY = ["gateway"]
GATEWAY_TLS = ["gateway", "gateway-tls"]
VIRTUAL_DESTINATIONS = ["gateway", "gateway-tls", "root-trust", "virtual-destinations"]
ALL_GATEWAY_LABS = ["gateway", "gateway-tls", "traffic-policies", "root-trust", "virtual-destinations", "failover",
                    "httpbin-workspace", "external-service"]


def stack(features: list[str], **config: Any) -> Simulation:
    """The simulated program for a feature list and further config (cached: treat the result as read-only)."""
    return cached_simulation({"licenseKey": LICENSE, "features": features, **config})


def settings(features: list[str] | None = None, **config: Any) -> Settings:
    return parse_settings({"licenseKey": LICENSE, "features": features or [], **config})


def with_features(base: Settings, *features: str) -> Settings:
    """Settings with exactly these features, bypassing availability checks (for labs built elsewhere)."""
    return dataclasses.replace(base, features=frozenset(features))
