"""Post-deploy verification of a workshop stack: the checks behind `python -m tools.verify`.

- `outputs`: read and validate the stack outputs (the only input besides kubectl).
- `http`: a minimal HTTP client (no redirects followed, TLS verification off) returning plain responses.
- `verdicts`: pure functions from observed responses to pass/fail with the evidence.
- `kube`: the optional kubectl layer for in-cluster checks.
- `checks`: which checks apply to which features, and how each probes.
- `runner`: retries within a total time budget, and the result table.
"""
