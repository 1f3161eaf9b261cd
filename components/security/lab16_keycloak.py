"""Lab 16: Keycloak on the management cluster, with its realm, OIDC client, mapper and users.

The workshop deploys Keycloak with `admin`/`admin`, then creates the client, the `group` mapper
and two users (`password`) through the admin REST API in the `master` realm. Here all of it is
declared, so one `pulumi up` gives a Keycloak that is ready to use:

- Every credential (admin password, client secret, both users' passwords) is generated with
  pulumi-random and stays a Pulumi secret; users read them from secret stack outputs. Raising
  `credentialsRotation` regenerates them all (their keepers, `components/core/rotation.py`).
- The client, mapper and users come from Keycloak 20's startup realm import (`--import-realm`
  reads the `.json` files in /opt/keycloak/data/import). The document carries credentials, so it
  is a Kubernetes Secret, mounted as one file.
- The import goes into a dedicated realm, `KEYCLOAK_REALM`: Keycloak skips the import of a realm
  that already exists, and `master` always exists. Every consumer (issuer, JWKS, outputs) derives
  its URL from that constant through `realm_url`/`issuer_url`/`jwks_url`.
- The client has a readable id, `KEYCLOAK_CLIENT_ID`, instead of the id of a one-off initial
  access token the workshop reuses as client id.

Keycloak runs `start-dev` (an in-pod database, as in the workshop): every pod starts empty and
imports the realm again. The pod template carries a checksum of the realm document, so a change to
it (a new gateway address, a rotated password) rolls the pod and Keycloak imports the new realm.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.core import rotation
from components.core.cluster import Cluster
from components.core.constants import HTTPBIN_GET_PATH, KEYCLOAK_NS, OAUTH_CALLBACK_PATH
from components.core.helm import load_balancer_address

KEYCLOAK_IMAGE = "quay.io/keycloak/keycloak:20.0.1"
KEYCLOAK = "keycloak"  # name of the Service and the Deployment, and their `app` label
KEYCLOAK_PORT = 8080
#: The realm the import creates; the workshop uses `master`, which an import cannot fill (see above).
KEYCLOAK_REALM = "workshop"
#: The OIDC client's id (the workshop's KEYCLOAK_CLIENT is a generated id).
KEYCLOAK_CLIENT_ID = "gloo-mesh-workshop"
KEYCLOAK_ADMIN_USER = "admin"
KEYCLOAK_IMPORT_DIR = "/opt/keycloak/data/import"
REALM_FILE = f"{KEYCLOAK_REALM}-realm.json"
ADMIN_SECRET = "keycloak-admin"
ADMIN_PASSWORD_KEY = "password"
REALM_SECRET = "keycloak-realm"
REALM_CHECKSUM_ANNOTATION = "gloo-mesh-workshop/realm-checksum"
GROUP_ATTRIBUTE = "group"
GROUP = "users"
#: The workshop's two users: username → email. user2 (@solo.io) is the one the OPA rule allows.
USERS: dict[str, str] = {"user1": "user1@example.com", "user2": "user2@solo.io"}
PASSWORD_LENGTH = 24
CLIENT_SECRET_LENGTH = 32


# URLs every consumer derives from the realm constant ------------------------------------------
def keycloak_url(host: str) -> str:
    """The workshop's KEYCLOAK_URL: `http://<LoadBalancer address>:8080`."""
    return f"http://{host}:{KEYCLOAK_PORT}"


def realm_url(base_url: str) -> str:
    return f"{base_url}/realms/{KEYCLOAK_REALM}"


def issuer_url(base_url: str) -> str:
    """The OIDC issuer as the ExtAuthPolicy names it (with the trailing slash, as lab 17)."""
    return f"{realm_url(base_url)}/"


def jwks_url(base_url: str) -> str:
    return f"{realm_url(base_url)}/protocol/openid-connect/certs"


def redirect_uris(gateway_https_endpoint: str) -> list[str]:
    """Where Keycloak may send users back: the entry gateway's `/callback` and `/get`."""
    return [f"https://{gateway_https_endpoint}{OAUTH_CALLBACK_PATH}", f"https://{gateway_https_endpoint}{HTTPBIN_GET_PATH}"]


