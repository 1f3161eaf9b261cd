"""Least-privilege RBAC per cluster: every object a stack declares, reads or has Helm install is
allowed, and nothing beyond them is."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from offline import ROOT, rbac, rbac_header
from offline.records import Simulation
from tests.support.simulation import LICENSE, cached_simulation, dev_config

# Group, resource (plural) and scope of every kind the stacks declare, read or watch: API facts,
# written out here so the test does not take them from the code it checks.
KINDS: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("", "namespaces", False),
    "Secret": ("", "secrets", True),
    "Service": ("", "services", True),
    "ServiceAccount": ("", "serviceaccounts", True),
    "ConfigMap": ("", "configmaps", True),
    "Endpoints": ("", "endpoints", True),
    "Pod": ("", "pods", True),
    "PersistentVolumeClaim": ("", "persistentvolumeclaims", True),
    "Deployment": ("apps", "deployments", True),
    "DaemonSet": ("apps", "daemonsets", True),
    "ReplicaSet": ("apps", "replicasets", True),
    "ClusterRole": ("rbac.authorization.k8s.io", "clusterroles", False),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io", "clusterrolebindings", False),
    "Role": ("rbac.authorization.k8s.io", "roles", True),
    "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings", True),
    "CustomResourceDefinition": ("apiextensions.k8s.io", "customresourcedefinitions", False),
    "NetworkAttachmentDefinition": ("k8s.cni.cncf.io", "network-attachment-definitions", True),
    "KubernetesCluster": ("admin.gloo.solo.io", "kubernetesclusters", True),
    "Workspace": ("admin.gloo.solo.io", "workspaces", True),
    "WorkspaceSettings": ("admin.gloo.solo.io", "workspacesettings", True),
    "IstioLifecycleManager": ("admin.gloo.solo.io", "istiolifecyclemanagers", True),
    "GatewayLifecycleManager": ("admin.gloo.solo.io", "gatewaylifecyclemanagers", True),
    "RootTrustPolicy": ("admin.gloo.solo.io", "roottrustpolicies", True),
    "ExtAuthServer": ("admin.gloo.solo.io", "extauthservers", True),
    "RateLimitServerSettings": ("admin.gloo.solo.io", "ratelimitserversettings", True),
    "RateLimitServerConfig": ("admin.gloo.solo.io", "ratelimitserverconfigs", True),
    "VirtualGateway": ("networking.gloo.solo.io", "virtualgateways", True),
    "RouteTable": ("networking.gloo.solo.io", "routetables", True),
    "VirtualDestination": ("networking.gloo.solo.io", "virtualdestinations", True),
    "ExternalService": ("networking.gloo.solo.io", "externalservices", True),
    "ExternalEndpoint": ("networking.gloo.solo.io", "externalendpoints", True),
    "FaultInjectionPolicy": ("resilience.policy.gloo.solo.io", "faultinjectionpolicies", True),
    "RetryTimeoutPolicy": ("resilience.policy.gloo.solo.io", "retrytimeoutpolicies", True),
    "FailoverPolicy": ("resilience.policy.gloo.solo.io", "failoverpolicies", True),
    "OutlierDetectionPolicy": ("resilience.policy.gloo.solo.io", "outlierdetectionpolicies", True),
    "AccessPolicy": ("security.policy.gloo.solo.io", "accesspolicies", True),
    "ExtAuthPolicy": ("security.policy.gloo.solo.io", "extauthpolicies", True),
    "JWTPolicy": ("security.policy.gloo.solo.io", "jwtpolicies", True),
    "WAFPolicy": ("security.policy.gloo.solo.io", "wafpolicies", True),
    "RateLimitClientConfig": ("trafficcontrol.policy.gloo.solo.io", "ratelimitclientconfigs", True),
    "RateLimitPolicy": ("trafficcontrol.policy.gloo.solo.io", "ratelimitpolicies", True),
    "TransformationPolicy": ("trafficcontrol.policy.gloo.solo.io", "transformationpolicies", True),
}
ALL_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
BY_NAME = ("delete", "get", "patch", "update")
# pulumi-kubernetes' awaiters: a Deployment waits watching ReplicaSets, Pods and claims, a Service its Endpoints.
WATCHED = {"Deployment": ("ReplicaSet", "Pod", "PersistentVolumeClaim"), "Service": ("Endpoints",)}

STACKS: dict[str, dict[str, Any]] = {
    "dev": dev_config(),
    "dev-managed": dev_config(relayTrust="managed"),
    "kubernetes": {"licenseKey": LICENSE, "platform": "kubernetes"},
    "mgmt-is-workload-managed": {"licenseKey": LICENSE, "mgmtCluster": "cluster1", "relayTrust": "managed"},
}

Permission = tuple[str | None, str, str, str, str | None]  # namespace, group, resource, verb, name


def granted(docs: list[dict[str, Any]]) -> set[Permission]:
    """Every (namespace, group, resource, verb, name) the documents grant the deployer: the ClusterRole's
    rules cluster-wide (namespace None), each Role's in its namespace."""
    found: set[Permission] = set()
    for doc in docs:
        if doc["kind"] not in ("ClusterRole", "Role"):
            continue
        namespace = doc["metadata"].get("namespace")
        for rule in doc["rules"]:
            names = rule.get("resourceNames") or [None]
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    for verb in rule["verbs"]:
                        found.update((namespace, group, resource, verb, name) for name in names)
    return found


