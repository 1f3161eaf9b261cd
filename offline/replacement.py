"""When `pulumi up` replaces a resource instead of updating it in place: a pure table, per provider.

A replacement (a new object, a new generated value) is decided by the resource's provider, from the
old and new inputs, and by the engine, from resource options. This module writes those decisions
down for the resources this program declares, so the offline change plan (`tools.diff`) and the
simulation's stand-in values (`offline.runtime`) can apply them without a provider:

- **pulumi-kubernetes** (`provider/pkg/provider/diff.go` `forceNew` and `provider.go` `Diff`): a
  change of `metadata.name` or `metadata.namespace` replaces every object; some kinds add fields
  (a Service's `spec.clusterIP`, a Deployment's `spec.selector`, a ClusterRoleBinding's `roleRef`, a
  Secret's `type`). A Secret's `data` and `stringData` and a ConfigMap's `data` and `binaryData`
  replace too unless the provider has `enableSecretMutable`/`enableConfigMapMutable` (this
  program's providers make Secrets mutable) and the new object is not `immutable`. A custom
  resource is replaced only on name or namespace: the provider knows nothing of its fields, and
  no field of the Gloo 2.2 kinds this program uses is known to be immutable (their CRDs carry no
  validation rules that say so), an ExternalEndpoint included. The fields are keyed by API group,
  version and kind (`forceNew`). A replaced object that keeps its name and namespace is deleted
  first (`deleteBeforeReplace`); a renamed or moved one is created first.
- **Helm releases** (`helm_release.go` `Diff`): only `name` and `namespace`. A new chart version,
  values, or even another chart or repository is a `helm upgrade` of the same release.
- **pulumi-random**: every input replaces (that is what `keepers` are for).
- **pulumi-tls**: every input replaces, except a certificate's `earlyRenewalHours` (updated in
  place), and a certificate ready for renewal (its early-renewal window covers the current time) is
  replaced at any `up` (`ready_for_renewal`).
- **the engine**: a changed `replacement_trigger` option replaces (a trigger absent on either side
  does not); a `replace_on_changes` path replaces when it changes.
- **the Kubernetes provider resource** (`provider/pkg/provider/provider.go` `DiffConfig`, `util.go`
  `getActiveClusterFromConfig`): with the same `clusterIdentifier` on both sides nothing replaces
  it; a changed `clusterIdentifier` replaces it (adding or removing one does not); otherwise an
  unknown `kubeconfig`, `context` or `cluster` replaces it, a changed `renderYamlToDirectory` does,
  and a change of `kubeconfig`/`context`/`cluster` does only when the old and the new active
  cluster both resolve (from a kubeconfig given as contents or as a file) and differ. A replaced
  provider replaces every resource it manages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.core.constants import HELM_RELEASE

KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"
METADATA_IDENTITY = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class ReplacementRule:
    """What replaces a resource of one type (and kind)."""

    #: input paths (dotted, top-level input names as Pulumi sends them) whose change replaces
    replace_on: tuple[str, ...] = ()
    #: every input change replaces, except changes under `update_in_place`
    any_input: bool = False
    update_in_place: tuple[str, ...] = ()
    #: the provider deletes the old object before it creates the new one (same name)
    delete_first: bool = False


_CORE_V1 = {"Service": ("spec.clusterIP",), "Secret": ("type",)}
#: pulumi-kubernetes' forceNew fields beyond metadata.name/namespace, by API group, version and kind
#: (`provider/pkg/provider/diff.go` `forceNew`: a kind under another group or version has none; the
#: core group also as ""). Only the kinds this program declares are listed (a test keeps the list
#: equal to what the stacks declare): a Namespace, ServiceAccount or ConfigMap has no fields there.
KUBERNETES_KINDS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("apps", "v1"): {"Deployment": ("spec.selector",)},
    ("core", "v1"): _CORE_V1,
    ("", "v1"): _CORE_V1,
    ("rbac.authorization.k8s.io", "v1"): {"ClusterRoleBinding": ("roleRef",)},
}
#: Replaced on their contents unless the provider makes the kind mutable and the object is not
#: `immutable` (`diff.go`: `IsSecret`/`IsConfigMap` are core/v1 kinds; a Secret's contents rule comes
#: before its kind's fields, a ConfigMap's after).
IMMUTABLE_CONTENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Secret": ("enableSecretMutable", ("type", "stringData", "data")),
    "ConfigMap": ("enableConfigMapMutable", ("binaryData", "data")),
}


def group_version_kind(resource_type: str) -> tuple[str, str, str]:
    """`kubernetes:apps/v1:Deployment` → ("apps", "v1", "Deployment")."""
    _, module, kind = (resource_type.split(":") + ["", ""])[:3]
    group, _, version = module.rpartition("/")
    return group, version, kind


RULES: dict[str, ReplacementRule] = {
    HELM_RELEASE: ReplacementRule(replace_on=("name", "namespace")),
    "random:index/randomPassword:RandomPassword": ReplacementRule(any_input=True),
    "tls:index/privateKey:PrivateKey": ReplacementRule(any_input=True),
    "tls:index/certRequest:CertRequest": ReplacementRule(any_input=True),
    "tls:index/selfSignedCert:SelfSignedCert": ReplacementRule(any_input=True, update_in_place=("earlyRenewalHours",)),
    "tls:index/locallySignedCert:LocallySignedCert": ReplacementRule(any_input=True, update_in_place=("earlyRenewalHours",)),
}


def _enabled(value: Any) -> bool:
    return value is True or value == "true"


def rule_for(resource_type: str, kind: str | None = None, provider: Mapping[str, Any] | None = None,
             immutable: bool = False) -> ReplacementRule:
    """The rule for a resource type; Kubernetes objects by kind (any other kind: a custom resource),
    under their provider's config (`provider`: its inputs) and their own `immutable` field."""
    if resource_type in RULES:
        return RULES[resource_type]
    if resource_type.startswith("kubernetes:"):
        group, version, type_kind = group_version_kind(resource_type)
        kind = kind or type_kind
        fields = KUBERNETES_KINDS.get((group, version), {}).get(kind, ())
        if kind in IMMUTABLE_CONTENTS and (group, version) in (("core", "v1"), ("", "v1")):
            flag, contents = IMMUTABLE_CONTENTS[kind]
            if immutable or not _enabled((provider or {}).get(flag)):
                fields = contents
        return ReplacementRule(replace_on=(*METADATA_IDENTITY, *fields), delete_first=True)
    return ReplacementRule()


