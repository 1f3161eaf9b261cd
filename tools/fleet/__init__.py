"""Fleet mode: one management stack and one stack per workload cluster, run by the Pulumi
Kubernetes Operator (docs/fleet.md).

- `spec`: the fleet file (`fleets/<name>.yaml`) and each stack's config;
- `operator`: the operator's `Stack` manifests, ServiceAccount and binding;
- `render`: `python -m tools.fleet render FLEET --out DIR`;
- `check`: `python -m tools.fleet check FLEET`, the equivalence, secret and isolation proofs.
"""