def allows(permissions: set[Permission], namespace: str | None, group: str, resource: str, verb: str,
           name: str | None) -> bool:
    scopes = {None} if namespace is None else {None, namespace}
    return any((scope, group, resource, verb, n) in permissions for scope in scopes for n in {None, name})


def kind_of(kind: str, namespace: str | None) -> tuple[str | None, str, str]:
    group, resource, namespaced = KINDS[kind]
    return (namespace if namespaced else None), group, resource


RBAC_KINDS = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")


def expected(sim: Simulation, cluster: str, preinstalled: bool = False) -> set[Permission]:
    """What the stack needs on `cluster`, added up from its records: declared objects (every verb, the
    by-name ones on their names), what their awaits watch, the roles their bindings reference, reads
    (get by name), and per Helm release its records and the kinds its chart templates (the stated
    table; CustomResourceDefinitions only created and read, roles also escalated and bound). With the
    charts' RBAC pre-installed by an admin, Helm only reads (and adopts) the chart's RBAC kinds."""
    found: set[Permission] = set()
    for record in sim.records:
        if record.cluster != cluster or not record.custom or record.type.startswith("pulumi:providers:"):
            continue
        if record.type == "kubernetes:helm.sh/v3:Release":
            namespace = record.inputs["namespace"]
            found.update((namespace, "", "secrets", v, None) for v in ("create", "delete", "get", "list", "update"))
            for kind in rbac.CHART_OBJECTS[record.inputs["name"]].kinds:
                scope, group, resource = kind_of(kind, namespace)
                verbs = ("create", "get", "list", "watch") if kind == "CustomResourceDefinition" else ALL_VERBS
                if preinstalled and kind in RBAC_KINDS:
                    verbs = ("get", "list", "watch")
                elif kind in ("ClusterRole", "Role"):
                    verbs += ("bind", "escalate")
                found.update((scope, group, resource, v, None) for v in verbs)
                for watched in WATCHED.get(kind, ()):
                    found.update((namespace, *KINDS[watched][:2], v, None) for v in ("get", "list", "watch"))
        elif record.read:
            scope, group, resource = kind_of(record.kind, record.namespace)
            found.add((scope, group, resource, "get", record.k8s_name))
        else:
            scope, group, resource = kind_of(record.kind, record.namespace)
            found.update((scope, group, resource, v, record.k8s_name if v in BY_NAME else None) for v in ALL_VERBS)
            for watched in WATCHED.get(record.kind, ()):
                found.update((record.namespace, *KINDS[watched][:2], v, None) for v in ("get", "list", "watch"))
            if record.kind == "ClusterRoleBinding":
                role = record.inputs["roleRef"]
                found.add((None, *KINDS[role["kind"]][:2], "bind", role["name"]))
    # A permission on any name covers the same permission on one name.
    return {p for p in found if p[4] is None or (*p[:4], None) not in found}


