"""Run the planned checks with retries inside one time budget, and render the result table.

Each check is retried every `interval` seconds until it passes or the run's deadline
(`start + timeout`) passes; every check gets at least one attempt, so the whole run takes at most
`timeout` plus one attempt per remaining check. A check that raises `Skipped` is reported SKIP
with the reason, and is never counted as passed. A result's detail is redacted (`redact.py`) as it
is made, so no token reaches the table, `--json`, `--junit` or `--report`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from .checks import Check
from .probe import Failed, Probe, Skipped
from .redact import redact
from .verdicts import Verdict

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass(frozen=True)
class Result:
    lab: str
    check: str
    status: str
    detail: str
    attempts: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", redact(self.detail))


def attempt(check: Check, probe: Probe) -> Verdict | str:
    """One try: a verdict, or the skip reason."""
    probe.begin_attempt()
    try:
        return check.probe(probe)
    except Skipped as skipped:
        return str(skipped)
    except Failed as failed:
        return failed.verdict
    except Exception as error:  # a bug in one check must not hide the others' results
        return Verdict.failed(f"{type(error).__name__}: {error}")


def run_checks(checks: Sequence[Check], probe: Probe, timeout: float, interval: float,
               clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
               on_result: Callable[[Result], None] | None = None) -> list[Result]:
    deadline = clock() + timeout
    results: list[Result] = []
    for check in checks:
        if check.skip:
            result = Result(check.lab, check.name, SKIP, check.skip)
        else:
            result = _retry(check, probe, deadline, interval, clock, sleep)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _retry(check: Check, probe: Probe, deadline: float, interval: float,
           clock: Callable[[], float], sleep: Callable[[float], None]) -> Result:
    attempts = 0
    while True:
        attempts += 1
        outcome = attempt(check, probe)
        if isinstance(outcome, str):
            return Result(check.lab, check.name, SKIP, outcome, attempts)
        if outcome.ok:
            return Result(check.lab, check.name, PASS, outcome.detail, attempts)
        probe.forget_attempt()
        if clock() + interval > deadline:
            return Result(check.lab, check.name, FAIL, outcome.detail, attempts)
        sleep(interval)


def failed(results: Iterable[Result]) -> bool:
    return any(r.status == FAIL for r in results)


def render_table(results: Sequence[Result], notes: dict[str, str] | None = None) -> str:
    """Plain-text table: LAB | CHECK | RESULT | DETAIL, then a summary line."""
    header = ("LAB", "CHECK", "RESULT", "DETAIL")
    rows = [(r.lab, r.check, r.status if r.attempts <= 1 else f"{r.status} ({r.attempts} tries)", r.detail)
            for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  ------")
    counts = {status: sum(r.status == status for r in results) for status in (PASS, FAIL, SKIP)}
    if not results:
        lines.append("(no checks apply to the enabled features)")
    for feature, why in (notes or {}).items():
        lines.append(f"note: {feature}: no checks of its own; {why}")
    lines.append(f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[SKIP]} skipped")
    return "\n".join(lines)


JSON_FORMAT = 1


def results_json(results: Sequence[Result], features: Iterable[str],
                 notes: dict[str, str] | None = None, strict: bool = False) -> dict[str, Any]:
    """The run as `tools.verify --json` prints it (docs/json-output.md): the same rows as the table."""
    counts = {status: sum(r.status == status for r in results) for status in (PASS, FAIL, SKIP)}
    return {
        "format": JSON_FORMAT,
        "features": sorted(features),
        "results": [{"lab": r.lab, "check": r.check, "status": r.status, "detail": r.detail,
                     "attempts": r.attempts} for r in results],
        "notes": dict(sorted((notes or {}).items())),
        "summary": {"passed": counts[PASS], "failed": counts[FAIL], "skipped": counts[SKIP]},
        "ok": not counts[FAIL] and not (strict and counts[SKIP]),
    }


def junit_xml(results: Sequence[Result], suite: str = "tools.verify") -> str:
    """JUnit XML for CI: one testsuite, one testcase per check (classname: the lab); FAIL is a
    <failure>, SKIP a <skipped>, each with the detail as its message."""
    counts = {status: sum(r.status == status for r in results) for status in (PASS, FAIL, SKIP)}
    attributes = {"name": suite, "tests": str(len(results)), "failures": str(counts[FAIL]), "errors": "0",
                  "skipped": str(counts[SKIP])}
    suites = ElementTree.Element("testsuites", attributes)
    testsuite = ElementTree.SubElement(suites, "testsuite", attributes)
    for r in results:
        case = ElementTree.SubElement(testsuite, "testcase", {"classname": r.lab, "name": r.check})
        if r.status == FAIL:
            ElementTree.SubElement(case, "failure", {"message": r.detail}).text = r.detail
        elif r.status == SKIP:
            ElementTree.SubElement(case, "skipped", {"message": r.detail})
        if r.attempts > 1:
            ElementTree.SubElement(case, "system-out").text = f"{r.attempts} attempts"
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
