"""A fleet file (`fleets/<name>.yaml`): one estate described once, and the stacks it becomes.

`parse_fleet` validates the file and returns a `Fleet` (or raises `FleetError` listing every
problem, each naming its key); `stack_configs` gives each stack's program config (the management
stack, then one workload stack per cluster), and `single_stack_config` the equivalent `role: all`
config, which `tools.fleet check` compares the fleet against. All pure.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.core.config import PROJECT, REVIEWS_VERSIONS
from offline import ROOT
from offline.rbac import DEPLOYER
from offline.stack_files import FAKE_LICENSE, project_relative

FLEETS_DIR = ROOT / "fleets"
#: The workspace image: Python and the Pulumi CLI. The operator needs CLI 3.202 or newer for
#: structured (list) config values, which every stack has; the program needs 3.231 or newer
#: (`components/core/rotation.py`). The operator's own examples build on this tag.
DEFAULT_WORKSPACE_IMAGE = "pulumi/pulumi:3.258.0-nonroot"
#: The oldest CLI the operator accepts list-valued config from.
OPERATOR_MIN_CLI_FOR_JSON_CONFIG = "3.202"
#: Where a stack's workspace pod mounts each cluster's kubeconfig Secret (`<dir>/<cluster>/config`).
KUBECONFIG_MOUNT_DIR = "/var/run/gloo-mesh-workshop/kubeconfigs"
#: Program config a fleet file sets through its own keys (clusters, roles), never under `config:`.
FLEET_OWNED_KEYS = frozenset({
    "role", "managementStack", "workloadCluster", "mgmtCluster", "mgmtContext", "mgmtKubeconfig",
    "workloadClusters", "workloadContexts", "workloadKubeconfigs", "reviewsVersions", "licenseKey",
})
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
#: pulumi-kubernetes-operator v2.9.0 deploy/crds/pulumi.com_stacks.yaml: the CEL rule
#: `size(self.metadata.name) <= 42` ("Stack name must be no more than 42 characters in length").
MAX_STACK_OBJECT_NAME = 42
#: A pod volume name is a DNS label (at most 63): the workspace pod mounts `kubeconfig-<cluster>`.
MAX_VOLUME_NAME = 63
#: A pinned commit: the operator's `prerequisites` hold a stack back only while its prerequisite's
#: generation changed (pulumi-kubernetes-operator v2.9.0 stack_controller.go), so a new commit on a
#: tracked branch runs every stack at once. The fleet pins one commit: changing it is one edit that
#: the management stack, then the workload stacks, pick up in order (docs/fleet.md).
COMMIT = re.compile(r"^[0-9a-f]{40}$")
#: Self-managed backends a workspace pod can serve StackReferences from: object stores. `file://` is
#: refused: the workspace pod has no persistent file system shared with the other stacks' pods.
BACKEND_SCHEMES = ("s3://", "azblob://", "gs://")
#: pulumi/pulumi pkg/backend/diy: a self-managed backend's stacks live in organization `organization`.
DIY_ORGANIZATION = "organization"
#: The keys of each part of a fleet file (an unknown one is refused, with the nearest known key).
FLEET_KEYS = ("fleet", "organization", "backend", "source", "operator", "secrets", "management",
              "workloadClusters", "config")
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "backend": ("url", "secretsProvider"),
    "source": ("repo", "commit", "branch", "dir", "gitAuth"),
    "operator": ("namespace", "serviceAccount", "image"),
    "secrets": ("licenseKey", "pulumiAccessToken", "configPassphrase"),
}
CLUSTER_KEYS = ("name", "context", "kubeconfigSecret", "reviewsVersions", "managementKubeconfigSecret",
                "pulumiAccessToken", "configPassphrase")
SECRET_REF_KEYS = ("name", "key")
#: source.gitAuth: the operator's GitAuthConfig (v2.9.0 operator/api/pulumi/shared/stack_types.go),
#: each credential a Secret reference: one of accessToken, sshPrivateKey (+ password), basicAuth.
GIT_AUTH_KEYS = ("accessToken", "sshPrivateKey", "password", "userName")


class FleetError(ValueError):
    """An invalid fleet file. The message lists every problem, one per line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: invalid fleet file:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class SecretRef:
    """A key of a Kubernetes Secret in the operator's namespace (the fleet never inlines a secret)."""

    name: str
    key: str


