"""Offline change plan: what `pulumi up` would do to each resource when a stack's config changes.

    gmw diff dev --set istioCanaryRevision=1-18 --set istioCanaryTag=1.18.2-solo
    gmw diff dev --set credentialsRotation=1 --fail-on replace,delete
    gmw diff stacks/base.yaml --against /tmp/base-before.yaml

Evaluates the stack (`dev` → Pulumi.dev.yaml, or a stack file) before and after the change, both
through the real program under the Pulumi mock runtime (`offline.runtime`), and prints per cluster
what `pulumi up` would do to each resource it manages:

- **create** / **delete**: a resource (URN) only after / only before the change. Resources are
  matched by URN, as Pulumi matches them. This program names every Kubernetes object's resource
  after its cluster, namespace and name, so renaming or moving an object is a delete and a create,
  which is what `pulumi up` does with it too.
- **update**: the inputs changed, none of the ones its provider replaces on: each changed input
  path with the old and new value (a secret as `[secret]`).
- **replace**: a changed input its provider cannot update in place (`offline.replacement`: a
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
(`--set licenseKey=...`, or one in plaintext in a stack file) is never printed (`offline.secrets`), nor is
a kubeconfig's contents given where a kubeconfig path goes (`mgmtKubeconfig`, `workloadKubeconfigs`).

What it does not see: changes of the program itself (both sides run this checkout's program:
`pulumi preview` shows those), what only a cluster knows (live drift, what a Helm chart templates),
and a dependent's replacement forced by the deletion of a replaced object it reads from (no
resource of this program reads another's outputs that way).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.core.config import ConfigError, parse_settings
from components.core.constants import HELM_RELEASE
from offline import secrets
from offline.assignments import (
    changed_config,
)
from offline.changes import (
    Change,
    _revealed,
    input_changes,
)
from offline.counts import count
from offline.records import Record, Simulation
from offline.replacement import CERTIFICATES, KUBERNETES_PROVIDER, Options, renewal_note, replacement
from offline.runtime import program_values, simulate
from offline.stack_files import stack_config, stack_file, with_fake_license

CREATE, UPDATE, REPLACE, DELETE = "create", "update", "replace", "delete"
ACTIONS = (CREATE, UPDATE, REPLACE, DELETE)
MARKERS = {CREATE: "+", UPDATE: "~", REPLACE: "+-", DELETE: "-"}
GENERATED = "generated"  # the "cluster" of what the program generates itself (passwords, keys)


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


