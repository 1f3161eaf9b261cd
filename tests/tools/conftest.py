"""Fixtures the command tests share: the loopback workshop the verifier's tests talk to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fakes.workshop import FakeWorkshop


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeWorkshop]:
    fake = FakeWorkshop(tmp_path_factory.mktemp("tls"))
    yield fake
    fake.close()
