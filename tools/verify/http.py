"""The thin HTTP layer: one request, no redirects followed, the server checked before anything is sent.

The checks need to see redirects (HTTP → HTTPS, OAuth → Keycloak) rather than follow them. A
connection failure is a response with status 0, like curl's `000`, so verdicts handle it the same
way as any wrong status.

HTTPS trusts what `Tls` says: by default the system's roots with the host name checked; for the
gateways, the one certificate the program generated (`pinned`: the server must present exactly
that certificate, verified against it as the only trust anchor); or, only when asked for, nothing.
The server's certificate is checked before the request (and its bearer token) is sent.

`timeout` bounds the whole request, connection, TLS handshake and reading included: a socket
timeout alone restarts with every byte, so a server that answers a byte at a time would hold a
request for as long as it likes. At the deadline the connection is shut down and the request fails.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from .redact import redact

BODY_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    error: str = ""

    def header(self, name: str) -> str | None:
        """A response header by case-insensitive name."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def describe(self, limit: int = 200) -> str:
        """`status 503: <body excerpt>` (or the connection error) for the result table; tokens redacted."""
        if self.status == 0:
            return f"no response from {self.url}: {self.error}"
        excerpt = redact(" ".join(self.body.split()))
        if len(excerpt) > limit:
            excerpt = excerpt[:limit] + "…"
        location = self.header("location")
        where = f" location={redact(location)}" if location else ""
        return f"status {self.status}{where} from {self.url}: {excerpt!r}"


@dataclass(frozen=True)
class Tls:
    """Whom an HTTPS request trusts: `context` verifies the server; `pinned` (DER), when set, is the
    one certificate the server must present."""

    context: ssl.SSLContext
    pinned: bytes | None = None
    name: str = "the system's trusted roots"


@functools.cache
def system_tls() -> Tls:
    """The system's trusted roots, the host name checked (a server that is not one of the gateways)."""
    return Tls(ssl.create_default_context())


def pinned_tls(pem: str) -> Tls:
    """Exactly the certificate `pem`, and nothing else: it is the only trust anchor, and the server
    must present it. The name is not checked: the workshop's certificate names `*` (no host), and
    only the holder of its key can present it."""
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    return Tls(context, ssl.PEM_cert_to_DER_cert(pem), "the gateway certificate of the stack outputs")


@functools.cache
def insecure_tls() -> Tls:
    """No verification at all (`--insecure-skip-tls-verify`)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return Tls(context, name="nothing (--insecure-skip-tls-verify)")


class _Deadline:
    """Shuts the connection's socket down when the request's time is up (the read in progress then
    ends at once), unless the request finished first."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection = connection
        self.expired = False
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = self.connection.sock
            if sock is not None:
                try:  # the plain socket's shutdown, also under a TLS socket: the fd is shared
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

    def finish(self) -> None:
        """Called before the connection is closed, so the timer never touches a closed (reused) fd."""
        with self._lock:
            self._done = True
        self._timer.cancel()


def _connection(parts: urllib.parse.SplitResult, timeout: float, tls: Tls | None,
                connect_to: tuple[str, int] | None) -> http.client.HTTPConnection:
    host, port = connect_to or (parts.hostname or "", parts.port)
    if tls is not None:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=tls.context)
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _check_pin(connection: http.client.HTTPConnection, tls: Tls | None) -> str | None:
    """Why the server's certificate is not the pinned one (None: it is, or nothing is pinned)."""
    if tls is None or tls.pinned is None:
        return None
    sock = connection.sock
    if not isinstance(sock, ssl.SSLSocket) or sock.getpeercert(binary_form=True) != tls.pinned:
        return "the server's certificate is not the gateway certificate of the stack outputs"
    return None


def _send(connection: http.client.HTTPConnection, method: str, path: str, headers: Mapping[str, str],
          body: bytes | None) -> str | None:
    """Send the request; why it could not be (None: sent)."""
    try:
        connection.request(method, path, body=body, headers=dict(headers))
    except ValueError:
        # http.client refuses a header value with a line break (or another character HTTP does not
        # allow), and its message quotes the value: a bearer token. Say which, not what.
        names = ", ".join(sorted(headers)) or "none"
        return (f"the request was not sent: a header value (of {names}) or the path holds characters "
                "HTTP does not allow")
    return None


def _failure(error: BaseException, parts: urllib.parse.SplitResult, tls: Tls | None,
             connect_to: tuple[str, int] | None) -> str:
    """Why a request got no answer, naming the address it went to (with `connect_to`, not the URL's
    host) and, for a certificate that did not verify, what it was verified against."""
    host, port = connect_to or (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    where = f"{host}:{port}" + (f" (where {parts.netloc} is reached through)" if connect_to else "")
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the host name {host!r}: {error.strerror or error}"
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused by {where}: nothing listens there"
    if isinstance(error, ssl.SSLCertVerificationError) and tls is not None:
        reason = getattr(error, "verify_message", None) or str(error)
        return (f"TLS handshake with {where} failed: certificate verify failed: {reason} "
                f"(CERTIFICATE_VERIFY_FAILED), verified against {tls.name}")
    return f"{type(error).__name__}: {error}"


def request(method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | None = None,
            timeout: float = 10.0, tls: Tls | None = None, connect_to: tuple[str, int] | None = None) -> Response:
    """Send one request and return what came back within `timeout` seconds in all; never raises for
    network or HTTP errors. HTTPS trusts `tls` (default: `system_tls()`). `connect_to` (host, port)
    connects there instead of to the URL's host (the `Host` header stays the URL's, unless
    `headers` gives one)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return Response(url, 0, error=f"unsupported URL scheme {parts.scheme!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    trust = (tls or system_tls()) if parts.scheme == "https" else None
    try:
        connection = _connection(parts, timeout, trust, connect_to)
    except (ValueError, http.client.InvalidURL) as error:
        return Response(url, 0, error=f"invalid URL: {error}")
    deadline = _Deadline(connection, timeout)
    try:
        connection.connect()
        if deadline.expired:
            raise TimeoutError("the deadline passed while connecting")
        refused = _check_pin(connection, trust) or _send(connection, method, path, headers or {}, body)
        if refused:
            return Response(url, 0, error=refused)
        raw = connection.getresponse()
        data = raw.read(BODY_LIMIT)
        return Response(url, raw.status, {k: v for k, v in raw.getheaders()}, data.decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException, ValueError) as error:
        if deadline.expired:
            return Response(url, 0, error=f"no complete answer within {timeout:g} s (--request-timeout)")
        return Response(url, 0, error=_failure(error, parts, trust, connect_to))
    finally:
        deadline.finish()
        connection.close()
