"""`gmw verify` against a loopback workshop: all right → exit 0; each lab wrong → that check fails.

The fake gateways and Keycloak (tests/support/fakes/workshop.py) answer like EXPECTED-BEHAVIOUR.md says
the deployed labs do; every scenario breaks one answer and names the checks that must fail.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from components.core.features import KNOWN_FEATURES
from tests.support.fakes import kubectl as fake_kubectl
from tests.support.fakes.workshop import Behaviour, FakeWorkshop, self_signed
from tools.verify import cli as verify


@pytest.fixture
def fake(workshop: FakeWorkshop) -> FakeWorkshop:
    workshop.reset()
    return workshop


def table_rows(table: str) -> dict[tuple[str, str], str]:
    """(lab, check) → PASS/FAIL/SKIP from the printed table."""
    rows = {}
    for line in table.splitlines()[2:]:
        cells = re.split(r"\s{2,}", line)
        if len(cells) >= 3 and cells[2].split()[0] in ("PASS", "FAIL", "SKIP"):
            rows[(cells[0], cells[1])] = cells[2].split()[0]
    return rows


def run(tmp_path: Path, outputs: dict[str, Any], *args: str, kubectl: dict[str, Any] | None = None,
        timeout: str = "0") -> tuple[int, dict[tuple[str, str], str], str]:
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(outputs))
    report = tmp_path / "report.txt"
    kubectl_path = str(fake_kubectl.install(tmp_path, kubectl)) if kubectl else str(tmp_path / "no-kubectl")
    rc = verify.main(["--outputs", str(outputs_file), "--timeout", timeout, "--interval", "0.05",
                      "--request-timeout", "5", "--kubectl", kubectl_path, "--report", str(report), *args])
    table = report.read_text()
    return rc, table_rows(table), table


TLS = ["gateway", "gateway-tls"]
HTTPBIN = [*TLS, "httpbin-workspace", "external-service"]
AUTH = [*TLS, "httpbin-workspace", "keycloak", "oauth"]


@dataclass(frozen=True)
class Scenario:
    id: str
    features: list[str]
    breaks: Callable[[Behaviour], None]
    fails: set[tuple[str, str]]
    right: Callable[[Behaviour], None] = lambda b: None
    outputs: dict[str, Any] = field(default_factory=dict)
    kubectl: dict[str, Any] | None = None
    kubectl_breaks: dict[str, Any] = field(default_factory=dict)


def _set(**values: Any) -> Callable[[Behaviour], None]:
    def apply(b: Behaviour) -> None:
        for key, value in values.items():
            setattr(b, key, value)
    return apply


def _kubectl(**changes: dict[str, str]) -> dict[str, Any]:
    spec = json.loads(json.dumps(fake_kubectl.RIGHT))
    for key, entries in changes.items():
        spec[key].update(entries)
    return spec


SCENARIOS = [
    Scenario("gateway-http", ["gateway"], _set(productpage_status={"cluster1": 404}),
             {("gateway", "productpage 200 over HTTP on cluster1")}),
    Scenario("gateway-https", TLS, _set(productpage_status={"cluster1": 503}),
             {("gateway", "productpage 200 over HTTPS on cluster1"),
              ("gateway-tls", "productpage 200 over HTTPS on cluster1")}),
    Scenario("gateway-tls-redirect", TLS, _set(https_redirect=False),
             {("gateway-tls", "HTTP redirects to HTTPS on cluster1")}),
    Scenario("traffic-policies", [*TLS, "traffic-policies"], _set(reviews_unavailable=False),
             {("traffic-policies", "productpage on cluster1 shows reviews unavailable (0.5 s timeout)")}),
    Scenario("virtual-destinations", [*TLS, "root-trust", "virtual-destinations"],
             _set(productpage_status={"cluster2": 503}),
             {("gateway", "productpage 200 over HTTPS on cluster2"),
              ("gateway-tls", "productpage 200 over HTTPS on cluster2"),
              ("virtual-destinations", "productpage 200 through cluster2's gateway")}),
    Scenario("failover", [*TLS, "root-trust", "virtual-destinations", "failover"],
             _set(productpage_status={"cluster2": 503}),
             {("gateway", "productpage 200 over HTTPS on cluster2"),
              ("gateway-tls", "productpage 200 over HTTPS on cluster2"),
              ("virtual-destinations", "productpage 200 through cluster2's gateway"),
              ("failover", "productpage 200 through cluster2's gateway")}),
    Scenario("root-trust-roots-differ", ["root-trust"], lambda b: None,
             {("root-trust", "cacerts secrets share one root (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"roots": {"cluster2": "b3RoZXI="}}),
    Scenario("root-trust-no-cacerts", ["root-trust"], lambda b: None,
             {("root-trust", "cacerts secrets share one root (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"roots": {"cluster2": None}}),
    Scenario("root-trust-own-issuer", ["root-trust"], lambda b: None,
             {("root-trust", "reviews→ratings chain issued by gloo-mesh on cluster2 (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"issuer": {"cluster2": "cluster2"}}),
    Scenario("zero-trust-not-in-mesh", [*TLS, "zero-trust"], lambda b: None,
             {("zero-trust", "not-in-mesh → reviews cannot connect (000) (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"curl": {"not-in-mesh": "200"}}),
    Scenario("zero-trust-in-mesh", [*TLS, "zero-trust"], lambda b: None,
             {("zero-trust", "in-mesh → reviews denied 403 (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"curl": {"in-mesh": "200"}}),
    Scenario("zero-trust-ratings", [*TLS, "zero-trust"], lambda b: None,
             {("zero-trust", "productpage → ratings denied 403 (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"python": {"ratings": "200"}}),
    Scenario("zero-trust-details", [*TLS, "zero-trust"], lambda b: None,
             {("zero-trust", "productpage → details allowed 200 (kubectl)")},
             kubectl=fake_kubectl.RIGHT, kubectl_breaks={"python": {"details": "403"}}),
    Scenario("zero-trust-gateway", [*TLS, "zero-trust"], _set(productpage_status={"cluster1": 503}),
             {("gateway", "productpage 200 over HTTPS on cluster1"),
              ("gateway-tls", "productpage 200 over HTTPS on cluster1"),
              ("zero-trust", "productpage still reachable through the gateway")}),
    Scenario("external-service-all-local", HTTPBIN, _set(external_weight=100),
             {("external-service", "requests split by externalServiceWeight=0")}, outputs={"externalServiceWeight": 0}),
    Scenario("external-service-all-external", HTTPBIN, _set(external_weight=0),
             {("external-service", "requests split by externalServiceWeight=100")},
             right=_set(external_weight=100), outputs={"externalServiceWeight": 100}),
    Scenario("external-service-split", HTTPBIN, _set(external_weight=0),
             {("external-service", "requests split by externalServiceWeight=50")},
             right=_set(external_weight=50), outputs={"externalServiceWeight": 50}),
    Scenario("external-service-down", HTTPBIN, _set(get_status=503),
             {("external-service", "GET /get answered by httpbin"),
              ("external-service", "requests split by externalServiceWeight=0")}, outputs={"externalServiceWeight": 0}),
    Scenario("keycloak-discovery", [*TLS, "keycloak"], _set(discovery=False),
             {("keycloak", "realm 'master' serves its OpenID configuration")}),
    Scenario("keycloak-password", [*TLS, "keycloak"], _set(passwords={"user1": "changed", "user2": "pw-user2"}),
             {("keycloak", "password grant for user1")}),
    Scenario("oauth-open", AUTH, _set(oauth=False), {("oauth", "GET /get without a token redirects to Keycloak")},),
    Scenario("oauth-token-refused", AUTH, _set(oauth_accepts_tokens=False),
             {("oauth", "GET /get with user2's token 200")}),
    Scenario("opa", [*AUTH, "opa"], _set(opa=False), {("opa", "user1 (not @solo.io) denied 403")}),
    Scenario("jwt", [*AUTH, "jwt"], _set(jwt=False), {("jwt", "X-Email: user2@solo.io reaches httpbin")},),
    Scenario("transformation", [*AUTH, "jwt", "transformation"], _set(transformation=False),
             {("transformation", "X-Organization: solo.io reaches httpbin")}),
    Scenario("rate-limit", [*AUTH, "jwt", "transformation", "rate-limit"], _set(rate_limit=None),
             {("rate-limit", "user2 gets 429 within 4 requests")}),
    Scenario("waf", [*TLS, "waf"], _set(waf=False), {("waf", "Log4Shell User-Agent blocked 403 on cluster1")}),
]


def _kubectl_spec(scenario: Scenario, broken: bool) -> dict[str, Any] | None:
    if scenario.kubectl is None:
        return None
    return _kubectl(**scenario.kubectl_breaks) if broken else scenario.kubectl


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_each_lab_passes_when_the_workshop_answers_right(scenario: Scenario, fake: FakeWorkshop,
                                                         tmp_path: Path) -> None:
    fake.deploy(scenario.features)
    scenario.right(fake.behaviour)
    outputs = fake.outputs(scenario.features, **scenario.outputs)
    rc, rows, table = run(tmp_path, outputs, kubectl=_kubectl_spec(scenario, broken=False))
    assert rc == 0, table
    for key in scenario.fails:
        assert rows[key] == "PASS", table


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_each_lab_fails_when_the_workshop_answers_wrong(scenario: Scenario, fake: FakeWorkshop,
                                                        tmp_path: Path) -> None:
    fake.deploy(scenario.features)
    scenario.right(fake.behaviour)
    scenario.breaks(fake.behaviour)
    outputs = fake.outputs(scenario.features, **scenario.outputs)
    rc, rows, table = run(tmp_path, outputs, kubectl=_kubectl_spec(scenario, broken=True))
    assert rc == 1, table
    assert {key for key, status in rows.items() if status == "FAIL"} == scenario.fails, table


def test_whole_workshop_passes_with_every_check_run(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(list(KNOWN_FEATURES)).external_weight = 50
    outputs = fake.outputs(list(KNOWN_FEATURES), externalServiceWeight=50)
    rc, rows, table = run(tmp_path, outputs, "--strict", kubectl=fake_kubectl.RIGHT)
    assert rc == 0, table
    assert set(rows.values()) == {"PASS"}, table
    assert {lab for lab, _ in rows} == set(KNOWN_FEATURES) - {"httpbin-workspace"}
    assert "note: httpbin-workspace: no checks of its own" in table
    # rate limiting was proven by a 429, and the other user2 checks shared one quota slot
    assert fake.behaviour.solo_requests >= 4


def test_failed_row_shows_status_and_body_excerpt(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(TLS).productpage_status = {"cluster1": 503}
    rc, _, table = run(tmp_path, fake.outputs(TLS))
    assert rc == 1
    failed = next(line for line in table.splitlines() if line.startswith("gateway ") and "FAIL" in line)
    assert "status 503" in failed
    assert "Simple Bookstore App" in failed


def test_kubectl_checks_are_skipped_never_passed_without_kubectl(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy([*TLS, "root-trust", "zero-trust"])
    rc, rows, table = run(tmp_path, fake.outputs([*TLS, "root-trust", "zero-trust"]))
    kube_rows = {key: status for key, status in rows.items() if "(kubectl)" in key[1]}
    assert len(kube_rows) == 3 + 5, table
    assert set(kube_rows.values()) == {"SKIP"}, table
    assert "is not installed or not on PATH" in table
    assert rc == 0
    assert verify.main(["--outputs", str(tmp_path / "outputs.json"), "--timeout", "0", "--strict",
                        "--kubectl", str(tmp_path / "no-kubectl")]) == 1


def test_kubectl_checks_are_skipped_when_a_context_does_not_answer(fake: FakeWorkshop, tmp_path: Path) -> None:
    spec = {**fake_kubectl.RIGHT, "contexts": ["cluster1"]}
    rc, rows, table = run(tmp_path, fake.outputs(["root-trust"]), kubectl=spec)
    assert rows[("root-trust", "cacerts secrets share one root (kubectl)")] == "SKIP"
    assert rows[("root-trust", "reviews→ratings chain issued by gloo-mesh on cluster2 (kubectl)")] == "SKIP"
    assert rows[("root-trust", "reviews→ratings chain issued by gloo-mesh on cluster1 (kubectl)")] == "PASS"
    assert "context 'cluster2'" in table
    assert rc == 0


def test_context_option_maps_clusters_to_kube_contexts(fake: FakeWorkshop, tmp_path: Path) -> None:
    spec = {**fake_kubectl.RIGHT, "contexts": ["kind-cluster1", "kind-cluster2"],
            "roots": {"kind-cluster1": "cm9vdA==", "kind-cluster2": "cm9vdA=="},
            "issuer": {"kind-cluster1": "gloo-mesh", "kind-cluster2": "gloo-mesh"}}
    rc, rows, table = run(tmp_path, fake.outputs(["root-trust"]), "--context", "cluster1=kind-cluster1",
                          "--context", "cluster2=kind-cluster2", "--strict", kubectl=spec)
    assert rc == 0, table
    assert set(rows.values()) == {"PASS"}


def test_keycloak_checks_skip_naming_the_missing_outputs(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy([*AUTH, "jwt"])
    outputs = fake.outputs([*AUTH, "jwt"])
    for key in ("keycloakClientSecret", "keycloakUsers"):
        del outputs[key]
    rc, rows, table = run(tmp_path, outputs)
    assert rows[("oauth", "GET /get without a token redirects to Keycloak")] == "SKIP"
    assert rows[("jwt", "X-Email: user2@solo.io reaches httpbin")] == "SKIP"
    assert "stack outputs lack keycloakClientSecret, keycloakUsers.user2" in table
    assert rc == 0


def test_split_check_skips_without_external_service_weight(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(HTTPBIN)
    outputs = fake.outputs(HTTPBIN)
    del outputs["externalServiceWeight"]
    rc, rows, table = run(tmp_path, outputs)
    assert rows[("external-service", "requests split by externalServiceWeight=None")] == "SKIP"
    assert rows[("external-service", "GET /get answered by httpbin")] == "PASS"
    assert "stack outputs lack externalServiceWeight" in table
    assert rc == 0


def test_a_check_that_fails_at_first_is_retried_until_it_passes(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(["gateway"])
    calls = {"n": 0}
    original = fake.behaviour.productpage_status

    class Flaky(dict):  # the productpage comes up after two 503s
        def get(self, key: str, default: int = 200) -> int:
            calls["n"] += 1
            return 503 if calls["n"] <= 2 else original.get(key, default)

    fake.behaviour.productpage_status = Flaky()
    rc, rows, table = run(tmp_path, fake.outputs(["gateway"]), timeout="10")
    assert rc == 0, table
    assert "PASS (3 tries)" in table


def test_unreadable_outputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "outputs.json"
    path.write_text('{"features": "gateway"}')
    assert verify.main(["--outputs", str(path)]) == 2
    error = capsys.readouterr().err
    assert "features: expected list" in error
    assert "gatewayEndpoints: missing" in error


def test_json_and_junit_carry_the_rows_of_the_table(fake: FakeWorkshop, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fake.deploy(TLS).productpage_status = {"cluster1": 503}
    junit = tmp_path / "ci" / "verify.xml"
    rc, rows, _ = run(tmp_path, fake.outputs(TLS), "--json", "--junit", str(junit))
    assert rc == 1
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"format", "features", "results", "notes", "summary", "ok"}
    assert (printed["format"], printed["features"], printed["ok"]) == (1, ["gateway", "gateway-tls"], False)
    assert {(r["lab"], r["check"]): r["status"] for r in printed["results"]} == rows
    assert all(set(r) == {"lab", "check", "status", "detail", "attempts"} for r in printed["results"])
    statuses = [r["status"] for r in printed["results"]]
    assert printed["summary"] == {"passed": statuses.count("PASS"), "failed": statuses.count("FAIL"),
                                  "skipped": statuses.count("SKIP")}
    assert printed["summary"]["failed"] >= 1
    failed = next(r for r in printed["results"] if r["status"] == "FAIL")
    assert "status 503" in failed["detail"]

    root = ElementTree.fromstring(junit.read_text())
    (suite,) = root.findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (
        "tools.verify", str(len(rows)), str(printed["summary"]["failed"]), str(printed["summary"]["skipped"]))
    cases = {(c.get("classname"), c.get("name")): c for c in suite.findall("testcase")}
    assert set(cases) == set(rows)
    for key, status in rows.items():
        assert (cases[key].find("failure") is not None) == (status == "FAIL"), key
        assert (cases[key].find("skipped") is not None) == (status == "SKIP"), key
    failure = cases[(failed["lab"], failed["check"])].find("failure")
    assert failure is not None and failure.get("message") == failed["detail"]


def test_json_ok_follows_strict(fake: FakeWorkshop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake.deploy([*TLS, "root-trust"])
    rc, rows, _ = run(tmp_path, fake.outputs([*TLS, "root-trust"]), "--json")
    assert rc == 0 and "SKIP" in rows.values()
    assert json.loads(capsys.readouterr().out)["ok"] is True
    rc, _, _ = run(tmp_path, fake.outputs([*TLS, "root-trust"]), "--json", "--strict")
    assert rc == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


# --- what is sent where, and what is printed --------------------------------------------------------

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyMSJ9.c2lnbmF0dXJl"


def outputs_file(tmp_path: Path, outputs: dict[str, Any]) -> str:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return str(path)


def test_no_token_reaches_the_table_json_junit_or_report(fake: FakeWorkshop, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    # A grant without an id_token (e.g. no openid scope) answers the other tokens; the failure shows the answer.
    fake.deploy([*TLS, "keycloak"]).grant_body = {
        "user1": {"access_token": JWT, "refresh_token": "opaque-refresh-of-user1", "token_type": "Bearer"}}
    junit = tmp_path / "verify.xml"
    rc, rows, table = run(tmp_path, fake.outputs([*TLS, "keycloak"]), "--json", "--junit", str(junit))
    assert rc == 1
    assert rows[("keycloak", "password grant for user1")] == "FAIL"
    printed = capsys.readouterr().out
    detail = next(r["detail"] for r in json.loads(printed)["results"] if r["check"] == "password grant for user1")
    assert detail.startswith("no id_token for user1 from Keycloak: status 200 from http://127.0.0.1:")
    assert detail.endswith('\'{"access_token": "<redacted>", "refresh_token": "<redacted>", "token_type": "Bearer"}\'')
    for text in (table, printed, junit.read_text()):
        assert JWT not in text and "eyJ" not in text and "opaque-refresh-of-user1" not in text


def test_a_token_http_refuses_to_send_is_not_quoted(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(AUTH).grant_body = {"user2": {"id_token": f"{JWT}\nX-Injected: 1"}}
    rc, rows, table = run(tmp_path, fake.outputs(AUTH))
    assert rc == 1
    assert rows[("oauth", "GET /get with user2's token 200")] == "FAIL"
    assert ("the request was not sent: a header value (of Authorization) or the path holds characters HTTP does "
            "not allow") in table
    assert "eyJ" not in table and "X-Injected" not in table


def test_a_host_no_stack_output_names_gets_no_token(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(AUTH)
    port = fake.endpoints["cluster1"]["https"].rpartition(":")[2]
    rc, rows, table = run(tmp_path, fake.outputs(AUTH, httpbinUrl=f"https://localhost:{port}/get"))
    assert rc == 1
    assert rows[("oauth", "GET /get with user2's token 200")] == "FAIL"
    assert ("refusing to send to 'localhost': it is none of the stack's endpoints (gatewayEndpoints, keycloakUrl); "
            "pass --allow-host localhost if it is yours") in table
    assert [r for r in fake.behaviour.seen if r["authorization"]] == []
    assert not [r for r in fake.behaviour.seen if r["host"].startswith("localhost")]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Where the verifier connects; anything but 127.0.0.1 is refused here, so no test reaches a network."""
    seen: list[tuple[str, int]] = []
    real = socket.create_connection

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        seen.append((address[0], address[1]))
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"test: no network ({address[0]})")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return seen


