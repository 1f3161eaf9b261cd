"""A loopback stand-in for a deployed workshop: gateways (HTTP + HTTPS per cluster) and Keycloak.

It answers the way EXPECTED-BEHAVIOUR.md says the real thing does once every lab is applied, and
each `Behaviour` field switches one of those answers to a wrong one, so a test can break exactly
one lab. Only 127.0.0.1 and ephemeral ports; the HTTPS certificate is generated per run, shaped
like the program's (`CN=*`, no subject alternative name), and `outputs()` carries it as
`gatewayCertificate`, as the program exports it.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REVIEWS_UNAVAILABLE = "Sorry, product reviews are currently unavailable for this book."
CLIENT_ID = "gloo-client"
CLIENT_SECRET = "client-secret-for-tests"
USERS = {
    "user1": {"password": "pw-user1", "email": "user1@example.com"},
    "user2": {"password": "pw-user2", "email": "user2@solo.io"},
}


@dataclass
class Behaviour:
    """How the fake answers; `FakeWorkshop.deploy(features)` sets the right answers for a feature set."""

    productpage_status: dict[str, int] = field(default_factory=dict)  # cluster → status (default 200)
    reviews_unavailable: bool = True  # traffic-policies: the 0.5 s timeout shows the message
    https_redirect: bool = True  # gateway-tls: port 80 redirects
    external_weight: int = 0  # share of /get answered "by httpbin.org"
    get_status: int = 200  # what /get answers when it reaches httpbin
    oauth: bool = True  # /get needs a Keycloak session or token
    oauth_accepts_tokens: bool = True
    opa: bool = True  # only @solo.io emails
    jwt: bool = True  # X-Email from the token
    transformation: bool = True  # X-Organization from X-Email
    rate_limit: int | None = 3  # requests per window for solo.io; None = unlimited
    waf: bool = True
    discovery: bool = True
    passwords: dict[str, str] = field(default_factory=lambda: {u: v["password"] for u, v in USERS.items()})
    #: what a successful password grant answers instead of the usual tokens (user → JSON body)
    grant_body: dict[str, dict[str, str]] = field(default_factory=dict)
    # observed
    solo_requests: int = 0
    get_requests: int = 0
    #: every request: role (`keycloak`, `cluster1:https`…), method, path, Host and Authorization headers
    seen: list[dict[str, str]] = field(default_factory=list)


def self_signed(directory: Path, common_name: str = "*", ip_san: str | None = None) -> tuple[Path, Path]:
    """A self-signed server certificate as pulumi-tls makes the gateway's: `CN=*`, not a CA, server auth
    (an IP address SAN only when asked for)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, content_commitment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False))
    if ip_san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip_san))]),
                                        False)
    cert = builder.sign(key, hashes.SHA256())
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class FakeWorkshop:
    """Servers for clusters `cluster1`, `cluster2` and Keycloak; `outputs()` is what the stack would export."""

    clusters = ("cluster1", "cluster2")

    def __init__(self, tls_dir: Path) -> None:
        self.behaviour = Behaviour()
        self.lock = threading.Lock()
        self.servers: list[ThreadingHTTPServer] = []
        cert, key = self_signed(tls_dir)
        self.certificate = cert.read_text()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.keycloak = self._serve("keycloak", None)
        self.endpoints: dict[str, dict[str, str]] = {}
        for cluster in self.clusters:
            http_port = self._serve(f"{cluster}:http", None)
            https_port = self._serve(f"{cluster}:https", context)
            self.endpoints[cluster] = {"http": f"127.0.0.1:{http_port}", "https": f"127.0.0.1:{https_port}"}

    def _serve(self, role: str, context: ssl.SSLContext | None) -> int:
        workshop = self

        class Handler(_Handler):
            pass

        Handler.role = role
        Handler.workshop = workshop
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if context is not None:
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.servers.append(server)
        return server.server_address[1]

    def reset(self) -> Behaviour:
        self.behaviour = Behaviour()
        return self.behaviour

    def deploy(self, features: list[str]) -> Behaviour:
        """Answer like a workshop with exactly these labs applied (the others undone, as the workshop does)."""
        b = self.reset()
        b.https_redirect = "gateway-tls" in features
        b.reviews_unavailable = "traffic-policies" in features
        b.oauth = "oauth" in features
        b.opa = "opa" in features
        b.jwt = "jwt" in features
        b.transformation = "transformation" in features
        b.rate_limit = 3 if "rate-limit" in features else None
        b.waf = "waf" in features
        return b

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    @property
    def keycloak_url(self) -> str:
        return f"http://127.0.0.1:{self.keycloak}"

    def outputs(self, features: list[str], **extra: Any) -> dict[str, Any]:
        """What the stack exports for `features`; keyword arguments replace or add outputs."""
        values: dict[str, Any] = {
            "features": sorted(features),
            "managementCluster": "mgmt",
            "workloadClusters": list(self.clusters),
            "mgmtServerEndpoint": "127.0.0.1:9900",
            "gatewayEndpoints": self.endpoints,
            "gatewayCertificate": self.certificate,
            "keycloakUrl": self.keycloak_url,
            "keycloakRealm": "master",
            "keycloakClientId": CLIENT_ID,
            "keycloakClientSecret": CLIENT_SECRET,
            "keycloakUsers": USERS,
            "externalServiceWeight": self.behaviour.external_weight,
        }
        values.update(extra)
        return values


