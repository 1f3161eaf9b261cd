"""The Pulumi Kubernetes Operator (v2) manifests that run a fleet's stacks (pure).

Field names are the operator's `pulumi.com/v1` `Stack` CRD (pulumi-kubernetes-operator v2:
`operator/api/pulumi/shared/stack_types.go`); `tests/tools/test_fleet.py` states them as facts.
One `Stack` per stack: the management stack first, each workload stack with the management stack
as its prerequisite; program source from git; the config of `spec.stack_configs`; the license,
the stack's Pulumi access token or passphrase (its own, else the fleet's), and, for each cluster the
stack reaches, the kubeconfig Secret of that stack alone (`spec.kubeconfig_mounts`), all referenced
from Kubernetes Secrets in the fleet's namespace (never inline); a ServiceAccount bound to `system:auth-delegator`
(the operator checks its calls to each workspace pod with TokenReview and SubjectAccessReview);
`destroyOnFinalize: false` (deleting a Stack object leaves the clusters as they are).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.core.config import PROJECT
from offline import rbac

from .spec import KUBECONFIG_MOUNT_DIR, Fleet, SecretRef, stack_identity

STACK_API_VERSION = "pulumi.com/v1"
#: The workspace pod's container that runs the program.
WORKSPACE_CONTAINER = "pulumi"
PART_OF = {"app.kubernetes.io/part-of": PROJECT}
FLEET_LABEL = f"{PROJECT}/fleet"
ROLE_LABEL = f"{PROJECT}/role"


def _secret_ref(ref: SecretRef) -> dict[str, Any]:
    return {"type": "Secret", "secret": {"name": ref.name, "key": ref.key}}


def git_auth(fleet: Fleet) -> dict[str, Any]:
    """The operator's GitAuthConfig: accessToken | sshAuth {sshPrivateKey, password} | basicAuth."""
    refs = fleet.git_auth
    if "accessToken" in refs:
        return {"accessToken": _secret_ref(refs["accessToken"])}
    if "sshPrivateKey" in refs:
        return {"sshAuth": {k: _secret_ref(v) for k, v in refs.items()}}
    return {"basicAuth": {"userName": _secret_ref(refs["userName"]), "password": _secret_ref(refs["password"])}}


def kubeconfig_path(cluster: str) -> str:
    return f"{KUBECONFIG_MOUNT_DIR}/{cluster}/config"


def config_stack(fleet: Fleet, config: Mapping[str, Any]) -> str:
    """The stack a config of `spec.stack_configs` belongs to."""
    if config.get("role") == "workload":
        return fleet.workload_stack(str(config["workloadCluster"]))
    return fleet.management_stack


def reached_kubeconfigs(fleet: Fleet, config: Mapping[str, Any]) -> dict[str, SecretRef]:
    """By cluster name: the kubeconfig Secret a stack's workspace mounts for each cluster it reaches
    (the management stack: the management cluster; a workload stack: the management cluster and its
    own), each the stack's own (`spec.kubeconfig_mounts`; the fleet file check refuses a missing or
    shared one)."""
    stack = config_stack(fleet, config)
    return {m.cluster: m.ref for m in fleet.kubeconfig_mounts if m.stack == stack and m.ref is not None}


def workspace_template(fleet: Fleet, kubeconfigs: Mapping[str, SecretRef]) -> dict[str, Any]:
    """The workspace image, and the kubeconfig Secrets of the clusters this stack reaches, as files."""
    spec: dict[str, Any] = {"image": fleet.image}
    if kubeconfigs:
        spec["podTemplate"] = {"spec": {
            "containers": [{"name": WORKSPACE_CONTAINER, "volumeMounts": [
                {"name": f"kubeconfig-{name}", "mountPath": f"{KUBECONFIG_MOUNT_DIR}/{name}", "readOnly": True}
                for name in kubeconfigs]}],
            "volumes": [{"name": f"kubeconfig-{name}", "secret": {
                "secretName": ref.name, "items": [{"key": ref.key, "path": "config"}]}}
                for name, ref in kubeconfigs.items()],
        }}
    return {"spec": spec}


def operator_config(fleet: Fleet, config: Mapping[str, Any]) -> dict[str, Any]:
    """A stack's program config as the operator sets it: project-prefixed, plus the mounted kubeconfigs."""
    values = dict(config)
    kubeconfigs = reached_kubeconfigs(fleet, config)
    if fleet.management.name in kubeconfigs:
        values["mgmtKubeconfig"] = kubeconfig_path(fleet.management.name)
    if config.get("role") == "workload" and config["workloadCluster"] in kubeconfigs:
        values["workloadKubeconfigs"] = [kubeconfig_path(config["workloadCluster"])]
    return {f"{PROJECT}:{k}": v for k, v in sorted(values.items())}