def clusters_of(sim: Simulation) -> list[str]:
    return sorted({r.cluster for r in sim.records if r.cluster and r.type.startswith("kubernetes:")
                   and r.type != "pulumi:providers:kubernetes"})


@pytest.fixture(scope="module", params=sorted(STACKS))
def stack(request: pytest.FixtureRequest) -> tuple[str, Simulation]:
    return request.param, cached_simulation(STACKS[request.param])


#: Both renders: the charts' RBAC created by the deploy identity (the default), or pre-installed by an admin.
MODES = pytest.mark.parametrize("preinstalled", [False, True], ids=["charts-rbac-by-deployer", "charts-rbac-preinstalled"])


# The stacks -------------------------------------------------------------------------------------
@MODES
def test_every_object_the_stack_declares_or_reads_is_allowed(stack: tuple[str, Simulation], preinstalled: bool) -> None:
    _, sim = stack
    for cluster in clusters_of(sim):
        permissions = granted(rbac.documents(sim, cluster, charts_rbac_preinstalled=preinstalled))
        for record in sim.records:
            if record.cluster != cluster or not record.custom or record.type == "kubernetes:helm.sh/v3:Release" \
                    or record.type.startswith("pulumi:providers:"):
                continue
            scope, group, resource = kind_of(record.kind, record.namespace)
            verbs = ("get",) if record.read else ALL_VERBS
            for verb in verbs:
                assert allows(permissions, scope, group, resource, verb, record.k8s_name), (
                    cluster, record.kind, record.namespace, record.k8s_name, verb)


@MODES
def test_the_grant_adds_up_to_exactly_what_the_stack_needs(stack: tuple[str, Simulation], preinstalled: bool) -> None:
    _, sim = stack
    for cluster in clusters_of(sim):
        assert granted(rbac.documents(sim, cluster, charts_rbac_preinstalled=preinstalled)) == \
            expected(sim, cluster, preinstalled), cluster


@MODES
def test_every_helm_release_can_write_its_records_and_its_charts_objects(stack: tuple[str, Simulation],
                                                                        preinstalled: bool) -> None:
    _, sim = stack
    for release in sim.select("kubernetes:helm.sh/v3:Release"):
        permissions = granted(rbac.documents(sim, release.cluster, charts_rbac_preinstalled=preinstalled))
        namespace = release.inputs["namespace"]
        for verb in ("create", "get", "list", "update", "delete"):
            assert allows(permissions, namespace, "", "secrets", verb, f"sh.helm.release.v1.{release.inputs['name']}.v1")
        assert allows(permissions, None, "apiextensions.k8s.io", "customresourcedefinitions", "create", None)
        assert allows(permissions, namespace, "apps", "deployments", "patch", "any-chart-deployment")
        # Helm looks up each object it would create: pre-installed RBAC is read, then adopted.
        assert allows(permissions, None, "rbac.authorization.k8s.io", "clusterroles", "get", "any-chart-role")
        assert allows(permissions, namespace, "rbac.authorization.k8s.io", "rolebindings", "get", "any-chart-binding")


# Cluster-admin-equivalent, and the reduction (docs/security.md) -----------------------------------
def _rules(docs: list[dict[str, Any]]) -> list[tuple[str | None, str, dict[str, Any]]]:
    """(namespace, kind, rule) of every rule of the ClusterRole and the Roles."""
    return [(d["metadata"].get("namespace"), d["kind"], rule) for d in docs if d["kind"] in ("ClusterRole", "Role")
            for rule in d["rules"]]


def _charted(sim: Simulation) -> list[str]:
    return sorted({r.cluster for r in sim.select("kubernetes:helm.sh/v3:Release") if r.cluster})


