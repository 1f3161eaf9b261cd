"""One evaluation per distinct call within a test process: `simulate` memoised for the tests.

A simulation is deterministic: the same config (and stack outputs, preview flag) gives the same
records every run, which the suite proves (`test_the_program_is_deterministic`, the byte-identical
renders). About a third of the suite's calls repeat one already made, each costing most of a
second, so `install()` replaces `offline.runtime.simulate` before anything imports it by name, with
a version that hands each caller its own deep copy of the first result. Calls that depend on more
than their arguments' values (a `monitor` to inspect, another `program`, a `previous` simulation)
always evaluate, and so does every call under `disabled()`: a test of determinism compares two
real evaluations, never a result with its copy, and a test that changes what the program sees
besides its arguments (a monkeypatched component, the engine's feature answers) would evaluate
under it too (no test does today: they patch only functions they call directly).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import offline.runtime
from offline.records import Simulation

_results: dict[str, Simulation] = {}
_off = [False]


@contextmanager
def disabled() -> Iterator[None]:
    """Every `simulate` call inside evaluates the program anew."""
    _off.append(True)
    try:
        yield
    finally:
        _off.pop()


def _key(config: Any, preview: bool, stack_outputs: Any, deployed: bool) -> str:
    return json.dumps([config, preview, stack_outputs, deployed], sort_keys=True, default=repr)


def memoised(simulate: Callable[..., Simulation]) -> Callable[..., Simulation]:
    def run(config: Any, *, preview: bool = False, monitor: Any = None, program: Any = None,
            stack_outputs: Any = None, previous: Any = None, deployed: bool = False) -> Simulation:
        if _off[-1] or monitor is not None or program is not None or previous is not None:
            return simulate(config, preview=preview, monitor=monitor, program=program, stack_outputs=stack_outputs,
                            previous=previous, deployed=deployed)
        return copy.deepcopy(_first(simulate, config, preview, stack_outputs, deployed))

    run.__wrapped__ = simulate  # type: ignore[attr-defined]
    return run


def _first(simulate: Callable[..., Simulation], config: Any, preview: bool = False, stack_outputs: Any = None,
           deployed: bool = False) -> Simulation:
    key = _key(config, preview, stack_outputs, deployed)
    if key not in _results:
        _results[key] = simulate(config, preview=preview, stack_outputs=stack_outputs, deployed=deployed)
    return _results[key]


def shared(config: Any) -> Simulation:
    """The memo's own result for `config`, not a copy: for callers that promise to treat it as
    read-only (`tests.support.simulation.cached_simulation`)."""
    return _first(getattr(offline.runtime.simulate, "__wrapped__", offline.runtime.simulate), config)


def install() -> None:
    if not hasattr(offline.runtime.simulate, "__wrapped__"):
        offline.runtime.simulate = memoised(offline.runtime.simulate)
