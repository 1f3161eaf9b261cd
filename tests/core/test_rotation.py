"""The credentials rotation helper: keepers for pulumi-random, a replacement trigger for pulumi-tls."""

from __future__ import annotations

import pulumi
import pytest

from components.core import rotation
from offline.records import Record, Simulation
from tests.support.simulation import cached_simulation, dev_config

PASSWORDS = ("keycloak-admin-password", "keycloak-client-secret", "keycloak-user1-password", "keycloak-user2-password")
TLS = ("gateway-tls-key", "gateway-tls-cert")


def test_no_keepers_at_zero_so_existing_credentials_stay() -> None:
    assert rotation.keepers(0) is None


def test_keepers_carry_the_counter() -> None:
    assert rotation.keepers(1) == {"credentialsRotation": "1"}
    assert rotation.keepers(12) == {"credentialsRotation": "12"}


def test_the_trigger_is_set_at_zero_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine ignores a trigger that was absent before, so 0 must be a value: 0 -> 1 then replaces.
    opts = rotation.replacement_options(0, pulumi.ResourceOptions(protect=True))
    assert opts.replacement_trigger == 0 and opts.protect is True
    monkeypatch.setattr(rotation, "monitor_supports_feature", lambda feature: feature == 4)  # REPLACEMENT_TRIGGER
    assert rotation.replacement_options(3).replacement_trigger == 3
    monkeypatch.setattr(rotation, "monitor_supports_feature", lambda feature: False)
    with pytest.raises(pulumi.RunError) as refused:
        rotation.replacement_options(3)
    assert str(refused.value) == ("credentialsRotation: 3 would not regenerate the TLS keys: this Pulumi CLI ignores "
                                  "the replacement_trigger resource option; use the Pulumi CLI 3.231 or newer")


def test_a_counter_above_zero_needs_an_engine_that_honours_the_trigger() -> None:
    rotation.check_trigger_support(0, supported=False)
    rotation.check_trigger_support(2, supported=True)
    with pytest.raises(pulumi.RunError, match=r"credentialsRotation: 2 would not regenerate the TLS keys: .*3\.231"):
        rotation.check_trigger_support(2, supported=False)


def _generated(sim: Simulation, name: str) -> Record:
    return next(r for r in sim.records if r.name == name)


@pytest.mark.parametrize("counter", [0, 2])
def test_every_generated_credential_carries_the_counter(counter: int) -> None:
    sim = cached_simulation(dev_config(credentialsRotation=counter) if counter else dev_config())
    for name in PASSWORDS:
        record = _generated(sim, name)
        assert record.type == "random:index/randomPassword:RandomPassword"
        assert record.inputs.get("keepers") == rotation.keepers(counter)
        assert record.replacement_trigger is None
    # pulumi-tls has no keepers: the key and the certificate carry exactly their own inputs
    inputs = {"gateway-tls-key": ["algorithm", "rsaBits"],
              "gateway-tls-cert": ["allowedUses", "earlyRenewalHours", "privateKeyPem", "subject", "validityPeriodHours"]}
    for name in TLS:
        record = _generated(sim, name)
        assert record.replacement_trigger == counter
        assert sorted(record.inputs) == inputs[name]
