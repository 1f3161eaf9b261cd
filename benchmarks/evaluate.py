"""One timed evaluation in this (fresh) process; `benchmarks.run` starts one process per sample.

    python -m benchmarks.evaluate --clusters 0            # the dev stack as committed
    python -m benchmarks.evaluate --clusters 20           # the whole workshop on 20 workload clusters
    python -m benchmarks.evaluate --clusters 0 --floor shape.json   # the floor (benchmarks.floor.shape)

Prints one JSON object: `import_s` (the Pulumi SDK, the harness and the program's modules),
`cold_s` (the first evaluation, which also loads the SDK modules it uses), `warm_s` (the median
of `--warm` more evaluations of the same stack in the same process: the steady per-resource cost), `records`, and
for each evaluation the time spent in Python's cyclic garbage collector (`cold_gc_s`, `warm_gc_s`):
a full collection walks every object of the process, most of them the SDK's modules, so it costs
the same whatever the stack and lands on whichever evaluation crosses its threshold. Each timed
evaluation starts after a `gc.collect()`, so what it pays for is its own garbage.
"""

from __future__ import annotations

import time

_START = time.perf_counter()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import components.program  # noqa: E402,F401  (the program's modules, imported like `pulumi up` does)
from benchmarks.configs import dev_config, workshop_config  # noqa: E402
from offline.runtime import simulate  # noqa: E402


def config_for(clusters: int) -> dict[str, Any]:
    """0 is the dev stack as committed; N is the whole workshop on N workload clusters."""
    return dev_config() if clusters == 0 else workshop_config(clusters)


class GcClock:
    """Time spent in the cyclic garbage collector since `reset()`."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started

    def reset(self) -> None:
        self.total = 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evaluate")
    parser.add_argument("--clusters", type=int, default=0)
    parser.add_argument("--floor", type=Path, metavar="SHAPE_JSON",
                        help="evaluate the floor program of this shape (benchmarks.floor.shape) instead")
    parser.add_argument("--warm", type=int, default=3, help="warm evaluations after the cold one (median)")
    args = parser.parse_args(argv)
    config = config_for(args.clusters)
    program: Callable[[], Any] | None = None
    if args.floor:
        from benchmarks.floor import floor_program

        program = floor_program(json.loads(args.floor.read_text()))
    imported = time.perf_counter() - _START
    # Each timed evaluation starts from a collected heap, so the collections it pays for are its own.
    gc.collect()
    clock = GcClock()
    start = time.perf_counter()
    records = len(simulate(config, program=program).records)
    cold, cold_gc = time.perf_counter() - start, clock.total
    warm_samples = []
    for _ in range(args.warm):
        gc.collect()
        clock.reset()
        start = time.perf_counter()
        simulate(config, program=program)
        warm_samples.append((time.perf_counter() - start, clock.total))
    warm, warm_gc = statistics.median_low(warm_samples)  # one evaluation: its time and its GC
    print(json.dumps({"import_s": imported, "cold_s": cold, "warm_s": warm, "cold_gc_s": cold_gc,
                      "warm_gc_s": warm_gc, "records": records}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
