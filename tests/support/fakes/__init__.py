"""Stand-ins: `workshop` (gateways and Keycloak on loopback), `kubectl` (an executable answering
from a JSON spec), `policy_world` (a hand-built stack in the policy rules' shape)."""
