"""`parse_fleet`: a fleet file's content validated, every problem named with its key, before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from components.core.config import DNS_LABEL, PROJECT
from offline.config_rules import check_config, declarations, suggestion
from offline.fleet.reader import FleetReader
from offline.fleet.spec import (
    BACKEND_SCHEMES,
    COMMIT,
    DEFAULT_WORKSPACE_IMAGE,
    DIY_ORGANIZATION,
    FLEET_KEYS,
    FLEET_OWNED_KEYS,
    MAX_STACK_OBJECT_NAME,
    MAX_VOLUME_NAME,
    STACK_NAME,
    Fleet,
    FleetCluster,
    FleetError,
    SecretRef,
    fleet_path,
    kubeconfig_mounts,
    mount_problems,
)
from offline.stack_files import yaml_problem


def parse_fleet(doc: Any, source: str = "fleet file") -> Fleet:
    """Validate a fleet file's content; raise FleetError naming every bad key."""
    if not isinstance(doc, Mapping):
        raise FleetError(source, ["expected a mapping at the top level"])
    r = FleetReader(doc)
    r.known(doc, FLEET_KEYS, "")
    name, organization = _identity(r, doc)
    backend, source_, operator, secrets = (r.section(doc, key) for key in ("backend", "source", "operator", "secrets"))
    backend_url, secrets_provider = backend.get("url", ""), backend.get("secretsProvider", "")
    branch, commit = _revision(r, source_)
    _backend(r, backend_url, organization)
    git_auth = r.git_auth(source_.get("gitAuth"))
    repo = r.string(source_, "repo", "source.repo")
    management, raw_workloads, workloads = _clusters(r, doc)
    license_, access_token, passphrase = _credentials(r, secrets, backend_url, secrets_provider,
                                                      (management, *workloads))
    _names(r, name, management, workloads)
    if isinstance(doc.get("management"), Mapping) and all(isinstance(c, Mapping) for c in raw_workloads):
        r.extend(mount_problems(kubeconfig_mounts(name, management, workloads)))
    config = _config(r, doc, source, name)
    if r:
        raise FleetError(source, r.problems)
    return Fleet(
        name=name, organization=organization, backend=backend_url, secrets_provider=secrets_provider,
        repo=repo, branch=branch, commit=commit, repo_dir=source_.get("dir", ""),
        namespace=operator.get("namespace") or f"{name}-fleet",
        service_account=operator.get("serviceAccount") or f"{name}-fleet",
        image=operator.get("image") or DEFAULT_WORKSPACE_IMAGE,
        license=license_ or SecretRef("", ""),
        access_token=access_token, passphrase=passphrase, git_auth=git_auth,
        management=management, workloads=workloads, config=dict(config),
    )


def _identity(r: FleetReader, doc: Mapping[str, Any]) -> tuple[str, str]:
    name = r.string(doc, "fleet", "fleet")
    if name and not DNS_LABEL.fullmatch(name):
        r.add(f"fleet: {name!r} is not a DNS label (it prefixes every stack name)")
    organization = r.string(doc, "organization", "organization")
    if organization and not STACK_NAME.fullmatch(organization):
        r.add(f"organization: {organization!r} is not a Pulumi organization name")
    return name, organization


def _revision(r: FleetReader, source: Mapping[str, Any]) -> tuple[str, str]:
    branch, commit = source.get("branch", ""), source.get("commit", "")
    if branch:
        r.add("source.branch: the operator runs every stack of a branch's new commit at once (its "
              "prerequisites hold a stack back only while the management stack's generation changed): "
              "pin source.commit, the full commit SHA, and change it to deploy (docs/fleet.md)")
    elif not isinstance(commit, str) or not COMMIT.fullmatch(commit):
        r.add(f"source.commit: required, a full 40-character commit SHA, got {commit!r}")
    return branch, commit


def _backend(r: FleetReader, backend_url: Any, organization: str) -> None:
    if not backend_url:
        return
    if not isinstance(backend_url, str) or not backend_url.startswith(BACKEND_SCHEMES):
        r.add(f"backend.url: {backend_url!r} cannot serve the fleet: a workspace pod has no "
              "persistent file system (no file://), use Pulumi Cloud (no backend.url) or one of "
              f"{', '.join(BACKEND_SCHEMES)} (docs/fleet.md)")
    if organization and organization != DIY_ORGANIZATION:
        r.add(f"organization: a self-managed backend's stacks are in organization "
              f"{DIY_ORGANIZATION!r} (pulumi/pulumi pkg/backend/diy), got {organization!r}")