def test_the_default_identity_can_grant_itself_anything_and_its_header_says_cluster_admin_equivalent(
        stack: tuple[str, Simulation]) -> None:
    _, sim = stack
    assert _charted(sim)
    for cluster in clusters_of(sim):
        docs = rbac.documents(sim, cluster)
        any_clusterrole = [rule["verbs"] for ns, _, rule in _rules(docs) if ns is None
                           and rule["resources"] == ["clusterroles"] and "resourceNames" not in rule]
        header = rbac_header.header(sim, cluster, "s")
        if cluster in _charted(sim):
            assert any_clusterrole and {"escalate", "bind"} <= set(any_clusterrole[0]), cluster
            assert f"This identity is cluster-admin-equivalent on `{cluster}`" in header, cluster
            assert "--charts-rbac-preinstalled" in header
        else:
            assert "cluster-admin-equivalent" not in header, cluster


def test_with_the_charts_rbac_preinstalled_no_rule_escalates_or_binds_any_role(stack: tuple[str, Simulation]) -> None:
    label, sim = stack
    for cluster in clusters_of(sim):
        docs = rbac.documents(sim, cluster, charts_rbac_preinstalled=True)
        declared = [r for r in sim.select("ClusterRoleBinding", cluster=cluster) if not r.read]
        referenced = sorted({r.inputs["roleRef"]["name"] for r in declared})
        for namespace, kind, rule in _rules(docs):
            assert "escalate" not in rule["verbs"], (cluster, namespace, rule)
            if "bind" in rule["verbs"]:  # only on the roles the stack's own bindings name
                assert (kind, rule["resources"], rule.get("resourceNames")) == ("ClusterRole", ["clusterroles"],
                                                                                 referenced), (cluster, rule)
            if "clusterrolebindings" in rule["resources"] and "create" in rule["verbs"]:
                assert declared, (cluster, rule)  # the stack's own ClusterRoleBinding (OpenShift's SCC)
        assert not rbac_header.cluster_admin_equivalent(rbac.rules(rbac.needs(sim.records, cluster, True)))
        header = rbac_header.header(sim, cluster, "s", charts_rbac_preinstalled=True)
        assert "cluster-admin-equivalent" not in header
        if cluster in _charted(sim):
            assert f"  sh rbac-{cluster}-charts.sh <{cluster}>" in header and "no `escalate`" in header
    if STACKS[label].get("platform") == "kubernetes":  # no binding of its own: no bind, no binding created
        for cluster in clusters_of(sim):
            for _, _, rule in _rules(rbac.documents(sim, cluster, charts_rbac_preinstalled=True)):
                assert "bind" not in rule["verbs"]
                assert not ("clusterrolebindings" in rule["resources"] and "create" in rule["verbs"])


def test_the_preinstalled_openshift_identity_binds_only_the_scc_role_its_stack_binds() -> None:
    sim = cached_simulation(STACKS["dev"])
    binds = [rule for _, _, rule in _rules(rbac.documents(sim, "cluster1", charts_rbac_preinstalled=True))
             if "bind" in rule["verbs"]]
    assert binds == [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                      "resourceNames": ["system:openshift:scc:anyuid"], "verbs": ["bind"]}]
    header = rbac_header.header(sim, "cluster1", "dev", charts_rbac_preinstalled=True)
    assert "no `escalate`, `bind` only on system:openshift:scc:anyuid (the stack's own bindings)." in header


def test_the_header_names_each_namespace_whose_secrets_the_identity_can_all_read() -> None:
    sim = cached_simulation(STACKS["dev"])
    header = rbac_header.header(sim, "cluster1", "dev")
    assert "# It can read every Secret in these namespaces (`list`/`watch` on Secrets of any name):\n" \
           "#   gloo-mesh: Helm's release records and the charts' own Secrets; the Secrets the stack declares\n" \
           "#   gloo-mesh-addons: Helm's release records and the charts' own Secrets\n" \
           "#   httpbin: the Secrets the stack declares\n" \
           "#   istio-gateways: the Secrets the stack declares\n" in header
    # Those are exactly the namespaces where a rule lists Secrets of any name; elsewhere Secrets are by name.
    listed = {ns for ns, _, rule in _rules(rbac.documents(sim, "cluster1")) if rule["resources"] == ["secrets"]
              and "list" in rule["verbs"] and "resourceNames" not in rule}
    assert listed == {"gloo-mesh", "gloo-mesh-addons", "httpbin", "istio-gateways"}
    assert set(rbac_header.secret_readers(rbac.needs(sim.records, "cluster1"))) == listed


