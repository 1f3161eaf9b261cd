"""Each Kubernetes provider's identity is its cluster's name, so a kubeconfig that differs between
machines (CI, a laptop: the SDK fills an unset `kubeconfig` from $KUBECONFIG) never replaces it."""

from __future__ import annotations

import dataclasses

from offline.plan import plan
from offline.records import Simulation
from offline.replacement import KUBERNETES_PROVIDER
from tests.support.simulation import cached_plan, cached_simulation, dev_config


def without_provider_input(sim: Simulation, key: str) -> Simulation:
    """`sim` as a stack deployed before the program set `key` on its Kubernetes providers."""
    return dataclasses.replace(sim, records=[
        dataclasses.replace(r, inputs={k: v for k, v in r.inputs.items() if k != key})
        if r.type == KUBERNETES_PROVIDER else r for r in sim.records])

def test_every_kubernetes_provider_is_identified_by_its_cluster_name(dev_sim: Simulation) -> None:
    providers = [r for r in dev_sim.records if r.type == KUBERNETES_PROVIDER]
    assert {r.name for r in providers} == {"mgmt", "cluster1", "cluster2"}
    for p in providers:
        assert p.inputs.get("clusterIdentifier") == p.name


def test_adding_the_identifier_to_a_deployed_stack_updates_its_providers_and_replaces_nothing(
        dev_sim: Simulation) -> None:
    # Upstream fact (pulumi-kubernetes provider/pkg/provider/provider.go `DiffConfig`): a
    # `clusterIdentifier` replaces the provider only when it is `Updated` (set on both sides and
    # changed); adding it is a provider update, and with an unchanged kubeconfig nothing else replaces.
    result = plan(without_provider_input(dev_sim, "clusterIdentifier"), dev_sim)
    assert {(s.action, s.label) for s in result.steps} == {
        ("update", "Provider mgmt"), ("update", "Provider cluster1"), ("update", "Provider cluster2")}


def test_every_kubernetes_provider_upserts_existing_objects_by_default(dev_sim: Simulation) -> None:
    # Upstream fact (pulumi-kubernetes provider/pkg/await/await.go `Creation`): from 4.29 a create of an
    # object that exists fails unless the provider's `upsertExistingObjects` is on; the least-privilege
    # RBAC render pre-creates the stack's namespaces, so the first `pulumi up` must adopt them.
    # The SDK sends a provider's non-string inputs as JSON strings, as the provider reads its config
    # (pulumi-kubernetes sdk/python/pulumi_kubernetes/provider.py: `.apply(pulumi.runtime.to_json)`).
    providers = [r for r in dev_sim.records if r.type == KUBERNETES_PROVIDER]
    assert {r.name: r.inputs.get("upsertExistingObjects") for r in providers} == {
        "mgmt": "true", "cluster1": "true", "cluster2": "true"}


def test_upsert_turned_off_reaches_every_provider_and_updates_them_in_place() -> None:
    # Upstream fact (provider/pkg/provider/provider.go `DiffConfig`): with the same `clusterIdentifier`
    # on both sides no other provider input replaces the provider.
    result = cached_plan(dev_config(), dev_config(upsertExistingObjects=False))
    assert {(s.action, s.label) for s in result.steps} == {
        ("update", "Provider mgmt"), ("update", "Provider cluster1"), ("update", "Provider cluster2")}
    after = cached_simulation(dev_config(upsertExistingObjects=False))
    assert {r.inputs.get("upsertExistingObjects") for r in after.records if r.type == KUBERNETES_PROVIDER} == {
        "false"}


def test_a_deployed_stack_that_predates_upsert_only_updates_its_providers(dev_sim: Simulation) -> None:
    before = without_provider_input(dev_sim, "upsertExistingObjects")
    assert {(s.action, s.label) for s in plan(before, dev_sim).steps} == {
        ("update", "Provider mgmt"), ("update", "Provider cluster1"), ("update", "Provider cluster2")}


def test_the_sdk_lower_bound_is_the_first_release_with_the_upsert_input() -> None:
    # pulumi-kubernetes v4.29.0 added `upsertExistingObjects` (provider/pkg/gen/schema.go) in the release
    # whose await.go `Creation` refuses an existing object without it; the SDK before it has no such argument.
    import inspect

    import pulumi_kubernetes as k8s

    from offline import ROOT

    assert "upsert_existing_objects" in inspect.signature(k8s.ProviderArgs.__init__).parameters
    assert "pulumi-kubernetes>=4.29,<5" in (ROOT / "requirements.txt").read_text().splitlines()