def _clusters(r: FleetReader, doc: Mapping[str, Any]) -> tuple[FleetCluster, list[Any], tuple[FleetCluster, ...]]:
    management = r.cluster(doc.get("management"), "management")
    if management.management_kubeconfig is not None:
        r.add("management.managementKubeconfigSecret: only a workload cluster takes it; the management "
              "stack reaches the management cluster with management.kubeconfigSecret")
    raw_workloads = doc.get("workloadClusters")
    if not isinstance(raw_workloads, list) or not raw_workloads:
        r.add("workloadClusters: required, a non-empty list of clusters")
        raw_workloads = []
    return management, raw_workloads, tuple(r.cluster(c, f"workloadClusters[{i}]") for i, c in enumerate(raw_workloads))


def _credentials(r: FleetReader, secrets: Mapping[str, Any], backend_url: Any, secrets_provider: Any,
                 clusters: tuple[FleetCluster, ...]) -> tuple[SecretRef | None, SecretRef | None, SecretRef | None]:
    license_ = r.secret(secrets, "licenseKey", "secrets.licenseKey", required=True)
    access_token = r.secret(secrets, "pulumiAccessToken", "secrets.pulumiAccessToken", required=False)
    passphrase = r.secret(secrets, "configPassphrase", "secrets.configPassphrase", required=False)
    if not backend_url and access_token is None and any(c.access_token is None for c in clusters):
        r.add("secrets.pulumiAccessToken: required (the token of each stack whose cluster gives no "
              "pulumiAccessToken of its own), a Kubernetes Secret reference {name: ..., key: ...}")
    if backend_url and not secrets_provider and passphrase is None and any(c.passphrase is None for c in clusters):
        r.add("secrets.configPassphrase: a self-managed backend needs it (or each stack's own "
              "configPassphrase), or backend.secretsProvider")
    return license_, access_token, passphrase


def _names(r: FleetReader, name: str, management: FleetCluster, workloads: tuple[FleetCluster, ...]) -> None:
    """Cluster names and contexts once each, and every object name the operator derives within its limit."""
    names = [c.name for c in workloads]
    for dup in sorted({n for n in names if n and names.count(n) > 1}):
        r.add(f"workloadClusters: cluster name {dup!r} is listed more than once")
    if management.name and management.name in names:
        r.add(f"workloadClusters: {management.name!r} is the management cluster; a fleet's management "
              "cluster runs only the management plane (use one stack, role all, to combine them)")
    contexts = [c.context for c in (management, *workloads)]
    for dup in sorted({c for c in contexts if c and contexts.count(c) > 1}):
        r.add(f"workloadClusters: context {dup!r} is used by more than one cluster")
    for cluster in workloads:
        stack = f"{name}-{cluster.name}"
        if cluster.name and len(stack) > MAX_STACK_OBJECT_NAME:
            r.add(f"workloadClusters: cluster {cluster.name!r}: its Stack {stack!r} is {len(stack)} "
                  f"characters, the operator allows {MAX_STACK_OBJECT_NAME}: shorten the fleet or cluster name")
    for cluster in (management, *workloads):
        if cluster.name and len(f"kubeconfig-{cluster.name}") > MAX_VOLUME_NAME:
            r.add(f"cluster {cluster.name!r}: its workspace volume 'kubeconfig-{cluster.name}' is longer "
                  f"than {MAX_VOLUME_NAME} characters: shorten the cluster name")
    if name and len(f"{name}-management") > MAX_STACK_OBJECT_NAME:
        r.add(f"fleet: its Stack '{name}-management' is longer than {MAX_STACK_OBJECT_NAME} characters")


def _config(r: FleetReader, doc: Mapping[str, Any], source: str, name: str) -> Mapping[str, Any]:
    """The program config the fleet gives every stack: the program's keys, checked by the CLI's rules."""
    config = r.section(doc, "config")
    program_keys = tuple(k for k in declarations() if k not in FLEET_OWNED_KEYS)
    for key in sorted(set(config) - set(declarations())):
        r.add(f"config.{key}: not a config key of {PROJECT}{suggestion(str(key), program_keys)}")
    r.extend(check_config(source, f"{name}-*", {f"{PROJECT}:{k}": v for k, v in config.items()
                                                if k in declarations() and k not in FLEET_OWNED_KEYS}))
    for key in sorted(set(config) & FLEET_OWNED_KEYS):
        r.add(f"config.{key}: set by the fleet file itself (management, workloadClusters, secrets), not under config")
    return config


def load_fleet(path_or_name: str) -> Fleet:
    """`dev` → fleets/dev.yaml; a path → that file."""
    path = fleet_path(path_or_name)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise FleetError(path.name, [yaml_problem(error)]) from None
    return parse_fleet(data, str(path.name))
