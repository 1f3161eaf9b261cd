"""Fleet files for the fleet tests: the dev fleet with changes, and the problems its parse reports."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from offline import ROOT
from offline.fleet.parse import parse_fleet
from offline.fleet.spec import FleetError


def fleet_doc(**changes: Any) -> dict[str, Any]:
    """fleets/dev.yaml as data, with `changes` replacing its top-level sections."""
    doc = yaml.safe_load((ROOT / "fleets" / "dev.yaml").read_text())
    doc.update(changes)
    return doc


def fleet_problems(doc: dict[str, Any]) -> list[str]:
    """The problems the fleet file check reports for `doc` (it must refuse it)."""
    with pytest.raises(FleetError) as caught:
        parse_fleet(doc, "test.yaml")
    return caught.value.problems
