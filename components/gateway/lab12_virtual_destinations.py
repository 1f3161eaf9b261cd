"""Lab 12: virtual destinations (feature `virtual-destinations`) and failover (`failover`).

`VirtualDestinations` declares VirtualDestination `productpage` (`productpage.global`, the productpage
Services of every cluster). With the feature on, `plan` also drops the cluster from the
VirtualGateway's selector (every workload cluster's ingress gateway serves the routes, as lab 12
leaves it) and points the productpage route at the VirtualDestination.

`Failover` declares FailoverPolicy `failover` and OutlierDetectionPolicy `outlier-detection`, which
select virtual destinations labelled `failover: "true"`; `plan` puts that label on the
VirtualDestination when the feature is on. The workshop then scales productpage-v1 to 0 and patches
it to `sleep 20h` to show the failover, and undoes both: demonstrations, not state, so not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds, shapes
from components.core.config import Settings
from components.core.constants import BOOKINFO_FRONTENDS_NS
from components.core.target import Target

VIRTUAL_DESTINATION_KIND = "VIRTUAL_DESTINATION"
OUTLIER_DETECTION = {"consecutiveErrors": 2, "interval": "5s", "baseEjectionTime": "30s", "maxEjectionPercent": 100}


def _failover_destinations() -> list[dict[str, Any]]:
    return [{"kind": VIRTUAL_DESTINATION_KIND, "selector": {"labels": dict(shapes.FAILOVER_DESTINATION_LABEL)}}]


def failover_policy() -> dict[str, Any]:
    return crds.FailoverPolicy.manifest("failover", BOOKINFO_FRONTENDS_NS, {
        "applyToDestinations": _failover_destinations(),
        "config": {"localityMappings": []},
    })


def outlier_detection_policy() -> dict[str, Any]:
    return crds.OutlierDetectionPolicy.manifest("outlier-detection", BOOKINFO_FRONTENDS_NS, {
        "applyToDestinations": _failover_destinations(),
        "config": dict(OUTLIER_DETECTION),
    })


@dataclass(frozen=True)
class VirtualDestinationsArgs:
    settings: Settings
    #: The config cluster.
    target: Target


class VirtualDestinations(pulumi.ComponentResource):
    #: VirtualDestination `productpage` (host `productpage.global`).
    productpage: crds.CustomResourceKind

    def __init__(self, name: str, args: VirtualDestinationsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:routing:VirtualDestinations", name, None, opts)
        manifest = shapes.virtual_destination(args.settings)
        if manifest is None:
            raise ValueError("VirtualDestinations needs the virtual-destinations feature")
        self.productpage = args.target.emit(self, manifest)
        self.register_outputs({})


@dataclass(frozen=True)
class FailoverArgs:
    settings: Settings
    #: The config cluster.
    target: Target


class Failover(pulumi.ComponentResource):
    def __init__(self, name: str, args: FailoverArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:routing:Failover", name, None, opts)
        for manifest in (failover_policy(), outlier_detection_policy()):
            args.target.emit(self, manifest)
        self.register_outputs({})
