"""Credential rotation: one counter, `credentialsRotation`, regenerates every credential the program
generates, and with it everything that consumes one.

pulumi-random and pulumi-tls generate a new value only when the resource is replaced. Each family
gets the counter its own way, and neither changes a resource's name (so no URN moves):

- pulumi-random resources take `keepers`, an input map whose every change replaces the resource.
  At 0 there are no keepers: the inputs stay those of stacks created before rotation existed, so
  they keep their credentials. Raising the counter sets or changes the map, and replaces.
- pulumi-tls resources have no keepers. They get the counter as Pulumi's `replacement_trigger`
  resource option (an engine that reports it, 3.231+; Python SDK 3.258+): a changed value replaces the resource. It is
  an option, not an input, and the engine treats a trigger that was absent before as no change, so
  the first deployment with the trigger set replaces nothing; every later change of the counter does.
  An engine without the option would silently skip the replacement, so a counter above 0 asks the
  engine first and stops with an error if it lacks it.

Whatever consumes a regenerated value (a Secret's data, a checksum on a pod template) sees the new
value and is updated or replaced by its own provider's rules; nothing else changes.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import proto
from pulumi.runtime.settings import monitor_supports_feature

#: The keepers key (and the config key) the counter travels under.
ROTATION_KEY = "credentialsRotation"
#: The first Pulumi CLI whose engine honours `replacement_trigger`.
MIN_CLI_FOR_TRIGGER = "3.231"


def keepers(rotation: int) -> dict[str, str] | None:
    """pulumi-random `keepers` for the counter: none at 0, `{credentialsRotation: "<n>"}` above."""
    return {ROTATION_KEY: str(rotation)} if rotation > 0 else None


def check_trigger_support(rotation: int, supported: bool) -> None:
    """Refuse a counter above 0 where the engine would ignore the replacement trigger."""
    if rotation > 0 and not supported:
        raise pulumi.RunError(
            f"{ROTATION_KEY}: {rotation} would not regenerate the TLS keys: this Pulumi CLI ignores the "
            f"replacement_trigger resource option; use the Pulumi CLI {MIN_CLI_FOR_TRIGGER} or newer"
        )


def replacement_options(rotation: int, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """`opts` plus the counter as replacement trigger, for generated resources without keepers (pulumi-tls)."""
    check_trigger_support(rotation, monitor_supports_feature(proto.resource_pb2.RESOURCE_MONITOR_FEATURE_REPLACEMENT_TRIGGER))
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(replacement_trigger=rotation))
