"""One timed evaluation in this (fresh) process; `benchmarks.run` starts one process per sample.

    python -m benchmarks.evaluate --clusters 0            # the dev stack as committed
    python -m benchmarks.evaluate --clusters 20           # the whole workshop on 20 workload clusters
    python -m benchmarks.evaluate --clusters 0 --floor shape.json   # the floor (benchmarks.floor.shape)

Prints one JSON object: `import_s` (the Pulumi SDK, the harness and the program's modules),
`cold_s` (the first evaluation, which also loads the SDK modules it uses), `warm_s` (a second
evaluation of the same stack in the same process: the steady per-resource cost) and `records`.
"""

from __future__ import annotations

import time

_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import components.program  # noqa: E402,F401  (the program's modules, imported like `pulumi up` does)
from benchmarks.configs import dev_config, workshop_config  # noqa: E402
from tools.simulate import simulate  # noqa: E402


def config_for(clusters: int) -> dict[str, Any]:
    """0 is the dev stack as committed; N is the whole workshop on N workload clusters."""
    return dev_config() if clusters == 0 else workshop_config(clusters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evaluate")
    parser.add_argument("--clusters", type=int, default=0)
    parser.add_argument("--floor", type=Path, metavar="SHAPE_JSON",
                        help="evaluate the floor program of this shape (benchmarks.floor.shape) instead")
    args = parser.parse_args(argv)
    config = config_for(args.clusters)
    program: Callable[[], Any] | None = None
    if args.floor:
        from benchmarks.floor import floor_program

        program = floor_program(json.loads(args.floor.read_text()))
    imported = time.perf_counter() - _START
    start = time.perf_counter()
    sim = simulate(config, program=program)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    simulate(config, program=program)
    warm = time.perf_counter() - start
    print(json.dumps({"import_s": imported, "cold_s": cold, "warm_s": warm, "records": len(sim.records)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
