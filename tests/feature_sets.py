"""Feature sets the tests deploy or simulate."""

from __future__ import annotations

from components.features import FEATURES


def buildable_features() -> list[str]:
    """Every feature this version builds whose prerequisites it builds too, in lab order."""
    chosen: list[str] = []
    for feature in FEATURES:  # the table lists prerequisites before the features that need them
        if feature.available and all(need in chosen for need in feature.needs):
            chosen.append(feature.name)
    return chosen
