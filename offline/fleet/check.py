"""Prove a fleet right under the mock runtime: `gmw fleet check FLEET`.

Every stack of the fleet is evaluated as `pulumi up` would run it (the management stack first;
its outputs answer the workload stacks' StackReference), and so is the single stack (`role: all`)
of the same estate. The properties:

- **equivalence**: the Kubernetes objects the fleet's stacks declare are, object by object
  (cluster, apiVersion, kind, namespace, name, and every input, secrets included), those the
  single stack declares; each is declared by exactly one stack;
- **secrets**: every credential the management stack hands over is a secret output, and stays a
  secret in every input and output of the workload stacks;
- **isolation**: changing one workload cluster's settings (context, reviews versions) changes only
  its stack's config; adding a cluster adds a stack, changes in the management stack only objects
  that list clusters, and leaves every other workload stack's objects as they were;
- **credentials**: in the rendered `Stack` manifests, each stack's workspace mounts a kubeconfig
  Secret for every cluster the stack declares or reads objects on, and no other stack mounts that
  Secret (key) — so each stack can act with its own identity; what those identities may do, and
  what each stack's Pulumi token or passphrase can read, is not checked (docs/fleet.md);
- **policy**: every stack passes the policy pack's mandatory rules (`policy/rules/`), as its
  `pulumi preview --policy-pack policy` must.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from components.platform.management_reference import SECRET_OUTPUTS
from offline import rbac
from offline.policy import check_simulation
from offline.records import Record, Secret, Simulation
from offline.runtime import simulate

from .operator import stack_manifest
from .spec import Fleet, FleetCluster, licensed, own_credentials, single_stack_config, stack_configs

ObjectKey = tuple[str | None, str, str, str | None, str | None]


def object_key(record: Record) -> ObjectKey:
    return (record.cluster, str(record.inputs.get("apiVersion") or record.type), record.kind, record.namespace,
            record.k8s_name)


def kubernetes_objects(sim: Simulation) -> dict[ObjectKey, dict[str, Any]]:
    """Every Kubernetes object (Helm releases included) a stack declares, by identity: its inputs."""
    return {object_key(r): r.inputs for r in sim.records
            if r.custom and not r.read and r.type.startswith("kubernetes:")}


@dataclass
class FleetEvaluation:
    single: Simulation
    stacks: dict[str, Simulation]


def evaluate_stacks(fleet: Fleet) -> dict[str, Simulation]:
    """Each stack of the fleet, the management stack's outputs feeding the workload stacks."""
    configs = stack_configs(fleet)
    management = simulate(licensed(configs[fleet.management_stack]))
    outputs = {fleet.qualified(fleet.management_stack): management.outputs}
    stacks = {fleet.management_stack: management}
    for stack, config in configs.items():
        if stack != fleet.management_stack:
            stacks[stack] = simulate(config, stack_outputs=outputs)
    return stacks


def evaluate(fleet: Fleet) -> FleetEvaluation:
    return FleetEvaluation(simulate(licensed(single_stack_config(fleet))), evaluate_stacks(fleet))


def equivalence_problems(evaluation: FleetEvaluation) -> list[str]:
    expected = kubernetes_objects(evaluation.single)
    owners: dict[ObjectKey, list[str]] = {}
    declared: dict[ObjectKey, dict[str, Any]] = {}
    for stack, sim in evaluation.stacks.items():
        for key, inputs in kubernetes_objects(sim).items():
            owners.setdefault(key, []).append(stack)
            declared[key] = inputs
    problems = [f"{_name(k)}: declared by {len(s)} stacks ({', '.join(s)}); exactly one must own it"
                for k, s in sorted(owners.items(), key=_sort) if len(s) > 1]
    problems += [f"{_name(k)}: the single stack declares it, no stack of the fleet does"
                 for k in sorted(set(expected) - set(declared), key=_sort_key)]
    problems += [f"{_name(k)}: declared by {owners[k][0]}, but the single stack has no such object"
                 for k in sorted(set(declared) - set(expected), key=_sort_key)]
    for key in sorted(set(expected) & set(declared), key=_sort_key):
        for path in _differences(expected[key], declared[key]):
            problems.append(f"{_name(key)}: {owners[key][0]} differs from the single stack at {path or '(inputs)'}")
    return problems


