"""Each Kubernetes provider's identity is its cluster's name, so a kubeconfig that differs between
machines (CI, a laptop: the SDK fills an unset `kubeconfig` from $KUBECONFIG) never replaces it."""

from __future__ import annotations

import dataclasses

from tools.diff import plan
from tools.replacement import KUBERNETES_PROVIDER
from tools.simulate import Simulation


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
    def without_identifier(r: object) -> object:
        if r.type != KUBERNETES_PROVIDER:  # type: ignore[attr-defined]
            return r
        inputs = {k: v for k, v in r.inputs.items() if k != "clusterIdentifier"}  # type: ignore[attr-defined]
        return dataclasses.replace(r, inputs=inputs)  # type: ignore[type-var]

    before = dataclasses.replace(dev_sim, records=[without_identifier(r) for r in dev_sim.records])
    result = plan(before, dev_sim)
    assert {(s.action, s.label) for s in result.steps} == {
        ("update", "Provider mgmt"), ("update", "Provider cluster1"), ("update", "Provider cluster2")}