def stack_manifest(fleet: Fleet, stack: str, config: Mapping[str, Any]) -> dict[str, Any]:
    role = config["role"]
    spec: dict[str, Any] = {
        "stack": fleet.qualified(stack),
        "projectRepo": fleet.repo,
        "commit": fleet.commit,  # pinned: the prerequisites order holds (spec.COMMIT)
        **({"repoDir": fleet.repo_dir} if fleet.repo_dir else {}),
        "serviceAccountName": fleet.service_account,
        "destroyOnFinalize": False,
    }
    if fleet.git_auth:
        spec["gitAuth"] = git_auth(fleet)
    if fleet.backend:
        spec["backend"] = fleet.backend
    if fleet.secrets_provider:
        spec["secretsProvider"] = fleet.secrets_provider
    # No PULUMI_K8S_UPSERT_EXISTING_OBJECTS here: the program sets every provider's
    # upsertExistingObjects (config `upsertExistingObjects`, on by default), which takes precedence.
    env_refs: dict[str, Any] = {}
    token, passphrase = fleet.access_token_of(stack), fleet.passphrase_of(stack)
    if token:
        env_refs["PULUMI_ACCESS_TOKEN"] = _secret_ref(token)
    if passphrase:
        env_refs["PULUMI_CONFIG_PASSPHRASE"] = _secret_ref(passphrase)
    if env_refs:
        spec["envRefs"] = env_refs
    spec["config"] = operator_config(fleet, config)
    if role == "management":  # only the management plane uses the license
        spec["secretsRef"] = {f"{PROJECT}:licenseKey": _secret_ref(fleet.license)}
    else:
        spec["prerequisites"] = [{"name": fleet.management_stack}]
    spec["workspaceTemplate"] = workspace_template(fleet, reached_kubeconfigs(fleet, config))
    return {
        "apiVersion": STACK_API_VERSION,
        "kind": "Stack",
        "metadata": {"name": stack, "namespace": fleet.namespace,
                     "labels": {**PART_OF, FLEET_LABEL: fleet.name, ROLE_LABEL: role}},
        "spec": spec,
    }


def identity_manifests(fleet: Fleet) -> list[dict[str, Any]]:
    """The namespace, the stacks' ServiceAccount and its binding to `system:auth-delegator`."""
    labels = {**PART_OF, FLEET_LABEL: fleet.name}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": fleet.namespace, "labels": labels}},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": fleet.service_account, "namespace": fleet.namespace, "labels": labels}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": f"{fleet.namespace}:{fleet.service_account}:system:auth-delegator", "labels": labels},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:auth-delegator"},
         "subjects": [{"kind": "ServiceAccount", "name": fleet.service_account, "namespace": fleet.namespace}]},
    ]


def _stacks_using(fleet: Fleet, of: Any) -> dict[SecretRef, list[str]]:
    """Each Secret `of(stack)` gives, with the stacks it is given to, in stack order."""
    users: dict[SecretRef, list[str]] = {}
    for stack in fleet.stacks:
        ref = of(stack)
        if ref is not None:
            users.setdefault(ref, []).append(stack)
    return users


def referenced_secrets(fleet: Fleet) -> list[tuple[SecretRef, str]]:
    """Every Secret the manifests reference (create them in the fleet's namespace first), and what it holds:
    for a kubeconfig, the cluster, the context the program selects and the deploy identity whose token it
    carries (`rbac/<stack>/rbac-<cluster>.yaml`)."""
    refs = [(fleet.license, "the Gloo Mesh license (management stack)")]
    refs += [(ref, f"a Pulumi access token, for {', '.join(stacks)}")
             for ref, stacks in _stacks_using(fleet, fleet.access_token_of).items()]
    refs += [(ref, f"a config passphrase, for {', '.join(stacks)}")
             for ref, stacks in _stacks_using(fleet, fleet.passphrase_of).items()]
    for key, ref in fleet.git_auth.items():
        refs.append((ref, f"the git {key} the operator fetches source.repo with"))
    contexts = {c.name: c.context for c in (fleet.management, *fleet.workloads)}
    for mount in fleet.kubeconfig_mounts:
        if mount.ref is not None:
            refs.append((mount.ref, f"a kubeconfig for {mount.cluster} (context {contexts[mount.cluster]!r}) with "
                                    f"the token of ServiceAccount {rbac.DEPLOYER_NAMESPACE}/"
                                    f"{stack_identity(mount.stack)} (rbac/{mount.stack}/rbac-{mount.cluster}.yaml), "
                                    f"mounted by stack {mount.stack} only"))
    return refs
