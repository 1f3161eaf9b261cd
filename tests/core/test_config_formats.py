"""String formats checked the way Kubernetes and the registries will, and config as Pulumi delivers it
(every value a string; list keys JSON)."""

from __future__ import annotations

from typing import Any

import pytest

from components.core.config import LIST_KEYS, ConfigError, decode_value, parse_settings
from offline import ROOT

VALID = {"licenseKey": "license"}

# The image reference grammar (distribution/reference `reference.go`): name := [domain '/']
# path-component ['/' path-component]*; domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
# with an optional ':' port; path-component := /[a-z0-9]+/ joined by /[_.]|__|[-]*/; tag := /[\w][\w.-]{0,127}/;
# a name is at most 255 characters (NameTotalLengthMax).


def problems(**values: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings({**VALID, **values})
    return caught.value.problems


@pytest.mark.parametrize("hub", [
    "us-docker.pkg.dev/gloo-mesh/istio-workshops", "docker.io/istio", "istio", "localhost:5000/istio",
    "Registry.Example.COM:443/a__b/c.d/e--f", "10.0.0.1:5000/mirror",
])
def test_valid_image_hubs_are_accepted(hub: str) -> None:
    assert parse_settings({**VALID, "istioHub": hub}).versions.istio_hub == hub


@pytest.mark.parametrize("hub", [
    "docker.io/Istio", "docker.io/istio/", "docker.io//istio", "-docker.io/istio", "docker.io/ist_-io",
    "docker.io/istiö", "https://docker.io/istio", "docker.io/istio:1.17", "docker.io/istio workshops",
    "r.io/" + "a" * 247, "docker.io/istio\n",
])
def test_invalid_image_hubs_name_the_key_and_the_format(hub: str) -> None:
    assert problems(istioHub=hub) == [
        f"istioHub: {hub!r} is not an image repository (like us-docker.pkg.dev/gloo-mesh/istio-workshops): an "
        "optional registry host (with a port), then '/'-separated lower-case letters and digits joined by '.', "
        "'_', '__' or '-', at most 247 characters"]


def test_the_longest_hub_the_registry_name_limit_admits_is_accepted() -> None:
    hub = "r.io/" + "a" * 242  # 247 characters: with "/proxyv2" the image name is 255, the limit
    assert parse_settings({**VALID, "istioHub": hub}).versions.istio_hub == hub


@pytest.mark.parametrize("tag", ["1.17.1-solo", "latest", "_x", "A" * 128, "1.18.2-solo.fips_1"])
def test_valid_image_tags_are_accepted(tag: str) -> None:
    assert parse_settings({**VALID, "istioTag": tag}).versions.istio_tag == tag


@pytest.mark.parametrize(("key", "extra"), [("istioTag", {}),
                                            ("istioCanaryTag", {"istioCanaryRevision": "1-18"})])
@pytest.mark.parametrize("tag", ["A" * 129, "a" * 300, "1.17.1-sölo", ".hidden", "-x", "1.17:1", "1.17\n"])
def test_invalid_image_tags_name_the_key_and_the_format(key: str, extra: dict[str, str], tag: str) -> None:
    assert problems(**{key: tag}, **extra) == [
        f"{key}: {tag!r} is not an image tag (like 1.17.1-solo): ASCII letters, digits, '_', '.' and '-', "
        "not starting with '.' or '-', at most 128 characters"]


@pytest.mark.parametrize("key", ["istioHub", "istioTag"])
def test_an_empty_hub_or_tag_is_one_problem(key: str) -> None:
    assert problems(**{key: " "}) == [f"{key}: must not be empty"]


@pytest.mark.parametrize("revision", ["1-17\n", "１-17", "1_17", "A-17"])
def test_a_revision_is_an_ascii_dns_label_with_nothing_after_it(revision: str) -> None:
    assert [p.split(";")[0] for p in problems(istioRevision=revision)] == [
        f"istioRevision: {revision!r} is not a valid Istio revision"]


@pytest.mark.parametrize("name", ["cluster1\n", "clüster"])
def test_a_cluster_name_is_an_ascii_dns_label_with_nothing_after_it(name: str) -> None:
    assert problems(mgmtCluster=name) == [
        f"mgmtCluster: {name!r} is not a DNS label (lower-case letters, digits and '-', starting and ending with "
        "a letter or digit, at most 63 characters)"]


@pytest.mark.parametrize("version", ["２.２.６", "2.2.6\n", "2.2"])
def test_the_gloo_mesh_version_is_ascii_digits(version: str) -> None:
    assert problems(glooMeshVersion=version) == [f"glooMeshVersion: {version!r} is not a version like 2.2.6"]


@pytest.mark.parametrize("repo", ["https://charts.example.com/ü", "https://a b", "ftp://x"])
def test_a_chart_repository_is_an_ascii_url(repo: str) -> None:
    assert problems(glooMeshAgentRepo=repo) == [
        f"glooMeshAgentRepo: {repo!r} is not a chart repository URL (https://, http:// or oci://)"]


@pytest.mark.parametrize("key", sorted(LIST_KEYS - {"reviewsVersions"}))
def test_a_plain_string_for_a_list_key_is_reported_as_not_a_list(key: str) -> None:
    # Pulumi hands every value to the program as a string; a list key's value is JSON (`pulumi config
    # set` without --path stores the text as given). "g" is valid JSON for nothing but a string.
    assert problems(**{key: decode_value(key, '"g"')}) == [f"{key}: expected a list of strings, got 'g'"]


def test_a_plain_string_for_reviews_versions_is_reported_as_not_a_list() -> None:
    assert problems(reviewsVersions=decode_value("reviewsVersions", '"v1"')) == [
        "reviewsVersions: expected one list per workload cluster of versions from v1, v2, v3, got 'v1'"]


@pytest.mark.parametrize("key", sorted(LIST_KEYS - {"reviewsVersions"}))
def test_invalid_json_for_a_list_key_is_reported_not_replaced_by_the_default(key: str) -> None:
    assert problems(**{key: decode_value(key, "[cluster1, cluster2")}) == [
        f"{key}: '[cluster1, cluster2' is not valid JSON (Expecting value at column 2); expected a list of "
        'strings like ["a", "b"] (`pulumi config set --path` or a YAML list in the stack file)']


def test_a_string_that_is_not_json_for_a_non_list_key_is_left_as_it_is() -> None:
    assert decode_value("istioTag", "[1.17") == "[1.17"


def test_the_license_never_shows_in_the_settings_repr() -> None:
    settings = parse_settings({"licenseKey": "LICENSE-abc123"})
    assert settings.license_key == "LICENSE-abc123"
    assert "LICENSE-abc123" not in repr(settings) and "license_key" not in repr(settings)


def test_settings_have_no_mgmt_is_workload_shortcut() -> None:
    # The program asks `declares_cluster` and the cluster list; a second way to ask went unused.
    assert not hasattr(parse_settings(VALID), "mgmt_is_workload")


def test_the_config_package_keeps_its_import_path_and_no_function_over_forty_lines() -> None:
    import ast

    package = ROOT / "components" / "core" / "config"
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno + 1 <= 40, f"{module.name}:{node.name}"  # type: ignore[operator]
    import components.core.config as config

    assert config.__file__ == str(package / "__init__.py")
