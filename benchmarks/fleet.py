"""Fleet scale: evaluation time of a fleet's stacks as the fleet grows from 2 to 50 workload clusters.

    ./venv/bin/gmw bench fleet                  # about 2 minutes on 2 cores
    ./venv/bin/gmw bench fleet --sizes 2 5 --runs 3
    ./venv/bin/gmw bench fleet --update-docs    # also refresh the table in docs/performance.md

For each size, the fleet is `fleets/dev.yaml` with that many workload clusters (the whole
workshop, every feature on: `offline.fleet.spec.generated_fleet`). Measured under the mock runtime,
in this process, each evaluation after a `gc.collect()` and one untimed warm-up, the median of
`--runs`: the management stack; the first workload stack (the entry gateway's: it also has
Keycloak and the httpbin labs) and the last one (a plain workload cluster); and, for comparison,
the single stack (`role: all`) of the same estate. The goals: a workload stack's time is flat
as the fleet grows (max/min within `FLAT_SPREAD`); the management stack's grows linearly in the
clusters: the size of its inputs (the Workspaces list every cluster) fits a line (R² ≥ 0.99, exact,
as it does not depend on the machine), and its time grows no faster than the clusters do.
Writes benchmarks/results/fleet.md and fleet.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.run import RESULTS, linear_fit, machine
from offline import ROOT
from offline.counts import count
from offline.fleet.parse import load_fleet
from offline.fleet.spec import Fleet, generated_fleet, licensed, single_stack_config, stack_configs
from offline.records import Simulation, reveal
from offline.runtime import simulate

SIZES = (2, 5, 10, 20, 50)
#: A workload stack is flat when its slowest size is within this factor of its fastest.
FLAT_SPREAD = 1.25
DOCS = ROOT / "docs" / "performance.md"
DOCS_START = "<!-- fleet-results:start (benchmarks/fleet.py --update-docs) -->"
DOCS_END = "<!-- fleet-results:end -->"


@dataclass
class FleetRow:
    clusters: int
    management_s: float
    management_resources: int
    #: Bytes of the management stack's declared inputs (JSON): what grows with the clusters.
    management_input_bytes: int
    first_workload_s: float
    last_workload_s: float
    workload_resources: int
    single_s: float
    single_resources: int


def timed(evaluate: Callable[[], Simulation], runs: int) -> tuple[float, Simulation]:
    sim = evaluate()  # warm-up: module imports and first-call caches are not the stack's cost
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        sim = evaluate()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), sim


def declared(sim: Simulation) -> int:
    """The stack's resources as the render and the plan count them (`offline.counts`: no providers, no reads)."""
    return count(sim).resources


def input_bytes(sim: Simulation) -> int:
    return sum(len(json.dumps(reveal(r.inputs), sort_keys=True, default=str)) for r in sim.records
               if r.custom and not r.read)


def measure(fleet: Fleet, runs: int, single_runs: int) -> FleetRow:
    configs = stack_configs(fleet)
    management_config = licensed(configs[fleet.management_stack])
    management_s, management = timed(lambda: simulate(management_config), runs)
    outputs = {fleet.qualified(fleet.management_stack): management.outputs}
    first, last = (configs[fleet.workload_stack(c.name)] for c in (fleet.workloads[0], fleet.workloads[-1]))
    first_s, _ = timed(lambda: simulate(first, stack_outputs=outputs), runs)
    last_s, last_sim = timed(lambda: simulate(last, stack_outputs=outputs), runs)
    single_config = licensed(single_stack_config(fleet))
    single_s, single = timed(lambda: simulate(single_config), single_runs)
    return FleetRow(len(fleet.workloads), management_s, declared(management), input_bytes(management), first_s,
                    last_s, declared(last_sim), single_s, declared(single))


