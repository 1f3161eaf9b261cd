"""The whole program, and the only place the packages are composed:
settings → platform (labs 1–3) → apps (labs 4–8, 14) → gateway labs (9–12, 15) → security labs
(13, 16–21) → stack outputs.

`main()` is what `__main__.py` runs under `pulumi up`; the offline render and the tests run the
very same function under the Pulumi mock runtime.
"""

from __future__ import annotations

import pulumi

from components.apps.apps import build_apps
from components.core.config import load_settings
from components.gateway.gateway_labs import build_gateway_labs, export_gateway_outputs
from components.platform.build import Platform, build_platform
from components.security.security import build_security_labs, export_security_outputs


def export_outputs(platform: Platform) -> None:
    s = platform.settings
    pulumi.export("features", sorted(s.features))
    pulumi.export("managementCluster", s.mgmt.name)
    pulumi.export("workloadClusters", [c.name for c in s.workload_clusters])
    pulumi.export("httpbinCluster", s.httpbin_cluster)
    pulumi.export("mgmtServerEndpoint", platform.management.relay_endpoint)
    pulumi.export("gatewayEndpoints", {
        name: {"http": istio.http_endpoint, "https": istio.https_endpoint} for name, istio in platform.istio.items()
    })


def main() -> Platform:
    settings = load_settings()  # raises ConfigError before any resource is registered
    platform = build_platform(settings)
    build_apps(platform)  # declares the app namespaces the later labs' objects live in
    build_gateway_labs(platform)
    security = build_security_labs(platform)
    export_outputs(platform)
    export_gateway_outputs(platform)
    export_security_outputs(security)
    return platform
