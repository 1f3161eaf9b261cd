"""Config for the reader's tests: the least a stack needs, a fleet's workload stack, and what
`parse_settings` refuses of a config built from them."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.config import ConfigError, parse_settings

#: The least config `parse_settings` accepts: a license (every other key has its default).
VALID = {"licenseKey": "license"}
MGMT_STACK = "my-org/gloo-mesh-workshop/dev-management"
#: A fleet's workload stack for cluster2 (it needs no license).
WORKLOAD = {"role": "workload", "managementStack": MGMT_STACK, "workloadCluster": "cluster2"}


def problems(**values: Any) -> list[str]:
    """Every problem `parse_settings` reports for VALID with `values` on top (it must refuse it)."""
    with pytest.raises(ConfigError) as caught:
        parse_settings({**VALID, **values})
    return caught.value.problems