def test_bindings_give_the_one_service_account_each_role(stack: tuple[str, Simulation]) -> None:
    _, sim = stack
    for cluster in clusters_of(sim):
        docs = rbac.documents(sim, cluster)
        account = next(d for d in docs if d["kind"] == "ServiceAccount")
        subject = {"kind": "ServiceAccount", "name": account["metadata"]["name"],
                   "namespace": account["metadata"]["namespace"]}
        roles = {(d["kind"], d["metadata"].get("namespace")) for d in docs if d["kind"] in ("ClusterRole", "Role")}
        bindings = {(d["roleRef"]["kind"], d["metadata"].get("namespace")) for d in docs
                    if d["kind"] in ("ClusterRoleBinding", "RoleBinding")}
        assert roles == bindings
        for doc in docs:
            if doc["kind"].endswith("Binding"):
                assert doc["subjects"] == [subject]
                assert doc["roleRef"]["name"] == rbac.DEPLOYER
        # The deployer's namespace is its own; every other namespace in the file is one the stack declares.
        declared = {r.k8s_name for r in sim.select("Namespace", cluster=cluster)}
        namespaces = [d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"]
        assert namespaces[0] == rbac.DEPLOYER_NAMESPACE not in declared
        assert set(namespaces[1:]) <= declared
        assert {ns for kind, ns in roles if kind == "Role"} <= declared


def test_no_secret_outside_the_stacks_namespaces_and_none_cluster_wide() -> None:
    permissions = granted(rbac.documents(cached_simulation(STACKS["dev"]), "cluster1"))
    for verb in ("get", "list", "watch"):
        assert not allows(permissions, "kube-system", "", "secrets", verb, "anything")
        assert not allows(permissions, None, "", "secrets", verb, "anything")
    # A namespace whose objects the program declares itself gets no Secret access it does not use.
    assert not allows(permissions, "bookinfo-backends", "", "secrets", "get", "anything")
    # Namespaces are touched by name only, beyond create/list/watch.
    assert allows(permissions, None, "", "namespaces", "delete", "bookinfo-backends")
    assert not allows(permissions, None, "", "namespaces", "delete", "kube-system")


def test_openshift_scc_binding_needs_bind_on_exactly_its_role() -> None:
    sim = cached_simulation(STACKS["dev"])
    needs = rbac.needs(sim.records, "cluster1")
    binds = {(n.resource, n.name) for n in needs if n.verb == "bind" and n.reason.startswith("binding in")}
    assert binds == {("clusterroles", "system:openshift:scc:anyuid")}


def test_the_rbac_covers_every_kind_the_stacks_declare() -> None:
    # Every kind any stack declares has its group and plural here: a new kind fails in rbac.api_kind.
    declared = {r.kind for config in STACKS.values() for r in cached_simulation(config).records
                if r.custom and r.type.startswith("kubernetes:") and r.type != "kubernetes:helm.sh/v3:Release"
                and not r.type.startswith("pulumi:providers:")}
    for kind in declared:
        found = rbac.api_kind(kind)
        assert (found.group, found.resource, found.namespaced) == KINDS[kind], kind


# The pure parts -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("api_version", "group"), [("v1", ""), ("apps/v1", "apps"),
                                                    ("admin.gloo.solo.io/v2", "admin.gloo.solo.io")])
def test_api_group(api_version: str, group: str) -> None:
    assert rbac.api_group(api_version) == group


def test_an_unknown_kind_or_release_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="'Ingress'"):
        rbac.api_kind("Ingress")
    with pytest.raises(KeyError, match="'other-chart'"):
        rbac.chart_objects("other-chart")


def need(namespace: str | None, resource: str, verb: str, name: str | None) -> rbac.Need:
    return rbac.Need(namespace, "", resource, verb, name)