def r_squared(xs: list[float], ys: list[float]) -> float:
    intercept, slope = linear_fit(xs, ys)
    mean = statistics.fmean(ys)
    total = sum((y - mean) ** 2 for y in ys)
    residual = sum((y - (slope * x + intercept)) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1.0 - residual / total if total else 1.0


def goals(rows: list[FleetRow]) -> list[tuple[str, bool, str]]:
    last = [r.last_workload_s for r in rows]
    spread = max(last) / min(last)
    xs = [float(r.clusters) for r in rows]
    sizes = [float(r.management_input_bytes) for r in rows]
    intercept, slope = linear_fit(xs, sizes)
    fit = r_squared(xs, sizes)
    growth = rows[-1].management_s / rows[0].management_s
    clusters = rows[-1].clusters / rows[0].clusters
    return [
        (f"a workload stack's evaluation is flat from {rows[0].clusters} to {rows[-1].clusters} clusters",
         spread <= FLAT_SPREAD, f"slowest/fastest {spread:.2f}× (goal ≤ {FLAT_SPREAD}×)"),
        ("the management stack's inputs grow linearly in the clusters", fit >= 0.99,
         f"{slope:.0f} bytes per cluster + {intercept:.0f} bytes, R² {fit:.4f} (goal ≥ 0.99)"),
        ("the management stack's time grows no faster than the clusters", growth <= clusters,
         f"{growth:.2f}× for {clusters:.0f}× the clusters"),
    ]


def table(rows: list[FleetRow]) -> list[str]:
    lines = ["| workload clusters | management stack | resources | inputs | first workload stack "
             "| last workload stack | resources | single stack (role all) | resources |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.clusters} | {r.management_s * 1000:.0f} ms | {r.management_resources} "
              f"| {r.management_input_bytes / 1024:.1f} KiB "
              f"| {r.first_workload_s * 1000:.0f} ms | {r.last_workload_s * 1000:.0f} ms | {r.workload_resources} "
              f"| {r.single_s * 1000:.0f} ms | {r.single_resources} |" for r in rows]
    return lines


def report(rows: list[FleetRow], info: dict[str, Any], runs: int) -> str:
    verdicts = [f"- {'PASS' if ok else 'FAIL'}: {what} — {detail}" for what, ok, detail in goals(rows)]
    return "\n".join([
        "# Fleet scale", "",
        f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, pulumi {info['pulumi']}, {info['date']}; "
        f"warm evaluations under the mock runtime, median of {runs}.", "",
        *table(rows), "", *verdicts, ""])


def update_docs(lines: list[str], info: dict[str, Any]) -> None:
    text = DOCS.read_text()
    start, end = text.index(DOCS_START) + len(DOCS_START), text.index(DOCS_END)
    body = "\n".join(["", f"Measured on {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
                          f"{info['date']}; warm, median of the runs:", "", *lines, ""])
    DOCS.write_text(text[:start] + body + text[end:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gmw bench fleet", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES), help="workload cluster counts")
    parser.add_argument("--runs", type=int, default=5, help="timed evaluations per stack (default 5)")
    parser.add_argument("--single-runs", type=int, default=1, help="timed evaluations of the single stack")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write fleet.md/.json")
    parser.add_argument("--update-docs", action="store_true", help="refresh the table in docs/performance.md")
    args = parser.parse_args(argv)
    base = load_fleet("dev")
    rows = []
    for size in args.sizes:
        rows.append(measure(generated_fleet(base, size), args.runs, args.single_runs))
        print(table(rows)[-1], flush=True)
    info = machine()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fleet.md").write_text(report(rows, info, args.runs))
    (args.out / "fleet.json").write_text(json.dumps({"machine": info, "rows": [asdict(r) for r in rows]}, indent=2))
    for what, ok, detail in goals(rows):
        print(f"{'PASS' if ok else 'FAIL'}: {what} — {detail}")
    if args.update_docs:
        update_docs([*table(rows), "", *(f"- {'PASS' if ok else 'FAIL'}: {what} — {detail}"
                                        for what, ok, detail in goals(rows))], info)
    return 0 if all(ok for _, ok, _ in goals(rows)) else 1


if __name__ == "__main__":
    sys.exit(main())
