"""The stack configs the benchmarks (and the critical-path tests) evaluate."""

from __future__ import annotations

from typing import Any

from components.core.config import RELAY_TRUST_GENERATED, RELAY_TRUST_MANAGED, REVIEWS_VERSIONS
from components.core.features import FEATURES
from offline import ROOT
from offline.stack_files import stack_config, with_fake_license


def available_features() -> list[str]:
    """Every feature this version can switch on: the whole workshop."""
    return [f.name for f in FEATURES if f.available]


def dev_config() -> dict[str, Any]:
    """Pulumi.dev.yaml as committed, with a fake license."""
    config, _ = with_fake_license(stack_config(ROOT / "Pulumi.dev.yaml"))
    return config


def managed_dev_config() -> dict[str, Any]:
    """The dev stack with the program's own relay PKI (`relayTrust: managed`)."""
    return {**dev_config(), "relayTrust": RELAY_TRUST_MANAGED}


def workshop_config(clusters: int, relay_trust: str = RELAY_TRUST_GENERATED) -> dict[str, Any]:
    """The dev stack with `clusters` workload clusters (cluster1..N, the workshop's reviews versions:
    v1+v2 on the first, v1+v2+v3 on the others) and every available feature on; `relay_trust` as the
    config key `relayTrust` (the dev stack's default unless given)."""
    names = [f"cluster{i}" for i in range(1, clusters + 1)]
    reviews = [list(REVIEWS_VERSIONS[:2]) if i == 0 else list(REVIEWS_VERSIONS) for i in range(clusters)]
    config = {**dev_config(), "workloadClusters": names, "workloadContexts": names, "reviewsVersions": reviews,
              "features": available_features()}
    if relay_trust != RELAY_TRUST_GENERATED:
        config["relayTrust"] = relay_trust
    return config