# The realm import document --------------------------------------------------------------------
def group_mapper() -> dict[str, Any]:
    """The `group` user-attribute mapper, in the ID and the access token (as the workshop's REST call)."""
    return {
        "name": GROUP_ATTRIBUTE,
        "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "config": {
            "claim.name": GROUP_ATTRIBUTE,
            "jsonType.label": "String",
            "user.attribute": GROUP_ATTRIBUTE,
            "id.token.claim": "true",
            "access.token.claim": "true",
        },
    }


def realm_representation(
    client_secret: str, gateway_https_endpoint: str, passwords: Mapping[str, str]
) -> dict[str, Any]:
    """Keycloak's RealmRepresentation of the realm, client, mapper and users the workshop creates.

    User attributes are lists in the representation (`{"group": ["users"]}`); the workshop's REST
    call sends the one value as a string, which Keycloak stores the same way.
    """
    return {
        "realm": KEYCLOAK_REALM,
        "enabled": True,
        "clients": [{
            "clientId": KEYCLOAK_CLIENT_ID,
            "enabled": True,
            "protocol": "openid-connect",
            "publicClient": False,
            "clientAuthenticatorType": "client-secret",
            "secret": client_secret,
            "standardFlowEnabled": True,
            "serviceAccountsEnabled": True,
            "directAccessGrantsEnabled": True,
            "authorizationServicesEnabled": True,
            "redirectUris": redirect_uris(gateway_https_endpoint),
            "protocolMappers": [group_mapper()],
        }],
        "users": [
            {
                "username": username,
                "email": email,
                "enabled": True,
                "attributes": {GROUP_ATTRIBUTE: [GROUP]},
                "credentials": [{"type": "password", "value": passwords[username], "temporary": False}],
            }
            for username, email in USERS.items()
        ],
    }


def realm_document(client_secret: str, gateway_https_endpoint: str, passwords: Mapping[str, str]) -> str:
    """The import file's content: deterministic JSON (sorted keys) so an unchanged realm shows no diff."""
    return json.dumps(realm_representation(client_secret, gateway_https_endpoint, passwords), indent=2, sort_keys=True)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Kubernetes objects ---------------------------------------------------------------------------
def keycloak_service() -> dict[str, Any]:
    """keycloak.yaml's Service, unchanged."""
    return {
        "metadata": {"name": KEYCLOAK, "namespace": KEYCLOAK_NS, "labels": {"app": KEYCLOAK}},
        "spec": {
            "ports": [{"name": "http", "port": KEYCLOAK_PORT, "targetPort": KEYCLOAK_PORT}],
            "selector": {"app": KEYCLOAK},
            "type": "LoadBalancer",
        },
    }


def keycloak_deployment(realm_checksum: pulumi.Input[str]) -> dict[str, Any]:
    """keycloak.yaml's Deployment, plus the realm import and with the admin password from a Secret.

    The readiness probe asks for the imported realm rather than `master`: ready then also means
    the realm is there.
    """
    labels = {"app": KEYCLOAK}
    return {
        "metadata": {"name": KEYCLOAK, "namespace": KEYCLOAK_NS, "labels": dict(labels)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels), "annotations": {REALM_CHECKSUM_ANNOTATION: realm_checksum}},
                "spec": {
                    "containers": [{
                        "name": KEYCLOAK,
                        "image": KEYCLOAK_IMAGE,
                        "args": ["start-dev", "--import-realm"],
                        "env": [
                            {"name": "KEYCLOAK_ADMIN", "value": KEYCLOAK_ADMIN_USER},
                            {"name": "KEYCLOAK_ADMIN_PASSWORD",
                             "valueFrom": {"secretKeyRef": {"name": ADMIN_SECRET, "key": ADMIN_PASSWORD_KEY}}},
                            {"name": "PROXY_ADDRESS_FORWARDING", "value": "true"},
                        ],
                        "ports": [{"name": "http", "containerPort": KEYCLOAK_PORT}],
                        "readinessProbe": {"httpGet": {"path": f"/realms/{KEYCLOAK_REALM}", "port": KEYCLOAK_PORT}},
                        # One file (subPath), so the import directory holds a plain .json file and none
                        # of the symlinks and hidden directories of a whole-volume Secret mount.
                        "volumeMounts": [{"name": "realm", "mountPath": f"{KEYCLOAK_IMPORT_DIR}/{REALM_FILE}",
                                          "subPath": REALM_FILE, "readOnly": True}],
                    }],
                    "volumes": [{"name": "realm", "secret": {"secretName": REALM_SECRET}}],
                },
            },
        },
    }


