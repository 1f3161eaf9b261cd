"""The offline evaluator: the program run under the Pulumi mock runtime and everything computed from
what it declares, without a cluster or the Pulumi CLI. A library: no argparse, no printing; the
commands in `tools/` are thin layers over it.

- `records`, `runtime`, `stack_files`: what a simulation records, the mock runtime that records it,
  and the stack files it reads;
- `graph`: the dependency graph; `replacement`: when `pulumi up` replaces instead of updating;
- `plan`: the change plan of a config change (`gmw diff`); `no_changes`: the no-change gate;
- `render`: the documents of `gmw render`; `rbac`: the least-privilege RBAC derived from the records;
- `policy`: the policy pack's rules over a simulation; `config_rules`: the Pulumi CLI's config rules;
- `secrets`: what a tool must never print; `counts`: one resource count; `output_dir`: safe writes;
- `fleet/`: the fleet file, its stacks, the operator's manifests and the fleet's proofs.

Standard library only in this file: `tools.local` (which runs before the venv) imports `ROOT` from it.
"""

from pathlib import Path

#: The project's root: Pulumi.yaml, stacks/, fleets/ (a checkout; the venv installs it editable).
ROOT = Path(__file__).resolve().parent.parent
