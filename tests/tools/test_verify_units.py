"""The verifier's parts on their own: outputs parsing, check selection, verdicts, retries, kubectl probing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.core.features import KNOWN_FEATURES
from offline.records import Secret
from offline.runtime import simulate
from tests.support.fakes.workshop import self_signed
from tests.support.simulation import buildable_features
from tools.verify import verdicts as v
from tools.verify.checks import (
    CATALOGUE,
    NO_CHECKS,
    Check,
    checks_for,
    productpage_urls,
    unchecked_features,
)
from tools.verify.http import Response
from tools.verify.kube import CommandResult, Kube
from tools.verify.outputs import OutputsError, load_outputs_file, load_stack_outputs, parse_outputs
from tools.verify.probe import Probe
from tools.verify.runner import FAIL, PASS, SKIP, run_checks

BASE: dict[str, Any] = {
    "features": [],
    "managementCluster": "mgmt",
    "workloadClusters": ["cluster1", "cluster2"],
    "mgmtServerEndpoint": "mgmt.example:9900",
    "gatewayEndpoints": {
        "cluster1": {"http": "gw1.example:80", "https": "gw1.example:443"},
        "cluster2": {"http": "gw2.example:80", "https": "gw2.example:443"},
    },
}


def outputs(features: list[str], **extra: Any) -> Any:
    return parse_outputs({**BASE, "features": features, **extra})


def labs(features: list[str], **extra: Any) -> list[str]:
    return [c.lab for c in checks_for(outputs(features, **extra))]


# --- outputs ---------------------------------------------------------------------------------------


def test_outputs_file_is_parsed_with_secrets_in_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({
        **BASE, "features": ["keycloak"], "keycloakUrl": "http://kc.example:8080/", "keycloakClientId": "c",
        "keycloakClientSecret": "s3cret", "externalServiceWeight": 50,
        "keycloakUsers": {"user2": {"password": "pw", "email": "user2@solo.io"}},
    }))
    parsed = load_outputs_file(path)
    assert parsed.features == frozenset({"keycloak"})
    assert parsed.workload_clusters == ("cluster1", "cluster2")
    assert parsed.keycloak_url == "http://kc.example:8080"
    assert parsed.keycloak_realm == "master"
    assert parsed.keycloak_users["user2"].password == "pw"
    assert parsed.external_service_weight == 50
    assert "s3cret" not in repr(parsed)


@pytest.mark.parametrize(("raw", "message"), [
    ([], "expected a JSON object"),
    ({**BASE, "gatewayEndpoints": {"cluster1": {"http": "a:80", "https": "a:443"}}},
     "gatewayEndpoints: cluster 'cluster2' needs 'http' and 'https'"),
    ({**BASE, "workloadClusters": []}, "workloadClusters: expected a non-empty list"),
    ({**BASE, "externalServiceWeight": 150}, "externalServiceWeight: 150 is not a share from 0 to 100"),
    ({**BASE, "keycloakUsers": {"user1": {"email": "x"}}}, "keycloakUsers: user 'user1' needs a password"),
    ({k: val for k, val in BASE.items() if k != "mgmtServerEndpoint"}, "mgmtServerEndpoint: missing"),
])
def test_malformed_outputs_are_rejected_naming_the_key(raw: Any, message: str) -> None:
    with pytest.raises(OutputsError, match=message.replace("(", r"\(")):
        parse_outputs(raw)


def test_outputs_file_that_is_not_json_is_an_outputs_error(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text("Current stack outputs (4):")
    with pytest.raises(OutputsError, match="not JSON"):
        load_outputs_file(path)
    with pytest.raises(OutputsError, match="cannot read"):
        load_outputs_file(tmp_path / "missing.json")


def _plain(value: Any) -> Any:
    if isinstance(value, Secret):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_plain(x) for x in value]
    return value


def test_verifier_reads_the_outputs_the_real_program_exports(tmp_path: Path) -> None:
    features = buildable_features()
    simulated = simulate({"licenseKey": "x", "features": features}).outputs
    raw = json.loads(json.dumps(_plain(simulated)))  # the shape `pulumi stack output --json` prints
    # The gateway certificate is exported in plain text (it is public); the mock runtime's PEM is a
    # stand-in, so a real certificate takes its place.
    assert not isinstance(simulated["gatewayCertificate"], Secret)
    assert raw["gatewayCertificate"].startswith("-----BEGIN CERTIFICATE-----\nmock gateway-tls-cert")
    raw["gatewayCertificate"] = self_signed(tmp_path)[0].read_text()
    parsed = parse_outputs(raw)
    assert parsed.gateway_certificate == raw["gatewayCertificate"]
    assert parsed.features == frozenset(features)
    assert parsed.workload_clusters == ("cluster1", "cluster2")
    assert set(parsed.gateway_endpoints) == {"cluster1", "cluster2"}
    assert all(e["https"].endswith(":443") for e in parsed.gateway_endpoints.values())
    planned = {c.lab for c in checks_for(parsed)}
    assert planned == {f for f in features if f not in NO_CHECKS}
    # The program exports everything the checks need: none is skipped for a missing output.
    assert [(c.name, c.skip) for c in checks_for(parsed) if c.skip] == []


def test_every_feature_has_checks_or_says_why_not() -> None:
    checked = {feature for feature, _ in CATALOGUE}
    assert checked | set(NO_CHECKS) == set(KNOWN_FEATURES)
    assert not checked & set(NO_CHECKS)


# --- feature → check selection ---------------------------------------------------------------------


def test_no_features_no_checks() -> None:
    assert checks_for(outputs([])) == []


def test_only_enabled_features_get_checks_in_lab_order() -> None:
    assert labs(["waf", "gateway"]) == ["gateway", "waf"]
    assert "traffic-policies" not in labs(["gateway", "gateway-tls"])


def test_gateway_uses_http_before_tls_and_https_after() -> None:
    plain = checks_for(outputs(["gateway"]))
    assert [c.name for c in plain] == ["productpage 200 over HTTP on cluster1"]
    assert productpage_urls(outputs(["gateway"])) == {"cluster1": "http://gw1.example:80/productpage"}
    assert productpage_urls(outputs(["gateway", "gateway-tls"])) == {"cluster1": "https://gw1.example:443/productpage"}


def test_virtual_destinations_check_every_workload_cluster() -> None:
    urls = productpage_urls(outputs(["gateway", "gateway-tls", "root-trust", "virtual-destinations"]))
    assert urls == {"cluster1": "https://gw1.example:443/productpage",
                    "cluster2": "https://gw2.example:443/productpage"}


def test_program_productpage_urls_win_over_derived_ones() -> None:
    o = outputs(["gateway"], productpageUrls={"cluster2": "https://pp.example/productpage"})
    assert productpage_urls(o) == {"cluster2": "https://pp.example/productpage"}


def test_virtual_destinations_fail_for_a_cluster_without_a_productpage_url() -> None:
    o = outputs(["gateway", "virtual-destinations"], productpageUrls={"cluster1": "https://a/productpage"})
    names = [c.name for c in checks_for(o) if c.lab == "virtual-destinations"]
    assert "every workload cluster exposes the productpage" in names


def test_token_checks_are_skipped_up_front_without_keycloak_outputs() -> None:
    checks = checks_for(outputs(["oauth", "opa", "jwt", "transformation", "rate-limit"]))
    assert checks and all(c.skip and "keycloakUrl" in c.skip for c in checks)


def test_external_service_samples_as_user1_unless_opa_denies_user1() -> None:
    kc = {"keycloakUrl": "http://kc", "keycloakClientId": "c", "keycloakClientSecret": "s",
          "keycloakUsers": {"user1": {"password": "a", "email": "user1@example.com"}}}
    without_opa = [c for c in checks_for(outputs(["external-service", "oauth"], **kc)) if c.lab == "external-service"]
    with_opa = [c for c in checks_for(outputs(["external-service", "oauth", "opa"], **kc)) if c.lab == "external-service"]
    assert without_opa[0].skip is None
    assert with_opa[0].skip == "stack outputs lack keycloakUsers.user2"


def test_unknown_and_check_less_features_are_reported() -> None:
    notes = unchecked_features(outputs(["httpbin-workspace", "lab-99"]))
    assert set(notes) == {"httpbin-workspace", "lab-99"}
    assert notes["lab-99"] == "unknown to this verifier"


# --- verdicts --------------------------------------------------------------------------------------


def response(status: int, body: str = "", **headers: str) -> Response:
    return Response("https://gw/x", status, {k.replace("_", "-"): val for k, val in headers.items()}, body)


def echo(**headers: str) -> Response:
    return response(200, json.dumps({"headers": {k.replace("_", "-"): val for k, val in headers.items()}}))


def test_status_verdict_reports_status_and_body_excerpt() -> None:
    verdict = v.status_is(response(503, "upstream connect error or disconnect/reset before headers"), 200)
    assert not verdict.ok
    assert "status 503" in verdict.detail and "upstream connect error" in verdict.detail
    assert v.status_is(response(200), 200).ok


def test_failure_detail_never_shows_the_bearer_token_httpbin_echoes() -> None:
    echoed = response(200, json.dumps({"headers": {"Authorization": "Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl"}}))
    detail = v.echoed_header_is(echoed, "X-Email", "user2@solo.io").detail
    assert "eyJ" not in detail
    assert "Bearer <redacted>" in detail


def test_connection_failure_is_a_failure_not_a_pass() -> None:
    verdict = v.status_is(Response("https://gw/x", 0, error="ConnectionRefusedError"), 200)
    assert not verdict.ok and "no response" in verdict.detail


def test_https_redirect_needs_a_redirect_status_and_an_https_location() -> None:
    assert v.redirects_to_https(response(301, Location="https://gw/productpage")).ok
    assert not v.redirects_to_https(response(301, Location="http://gw/productpage")).ok
    assert not v.redirects_to_https(response(200)).ok


def test_keycloak_redirect_needs_302_to_the_authorization_endpoint() -> None:
    good = response(302, Location="http://kc:8080/realms/master/protocol/openid-connect/auth?client_id=x")
    assert v.redirects_to_keycloak(good).ok
    assert not v.redirects_to_keycloak(response(302, Location="https://gw/login")).ok
    assert not v.redirects_to_keycloak(response(200)).ok


def test_reviews_unavailable_message_must_be_in_a_200_page() -> None:
    assert v.body_contains(response(200, f"<p>{v.REVIEWS_UNAVAILABLE}</p>"), v.REVIEWS_UNAVAILABLE).ok
    assert not v.body_contains(response(200, "Reviewer1"), v.REVIEWS_UNAVAILABLE).ok
    assert not v.body_contains(response(500, v.REVIEWS_UNAVAILABLE), v.REVIEWS_UNAVAILABLE).ok


def test_echoed_header_is_matched_by_name_case_insensitively_and_by_exact_value() -> None:
    assert v.echoed_header_is(echo(X_Email="user2@solo.io"), "X-Email", "user2@solo.io").ok
    assert v.echoed_header_is(echo(**{"x-organization": "solo.io"}), "X-Organization", "solo.io").ok
    assert not v.echoed_header_is(echo(X_Email="user1@example.com"), "X-Email", "user2@solo.io").ok
    assert not v.echoed_header_is(response(200, "<html>"), "X-Email", "user2@solo.io").ok
    assert not v.echoed_header_is(response(302), "X-Email", "user2@solo.io").ok


def test_origin_of_a_get_response() -> None:
    assert v.served_by(echo(X_Amzn_Trace_Id="Root=1-abc")) == "external"
    assert v.served_by(echo(X_B3_Parentspanid="abc")) == "local"
    assert v.served_by(response(429)) is None


@pytest.mark.parametrize(("weight", "origins", "ok"), [
    (0, ["local", "local"], True),
    (0, ["local", "external"], False),
    (100, ["external", "external"], True),
    (100, ["external", "local"], False),
    (50, ["local", "external"], True),
    (50, ["local"] * 12, False),
    (30, ["external"] * 12, False),
])
def test_traffic_split_follows_the_weight(weight: int, origins: list[str], ok: bool) -> None:
    responses = [echo(X_Amzn_Trace_Id="1") if o == "external" else echo(X_B3_Parentspanid="2") for o in origins]
    assert v.traffic_split(responses, weight).ok is ok


def test_rate_limit_needs_a_429_after_only_successes() -> None:
    assert v.rate_limited([response(200)] * 3 + [response(429)]).ok
    assert v.rate_limited([response(429)]).ok  # the quota was already used this minute
    assert not v.rate_limited([response(200)] * 4).ok
    assert not v.rate_limited([response(200), response(503)]).ok


def test_waf_needs_403_with_the_log4shell_body() -> None:
    assert v.waf_blocked(response(403, "Log4Shell malicious payload")).ok
    assert not v.waf_blocked(response(403, "RBAC: access denied")).ok
    assert not v.waf_blocked(response(200, "Log4Shell malicious payload")).ok


def test_in_cluster_status_code_is_the_last_line_printed() -> None:
    assert v.http_code_is("000", "000").ok
    assert v.http_code_is("Defaulting debug container name\n403\n", "403").ok
    assert not v.http_code_is("", "000").ok
    assert not v.http_code_is("200", "403").ok


def test_roots_must_exist_everywhere_and_be_equal() -> None:
    assert v.same_root({"cluster1": "A", "cluster2": "A"}).ok
    assert not v.same_root({"cluster1": "A", "cluster2": "B"}).ok
    missing = v.same_root({"cluster1": "A", "cluster2": None})
    assert not missing.ok and "cluster2" in missing.detail


def test_chain_must_be_issued_by_gloo_mesh() -> None:
    assert v.issued_by_gloo_mesh(" 1 s:O = cluster1\n   i:O = gloo-mesh\n").ok
    assert not v.issued_by_gloo_mesh(" 0 s:\n   i:O = cluster1\n").ok


def test_id_token_comes_only_from_a_successful_grant() -> None:
    assert v.id_token(response(200, '{"id_token": "abc", "access_token": "xyz"}')) == "abc"
    assert v.id_token(response(401, '{"id_token": "abc"}')) is None
    assert v.id_token(response(200, '{"access_token": "xyz"}')) is None


# --- runner ----------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def probe() -> Probe:
    return Probe(outputs([]), Kube(kubectl="/nonexistent/kubectl"))


def test_failing_check_is_retried_until_the_deadline_then_fails_with_the_last_evidence() -> None:
    clock = FakeClock()
    tries: list[float] = []

    def never(p: Probe) -> v.Verdict:
        tries.append(clock.now)
        return v.Verdict.failed(f"attempt {len(tries)}")

    results = run_checks([Check("gateway", "x", never)], probe(), timeout=10, interval=3, clock=clock,
                         sleep=clock.sleep)
    assert tries == [0, 3, 6, 9]
    assert (results[0].status, results[0].detail, results[0].attempts) == (FAIL, "attempt 4", 4)


def test_every_check_gets_one_attempt_after_the_deadline() -> None:
    clock = FakeClock()
    clock.now = 100.0
    checks = [Check("gateway", "a", lambda p: v.Verdict.failed("no")),
              Check("waf", "b", lambda p: v.Verdict.passed("yes"))]
    results = run_checks(checks, probe(), timeout=0, interval=1, clock=clock, sleep=clock.sleep)
    assert [(r.status, r.attempts) for r in results] == [(FAIL, 1), (PASS, 1)]


def test_an_exception_in_a_check_fails_that_check_only() -> None:
    def broken(p: Probe) -> v.Verdict:
        raise KeyError("cluster3")

    results = run_checks([Check("gateway", "a", broken), Check("waf", "b", lambda p: v.Verdict.passed("ok"))],
                         probe(), timeout=0, interval=1)
    assert results[0].status == FAIL and "KeyError" in results[0].detail
    assert results[1].status == PASS


def test_kubectl_check_without_kubectl_is_skipped_not_retried() -> None:
    def needs_kube(p: Probe) -> v.Verdict:
        p.need_kube("cluster1")
        return v.Verdict.passed("must not get here")

    results = run_checks([Check("root-trust", "a", needs_kube)], probe(), timeout=30, interval=1)
    assert (results[0].status, results[0].attempts) == (SKIP, 1)
    assert "not installed" in results[0].detail


def test_failed_attempt_forgets_the_cached_response() -> None:
    answers = iter([503, 200])
    sent: list[str] = []

    def send(method: str, url: str, **_: Any) -> Response:
        sent.append(url)
        return Response(url, next(answers))

    p = Probe(outputs([]), Kube(kubectl="/nonexistent/kubectl"), send=send)
    check = Check("gateway", "a", lambda pr: v.status_is(pr.get("http://gw/productpage"), 200))
    results = run_checks([check, check], p, timeout=5, interval=0, clock=FakeClock(), sleep=lambda s: None)
    assert [r.status for r in results] == [PASS, PASS]
    assert len(sent) == 2  # one retry after the 503; the second check reused the 200


# --- kubectl ---------------------------------------------------------------------------------------


def test_unreachable_context_is_reported_with_kubectls_error(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def runner(argv: Any, timeout: float) -> CommandResult:
        calls.append(list(argv))
        return CommandResult(1, "", 'error: context "cluster9" does not exist')

    kubectl = tmp_path / "kubectl"
    kubectl.write_text("#!/bin/sh\n")
    kubectl.chmod(0o755)
    kube = Kube({"cluster1": "cluster9"}, kubectl=str(kubectl), runner=runner)
    reason = kube.unavailable("cluster1")
    assert reason is not None and "'cluster9'" in reason and "does not exist" in reason
    assert kube.unavailable("cluster1") == reason
    assert len(calls) == 1  # asked once per cluster
    assert calls[0][:3] == [str(kubectl), "--context", "cluster9"]


# --- reading the outputs through the Pulumi CLI ------------------------------------------------------


def test_stack_outputs_come_from_pulumi_with_secrets_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    argv_file = tmp_path / "argv"
    pulumi = tmp_path / "pulumi"
    pulumi.write_text(f"#!/bin/sh\necho \"$@\" > '{argv_file}'\ncat <<'EOF'\n{json.dumps(BASE)}\nEOF\n")
    pulumi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    parsed = load_stack_outputs("dev")
    assert argv_file.read_text().split() == ["stack", "output", "--json", "--show-secrets", "--stack", "dev"]
    assert parsed.management_cluster == "mgmt"


def test_missing_pulumi_cli_points_to_the_outputs_option(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputsError, match="--outputs"):
        load_stack_outputs("dev")


def test_failing_pulumi_cli_reports_its_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pulumi = tmp_path / "pulumi"
    pulumi.write_text("#!/bin/sh\necho 'error: no stack named dev found' >&2\nexit 255\n")
    pulumi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(OutputsError, match="no stack named dev found"):
        load_stack_outputs("dev")
