"""What the workshop's shell variables become under the mocks (a LoadBalancer's host is
`<service>.<namespace>.<cluster>.lb.example`)."""

from __future__ import annotations

ENDPOINT_HTTPS_GW_CLUSTER1 = "istio-ingressgateway.istio-gateways.cluster1.lb.example:443"
HOST_KEYCLOAK = "keycloak.keycloak.mgmt.lb.example"
KEYCLOAK_URL = f"http://{HOST_KEYCLOAK}:8080"
