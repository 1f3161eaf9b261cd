"""Pure verdicts: what a lab must have achieved, judged from the responses observed.

Each function takes responses (or command output) and returns a `Verdict`; none does I/O, so each
expectation from the workshop is tested on its own with hand-made responses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .http import Response

REVIEWS_UNAVAILABLE = "Sorry, product reviews are currently unavailable for this book."
LOG4SHELL_BODY = "Log4Shell malicious payload"
EXTERNAL_MARKER = "X-Amzn-Trace-Id"  # httpbin.org (behind AWS) echoes it; the in-mesh httpbin does not
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    detail: str

    @classmethod
    def passed(cls, detail: str) -> Verdict:
        return cls(True, detail)

    @classmethod
    def failed(cls, detail: str) -> Verdict:
        return cls(False, detail)


def status_is(response: Response, expected: int) -> Verdict:
    if response.status == expected:
        return Verdict.passed(f"{expected} from {response.url}")
    return Verdict.failed(f"expected {expected}, got {response.describe()}")


def body_contains(response: Response, text: str, status: int | None = 200) -> Verdict:
    if status is not None and response.status != status:
        return Verdict.failed(f"expected {status} with {text!r} in the body, got {response.describe()}")
    if text in response.body:
        return Verdict.passed(f"body contains {text!r}")
    return Verdict.failed(f"body lacks {text!r}: {response.describe()}")


def redirects_to_https(response: Response) -> Verdict:
    """Port 80 answers with a redirect to the same gateway over HTTPS (`httpsRedirect: true`)."""
    location = response.header("location") or ""
    if response.status in REDIRECT_STATUSES and location.startswith("https://"):
        return Verdict.passed(f"{response.status} to {location}")
    return Verdict.failed(f"expected a redirect to https://, got {response.describe()}")


def redirects_to_keycloak(response: Response) -> Verdict:
    """Without a session the ext-auth OIDC flow answers 302 to the Keycloak authorization endpoint."""
    location = response.header("location") or ""
    if response.status == 302 and "/protocol/openid-connect/auth" in location:
        return Verdict.passed(f"302 to {location.split('?')[0]}")
    return Verdict.failed(f"expected 302 to Keycloak's /protocol/openid-connect/auth, got {response.describe()}")


def echoed_headers(response: Response) -> dict[str, str] | None:
    """The request headers httpbin echoes in `/get`, keyed by lower-case name; None if the body is not that."""
    try:
        document: Any = json.loads(response.body)
    except ValueError:
        return None
    headers = document.get("headers") if isinstance(document, dict) else None
    if not isinstance(headers, dict):
        return None
    return {str(k).lower(): str(v) for k, v in headers.items()}


def echoed_header_is(response: Response, name: str, expected: str) -> Verdict:
    """httpbin's `/get` shows the header the gateway added, e.g. `"X-Email": "user2@solo.io"`."""
    if response.status != 200:
        return Verdict.failed(f"expected 200 with header {name}: {expected}, got {response.describe()}")
    headers = echoed_headers(response)
    if headers is None:
        return Verdict.failed(f"the body is not httpbin's echo of the request: {response.describe()}")
    actual = headers.get(name.lower())
    if actual == expected:
        return Verdict.passed(f'"{name}": "{expected}" reached httpbin')
    return Verdict.failed(f"expected {name}: {expected!r} at httpbin, got {actual!r}: {response.describe()}")


def served_by(response: Response) -> str | None:
    """`external` (httpbin.org), `local` (the in-mesh httpbin) or None when it is no httpbin answer."""
    if response.status != 200 or echoed_headers(response) is None:
        return None
    return "external" if EXTERNAL_MARKER.lower() in response.body.lower() else "local"


