"""Config as Pulumi delivers it, through every path that reads it: the program's runtime (`load_settings`),
the simulation (`offline.runtime`), `--set` (`tools.diff`), stack files and fleet files. A plain string
for a list key is reported as not a list on each, never iterated as characters ("unknown feature 'g'"),
and the license never shows in what they print.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.core.config import (
    KNOWN_KEYS,
    LIST_KEYS,
    PROJECT,
    ConfigError,
    InvalidJson,
    load_settings,
    parse_settings,
)
from offline import ROOT, assignments
from offline import plan as change_plan
from offline.runtime import RecordingMonitor, WorkshopMocks, _to_config_string, program_values, simulate
from offline.stack_files import stack_config
from tests.support.fleet_files import fleet_doc, fleet_problems
from tools import diff

LICENSE = "LICENSE-abc123"
STRING_LISTS = sorted(LIST_KEYS - {"reviewsVersions"})
REVIEWS = "one list per workload cluster of versions from v1, v2, v3"


def not_json(key: str, raw: str, column: int) -> str:
    return (f"{key}: {raw!r} is not valid JSON (Expecting value at column {column}); expected a list of strings like "
            '["a", "b"] (`pulumi config set --path` or a YAML list in the stack file)')


def runtime_problems(monkeypatch: pytest.MonkeyPatch, **values: str) -> list[str]:
    """What the program reports when the Pulumi CLI hands it `values` (strings, in PULUMI_CONFIG)."""
    from pulumi.runtime.config import set_all_config

    set_all_config({})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({f"{PROJECT}:{k}": v for k, v in
                                                    {"licenseKey": LICENSE, **values}.items()}))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    return caught.value.problems


# The program's runtime ------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", STRING_LISTS)
def test_the_runtime_reports_a_plain_string_for_a_list_key_as_not_json_for_a_list(
        key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # `key: g` in a stack file (or `pulumi config set key g`) reaches the program as the text g.
    assert runtime_problems(monkeypatch, **{key: "g"}) == [not_json(key, "g", 1)]
    # `pulumi config set key '"g"'`: a JSON string, not a list
    assert runtime_problems(monkeypatch, **{key: '"g"'}) == [f"{key}: expected a list of strings, got 'g'"]
    assert runtime_problems(monkeypatch, **{key: '["a", 1]'}) == [f"{key}: expected a list of strings, got ['a', 1]"]


@pytest.mark.parametrize("key", STRING_LISTS)
def test_the_runtime_reports_invalid_json_instead_of_using_the_default(
        key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runtime_problems(monkeypatch, **{key: "[cluster1, cluster2"}) == [not_json(key, "[cluster1, cluster2", 2)]


def test_the_runtime_reports_a_plain_string_or_invalid_json_for_reviews_versions(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, error in (("v1", "Expecting value at column 1"), ('[["v1"], ["v2"]', "Expecting ',' delimiter at column 16")):
        assert runtime_problems(monkeypatch, reviewsVersions=raw) == [
            f'reviewsVersions: {raw!r} is not valid JSON ({error}); expected {REVIEWS} like [["v1", "v2"], ["v1", "v2", '
            '"v3"]] (`pulumi config set --path` or a YAML list in the stack file)']
    assert runtime_problems(monkeypatch, reviewsVersions='"v1"') == [f"reviewsVersions: expected {REVIEWS}, got 'v1'"]
    assert runtime_problems(monkeypatch, reviewsVersions='["v1", "v2"]') == [
        f"reviewsVersions: expected {REVIEWS}, got ['v1', 'v2']"]


def test_the_runtime_reads_lists_booleans_and_numbers_from_their_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime.config import set_all_config

    set_all_config({})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({
        f"{PROJECT}:licenseKey": LICENSE, f"{PROJECT}:features": '["gateway"]', f"{PROJECT}:protectPlatform": "true",
        f"{PROJECT}:helmTimeoutSeconds": "900", f"{PROJECT}:mgmtKubeconfig": "[x"}))
    settings = load_settings()
    assert (settings.features, settings.protect_platform, settings.helm_timeout_seconds,
            settings.mgmt.kubeconfig) == (frozenset({"gateway"}), True, 900, "[x")


# The simulation --------------------------------------------------------------------------------------------
def test_the_simulation_hands_the_program_what_pulumi_would() -> None:
    assert [_to_config_string(v) for v in (True, False, 3, "g", ["a"], {"a": 1}, [])] == [
        "true", "false", "3", "g", '["a"]', '{"a": 1}', "[]"]
    assert program_values({"features": "g", "workloadClusters": ["c1"], "istioTag": "[x", "protectPlatform": True}) == {
        "features": InvalidJson("g", "Expecting value at column 1"), "workloadClusters": ["c1"], "istioTag": "[x",
        "protectPlatform": "true"}


@pytest.mark.parametrize("key", STRING_LISTS)
def test_the_simulated_program_refuses_a_plain_string_for_a_list_key_before_any_resource(key: str) -> None:
    monitor = RecordingMonitor(WorkshopMocks(preview=False))
    with pytest.raises(ConfigError) as caught:
        simulate({"licenseKey": LICENSE, key: "g"}, monitor=monitor)
    assert caught.value.problems == [not_json(key, "g", 1)]
    assert monitor.records == []


# --set ---------------------------------------------------------------------------------------------------------
def set_error(capsys: pytest.CaptureFixture[str], assignment: str) -> str:
    assert diff.main(["dev", "--set", assignment]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


@pytest.mark.parametrize("key", STRING_LISTS)
def test_set_with_a_plain_string_for_a_list_key_says_it_expects_a_list_of_strings(
        key: str, capsys: pytest.CaptureFixture[str]) -> None:
    example = json.dumps(assignments._LIST_EXAMPLES.get(key) or assignments.DEFAULTS[key] or ["a", "b"], separators=(",", ":"))
    how = f"expected a list of strings in JSON, its strings quoted: --set '{key}={example}'"
    assert set_error(capsys, f"{key}=g") == f"error: --set {key}: 'g' is not valid JSON; {how}\n"
    assert set_error(capsys, f'{key}="g"') == f"error: --set {key}: 'g' is not a list; {how}\n"
    assert set_error(capsys, f"{key}=3") == f"error: --set {key}: 3 is not a list; {how}\n"


def test_set_features_names_the_example_and_reviews_versions_its_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert set_error(capsys, "features=g") == (
        "error: --set features: 'g' is not valid JSON; expected a list of strings in JSON, its strings quoted: "
        "--set 'features=[\"gateway\",\"waf\"]'\n")
    assert set_error(capsys, "gloo-mesh-workshop:reviewsVersions=v1") == (
        f"error: --set gloo-mesh-workshop:reviewsVersions: 'v1' is not valid JSON; expected {REVIEWS} in JSON, its "
        "strings quoted: --set 'gloo-mesh-workshop:reviewsVersions=[[\"v1\",\"v2\"],[\"v1\",\"v2\",\"v3\"]]'\n")
    # a value of another key that looks like a list must be JSON too, and may be anything then
    assert set_error(capsys, "istioTag=[1.17") == (
        "error: --set istioTag: '[1.17' is not valid JSON; a list is written in JSON, its strings quoted: "
        "--set 'istioTag=\"1.17.1-solo\"'\n")
    assert assignments.parse_assignment('istioTag=["a"]') == ("istioTag", ["a"])


def test_a_plain_string_reaching_the_plan_is_reported_on_its_side() -> None:
    with pytest.raises(ConfigError) as caught:
        change_plan.diff("dev", sets=[("features", "g")])
    assert caught.value.problems == [f"after the change: {not_json('features', 'g', 1)}"]


# Stack files and fleet files -------------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(LIST_KEYS))
def test_a_stack_file_with_a_plain_string_for_a_list_key_is_refused_as_the_cli_refuses_it(
        key: str, tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "stacks" / "base.yaml").read_text())
    doc["config"][f"{PROJECT}:{key}"] = "g"
    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump(doc))
    kind = "List<List<string>>" if key == "reviewsVersions" else "List<string>"
    with pytest.raises(ConfigError) as caught:
        stack_config(path)
    assert caught.value.problems == [f"odd.yaml: Stack 'odd' with configuration key '{key}' must be of type "
                                     f"'{kind}', got \"g\""]


def test_a_fleet_file_with_a_plain_string_for_a_list_key_is_refused() -> None:
    doc = fleet_doc()
    doc["config"] = {**doc["config"], "features": "g"}
    assert fleet_problems(doc) == [
        "test.yaml: Stack 'dev-*' with configuration key 'features' must be of type 'List<string>', got \"g\""]
    doc = fleet_doc()
    doc["workloadClusters"][0]["reviewsVersions"] = "v1"
    assert fleet_problems(doc) == [
        "workloadClusters[0].reviewsVersions: expected a list of versions from v1, v2, v3, got 'v1'"]


# The license ----------------------------------------------------------------------------------------------------
def test_the_license_shows_in_no_settings_repr_nor_config_error() -> None:
    settings = parse_settings({"licenseKey": LICENSE})
    assert settings.license_key == LICENSE
    assert LICENSE not in repr(settings) and LICENSE not in str(settings)
    # a license where a string is expected, and one under a misspelt key: neither value is echoed
    assert problems({"licenseKey": [LICENSE]}) == [
        "licenseKey: missing; set it with `pulumi config set --secret licenseKey` (it reads the license from "
        "standard input)"]
    assert problems({"licenseKey": LICENSE, "licenceKey": LICENSE}) == [
        f"licenceKey: unknown config key; known keys are: {', '.join(sorted(KNOWN_KEYS))}"]


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(values)
    return caught.value.problems
