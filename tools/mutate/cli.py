"""`gmw mutate [PATH ...]`: which one-token changes of the pure core no test notices.

Each PATH (a module, or a folder of them) is scored on its own: noticed mutants over all but the ones
`tools/mutate/equivalents.txt` calls equivalent. Without PATH, the core the suite must pin: the
feature flags, the config reader, the change plan, the policy rules and the replacement model.
Exit 1 when a PATH scores under `--min-score` (or the equivalents file names a mutant that no
longer exists), 2 when it cannot run (the tests fail unmutated, a bad path or equivalents file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tools import prog
from tools.mutate.mutants import CONTROL, Mutant, mutants
from tools.mutate.plan import (
    EQUIVALENT,
    GRACE,
    NOTICED,
    SURVIVED,
    UNCOVERED,
    Equivalent,
    EquivalentsError,
    Tally,
    importers_of,
    mark_equivalents,
    module_name,
    nodeids_for,
    parse_equivalents,
    score,
    timeout_for,
)
from tools.mutate.run import HOME, Job, RunError, map_lines, run_jobs

CORE = ("components/core/features.py", "components/core/config", "offline/plan.py", "offline/changes.py",
        "offline/assignments.py", "policy/rules", "offline/replacement.py")
EQUIVALENTS = "tools/mutate/equivalents.txt"
CONTROL_TESTS = 20


class UsageError(Exception):
    """What stops the command before it runs anything: exit 2, the message on standard error."""  # the fastest tests of a module run once through the mutant loader, unmutated


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog("mutate"), description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", default=list(CORE), metavar="PATH", help="modules or folders to mutate")
    p.add_argument("--root", type=Path, default=HOME, help="the project (default: this one)")
    p.add_argument("--tests", nargs="+", default=["tests"], metavar="TEST", help="what pytest runs (default: tests)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants at a time (default: the cores)")
    p.add_argument("--equivalents", type=Path, help=f"the equivalent mutants (default: {EQUIVALENTS})")
    p.add_argument("--min-score", type=float, default=95.0, help="percent each PATH must reach (default: 95)")
    p.add_argument("--grace", type=float, default=GRACE, metavar="SECONDS",
                   help="time for a test process to start, on top of 3x its tests' time (default: 30)")
    p.add_argument("--json", type=Path, help="write every mutant and its outcome here")
    p.add_argument("--again", type=Path, metavar="REPORT",
                   help="run only the mutants that survived in this --json report; keep the others' outcomes")
    return p


def files_of(root: Path, path: str) -> list[Path]:
    target = root / path
    if target.is_dir():
        return sorted(p for p in target.rglob("*.py") if "__pycache__" not in p.parts)
    if target.suffix == ".py" and target.is_file():
        return [target]
    raise UsageError(f"{path}: not a Python module or folder under {root}")


def _equivalents(root: Path, given: Path | None) -> list[Equivalent]:
    path = given or root / EQUIVALENTS
    if not path.is_file():
        if given is not None:
            raise UsageError(f"--equivalents {given}: no such file")
        return []
    try:
        return parse_equivalents(path.read_text(), str(path))
    except EquivalentsError as error:
        raise UsageError(str(error)) from None


def _previous(report: Path | None) -> dict[tuple[str, str], str]:
    if report is None:
        return {}
    data = json.loads(report.read_text())
    return {(m["path"], m["key"]): m["outcome"] for m in data["mutants"]}


def plan_jobs(root: Path, files: Sequence[Path], lines: dict[str, dict[int, set[str]]], seconds: dict[str, float],
              previous: dict[tuple[str, str], str], equivalents: Sequence[Equivalent],
              tallies: dict[str, Tally], grace: float = GRACE) -> tuple[list[Job], dict[str, list[Mutant]], list[Equivalent]]:
    """The processes to start: a control per module, then each mutant not known equivalent and not
    already noticed in the `--again` report (one it called equivalent runs again unless it still is).
    Also returns the equivalents that match no mutant."""
    jobs, found, stale = [], {}, []
    test_sources = {f: (root / f).read_text() for f in sorted({n.split("::")[0] for n in seconds})
                    if (root / f).is_file()}
    for path in files:
        relative = path.relative_to(root).as_posix()
        tally = tallies[relative] = Tally(relative)
        found[relative] = mutants(path.read_text())
        stale += mark_equivalents(tally, found[relative], equivalents)
        by_line = lines.get(str(path.resolve()), {})
        module = module_name(root, path)
        importers = importers_of(module, test_sources)
        unmutated = Mutant(CONTROL, 0, "control", "", "", "", True)
        control = nodeids_for(unmutated, by_line, seconds)[:CONTROL_TESTS]
        if found[relative] and control:
            jobs.append(Job(path, module, unmutated, tuple(control),
                            timeout_for(control, seconds, grace)))
        for mutant in found[relative]:
            earlier = previous.get((relative, mutant.key))
            nodeids = nodeids_for(mutant, by_line, seconds, importers)
            if mutant.index in tally.equivalent:
                tally.outcomes[mutant.index] = EQUIVALENT
            elif earlier in NOTICED:  # noticed by some tests: by all of them too
                tally.outcomes[mutant.index] = earlier
            elif not nodeids:
                tally.outcomes[mutant.index] = UNCOVERED
            else:
                jobs.append(Job(path, module, mutant, tuple(nodeids), timeout_for(nodeids, seconds, grace)))
    return jobs, found, stale


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except UsageError as error:
        print(f"error: {prog('mutate')}: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    groups = {path: files_of(root, path) for path in args.paths}
    files = sorted({f for fs in groups.values() for f in fs})
    equivalents = _equivalents(root, args.equivalents)
    try:
        previous = _previous(args.again)
    except (OSError, ValueError, KeyError) as error:
        raise UsageError(f"--again {args.again}: not a --json report ({error})") from None
    print(f"{prog('mutate')}: mapping which test runs which line ({' '.join(args.tests)}, under coverage)",
          file=sys.stderr)
    try:
        lines, seconds = map_lines(root, files, args.tests, sys.executable)
    except RunError as error:
        print(f"error: {prog('mutate')}: {error}", file=sys.stderr)
        return 2
    tallies: dict[str, Tally] = {}
    jobs, found, stale = plan_jobs(root, files, lines, seconds, previous, equivalents, tallies, args.grace)
    broken: list[str] = []

    def done(job: Job, outcome: str, elapsed: float) -> None:
        relative = job.path.relative_to(root).as_posix()
        if job.mutant.index == CONTROL:
            if outcome != SURVIVED:  # the module as it is must pass its tests through the loader
                broken.append(relative)
            return
        tallies[relative].outcomes[job.mutant.index] = outcome
        print(f"[{sum(len(t.outcomes) for t in tallies.values())}/{sum(map(len, found.values()))}] "
              f"{relative}:{job.mutant.line} {job.mutant.operator} {outcome} ({elapsed:.0f} s)", file=sys.stderr)

    run_jobs(jobs, root, max(1, args.jobs), done)
    if broken:
        print(f"error: {prog('mutate')}: unmutated, through the mutant loader, the tests of {', '.join(broken)} "
              "fail: no outcome can be trusted", file=sys.stderr)
        return 2
    print(report(groups, root, tallies, found, args.min_score, stale))
    if args.json:
        args.json.write_text(json.dumps(as_json(tallies, found), indent=1) + "\n")
    low = [g for g, fs in groups.items() if group_score(fs, root, tallies) < args.min_score]
    return 1 if low or stale else 0


def group_score(files: Sequence[Path], root: Path, tallies: dict[str, Tally]) -> float:
    return score(tallies[path.relative_to(root).as_posix()] for path in files)


def report(groups: dict[str, list[Path]], root: Path, tallies: dict[str, Tally], found: dict[str, list[Mutant]],
           min_score: float, stale: Sequence[Equivalent]) -> str:
    out = [f"{'module':<44} {'mutants':>7} {'noticed':>7} {'equiv':>5} {'missed':>6} {'score':>7}"]
    for group, files in groups.items():
        for path in files:
            t = tallies[path.relative_to(root).as_posix()]
            out.append(f"{t.path:<44} {len(t.outcomes):>7} {t.count(*NOTICED):>7} {len(t.equivalent):>5} "
                       f"{t.count(SURVIVED, UNCOVERED):>6} {t.score:>6.1f}%")
        if len(files) > 1:
            out.append(f"{group + '/ (all)':<44} {'':>7} {'':>7} {'':>5} {'':>6} "
                       f"{group_score(files, root, tallies):>6.1f}%")
    missed = [(rel, m, t.outcomes[m.index]) for rel, t in tallies.items() for m in found[rel]
              if t.outcomes.get(m.index) in (SURVIVED, UNCOVERED) and m.index not in t.equivalent]
    if missed:
        out += ["", "missed (no test notices the change; add one, or list it in the equivalents file with why):"]
        out += [f"  {rel}:{m.line} [{outcome}] {m.key}" for rel, m, outcome in missed]
    if stale:
        out += ["", "stale equivalents (no such mutant any more; remove them):"]
        out += [f"  {e.path} :: {e.key}" for e in stale]
    out.append(f"\nscore needed per PATH: {min_score:.0f}%")
    return "\n".join(out)


def as_json(tallies: dict[str, Tally], found: dict[str, list[Mutant]]) -> dict[str, object]:
    return {"format": 1, "mutants": [
        {"path": rel, "index": m.index, "line": m.line, "operator": m.operator, "key": m.key,
         "outcome": tallies[rel].outcomes.get(m.index), "equivalent": m.index in tallies[rel].equivalent}
        for rel in sorted(found) for m in found[rel]]}
