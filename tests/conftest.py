"""Session fixtures: the dev stack as committed, and on plain Kubernetes (helpers: `tests/support/`)."""

from __future__ import annotations

import pytest

from tests.support import memo

memo.install()  # before any module imports `simulate` by name

from offline.records import Simulation  # noqa: E402
from offline.runtime import simulate  # noqa: E402
from tests.support.simulation import dev_config  # noqa: E402


@pytest.fixture(scope="session")
def dev_sim() -> Simulation:
    """The dev stack as it is committed."""
    return simulate(dev_config())


@pytest.fixture(scope="session")
def kubernetes_sim() -> Simulation:
    """The dev stack on plain Kubernetes."""
    return simulate(dev_config(platform="kubernetes"))
