"""Labs 9-12 and 15: the gateway, traffic policies, root trust, virtual destinations, external service.

`build_gateway_labs(platform)` declares each enabled feature's component, on the cluster the workshop
uses: route tables, policies and the VirtualGateway on the config cluster, except the httpbin
workspace's ExternalService and route table on the httpbin cluster; the RootTrustPolicy on the
management cluster; `tls-secret` on every workload cluster. `gateway_outputs` gives the stack
outputs that say where the exposed apps answer, and the certificate the gateways serve there.

Run it after the apps (bookinfo, httpbin) are declared: objects in a namespace this program declares
wait for that namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import shapes
from components.core.constants import HTTP_PORT, HTTPBIN_GET_PATH, HTTPS_PORT
from components.platform.build import Platform, config_target, httpbin_target, mgmt_target
from components.platform.management_reference import GATEWAY_TLS_CERTIFICATE, GATEWAY_TLS_PRIVATE_KEY

from .lab09_gateway import (
    CertificatePems,
    Gateway,
    GatewayArgs,
    GatewayCertificate,
    GatewayCertificateArgs,
    GatewayTlsSecret,
    GatewayTlsSecretArgs,
    IssuedCertificate,
)
from .lab10_traffic_policies import TrafficPolicies, TrafficPoliciesArgs
from .lab11_root_trust import RootTrust, RootTrustArgs
from .lab12_virtual_destinations import Failover, FailoverArgs, VirtualDestinations, VirtualDestinationsArgs
from .lab15_external_service import ExternalServiceArgs, ExternalServiceLab, HttpbinRoute, HttpbinRouteArgs


@dataclass(frozen=True)
class GatewayLabs:
    #: The gateway certificate: issued here (single stack, fleet management stack) or read from the
    #: management stack (fleet workload stack); None without gateway-tls.
    certificate: CertificatePems | None
    #: `tls-secret` by workload cluster name (empty without gateway-tls).
    tls_secrets: dict[str, GatewayTlsSecret]
    gateway: Gateway | None
    traffic_policies: TrafficPolicies | None
    root_trust: RootTrust | None
    virtual_destinations: VirtualDestinations | None
    failover: Failover | None
    external_service: ExternalServiceLab | None
    httpbin_route: HttpbinRoute | None


def build_gateway_labs(platform: Platform) -> GatewayLabs:
    """Each enabled lab's objects that this stack declares (a fleet's stack: those on its clusters)."""
    s = platform.settings
    config = config_target(platform)
    httpbin = httpbin_target(platform)

    certificate: CertificatePems | None = None
    tls_secrets: dict[str, GatewayTlsSecret] = {}
    if s.has("gateway-tls"):
        if s.declares_estate:
            certificate = GatewayCertificate("gateway-tls", GatewayCertificateArgs(s))
        elif platform.reference is not None:  # one certificate for the whole fleet's gateways
            certificate = IssuedCertificate(platform.reference.output(GATEWAY_TLS_CERTIFICATE),
                                            platform.reference.output(GATEWAY_TLS_PRIVATE_KEY))
        if certificate is not None:
            tls_secrets = {name: GatewayTlsSecret(f"gateway-tls-{name}",
                                                  GatewayTlsSecretArgs(s, cluster, certificate))
                           for name, cluster in platform.workloads.items()}
    gateway = None
    if s.has("gateway") and config:
        # The 443 listener reads tls-secret on each cluster whose gateway it selects (in a fleet, the
        # stack's own: the other clusters' stacks declare theirs, and Gloo applies it when it exists).
        secrets = [tls_secrets[c].secret for c in shapes.gateway_clusters(s) if c in tls_secrets]
        gateway = Gateway("gateway", GatewayArgs(s, config, secrets))
    traffic = TrafficPolicies("traffic-policies", TrafficPoliciesArgs(s, config)) \
        if s.has("traffic-policies") and config else None
    root_trust = RootTrust("root-trust", RootTrustArgs(s, mgmt_target(platform))) \
        if s.has("root-trust") and s.declares_estate else None
    virtual_destinations = VirtualDestinations("virtual-destinations", VirtualDestinationsArgs(s, config)) \
        if s.has("virtual-destinations") and config else None
    failover = Failover("failover", FailoverArgs(s, config)) if s.has("failover") and config else None
    external = ExternalServiceLab("external-service", ExternalServiceArgs(s, httpbin)) \
        if s.has("external-service") and httpbin else None
    httpbin_route = HttpbinRoute("httpbin-route", HttpbinRouteArgs(s, httpbin)) \
        if shapes.has_httpbin_route(s) and httpbin else None
    return GatewayLabs(certificate, tls_secrets, gateway, traffic, root_trust, virtual_destinations, failover, external,
                       httpbin_route)


def _url(host: pulumi.Input[str], tls: bool, path: str) -> pulumi.Output[str]:
    scheme, port = ("https", HTTPS_PORT) if tls else ("http", HTTP_PORT)
    return pulumi.Output.concat(f"{scheme}://", host, f":{port}{path}")


#: The stack output with the gateway certificate (PEM, the public part): `tools.verify` trusts the
#: gateways' HTTPS through it and through nothing else.
GATEWAY_CERTIFICATE_OUTPUT = "gatewayCertificate"


def gateway_outputs(platform: Platform, labs: GatewayLabs | None = None) -> dict[str, Any]:
    """`productpageUrls` (by cluster whose gateway serves it) and `httpbinUrl`; none without `gateway`.
    With `gateway-tls`, `gatewayCertificate` on a stack with gateways (never the key).

    A fleet's workload stack gives those of its own cluster.
    """
    s = platform.settings
    if not s.has("gateway"):
        return {}
    tls = s.has("gateway-tls")
    urls = {c: _url(platform.istio[c].ingress_host, tls, "/productpage")
            for c in shapes.gateway_clusters(s) if c in platform.istio}
    outputs: dict[str, Any] = {"productpageUrls": urls} if urls else {}
    if s.has("external-service") and s.httpbin_cluster in platform.workloads:
        outputs["externalServiceWeight"] = s.external_service_weight  # what the verifier expects of /get
    entry = shapes.entry_gateway_cluster(s)
    if shapes.has_httpbin_route(s) and entry in platform.istio:
        outputs["httpbinUrl"] = _url(platform.istio[entry].ingress_host, tls, HTTPBIN_GET_PATH)
    if labs is not None and labs.certificate is not None and platform.istio:
        outputs[GATEWAY_CERTIFICATE_OUTPUT] = labs.certificate.cert_pem
    return outputs


def export_gateway_outputs(platform: Platform, labs: GatewayLabs | None = None) -> None:
    for key, value in gateway_outputs(platform, labs).items():
        pulumi.export(key, value)
