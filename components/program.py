"""The whole program, and the only place the packages are composed:
settings → platform (labs 1–3) → apps (labs 4–8, 14) → gateway labs (9–12, 15) → security labs
(13, 16–21) → stack outputs.

`main()` is what `__main__.py` runs under `pulumi up`; the offline render and the tests run the
very same function under the Pulumi mock runtime.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.apps.build import build_apps
from components.core.config import load_settings
from components.gateway.build import GatewayLabs, build_gateway_labs, export_gateway_outputs
from components.platform import management_reference
from components.platform.build import Platform, build_platform
from components.platform.lab02_management_plane import ManagementPlane
from components.security.build import build_security_labs, export_security_outputs


def export_outputs(platform: Platform) -> None:
    s = platform.settings
    pulumi.export("features", sorted(s.features))
    pulumi.export("managementCluster", s.mgmt.name)
    pulumi.export("workloadClusters", [c.name for c in s.workload_clusters])
    if s.role == "workload":
        pulumi.export("workloadCluster", s.stack_cluster)
    if s.role != "management":
        pulumi.export("httpbinCluster", s.httpbin_cluster)
    pulumi.export("mgmtServerEndpoint", platform.management.relay_endpoint)
    if platform.istio:
        pulumi.export("gatewayEndpoints", {
            name: {"http": istio.http_endpoint, "https": istio.https_endpoint}
            for name, istio in platform.istio.items()
        })


def management_outputs(platform: Platform, management: ManagementPlane, gateway: GatewayLabs) -> dict[str, Any]:
    """What a fleet's management stack gives its workload stacks (`components.platform.management_reference`)."""
    outputs: dict[str, Any] = {management_reference.METRICS_ENDPOINT: management.metrics_endpoint}
    authority = management.relay_authority
    if authority is not None:  # it issues every agent's client certificate; the CA key stays here
        issued = {c.name: authority.issue_agent(c.name) for c in platform.settings.workload_clusters}
        outputs[management_reference.RELAY_CA_CERTIFICATE] = authority.ca_cert_pem
        outputs[management_reference.RELAY_AGENT_CERTIFICATES] = {name: c.client.cert_pem for name, c in issued.items()}
        outputs[management_reference.RELAY_AGENT_PRIVATE_KEYS] = pulumi.Output.secret(
            {name: c.client.key_pem for name, c in issued.items()})
        outputs[management_reference.RELAY_MANAGED_TOKEN] = pulumi.Output.secret(authority.token)
    for secret, output in management_reference.RELAY_SECRET_OUTPUTS.items():
        if secret in management.relay_data:
            outputs[output] = pulumi.Output.secret(management.relay_data[secret])
    if gateway.certificate is not None:
        outputs[management_reference.GATEWAY_TLS_CERTIFICATE] = gateway.certificate.cert_pem
        outputs[management_reference.GATEWAY_TLS_PRIVATE_KEY] = pulumi.Output.secret(gateway.certificate.key_pem)
    return outputs


def main() -> Platform:
    settings = load_settings()  # raises ConfigError before any resource is registered
    platform = build_platform(settings)
    build_apps(platform)  # declares the app namespaces the later labs' objects live in
    gateway = build_gateway_labs(platform)
    security = build_security_labs(platform)
    export_outputs(platform)
    export_gateway_outputs(platform, gateway)
    export_security_outputs(security)
    if settings.role == "management" and isinstance(platform.management, ManagementPlane):
        for key, value in management_outputs(platform, platform.management, gateway).items():
            pulumi.export(key, value)
    return platform
