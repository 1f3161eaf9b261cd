"""`python -m tools.fleet render FLEET --out DIR`: a fleet's stack config files and operator manifests.

Writes `DIR/stacks/<stack>.yaml` (each stack's config, for `pulumi up --config-file` by hand) and
`DIR/operator/`: `identity.yaml` (namespace, ServiceAccount, its binding), one `stack-<stack>.yaml`
per stack, and `kustomization.yaml` (`kubectl apply -k DIR/operator`), plus `DIR/README.md`
with the Secrets to create first. Each stack's config is validated by the program's own config
check before anything is written. The same fleet file gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.core.config import ConfigError, parse_settings

from .operator import identity_manifests, referenced_secrets, stack_manifest
from .spec import Fleet, stack_configs, stack_file_text


def validate(fleet: Fleet, configs: dict[str, dict[str, Any]]) -> None:
    """Each stack's config through the program's validation; ConfigError names the stack and key."""
    problems = []
    for stack, config in configs.items():
        try:
            parse_settings({**config, "licenseKey": "validated-without-a-license"}
                           if config.get("role") == "management" else config)
        except ConfigError as error:
            problems += [f"{stack}: {p}" for p in error.problems]
    if problems:
        raise ConfigError(problems)


def _yaml(docs: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False)


def readme(fleet: Fleet) -> str:
    secrets = "\n".join(f"- `{ref.name}` key `{ref.key}`: {what}" for ref, what in referenced_secrets(fleet))
    return f"""# Fleet {fleet.name}

Stacks: {', '.join(f'`{fleet.qualified(s)}`' for s in fleet.stacks)}.

1. Install the Pulumi Kubernetes Operator v2 (docs/fleet.md).
2. Create the namespace and, in it, the Secrets the stacks reference (never in these files):
{secrets}
3. `kubectl apply -k operator/`: the management stack runs first, each workload stack after it.
"""


def render(fleet: Fleet, out: Path) -> list[Path]:
    configs = stack_configs(fleet)
    validate(fleet, configs)
    files: dict[Path, str] = {out / "README.md": readme(fleet)}
    for stack, config in configs.items():
        files[out / "stacks" / f"{stack}.yaml"] = stack_file_text(fleet, stack, config)
        files[out / "operator" / f"stack-{stack}.yaml"] = _yaml([stack_manifest(fleet, stack, config)])
    files[out / "operator" / "identity.yaml"] = _yaml(identity_manifests(fleet))
    files[out / "operator" / "kustomization.yaml"] = _yaml([{
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": ["identity.yaml", *(f"stack-{s}.yaml" for s in fleet.stacks)],
    }])
    for path, text in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(files)