def test_credentials_are_not_posted_in_clear_text_to_another_host(
        fake: FakeWorkshop, tmp_path: Path, connections: list[tuple[str, int]],
        capsys: pytest.CaptureFixture[str]) -> None:
    features = [*TLS, "keycloak"]
    fake.deploy(features)
    path = outputs_file(tmp_path, fake.outputs(features, keycloakUrl="http://203.0.113.7:8080"))
    args = ["--outputs", path, "--timeout", "0", "--kubectl", str(tmp_path / "no-kubectl")]
    assert verify.main(args) == 2
    err = capsys.readouterr().err
    assert ("error: refusing to send the Keycloak client secret and the users' passwords in clear text to "
            "http://203.0.113.7:8080 (keycloakUrl is plain http:// to another host)") in err
    assert "--keycloak-via 127.0.0.1:8080, or pass --allow-plaintext-keycloak" in err
    assert connections == []
    assert verify.main([*args, "--allow-plaintext-keycloak"]) == 1
    assert ("warning: --allow-plaintext-keycloak: the client secret and passwords cross the network to "
            "http://203.0.113.7:8080 in clear text") in capsys.readouterr().err
    assert ("203.0.113.7", 8080) in connections


def test_keycloak_through_a_port_forward_keeps_keycloak_urls_host(fake: FakeWorkshop, tmp_path: Path,
                                                                 connections: list[tuple[str, int]]) -> None:
    features = [*AUTH, "jwt"]
    fake.deploy(features)
    outputs = fake.outputs(features, keycloakUrl="http://keycloak.example:8080")
    rc, rows, table = run(tmp_path, outputs, "--keycloak-via", f"127.0.0.1:{fake.keycloak}")
    assert rc == 0, table
    assert rows[("keycloak", "password grant for user2")] == "PASS"
    posts = [r for r in fake.behaviour.seen if r["method"] == "POST"]
    assert posts and {r["host"] for r in posts} == {"keycloak.example:8080"}
    assert {host for host, _ in connections} == {"127.0.0.1"}


