"""`gmw fleet render FLEET --out DIR`: a fleet's stack config files and operator manifests.

Writes `DIR/stacks/<stack>.yaml` (each stack's config, for `pulumi up --config-file` by hand);
`DIR/operator/`: `identity.yaml` (namespace, ServiceAccount, its binding), one `stack-<stack>.yaml`
per stack, and `kustomization.yaml` (`kubectl apply -k DIR/operator`); `DIR/rbac/<stack>/
rbac-<cluster>.yaml`: the least privilege each stack's identity needs on each cluster it reaches
(`offline/rbac.py`, from the stack evaluated under the mocks), one identity per stack, with a
long-lived token Secret for it (the stack's kubeconfig Secret for that cluster carries that token);
and `DIR/README.md` with the Secrets to create first, each naming the identity it carries. Each stack's config is validated by the
program's own config check before anything is written. The same fleet file gives byte-identical files.
With `--charts-rbac-preinstalled` (`charts_rbac_preinstalled`), each identity on a cluster with a Gloo
chart gets no `escalate`/`bind` and `DIR/rbac/<stack>/rbac-<cluster>-charts.sh` is the admin's step
first (`tools.render.charts_rbac_script`); without it those identities are cluster-admin-equivalent.
DIR is new, empty or an earlier render's: a file the render did not write is never overwritten or
removed, and a later render removes the files of a stack the fleet no longer has (`offline/output_dir.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.core.config import ConfigError, parse_settings
from offline import rbac
from offline.output_dir import write_tree
from offline.records import Simulation
from offline.render import rbac_files

from .check import evaluate_stacks
from .operator import identity_manifests, referenced_secrets, stack_manifest
from .spec import Fleet, licensed, stack_configs, stack_file_text, stack_identity


def validate(fleet: Fleet, configs: dict[str, dict[str, Any]]) -> None:
    """Each stack's config through the program's validation; ConfigError names the stack and key."""
    problems = []
    for stack, config in configs.items():
        try:
            parse_settings(licensed(config))
        except ConfigError as error:
            problems += [f"{stack}: {p}" for p in error.problems]
    if problems:
        raise ConfigError(problems)


def _yaml(docs: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False)


def token_secret(identity: str) -> dict[str, Any]:
    """A long-lived token for a stack's deploy identity (the operator may run the stack months after its
    kubeconfig Secret was written, docs/fleet.md): Kubernetes fills in `data.token`."""
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
            "metadata": {"name": f"{identity}-token", "namespace": rbac.DEPLOYER_NAMESPACE,
                         "annotations": {"kubernetes.io/service-account.name": identity}}}


def readme(fleet: Fleet) -> str:
    secrets = "\n".join(f"   - `{ref.name}` key `{ref.key}`: {what}" for ref, what in referenced_secrets(fleet))
    return f"""# Fleet {fleet.name}

Stacks: {', '.join(f'`{fleet.qualified(s)}`' for s in fleet.stacks)}.

1. Install the Pulumi Kubernetes Operator v2 (docs/fleet.md).
2. On each cluster, a cluster admin applies the RBAC of each stack that reaches it
   (`rbac/<stack>/rbac-<cluster>.yaml`: ServiceAccount `{rbac.DEPLOYER_NAMESPACE}/{rbac.DEPLOYER}-<stack>`,
   its roles and its token Secret `{rbac.DEPLOYER}-<stack>-token`). Read each file's header: on a
   cluster with a Gloo chart the identity is cluster-admin-equivalent unless rendered with
   `--charts-rbac-preinstalled` (docs/security.md).
3. `kubectl apply -f operator/identity.yaml`, then create in namespace `{fleet.namespace}` the Secrets the
   stacks reference (never in these files). Each kubeconfig holds the token of the identity it names
   (docs/fleet.md, "Each stack's kubeconfig Secrets"), so each stack acts with its own identity:
{secrets}
4. `kubectl apply -k operator/`: the management stack runs first, each workload stack after it.
"""


def stack_rbac_files(sim: Simulation, stack: str, charts_rbac_preinstalled: bool) -> dict[str, str]:
    """`rbac/<stack>/…`: the stack's identity on each cluster it reaches, with its token Secret."""
    identity = stack_identity(stack)
    files = rbac_files(sim, stack, identity, charts_rbac_preinstalled, extra=[token_secret(identity)])
    return {f"rbac/{stack}/{name}": text for name, text in files.items()}


def render(fleet: Fleet, out: Path, charts_rbac_preinstalled: bool = False) -> list[Path]:
    configs = stack_configs(fleet)
    validate(fleet, configs)
    files: dict[str, str] = {"README.md": readme(fleet)}
    for stack, config in configs.items():
        files[f"stacks/{stack}.yaml"] = stack_file_text(fleet, stack, config)
        files[f"operator/stack-{stack}.yaml"] = _yaml([stack_manifest(fleet, stack, config)])
    for stack, sim in evaluate_stacks(fleet).items():
        files.update(stack_rbac_files(sim, stack, charts_rbac_preinstalled))
    files["operator/identity.yaml"] = _yaml(identity_manifests(fleet))
    files["operator/kustomization.yaml"] = _yaml([{
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": ["identity.yaml", *(f"stack-{s}.yaml" for s in fleet.stacks)],
    }])
    return write_tree(out, files)
