"""tools.diff as a gate and as a display, pinned: the exit status of `--fail-on`, the indices a list
replacement reports, and how a secret or an unknown inside an added list entry is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline import plan as change_plan
from offline import plan_json
from offline.changes import MISSING, Change, input_changes
from offline.records import Secret, Unknown
from tests.support.simulation import base_stack_file as stack_file
from tools import diff

# --- the gate ----------------------------------------------------------------------------------------


def test_the_gate_passes_a_real_plan_with_none_of_the_steps_it_fails_on(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = stack_file(tmp_path, "before")
    after = stack_file(tmp_path, "after", glooMeshVersion="2.2.7")  # five updates, nothing else
    assert diff.main([str(after), "--against", str(before), "--fail-on", "create,replace,delete"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.splitlines()[-1].startswith("Plan: 0 to create, 5 to update, 0 to replace, 0 to delete, ")


def step(action: str, label: str) -> change_plan.Step:
    return change_plan.Step(action, f"urn:{label}", "c1", label)


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[change_plan.Step]:
    """The steps the command's plan will have (the plan itself is not evaluated)."""
    steps: list[change_plan.Step] = []
    monkeypatch.setattr(diff, "diff", lambda *a, **k: change_plan.Plan(tuple(steps), 3, "Change plan: dev"))
    return steps


@pytest.mark.parametrize(("fail_on", "code", "err"), [
    (None, 0, ""),
    ("create", 0, ""),
    ("replace,delete", 0, ""),
    ("create, replace ,delete", 0, ""),
    ("update", 1, "error: the plan would update 1 resource(s) (--fail-on update)\n"),
    ("delete,update", 1, "error: the plan would update 1 resource(s) (--fail-on delete,update)\n"),
])
def test_the_gate_fails_on_exactly_the_actions_named(planned: list[change_plan.Step], capsys: pytest.CaptureFixture[str],
                                                     fail_on: str | None, code: int, err: str) -> None:
    planned.append(step("update", "Namespace a"))
    assert diff.main(["dev", *(["--fail-on", fail_on] if fail_on is not None else [])]) == code
    captured = capsys.readouterr()
    assert captured.err == err
    assert captured.out.splitlines()[-1] == "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 3 unchanged."


def test_the_gate_names_every_failing_action_and_counts_their_steps(planned: list[change_plan.Step],
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    planned += [step("update", "Namespace a"), step("delete", "Namespace b"), step("update", "Namespace c"),
                step("create", "Namespace d")]
    assert diff.main(["dev", "--fail-on", "update,delete"]) == 1
    assert capsys.readouterr().err == "error: the plan would delete and update 3 resource(s) (--fail-on update,delete)\n"


def test_an_empty_plan_passes_every_gate(planned: list[change_plan.Step], capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main(["dev", "--fail-on", ",".join(change_plan.ACTIONS)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.splitlines()[-2:] == ["No changes.",
                                              "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 3 unchanged."]


# --- list replacements -------------------------------------------------------------------------------


def test_two_elements_replaced_in_a_list_report_their_own_indices() -> None:
    old = {"hosts": ["a", "b", "c", "d"]}
    new = {"hosts": ["a", "x", "y", "d"]}
    assert [c.line() for c in input_changes(old, new)] == ['hosts[1]: "b" → "x"', 'hosts[2]: "c" → "y"']


def test_a_replacement_after_an_insertion_reports_the_new_indices() -> None:
    # z inserted before a: b and c (old indices 1, 2) are replaced by x and y at new indices 2 and 3.
    old = {"hosts": ["a", "b", "c", "d"]}
    new = {"hosts": ["z", "a", "x", "y", "d"]}
    assert input_changes(old, new) == [Change("hosts[0]", MISSING, "z"), Change("hosts[2]", "b", "x"),
                                       Change("hosts[3]", "c", "y")]


def test_a_replacement_of_entries_reports_each_changed_field_at_its_index() -> None:
    a, d = {"name": "a", "port": 1}, {"name": "d", "port": 4}
    old = {"ports": [a, {"name": "b", "port": 2}, {"name": "c", "port": 3}, d]}
    new = {"ports": [a, {"name": "b", "port": 20}, {"name": "c", "port": 30}, d]}
    assert [c.line() for c in input_changes(old, new)] == ["ports[1].port: 2 → 20", "ports[2].port: 3 → 30"]


def test_a_longer_or_shorter_replacement_adds_at_new_and_removes_at_old_indices() -> None:
    grown = input_changes({"l": ["a", "b", "c", "d"]}, {"l": ["a", "x", "y", "z", "d"]})
    assert grown == [Change("l[1]", "b", "x"), Change("l[2]", "c", "y"), Change("l[3]", MISSING, "z")]
    shrunk = input_changes({"l": ["a", "b", "c", "d", "e"]}, {"l": ["a", "x", "y", "e"]})
    assert shrunk == [Change("l[1]", "b", "x"), Change("l[2]", "c", "y"), Change("l[3]", "d", MISSING)]


# --- secrets and unknowns inside an added entry ------------------------------------------------------


def test_a_secret_nested_in_an_added_list_entry_shows_as_secret() -> None:
    entry = {"name": "keycloak", "credentials": {"password": Secret("hunter2")}}
    changes = input_changes({"users": [{"name": "admin"}]}, {"users": [{"name": "admin"}, entry]})
    assert changes == [Change("users[1]", MISSING, entry)]
    assert [c.line() for c in changes] == ['users[1]: (none) → {"credentials":{"password":"[secret]"},"name":"keycloak"}']
    result = change_plan.Plan((change_plan.Step("update", "u", "c1", "Secret ns/x", tuple(changes)),), 0, "t")
    assert plan_json.plan_json(result)["steps"][0]["changes"] == [
        {"path": "users[1]", "secret": False, "new": {"credentials": {"password": "[secret]"}, "name": "keycloak"}}]
    shown = result.render() + json.dumps(plan_json.plan_json(result))
    assert "hunter2" not in shown and "[secret]" in shown


def test_a_removed_list_entry_holding_a_secret_shows_it_as_secret() -> None:
    changes = input_changes({"l": [{"token": Secret("t0ken")}, "b"]}, {"l": ["b"]})
    assert [c.line() for c in changes] == ['l[0]: {"token":"[secret]"} → (none)']


def test_an_unknown_nested_in_an_added_list_entry_shows_as_known_after_deploy() -> None:
    changes = input_changes({"ingress": []}, {"ingress": [{"ip": Unknown(), "hostname": "lb"}]})
    assert [c.line() for c in changes] == ['ingress[0]: (none) → {"hostname":"lb","ip":"[known after deploy]"}']
    result = change_plan.Plan((change_plan.Step("update", "u", "c1", "Service ns/x", tuple(changes)),), 0, "t")
    assert plan_json.plan_json(result)["steps"][0]["changes"] == [
        {"path": "ingress[0]", "secret": False, "new": {"hostname": "lb", "ip": "[known after deploy]"}}]


def test_an_unknown_value_is_a_change_shown_as_known_after_deploy() -> None:
    assert [c.line() for c in input_changes({"ip": "10.0.0.1"}, {"ip": Unknown()})] == [
        'ip: "10.0.0.1" → [known after deploy]']
    # Pulumi cannot know either side: a preview shows it as a change, never as unchanged.
    assert [c.line() for c in input_changes({"ip": Unknown()}, {"ip": Unknown()})] == [
        "ip: [known after deploy] → [known after deploy]"]
