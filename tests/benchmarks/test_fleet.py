"""The fleet benchmark's verdicts (benchmarks/fleet.py), on made-up rows: each goal can fail."""

from __future__ import annotations

import pytest

from benchmarks.fleet import FleetRow, goals, r_squared


def row(clusters: int, management_s: float, input_bytes: int, workload_s: float) -> FleetRow:
    return FleetRow(clusters, management_s, 9, input_bytes, workload_s, workload_s, 40, 0.1 * clusters, 100)


def test_r_squared_of_a_line_is_one_and_of_a_curve_is_less() -> None:
    assert r_squared([2, 5, 20], [2374 + 198 * x for x in (2, 5, 20)]) == pytest.approx(1.0)
    assert r_squared([1, 2, 3, 4], [1, 4, 9, 40]) < 0.9


def test_goals_pass_a_flat_workload_and_a_linear_management_stack() -> None:
    verdicts = goals([row(2, 0.030, 2770, 0.100), row(20, 0.040, 6334, 0.110), row(50, 0.050, 12274, 0.105)])
    assert [ok for _, ok, _ in verdicts] == [True, True, True]
    assert verdicts[1][2] == "198 bytes per cluster + 2374 bytes, R² 1.0000 (goal ≥ 0.99)"


def test_goals_fail_a_workload_stack_that_grows_with_the_fleet() -> None:
    verdicts = goals([row(2, 0.03, 2770, 0.100), row(50, 0.05, 12274, 0.200)])
    assert verdicts[0][1] is False and verdicts[0][2] == "slowest/fastest 2.00× (goal ≤ 1.25×)"


def test_goals_fail_a_management_stack_slower_than_linear() -> None:
    verdicts = goals([row(2, 0.01, 2770, 0.1), row(4, 0.05, 3166, 0.1)])
    assert verdicts[2][1] is False and verdicts[2][2] == "5.00× for 2× the clusters"
