"""Small named checks of one value or one group of keys; each adds what is wrong to a `Reader`."""

from __future__ import annotations

import re

from .keys import (
    DNS_LABEL,
    MAX_REVISION_LENGTH,
    OCI_DOMAIN,
    OCI_NAME_MAX,
    OCI_PATH_COMPONENT,
    OCI_TAG,
    SEMVER,
)
from .problems import Reader
from .settings import Versions

DNS_LABEL_RULE = "lower-case letters, digits and '-', starting and ending with a letter or digit"


def dns_label(r: Reader, key: str, value: str) -> None:
    if not DNS_LABEL.fullmatch(value):
        r.add(f"{key}: {value!r} is not a DNS label ({DNS_LABEL_RULE}, at most 63 characters)")


def revision(r: Reader, key: str, value: str) -> None:
    if not DNS_LABEL.fullmatch(value) or len(value) > MAX_REVISION_LENGTH:
        r.add(f"{key}: {value!r} is not a valid Istio revision; it is the istio.io/rev label value and part "
              f"of object names (gm-iop-<revision>), so: {DNS_LABEL_RULE}, at most {MAX_REVISION_LENGTH} "
              "characters (like 1-17)")


def semver(r: Reader, key: str, value: str) -> None:
    if not SEMVER.fullmatch(value):
        r.add(f"{key}: {value!r} is not a version like 2.2.6")


def chart_repository(r: Reader, key: str, value: str) -> None:
    if not re.fullmatch(r"(https?|oci)://[!-~]+", value):
        r.add(f"{key}: {value!r} is not a chart repository URL (https://, http:// or oci://)")


def not_empty(r: Reader, key: str, value: str) -> bool:
    if not value.strip():
        r.add(f"{key}: must not be empty")
        return False
    return True


def image_hub(r: Reader, key: str, value: str) -> None:
    """An image repository prefix: `[<registry host>[:<port>]/]<path>[/<path>...]`, lower-case paths."""
    if not not_empty(r, key, value):
        return
    parts = value.split("/")
    first_is_domain = len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost")
    paths = parts[1:] if first_is_domain else parts
    valid = (not first_is_domain or OCI_DOMAIN.fullmatch(parts[0])) and all(
        OCI_PATH_COMPONENT.fullmatch(p) for p in paths)
    if not valid or len(value) > OCI_NAME_MAX:
        r.add(f"{key}: {value!r} is not an image repository (like us-docker.pkg.dev/gloo-mesh/istio-workshops): "
              "an optional registry host (with a port), then '/'-separated lower-case letters and digits joined "
              f"by '.', '_', '__' or '-', at most {OCI_NAME_MAX} characters")


def image_tag(r: Reader, key: str, value: str) -> None:
    if not not_empty(r, key, value):
        return
    if not OCI_TAG.fullmatch(value):
        r.add(f"{key}: {value!r} is not an image tag (like 1.17.1-solo): ASCII letters, digits, '_', '.' and "
              "'-', not starting with '.' or '-', at most 128 characters")


def versions(r: Reader, v: Versions) -> None:
    semver(r, "glooMeshVersion", v.gloo_mesh)
    revision(r, "istioRevision", v.istio_revision)
    canary(r, v)
    chart_repository(r, "glooMeshEnterpriseRepo", v.enterprise_repo)
    chart_repository(r, "glooMeshAgentRepo", v.agent_repo)
    image_hub(r, "istioHub", v.istio_hub)
    image_tag(r, "istioTag", v.istio_tag)


def canary(r: Reader, v: Versions) -> None:
    """A canary is a second, different revision with its own image tag; a tag alone installs nothing."""
    revision_, tag = v.istio_canary_revision, v.istio_canary_tag
    if revision_ is None:
        if tag is not None:
            r.add(f"istioCanaryTag: {tag!r} is set without istioCanaryRevision; a canary tag needs the canary "
                  "revision it installs (set both, or neither)")
        return
    revision(r, "istioCanaryRevision", revision_)
    if revision_ == v.istio_revision:
        r.add(f"istioCanaryRevision: {revision_!r} is the active revision (istioRevision); a canary is a second "
              "revision beside it, so it needs another name (like 1-18)")
    if tag is None:
        r.add(f"istioCanaryTag: missing; istioCanaryRevision {revision_!r} needs the image tag it installs "
              "(like 1.18.2-solo)")
    else:
        image_tag(r, "istioCanaryTag", tag)
