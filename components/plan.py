"""The feature plan: how the enabled labs shape objects that more than one lab contributes to.

Pure Python, no Pulumi. A lab never patches another lab's resource; where two labs shape one
object (the httpbin RouteTable, the main RouteTable, the VirtualGateway, the productpage route,
the VirtualDestination, the bookinfo WorkspaceSettings) the functions here compute its final shape
from the settings and one component emits it once.

The route and destination labels below are the contract between a policy's selector and the
route or destination it selects: both sides import them from here.
"""

from __future__ import annotations

from .constants import TRUE

# Route labels a policy selects (applyToRoutes) --------------------------------------------------
FAULT_INJECTION_ROUTE_LABEL = {"fault_injection": TRUE}  # lab 10
REQUEST_TIMEOUT_ROUTE_LABEL = {"request_timeout": "0.5s"}  # lab 10
OAUTH_ROUTE_LABEL = {"oauth": TRUE}  # lab 17 (ExtAuthPolicy; the JWT, transformation policies too)
RATELIMITED_ROUTE_LABEL = {"ratelimited": TRUE}  # lab 20
WAF_ROUTE_LABEL = {"waf": TRUE}  # lab 21

# Destination labels a policy selects (applyToDestinations) --------------------------------------
FAILOVER_DESTINATION_LABEL = {"failover": TRUE}  # lab 12
