"""One Kubernetes cluster as this program sees it: its provider and the namespaces declared on it.

When the management cluster is also a workload cluster both roles share one `Cluster`, so a
namespace both roles need (`gloo-mesh`) is declared once.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from . import crds
from .constants import ANYUID_SCC_CLUSTER_ROLE, ISTIO_CNI_ATTACHMENT, SCC_BINDING_PREFIX


class Cluster:
    def __init__(self, name: str, context: str, kubeconfig: str | None, openshift: bool,
                 upsert_existing_objects: bool = True) -> None:
        self.name = name
        self.openshift = openshift
        # Secrets update in place (pulumi-kubernetes otherwise replaces one whose data changes, deleting
        # it first): a rotated credential then reaches the gateways and ext-auth, which watch their
        # Secrets, without a moment where the Secret is gone. Pods that read a Secret only at start
        # roll by a checksum on their template (Keycloak). The cluster's name is the provider's
        # identity: only a new name replaces the provider (and everything on the cluster), not a
        # kubeconfig that differs between machines (the SDK fills an unset one from $KUBECONFIG).
        # Upsert (config `upsertExistingObjects`, on by default) lets the first `pulumi up` adopt the
        # namespaces the least-privilege RBAC render pre-creates: pulumi-kubernetes 4.29 and later
        # refuse to create an object that exists otherwise (provider/pkg/await/await.go). The input
        # takes precedence over PULUMI_K8S_UPSERT_EXISTING_OBJECTS (provider/pkg/provider/provider.go).
        self.provider = k8s.Provider(
            name,
            cluster_identifier=name,
            context=context,
            kubeconfig=kubeconfig,
            enable_server_side_apply=True,
            enable_secret_mutable=True,
            upsert_existing_objects=upsert_existing_objects,
        )
        self._namespaces: dict[str, tuple[k8s.core.v1.Namespace, dict[str, str]]] = {}
        self._ready: dict[str, list[pulumi.Resource]] = {}

    def opts(self, parent: pulumi.Resource, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, depends_on=depends_on or [])

    def resource_name(self, name: str, namespace: str | None = None) -> str:
        """Logical names carry the cluster (and namespace) so the same object on two clusters never collides."""
        return f"{self.name}/{namespace}/{name}" if namespace else f"{self.name}/{name}"

    def namespace(
        self,
        name: str,
        parent: pulumi.Resource,
        labels: Mapping[str, str] | None = None,
        istio_workloads: bool = False,
    ) -> k8s.core.v1.Namespace:
        """Declare a namespace once per cluster; on OpenShift give it what its pods need.

        `istio_workloads` marks a namespace with Istio-managed pods (sidecars or gateways): on OpenShift
        they run as any UID (the SCC grant) and attach the istio-cni network, as the workshop sets up.
        """
        wanted = dict(labels or {})
        if name in self._namespaces:
            existing, existing_labels = self._namespaces[name]
            if existing_labels != wanted:
                raise ValueError(
                    f"namespace {name!r} on cluster {self.name!r} is declared twice with different labels: "
                    f"{existing_labels} and {wanted}"
                )
            return existing
        ns = k8s.core.v1.Namespace(
            self.resource_name(name),
            metadata={"name": name, "labels": wanted} if wanted else {"name": name},
            opts=self.opts(parent),
        )
        self._namespaces[name] = (ns, wanted)
        ready: list[pulumi.Resource] = [ns]
        if self.openshift and istio_workloads:
            ready.append(self.grant_anyuid(name, parent, ns))
            ready.append(crds.emit(
                self.resource_name(ISTIO_CNI_ATTACHMENT, name),
                crds.NetworkAttachmentDefinition.manifest(ISTIO_CNI_ATTACHMENT, name, None),
                self.opts(parent, [ns]),
            ))
        self._ready[name] = ready
        return ns

    def declares(self, name: str) -> bool:
        """Whether this program declares namespace `name` on this cluster (so objects in it can wait for it)."""
        return name in self._ready

    def namespace_ready(self, name: str) -> list[pulumi.Resource]:
        """What a workload in a declared namespace waits for: the namespace and, on OpenShift, its grants."""
        return list(self._ready[name])

    def grant_anyuid(
        self, namespace: str, parent: pulumi.Resource, depends_on: pulumi.Resource | None
    ) -> k8s.rbac.v1.ClusterRoleBinding:
        """`oc adm policy add-scc-to-group anyuid system:serviceaccounts:<namespace>`.

        Like `oc`, this binds cluster-wide (a ClusterRoleBinding), so it also works for the namespaces
        the lifecycle manager creates later (istio-system, gm-iop-<revision>), before they exist.
        """
        return k8s.rbac.v1.ClusterRoleBinding(
            self.resource_name(f"scc-anyuid-{namespace}"),
            metadata={"name": f"{SCC_BINDING_PREFIX}{namespace}"},
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ANYUID_SCC_CLUSTER_ROLE},
            subjects=[{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                       "name": f"system:serviceaccounts:{namespace}"}],
            opts=self.opts(parent, [depends_on] if depends_on else None),
        )