class _Handler(BaseHTTPRequestHandler):
    role = ""
    workshop: FakeWorkshop
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: str = "", headers: dict[str, str] | None = None,
              content_type: str = "text/plain") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    @property
    def b(self) -> Behaviour:
        return self.workshop.behaviour

    def _observe(self) -> None:
        with self.workshop.lock:
            self.b.seen.append({"role": self.role, "method": self.command, "path": self.path,
                                "host": self.headers.get("Host", ""),
                                "authorization": self.headers.get("Authorization", "")})

    def do_POST(self) -> None:
        self._observe()
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        field_ = {k: v[0] for k, v in form.items()}
        if self.role != "keycloak" or self.path != "/realms/master/protocol/openid-connect/token":
            return self._send(404, "not found")
        user = field_.get("username", "")
        if (field_.get("grant_type") != "password" or field_.get("client_id") != CLIENT_ID
                or field_.get("client_secret") != CLIENT_SECRET or "openid" not in field_.get("scope", "")):
            return self._send(401, json.dumps({"error": "unauthorized_client"}), content_type="application/json")
        if user not in USERS or self.b.passwords.get(user) != field_.get("password"):
            return self._send(401, json.dumps({"error": "invalid_grant"}), content_type="application/json")
        body = self.b.grant_body.get(user) or {"access_token": f"access-{user}", "id_token": f"id-{user}",
                                               "token_type": "Bearer"}
        return self._send(200, json.dumps(body), content_type="application/json")

    def do_GET(self) -> None:
        self._observe()
        if self.role == "keycloak":
            return self._keycloak()
        cluster, _, scheme = self.role.partition(":")
        if self.b.waf and "${jndi:" in (self.headers.get("User-Agent") or ""):
            return self._send(403, "Log4Shell malicious payload")
        if scheme == "http" and self.b.https_redirect:
            host = self.workshop.endpoints[cluster]["https"]
            return self._send(301, "", {"Location": f"https://{host}{self.path}"})
        if self.path == "/productpage":
            status = self.b.productpage_status.get(cluster, 200)
            reviews = REVIEWS_UNAVAILABLE if self.b.reviews_unavailable else "Reviewer1 <font color=\"black\">"
            return self._send(status, f"<title>Simple Bookstore App</title>{reviews}", content_type="text/html")
        if self.path == "/get" and cluster == "cluster1" and scheme == "https":
            return self._httpbin()
        return self._send(404, "no route")

    def _keycloak(self) -> None:
        if self.path == "/realms/master/.well-known/openid-configuration" and self.b.discovery:
            issuer = f"{self.workshop.keycloak_url}/realms/master"
            return self._send(200, json.dumps({"issuer": issuer}), content_type="application/json")
        return self._send(404, "not found")

    def _httpbin(self) -> None:
        b = self.b
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        user = token.removeprefix("id-") if token.startswith("id-") and b.oauth_accepts_tokens else None
        if b.oauth and user is None:
            location = f"{self.workshop.keycloak_url}/realms/master/protocol/openid-connect/auth?client_id={CLIENT_ID}"
            return self._send(302, "", {"Location": location})
        email = USERS[user]["email"] if user else None
        if b.opa and email and not email.endswith("@solo.io"):
            return self._send(403, "")
        headers = {"Host": self.headers.get("Host", "")}
        if email and b.jwt:
            headers["X-Email"] = email
        if email and b.transformation:
            headers["X-Organization"] = email.rpartition("@")[2]
        with self.workshop.lock:
            if headers.get("X-Organization") == "solo.io":
                b.solo_requests += 1
                if b.rate_limit is not None and b.solo_requests > b.rate_limit:
                    return self._send(429, "")
            b.get_requests += 1
            count = b.get_requests
        if b.get_status != 200:
            return self._send(b.get_status, "upstream connect error")
        # Deterministic split: the n-th request goes external when the running share stays within the weight.
        external = (count * b.external_weight) // 100 > ((count - 1) * b.external_weight) // 100
        if external:
            headers["X-Amzn-Trace-Id"] = f"Root=1-{count:08x}"
        else:
            headers["X-B3-Parentspanid"] = f"{count:016x}"
        return self._send(200, json.dumps({"args": {}, "headers": headers, "url": f"https://host{self.path}"}),
                          content_type="application/json")
