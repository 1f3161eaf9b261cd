"""The config keys, their defaults and the formats they take: the mirror of Pulumi.yaml's `config`
(a test keeps the two equal)."""

from __future__ import annotations

import re
from typing import Any

PROJECT = "gloo-mesh-workshop"
PLATFORMS = ("openshift", "kubernetes")
REVIEWS_VERSIONS = ("v1", "v2", "v3")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$")
#: Image references as registries and container runtimes parse them (distribution/reference
#: `reference.go`'s grammar): `<hub>/<component>:<tag>`, the hub an optional registry host (with a
#: port) and path components; a tag is at most 128 word characters, dots and dashes.
OCI_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
OCI_DOMAIN = re.compile(r"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
                        r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$")
OCI_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
#: distribution/reference `NameTotalLengthMax`; the longest image the hub prefixes is `<hub>/proxyv2`.
OCI_NAME_MAX = 255 - len("/proxyv2")
HELM_TIMEOUT_RANGE = (60, 3600)
#: Stack roles: the whole estate in one stack, or a fleet of a management stack and one stack per
#: workload cluster (docs/fleet.md).
ROLES = ("all", "management", "workload")
FLEET_ROLES = ("management", "workload")
#: A fully qualified stack name, `<organization>/<project>/<stack>`.
QUALIFIED_STACK = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
#: `generated`: the management chart generates the relay CA and token and the program copies them to
#: the agents (the workshop's way); `managed`: the program's own relay PKI (components/platform/relay_trust.py).
RELAY_TRUST_GENERATED = "generated"
RELAY_TRUST_MANAGED = "managed"
RELAY_TRUST_MODES = (RELAY_TRUST_GENERATED, RELAY_TRUST_MANAGED)
#: An Istio revision is the `istio.io/rev` label value and part of object names, the longest being the
#: lifecycle manager's operator namespace `gm-iop-<revision>`: a DNS label of at most 63 characters.
MAX_REVISION_LENGTH = 63 - len("gm-iop-")
CREDENTIALS_ROTATION_RANGE = (0, 2**31 - 1)
#: Gateway certificate lifetime, in hours: up to ten years (the workshop's is one year).
CERT_VALIDITY_RANGE = (1, 10 * 365 * 24)

DEFAULTS: dict[str, Any] = {
    "platform": "kubernetes",
    "mgmtCluster": "mgmt",
    "mgmtContext": "",
    "mgmtKubeconfig": "",
    "workloadClusters": ["cluster1", "cluster2"],
    "workloadContexts": [],
    "workloadKubeconfigs": [],
    "reviewsVersions": [],
    "httpbinCluster": "",
    "configCluster": "",
    "glooMeshVersion": "2.2.6",
    "glooMeshEnterpriseRepo": "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-enterprise",
    "glooMeshAgentRepo": "https://storage.googleapis.com/gloo-mesh-enterprise/gloo-mesh-agent",
    "istioRevision": "1-17",
    "istioHub": "us-docker.pkg.dev/gloo-mesh/istio-workshops",
    "istioTag": "1.17.1-solo",
    "istioCanaryRevision": "",
    "istioCanaryTag": "",
    "features": [],
    "externalServiceWeight": 0,
    "autoRestartPods": False,
    "helmTimeoutSeconds": 900,
    "protectPlatform": False,
    "upsertExistingObjects": True,
    "role": "all",
    "managementStack": "",
    "workloadCluster": "",
    "relayTrust": RELAY_TRUST_GENERATED,
    "credentialsRotation": 0,
    "gatewayCertValidityHours": 365 * 24,
    "gatewayCertEarlyRenewalHours": 30 * 24,
}
SECRET_KEYS = ("licenseKey",)
LIST_KEYS = frozenset(k for k, v in DEFAULTS.items() if isinstance(v, list))
KNOWN_KEYS = frozenset(DEFAULTS) | frozenset(SECRET_KEYS)
