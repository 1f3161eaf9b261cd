"""Where the verifier may send what: the stack's own endpoints only, the gateways over the certificate
the program generated, and Keycloak's credentials never in clear text across a network.

`Transport.send` is the `Probe`'s sender. It refuses, without connecting, a URL whose host is none
of the stack's endpoints (`gatewayEndpoints`, `keycloakUrl`) or of `--allow-host`, a bearer token
over plain `http://` to another machine, and an HTTPS request to a gateway when the outputs carry
no `gatewayCertificate` and `--insecure-skip-tls-verify` was not given. `credentials_refusal` says why the password grants must not be sent (a Keycloak URL
that is plain `http://` to a host that is not this machine), which `tools.verify` checks before it
sends anything.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .http import Response, Tls, insecure_tls, pinned_tls, request, system_tls
from .outputs import StackOutputs

ALLOW_PLAINTEXT_FLAG = "--allow-plaintext-keycloak"
KEYCLOAK_VIA_FLAG = "--keycloak-via"
INSECURE_FLAG = "--insecure-skip-tls-verify"
ALLOW_HOST_FLAG = "--allow-host"


def host_of(endpoint: str) -> str:
    """The host of `host:port` or of a URL, lower-case, IPv6 without brackets ('' when there is none)."""
    netloc = endpoint if "://" in endpoint else f"//{endpoint}"
    return (urllib.parse.urlsplit(netloc).hostname or "").lower()


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1: traffic that never leaves this machine (no name is resolved)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_address(value: str) -> tuple[str, int]:
    """`HOST:PORT` of a loopback address (what `kubectl port-forward` listens on); ValueError otherwise."""
    parts = urllib.parse.urlsplit(f"//{value}")
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or ""
    if not host or port is None:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    if not is_loopback(host):
        raise ValueError(f"{value!r} is not a loopback address (localhost, 127.0.0.1, [::1])")
    return host, port


def gateway_hosts(outputs: StackOutputs) -> frozenset[str]:
    return frozenset(host_of(endpoint) for entry in outputs.gateway_endpoints.values() for endpoint in entry.values())


def stack_hosts(outputs: StackOutputs) -> frozenset[str]:
    """The hosts the stack's outputs name as its own endpoints: the gateways and Keycloak."""
    keycloak = {host_of(outputs.keycloak_url)} if outputs.keycloak_url else set()
    return gateway_hosts(outputs) | keycloak


@dataclass
class Transport:
    """The verifier's sender: `send(method, url, headers=, body=, timeout=)` like `http.request`."""

    allowed_hosts: frozenset[str]
    gateway_hosts: frozenset[str]
    #: PEM of the certificate every gateway serves; None: the outputs carry none.
    gateway_certificate: str | None = None
    insecure: bool = False
    #: `host:port` of a URL → the (loopback) address to connect to instead, keeping its Host header.
    connect_to: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    _pinned: Tls | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if self.gateway_certificate and not self.insecure:
            self._pinned = pinned_tls(self.gateway_certificate)

    def trust(self, host: str) -> Tls | str:
        """How an HTTPS request to `host` verifies the server, or why it must not be sent."""
        if self.insecure:
            return insecure_tls()
        if host not in self.gateway_hosts:
            return system_tls()
        if self._pinned is None:
            return (f"refusing HTTPS to the gateway {host} unverified: the stack outputs carry no "
                    f"gatewayCertificate (`pulumi up` with this program exports it), or pass {INSECURE_FLAG}")
        return self._pinned

    def refusal(self, url: str, headers: Mapping[str, str] | None = None) -> str | None:
        """Why nothing may be sent to `url` (None: it may)."""
        host = host_of(url)
        if host not in self.allowed_hosts:
            return (f"refusing to send to {host or url!r}: it is none of the stack's endpoints "
                    f"(gatewayEndpoints, keycloakUrl); pass {ALLOW_HOST_FLAG} {host} if it is yours")
        bearer = any(k.lower() == "authorization" for k in headers or {})
        if bearer and urllib.parse.urlsplit(url).scheme == "http" and not is_loopback(host):
            return f"refusing to send a bearer token in clear text to {url} (only over https://)"
        return None

    def send(self, method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | None = None,
             timeout: float = 10.0) -> Response:
        refused = self.refusal(url, headers)
        if refused:
            return Response(url, 0, error=refused)
        parts = urllib.parse.urlsplit(url)
        tls: Tls | None = None
        if parts.scheme == "https":
            trust = self.trust(host_of(url))
            if isinstance(trust, str):
                return Response(url, 0, error=trust)
            tls = trust
        sent = dict(headers or {})
        via = self.connect_to.get(parts.netloc.lower())
        if via is not None:
            sent.setdefault("Host", parts.netloc)
        return request(method, url, headers=sent, body=body, timeout=timeout, tls=tls, connect_to=via)


def transport(outputs: StackOutputs, *, insecure: bool = False, allow_hosts: Iterable[str] = (),
              keycloak_via: tuple[str, int] | None = None) -> Transport:
    """The transport for a stack's outputs and the command's flags."""
    connect_to: dict[str, tuple[str, int]] = {}
    if keycloak_via is not None and outputs.keycloak_url:
        connect_to[urllib.parse.urlsplit(outputs.keycloak_url).netloc.lower()] = keycloak_via
    return Transport(
        allowed_hosts=stack_hosts(outputs) | {host_of(h) for h in allow_hosts},
        gateway_hosts=gateway_hosts(outputs),
        gateway_certificate=outputs.gateway_certificate,
        insecure=insecure,
        connect_to=connect_to,
    )


def credentials_refusal(outputs: StackOutputs, *, allow_plaintext: bool = False,
                        keycloak_via: tuple[str, int] | None = None) -> str | None:
    """Why the client secret and the users' passwords must not be POSTed to Keycloak (None: they may).

    Over `https://`, or to this machine (a loopback `keycloakUrl`, or `--keycloak-via` a port-forward)
    they may; to another host in clear text only with `--allow-plaintext-keycloak`."""
    url = outputs.keycloak_url
    if not url or allow_plaintext or keycloak_via is not None:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or is_loopback(host_of(url)):
        return None
    return (f"refusing to send the Keycloak client secret and the users' passwords in clear text to {url} "
            f"(keycloakUrl is plain http:// to another host). Reach Keycloak through a port-forward, "
            f"e.g. `kubectl --context <cluster> -n keycloak port-forward svc/keycloak 8080:8080` and "
            f"{KEYCLOAK_VIA_FLAG} 127.0.0.1:8080, or pass {ALLOW_PLAINTEXT_FLAG} if the network to it is yours")
