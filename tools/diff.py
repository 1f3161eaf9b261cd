"""Offline change plan: what `pulumi up` would do to each resource when a stack's config changes.

    python -m tools.diff dev --set istioCanaryRevision=1-18 --set istioCanaryTag=1.18.2-solo
    python -m tools.diff dev --set credentialsRotation=1 --fail-on replace,delete
    python -m tools.diff stacks/base.yaml --against /tmp/base-before.yaml

Evaluates the stack (`dev` → Pulumi.dev.yaml, or a stack file) before and after the change, both
through the real program under the Pulumi mock runtime (`tools.simulate`), and prints per cluster
what `pulumi up` would do to each resource it manages:

- **create** / **delete**: a resource (URN) only after / only before the change. Resources are
  matched by URN, as Pulumi matches them. This program names every Kubernetes object's resource
  after its cluster, namespace and name, so renaming or moving an object is a delete and a create,
  which is what `pulumi up` does with it too.
- **update**: the inputs changed, none of the ones its provider replaces on: each changed input
  path with the old and new value (a secret as `[secret]`).
- **replace**: a changed input its provider cannot update in place (`tools.replacement`: a
  Kubernetes object's name or namespace, a Service's `spec.clusterIP`, a Deployment's
  `spec.selector`, a Secret's data, a Helm release's name or namespace, any input of a generated
  password or key, a changed `replacement_trigger`), or a replaced provider (a Kubernetes
  provider only on a changed `clusterIdentifier`, which this program sets to the cluster's name,
  as pulumi-kubernetes' `DiffConfig` decides it). A Kubernetes object that keeps its name and
  namespace is deleted before its replacement is created.
- **blocked**: a delete or replace of a protected resource (`protectPlatform: true`): `pulumi
  preview` fails on it, so the plan marks it and exits 1 whatever `--fail-on` says.

and a one-line summary. `STACK` is the state after the change: `--set KEY=VALUE` (repeatable;
the value is read as Pulumi config is: JSON lists, numbers and booleans, anything else a string)
and `--unset KEY` change it; `--against OTHER_STACK_FILE` names the state before (default: `STACK`
as it is). Exit status 0; 1 when the plan is blocked (a protected resource deleted or replaced)
or, with `--fail-on replace,delete` (any of create, update, replace, delete), has such a step, so
it can gate a change. A bad config prints the error `pulumi up` would give and exits 2. `--json`
prints the plan as JSON (docs/json-output.md). The value of a key Pulumi.yaml declares secret
(`--set licenseKey=...`, or one in plaintext in a stack file) is never printed (`tools.secrets`), nor is
a kubeconfig's contents given where a kubeconfig path goes (`mgmtKubeconfig`, `workloadKubeconfigs`).

What it does not see: changes of the program itself (both sides run this checkout's program:
`pulumi preview` shows those), what only a cluster knows (live drift, what a Helm chart templates),
and a dependent's replacement forced by the deletion of a replaced object it reads from (no
resource of this program reads another's outputs that way).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.core.config import DEFAULTS, LIST_KEYS, PROJECT, REVIEWS_VERSIONS, ConfigError, parse_settings
from tools import colour, prog, secrets
from tools.counts import count
from tools.replacement import CERTIFICATES, KUBERNETES_PROVIDER, Options, renewal_note, replacement
from tools.simulate import (
    Record,
    Secret,
    Simulation,
    Unknown,
    program_values,
    simulate,
    stack_config,
    stack_file,
    with_fake_license,
)

CREATE, UPDATE, REPLACE, DELETE = "create", "update", "replace", "delete"
ACTIONS = (CREATE, UPDATE, REPLACE, DELETE)
MARKERS = {CREATE: "+", UPDATE: "~", REPLACE: "+-", DELETE: "-"}
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
GENERATED = "generated"  # the "cluster" of what the program generates itself (passwords, keys)
SECRET = "[secret]"
ABSENT = "(none)"
VALUE_WIDTH = 200


class _Missing:
    def __repr__(self) -> str:
        return ABSENT


MISSING = _Missing()


@dataclass(frozen=True)
class Change:
    """One changed input: its path (Pulumi's notation), old and new value, and whether it is secret."""

    path: str
    old: Any
    new: Any
    secret: bool = False

    def line(self) -> str:
        return f"{self.path}: {_show(self.old, self.secret)} → {_show(self.new, self.secret)}"


@dataclass(frozen=True)
class Step:
    action: str
    urn: str
    cluster: str
    label: str
    changes: tuple[Change, ...] = ()
    #: for a replace: the input paths (or option) that force it
    reasons: tuple[str, ...] = ()
    delete_first: bool = False
    #: a delete or replace of a protected resource: `pulumi preview` fails on it
    #: (pulumi/pulumi pkg/resource/deploy/step_generator.go "unable to replace resource ... marked for
    #: protection" when old and new are protected; step.go `DeleteStep.Apply` refuses a protected delete,
    #: before its dry-run branch, so in preview too)
    blocked: bool = False
    #: what the step may turn into, where it depends on what only the live state knows
    note: str = ""

    def lines(self) -> list[str]:
        head = f"{MARKERS[self.action]} {self.action:<8} {self.label}"
        if self.action == REPLACE:
            head += f"  (replaces on: {', '.join(self.reasons)}{'; deleted first' if self.delete_first else ''})"
        if self.blocked:
            head += "  BLOCKED: protected, `pulumi preview` fails (unprotect it first)"
        extra = [f"      note: {self.note}"] if self.note else []
        return [head, *(f"      {change.line()}" for change in self.changes), *extra]


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    unchanged: int
    title: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def of(self, *actions: str) -> list[Step]:
        return [s for s in self.steps if s.action in actions]

    def blocked(self) -> list[Step]:
        """The steps `pulumi preview` fails on: deletes and replaces of protected resources."""
        return [s for s in self.steps if s.blocked]

    def step(self, label: str, cluster: str | None = None) -> Step | None:
        """The step of the resource labelled `label` (on `cluster`), None if it does not change."""
        found = [s for s in self.steps if s.label == label and cluster in (None, s.cluster)]
        if len(found) > 1:
            raise LookupError(f"{label!r} is ambiguous: {[s.cluster for s in found]}")
        return found[0] if found else None

    def summary(self) -> str:
        counts = ", ".join(f"{len(self.of(action))} to {action}" for action in ACTIONS)
        return f"Plan: {counts}, {self.unchanged} unchanged."

    def render(self) -> str:
        lines = [self.title, *self.notes, ""] if self.title else []
        for cluster in sorted({s.cluster for s in self.steps}, key=lambda c: (c == GENERATED, c)):
            lines.append(f"@@ {cluster} @@")
            for step in self.steps:
                if step.cluster == cluster:
                    lines.extend(step.lines())
        if not self.steps:
            lines.append("No changes.")
        if self.blocked():
            lines.append(f"error: {len(self.blocked())} protected resource(s) would be deleted or replaced: "
                         "`pulumi preview` fails")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


# JSON -----------------------------------------------------------------------------------------------
JSON_FORMAT = 1


def _json_change(change: Change) -> dict[str, Any]:
    """One changed input: `old`/`new` hold the value (a secret as "[secret]"); absent means the input was not set."""
    entry: dict[str, Any] = {"path": change.path, "secret": change.secret}
    for side, value in (("old", change.old), ("new", change.new)):
        if value is not MISSING:
            entry[side] = SECRET if change.secret else _plain(value)
    return entry


def plan_json(result: Plan) -> dict[str, Any]:
    """The plan as `--json` prints it (docs/json-output.md): the same steps and counts as the text."""
    return {
        "format": JSON_FORMAT,
        "title": result.title,
        "notes": list(result.notes),
        "steps": [{"action": s.action, "cluster": s.cluster, "label": s.label, "urn": s.urn,
                   "changes": [_json_change(c) for c in s.changes],
                   "reasons": list(s.reasons), "deleteFirst": s.delete_first, "blocked": s.blocked,
                   "note": s.note} for s in result.steps],
        "blocked": len(result.blocked()),
        "summary": {**{action: len(result.of(action)) for action in ACTIONS}, "unchanged": result.unchanged},
    }


# Inputs ---------------------------------------------------------------------------------------------
def _show(value: Any, secret: bool) -> str:
    if value is MISSING:
        return ABSENT
    if secret:
        return SECRET
    if isinstance(value, Unknown):
        return "[known after deploy]"
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "…"


def _plain(value: Any) -> Any:
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, Unknown):
        return "[known after deploy]"
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _key(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def input_changes(old: Any, new: Any, path: str = "", secret: bool = False) -> list[Change]:
    """Every changed leaf between two input values, in order; containers added or removed whole are one change."""
    if isinstance(old, Secret) or isinstance(new, Secret):
        return input_changes(old.value if isinstance(old, Secret) else old,
                             new.value if isinstance(new, Secret) else new, path, secret=True)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[Change] = []
        for key in sorted(set(old) | set(new)):
            if key == "__defaults":
                continue
            found += input_changes(old.get(key, MISSING), new.get(key, MISSING), _key(path, key), secret)
        return found
    if isinstance(old, list) and isinstance(new, list):
        return _list_changes(old, new, path, secret)
    if _same(old, new):
        return []
    return [Change(path or "(inputs)", old, new, secret)]


def _list_changes(old: list[Any], new: list[Any], path: str, secret: bool) -> list[Change]:
    """Lists aligned on their equal elements, so an entry inserted in the middle shows as that one entry
    (at its new index; a removed one at its old index), and a changed entry as its changed fields."""
    def canonical(items: list[Any]) -> list[str]:
        return [json.dumps(_plain(_revealed(v)), sort_keys=True) for v in items]

    found: list[Change] = []
    matcher = difflib.SequenceMatcher(a=canonical(old), b=canonical(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            found += input_changes(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]", secret)
        found += [Change(f"{path}[{i}]", old[i], MISSING, secret) for i in range(i1 + paired, i2)]
        found += [Change(f"{path}[{j}]", MISSING, new[j], secret) for j in range(j1 + paired, j2)]
    return found


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Unknown) or isinstance(new, Unknown):
        return False  # Pulumi cannot know either: a preview shows it as a change
    return type(old) is type(new) and old == new


def _revealed(value: Any) -> Any:
    if isinstance(value, Secret):
        return _revealed(value.value)
    if isinstance(value, Mapping):
        return {k: _revealed(v) for k, v in value.items() if k != "__defaults"}
    if isinstance(value, list):
        return [_revealed(v) for v in value]
    return value


# Resources ------------------------------------------------------------------------------------------
def managed(sim: Simulation) -> dict[str, Record]:
    """What `pulumi up` creates, updates and deletes: custom resources and providers, not reads or components."""
    return {r.urn: r for r in sim.records if r.custom and not r.read}


def cluster_of(record: Record) -> str:
    if record.type == KUBERNETES_PROVIDER:
        return record.name
    return record.cluster or GENERATED


def label(record: Record) -> str:
    inputs = _revealed(record.inputs)
    if record.type == HELM_RELEASE:
        return f"HelmRelease {inputs.get('namespace')}/{inputs.get('name')}"
    if record.type == KUBERNETES_PROVIDER:
        return f"Provider {record.name}"
    if record.type.startswith("kubernetes:"):
        namespace = record.namespace
        return f"{record.kind} {namespace + '/' if namespace else ''}{record.k8s_name}"
    return f"{record.type.rsplit(':', 1)[-1]} {record.name}"


def _provider_urn(record: Record) -> str | None:
    return record.provider.rsplit("::", 1)[0] if record.provider else None


#: Gloo's lifecycle managers: one Istio installation per revision in `spec.installations`.
LIFECYCLE_MANAGERS = ("kubernetes:admin.gloo.solo.io/v2:IstioLifecycleManager",
                      "kubernetes:admin.gloo.solo.io/v2:GatewayLifecycleManager")


def in_place_upgrade_note(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """The note of a lifecycle manager whose installed revision changes in place (a new tag or hub under
    the same revision name), or None.

    `pulumi up` does not wait for such a change: `pulumi.com/waitFor` holds only while
    `status.observedGeneration` lags `metadata.generation` (pulumi-kubernetes
    provider/pkg/await/condition/jsonpath.go), Gloo's lifecycle-manager status has no
    observedGeneration, so the condition is met at once by the HEALTHY state the revision reported
    before the change. A new revision (the canary) has no state yet, so its wait holds."""
    def installations(inputs: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        spec = (inputs.get("spec") or {}) if isinstance(inputs, Mapping) else {}
        found = {}
        for item in spec.get("installations") or []:
            revision = item.get("revision") or item.get("gatewayRevision")
            if revision:
                found[revision] = item.get("istioOperatorSpec") or {}
        return found
    before, after = installations(old), installations(new)
    changed = sorted(r for r in after if r in before
                     and any(before[r].get(k) != after[r].get(k) for k in ("tag", "hub")))
    if not changed:
        return None
    return (f"revision {', '.join(changed)} changes in place (tag or hub): `pulumi up` does not wait for it "
            "(the HEALTHY state from before the change meets the wait); check the installation state "
            "after the update, or upgrade through a canary revision (docs/upgrades.md)")


def masked(record: Record, changes: Iterable[Change]) -> tuple[Change, ...]:
    """`changes` with a provider's kubeconfig shown as `[secret]` where it is a kubeconfig's contents
    (a path is shown): contents carry credentials, and a cut-off value escapes the redactor."""
    if record.type != KUBERNETES_PROVIDER:
        return tuple(changes)
    return tuple(dataclasses.replace(c, secret=True) if c.path == "kubeconfig" and (
        secrets.is_kubeconfig_contents(_revealed(c.old)) or secrets.is_kubeconfig_contents(_revealed(c.new)))
        else c for c in changes)


def plan(before: Simulation, after: Simulation) -> Plan:
    """What `pulumi up` does to go from the state `before` describes to the one `after` describes."""
    old, new = managed(before), managed(after)
    providers = {urn: _revealed(r.inputs) for urn, r in new.items() if r.type == KUBERNETES_PROVIDER}
    steps: list[Step] = []
    replaced_providers: set[str] = set()
    unchanged = 0
    # Providers first: replacing one replaces everything it manages.
    ordered = sorted(new.values(), key=lambda r: r.type != KUBERNETES_PROVIDER)
    for record in ordered:
        previous = old.get(record.urn)
        if previous is None:
            steps.append(Step(CREATE, record.urn, cluster_of(record), label(record)))
            continue
        changes = masked(record, input_changes(previous.inputs, record.inputs))
        forced = replacement(
            record.type, record.kind, _revealed(previous.inputs), _revealed(record.inputs),
            Options(previous.replacement_trigger, previous.replace_on_changes),
            Options(record.replacement_trigger, record.replace_on_changes),
            providers.get(_provider_urn(record) or ""))
        reasons, delete_first = forced.reasons, forced.delete_first
        if _provider_urn(record) in replaced_providers:
            reasons, delete_first = (*reasons, "its provider (another cluster)"), False
        if reasons:
            steps.append(Step(REPLACE, record.urn, cluster_of(record), label(record), changes, reasons, delete_first,
                              blocked=previous.protect and record.protect))
            if record.type == KUBERNETES_PROVIDER:
                replaced_providers.add(record.urn)
        elif changes:
            note = (renewal_note(_revealed(previous.inputs), _revealed(record.inputs)) if record.type in CERTIFICATES
                    else in_place_upgrade_note(_revealed(previous.inputs), _revealed(record.inputs))
                    if record.type in LIFECYCLE_MANAGERS else None)
            steps.append(Step(UPDATE, record.urn, cluster_of(record), label(record), changes, note=note or ""))
        else:
            unchanged += 1
    steps += [Step(DELETE, r.urn, cluster_of(r), label(r), blocked=r.protect) for urn, r in old.items() if urn not in new]
    order = {action: i for i, action in enumerate((REPLACE, DELETE, CREATE, UPDATE))}
    steps.sort(key=lambda s: (s.cluster, order[s.action], s.label))
    return Plan(tuple(steps), unchanged)


# Config ---------------------------------------------------------------------------------------------
def config_value(text: str) -> Any:
    """A `--set` value as Pulumi config holds it: JSON lists, objects, whole numbers and booleans;
    everything else (`1-18`, `1.18.2-solo`, `2.2.7`, even `1.5`) a string. `"..."` forces a string."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(value, list | dict | bool | str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return text


#: How a list value is written on the command line, per list key (others: its default, or two strings).
_LIST_EXAMPLES = {"features": ["gateway", "waf"], "reviewsVersions": [["v1", "v2"], ["v1", "v2", "v3"]]}
#: What a list key holds, as `parse_settings` says it.
_LIST_KINDS = {**{key: "a list of strings" for key in LIST_KEYS},
               "reviewsVersions": f"one list per workload cluster of versions from {', '.join(REVIEWS_VERSIONS)}"}


def _list_example(key: str) -> str:
    example = _LIST_EXAMPLES.get(key) or DEFAULTS.get(key) or ["a", "b"]
    return json.dumps(example, separators=(",", ":"))


def parse_assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"--set {text!r}: expected KEY=VALUE")
    bare = _config_key(key)
    if bare in LIST_KEYS or value.lstrip().startswith("["):
        written = f"in JSON, its strings quoted: --set '{key}={_list_example(bare)}'"
        how = f"expected {_LIST_KINDS[bare]} {written}" if bare in LIST_KEYS else f"a list is written {written}"
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"--set {key}: {value!r} is not valid JSON; {how}") from None
        if bare in LIST_KEYS and not isinstance(decoded, list):
            raise ValueError(f"--set {key}: {decoded!r} is not a list; {how}")
    return bare, config_value(value)


def _config_key(key: str) -> str:
    namespace, sep, bare = key.partition(":")
    if not sep:
        return key
    if namespace != PROJECT:
        raise ValueError(f"{key!r}: only {PROJECT}: keys are this program's config")
    return bare


def changed_config(config: Mapping[str, Any], sets: Iterable[tuple[str, Any]], unsets: Iterable[str]) -> dict[str, Any]:
    result = dict(config)
    for key in unsets:
        result.pop(_config_key(key), None)
    result.update(sets)
    return result


def describe(stack: str, against: Path | None, sets: Sequence[tuple[str, Any]], unsets: Sequence[str]) -> str:
    changes = [secrets.assignment(k, v) for k, v in sets] + [f"-{k}" for k in unsets]
    source = f"{against} → {stack}" if against else stack
    return f"Change plan: {source}{' with ' + ', '.join(changes) if changes else ''}"


def diff(stack: str, *, against: Path | None = None, sets: Sequence[tuple[str, Any]] = (),
         unsets: Sequence[str] = ()) -> Plan:
    """The plan of a stack change (see the module docstring); raises ConfigError naming the side."""
    after_config, fake = with_fake_license(changed_config(stack_config(stack_file(stack)), sets, unsets))
    before_config, _ = with_fake_license(stack_config(against) if against else stack_config(stack_file(stack)))
    # Both sides' config problems at once, before either is evaluated (the program would raise the same).
    problems = []
    for side, config in (("before", before_config), ("after", after_config)):
        try:
            parse_settings(program_values(config))
        except ConfigError as error:
            problems += [f"{side} the change: {p}" for p in error.problems]
    if problems:
        raise ConfigError(problems)
    before = simulate(before_config)
    after = simulate(after_config, previous=before)
    result = plan(before, after)
    counted = count(after)
    notes = ("(offline, under the mock runtime: values known only after deploy are stand-ins; "
             "secrets show as [secret])",
             f"(after the change: {counted.line()}; the plan counts the resources and the providers, "
             f"{counted.managed})")
    if fake:
        notes += ("(no readable licenseKey: evaluated with a fake one)",)
    return Plan(result.steps, result.unchanged, describe(stack, against, sets, unsets), notes)


_LINE_COLOURS = ((f"{MARKERS[REPLACE]} ", colour.YELLOW), (f"{MARKERS[CREATE]} ", colour.GREEN),
                 (f"{MARKERS[UPDATE]} ", colour.YELLOW), (f"{MARKERS[DELETE]} ", colour.RED), ("@@ ", colour.CYAN))


def coloured(text: str, on: bool) -> str:
    """The plan's text with each step's line coloured by its action (only when `on`: `tools.colour`)."""
    if not on:
        return text
    lines = []
    for line in text.split("\n"):
        found = next((c for prefix, c in _LINE_COLOURS if line.startswith(prefix)), None)
        lines.append(colour.paint(line, found, True) if found else line)
    return "\n".join(lines)


def _redactor(stack: str, against: Path | None, assignments: Sequence[str]) -> secrets.Redactor:
    """What the command must never print: the values it was given of keys Pulumi.yaml declares secret
    (`--set licenseKey=...`, a stack file holding one in plaintext), and kubeconfig contents."""
    redactor = secrets.Redactor()
    for text in assignments:
        key, sep, value = text.partition("=")
        if sep and secrets.is_secret(key):
            redactor.add(value)
            redactor.add(config_value(value))
        elif sep:
            redactor.add_kubeconfigs(key, config_value(value))
    for path in (stack_file(stack), against):
        if path is not None and path.is_file():
            redactor.add_config(stack_config(path))
    return redactor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog("diff"), description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="stack name (dev → Pulumi.dev.yaml) or a stack config file: the state after")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                        help="change a config value (repeatable)")
    parser.add_argument("--unset", dest="unsets", action="append", default=[], metavar="KEY",
                        help="remove a config key (repeatable)")
    parser.add_argument("--against", type=Path, metavar="OTHER_STACK_FILE",
                        help="the stack file before the change (default: STACK as it is)")
    parser.add_argument("--fail-on", default="", metavar="ACTIONS",
                        help=f"exit 1 if the plan has any of these steps (comma-separated: {', '.join(ACTIONS)})")
    parser.add_argument("--json", action="store_true",
                        help="print the plan as JSON (its shape: docs/json-output.md) instead of text")
    args = parser.parse_args(argv)
    fail_on = [a.strip() for a in args.fail_on.split(",") if a.strip()]
    unknown = [a for a in fail_on if a not in ACTIONS]
    if unknown:
        parser.error(f"--fail-on: unknown action(s) {', '.join(unknown)}; allowed are {', '.join(ACTIONS)}")
    for path in (stack_file(args.stack), args.against):
        if path is not None and not path.is_file():
            print(f"error: no stack config file {path}", file=sys.stderr)
            return 2
    try:
        redactor = _redactor(args.stack, args.against, args.sets)
    except ConfigError as error:  # a stack file that is not valid YAML: its text is not echoed
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        sets = [parse_assignment(s) for s in args.sets]
        unsets = [_config_key(k) for k in args.unsets]
    except ValueError as error:
        print(redactor.scrub(f"error: {error}"), file=sys.stderr)
        return 2
    try:
        result = diff(args.stack, against=args.against, sets=sets, unsets=unsets)
    except ConfigError as error:
        print(redactor.scrub(f"error: {error}"), file=sys.stderr)
        return 2
    if args.json:
        text = json.dumps(plan_json(result), indent=2, ensure_ascii=False) + "\n"
    else:
        text = coloured(result.render(), colour.enabled(sys.stdout))
    sys.stdout.write(redactor.scrub(text))
    if result.blocked():
        print(f"error: the plan would delete or replace {len(result.blocked())} protected resource(s); "
              "`pulumi preview` fails on them", file=sys.stderr)
        return 1
    failing = result.of(*fail_on)
    if failing:
        print(f"error: the plan would {' and '.join(sorted({s.action for s in failing}))} "
              f"{len(failing)} resource(s) (--fail-on {args.fail_on})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
