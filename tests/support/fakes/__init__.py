"""Stand-ins: `workshop` (gateways and Keycloak on loopback), `kubectl` (an executable answering
from a JSON spec), `policy_world` (a hand-built stack in the policy rules' shape), `local_host`
(kind, docker, podman, kubectl, cloud-provider-kind, ps and pulumi for `tools.local`, answering
from a JSON world; the executables are `local_executables.py`)."""
