"""Lab 10: the fault injection and request timeout, exactly as the workshop applies them."""

from __future__ import annotations

import pytest

from components.core import shapes
from components.gateway import lab10_traffic_policies as lab10
from offline.records import Simulation
from tests.support.scenarios import GATEWAY, stack

# Lab 10 steps 1-4.
FAULT_INJECTION = {
    "apiVersion": "resilience.policy.gloo.solo.io/v2",
    "kind": "FaultInjectionPolicy",
    "metadata": {"name": "ratings-fault-injection", "namespace": "bookinfo-backends"},
    "spec": {
        "applyToRoutes": [{"route": {"labels": {"fault_injection": "true"}}}],
        "config": {"delay": {"fixedDelay": "2s", "percentage": 100}},
    },
}
RATINGS = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "RouteTable",
    "metadata": {"name": "ratings", "namespace": "bookinfo-backends"},
    "spec": {
        "hosts": ["ratings.bookinfo-backends.svc.cluster.local"],
        "workloadSelectors": [{"selector": {"labels": {"app": "reviews"}}}],
        "http": [{
            "name": "ratings",
            "labels": {"fault_injection": "true"},
            "matchers": [{"uri": {"prefix": "/"}}],
            "forwardTo": {"destinations": [
                {"ref": {"name": "ratings", "namespace": "bookinfo-backends"}, "port": {"number": 9080}}]},
        }],
    },
}
RETRY_TIMEOUT = {
    "apiVersion": "resilience.policy.gloo.solo.io/v2",
    "kind": "RetryTimeoutPolicy",
    "metadata": {"name": "reviews-request-timeout", "namespace": "bookinfo-backends"},
    "spec": {
        "applyToRoutes": [{"route": {"labels": {"request_timeout": "0.5s"}}}],
        "config": {"requestTimeout": "0.5s"},
    },
}
REVIEWS = {
    "apiVersion": "networking.gloo.solo.io/v2",
    "kind": "RouteTable",
    "metadata": {"name": "reviews", "namespace": "bookinfo-backends"},
    "spec": {
        "hosts": ["reviews.bookinfo-backends.svc.cluster.local"],
        "workloadSelectors": [{"selector": {"labels": {"app": "productpage"}}}],
        "http": [{
            "name": "reviews",
            "labels": {"request_timeout": "0.5s"},
            "matchers": [{"uri": {"prefix": "/"}}],
            "forwardTo": {"destinations": [
                {"ref": {"name": "reviews", "namespace": "bookinfo-backends"}, "port": {"number": 9080},
                 "subset": {"version": "v2"}}]},
        }],
    },
}
EXPECTED = [FAULT_INJECTION, RATINGS, RETRY_TIMEOUT, REVIEWS]


@pytest.fixture(scope="module")
def on() -> Simulation:
    return stack(["gateway", "traffic-policies"])


def test_fault_injection_policy_is_lab10_step1() -> None:
    assert lab10.fault_injection_policy() == FAULT_INJECTION


def test_ratings_route_table_is_lab10_step2() -> None:
    assert lab10.ratings_route_table() == RATINGS


def test_retry_timeout_policy_is_lab10_step3() -> None:
    assert lab10.retry_timeout_policy() == RETRY_TIMEOUT


def test_reviews_route_table_is_lab10_step4() -> None:
    assert lab10.reviews_route_table() == REVIEWS


def test_policies_and_routes_share_the_label_contract() -> None:
    assert lab10.fault_injection_policy()["spec"]["applyToRoutes"][0]["route"]["labels"] \
        == lab10.ratings_route_table()["spec"]["http"][0]["labels"] == shapes.FAULT_INJECTION_ROUTE_LABEL
    assert lab10.retry_timeout_policy()["spec"]["applyToRoutes"][0]["route"]["labels"] \
        == lab10.reviews_route_table()["spec"]["http"][0]["labels"] == shapes.REQUEST_TIMEOUT_ROUTE_LABEL


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda m: f"{m['kind']}-{m['metadata']['name']}")
def test_declared_on_cluster1_as_the_workshop(on: Simulation, expected: dict) -> None:
    meta = expected["metadata"]
    record = on.one(expected["kind"], cluster="cluster1", name=meta["name"], namespace=meta["namespace"])
    assert record.inputs["apiVersion"] == expected["apiVersion"]
    assert record.spec == expected["spec"]
    assert record.labels == {}


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda m: f"{m['kind']}-{m['metadata']['name']}")
def test_each_waits_for_the_cluster1_agent_release(on: Simulation, expected: dict) -> None:
    record = on.one(expected["kind"], name=expected["metadata"]["name"], namespace="bookinfo-backends")
    assert on.depends_on(record, on.one("kubernetes:helm.sh/v3:Release", cluster="cluster1", name="gloo-mesh-agent"))
    assert not on.depends_on(record, on.one("kubernetes:helm.sh/v3:Release", cluster="cluster2", name="gloo-mesh-agent"))


def test_follows_the_config_cluster() -> None:
    sim = stack(["gateway", "traffic-policies"], configCluster="cluster2")
    lab10 = [r for r in sim.select(namespace="bookinfo-backends")
             if r.kind in ("FaultInjectionPolicy", "RetryTimeoutPolicy", "RouteTable")]
    assert len(lab10) == 4 and {r.cluster for r in lab10} == {"cluster2"}


def test_off_is_the_lab_cleanup() -> None:
    # The workshop deletes all four at the end of the lab; the feature off declares none of them.
    sim = stack(GATEWAY)
    assert sim.select("FaultInjectionPolicy") == []
    assert sim.select("RetryTimeoutPolicy") == []
    assert sim.select("RouteTable", namespace="bookinfo-backends") == []
