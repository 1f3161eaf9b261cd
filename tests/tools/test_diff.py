"""The offline change plan: input diffs, the plan's steps, --set typing and the command."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from offline import assignments, plan_json
from offline import plan as change_plan
from offline.changes import MISSING, Change, input_changes
from offline.plan import plan
from offline.records import Record, Secret, Simulation
from tests.support.simulation import base_stack_file as stack_file
from tools import diff

# Input diffs ----------------------------------------------------------------------------------------


def test_changed_leaves_with_pulumi_paths() -> None:
    old = {"metadata": {"name": "a", "labels": {"istio.io/rev": "1-17"}}, "spec": {"selector": {"revision": "1-17"}}}
    new = {"metadata": {"name": "a", "labels": {"istio.io/rev": "1-18"}}, "spec": {"selector": {"revision": "1-18"}}}
    assert [c.line() for c in input_changes(old, new)] == [
        'metadata.labels["istio.io/rev"]: "1-17" → "1-18"',
        'spec.selector.revision: "1-17" → "1-18"',
    ]


def test_added_and_removed_keys() -> None:
    assert input_changes({"a": 1}, {"b": {"c": 2}}) == [Change("a", 1, MISSING), Change("b", MISSING, {"c": 2})]
    assert [c.line() for c in input_changes({}, {"keepers": {"credentialsRotation": "1"}})] == [
        'keepers: (none) → {"credentialsRotation":"1"}']


def test_secrets_never_show_their_value() -> None:
    changes = input_changes({"data": Secret({"tls.key": "old-key"})}, {"data": Secret({"tls.key": "new-key"})})
    assert [c.line() for c in changes] == ['data["tls.key"]: [secret] → [secret]']
    assert "old-key" not in changes[0].line() and "new-key" not in changes[0].line()
    added = input_changes({}, {"data": Secret({"password": "hunter2"})})
    assert [c.line() for c in added] == ["data: (none) → [secret]"]
    nested = input_changes({"values": {"licenseKey": Secret("a")}}, {"values": {"licenseKey": Secret("b"), "x": 1}})
    assert [c.line() for c in nested] == ["values.licenseKey: [secret] → [secret]", "values.x: (none) → 1"]
    assert input_changes({"data": Secret("same")}, {"data": Secret("same")}) == []


def test_lists_align_on_equal_entries() -> None:
    a, b, c = {"name": "a"}, {"name": "b"}, {"name": "c"}
    assert [x.line() for x in input_changes({"l": [a, c]}, {"l": [a, b, c]})] == ['l[1]: (none) → {"name":"b"}']
    assert [x.line() for x in input_changes({"l": [a, b, c]}, {"l": [b, c]})] == ['l[0]: {"name":"a"} → (none)']
    assert [x.line() for x in input_changes({"l": [a, {"name": "b", "v": 1}]}, {"l": [a, {"name": "b", "v": 2}]})] == [
        "l[1].v: 1 → 2"]


def test_long_values_are_cut() -> None:
    line = input_changes({"x": "a" * 500}, {"x": "b"})[0].line()
    assert len(line) < 250 and "…" in line


def test_types_count() -> None:
    assert [c.line() for c in input_changes({"n": 1}, {"n": "1"})] == ['n: 1 → "1"']


# The plan -------------------------------------------------------------------------------------------
PROVIDER_TYPE = "pulumi:providers:kubernetes"


def record(urn: str, type_: str, inputs: dict, *, provider: str | None = None, cluster: str | None = None,
           trigger: object = None, name: str = "") -> Record:
    return Record(urn=urn, type=type_, name=name or urn, custom=True, read=False, id=urn, inputs=inputs,
                  provider=provider, parent=None, dependencies=[], property_dependencies={}, protect=False,
                  retain_on_delete=False, cluster=cluster, replacement_trigger=trigger)


def provider(name: str, context: str) -> Record:
    return record(f"p-{name}", PROVIDER_TYPE, {"context": context, "enableSecretMutable": "true"}, name=name)


def namespace(urn: str, name: str, labels: dict, cluster: str = "c1") -> Record:
    return record(urn, "kubernetes:core/v1:Namespace", {"kind": "Namespace", "metadata": {"name": name, "labels": labels}},
                  provider=f"p-{cluster}::id", cluster=cluster)


def secret(urn: str, data: str, cluster: str = "c1") -> Record:
    return record(urn, "kubernetes:core/v1:Secret", {"kind": "Secret", "metadata": {"name": "s", "namespace": "n"},
                                                      "data": Secret({"k": data})},
                  provider=f"p-{cluster}::id", cluster=cluster)


def sim(*records: Record) -> Simulation:
    return Simulation(records=list(records), outputs={})


def test_create_update_delete_and_unchanged() -> None:
    before = sim(provider("c1", "c1"), namespace("ns-a", "a", {"x": "1"}), namespace("ns-b", "b", {}),
                 namespace("ns-c", "c", {}))
    after = sim(provider("c1", "c1"), namespace("ns-a", "a", {"x": "2"}), namespace("ns-b", "b", {}),
                namespace("ns-d", "d", {}))
    result = plan(before, after)
    assert [(s.action, s.cluster, s.label) for s in result.steps] == [
        ("delete", "c1", "Namespace c"), ("create", "c1", "Namespace d"), ("update", "c1", "Namespace a")]
    assert result.step("Namespace a").changes == (Change('metadata.labels.x', "1", "2"),)
    assert result.unchanged == 2  # the provider and namespace b
    assert result.summary() == "Plan: 1 to create, 1 to update, 0 to replace, 1 to delete, 2 unchanged."


def test_a_name_change_under_the_same_urn_is_a_replace_creating_first() -> None:
    # pulumi-kubernetes provider.go `Diff`: a renamed object is not deleted before its replacement
    result = plan(sim(provider("c1", "c1"), namespace("ns", "a", {})), sim(provider("c1", "c1"), namespace("ns", "b", {})))
    step = result.step("Namespace b")
    assert (step.action, step.reasons, step.delete_first) == ("replace", ("metadata.name",), False)


def test_secret_data_follows_the_providers_config() -> None:
    mutable = plan(sim(provider("c1", "c1"), secret("s", "1")), sim(provider("c1", "c1"), secret("s", "2")))
    assert mutable.step("Secret n/s").action == "update"
    plain = record("p-c1", PROVIDER_TYPE, {"context": "c1"}, name="c1")
    immutable = plan(sim(plain, secret("s", "1")), sim(plain, secret("s", "2")))
    assert (immutable.step("Secret n/s").action, immutable.step("Secret n/s").reasons) == ("replace", ("data",))


def test_a_changed_trigger_replaces_a_generated_resource() -> None:
    key = "tls:index/privateKey:PrivateKey"
    result = plan(sim(record("k", key, {"algorithm": "RSA"}, trigger=0, name="key")),
                  sim(record("k", key, {"algorithm": "RSA"}, trigger=1, name="key")))
    step = result.step("PrivateKey key")
    assert (step.action, step.cluster, step.reasons, step.changes) == ("replace", "generated", ("replacement_trigger",), ())


TWO_CLUSTERS = yaml.safe_dump({
    "clusters": [{"name": "one", "cluster": {"server": "https://one"}}, {"name": "two", "cluster": {"server": "https://two"}}],
    "contexts": [{"name": "c1", "context": {"cluster": "one"}}, {"name": "other", "context": {"cluster": "two"}}],
})


def with_kubeconfig(p: Record) -> Record:
    return dataclasses.replace(p, inputs={**p.inputs, "kubeconfig": TWO_CLUSTERS})


def test_a_provider_pointed_at_another_cluster_replaces_everything_on_it() -> None:
    before = sim(with_kubeconfig(provider("c1", "c1")), namespace("ns", "a", {}), provider("c2", "c2"),
                 namespace("ns2", "b", {}, "c2"))
    after = sim(with_kubeconfig(provider("c1", "other")), namespace("ns", "a", {}), provider("c2", "c2"),
                namespace("ns2", "b", {}, "c2"))
    result = plan(before, after)
    # the Namespace is created on the other cluster before it is deleted on this one (never deleted first)
    assert [(s.action, s.label, s.reasons, s.delete_first) for s in result.steps] == [
        ("replace", "Namespace a", ("its provider (another cluster)",), False),
        ("replace", "Provider c1", ("context",), False),
    ]


def test_a_context_change_with_no_kubeconfig_is_a_provider_update() -> None:
    # pulumi-kubernetes provider.go `DiffConfig`: no active cluster resolves without a kubeconfig input
    before = sim(provider("c1", "c1"), namespace("ns", "a", {}))
    after = sim(provider("c1", "other"), namespace("ns", "a", {}))
    assert [(s.action, s.label) for s in plan(before, after).steps] == [("update", "Provider c1")]


def test_render_groups_by_cluster_and_ends_with_the_summary() -> None:
    before = sim(provider("c1", "c1"), namespace("ns", "a", {"x": "1"}))
    after = sim(provider("c1", "c1"), namespace("ns", "a", {"x": "2"}),
                record("pw", "random:index/randomPassword:RandomPassword", {"length": 24}, name="pw"))
    text = plan(before, after).render()
    assert text.splitlines() == [
        "@@ c1 @@",
        "~ update   Namespace a",
        '      metadata.labels.x: "1" → "2"',
        "@@ generated @@",
        "+ create   RandomPassword pw",
        "Plan: 1 to create, 1 to update, 0 to replace, 0 to delete, 1 unchanged.",
    ]
    assert plan(before, before).render().splitlines() == [
        "No changes.", "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 2 unchanged."]


# --set values, typed as Pulumi config --------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("1-18", "1-18"), ("1.18.2-solo", "1.18.2-solo"), ("2.2.7", "2.2.7"), ("1.5", "1.5"), ("3", 3),
    ("true", True), ("false", False), ('["gateway","waf"]', ["gateway", "waf"]), ('"7"', "7"), ("", ""),
    ("null", "null"),
])
def test_set_values_are_typed_like_pulumi_config(text: str, value: object) -> None:
    assert assignments.config_value(text) == value
    assert type(assignments.config_value(text)) is type(value)


def test_assignments() -> None:
    assert assignments.parse_assignment("istioCanaryRevision=1-18") == ("istioCanaryRevision", "1-18")
    assert assignments.parse_assignment("gloo-mesh-workshop:credentialsRotation=2") == ("credentialsRotation", 2)
    assert assignments.parse_assignment("features=[]") == ("features", [])
    for bad, message in (("istioTag", "--set 'istioTag': expected KEY=VALUE"),
                         ("=1", "--set '=1': expected KEY=VALUE"),
                         ("kubernetes:context=x", "'kubernetes:context': only gloo-mesh-workshop: keys are this "
                                                  "program's config")):
        with pytest.raises(ValueError) as raised:
            assignments.parse_assignment(bad)
        assert str(raised.value) == message


def test_a_list_that_is_not_json_says_so_and_how_to_write_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert diff.main(["dev", "--set", "features=[gateway,"]) == 2
    captured = capsys.readouterr()
    assert captured.err == ("error: --set features: '[gateway,' is not valid JSON; expected a list of strings in "
                            "JSON, its strings quoted: --set 'features=[\"gateway\",\"waf\"]'\n")
    assert captured.out == ""
    with pytest.raises(ValueError) as raised:
        assignments.parse_assignment("workloadClusters=c1")
    assert str(raised.value) == ("--set workloadClusters: 'c1' is not valid JSON; expected a list of strings in "
                                 "JSON, its strings quoted: --set 'workloadClusters=[\"cluster1\",\"cluster2\"]'")


def test_changed_config() -> None:
    assert assignments.changed_config({"a": 1, "b": 2}, [("c", 3), ("a", 4)], ["b"]) == {"a": 4, "c": 3}


# The command ----------------------------------------------------------------------------------------
def test_the_command_compares_two_stack_files_and_gates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = stack_file(tmp_path, "before")
    after = stack_file(tmp_path, "after", glooMeshVersion="2.2.7")
    assert diff.main([str(after), "--against", str(before), "--fail-on", "replace,update"]) == 1
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[0] == f"Change plan: {before} → {after}"
    assert '~ update   HelmRelease gloo-mesh/gloo-mesh-enterprise' in out
    assert '      version: "2.2.6" → "2.2.7"' in out
    assert out[-1].startswith("Plan: 0 to create, 5 to update, 0 to replace, 0 to delete, ")
    assert "error: the plan would update 5 resource(s) (--fail-on replace,update)" in captured.err


def test_a_bad_config_is_the_error_pulumi_up_gives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = stack_file(tmp_path, "before", istioCanaryTag="1.18.2-solo")
    assert diff.main([str(stack_file(tmp_path, "after")), "--against", str(before)]) == 2
    err = capsys.readouterr().err
    assert "before the change: istioCanaryTag: '1.18.2-solo' is set without istioCanaryRevision" in err
    after = stack_file(tmp_path, "after", credentialsRotation=-1)
    assert diff.main([str(after), "--against", str(before), "--set", "istioCanaryRevision=1-17"]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        "  - before the change: istioCanaryTag: '1.18.2-solo' is set without istioCanaryRevision; a canary tag "
        "needs the canary revision it installs (set both, or neither)",
        "  - after the change: istioCanaryRevision: '1-17' is the active revision (istioRevision); a canary is a "
        "second revision beside it, so it needs another name (like 1-18)",
        "  - after the change: istioCanaryTag: missing; istioCanaryRevision '1-17' needs the image tag it installs "
        "(like 1.18.2-solo)",
        "  - after the change: credentialsRotation: -1 is out of range; allowed is 0 to 2147483647",
    ]


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        diff.main(["dev", "--fail-on", "explode"])
    assert exited.value.code == 2
    assert "--fail-on: unknown action(s) explode" in capsys.readouterr().err
    assert diff.main([str(tmp_path / "missing.yaml")]) == 2
    assert "no stack config file" in capsys.readouterr().err


def test_json_is_the_plan_of_the_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = stack_file(tmp_path, "before")
    after = stack_file(tmp_path, "after", glooMeshVersion="2.2.7")
    assert diff.main([str(after), "--against", str(before), "--json", "--fail-on", "update"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"format", "title", "notes", "steps", "summary", "blocked"}
    assert printed["blocked"] == 0
    assert (printed["format"], printed["title"]) == (1, f"Change plan: {before} → {after}")
    enterprise = next(s for s in printed["steps"] if s["label"] == "HelmRelease gloo-mesh/gloo-mesh-enterprise")
    assert enterprise == {
        "action": "update", "cluster": "mgmt", "label": "HelmRelease gloo-mesh/gloo-mesh-enterprise",
        "urn": enterprise["urn"], "reasons": [], "deleteFirst": False, "blocked": False, "note": "",
        "changes": [{"path": "version", "secret": False, "old": "2.2.6", "new": "2.2.7"}]}
    assert enterprise["urn"].endswith("::mgmt/gloo-mesh/gloo-mesh-enterprise")
    assert diff.main([str(after), "--against", str(before)]) == 0
    text = capsys.readouterr().out
    counts = printed["summary"]
    assert text.splitlines()[-1] == (f"Plan: {counts['create']} to create, {counts['update']} to update, "
                                     f"{counts['replace']} to replace, {counts['delete']} to delete, "
                                     f"{counts['unchanged']} unchanged.")
    assert counts["update"] == len(printed["steps"]) == 5


def test_json_change_of_a_secret_and_of_an_absent_input() -> None:
    result = change_plan.Plan((change_plan.Step("update", "u", "c", "Secret ns/x",
                                  (Change("data", Secret("a"), Secret("b"), True), Change("spec.x", MISSING, 1))),),
                       0, "t")
    assert plan_json.plan_json(result)["steps"][0]["changes"] == [
        {"path": "data", "secret": True, "old": "[secret]", "new": "[secret]"},
        {"path": "spec.x", "secret": False, "new": 1}]


# Protected resources and certificate renewal -------------------------------------------------------
def protected(r: Record) -> Record:
    return dataclasses.replace(r, protect=True)


def test_deleting_or_replacing_a_protected_resource_blocks_the_plan() -> None:
    # Upstream facts (pulumi/pulumi pkg/resource/deploy/step_generator.go: "unable to replace
    # resource ... as it is currently marked for protection" when old and new are protected, and the
    # preview is marked failed; step.go `DeleteStep.Apply` refuses to delete a protected resource
    # before its dry-run branch, so `pulumi preview` fails as well).
    before = sim(provider("c1", "c1"), protected(namespace("ns-a", "a", {})), protected(namespace("ns-b", "b", {})))
    after = sim(provider("c1", "c1"), protected(namespace("ns-a", "renamed", {})))
    result = plan(before, after)
    assert [(s.action, s.label, s.blocked) for s in result.steps] == [
        ("replace", "Namespace renamed", True), ("delete", "Namespace b", True)]
    text = result.render()
    assert "BLOCKED" in text and "`pulumi preview` fails" in text
    # unprotecting in the same change is allowed (the engine looks at the new protect flag)
    assert not plan(before, sim(provider("c1", "c1"), namespace("ns-a", "renamed", {}),
                                protected(namespace("ns-b", "b", {})))).blocked()


def test_the_command_exits_1_on_a_protected_delete_without_fail_on(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    before = stack_file(tmp_path, "before", protectPlatform=True)
    after = stack_file(tmp_path, "after", protectPlatform=True, mgmtCluster="mgmt-renamed")
    code = diff.main([str(after), "--against", str(before)])
    captured = capsys.readouterr()
    if "BLOCKED" not in captured.out:  # the rename deletes the protected releases of the old cluster name
        pytest.fail(captured.out + captured.err)
    assert code == 1 and "protected resource(s)" in captured.err


def test_a_widened_early_renewal_window_is_an_update_with_a_renewal_note() -> None:
    # pulumi-tls (terraform-provider-tls' certificate plan modifier, the `ready_for_renewal`
    # output): a certificate is replaced at any `up` once now >= validity end - earlyRenewalHours.
    cert = "tls:index/selfSignedCert:SelfSignedCert"
    old = record("c", cert, {"validityPeriodHours": 100, "earlyRenewalHours": 0}, name="cert")
    new = record("c", cert, {"validityPeriodHours": 100, "earlyRenewalHours": 50}, name="cert")
    step = plan(sim(old), sim(new)).step("SelfSignedCert cert")
    assert step.action == "update" and "replaced" in step.note and "50 hours" in step.note
    assert "note: earlyRenewalHours widens" in plan(sim(old), sim(new)).render()
    # a window as long as the validity is always open: a replace
    always = record("c", cert, {"validityPeriodHours": 100, "earlyRenewalHours": 100}, name="cert")
    assert plan(sim(old), sim(always)).step("SelfSignedCert cert").reasons == ("ready_for_renewal",)


# In-place Istio upgrades are not awaited --------------------------------------------------------------
def test_an_in_place_tag_change_of_an_installed_revision_says_up_does_not_wait_for_it() -> None:
    # Upstream fact (pulumi-kubernetes provider/pkg/await/condition/jsonpath.go): the `pulumi.com/waitFor`
    # JSONPath condition holds back only while `status.observedGeneration` < `metadata.generation`; Gloo's
    # lifecycle-manager status has none, so the revision's HEALTHY state from before the change meets it.
    result = change_plan.diff("dev", sets=[("istioTag", "1.17.2-solo")])
    managers = [s for s in result.steps if s.label.split()[0] in ("IstioLifecycleManager", "GatewayLifecycleManager")]
    assert len(managers) == 6  # per workload cluster: the installation, the ingress and east-west gateways
    for step in managers:
        assert step.action == "update"
        assert step.note.startswith("revision 1-17 changes in place (tag or hub): `pulumi up` does not wait for it")


def test_a_canary_revision_is_awaited_and_gets_no_in_place_note() -> None:
    result = change_plan.diff("dev", sets=[("istioCanaryRevision", "1-18"), ("istioCanaryTag", "1.18.2-solo")])
    managers = [s for s in result.steps if s.label.split()[0] in ("IstioLifecycleManager", "GatewayLifecycleManager")]
    assert managers and not [s.note for s in managers if s.note]


def test_the_in_place_rule_keys_installations_by_revision() -> None:
    def manager(*installations: tuple[str, str]) -> dict[str, object]:
        return {"spec": {"installations": [{"revision": r, "istioOperatorSpec": {"tag": t, "hub": "h"}}
                                           for r, t in installations]}}
    assert change_plan.in_place_upgrade_note(manager(("1-17", "a")), manager(("1-17", "a"), ("1-18", "b"))) is None
    assert change_plan.in_place_upgrade_note(manager(("1-17", "a"), ("1-18", "b")), manager(("1-18", "b"))) is None
    note = change_plan.in_place_upgrade_note(manager(("1-17", "a"), ("1-18", "b")), manager(("1-18", "c"), ("1-17", "a")))
    assert note is not None and note.startswith("revision 1-18 changes in place")
    hub_only = {"spec": {"installations": [{"revision": "1-17", "istioOperatorSpec": {"tag": "a", "hub": "other"}}]}}
    note = change_plan.in_place_upgrade_note(manager(("1-17", "a")), hub_only)
    assert note is not None and note.startswith("revision 1-17 changes in place (tag or hub)")


# Kubeconfig contents ---------------------------------------------------------------------------------
TOKEN = "kubeconfig-token-0123456789abcdef"


def kubeconfig(token: str) -> str:
    return ("apiVersion: v1\nkind: Config\nclusters:\n- name: mgmt\n  cluster: {server: https://mgmt.example:6443}\n"
            "contexts:\n- name: mgmt\n  context: {cluster: mgmt, user: deployer}\ncurrent-context: mgmt\n"
            f"users:\n- name: deployer\n  user: {{token: {token}}}\n")


def test_a_kubeconfigs_contents_never_show_in_the_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # pulumi-kubernetes takes a kubeconfig's contents where the program's config names a file; the
    # plan shows the provider's change, never the credentials in it (nor a cut-off part of them).
    before = stack_file(tmp_path, "before", mgmtKubeconfig=kubeconfig(TOKEN + "-old"))
    after = stack_file(tmp_path, "after", mgmtKubeconfig=kubeconfig(TOKEN + "-new"))
    assert diff.main([str(after), "--against", str(before)]) == 0
    text = capsys.readouterr()
    assert "      kubeconfig: [secret] → [secret]" in text.out.splitlines()
    assert diff.main([str(after), "--against", str(before), "--json"]) == 0
    printed = capsys.readouterr()
    changes = [c for s in json.loads(printed.out)["steps"] for c in s["changes"] if c["path"] == "kubeconfig"]
    assert changes and all(c == {"path": "kubeconfig", "secret": True, "old": "[secret]", "new": "[secret]"}
                           for c in changes)
    for shown in (text.out + text.err, printed.out + printed.err):
        assert TOKEN not in shown and "kubeconfig-token" not in shown


def test_a_kubeconfig_set_on_the_command_line_is_shown_as_a_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)  # the SDK fills an unset kubeconfig from it
    stack = stack_file(tmp_path, "stack")
    assert diff.main([str(stack), "--set", f"mgmtKubeconfig={kubeconfig(TOKEN)}"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Change plan: {stack} with mgmtKubeconfig=[secret]"
    assert TOKEN not in out
    assert diff.main([str(stack), "--set", "mgmtKubeconfig=/home/me/.kube/mgmt"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Change plan: {stack} with mgmtKubeconfig=/home/me/.kube/mgmt"
    assert '      kubeconfig: (none) → "/home/me/.kube/mgmt"' in out.splitlines()  # a path is shown


def test_a_kubeconfig_in_an_error_message_is_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # workloadKubeconfigs is a list; given one kubeconfig's contents, the type error would quote it.
    stack = stack_file(tmp_path, "bad", workloadKubeconfigs=kubeconfig(TOKEN))
    assert diff.main([str(stack)]) == 2
    err = capsys.readouterr().err
    assert ("with configuration key 'workloadKubeconfigs' must be of type 'List<string>', got a value of "
            f"{len(json.dumps(kubeconfig(TOKEN)))} characters with line breaks (not shown: it may hold credentials)") in err
    assert TOKEN not in err
