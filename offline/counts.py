"""One way to count a stack's resources, so every tool and page gives the same numbers and says what they count.

A stack evaluated under the mock runtime (`offline.runtime`) registers:

- **resources**: what `pulumi up` creates and the render writes, in three kinds: Kubernetes objects
  (`<cluster>.yaml`), Helm releases (`<cluster>.helm-releases.yaml`) and what the program generates
  itself (passwords, keys, certificates: `generated.yaml`);
- **providers**: one Kubernetes provider per cluster; `pulumi up` manages them too, so a change
  plan's counts (`tools.diff`: create + update + replace + unchanged) are resources + providers;
- **reads**: objects the charts create that the program reads back (`get`), which `pulumi up`
  neither creates nor deletes; the benchmarks time them with the resources (resources + reads).

Components (the labs' grouping) are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.core.constants import HELM_RELEASE
from offline.records import Simulation

PROVIDER_PREFIX = "pulumi:providers:"


@dataclass(frozen=True)
class Counts:
    kubernetes: int
    helm_releases: int
    generated: int
    providers: int
    reads: int

    @property
    def resources(self) -> int:
        return self.kubernetes + self.helm_releases + self.generated

    @property
    def managed(self) -> int:
        """What a change plan counts: the resources and the providers."""
        return self.resources + self.providers

    def resources_line(self) -> str:
        """`137 resources (126 Kubernetes objects, 5 Helm releases, 6 generated)`."""
        return (f"{self.resources} resources ({self.kubernetes} Kubernetes objects, {self.helm_releases} Helm "
                f"releases, {self.generated} generated)")

    def line(self) -> str:
        """The resources, then what else the stack registers, each named."""
        return f"{self.resources_line()}, plus {self.providers} providers and {self.reads} reads"


def count(sim: Simulation) -> Counts:
    custom = [r for r in sim.records if r.custom]
    providers = [r for r in custom if r.type.startswith(PROVIDER_PREFIX)]
    reads = [r for r in custom if r.read and not r.type.startswith(PROVIDER_PREFIX)]
    resources = [r for r in custom if not r.read and not r.type.startswith(PROVIDER_PREFIX)]
    helm = sum(1 for r in resources if r.type == HELM_RELEASE)
    kubernetes = sum(1 for r in resources if r.type.startswith("kubernetes:") and r.type != HELM_RELEASE)
    return Counts(kubernetes=kubernetes, helm_releases=helm, generated=len(resources) - helm - kubernetes,
                  providers=len(providers), reads=len(reads))

