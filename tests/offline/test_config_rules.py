"""The Pulumi CLI's stack-config rules (offline/config_rules.py), stated as facts of pulumi/pulumi
`pkg/workspace/config.go` (`mergeConfig`, `validateStackConfigValue`) and its tests
(`TestStackConfigErrorsWhenMissingStackValueForConfigTypeWithNoDefault`), applied to every committed
stack file; the fleet's rendered stacks are checked in tests/tools/test_fleet_cli_rules.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.core.config import PROJECT, ConfigError
from offline import ROOT, config_rules
from offline.config_rules import check_config, check_stack_document, declarations
from offline.stack_files import iter_stack_files, stack_config, stack_name


@pytest.mark.parametrize("path", list(iter_stack_files()), ids=lambda p: p.name)
def test_every_committed_stack_file_passes_the_cli_rules(path: Path) -> None:
    assert check_stack_document(path.name, stack_name(path), yaml.safe_load(path.read_text())) == []


def test_a_declared_key_without_default_missing_is_refused(tmp_path: Path) -> None:
    # mergeConfig: "Stack 'dev' is missing configuration value 'values'" for a project key with no default.
    project = tmp_path / "Pulumi.yaml"
    project.write_text("name: p\nconfig:\n  values:\n    type: string\n")
    declarations.cache_clear()
    try:
        decls = declarations(project)
        assert decls["values"].has_default is False
    finally:
        declarations.cache_clear()
    # The real project: every declared key has a default, so no stack file is refused for a missing one.
    assert all(d.has_default for d in declarations().values())
    assert config_rules.check_config("x.yaml", "x", {}) == []


def test_licensekey_missing_passes_the_cli_as_a_workload_stack_has_none() -> None:
    # Before the fix Pulumi.yaml declared licenseKey typed, secret, without default: the CLI refused every
    # workload stack ("Stack 'dev-cluster1' is missing configuration value 'licenseKey'").
    assert check_config("s.yaml", "dev-cluster1", {f"{PROJECT}:role": "workload"}) == []
    assert declarations()["licenseKey"].has_default


def test_a_secret_key_in_plaintext_is_refused() -> None:
    # validateStackConfigValue: "Stack '%v' with configuration key '%v' must be encrypted as it's secret".
    problems = check_config("base.yaml", "base", {f"{PROJECT}:licenseKey": "plain"})
    assert len(problems) == 1 and "base.yaml" in problems[0] and "'licenseKey' must be encrypted" in problems[0]
    assert check_config("base.yaml", "base", {f"{PROJECT}:licenseKey": {"secure": "v1:abc"}}) == []


def test_a_value_of_the_wrong_declared_type_is_refused() -> None:
    # validateStackConfigValue with ValidateConfigValue: "... must be of type 'integer'" / 'List<string>'.
    problems = check_config("s.yaml", "s", {f"{PROJECT}:helmTimeoutSeconds": "900",
                                            f"{PROJECT}:features": ["gateway", 3],
                                            f"{PROJECT}:autoRestartPods": "true"})
    assert [p.split("'")[3] for p in problems] == ["autoRestartPods", "features", "helmTimeoutSeconds"]
    assert "must be of type 'List<string>'" in problems[1] and "must be of type 'integer'" in problems[2]


def test_unknown_keys_are_refused_with_the_nearest_known_one(tmp_path: Path) -> None:
    assert check_stack_document("s.yaml", "s", {"confg": {}}) == [
        "s.yaml: unknown top-level key 'confg'; did you mean 'config'?"]
    problem, = check_config("s.yaml", "s", {f"{PROJECT}:workloadCluster": "a", f"{PROJECT}:featurs": []})
    assert "'gloo-mesh-workshop:featurs'" in problem and "did you mean 'features'?" in problem
    assert check_config("s.yaml", "s", {"kubernetes:context": "x"}) == []  # another namespace: not ours


def test_tools_refuse_a_bad_stack_file_naming_it_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(f"config:\n  {PROJECT}:licenseKey: plain\n")
    with pytest.raises(ConfigError, match=r"mine.yaml: Stack 'mine' with configuration key 'licenseKey'"):
        stack_config(path)
    path.write_text(f"confg:\n  {PROJECT}:platform: kubernetes\n")
    with pytest.raises(ConfigError, match="did you mean 'config'"):
        stack_config(path)
    path.write_text("config: [\n")
    with pytest.raises(ConfigError, match="mine.yaml: not valid YAML"):
        stack_config(path)


def test_another_gloo_mesh_version_warns_on_the_console(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # docs/security.md: "The render warns when the stack installs another version" (offline/rbac.py CHART_OBJECTS
    # states what the 2.2.6 charts template).
    from tools.render import main
    stack = tmp_path / "newer.yaml"
    text = (ROOT / "stacks" / "base.yaml").read_text()
    stack.write_text(text + f"  {PROJECT}:glooMeshVersion: 2.2.7\n" if "glooMeshVersion" not in text
                     else text.replace("glooMeshVersion: 2.2.6", "glooMeshVersion: 2.2.7"))
    assert main([str(stack), "--out", str(tmp_path / "out")]) in (0, 1)
    err = capsys.readouterr().err
    assert "warning: newer.yaml: the stack installs gloo-mesh-enterprise 2.2.7" in err
    assert "Traceback" not in err