CERTIFICATES = ("tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert")


def ready_for_renewal(inputs: Mapping[str, Any]) -> bool:
    """Whether a certificate's early-renewal window covers the whole validity period, so that any
    `up` (at any time after it is issued) finds it ready for renewal and replaces it.

    pulumi-tls (terraform-provider-tls' certificate plan modifier, surfaced as the
    `ready_for_renewal` output: "expired ... or ready for an early renewal (i.e. within the
    early_renewal_hours)") replaces a certificate when `now >= validity end - earlyRenewalHours`.
    Offline the issue time is unknown, so only a window at least as long as the validity is
    certain; a narrower widened window replaces once the current time is inside it (the plan says so
    by a note on the update, `renewal_note`).
    """
    early, validity = inputs.get("earlyRenewalHours"), inputs.get("validityPeriodHours")
    return isinstance(early, int) and isinstance(validity, int) and early > 0 and early >= validity


def renewal_note(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """A note for a certificate whose early-renewal window widens (an update that may be a replace)."""
    before, after = old.get("earlyRenewalHours") or 0, new.get("earlyRenewalHours") or 0
    if isinstance(before, int) and isinstance(after, int) and after > before:
        return (f"earlyRenewalHours widens to {after}: replaced (with its Secrets rolled) if the certificate "
                f"expires within {after} hours of the `up`")
    return None


#: The value the Pulumi engine sends for an input only known after deploy (`offline.runtime` records it).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
CLUSTER_KEYS = ("kubeconfig", "context", "cluster")


def _kubeconfig(value: Any) -> Mapping[str, Any]:
    """A kubeconfig input as the provider parses it: a file path if one exists, else the contents."""
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str) or not value:
        return {}
    path = Path(value).expanduser()
    try:
        text = path.read_text() if len(value) < 4096 and "\n" not in value and path.is_file() else value
        parsed = yaml.safe_load(text)
    except (OSError, yaml.YAMLError):
        return {}
    return parsed if isinstance(parsed, Mapping) else {}


