"""How `gmw diff` shows a change and a plan, to the character: values as compact sorted JSON cut at
200 characters, list entries aligned on equal ones (engine defaults and key order do not count), the
inputs' own path, a blocked step, notes and the error line; and an ambiguous step lookup."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from offline.changes import MISSING, VALUE_WIDTH, Change, input_changes
from offline.plan import REPLACE, UPDATE, Plan, Step, describe, diff, masked
from offline.records import Record, Unknown
from offline.replacement import KUBERNETES_PROVIDER


def test_a_value_shows_as_compact_json_with_sorted_keys_and_its_own_characters() -> None:
    assert Change("values", {"b": 1, "a": "grüß"}, MISSING).line() == 'values: {"a":"grüß","b":1} → (none)'


def test_a_value_is_cut_after_200_characters_and_not_before() -> None:
    exact = "x" * (VALUE_WIDTH - 2)  # with its quotes: 200 characters
    assert Change("p", exact, MISSING).line() == f'p: "{exact}" → (none)'
    longer = exact + "y"
    assert Change("p", longer, MISSING).line() == f'p: "{longer[:VALUE_WIDTH - 2]}… → (none)'


def test_a_change_of_the_inputs_themselves_is_named_so() -> None:
    assert input_changes(1, 2) == [Change("(inputs)", 1, 2)]


def test_a_list_replaced_by_another_type_is_one_change() -> None:
    assert input_changes({"a": [1]}, {"a": "x"}) == [Change("a", [1], "x")]


def test_engine_defaults_are_no_change() -> None:
    assert input_changes({"__defaults": [], "a": 1}, {"__defaults": ["a"], "a": 1}) == []


@pytest.mark.parametrize(("kept_old", "kept_new"), [
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # the same entry, its keys in another order
    ({"a": 1, "__defaults": []}, {"a": 1, "__defaults": ["a"]}),  # the same entry, other engine defaults
])
def test_list_entries_align_on_equal_ones_whatever_their_key_order_or_engine_defaults(
        kept_old: dict[str, object], kept_new: dict[str, object]) -> None:
    # the first entry is removed; the second is kept, so it is no change at all
    assert input_changes([{"x": 0}, kept_old], [kept_new]) == [Change("[0]", {"x": 0}, MISSING)]


def test_what_a_change_holds_cannot_be_changed_afterwards() -> None:
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'path'"):
        Change("a", 1, 2).path = "b"  # type: ignore[misc]


def step(label: str, cluster: str, **extra: object) -> Step:
    return Step(extra.pop("action", UPDATE), f"urn:{label}", cluster, label, **extra)  # type: ignore[arg-type]


def test_a_plan_renders_its_title_notes_blocked_steps_their_notes_and_the_error() -> None:
    plan = Plan((step("Secret a/b", "cluster1", action=REPLACE, reasons=("type",), delete_first=True, blocked=True,
                      note="may be an update"),), unchanged=3, title="dev: upgrade", notes=("note one",))
    assert plan.render() == (
        "dev: upgrade\nnote one\n\n@@ cluster1 @@\n"
        "+- replace  Secret a/b  (replaces on: type; deleted first)  BLOCKED: protected, `pulumi preview` fails "
        "(unprotect it first)\n"
        "      note: may be an update\n"
        "error: 1 protected resource(s) would be deleted or replaced: `pulumi preview` fails\n"
        "Plan: 0 to create, 0 to update, 1 to replace, 0 to delete, 3 unchanged.\n")


def test_a_step_looked_up_by_a_label_on_two_clusters_needs_its_cluster() -> None:
    plan = Plan((step("Namespace httpbin", "cluster1"), step("Namespace httpbin", "cluster2")), unchanged=0)
    with pytest.raises(LookupError, match=r"^'Namespace httpbin' is ambiguous: \['cluster1', 'cluster2'\]$"):
        plan.step("Namespace httpbin")
    assert plan.step("Namespace httpbin", "cluster2") is plan.steps[1]
    assert plan.step("Namespace other") is None


def test_nothing_shows_as_none_and_a_list_entry_kept_as_it_was_is_no_change_even_if_unknown() -> None:
    assert repr(MISSING) == "(none)"
    # aligned as equal, an entry known only after deploy on both sides is kept (a field is a change: tests/tools)
    assert input_changes([Unknown(), 1], [Unknown(), 2]) == [Change("[1]", 1, 2)]


def test_an_engine_default_key_does_not_stop_the_fields_after_it_from_being_compared() -> None:
    assert input_changes({"__defaults": [], "a": 1}, {"__defaults": [], "a": 2}) == [Change("a", 1, 2)]


def test_an_entry_removed_from_a_long_list_is_one_change_at_its_index() -> None:
    # difflib's autojunk would treat an entry on more than 1% of a list of 200 or more as junk, and
    # pair the rest off by position
    old = ["same"] * 250 + ["x"] + ["same"] * 50
    assert input_changes(old, ["same"] * 300) == [Change("[250]", "x", MISSING)]


def test_a_provider_s_kubeconfig_contents_are_masked_on_either_side_and_a_path_is_not() -> None:
    contents = "apiVersion: v1\nclusters: []\n"
    provider = Record(urn="urn:p", type=KUBERNETES_PROVIDER, name="p", custom=True, read=False, id="p",
                      inputs={}, provider=None, parent=None, dependencies=[], property_dependencies={}, protect=False,
                      retain_on_delete=False, cluster=None)
    changed = [Change("kubeconfig", contents, "/home/me/.kube/config"), Change("kubeconfig", "/a", "/b")]
    assert [c.secret for c in masked(provider, changed)] == [True, False]


def test_the_plan_title_names_each_change_and_each_key_unset() -> None:
    assert describe("dev", None, [("glooMeshVersion", "2.2.7")], ["features"]) == \
        "Change plan: dev with glooMeshVersion=2.2.7, -features"
    assert describe("stacks/gateway.yaml", Path("old.yaml"), [], []) == "Change plan: old.yaml → stacks/gateway.yaml"


def test_a_diff_says_it_is_offline_and_when_it_used_a_fake_license() -> None:
    result = diff("dev", sets=[("glooMeshVersion", "2.2.7")])
    assert result.title == "Change plan: dev with glooMeshVersion=2.2.7"
    assert result.notes[0] == ("(offline, under the mock runtime: values known only after deploy are stand-ins; "
                               "secrets show as [secret])")
    assert result.notes[2] == "(no readable licenseKey: evaluated with a fake one)"  # Pulumi.dev.yaml encrypts it
    assert len(result.notes) == 3


def test_a_plan_and_its_steps_cannot_be_changed_afterwards() -> None:
    plan = Plan((step("Namespace a", "c1"),), unchanged=0)
    for value, field in [(plan, "unchanged"), (plan.steps[0], "label")]:
        with pytest.raises(FrozenInstanceError, match=f"cannot assign to field '{field}'"):
            setattr(value, field, "changed")
