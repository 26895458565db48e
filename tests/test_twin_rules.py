"""Twin rules judge an image the same way in a Dockerfile and in a manifest: DF103/KS103 (is the
digest a valid pin) and DF104/KS104 (is the source trusted) run on the same table of references,
through the real rules, and must agree with each other and with the table."""

from __future__ import annotations

import pytest

from conftest import lint_text

HEX = "0123456789abcdef" * 4
DIGESTS = [  # (reference, a digest finding is expected)
    (f"nginx@sha256:{HEX}", False),
    (f"ghcr.io/acme/api:1.3.0@sha256:{HEX}", False),
    ("nginx:1.27", False),
    ("nginx@sha256:<digest>", True),
    (f"nginx@sha256:{HEX.upper()}", True),
    (f"nginx@sha512:{HEX * 2}", True),
    (f"nginx@sha256:{HEX[:-1]}", True),
    ("nginx@abc123", True),
    ("nginx@", True),
]

TRUSTED = ["ghcr.io/acme", "*.dkr.ecr.eu-west-1.amazonaws.com", "docker.io/library",
           "https://Registry.Local:5000/"]
SOURCES = [  # (reference, trusted by TRUSTED)
    ("ghcr.io/acme/api:1.3.0", True),
    ("GHCR.io/acme/api:1.3.0", True),
    ("ghcr.io/acme-labs/api:1.3.0", False),  # a prefix matches at a path boundary only
    ("ghcr.io/other/api:1.3.0", False),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.3.0", True),
    ("dkr.ecr.eu-west-1.amazonaws.com/api:1.3.0", False),  # `*.` needs one more label
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.3.0", False),
    ("nginx:1.27", True),  # docker.io/library/nginx
    ("docker.io/nginx:1.27", True),
    ("index.docker.io/library/nginx:1.27", True),
    ("bitnami/redis:7.2", False),
    ("registry.local:5000/team/app:2", True),
    ("registry.local/team/app:2", False),  # another port is another registry
    ("quay.io/prometheus/node-exporter:v1.8.0", False),
]


def _fires(tmp_path, code: str, image: str, **options) -> bool:
    if code.startswith("DF"):
        text, name = f"FROM {image}\n", "Dockerfile"
    else:
        text, name = ("apiVersion: v1\nkind: Pod\nmetadata: {name: api}\nspec:\n  containers:\n"
                      f"    - name: api\n      image: \"{image}\"\n"), "pod.yaml"
    found = lint_text(tmp_path / code, text, name, select=[code], **options)
    return any(f.code == code for f in found)


@pytest.mark.parametrize("image, expected", DIGESTS)
def test_digest_twins_agree(tmp_path, image, expected):
    assert (_fires(tmp_path, "DF103", image), _fires(tmp_path, "KS103", image)) == (expected, expected)


@pytest.mark.parametrize("option", [TRUSTED, ", ".join(TRUSTED)], ids=["list", "comma-separated"])
@pytest.mark.parametrize("image, trusted", SOURCES)
def test_registry_twins_agree(tmp_path, image, trusted, option):
    options = {"rule_options": {"DF104": {"trusted-registries": option}, "KS104": {"trusted-registries": option}}}
    got = (_fires(tmp_path, "DF104", image, **options), _fires(tmp_path, "KS104", image, **options))
    assert got == (not trusted, not trusted)


def test_registry_twins_are_inactive_until_configured(tmp_path):
    assert not _fires(tmp_path, "DF104", "quay.io/x/y:1") and not _fires(tmp_path, "KS104", "quay.io/x/y:1")
