"""What each local topology is: its kind clusters, their kube contexts, and the stack file that uses them.

Pure data. kind names a cluster's kube context `kind-<name>` and removes it again on
`kind delete cluster`, so the stack files name those contexts as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The kind release the node image below was built for (its release notes list the image by digest).
KIND_VERSION = "v0.23.0"
#: Kubernetes 1.26 (Istio 1.17 supports 1.23-1.26), pinned by digest as kind's release notes require:
#: the bare tag may resolve to a rebuild for another kind release.
NODE_IMAGE = "kindest/node:v1.26.15@sha256:84333e26cae1d70361bb7339efb568df1871419f2019c80f9a12b7e2d485fe19"
#: How long `kind create cluster` waits for the control plane to be ready.
CREATE_WAIT = "120s"
#: The cloud-provider-kind release the e2e workflow installs; newer ones need flags (see plan.py).
CLOUD_PROVIDER_KIND_VERSION = "v0.8.0"

PROJECT = "gloo-mesh-workshop"
#: Every feature of the workshop, in the order of the feature table (tests compare it with it).
ALL_FEATURES = (
    "gateway", "gateway-tls", "traffic-policies", "root-trust", "virtual-destinations", "failover",
    "zero-trust", "httpbin-workspace", "external-service", "keycloak", "oauth", "opa", "jwt",
    "transformation", "rate-limit", "waf",
)

GIB = 1024 ** 3


def context_of(cluster: str) -> str:
    """The kube context kind writes for a cluster."""
    return f"kind-{cluster}"


@dataclass(frozen=True)
class KindCluster:
    name: str
    #: Memory the cluster is expected to use once the workshop runs on it (an estimate, see README).
    memory_bytes: int

    @property
    def context(self) -> str:
        return context_of(self.name)


@dataclass(frozen=True)
class Topology:
    name: str
    clusters: tuple[KindCluster, ...]
    mgmt: str
    workloads: tuple[str, ...]
    stack_file: str
    story: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.clusters)

    @property
    def memory_bytes(self) -> int:
        return sum(c.memory_bytes for c in self.clusters)

    def stack_file_text(self) -> str:
        """The stack file `up` writes, byte for byte the committed one."""
        key = f"  {PROJECT}:"
        lines = [f"# {line}" if line else "#" for line in self.story]
        lines += [
            f"# The license is not here: `pulumi config set --secret licenseKey --config-file {self.stack_file} "
            "< license.txt`.",
            "config:",
            f"{key}platform: kubernetes",
            f"{key}mgmtCluster: {self.mgmt}",
            f"{key}mgmtContext: {context_of(self.mgmt)}",
            f"{key}workloadClusters:",
            *[f"    - {name}" for name in self.workloads],
            f"{key}workloadContexts:",
            *[f"    - {context_of(name)}" for name in self.workloads],
            f"{key}features:",
            *[f"    - {feature}" for feature in ALL_FEATURES],
            f"{key}externalServiceWeight: 0",
            f"{key}autoRestartPods: true",
        ]
        return "\n".join(lines) + "\n"


# Estimates per cluster (see README "Try it locally"): a kind node's control plane ~0.7 GiB; the
# management plane (Gloo server, UI, Redis, Prometheus) with Keycloak ~1.6 GiB; per workload
# cluster Istio with two gateways, the agent and addons ~0.9 GiB, bookinfo and httpbin with
# their sidecars ~0.9 GiB.
THREE = Topology(
    name="three",
    clusters=(KindCluster("mgmt", int(2.5 * GIB)), KindCluster("cluster1", int(2.5 * GIB)),
              KindCluster("cluster2", int(2.5 * GIB))),
    mgmt="mgmt",
    workloads=("cluster1", "cluster2"),
    stack_file="stacks/local.yaml",
    story=(
        "The whole workshop on three local kind clusters, as `python3 -m tools local up` creates them:",
        "mgmt, cluster1 and cluster2, reached through kind's contexts kind-mgmt, kind-cluster1 and",
        "kind-cluster2; LoadBalancer Services get addresses from cloud-provider-kind. `up` writes this",
        "file exactly like this.",
    ),
)
SINGLE = Topology(
    name="single",
    clusters=(KindCluster("cluster1", int(4.5 * GIB)),),
    mgmt="cluster1",
    workloads=("cluster1",),
    stack_file="stacks/local-single.yaml",
    story=(
        "The whole workshop on one local kind cluster, as `python3 -m tools local up --topology single`",
        "creates it: cluster1 (context kind-cluster1) is the management cluster and the only workload",
        "cluster, like the workshop's MGMT=cluster1 case; LoadBalancer Services get addresses from",
        "cloud-provider-kind. `up` writes this file exactly like this.",
    ),
)
TOPOLOGIES: dict[str, Topology] = {t.name: t for t in (THREE, SINGLE)}
DEFAULT_TOPOLOGY = THREE.name
