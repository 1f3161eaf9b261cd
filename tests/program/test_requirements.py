"""The version bounds of requirements.txt: each lower bound works, and `.ci/run` proves it by
running the suite again with exactly those versions (requirements-lowest.txt)."""

from __future__ import annotations

import re

from components.core import rotation
from offline import ROOT
from tools.local import prerequisites


def _lines(name: str) -> list[str]:
    return [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()
            if line.split("#")[0].strip() and not line.startswith(("-r", "-e ."))]  # -e .: this project


def _lower_bounds() -> dict[str, str]:
    bounds = {}
    for line in _lines("requirements.txt"):
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+),<[0-9.]+", line)
        assert match, f"requirements.txt: {line!r} needs a lower and an upper bound"
        bounds[match[1].lower()] = match[2]
    return bounds


def _release(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_the_lowest_pins_are_exactly_the_lower_bounds() -> None:
    pins = {}
    for line in _lines("requirements-lowest.txt"):
        name, _, version = line.partition("==")
        pins[name.lower()] = version
    assert {k: _release(v) for k, v in pins.items()} == {k: _release(v) for k, v in _lower_bounds().items()}


def test_ci_runs_the_suite_at_the_lowest_versions_too() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "-r requirements-lowest.txt" in script and "./venv-lowest/bin/python -m pytest" in script


def test_the_pulumi_sdk_bound_has_a_synchronous_feature_check() -> None:
    # Upstream facts (pulumi/pulumi sdk/python/lib/pulumi/runtime/proto/resource_pb2.pyi and
    # sdk/python/lib/pulumi/runtime/settings.py): RESOURCE_MONITOR_FEATURE_REPLACEMENT_TRIGGER exists
    # from v3.231.0 (an AttributeError before it, for every stack with a pulumi-tls resource), and
    # `monitor_supports_feature` is `async def` up to v3.257.0 and a plain `def` taking the enum from
    # v3.258.0: before it the call in components/core/rotation.py returns a coroutine, always
    # truthy, and the refusal of an engine without replacement triggers never fires.
    assert _release(_lower_bounds()["pulumi"]) >= (3, 258, 0)


def test_the_cli_minimum_is_the_first_engine_that_reports_replacement_triggers() -> None:
    # Upstream fact (pulumi/pulumi pkg/resource/deploy/source_eval.go): the engine answers
    # SupportsFeature for "replacementTrigger" from v3.231.0 (`supportsFeatureID`); an older engine
    # reports no support, so the program refuses `credentialsRotation` above 0 there.
    assert rotation.MIN_CLI_FOR_TRIGGER == prerequisites.MIN_PULUMI_CLI == "3.231"
    readme = (ROOT / "README.md").read_text()
    assert "version 3.231 or newer.\n  `credentialsRotation` and managed relay trust need its replacement-trigger support." in readme


def test_requirements_install_this_project_editable_for_the_front_door() -> None:
    # The `gmw` console script (pyproject.toml [project.scripts]) and imports from any directory; editable,
    # because the program and its tools read the project's files (Pulumi.yaml, stacks/) from this tree.
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
    assert 'gmw = "tools.__main__:main"' in (ROOT / "pyproject.toml").read_text()
