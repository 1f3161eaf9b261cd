"""Shared fixtures: configs as the stack files give them, evaluated under the Pulumi mocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.features import FEATURES_BY_NAME
from tools.simulate import ROOT, Simulation, simulate, stack_config, with_fake_license


def unavailable(features: list[str]) -> list[str]:
    """The features of a list that this version does not build yet."""
    return [f for f in features if f in FEATURES_BY_NAME and not FEATURES_BY_NAME[f].available]


def dev_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.dev.yaml's config with a fake license, plus overrides.

    The dev stack lists every lab; the ones not built yet in this version are left out here, so the
    tests exercise whatever the dev stack can deploy today (once every lab is built, nothing is).
    """
    config, _ = with_fake_license(stack_config(ROOT / "Pulumi.dev.yaml"))
    config["features"] = [f for f in config.get("features", []) if f not in unavailable(config.get("features", []))]
    config.update(overrides)
    return config


def renderable_dev_stack(directory: Path) -> str:
    """What to give `tools.render` for the dev stack: `dev`, or while some of its labs are not built yet,
    a copy of Pulumi.dev.yaml without them (written to `directory`)."""
    doc = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    key = "gloo-mesh-workshop:features"
    missing = unavailable(doc["config"].get(key, []))
    if not missing:
        return "dev"
    doc["config"][key] = [f for f in doc["config"][key] if f not in missing]
    path = directory / "dev-available.yaml"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


@pytest.fixture(scope="session")
def dev_sim() -> Simulation:
    """The dev stack as it is committed."""
    return simulate(dev_config())


@pytest.fixture(scope="session")
def kubernetes_sim() -> Simulation:
    """The dev stack on plain Kubernetes."""
    return simulate(dev_config(platform="kubernetes"))
