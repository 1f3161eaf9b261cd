"""What the verifier sends where: the whole-request deadline, refused header values, the pinned gateway
certificate, the stack's own hosts only, Keycloak's credentials never in clear text across a network,
and no token in what it prints. Loopback servers only, each stopped by its test."""

from __future__ import annotations

import datetime
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.support.fakes.loopback import LoopbackServer
from tests.support.fakes.workshop import FakeWorkshop, self_signed
from tools.verify.http import Response, Tls, insecure_tls, pinned_tls, request
from tools.verify.outputs import parse_outputs
from tools.verify.redact import redact
from tools.verify.transport import credentials_refusal, parse_address, transport

TLS = ["gateway", "gateway-tls"]
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyMiJ9.c2lnbmF0dXJl"


@pytest.fixture
def fake(workshop: FakeWorkshop) -> FakeWorkshop:
    workshop.deploy(TLS)
    return workshop


def outputs(fake: FakeWorkshop, features: list[str] = TLS, **extra: Any) -> Any:
    return parse_outputs(fake.outputs(features, **extra))


def productpage(fake: FakeWorkshop) -> str:
    return f"https://{fake.endpoints['cluster1']['https']}/productpage"


def https_seen(fake: FakeWorkshop) -> list[dict[str, str]]:
    return [r for r in fake.behaviour.seen if r["role"].endswith(":https")]


# --- the deadline of one request ---------------------------------------------------------------------


class SlowDrip(LoopbackServer):
    """A loopback server that answers one byte of a never-ending header every `interval` seconds
    (for at most `for_seconds`, so that a client without a deadline comes back too, late)."""

    def __init__(self, interval: float = 0.2, for_seconds: float = 3.0) -> None:
        self.interval, self.for_seconds = interval, for_seconds
        super().__init__()

    def handle(self, connection: socket.socket) -> None:
        connection.recv(65536)
        answer = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 1000
        ends = time.monotonic() + self.for_seconds
        for byte in answer:
            if self.stopping.is_set() or time.monotonic() > ends:
                return
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                return
            self.stopping.wait(self.interval)


@pytest.fixture
def drip() -> Iterator[SlowDrip]:
    server = SlowDrip()
    yield server
    server.stop()
    assert not server.thread.is_alive()


def test_a_server_that_drips_its_answer_is_cut_off_at_the_request_timeout(drip: SlowDrip) -> None:
    # Every byte comes within the socket timeout, so only a deadline on the whole request ends it.
    began = time.monotonic()
    response = request("GET", f"http://127.0.0.1:{drip.port}/get", timeout=0.5)
    elapsed = time.monotonic() - began
    assert elapsed < 1.0, f"the request took {elapsed:.1f} s with a 0.5 s timeout"
    assert response.status == 0
    assert response.error == "no complete answer within 0.5 s (--request-timeout)"


# --- header values http.client refuses ------------------------------------------------------------------


def test_a_header_value_http_refuses_is_reported_without_the_value(fake: FakeWorkshop) -> None:
    url = f"http://{fake.endpoints['cluster1']['http']}/productpage"
    response = request("GET", url, headers={"Authorization": f"Bearer {JWT}\nX-Injected: 1"})
    assert response.status == 0
    assert response.error == ("the request was not sent: a header value (of Authorization) or the path holds "
                              "characters HTTP does not allow")
    assert JWT not in response.describe() and "eyJ" not in response.describe()


# --- the gateways' certificate --------------------------------------------------------------------------


def test_the_gateway_answers_over_the_pinned_certificate(fake: FakeWorkshop) -> None:
    response = transport(outputs(fake)).send("GET", productpage(fake))
    assert response.status == 200, response.describe()


def test_a_gateway_with_another_certificate_gets_no_request(fake: FakeWorkshop, tmp_path: Path) -> None:
    other = self_signed(tmp_path)[0].read_text()
    response = transport(outputs(fake, gatewayCertificate=other)).send("GET", productpage(fake))
    assert response.status == 0
    assert "CERTIFICATE_VERIFY_FAILED" in response.error
    assert https_seen(fake) == []


def test_only_the_very_certificate_generated_is_the_pinned_one(tmp_path: Path) -> None:
    # A twin (the same key and name, another certificate) is refused by the verification, and by
    # the pin itself where nothing verifies.
    fake = FakeWorkshop(tmp_path / "tls")
    try:
        fake.deploy(TLS)
        key = serialization.load_pem_private_key((tmp_path / "tls" / "tls.key").read_bytes(), None)
        served = x509.load_pem_x509_certificate(fake.certificate.encode())
        now = datetime.datetime.now(datetime.UTC)
        twin = (x509.CertificateBuilder().subject_name(served.subject).issuer_name(served.issuer)
                .public_key(served.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(days=2))
                .sign(key, hashes.SHA256()))
        pem = twin.public_bytes(serialization.Encoding.PEM).decode()
        verified = request("GET", productpage(fake), tls=pinned_tls(pem))
        assert verified.status == 0
        assert "certificate verify failed: self-signed certificate" in verified.error
        unverified = Tls(insecure_tls().context, pinned=twin.public_bytes(serialization.Encoding.DER))
        pinned = request("GET", productpage(fake), tls=unverified)
        assert pinned.status == 0
        assert pinned.error == "the server's certificate is not the gateway certificate of the stack outputs"
        assert https_seen(fake) == []
    finally:
        fake.close()