def traffic_split(responses: Sequence[Response], weight: int) -> Verdict:
    """`/get` goes to httpbin.org for `weight` % of the requests and to the local httpbin for the rest.

    0 and 100 require every response to come from one side; a split requires having seen both.
    """
    origins = [served_by(r) for r in responses]
    bad = [r for r, o in zip(responses, origins, strict=True) if o is None]
    if bad:
        return Verdict.failed(f"expected httpbin's 200 echo, got {bad[0].describe()}")
    external = origins.count("external")
    local = origins.count("local")
    summary = f"{external} from httpbin.org, {local} from the local httpbin"
    if weight == 0:
        ok = external == 0 and local > 0
    elif weight == 100:
        ok = local == 0 and external > 0
    else:
        ok = external > 0 and local > 0
    expectation = {0: "all local", 100: "all from httpbin.org"}.get(weight, "both origins")
    return Verdict(ok, f"weight {weight}: {summary} (expected {expectation})")


def rate_limited(responses: Sequence[Response], limit: int = 3) -> Verdict:
    """Requests in quick succession get 429 once the per-minute quota is used up.

    Earlier requests of the same minute count too, so the 429 may come before the (limit+1)th; what
    must not happen is `limit + 1` successes in a row, or any answer other than 200 and 429.
    """
    statuses = [r.status for r in responses]
    for index, response in enumerate(responses):
        if response.status == 429:
            return Verdict.passed(f"429 after {index} × 200 ({statuses})")
        if response.status != 200:
            return Verdict.failed(f"expected 200 until 429, got {response.describe()}")
    return Verdict.failed(f"no 429 within {len(responses)} requests (limit {limit}/minute): {statuses}")


def waf_blocked(response: Response) -> Verdict:
    """The log4shell rule answers 403 with the body `Log4Shell malicious payload`."""
    if response.status == 403 and LOG4SHELL_BODY in response.body:
        return Verdict.passed(f"403 {LOG4SHELL_BODY!r}")
    return Verdict.failed(f"expected 403 with {LOG4SHELL_BODY!r}, got {response.describe()}")


def discovery_document(response: Response, realm: str) -> Verdict:
    """Keycloak serves the realm's OpenID configuration, issuer ending in /realms/<realm>."""
    if response.status != 200:
        return Verdict.failed(f"expected 200, got {response.describe()}")
    try:
        issuer = json.loads(response.body).get("issuer", "")
    except (ValueError, AttributeError):
        return Verdict.failed(f"not an OpenID configuration: {response.describe()}")
    if isinstance(issuer, str) and issuer.rstrip("/").endswith(f"/realms/{realm}"):
        return Verdict.passed(f"issuer {issuer}")
    return Verdict.failed(f"issuer {issuer!r} is not realm {realm!r}")


def id_token(response: Response) -> str | None:
    """The `id_token` of a successful password grant, else None."""
    if response.status != 200:
        return None
    try:
        token = json.loads(response.body).get("id_token")
    except (ValueError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None


def http_code_is(output: str, expected: str) -> Verdict:
    """The status code an in-cluster client printed (`curl -w %{http_code}`, or python's status_code)."""
    printed = output.strip().splitlines()[-1].strip() if output.strip() else ""
    if printed == expected:
        return Verdict.passed(f"in-cluster request got {expected}")
    return Verdict.failed(f"expected {expected}, the in-cluster request printed {output.strip()[-200:]!r}")


def same_root(roots: dict[str, str | None]) -> Verdict:
    """Every workload cluster has a `cacerts` secret, and all carry the same root certificate."""
    missing = sorted(c for c, root in roots.items() if not root)
    if missing:
        return Verdict.failed(f"no cacerts root-cert.pem in istio-system on {', '.join(missing)}")
    if len(set(roots.values())) == 1:
        return Verdict.passed(f"cacerts on {', '.join(sorted(roots))} share one root")
    return Verdict.failed(f"cacerts roots differ between {', '.join(sorted(roots))}")


def issued_by_gloo_mesh(output: str) -> Verdict:
    """`openssl s_client -showcerts` from a sidecar shows a chain issued by `O = gloo-mesh`."""
    if "i:O = gloo-mesh" in output or "i:O=gloo-mesh" in output:
        return Verdict.passed("the workload chain is issued by O = gloo-mesh")
    issuers = [line.strip() for line in output.splitlines() if line.strip().startswith("i:")]
    return Verdict.failed(f"no issuer O = gloo-mesh in the chain; issuers: {issuers or output.strip()[-200:]!r}")