def _secret_values(outputs: Mapping[str, Any]) -> dict[str, str]:
    """Every string a secret output holds (a map of per-cluster keys: each key), by where it is."""
    found: dict[str, str] = {}

    def collect(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                collect(v, f"{path}.{k}")
        elif isinstance(value, str) and value:
            found[path] = value

    for name, value in outputs.items():
        if isinstance(value, Secret):
            collect(value.value, name)
    return found


def _exposed(value: Any, secrets: Mapping[str, str], path: str = "") -> Iterator[tuple[str, str]]:
    """(path, output name) where a secret value appears outside a Secret."""
    if isinstance(value, Secret):
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _exposed(v, secrets, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _exposed(v, secrets, f"{path}[{i}]")
    elif isinstance(value, str):
        for name, secret in secrets.items():
            if secret and secret in value:
                yield path, name


def secret_problems(fleet: Fleet, evaluation: FleetEvaluation) -> list[str]:
    management = evaluation.stacks[fleet.management_stack].outputs
    problems = [f"{fleet.management_stack}: output {name!r} carries a credential but is not a secret"
                for name in sorted(SECRET_OUTPUTS) if name in management and not isinstance(management[name], Secret)]
    handed_over = _secret_values(management)
    for stack, sim in evaluation.stacks.items():
        for record in sim.records:
            for path, name in _exposed(record.inputs, handed_over):
                problems.append(f"{stack}: {record.urn} input {path} holds {name} in plain text")
        for path, name in _exposed(sim.outputs, handed_over):
            problems.append(f"{stack}: output {path} holds {name} in plain text")
    return problems


def _changed_cluster(cluster: FleetCluster) -> FleetCluster:
    """The same cluster with every per-cluster setting changed."""
    return dataclasses.replace(cluster, context=f"{cluster.context}-changed",
                               reviews_versions=("v3",) if cluster.reviews_versions != ("v3",) else ("v1",))


def isolation_problems(fleet: Fleet, evaluation: FleetEvaluation) -> list[str]:
    problems: list[str] = []
    before = stack_configs(fleet)
    # Changing one cluster's settings: only its stack's config changes (the same config evaluates to
    # the same objects: the program is deterministic), and that stack's objects do change.
    for i, cluster in enumerate(fleet.workloads):
        changed = dataclasses.replace(fleet, workloads=(*fleet.workloads[:i], _changed_cluster(cluster),
                                                        *fleet.workloads[i + 1:]))
        after = stack_configs(changed)
        own = fleet.workload_stack(cluster.name)
        touched = sorted(s for s in before if before[s] != after[s])
        if touched != [own]:
            problems.append(f"changing cluster {cluster.name}'s settings changes stacks {touched}, not just {own}")
    # Adding a cluster: a new stack; the management stack changes only objects that list clusters;
    # the other workload stacks declare the same objects.
    added = _added_cluster(fleet)
    grown = dataclasses.replace(fleet, workloads=(*fleet.workloads, added))
    grown_stacks = evaluate_stacks(grown)
    new_stacks = sorted(set(grown_stacks) - set(evaluation.stacks))
    if new_stacks != [grown.workload_stack(added.name)]:
        problems.append(f"adding cluster {added.name} adds stacks {new_stacks}, expected exactly one")
    for stack, sim in evaluation.stacks.items():
        old, new = kubernetes_objects(sim), kubernetes_objects(grown_stacks[stack])
        for key in sorted(set(old) | set(new), key=_sort_key):
            if old.get(key) == new.get(key):
                continue
            lists_clusters = stack == fleet.management_stack and key in old and key in new \
                and _mentions(new[key], added.name)
            if not lists_clusters:
                problems.append(f"adding cluster {added.name} changes {_name(key)} in {stack}")
    return problems


def _added_cluster(fleet: Fleet) -> FleetCluster:
    taken = {c.name for c in (fleet.management, *fleet.workloads)}
    name = next(f"added{i}" for i in range(len(taken) + 1) if f"added{i}" not in taken)
    return own_credentials(fleet.workloads[-1], name, fleet.management.name)


def mounted_kubeconfigs(manifest: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """By cluster: the (Secret, key) a rendered `Stack`'s workspace mounts as that cluster's kubeconfig."""
    spec = manifest["spec"].get("workspaceTemplate", {}).get("spec", {}).get("podTemplate", {}).get("spec", {})
    return {volume["name"].removeprefix("kubeconfig-"): (volume["secret"]["secretName"],
                                                         volume["secret"]["items"][0]["key"])
            for volume in spec.get("volumes", []) if volume["name"].startswith("kubeconfig-")}


def credential_problems(fleet: Fleet, evaluation: FleetEvaluation) -> list[str]:
    """Each stack mounts a kubeconfig Secret for every cluster it deploys to, and none another stack mounts."""
    problems: list[str] = []
    owners: dict[tuple[str, str], str] = {}
    for stack, config in stack_configs(fleet).items():
        mounted = mounted_kubeconfigs(stack_manifest(fleet, stack, config))
        for cluster in rbac.clusters(evaluation.stacks[stack]):
            if cluster not in mounted:
                problems.append(f"{stack}: deploys to cluster {cluster}, but its workspace mounts no kubeconfig "
                                "Secret for it")
        for cluster, secret in sorted(mounted.items()):
            owner = owners.setdefault(secret, stack)
            if owner != stack:
                problems.append(f"{stack}: mounts Secret {secret[0]} key {secret[1]} for cluster {cluster}, which "
                                f"stack {owner} mounts too")
    return problems


def _mentions(value: Any, text: str) -> bool:
    if isinstance(value, Secret):
        return _mentions(value.value, text)
    if isinstance(value, Mapping):
        return any(_mentions(v, text) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, text) for v in value)
    return isinstance(value, str) and text in value


def policy_problems(evaluation: FleetEvaluation) -> list[str]:
    return [f"{stack}: {violation.line()}" for stack, sim in evaluation.stacks.items()
            for violation in check_simulation(sim) if violation.mandatory]


def check(fleet: Fleet) -> list[str]:
    """Every property's problems (empty: the fleet is right)."""
    evaluation = evaluate(fleet)
    return [*(f"equivalence: {p}" for p in equivalence_problems(evaluation)),
            *(f"secrets: {p}" for p in secret_problems(fleet, evaluation)),
            *(f"isolation: {p}" for p in isolation_problems(fleet, evaluation)),
            *(f"credentials: {p}" for p in credential_problems(fleet, evaluation)),
            *(f"policy: {p}" for p in policy_problems(evaluation))]


#: What a passing `check` proves, one line per property, and what it does not.
PROVED = (
    "equivalence: together they declare exactly the Kubernetes objects of one stack of the same estate, "
    "inputs included, each in one stack",
    "secrets: the credentials the management stack hands over are secret outputs, and no stack's inputs or "
    "outputs hold them in plain text",
    "isolation: a workload cluster's context and reviews versions are in its own stack's config alone; adding a "
    "cluster adds one stack and changes, outside it, only the management stack's objects that list clusters",
    "credentials: each stack's workspace mounts a kubeconfig Secret of its own for every cluster it deploys to, "
    "and no other stack mounts that Secret",
    "policy: every stack passes the policy pack's mandatory rules",
)
NOT_PROVED = ("not checked: what the identities in those kubeconfigs may do (rbac/<stack>/), nor what each "
              "stack's Pulumi token or passphrase can read: a workload stack reads the management stack's state "
              "through its StackReference (docs/fleet.md)")


def verdict(fleet: Fleet) -> list[str]:
    """The lines `tools.fleet check` prints when the fleet passes: exactly what it proved, and what not."""
    return [f"fleet {fleet.name}: {len(fleet.stacks)} stacks, evaluated offline under the mock runtime:",
            *(f"  {line}" for line in PROVED), NOT_PROVED]


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, Secret) != isinstance(b, Secret):
        return [f"{path} (secret in one, plain in the other)"]
    if isinstance(a, Secret):
        return _differences(a.value, b.value, path)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return [d for k in sorted(set(a) | set(b), key=str)
                for d in _differences(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [path]


def _name(key: ObjectKey) -> str:
    cluster, api_version, kind, namespace, name = key
    return f"{cluster}: {kind} {namespace + '/' if namespace else ''}{name} ({api_version})"


def _sort_key(key: ObjectKey) -> tuple[str, ...]:
    return tuple(str(part) for part in key)


def _sort(item: tuple[ObjectKey, list[str]]) -> tuple[str, ...]:
    return _sort_key(item[0])