def test_without_a_gateway_certificate_https_is_refused_unless_insecure(fake: FakeWorkshop) -> None:
    raw = fake.outputs(TLS)
    del raw["gatewayCertificate"]
    refused = transport(parse_outputs(raw)).send("GET", productpage(fake))
    assert refused.status == 0
    assert refused.error.startswith("refusing HTTPS to the gateway 127.0.0.1 unverified: the stack outputs carry "
                                    "no gatewayCertificate")
    assert refused.error.endswith("or pass --insecure-skip-tls-verify")
    assert https_seen(fake) == []
    assert transport(parse_outputs(raw), insecure=True).send("GET", productpage(fake)).status == 200


def test_an_output_that_is_no_certificate_is_rejected(fake: FakeWorkshop) -> None:
    with pytest.raises(ValueError, match="gatewayCertificate: not a PEM certificate"):
        outputs(fake, gatewayCertificate="-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n")


# --- the stack's own hosts --------------------------------------------------------------------------------


def test_a_host_the_outputs_do_not_name_gets_nothing(fake: FakeWorkshop) -> None:
    # localhost reaches the same loopback gateway, but no stack output names it.
    url = productpage(fake).replace("127.0.0.1", "localhost")
    response = transport(outputs(fake)).send("GET", url, headers={"Authorization": f"Bearer {JWT}"})
    assert response.status == 0
    assert response.error == ("refusing to send to 'localhost': it is none of the stack's endpoints "
                              "(gatewayEndpoints, keycloakUrl); pass --allow-host localhost if it is yours")
    assert fake.behaviour.seen == []
    plain = f"http://localhost:{fake.endpoints['cluster1']['http'].rpartition(':')[2]}/productpage"
    assert transport(outputs(fake), allow_hosts=["localhost"]).send("GET", plain).status == 301


# --- Keycloak -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "refused"), [
    ("http://203.0.113.7:8080", True),
    ("http://keycloak.example:8080", True),
    ("http://127.0.0.1:8080", False),
    ("http://localhost:8080", False),
    ("http://[::1]:8080", False),
    ("https://keycloak.example", False),
])
def test_credentials_go_in_clear_text_only_to_this_machine(fake: FakeWorkshop, url: str, refused: bool) -> None:
    o = outputs(fake, ["keycloak"], keycloakUrl=url)
    why = credentials_refusal(o)
    assert (why is not None) == refused, why
    if why:
        assert why.startswith(f"refusing to send the Keycloak client secret and the users' passwords in clear text "
                              f"to {url} ")
        assert "kubectl --context <cluster> -n keycloak port-forward svc/keycloak 8080:8080" in why
        assert "--keycloak-via 127.0.0.1:8080" in why and "--allow-plaintext-keycloak" in why
        assert credentials_refusal(o, allow_plaintext=True) is None
        assert credentials_refusal(o, keycloak_via=("127.0.0.1", 8080)) is None


def test_keycloak_via_a_port_forward_keeps_keycloak_urls_host(fake: FakeWorkshop) -> None:
    o = outputs(fake, ["keycloak"], keycloakUrl="http://keycloak.example:8080")
    sender = transport(o, keycloak_via=("127.0.0.1", fake.keycloak))
    response = sender.send("GET", "http://keycloak.example:8080/realms/master/.well-known/openid-configuration")
    assert response.status == 200, response.describe()
    assert [(r["role"], r["host"]) for r in fake.behaviour.seen] == [("keycloak", "keycloak.example:8080")]


@pytest.mark.parametrize(("value", "message"), [
    ("10.0.0.5:8080", "'10.0.0.5:8080' is not a loopback address"),
    ("127.0.0.1", "expected HOST:PORT, got '127.0.0.1'"),
    ("127.0.0.1:http", "expected HOST:PORT"),
])
def test_keycloak_via_takes_a_loopback_address_only(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_address(value)
    assert parse_address("[::1]:18080") == ("::1", 18080)


# --- redaction ------------------------------------------------------------------------------------------


def test_tokens_are_redacted_in_every_form() -> None:
    text = (f'{{"access_token": "{JWT}", "refresh_token": "opaque-refresh", "token_type": "Bearer", '
            f'"id_token": "x"}} Authorization: Bearer abc.def code=1&id_token=opaque-id&state=2 bare {JWT}')
    assert redact(text) == ('{"access_token": "<redacted>", "refresh_token": "<redacted>", "token_type": "Bearer", '
                            '"id_token": "<redacted>"} Authorization: Bearer <redacted> '
                            'code=1&id_token=<redacted>&state=2 bare <redacted>')


def test_a_response_describes_itself_without_tokens() -> None:
    body = f'{{"access_token": "{JWT}", "refresh_token": "opaque-refresh"}}'
    described = Response("http://kc/token", 200, {"Location": f"https://gw/cb?id_token={JWT}"}, body).describe()
    assert JWT not in described and "opaque-refresh" not in described
    assert described == ("status 200 location=https://gw/cb?id_token=<redacted> from http://kc/token: "
                         "'{\"access_token\": \"<redacted>\", \"refresh_token\": \"<redacted>\"}'")


def test_a_bearer_token_goes_over_https_only(fake: FakeWorkshop) -> None:
    sender = transport(outputs(fake, httpbinUrl="http://203.0.113.9/get"), allow_hosts=["203.0.113.9"])
    response = sender.send("GET", "http://203.0.113.9/get", headers={"Authorization": f"Bearer {JWT}"})
    assert response.status == 0
    assert response.error == "refusing to send a bearer token in clear text to http://203.0.113.9/get (only over https://)"
    loopback = f"http://{fake.endpoints['cluster1']['http']}/productpage"  # this machine: nothing crosses a network
    assert sender.send("GET", loopback, headers={"Authorization": f"Bearer {JWT}"}).status == 301
