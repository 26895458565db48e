from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shiplint.sources.imageref import ImageRef, parse_image_ref

DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_docker_hub_short_names():
    ref = parse_image_ref("nginx")
    assert ref == ImageRef(None, "nginx", None, None, False)
    assert ref.effective_registry == "docker.io"
    assert ref.normalized_repository == "library/nginx"
    assert ref.is_latest_or_untagged and not ref.pinned
    ref = parse_image_ref("bitnami/redis:7.2")
    assert (ref.registry, ref.repository, ref.tag) == (None, "bitnami/redis", "7.2")
    assert ref.normalized_repository == "bitnami/redis"
    assert not ref.is_latest_or_untagged


def test_registry_detection():
    assert parse_image_ref("gcr.io/proj/app:v1").registry == "gcr.io"
    assert parse_image_ref("localhost/app").registry == "localhost"
    ref = parse_image_ref("localhost:5000/team/app:1.0")
    assert (ref.registry, ref.repository, ref.tag) == ("localhost:5000", "team/app", "1.0")
    ref = parse_image_ref("myregistry:5000/app")
    assert (ref.registry, ref.repository, ref.tag) == ("myregistry:5000", "app", None)
    assert parse_image_ref("library/app").registry is None
    assert parse_image_ref("docker.io/library/app").effective_registry == "docker.io"


def test_digests():
    ref = parse_image_ref(f"alpine:3.19@{DIGEST}")
    assert (ref.tag, ref.digest, ref.digest_valid, ref.pinned) == ("3.19", DIGEST, True, True)
    assert not ref.is_latest_or_untagged
    ref = parse_image_ref(f"ghcr.io/o/app@{DIGEST}")
    assert ref.pinned and ref.tag is None and ref.registry == "ghcr.io"
    for bad in ("sha256:<digest>", "sha256:" + "A" * 64, "sha256:abc", "sha256:" + "0" * 65, "md5:" + "0" * 32):
        ref = parse_image_ref("app@" + bad)
        assert ref.digest == bad and not ref.digest_valid and not ref.pinned
        assert not ref.is_latest_or_untagged
    ref = parse_image_ref("app@sha512:" + "a" * 128)
    assert ref.digest_valid and not ref.pinned


def test_latest_and_validity():
    assert parse_image_ref("app:latest").is_latest_or_untagged
    assert parse_image_ref("app:latest").is_valid
    assert not parse_image_ref("%%BASE%%").is_valid
    assert not parse_image_ref("App:1").is_valid
    assert not parse_image_ref("{{.Image}}").is_valid
    assert not parse_image_ref("").is_valid
    assert str(parse_image_ref(f"localhost:5000/a/b:1@{DIGEST}")) == f"localhost:5000/a/b:1@{DIGEST}"


@given(st.text(max_size=100))
def test_never_raises(s):
    ref = parse_image_ref(s)
    assert isinstance(ref.pinned, bool) and isinstance(ref.is_valid, bool)