def _password(name: str, length: int, credentials_rotation: int, parent: pulumi.Resource) -> pulumi.Output[str]:
    generated = random.RandomPassword(name, length=length, special=False, keepers=rotation.keepers(credentials_rotation),
                                      opts=pulumi.ResourceOptions(parent=parent))
    return pulumi.Output.secret(generated.result)


@dataclass(frozen=True)
class KeycloakArgs:
    #: The management cluster (the workshop's MGMT).
    cluster: Cluster
    #: `<gateway address>:443` of the cluster whose gateway serves httpbin (for the redirect URIs).
    gateway_https_endpoint: pulumi.Input[str]
    #: `credentialsRotation`: raising it regenerates every password and the client secret.
    credentials_rotation: int


class Keycloak(pulumi.ComponentResource):
    #: The `admin` user's password, generated, secret.
    admin_password: pulumi.Output[str]
    #: The OIDC client's secret, generated, secret.
    client_secret: pulumi.Output[str]
    service: k8s.core.v1.Service
    #: Keycloak is up with the realm imported (its readiness probe asks for the realm).
    deployment: k8s.apps.v1.Deployment
    #: The Service's LoadBalancer address (the workshop's HOST_KEYCLOAK).
    host: pulumi.Output[str]
    port: int
    #: The workshop's KEYCLOAK_URL, `http://<host>:8080`.
    url: pulumi.Output[str]
    realm: str
    #: The OIDC client's id.
    client_id: str
    #: {"user1": {"password", "email"}, "user2": {...}}, secret.
    users: pulumi.Output[dict[str, dict[str, str]]]

    def __init__(self, name: str, args: KeycloakArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gloo-mesh-workshop:security:Keycloak", name, None, opts)
        cluster = args.cluster
        namespace = cluster.namespace(KEYCLOAK_NS, self)

        generation = args.credentials_rotation
        self.admin_password = _password("keycloak-admin-password", PASSWORD_LENGTH, generation, self)
        self.client_secret = _password("keycloak-client-secret", CLIENT_SECRET_LENGTH, generation, self)
        passwords = {user: _password(f"keycloak-{user}-password", PASSWORD_LENGTH, generation, self) for user in USERS}

        admin_secret = k8s.core.v1.Secret(
            cluster.resource_name(ADMIN_SECRET, KEYCLOAK_NS),
            metadata={"name": ADMIN_SECRET, "namespace": KEYCLOAK_NS},
            type="Opaque",
            data={ADMIN_PASSWORD_KEY: pulumi.Output.secret(self.admin_password.apply(b64))},
            opts=cluster.opts(self, [namespace]),
        )
        document = pulumi.Output.all(self.client_secret, args.gateway_https_endpoint, *passwords.values()).apply(
            lambda v: realm_document(v[0], v[1], dict(zip(USERS, v[2:], strict=True))))
        realm_secret = k8s.core.v1.Secret(
            cluster.resource_name(REALM_SECRET, KEYCLOAK_NS),
            metadata={"name": REALM_SECRET, "namespace": KEYCLOAK_NS},
            type="Opaque",
            data={REALM_FILE: pulumi.Output.secret(document.apply(b64))},
            opts=cluster.opts(self, [namespace]),
        )
        service = keycloak_service()
        self.service = k8s.core.v1.Service(
            cluster.resource_name(KEYCLOAK, KEYCLOAK_NS), metadata=service["metadata"], spec=service["spec"],
            opts=cluster.opts(self, [namespace]))
        # A SHA-256 of a document holding 24+ random characters reveals none of them: keep it readable
        # so a preview shows when the pod will roll.
        deployment = keycloak_deployment(pulumi.Output.unsecret(document.apply(checksum)))
        self.deployment = k8s.apps.v1.Deployment(
            cluster.resource_name(KEYCLOAK, KEYCLOAK_NS), metadata=deployment["metadata"], spec=deployment["spec"],
            opts=cluster.opts(self, [namespace, admin_secret, realm_secret]))

        self.host = load_balancer_address(self.service)
        self.port = KEYCLOAK_PORT
        self.url = self.host.apply(keycloak_url)
        self.realm = KEYCLOAK_REALM
        self.client_id = KEYCLOAK_CLIENT_ID
        self.users = pulumi.Output.secret(pulumi.Output.all(*passwords.values()).apply(
            lambda values: {user: {"password": pw, "email": USERS[user]}
                            for user, pw in zip(USERS, values, strict=True)}))
        self.register_outputs({"url": self.url, "realm": self.realm, "clientId": self.client_id})
