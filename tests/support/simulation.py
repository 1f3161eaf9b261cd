"""The harness: the program evaluated under the Pulumi mocks, once per test session per config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.core.features import FEATURES
from offline import ROOT
from offline.plan import Plan, plan
from offline.records import Simulation
from offline.runtime import simulate
from offline.stack_files import stack_config, with_fake_license
from tests.support import memo

#: The license every scenario passes (a test that needs none other uses this one, so caches are shared).
LICENSE = "test-license"


def _simulation_of(config_json: str) -> Simulation:
    return memo.shared(json.loads(config_json))


def cached_simulation(config: Mapping[str, Any]) -> Simulation:
    """The program simulated with `config`, once per test process per distinct config (a simulation
    takes about half a second; `memo` keeps it). Treat the result as read-only: other tests share it."""
    return _simulation_of(json.dumps(dict(config), sort_keys=True))


#: The simulations of configs reached by a change (`cached_plan`), by config.
_changed: dict[str, Simulation] = {}


@cache
def _plan_of(before_json: str, after_json: str) -> Plan:
    # A config already reached by an earlier change (the canary's steps) starts the next one from there:
    # its stand-in values may be of a later generation, which changes no plan.
    before = _changed.get(before_json) or _simulation_of(before_json)
    after = _changed[after_json] = simulate(json.loads(after_json), previous=before)
    return plan(before, after)


def cached_plan(before: Mapping[str, Any], after: Mapping[str, Any]) -> Plan:
    """The change plan (`tools.diff`) from config `before` to config `after`, once per test session."""
    return _plan_of(json.dumps(dict(before), sort_keys=True), json.dumps(dict(after), sort_keys=True))


def dev_config(**overrides: Any) -> dict[str, Any]:
    """Pulumi.dev.yaml's config (the whole workshop) with a fake license, plus overrides."""
    config, _ = with_fake_license(stack_config(ROOT / "Pulumi.dev.yaml"))
    config.update(overrides)
    return config


def buildable_features() -> list[str]:
    """Every feature this version builds whose prerequisites it builds too, in lab order."""
    chosen: list[str] = []
    for feature in FEATURES:  # the table lists prerequisites before the features that need them
        if feature.available and all(need in chosen for need in feature.needs):
            chosen.append(feature.name)
    return chosen


def base_stack_file(tmp_path: Path, name: str, **config: object) -> Path:
    """stacks/base.yaml with `config` set (keys without the project prefix), written to `tmp_path/<name>.yaml`."""
    doc = yaml.safe_load((ROOT / "stacks" / "base.yaml").read_text())
    doc["config"].update({f"gloo-mesh-workshop:{k}": v for k, v in config.items()})
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path
