"""The thin HTTP layer: one request, no redirects followed, TLS verification off.

The gateway serves a self-signed certificate, and the checks need to see redirects (HTTP → HTTPS,
OAuth → Keycloak) rather than follow them. A connection failure is a response with status 0,
like curl's `000`, so verdicts handle it the same way as any wrong status.
"""

from __future__ import annotations

import http.client
import re
import ssl
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

BODY_LIMIT = 1024 * 1024
#: httpbin echoes the request headers, tokens included; the table (a CI artifact) must not show them.
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


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
        """`status 503: <body excerpt>` (or the connection error) for the result table."""
        if self.status == 0:
            return f"no response from {self.url}: {self.error}"
        excerpt = _BEARER.sub(r"\1<redacted>", " ".join(self.body.split()))
        if len(excerpt) > limit:
            excerpt = excerpt[:limit] + "…"
        location = self.header("location")
        where = f" location={location}" if location else ""
        return f"status {self.status}{where} from {self.url}: {excerpt!r}"


def _insecure_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def request(method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | None = None,
            timeout: float = 10.0) -> Response:
    """Send one request and return what came back; never raises for network or HTTP errors."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=timeout, context=_insecure_context())
        elif parts.scheme == "http":
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
        else:
            return Response(url, 0, error=f"unsupported URL scheme {parts.scheme!r}")
    except (ValueError, http.client.InvalidURL) as error:
        return Response(url, 0, error=f"invalid URL: {error}")
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        raw = connection.getresponse()
        data = raw.read(BODY_LIMIT)
        return Response(url, raw.status, {k: v for k, v in raw.getheaders()}, data.decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException) as error:
        return Response(url, 0, error=f"{type(error).__name__}: {error}")
    finally:
        connection.close()
