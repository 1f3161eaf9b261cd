"""Names, labels and versions that more than one resource uses.

A label that one object carries and another selects lives here once, so the selector and the
selected object cannot drift apart.
"""

from __future__ import annotations

# Namespaces -----------------------------------------------------------------------------------
GLOO_MESH_NS = "gloo-mesh"
ISTIO_SYSTEM_NS = "istio-system"
ISTIO_GATEWAYS_NS = "istio-gateways"
ADDONS_NS = "gloo-mesh-addons"
BOOKINFO_FRONTENDS_NS = "bookinfo-frontends"
BOOKINFO_BACKENDS_NS = "bookinfo-backends"
HTTPBIN_NS = "httpbin"
KEYCLOAK_NS = "keycloak"

# Namespaces that exist on every cluster without this program declaring them.
PREEXISTING_NAMESPACES = ("default", "kube-system", "kube-public")


def istio_operator_namespace(revision: str) -> str:
    """The namespace Gloo's lifecycle manager runs the Istio operator of a revision in."""
    return f"gm-iop-{revision}"


# Labels ---------------------------------------------------------------------------------------
REVISION_LABEL = "istio.io/rev"
NETWORK_LABEL = "topology.istio.io/network"
TRUE = "true"
EXPOSE_LABEL = {"expose": TRUE}
ALLOW_INGRESS_LABEL = {"allow_ingress": TRUE}
INGRESS_GATEWAY_LABEL = {"istio": "ingressgateway"}
EASTWEST_GATEWAY_LABEL = {"istio": "eastwestgateway"}

# Charts ---------------------------------------------------------------------------------------
ENTERPRISE_CHART = "gloo-mesh-enterprise"
AGENT_CHART = "gloo-mesh-agent"

# Objects the management-plane chart creates and the agents need --------------------------------
MGMT_SERVER_SERVICE = "gloo-mesh-mgmt-server"
METRICS_GATEWAY_SERVICE = "gloo-metrics-gateway"
RELAY_ROOT_TLS_SECRET = "relay-root-tls-secret"
RELAY_IDENTITY_TOKEN_SECRET = "relay-identity-token-secret"
RELAY_AUTHORITY = f"{MGMT_SERVER_SERVICE}.{GLOO_MESH_NS}"
RELAY_PORT = 9900
METRICS_GATEWAY_OTLP_PORT = 4317

# Istio gateways (lab 3) -----------------------------------------------------------------------
INGRESS_GATEWAY_SERVICE = "istio-ingressgateway"
EASTWEST_GATEWAY_SERVICE = "istio-eastwestgateway"
INGRESS_GATEWAY_APP = "istio-ingressgateway"
MESH_ID = "mesh1"
CLUSTER_DOMAIN = "cluster.local"
HTTP_PORT = 80
HTTPS_PORT = 443

# OpenShift ------------------------------------------------------------------------------------
ISTIO_CNI_ATTACHMENT = "istio-cni"
ANYUID_SCC_CLUSTER_ROLE = "system:openshift:scc:anyuid"
SCC_BINDING_PREFIX = "gloo-mesh-workshop-anyuid-"

# Gloo Mesh addons (lab 6): Services (and service accounts) the policies of labs 13-20 name -----
EXT_AUTH_SERVICE = "ext-auth-service"
RATE_LIMITER_SERVICE = "rate-limiter"
ADDON_GRPC_PORT_NAME = "grpc"

# Bookinfo (lab 4): app labels and service accounts the lab 13 AccessPolicies select ------------
PRODUCTPAGE_APP = "productpage"
DETAILS_APP = "details"
REVIEWS_APP = "reviews"
RATINGS_APP = "ratings"
BOOKINFO_PRODUCTPAGE_SA = "bookinfo-productpage"
BOOKINFO_REVIEWS_SA = "bookinfo-reviews"


def gateway_service_account(gateway_service: str, revision: str) -> str:
    """The service account the lifecycle manager gives a gateway of a revision (lab 3)."""
    return f"{gateway_service}-{revision}-service-account"

# httpbin paths the OIDC flow uses (lab 17): Keycloak redirect URIs, ExtAuthPolicy, route matchers
HTTPBIN_GET_PATH = "/get"
OAUTH_CALLBACK_PATH = "/callback"
OAUTH_LOGOUT_PATH = "/logout"
