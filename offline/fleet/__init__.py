"""Fleet mode: one management stack and one stack per workload cluster, run by the Pulumi
Kubernetes Operator (docs/fleet.md).

- `spec`: the fleet file (`fleets/<name>.yaml`) and each stack's config;
- `operator`: the operator's `Stack` manifests, ServiceAccount and binding;
- `render`: the files `gmw fleet render FLEET --out DIR` writes;
- `check`: what `gmw fleet check FLEET` proves: equivalence, secrets, isolation, credentials, policy.
"""