def test_rules_merge_names_and_let_any_name_win() -> None:
    merged = rbac.rules([
        need("a", "services", "get", "x"), need("a", "services", "get", "y"), need("a", "services", "delete", "x"),
        need("a", "services", "delete", "y"), need("a", "secrets", "get", "s"), need("a", "secrets", "get", None),
        need(None, "namespaces", "create", None), need("b", "services", "get", "x"),
    ])
    assert [(r.namespace, r.resource, r.names, r.verbs) for r in merged] == [
        (None, "namespaces", (), ("create",)),
        ("a", "secrets", (), ("get",)),
        ("a", "services", ("x", "y"), ("delete", "get")),
        ("b", "services", ("x",), ("get",)),
    ]
    assert merged[2].document() == {"apiGroups": [""], "resources": ["services"], "resourceNames": ["x", "y"],
                                    "verbs": ["delete", "get"]}


def test_chart_table_states_each_release_of_the_program() -> None:
    assert set(rbac.CHART_OBJECTS) == {"gloo-mesh-enterprise", "gloo-mesh-agent", "gloo-mesh-agent-addons"}
    for name, objects in rbac.CHART_OBJECTS.items():
        assert objects.version == "2.2.6" and objects.basis, name
        assert {"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Deployment"} <= set(objects.kinds)
        for kind in objects.kinds:
            assert kind in KINDS, (name, kind)


def test_header_says_how_to_apply_and_what_is_stated() -> None:
    dev_sim = cached_simulation(STACKS["dev"])
    text = rbac_header.header(dev_sim, "mgmt", "dev")
    assert all(line.startswith("#") for line in text.splitlines())
    assert "kubectl --context <mgmt> apply -f rbac-mgmt.yaml" in text
    assert "stated, not derived" in text and "gloo-mesh-enterprise 2.2.6" in text
    assert "WARNING" not in text
    release = next(r for r in dev_sim.records if r.cluster == "mgmt" and r.type == "kubernetes:helm.sh/v3:Release")
    other = Simulation(records=[replace(release, inputs={**release.inputs, "version": "2.2.7"})], outputs={})
    assert "WARNING: the stack installs gloo-mesh-enterprise 2.2.7" in rbac_header.header(other, "mgmt", "x")


def test_managed_relay_trust_reads_no_secret_by_name(stack: tuple[str, Simulation]) -> None:
    label, sim = stack
    needs = [n for c in clusters_of(sim) for n in rbac.needs(sim.records, c)]
    secret_reads = {n.name for n in needs if n.resource == "secrets" and n.reason.startswith("read ")}
    if label.endswith("managed"):
        assert secret_reads == set()
    else:
        assert secret_reads == {"relay-root-tls-secret", "relay-identity-token-secret"}


def test_events_are_not_granted_because_a_refused_event_watch_only_loses_warnings() -> None:
    # Upstream fact (pulumi-kubernetes provider/pkg/await/watchers.go `NewEventAggregator`, and
    # await/condition/observer.go `Range`: a Watch that errors returns without an error): the provider
    # watches an awaited object's Events only to log their warnings, and a refused watch does not fail
    # the await. So the least privilege grants none; docs/security.md says how to add them for the warnings.
    permissions = granted(rbac.documents(cached_simulation(STACKS["dev"]), "cluster1"))
    for group in ("", "events.k8s.io"):
        assert not allows(permissions, "bookinfo-frontends", group, "events", "watch", "anything")
    assert "Events are not granted, on purpose." in (ROOT / "docs" / "security.md").read_text()


def test_the_docs_call_the_default_identity_cluster_admin_equivalent_and_never_not_an_admin() -> None:
    # docs/stacks.md told CI to use "the deploy identity of rbac-<cluster>.yaml, not an admin", which by
    # default is cluster-admin-equivalent on each cluster with a Gloo chart.
    stacks = (ROOT / "docs" / "stacks.md").read_text()
    assert "not an admin" not in stacks
    assert "the default render's identity is cluster-admin-equivalent on every cluster with a Gloo chart" in stacks
    security = (ROOT / "docs" / "security.md").read_text()
    assert "**cluster-admin-equivalent on each cluster with a Gloo chart**" in security
    assert "#### Charts RBAC pre-installed by an admin (`--charts-rbac-preinstalled`)" in security