@dataclass(frozen=True)
class FleetCluster:
    name: str
    context: str
    #: The Secret holding this cluster's kubeconfig, mounted into the workspace pods that reach it.
    kubeconfig: SecretRef | None
    #: Bookinfo reviews versions; None: the program's default for the cluster's position.
    reviews_versions: tuple[str, ...] | None = None
    #: A workload cluster's stack: its own kubeconfig for the management cluster (its identity there,
    #: with only what that stack needs). Required: the management cluster's `kubeconfig` is the
    #: management stack's alone (`kubeconfig_mounts`).
    management_kubeconfig: SecretRef | None = None
    #: This cluster's stack's own Pulumi access token / config passphrase; None: the fleet's
    #: (`secrets.pulumiAccessToken` / `secrets.configPassphrase`).
    access_token: SecretRef | None = None
    passphrase: SecretRef | None = None


@dataclass(frozen=True)
class Fleet:
    name: str
    organization: str
    #: Empty: Pulumi Cloud. Otherwise a self-managed backend URL (s3://, azblob://, gs://, file://).
    backend: str
    secrets_provider: str
    repo: str
    branch: str
    commit: str
    repo_dir: str
    namespace: str
    service_account: str
    image: str
    license: SecretRef
    access_token: SecretRef | None
    passphrase: SecretRef | None
    #: source.gitAuth: by key (accessToken | sshPrivateKey [+ password] | userName + password).
    git_auth: Mapping[str, SecretRef]
    management: FleetCluster
    workloads: tuple[FleetCluster, ...]
    #: The program config every stack of the fleet shares (features, versions, platform, ...).
    config: Mapping[str, Any]

    @property
    def management_stack(self) -> str:
        return f"{self.name}-management"

    def workload_stack(self, cluster: str) -> str:
        return f"{self.name}-{cluster}"

    def qualified(self, stack: str) -> str:
        """The fully qualified stack name a StackReference and the operator use."""
        return f"{self.organization}/{PROJECT}/{stack}"

    @property
    def stacks(self) -> tuple[str, ...]:
        return (self.management_stack, *(self.workload_stack(c.name) for c in self.workloads))

    def stack_cluster(self, stack: str) -> FleetCluster:
        """The fleet file's entry of a stack: `management` for the management stack, else its workload cluster."""
        if stack == self.management_stack:
            return self.management
        return next(c for c in self.workloads if self.workload_stack(c.name) == stack)

    def access_token_of(self, stack: str) -> SecretRef | None:
        return self.stack_cluster(stack).access_token or self.access_token

    def passphrase_of(self, stack: str) -> SecretRef | None:
        return self.stack_cluster(stack).passphrase or self.passphrase

    @property
    def kubeconfig_mounts(self) -> list[KubeconfigMount]:
        return kubeconfig_mounts(self.name, self.management, self.workloads)


def stack_identity(stack: str) -> str:
    """The ServiceAccount (and roles) a stack deploys as on a cluster (`rbac/<stack>/rbac-<cluster>.yaml`):
    one per stack, so several stacks that reach the management cluster each hold only what they need there."""
    return f"{DEPLOYER}-{stack}"


@dataclass(frozen=True)
class KubeconfigMount:
    """A kubeconfig Secret a stack's workspace mounts for one cluster it reaches, and the fleet-file key naming it."""

    stack: str
    cluster: str
    key: str
    ref: SecretRef | None


def kubeconfig_mounts(fleet: str, management: FleetCluster, workloads: Sequence[FleetCluster]) -> list[KubeconfigMount]:
    """Every cluster each stack reaches, with the Secret the fleet file gives it there: the management stack
    reaches the management cluster; a workload stack the management cluster (its cluster's registration and
    lifecycle managers) and its own cluster. No stack falls back to another's Secret."""
    mounts = [KubeconfigMount(f"{fleet}-management", management.name, "management.kubeconfigSecret",
                              management.kubeconfig)]
    for i, cluster in enumerate(workloads):
        stack = f"{fleet}-{cluster.name}"
        mounts += [KubeconfigMount(stack, management.name, f"workloadClusters[{i}].managementKubeconfigSecret",
                                   cluster.management_kubeconfig),
                   KubeconfigMount(stack, cluster.name, f"workloadClusters[{i}].kubeconfigSecret", cluster.kubeconfig)]
    return mounts


