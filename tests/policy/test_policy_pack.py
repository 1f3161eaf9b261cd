"""The CrossGuard pack adapts pulumi-policy's stack resources to the rules and reports what they find."""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import Any

import yaml
from pulumi_policy import EnforcementLevel, PolicyResource, StackValidationArgs
from pulumi_policy.policy import PolicyProviderResource, PolicyResourceOptions
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from offline import ROOT
from policy.rules import RULES, UNKNOWN, Resource
from tests.support.fakes.policy_world import mutate, workshop

pack = importlib.import_module("policy.__main__")


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], False, [], None, [], None)  # type: ignore[arg-type]


def as_policy_resources(resources: list[Resource]) -> list[PolicyResource]:
    """The world as pulumi-policy would hand it over: proxied props, provider objects, resolved edges."""
    providers = {c: PolicyProviderResource("pulumi:providers:kubernetes", {}, f"urn:provider::{c}", c)
                 for c in {r.cluster for r in resources if r.cluster}}
    out = {r.urn: PolicyResource(r.type, unknown_checking_proxy(dict(r.props)), r.urn, r.name, options(),
                                 providers.get(r.cluster) if r.cluster else None, None, [], {})
           for r in resources}
    for r in resources:
        out[r.urn].dependencies = [out[d] for d in r.dependencies if d in out]
    return list(out.values())


def run_pack(resources: list[Resource]) -> dict[str, list[tuple[str, str | None]]]:
    args = StackValidationArgs(as_policy_resources(resources))
    reported: dict[str, list[tuple[str, str | None]]] = {}
    for policy in pack.policies():
        found: list[tuple[str, str | None]] = []
        policy.validate(args, lambda message, urn=None, found=found: found.append((message, urn)))
        reported[policy.name] = found
    return reported


def test_one_policy_per_rule_with_its_enforcement() -> None:
    policies = pack.policies()
    assert [p.name for p in policies] == [r.name for r in RULES]
    for policy, rule in zip(policies, RULES, strict=True):
        assert policy.enforcement_level == (EnforcementLevel.MANDATORY if rule.mandatory
                                            else EnforcementLevel.ADVISORY)


#: What `pulumi preview --policy-pack policy` shows for each policy: its name, level and description.
SHOWN = [
    ("route-selector-matches", EnforcementLevel.MANDATORY,
     "A policy's applyToRoutes route labels select a route of the stack."),
    ("destination-selector-matches", EnforcementLevel.ADVISORY,
     "A policy's applyToDestinations selector selects a Service, VirtualDestination or ExternalService."),
    ("delegation-selector-matches", EnforcementLevel.MANDATORY,
     "A RouteTable's delegate selector selects a RouteTable."),
    ("delegated-route-table-has-parent", EnforcementLevel.ADVISORY,
     "A RouteTable without hosts or virtual gateways is selected by some delegate."),
    ("forward-to-declared", EnforcementLevel.MANDATORY, "A route's forwardTo destination exists in the stack."),
    ("forward-to-exported", EnforcementLevel.MANDATORY,
     "A route's destination in another workspace is exported to the route's workspace."),
    ("server-refs-exist", EnforcementLevel.MANDATORY,
     "Ext-auth and rate-limit server, settings and config references point at existing objects."),
    ("namespace-exists", EnforcementLevel.MANDATORY,
     "Every namespaced object's namespace is declared or known to exist."),
    ("injected-workload-waits-for-istio", EnforcementLevel.MANDATORY,
     "A workload with sidecar injection waits until Istio is ready on its cluster."),
    ("injected-chart-waits-for-istio", EnforcementLevel.ADVISORY,
     "A Helm release into a namespace with sidecar injection waits until Istio is ready."),
    ("sensitive-values-are-secrets", EnforcementLevel.MANDATORY,
     "Secrets, ConfigMaps and Helm values hold credentials only as Pulumi secrets."),
]


def test_each_policy_shows_its_name_level_and_description_as_written() -> None:
    assert [(p.name, p.enforcement_level, p.description) for p in pack.policies()] == SHOWN


def test_pack_passes_the_workshop_and_reports_a_seeded_mistake() -> None:
    assert all(found == [] for found in run_pack(workshop()).values())
    seeded = mutate(workshop(), "ExtAuthPolicy", "httpbin",
                    lambda p: p["spec"]["config"]["server"].update(name="typo"))
    reported = run_pack(seeded)
    [(message, urn)] = reported["server-refs-exist"]
    assert message.startswith("ExtAuthPolicy httpbin/httpbin on cluster1: spec.config.server refers to ExtAuthServer")
    assert urn == next(r.urn for r in seeded if r.kind == "ExtAuthPolicy")  # reported against the policy
    assert sum(len(v) for v in reported.values()) == 1


def test_pack_reads_through_unknown_values_and_does_not_guess_secrets() -> None:
    def unknown_values(props: dict[str, Any]) -> None:
        props["values"] = {"relay": {"serverAddress": UNKNOWN_STRING_VALUE}, "licenseKey": "plain-looking"}
    world = mutate(workshop(), "Release", "gloo-mesh-enterprise", unknown_values)
    assert all(found == [] for found in run_pack(world).values())
    resource = pack.neutral(as_policy_resources(world)[1])
    assert resource.props["values"]["relay"]["serverAddress"] is UNKNOWN
    assert resource.cluster == "mgmt" and resource.custom and not resource.secrets_marked


def test_components_are_not_custom() -> None:
    component = replace(workshop()[0], type="gloo-mesh-workshop:platform:Agent", cluster=None)
    assert not pack.neutral(as_policy_resources([component])[0]).custom


def test_pack_files() -> None:
    project = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    requirements = (ROOT / "policy" / "requirements.txt").read_text()
    assert "pulumi-policy" in requirements
    assert pack.PACK_NAME == "gloo-mesh-workshop"
