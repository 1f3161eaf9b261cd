"""One probe of a check: the requests and kubectl commands it makes through the stack's transport,
within the time budget; and how a step before the verdict skips or fails."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import verdicts as v
from .http import Response, request
from .kube import Kube
from .outputs import StackOutputs
from .verdicts import Verdict

Sender = Callable[..., Response]

RequestKey = tuple[str, tuple[tuple[str, str], ...]]

class Skipped(Exception):
    """The check cannot run here (no kubectl, missing output); never counted as passed."""

class Failed(Exception):
    """A step before the verdict already failed (e.g. no token); carries the evidence."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.detail)
        self.verdict = verdict

def keycloak_missing(o: StackOutputs, *users: str) -> str | None:
    """Why tokens for `users` cannot be had from these outputs (None when they can)."""
    missing = [name for name, value in (("keycloakUrl", o.keycloak_url), ("keycloakClientId", o.keycloak_client_id),
                                        ("keycloakClientSecret", o.keycloak_client_secret)) if not value]
    missing += [f"keycloakUsers.{u}" for u in users if u not in o.keycloak_users]
    return f"stack outputs lack {', '.join(missing)}" if missing else None


@dataclass
class Probe:
    """What a check may use: the outputs, HTTP (with a per-run cache), Keycloak tokens and kubectl."""

    outputs: StackOutputs
    kube: Kube
    send: Sender = request
    request_timeout: float = 10.0
    _responses: dict[RequestKey, Response] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)
    _used_responses: set[RequestKey] = field(default_factory=set)
    _used_tokens: set[str] = field(default_factory=set)

    def begin_attempt(self) -> None:
        self._used_responses.clear()
        self._used_tokens.clear()

    def forget_attempt(self) -> None:
        """A failed attempt must not see the same cached answers (or a stale token) on its retry."""
        for key in self._used_responses:
            self._responses.pop(key, None)
        for user in self._used_tokens:
            self._tokens.pop(user, None)
        self.begin_attempt()

    def get(self, url: str, headers: Mapping[str, str] | None = None, fresh: bool = False) -> Response:
        """GET, shared between checks of one run unless `fresh` (e.g. counting requests for a rate limit)."""
        key = (url, tuple(sorted((headers or {}).items())))
        if fresh:
            return self.send("GET", url, headers=headers, timeout=self.request_timeout)
        self._used_responses.add(key)
        if key not in self._responses:
            self._responses[key] = self.send("GET", url, headers=headers, timeout=self.request_timeout)
        return self._responses[key]

    # --- Keycloak -----------------------------------------------------------------------------

    def token_endpoint(self) -> str:
        return f"{self.outputs.keycloak_url}/realms/{self.outputs.keycloak_realm}/protocol/openid-connect/token"

    def token(self, username: str) -> str:
        """user's `id_token` from a password grant (cached for the run)."""
        self._used_tokens.add(username)
        if username in self._tokens:
            return self._tokens[username]
        reason = keycloak_missing(self.outputs, username)
        if reason:
            raise Skipped(reason)
        o = self.outputs
        user = o.keycloak_users[username]
        form = urllib.parse.urlencode({
            "grant_type": "password", "client_id": o.keycloak_client_id, "client_secret": o.keycloak_client_secret,
            "username": user.username, "password": user.password, "scope": "openid",
        }).encode()
        response = self.send("POST", self.token_endpoint(), headers={
            "Content-Type": "application/x-www-form-urlencoded"}, body=form, timeout=self.request_timeout)
        token = v.id_token(response)
        if token is None:
            raise Failed(Verdict.failed(f"no id_token for {username} from Keycloak: {response.describe()}"))
        self._tokens[username] = token
        return token

    def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    # --- kubectl ------------------------------------------------------------------------------

    def need_kube(self, *clusters: str) -> None:
        for cluster in clusters:
            reason = self.kube.unavailable(cluster)
            if reason:
                raise Skipped(reason)
