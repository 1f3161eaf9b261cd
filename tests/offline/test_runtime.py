"""The simulation of a changed stack against the simulation before the change (`previous`)."""

from __future__ import annotations

from offline.records import Record, Simulation, reveal
from offline.runtime import simulate
from tests.support.simulation import cached_simulation, dev_config


def _by_name(sim: Simulation) -> dict[str, Record]:
    return {r.name: r for r in sim.records}


def test_a_first_simulation_gives_the_first_generation() -> None:
    sim = cached_simulation(dev_config())
    assert {r.generation for r in sim.records} == {0}


def test_a_replaced_generated_value_gets_a_new_stand_in_and_its_consumers_see_it() -> None:
    before = cached_simulation(dev_config())
    after = simulate(dev_config(credentialsRotation=1), previous=before)
    old, new = _by_name(before), _by_name(after)
    for name in ("keycloak-admin-password", "gateway-tls-key", "gateway-tls-cert"):
        assert new[name].generation == 1, name
    realm = "mgmt/keycloak/keycloak-realm"
    assert reveal(new[realm].inputs["data"]) != reveal(old[realm].inputs["data"])
    tls = "cluster1/istio-gateways/tls-secret"
    assert reveal(new[tls].inputs["stringData"]) != reveal(old[tls].inputs["stringData"])


def test_a_change_that_replaces_nothing_generated_keeps_every_value() -> None:
    before = cached_simulation(dev_config())
    after = simulate(dev_config(externalServiceWeight=50), previous=before)
    old = _by_name(before)
    for record in after.records:
        assert record.generation == 0
        if record.name.startswith(("keycloak-", "gateway-tls-")) or record.type.endswith(":Secret"):
            assert reveal(record.inputs) == reveal(old[record.name].inputs), record.name


def test_the_tests_memo_hands_out_copies_and_evaluates_anew_when_disabled() -> None:
    from offline import runtime
    from tests.support import memo

    config = {"licenseKey": "memo-test", "workloadClusters": ["cluster1"]}
    first, second = runtime.simulate(config), runtime.simulate(config)
    assert first == second and first is not second and first.records[0] is not second.records[0]
    first.records.clear()  # a caller that mutates its copy changes no other caller's
    assert runtime.simulate(config).records == second.records
    with memo.disabled():
        fresh = runtime.simulate(config)
    assert sorted(r.urn for r in fresh.records) == sorted(r.urn for r in second.records)
