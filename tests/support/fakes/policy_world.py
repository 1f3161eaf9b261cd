"""A small, hand-built stack in the rules' neutral shape: the workshop's objects on cluster1 (labs 3-21,
trimmed to what the rules look at), correct as the workshop writes them. Tests seed one mistake
into a copy and expect exactly the rule that catches it to fire.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from policy.rules import HELM_RELEASE, RULES_BY_NAME, Resource, SecretValue

T = "true"


class World:
    def __init__(self) -> None:
        self.resources: list[Resource] = []

    def add(self, cluster: str, manifest: dict[str, Any], deps: tuple[str, ...] = (),
            type_: str | None = None) -> str:
        kind = manifest["kind"]
        meta = manifest["metadata"]
        type_ = type_ or {
            "Namespace": "kubernetes:core/v1:Namespace", "Service": "kubernetes:core/v1:Service",
            "Secret": "kubernetes:core/v1:Secret", "ConfigMap": "kubernetes:core/v1:ConfigMap",
            "Deployment": "kubernetes:apps/v1:Deployment",
        }.get(kind, "kubernetes:apiextensions.k8s.io:CustomResource")
        name = f"{cluster}/{meta.get('namespace', '')}/{meta['name']}/{kind}"
        urn = f"urn:pulumi:test::gloo-mesh-workshop::{type_}::{name}"
        self.resources.append(Resource(type=type_, name=name, urn=urn, props=manifest, dependencies=deps,
                                       cluster=cluster))
        return urn

    def release(self, cluster: str, name: str, namespace: str, chart: str, values: dict[str, Any],
                deps: tuple[str, ...] = ()) -> str:
        urn = f"urn:pulumi:test::gloo-mesh-workshop::{HELM_RELEASE}::{cluster}/{namespace}/{name}"
        self.resources.append(Resource(type=HELM_RELEASE, name=name, urn=urn, cluster=cluster, dependencies=deps,
                                       props={"name": name, "namespace": namespace, "chart": chart,
                                              "values": values}))
        return urn


def obj(kind: str, name: str, namespace: str | None = None, spec: dict[str, Any] | None = None,
        labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    doc: dict[str, Any] = {"kind": kind, "metadata": meta, **extra}
    if spec is not None:
        doc["spec"] = spec
    return doc


def ref(name: str, namespace: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, **more}


def workshop() -> list[Resource]:
    w = World()
    mgmt, c1 = "mgmt", "cluster1"
    gm = w.add(mgmt, obj("Namespace", "gloo-mesh"))
    enterprise = w.release(mgmt, "gloo-mesh-enterprise", "gloo-mesh", "gloo-mesh-enterprise",
                           {"licenseKey": SecretValue("license"), "mgmtClusterName": "mgmt"}, (gm,))
    ilm = w.add(mgmt, obj("IstioLifecycleManager", "cluster1-installation", "gloo-mesh", {"installations": [
        {"clusters": [{"name": c1, "defaultRevision": True}], "revision": "1-17",
         "istioOperatorSpec": {"namespace": "istio-system"}}]}), (enterprise,))
    rev = {"istio.io/rev": "1-17"}
    namespaces = {}
    for ns, labels in (("gloo-mesh", None), ("istio-gateways", rev), ("gloo-mesh-addons", rev),
                       ("bookinfo-frontends", rev), ("bookinfo-backends", rev), ("httpbin", None)):
        namespaces[ns] = w.add(c1, obj("Namespace", ns, labels=labels))
    w.release(c1, "gloo-mesh-agent-addons", "gloo-mesh-addons", "gloo-mesh-agent", {
        "cluster": c1, "glooMeshAgent": {"enabled": False}, "rate-limiter": {"enabled": True},
        "ext-auth-service": {"enabled": True}}, (namespaces["gloo-mesh-addons"], ilm))
    w.add(c1, obj("Service", "istio-ingressgateway", "istio-gateways", {"type": "LoadBalancer"},
                  {"istio": "ingressgateway"}), (namespaces["istio-gateways"],))
    for app, ns in (("productpage", "bookinfo-frontends"), ("details", "bookinfo-backends"),
                    ("ratings", "bookinfo-backends"), ("reviews", "bookinfo-backends")):
        w.add(c1, obj("Service", app, ns, {"ports": [{"port": 9080}]}, {"app": app, "service": app}),
              (namespaces[ns],))
        w.add(c1, obj("Deployment", f"{app}-v1", ns, {"template": {"metadata": {"labels": {"app": app}}}}),
              (namespaces[ns], ilm))
    w.add(c1, obj("Service", "in-mesh", "httpbin", {"ports": [{"port": 8000}]}, {"app": "in-mesh"}),
          (namespaces["httpbin"],))
    w.add(c1, obj("Deployment", "in-mesh", "httpbin",
                  {"template": {"metadata": {"labels": {"app": "in-mesh", "istio.io/rev": "1-17"}}}}),
          (namespaces["httpbin"], ilm))
    # Workspaces (labs 7, 8, 14)
    w.add(mgmt, obj("Workspace", "gateways", "gloo-mesh", {"workloadClusters": [
        {"name": c1, "namespaces": [{"name": "istio-gateways"}, {"name": "gloo-mesh-addons"}]}]}))
    w.add(mgmt, obj("Workspace", "bookinfo", "gloo-mesh", {"workloadClusters": [
        {"name": c1, "namespaces": [{"name": "bookinfo-frontends"}, {"name": "bookinfo-backends"}]}]},
        {"allow_ingress": T}))
    w.add(mgmt, obj("Workspace", "httpbin", "gloo-mesh", {"workloadClusters": [
        {"name": c1, "namespaces": [{"name": "httpbin"}]}]}, {"allow_ingress": T}))
    w.add(c1, obj("WorkspaceSettings", "gateways", "istio-gateways", {
        "importFrom": [{"workspaces": [{"selector": {"allow_ingress": T}}],
                        "resources": [{"kind": "SERVICE"}, {"kind": "ALL", "labels": {"expose": T}}]}],
        "exportTo": [{"workspaces": [{"selector": {"allow_ingress": T}}], "resources": [{"kind": "SERVICE"}]}]}))
    w.add(c1, obj("WorkspaceSettings", "bookinfo", "bookinfo-frontends", {
        "importFrom": [{"workspaces": [{"name": "gateways"}], "resources": [{"kind": "SERVICE"}]}],
        "exportTo": [{"workspaces": [{"name": "gateways"}], "resources": [
            {"kind": "SERVICE", "labels": {"app": "productpage"}}, {"kind": "SERVICE", "labels": {"app": "reviews"}},
            {"kind": "ALL", "labels": {"expose": T}}]}]}))
    w.add(c1, obj("WorkspaceSettings", "httpbin", "httpbin", {
        "importFrom": [{"workspaces": [{"name": "gateways"}], "resources": [{"kind": "SERVICE"}]}],
        "exportTo": [{"workspaces": [{"name": "gateways"}], "resources": [
            {"kind": "SERVICE", "labels": {"app": "in-mesh"}}, {"kind": "ALL", "labels": {"expose": T}}]}]}))
    # Gateway and routes (labs 9, 10, 12, 15, 17, 20, 21)
    w.add(c1, obj("VirtualGateway", "north-south-gw", "istio-gateways", {"listeners": [{"port": {"number": 443}}]}))
    w.add(c1, obj("RouteTable", "main", "istio-gateways", {
        "hosts": ["*"], "virtualGateways": [ref("north-south-gw", "istio-gateways", cluster=c1)],
        "http": [{"name": "root", "labels": {"waf": T}, "matchers": [{"uri": {"prefix": "/"}}],
                  "delegate": {"routeTables": [{"labels": {"expose": T}}]}}]}))
    w.add(c1, obj("RouteTable", "productpage", "bookinfo-frontends", {"http": [{
        "name": "productpage", "forwardTo": {"destinations": [
            {"ref": ref("productpage", "bookinfo-frontends"), "kind": "VIRTUAL_DESTINATION",
             "port": {"number": 9080}}]}}]}, {"expose": T}))
    w.add(c1, obj("VirtualDestination", "productpage", "bookinfo-frontends", {
        "hosts": ["productpage.global"], "services": [{"namespace": "bookinfo-frontends",
                                                       "labels": {"app": "productpage"}}]},
        {"expose": T, "failover": T}))
    w.add(c1, obj("RouteTable", "ratings", "bookinfo-backends", {
        "hosts": ["ratings.bookinfo-backends.svc.cluster.local"],
        "workloadSelectors": [{"selector": {"labels": {"app": "reviews"}}}],
        "http": [{"name": "ratings", "labels": {"fault_injection": T}, "forwardTo": {"destinations": [
            {"ref": ref("ratings", "bookinfo-backends"), "port": {"number": 9080}}]}}]}))
    w.add(c1, obj("FaultInjectionPolicy", "ratings-fault-injection", "bookinfo-backends", {
        "applyToRoutes": [{"route": {"labels": {"fault_injection": T}}}], "config": {"delay": {"fixedDelay": "2s"}}}))
    w.add(c1, obj("FailoverPolicy", "failover", "bookinfo-frontends", {
        "applyToDestinations": [{"kind": "VIRTUAL_DESTINATION", "selector": {"labels": {"failover": T}}}]}))
    w.add(c1, obj("AccessPolicy", "allow-ratings", "bookinfo-frontends", {
        "applyToDestinations": [{"selector": {"labels": {"app": "ratings"}}}]}))
    w.add(c1, obj("ExternalService", "httpbin", "httpbin", {"hosts": ["httpbin.org"]}, {"expose": T}))
    w.add(c1, obj("RouteTable", "httpbin", "httpbin", {"http": [{
        "name": "httpbin", "labels": {"oauth": T, "ratelimited": T}, "forwardTo": {"destinations": [
            {"ref": ref("in-mesh", "httpbin"), "port": {"number": 8000}, "weight": 100},
            {"kind": "EXTERNAL_SERVICE", "ref": ref("httpbin", "httpbin"), "port": {"number": 443}, "weight": 0}]}}]},
        {"expose": T}))
    w.add(c1, obj("Secret", "oauth", "httpbin", type="extauth.solo.io/oauth",
                  data={"client-secret": SecretValue("c2VjcmV0")}))
    w.add(c1, obj("ConfigMap", "allow-solo-email-users", "httpbin", data={"policy.rego": "package test"}))
    server = {"destinationServer": {"ref": ref("ext-auth-service", "gloo-mesh-addons", cluster=c1),
                                    "port": {"name": "grpc"}}}
    w.add(c1, obj("ExtAuthServer", "ext-auth-server", "httpbin", server))
    w.add(c1, obj("ExtAuthPolicy", "httpbin", "httpbin", {
        "applyToRoutes": [{"route": {"labels": {"oauth": T}}}],
        "config": {"server": ref("ext-auth-server", "httpbin", cluster=c1)}}))
    w.add(c1, obj("RateLimitServerSettings", "rate-limit-server", "httpbin", {"destinationServer": {
        "ref": ref("rate-limiter", "gloo-mesh-addons", cluster=c1), "port": {"name": "grpc"}}}))
    w.add(c1, obj("RateLimitServerConfig", "httpbin", "httpbin", {"destinationServers": [{
        "ref": ref("rate-limiter", "gloo-mesh-addons", cluster=c1), "port": {"name": "grpc"}}]}))
    w.add(c1, obj("RateLimitClientConfig", "httpbin", "httpbin", {"raw": {}}))
    w.add(c1, obj("RateLimitPolicy", "httpbin", "httpbin", {
        "applyToRoutes": [{"route": {"labels": {"ratelimited": T}}}],
        "config": {"serverSettings": ref("rate-limit-server", "httpbin", cluster=c1),
                   "ratelimitClientConfig": ref("httpbin", "httpbin", cluster=c1),
                   "ratelimitServerConfig": ref("httpbin", "httpbin", cluster=c1)}}))
    w.add(c1, obj("WAFPolicy", "log4shell", "httpbin", {"applyToRoutes": [{"route": {"labels": {"waf": T}}}]}))
    return w.resources


def mutate(resources: list[Resource], kind: str, name: str, change: Callable[[dict[str, Any]], Any],
           namespace: str | None = None) -> list[Resource]:
    """A copy of `resources` with `change` applied to a deep copy of one resource's props."""
    out, hits = [], 0
    for r in resources:
        if r.kind == kind and r.k8s_name == name and (namespace is None or r.namespace == namespace):
            props = copy.deepcopy(dict(r.props))
            change(props)
            r = replace(r, props=props)
            hits += 1
        out.append(r)
    assert hits == 1, f"expected one {kind} {name}, found {hits}"
    return out


def add(resources: list[Resource], cluster: str, manifest: dict[str, Any], deps: tuple[str, ...] = (),
        type_: str | None = None) -> tuple[list[Resource], str]:
    """`resources` with one more object (on `cluster`), and its URN."""
    world = World()
    urn = world.add(cluster, manifest, deps, type_)
    return [*resources, *world.resources], urn


def run(rule: str, resources: list[Resource]) -> list[tuple[str, str]]:
    """What one rule reports over `resources`: (resource, message) per violation."""
    return [(v.resource, v.message) for v in RULES_BY_NAME[rule].run(resources)]


#: The message of every `sensitive-values-are-secrets` violation, after the path it names.
PLAINTEXT = ("holds a credential in plain text: it is written unencrypted to the stack state and shown in "
             "previews. Fix: wrap it with pulumi.Output.secret(...) (or generate it with pulumi-random / "
             "pulumi-tls, whose results are secrets).")
