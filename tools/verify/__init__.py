"""`gmw verify STACK`: post-deploy verification of a workshop stack from the outside (cli.py).

- `outputs`: read and validate the stack outputs (the only input besides kubectl);
- `http`: a minimal HTTP client (no redirects; TLS pinned to the stack's gateway certificate);
- `transport`: which hosts may get credentials, and how (pinned TLS, loopback or an explicit flag);
- `verdicts`: pure functions from observed responses to pass/fail with the evidence;
- `kube`: the optional kubectl layer for in-cluster checks;
- `checks`: which checks apply to which features, and how each probes;
- `runner`: retries within a total time budget, the result table, JSON and JUnit;
- `redact`: what never reaches the table or a report (tokens, JWTs).
"""