def mount_problems(mounts: Sequence[KubeconfigMount]) -> list[str]:
    """A stack that reaches a cluster without a kubeconfig Secret of its own, or one another stack mounts too."""
    problems = []
    owners: dict[SecretRef, KubeconfigMount] = {}
    for mount in mounts:
        if mount.ref is None:
            problems.append(f"{mount.key}: required: stack {mount.stack} reaches cluster {mount.cluster} and needs a "
                            f"kubeconfig Secret of its own there, {{name: ..., key: ...}}, with the token of its deploy "
                            f"identity {stack_identity(mount.stack)} (rbac/{mount.stack}/rbac-{mount.cluster}.yaml); no "
                            "stack uses another stack's Secret (docs/fleet.md)")
            continue
        first = owners.setdefault(mount.ref, mount)
        if first.stack != mount.stack:
            problems.append(f"{mount.key}: Secret {mount.ref.name!r} key {mount.ref.key!r} is {first.key} of stack "
                            f"{first.stack}: stack {mount.stack} needs a kubeconfig Secret of its own for cluster "
                            f"{mount.cluster}, with the token of {stack_identity(mount.stack)} (docs/fleet.md)")
    return problems








def fleet_path(path_or_name: str) -> Path:
    candidate = Path(path_or_name)
    if candidate.suffix in (".yaml", ".yml"):
        return project_relative(candidate)
    return FLEETS_DIR / f"{path_or_name}.yaml"


def _reviews(fleet: Fleet) -> list[list[str]]:
    """Every workload cluster's reviews versions, the program's default where the fleet gives none."""
    return [list(c.reviews_versions) if c.reviews_versions else list(REVIEWS_VERSIONS[:2] if i == 0 else REVIEWS_VERSIONS)
            for i, c in enumerate(fleet.workloads)]


def _estate(fleet: Fleet) -> dict[str, Any]:
    return {**fleet.config, "mgmtCluster": fleet.management.name, "mgmtContext": fleet.management.context,
            "workloadClusters": [c.name for c in fleet.workloads]}


def single_stack_config(fleet: Fleet) -> dict[str, Any]:
    """The `role: all` config of the same estate (what the fleet must be equivalent to)."""
    return {**_estate(fleet), "workloadContexts": [c.context for c in fleet.workloads], "reviewsVersions": _reviews(fleet)}


def stack_configs(fleet: Fleet) -> dict[str, dict[str, Any]]:
    """Each stack's program config (keys without the project prefix), the management stack first.

    A workload stack carries its own cluster's context and reviews versions alone: changing one
    cluster's settings changes only its stack.
    """
    configs = {fleet.management_stack: {**_estate(fleet), "role": "management"}}
    reviews = _reviews(fleet)
    for cluster, versions in zip(fleet.workloads, reviews, strict=True):
        configs[fleet.workload_stack(cluster.name)] = {
            **_estate(fleet), "role": "workload", "managementStack": fleet.qualified(fleet.management_stack),
            "workloadCluster": cluster.name, "workloadContexts": [cluster.context], "reviewsVersions": [versions],
        }
    return configs


def licensed(config: Mapping[str, Any]) -> dict[str, Any]:
    """A stack's config as offline evaluation runs it: a stand-in license where the stack needs one
    (the management stack, the single stack), none for a workload stack, which goes without, as the
    operator runs it."""
    return dict(config) if config.get("role") == "workload" else {**config, "licenseKey": FAKE_LICENSE}


def stack_file_text(fleet: Fleet, stack: str, config: Mapping[str, Any]) -> str:
    """A stack config file (`Pulumi.<stack>.yaml` format) for `pulumi up -s <stack> --config-file`."""
    header = (f"# Stack {fleet.qualified(stack)} of fleet {fleet.name} (gmw fleet render).\n"
              + ("# The license is not here: `pulumi config set --secret licenseKey <key>` adds it.\n"
                 if config.get("role") == "management" else ""))
    body = {"config": {f"{PROJECT}:{k}": v for k, v in sorted(config.items())}}
    return header + yaml.safe_dump(body, sort_keys=False, default_flow_style=False)


def generated_fleet(base: Fleet, clusters: int) -> Fleet:
    """`base` with `clusters` workload clusters `cluster1` … `clusterN` (tests and benchmarks)."""
    template = base.workloads[-1]

    def cluster(i: int) -> FleetCluster:
        return own_credentials(template, f"cluster{i}", base.management.name)

    return dataclasses.replace(base, name=f"{base.name}{clusters}",
                               workloads=tuple(cluster(i) for i in range(1, clusters + 1)))


def own_credentials(template: FleetCluster, name: str, management: str) -> FleetCluster:
    """A workload cluster `name` (context `name`) like `template`, with kubeconfig Secrets of its own:
    `kubeconfig-<name>` and `kubeconfig-<management>-as-<name>`."""
    key = template.kubeconfig.key if template.kubeconfig else "config"
    return FleetCluster(name=name, context=name, kubeconfig=SecretRef(f"kubeconfig-{name}", key),
                        management_kubeconfig=SecretRef(f"kubeconfig-{management}-as-{name}", key))
