"""Shared fixtures: configs as the stack files give them, evaluated under the Pulumi mocks."""

from __future__ import annotations

from typing import Any

import pytest

from tools.simulate import ROOT, Simulation, simulate, stack_config, with_fake_license


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
