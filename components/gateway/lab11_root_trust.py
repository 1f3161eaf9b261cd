"""Lab 11: one root of trust for every cluster (feature `root-trust`).

RootTrustPolicy `root-trust-policy` on the management cluster: the management server generates a
root CA and an intermediate per cluster (Secret `cacerts` in istio-system), so both clusters' chains
end in `O = gloo-mesh`. `autoRestartPods` comes from the config key of that name: the workshop sets
it true, and then restarts `deploy/in-mesh` by hand because that workload is in no workspace yet.
This program does not model the manual restart (a one-off command, not state); with
autoRestartPods the policy restarts the mesh's pods itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.core import crds
from components.core.config import Settings
from components.core.constants import GLOO_MESH_NS
from components.core.target import Target

ROOT_TRUST_POLICY = "root-trust-policy"


def root_trust_policy(auto_restart_pods: bool) -> dict[str, Any]:
    return crds.RootTrustPolicy.manifest(ROOT_TRUST_POLICY, GLOO_MESH_NS, {
        "config": {"mgmtServerCa": {"generated": {}}, "autoRestartPods": auto_restart_pods},
    })


@dataclass(frozen=True)
class RootTrustArgs:
    settings: Settings
    #: The management cluster (CRDs from the enterprise chart).
    target: Target


class RootTrust(pulumi.ComponentResource):
    #: RootTrustPolicy `root-trust-policy` on the management cluster.
    policy: crds.CustomResourceKind

    def __init__(self, name: str, args: RootTrustArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:trust:RootTrust", name, None, opts)
        self.policy = args.target.emit(self, root_trust_policy(args.settings.auto_restart_pods))
        self.register_outputs({})