def active_cluster(inputs: Mapping[str, Any]) -> Any:
    """The active cluster entry of a provider's kubeconfig under its `context`/`cluster` overrides,
    None where it does not resolve (no kubeconfig: the ambient one, not read by `DiffConfig`)."""
    config = _kubeconfig(inputs.get("kubeconfig"))
    clusters = {c.get("name"): c.get("cluster") for c in config.get("clusters") or [] if isinstance(c, Mapping)}
    if not clusters:
        return None
    contexts = {c.get("name"): c.get("context") or {} for c in config.get("contexts") or [] if isinstance(c, Mapping)}
    current = inputs.get("context") or config.get("current-context")
    if current not in contexts:
        return None
    name = inputs.get("cluster") or contexts[current].get("cluster")
    return clusters.get(name)


def provider_replaces(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """The inputs whose change makes pulumi-kubernetes' `DiffConfig` replace the provider."""
    keys = (set(old) | set(new)) - {"__defaults"}
    if all(old.get(k) == new.get(k) for k in keys):
        return ()
    old_id, new_id = old.get("clusterIdentifier"), new.get("clusterIdentifier")
    if new_id is not None and old_id == new_id:
        return ()  # the same identifier: every other change is an update
    replaces: list[str] = []
    if old_id is not None and new_id is not None:
        replaces.append("clusterIdentifier")
    unknown = [k for k in CLUSTER_KEYS if UNKNOWN in repr(new.get(k))]
    if unknown:
        return (*replaces, unknown[0])
    if old.get("renderYamlToDirectory") != new.get("renderYamlToDirectory"):
        replaces.append("renderYamlToDirectory")
    before, after = active_cluster(old), active_cluster(new)
    if before is not None and after is not None and before != after:
        replaces += [k for k in CLUSTER_KEYS if old.get(k) != new.get(k)]
    return tuple(replaces)


@dataclass(frozen=True)
class Replacement:
    #: why: the changed input paths (or option) that force it
    reasons: tuple[str, ...] = ()
    delete_first: bool = False

    def __bool__(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Options:
    """The resource options that bear on replacement."""

    replacement_trigger: Any = None
    replace_on_changes: tuple[str, ...] = field(default_factory=tuple)


def value_at(value: Any, path: str) -> Any:
    """The value at a dotted path (None where it is absent)."""
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def replacement(resource_type: str, kind: str | None, old: Mapping[str, Any], new: Mapping[str, Any],
                old_options: Options | None = None, new_options: Options | None = None,
                provider: Mapping[str, Any] | None = None) -> Replacement:
    """Whether changing `old` inputs to `new` (secrets revealed) replaces the resource, and why;
    `provider` is the Kubernetes provider's inputs (its config)."""
    rule = rule_for(resource_type, kind, provider, _enabled(new.get("immutable")))
    old_options, new_options = old_options or Options(), new_options or Options()
    reasons: list[str] = list(provider_replaces(old, new)) if resource_type == KUBERNETES_PROVIDER else []
    if rule.any_input:
        for key in sorted(set(old) | set(new)):
            if key in ("__defaults",) or key in rule.update_in_place:
                continue
            if old.get(key) != new.get(key):
                reasons.append(key)
    paths: Iterable[str] = (*rule.replace_on, *new_options.replace_on_changes)
    for path in dict.fromkeys(paths):
        if value_at(old, path) != value_at(new, path):
            reasons.append(path)
    if resource_type in CERTIFICATES and ready_for_renewal(new):
        reasons.append("ready_for_renewal")
    old_trigger, new_trigger = old_options.replacement_trigger, new_options.replacement_trigger
    if old_trigger is not None and new_trigger is not None and old_trigger != new_trigger:
        reasons.append("replacement_trigger")
    # A replaced Kubernetes object is deleted first only when the new one must have the old one's
    # name in the old one's namespace (`provider.go` `Diff`, `deleteBeforeReplace`: named, not
    # autonamed, same name, same namespace); otherwise the new one is created first.
    same_identity = all(value_at(old, p) == value_at(new, p) for p in METADATA_IDENTITY)
    named = value_at(new, "metadata.name") is not None
    return Replacement(tuple(reasons), rule.delete_first and bool(reasons) and same_identity and named)

