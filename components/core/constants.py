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
#: The component a fleet's workload stack stands for the management plane with: its children sit on
#: the management cluster, whose `gloo-mesh` namespace the management stack (run first) created.
MANAGEMENT_REFERENCE_TYPE = "gloo-mesh-workshop:platform:ManagementReference"


def istio_operator_namespace(revision: str) -> str:
    """The namespace Gloo's lifecycle manager runs the Istio operator of a revision in."""
    return f"gm-iop-{revision}"


# Labels ---------------------------------------------------------------------------------------
REVISION_LABEL = "istio.io/rev"
#: On the pod template of injected Deployments: the revision whose sidecar they run. A new active
#: revision changes the template, so the Deployment rolls and its pods are injected again.
INJECTED_REVISION_ANNOTATION = "gloo-mesh-workshop/istio-revision"
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
#: The metrics gateway's serving certificate; the chart issues it from its relay CA unless told not to.
METRICS_GATEWAY_TLS_SECRET = "gloo-metrics-gateway-tls-secret"
RELAY_ROOT_TLS_SECRET = "relay-root-tls-secret"
RELAY_IDENTITY_TOKEN_SECRET = "relay-identity-token-secret"
RELAY_TOKEN_KEY = "token"
# With `relayTrust: managed` the program creates these too: the management server's certificate and
# each agent's client certificate (the charts' default Secret names, also set in their values).
RELAY_SERVER_TLS_SECRET = "relay-server-tls-secret"
RELAY_CLIENT_TLS_SECRET = "relay-client-tls-secret"
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

# Demo apps (labs 4-5) and their workspaces (labs 7, 8, 14) ------------------------------------
# App names are both the pods' `app` label and their Service's name; workspace export rules and
# later labs' route tables and policies select them.
PRODUCTPAGE_APP = "productpage"
DETAILS_APP = "details"
RATINGS_APP = "ratings"
REVIEWS_APP = "reviews"
BOOKINFO_PORT = 9080  # every bookinfo Service (productpage, reviews, ratings, details)
IN_MESH_APP = "in-mesh"
NOT_IN_MESH_APP = "not-in-mesh"
HTTPBIN_PORT = 8000
GATEWAYS_WORKSPACE = "gateways"
BOOKINFO_WORKSPACE = "bookinfo"
HTTPBIN_WORKSPACE = "httpbin"

# OpenShift ------------------------------------------------------------------------------------
ISTIO_CNI_ATTACHMENT = "istio-cni"
ANYUID_SCC_CLUSTER_ROLE = "system:openshift:scc:anyuid"
SCC_BINDING_PREFIX = "gloo-mesh-workshop-anyuid-"

# Gateway and the objects it routes to (labs 9-15) ----------------------------------------------
NORTH_SOUTH_GATEWAY = "north-south-gw"  # VirtualGateway; the main RouteTable binds to it
GATEWAY_TLS_SECRET = "tls-secret"  # Secret on every workload cluster; the VirtualGateway's 443 listener
HTTPBIN_EXTERNAL_SERVICE = "httpbin"  # the ExternalService for httpbin.org; the httpbin route targets it

# Gloo Mesh addons (lab 6): Services (and service accounts) the policies of labs 13-20 name -----
EXT_AUTH_SERVICE = "ext-auth-service"
RATE_LIMITER_SERVICE = "rate-limiter"
ADDON_GRPC_PORT_NAME = "grpc"



def gateway_service_account(gateway_service: str, revision: str) -> str:
    """The service account the lifecycle manager gives a gateway of a revision (lab 3)."""
    return f"{gateway_service}-{revision}-service-account"


# httpbin paths the OIDC flow uses (lab 17): Keycloak redirect URIs, ExtAuthPolicy, route matchers
HTTPBIN_GET_PATH = "/get"
OAUTH_CALLBACK_PATH = "/callback"
OAUTH_LOGOUT_PATH = "/logout"

# Kubernetes Secret types and the key algorithm of the certificates the program issues (pulumi-tls).
TLS_SECRET_TYPE = "kubernetes.io/tls"
KEY_ALGORITHM = "RSA"

#: The type token of pulumi-kubernetes' `helm.v3.Release`, as the engine records it: the offline
#: evaluator and the policy pack recognise a Helm release by it.
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
