"""components/core/helm.py `load_balancer_address`: a LoadBalancer Service's address, and, when it has
none yet, a message naming the Service and what to do, raised as `pulumi.RunError` (shown without a
traceback), under the Pulumi mock runtime."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.core.helm import load_balancer_address, no_address_message
from offline import ROOT
from offline.runtime import RecordingMonitor, WorkshopMocks, simulate
from tests.support.simulation import LICENSE

MESSAGE = ("Service gloo-mesh/gloo-mesh-mgmt-server on cluster mgmt has no LoadBalancer address yet, and this stack "
           "needs it for an endpoint: the cluster's load-balancer controller assigns it (a cloud's, MetalLB, or on "
           "kind cloud-provider-kind: `python3 -m tools local status` shows whether it runs). Once `kubectl -n "
           "gloo-mesh get service gloo-mesh-mgmt-server` shows an EXTERNAL-IP, run `pulumi up` again.")


def mocks(load_balancer: dict[str, Any]) -> RecordingMonitor:
    """The workshop's mocks, every LoadBalancer Service's status.loadBalancer being `load_balancer`."""

    class Mocks(WorkshopMocks):
        @staticmethod
        def _load_balancer(cluster: str, namespace: str | None, name: str | None) -> dict[str, Any]:
            return {"loadBalancer": load_balancer}

    return RecordingMonitor(Mocks(preview=False))


def address_of(load_balancer: dict[str, Any]) -> Any:
    def program() -> None:
        service = k8s.core.v1.Service.get("mgmt/gloo-mesh/gloo-mesh-mgmt-server", "gloo-mesh/gloo-mesh-mgmt-server")
        pulumi.export("address", load_balancer_address(service))

    return simulate({}, program=program, monitor=mocks(load_balancer)).outputs["address"]


@pytest.mark.parametrize("load_balancer", [{}, {"ingress": []}, {"ingress": None}], ids=["none", "empty", "null"])
def test_a_service_without_an_address_stops_the_run_naming_it(load_balancer: dict[str, Any]) -> None:
    with pytest.raises(pulumi.RunError) as raised:
        address_of(load_balancer)
    assert str(raised.value) == MESSAGE


def test_the_first_ingress_address_is_the_ip_else_the_hostname() -> None:
    assert address_of({"ingress": [{"ip": "172.18.0.5", "hostname": "lb.example"}, {"ip": "172.18.0.6"}]}) == \
        "172.18.0.5"
    assert address_of({"ingress": [{"hostname": "a1b2.elb.amazonaws.com"}]}) == "a1b2.elb.amazonaws.com"


PROGRAM_WITHOUT_ADDRESSES = f"""
import pulumi
from tests.core.test_load_balancer_address import mocks
from offline.runtime import simulate
try:
    simulate({{"licenseKey": "{LICENSE}"}}, monitor=mocks({{}}))
except pulumi.RunError as error:
    print(error)
"""


def test_the_program_stops_with_the_message_when_the_relay_service_has_no_address() -> None:
    # In a process of its own: a program stopped halfway leaves the mock runtime's pending work behind.
    done = subprocess.run([sys.executable, "-c", PROGRAM_WITHOUT_ADDRESSES], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip()
    assert printed.startswith("Service ") and " has no LoadBalancer address yet, and this stack needs it" in printed
    assert printed.endswith("shows an EXTERNAL-IP, run `pulumi up` again."), printed


def test_a_service_named_otherwise_is_named_as_it_is() -> None:
    assert no_address_message("urn:pulumi:dev::gloo-mesh-workshop::kubernetes:core/v1:Service::keycloak") == (
        "Service keycloak has no LoadBalancer address yet, and this stack needs it for an endpoint: the cluster's "
        "load-balancer controller assigns it (a cloud's, MetalLB, or on kind cloud-provider-kind: `python3 -m "
        "tools local status` shows whether it runs). Once it shows an EXTERNAL-IP, run `pulumi up` again.")
