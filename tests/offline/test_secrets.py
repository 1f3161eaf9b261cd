"""No tool prints or writes the value of a config key Pulumi.yaml declares secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.core.config import SECRET_KEYS
from offline import ROOT, secrets
from tools import diff, render
from tools.fleet.__main__ import main as fleet_main

LICENSE = "SECRET-LICENSE-9f2c"


def test_the_secret_keys_are_the_ones_pulumi_yaml_declares(tmp_path: Path) -> None:
    assert secrets.secret_keys() == {"licenseKey"}
    project = tmp_path / "Pulumi.yaml"
    project.write_text(yaml.safe_dump({"name": "p", "config": {
        "licenseKey": {"type": "string", "secret": True},
        "gloo-mesh-workshop:apiToken": {"type": "string", "secret": True},
        "platform": {"type": "string", "default": "kubernetes"},
        "other": {"type": "string", "secret": False}}}))
    assert secrets.secret_keys(project) == {"licenseKey", "apiToken"}


def test_the_program_marks_secret_the_keys_pulumi_yaml_declares() -> None:
    """The simulation marks the same keys secret as the tools redact (components/core/config/keys.py)."""
    assert set(SECRET_KEYS) == secrets.secret_keys()


def test_an_assignment_of_a_secret_key_names_the_key_not_the_value() -> None:
    assert secrets.assignment("licenseKey", LICENSE) == "licenseKey=[secret]"
    assert secrets.assignment("gloo-mesh-workshop:licenseKey", LICENSE) == "gloo-mesh-workshop:licenseKey=[secret]"
    assert secrets.assignment("istioRevision", "1-18") == "istioRevision=1-18"
    assert secrets.assignment("features", ["gateway"]) == 'features=["gateway"]'


def test_the_redactor_replaces_each_form_of_a_secret_value() -> None:
    redactor = secrets.Redactor()
    redactor.add_config({"licenseKey": 'a"b\\c-long', "istioRevision": "1-17"})
    assert redactor.scrub('raw a"b\\c-long, json "a\\"b\\\\c-long", 1-17') == 'raw [secret], json "[secret]", 1-17'


def test_diff_with_a_set_license_prints_the_key_not_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main(["dev", "--set", f"licenseKey={LICENSE}"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "Change plan: dev with licenseKey=[secret]"
    assert LICENSE not in captured.out + captured.err


def test_diff_json_never_carries_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main(["dev", "--set", f"gloo-mesh-workshop:licenseKey={LICENSE}", "--json"]) == 0
    out = capsys.readouterr().out
    assert LICENSE not in out
    assert json.loads(out)["title"] == "Change plan: dev with licenseKey=[secret]"


def test_a_plaintext_license_in_a_stack_file_is_refused_without_echoing_it(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    # `pulumi up` refuses a plaintext value of a key declared secret (offline/config_rules.py); the offline
    # tools refuse it too, and their message names the key, never the value.
    doc = yaml.safe_load((ROOT / "stacks" / "base.yaml").read_text())
    doc["config"]["gloo-mesh-workshop:licenseKey"] = LICENSE
    stack = tmp_path / "plain.yaml"
    stack.write_text(yaml.safe_dump(doc))
    assert render.main([str(stack), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    assert diff.main([str(stack), "--against", str(ROOT / "stacks" / "base.yaml"), "--json"]) == 2
    assert diff.main([str(stack), "--against", str(ROOT / "stacks" / "base.yaml")]) == 2
    captured = capsys.readouterr()
    assert "configuration key 'licenseKey' must be encrypted as it's secret" in captured.err
    assert LICENSE not in captured.out + captured.err


def test_a_license_in_a_fleet_file_is_refused_without_echoing_it(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    doc = yaml.safe_load((ROOT / "fleets" / "dev.yaml").read_text())
    doc.setdefault("config", {})["licenseKey"] = LICENSE
    fleet = tmp_path / "leaky.yaml"
    fleet.write_text(yaml.safe_dump(doc))
    assert fleet_main(["check", str(fleet)]) == 2
    captured = capsys.readouterr()
    assert "config.licenseKey: set by the fleet file itself" in captured.err
    assert LICENSE not in captured.out + captured.err


def test_a_kubeconfigs_contents_are_treated_like_a_secret_and_a_path_is_not() -> None:
    contents = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: kc-token-0123456789}\n"
    assert secrets.assignment("mgmtKubeconfig", contents) == "mgmtKubeconfig=[secret]"
    assert secrets.assignment("gloo-mesh-workshop:workloadKubeconfigs", ["/k/1", contents]) == (
        "gloo-mesh-workshop:workloadKubeconfigs=[secret]")
    assert secrets.assignment("mgmtKubeconfig", "~/.kube/mgmt") == "mgmtKubeconfig=~/.kube/mgmt"
    redactor = secrets.Redactor()
    redactor.add_config({"workloadKubeconfigs": ["/k/1", contents], "mgmtKubeconfig": "/k/mgmt"})
    assert redactor.scrub(f"{contents} /k/1 /k/mgmt {json.dumps(contents)}") == '[secret] /k/1 /k/mgmt "[secret]"'
