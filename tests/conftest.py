"""Shared fixtures: configs as the stack files give them, evaluated under the Pulumi mocks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from tools.simulate import ROOT, Simulation, simulate, stack_config, with_fake_license


@cache
def _simulation_of(config_json: str) -> Simulation:
    return simulate(json.loads(config_json))


def cached_simulation(config: Mapping[str, Any]) -> Simulation:
    """The program simulated with `config`, once per test session per distinct config (a simulation
    takes about half a second). Treat the result as read-only: other tests share it."""
    return _simulation_of(json.dumps(dict(config), sort_keys=True))


def dev_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.dev.yaml's config (the whole workshop) with a fake license, plus overrides."""
    config, _ = with_fake_license(stack_config(ROOT / "Pulumi.dev.yaml"))
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def dev_sim() -> Simulation:
    """The dev stack as it is committed."""
    return simulate(dev_config())


@pytest.fixture(scope="session")
def kubernetes_sim() -> Simulation:
    """The dev stack on plain Kubernetes."""
    return simulate(dev_config(platform="kubernetes"))
