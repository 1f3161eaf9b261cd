"""The e2e test deploys only when everything it needs is there, and otherwise says what is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e import test_workshop_e2e as e2e


def _with_tools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *tools: str) -> None:
    for tool in tools:
        path = tmp_path / tool
        path.write_text("#!/bin/sh\nexit 1\n")  # a kubectl that reaches no context
        path.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))


def test_without_pulumi_cli_it_skips_saying_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with_tools(monkeypatch, tmp_path)
    monkeypatch.setenv("GMW_E2E_CONTEXTS", "mgmt,cluster1,cluster2")
    monkeypatch.setenv("GMW_LICENSE_KEY", "license")
    assert e2e._why_not() == "the Pulumi CLI is not on PATH"


def test_without_contexts_or_license_it_skips_saying_which(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with_tools(monkeypatch, tmp_path, "pulumi", "kubectl")
    assert shutil.which("pulumi") is not None
    monkeypatch.delenv("GMW_E2E_CONTEXTS", raising=False)
    monkeypatch.delenv("GMW_LICENSE_KEY", raising=False)
    assert "GMW_E2E_CONTEXTS" in (e2e._why_not() or "")
    monkeypatch.setenv("GMW_E2E_CONTEXTS", "mgmt,cluster1")
    assert "GMW_LICENSE_KEY" in (e2e._why_not() or "")


def test_with_an_unreachable_context_it_skips_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with_tools(monkeypatch, tmp_path, "pulumi", "kubectl")
    monkeypatch.setenv("GMW_E2E_CONTEXTS", "kind-mgmt,kind-cluster1")
    monkeypatch.setenv("GMW_LICENSE_KEY", "license")
    assert e2e._why_not() == "kube context 'kind-mgmt' does not answer: exit 1"
