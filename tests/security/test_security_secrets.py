"""Every generated credential stays a Pulumi secret, and none of the workshop's literals remain."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from offline.records import Secret, Simulation, reveal
from tests.support.scenarios import decode, simulation

WORKSHOP_LITERALS = {"admin", "password"}  # the seed's admin/admin and user*/password


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulation()


def _generated(sim: Simulation) -> dict[str, str]:
    out = sim.outputs
    values = {"admin": out["keycloakAdminPassword"].value, "client": out["keycloakClientSecret"].value}
    values.update({user: v["password"] for user, v in out["keycloakUsers"].value.items()})
    return values


def _plain_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) of every string NOT under a Secret wrapper."""
    if isinstance(value, Secret):
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _plain_strings(k, f"{path}.<key>")
            yield from _plain_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _plain_strings(v, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def _dicts(value: Any) -> Iterator[dict]:
    value = reveal(value)
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def test_generated_values_are_distinct_and_not_the_workshops(sim: Simulation) -> None:
    values = _generated(sim)
    assert len(set(values.values())) == len(values)
    assert not set(values.values()) & WORKSHOP_LITERALS
    assert all(len(v) >= 24 for v in values.values())


def test_no_generated_value_appears_outside_a_secret_in_any_input(sim: Simulation) -> None:
    needles = set()
    for value in _generated(sim).values():
        needles |= {value, base64.b64encode(value.encode()).decode()}
    leaks = [(r.urn, path) for r in sim.records for path, text in _plain_strings(r.inputs)
             if any(n in text for n in needles)]
    assert leaks == []


def test_every_input_holding_a_generated_value_is_secret(sim: Simulation) -> None:
    # The places the values are meant to be: each is there, wrapped as a secret.
    holders = {(r.cluster, r.namespace, r.k8s_name): r for r in sim.select("Secret")}
    for key in (("mgmt", "keycloak", "keycloak-admin"), ("mgmt", "keycloak", "keycloak-realm"),
                ("cluster1", "httpbin", "oauth")):
        assert isinstance(holders[key].inputs["data"], Secret), key


def test_credential_stack_outputs_are_secret(sim: Simulation) -> None:
    for key in ("keycloakAdminPassword", "keycloakClientSecret", "keycloakUsers"):
        assert isinstance(sim.outputs[key], Secret), key
    for key in ("keycloakUrl", "keycloakRealm", "keycloakClientId"):
        assert not isinstance(sim.outputs[key], Secret), key


def test_no_password_env_var_has_a_literal_value(sim: Simulation) -> None:
    for record in sim.select("Deployment"):
        for d in _dicts(record.inputs):
            if "name" in d and isinstance(d.get("name"), str) and (
                    "PASSWORD" in d["name"] or "SECRET" in d["name"]) and ("value" in d or "valueFrom" in d):
                assert "value" not in d, (record.urn, d)


def test_no_workshop_literal_credential_in_the_realm(sim: Simulation) -> None:
    realm = json.loads(decode(reveal(sim.one("Secret", name="keycloak-realm").inputs["data"])["workshop-realm.json"]))
    credentials = [c["value"] for u in realm["users"] for c in u["credentials"]]
    assert credentials and not set(credentials) & WORKSHOP_LITERALS
    assert realm["clients"][0]["secret"] not in WORKSHOP_LITERALS


def test_no_secret_data_anywhere_is_a_workshop_literal(sim: Simulation) -> None:
    for record in sim.select("Secret"):
        for key, value in (reveal(record.inputs.get("data")) or {}).items():
            assert decode(value) not in WORKSHOP_LITERALS, (record.urn, key)
