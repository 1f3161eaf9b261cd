"""Keeping tokens out of what the verifier prints and writes (the table, `--json`, `--junit`, `--report`).

A CI run uploads the report, so no bearer token, JWT or `*token` field of a Keycloak answer may
reach it, whichever check's detail or error message carries it: `redact` replaces each with
`<redacted>`, keeping the key or scheme that says what was there.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"

#: `Authorization: Bearer <token>` (httpbin echoes the request headers).
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
#: A JWT: three base64url parts, the first a JSON object (`{"` encodes to `eyJ`); the signature may be empty.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
#: A JSON field whose key ends in `token` (`id_token`, `access_token`, `refresh_token`, `token`…).
_JSON_TOKEN = re.compile(r'("[A-Za-z0-9_.-]*token"\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE)
#: The same as a form or query field (`id_token=...&`).
_FORM_TOKEN = re.compile(r"(\b[A-Za-z0-9_.-]*token=)[^&\s'\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` without bearer tokens, JWTs and the values of `*token` fields."""
    text = _JSON_TOKEN.sub(rf'\1"{REDACTED}"', text)
    text = _FORM_TOKEN.sub(rf"\1{REDACTED}", text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _JWT.sub(REDACTED, text)
