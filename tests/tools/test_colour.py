"""Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from offline import ROOT
from tools import colour, diff
from tools.verify import cli as verify
from tools.verify.runner import Result, render_table

ESC = "\033["


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("tty", "environ", "on"), [
    (True, {}, True), (True, {"NO_COLOR": "1"}, False), (True, {"NO_COLOR": "0"}, False),
    (True, {"NO_COLOR": ""}, True), (False, {}, False), (False, {"NO_COLOR": ""}, False),
])
def test_colour_is_on_only_on_a_terminal_without_no_color(tty: bool, environ: dict[str, str], on: bool) -> None:
    assert colour.enabled(Terminal() if tty else io.StringIO(), environ) is on


def _diff_output(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, no_color: str | None) -> str:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setattr("sys.stdout", stream)
    assert diff.main(["dev", "--set", "glooMeshVersion=2.2.7"]) == 0
    return stream.getvalue()


def test_the_plan_is_coloured_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _diff_output(monkeypatch, io.StringIO(), None)
    assert ESC not in plain
    coloured = _diff_output(monkeypatch, Terminal(), None)
    assert f"{colour.YELLOW}~ update   HelmRelease gloo-mesh/gloo-mesh-enterprise{colour.RESET}" in coloured
    assert f"{colour.CYAN}@@ mgmt @@{colour.RESET}" in coloured
    assert coloured.replace(colour.YELLOW, "").replace(colour.CYAN, "").replace(colour.RESET, "") == plain
    assert _diff_output(monkeypatch, Terminal(), "1") == plain
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert diff.main(["dev", "--set", "glooMeshVersion=2.2.7", "--json"]) == 0


def test_the_verify_table_colours_the_status_cells_only() -> None:
    table = render_table([Result("gateway", "productpage PASS-through", "PASS", "status 200", 1),
                          Result("gateway", "https", "FAIL", "status 503 SKIP", 2),
                          Result("oauth", "login", "SKIP", "no keycloak outputs")])
    assert verify.coloured_table(table, False) == table
    lines = verify.coloured_table(table, True).splitlines()
    assert lines[:2] == table.splitlines()[:2]
    assert lines[2] == f"gateway  productpage PASS-through  {colour.GREEN}PASS{colour.RESET}            status 200"
    assert lines[3] == f"gateway  https                     {colour.RED}FAIL{colour.RESET} (2 tries)  status 503 SKIP"
    assert lines[4] == f"oauth    login                     {colour.YELLOW}SKIP{colour.RESET}            no keycloak outputs"
    assert lines[5:] == table.splitlines()[5:]


def test_no_tool_writes_an_escape_sequence_but_through_tools_colour() -> None:
    sources = [p for p in sorted((ROOT / "tools").rglob("*.py")) if p.name != "colour.py"]
    offenders = [str(p.relative_to(ROOT)) for p in sources
                 if any(escape in p.read_text() for escape in ("\\033[", "\\x1b[", "\\u001b[", "\x1b["))]
    assert offenders == []
    assert "\\033[" in Path(colour.__file__).read_text()