def test_a_gateway_with_another_certificate_gets_no_request(fake: FakeWorkshop, tmp_path: Path) -> None:
    fake.deploy(AUTH)
    other = self_signed(tmp_path / "other")[0].read_text()
    rc, rows, table = run(tmp_path, fake.outputs(AUTH, gatewayCertificate=other))
    assert rc == 1
    assert rows[("gateway-tls", "productpage 200 over HTTPS on cluster1")] == "FAIL"
    assert rows[("oauth", "GET /get with user2's token 200")] == "FAIL"
    assert "certificate verify failed: self-signed certificate" in table
    assert [r for r in fake.behaviour.seen if r["role"].endswith(":https")] == []


def test_without_a_gateway_certificate_the_run_refuses_unless_told_not_to_verify(
        fake: FakeWorkshop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake.deploy(TLS)
    outputs = fake.outputs(TLS)
    del outputs["gatewayCertificate"]  # a stack deployed by a program version before the output
    path = outputs_file(tmp_path, outputs)
    assert verify.main(["--outputs", path, "--timeout", "0"]) == 2
    assert capsys.readouterr().err == (
        "error: the stack outputs carry no gatewayCertificate, so the gateways' HTTPS cannot be verified; "
        "`pulumi up` with this program version exports it, or pass --insecure-skip-tls-verify\n")
    assert fake.behaviour.seen == []
    rc, rows, table = run(tmp_path, outputs, "--insecure-skip-tls-verify")
    assert rc == 0, table
    assert rows[("gateway-tls", "productpage 200 over HTTPS on cluster1")] == "PASS"
    assert ("warning: --insecure-skip-tls-verify: the gateways' certificate is not verified; bearer tokens go to "
            "whoever answers") in capsys.readouterr().err
