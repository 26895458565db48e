"""Dockerfile rules on the inputs where real repositories showed them wrong: each test writes a
small repository (several services, as a monorepo holds them) and pins the exact findings."""

from __future__ import annotations

from pathlib import Path

from conftest import lint_files

PIN = "@sha256:" + "ab" * 32


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path


def _found(tmp_path, select, **options):
    report = lint_files([tmp_path], select=select, root=tmp_path, **options)
    return sorted((f.path, f.code, f.region.line, f.region.column) for f in report.findings)


def test_an_arch_variable_without_default_in_a_tag_is_not_a_pin(tmp_path):
    _repo(tmp_path, {
        "Makefile": "docker-build:\n\tdocker buildx build --build-arg ARCH=amd64 .\n",
        "cmd/manager/main.go": "package main\nfunc main() {}\n",
        "Dockerfile": (
            f"FROM golang:1.22{PIN} AS builder\n"
            "ARG TARGETOS\n"
            "ARG ARCH\n"
            "WORKDIR /workspace\n"
            "COPY cmd/ cmd/\n"
            "RUN CGO_ENABLED=0 GOARCH=${ARCH} go build -o manager cmd/manager/main.go\n"
            "\n"
            "FROM gcr.io/distroless/static:latest-$ARCH\n"
            "COPY --from=builder /workspace/manager /manager\n"
            "USER 65532:65532\n"
            'ENTRYPOINT ["/manager"]\n'
        ),
        # a variable that is the whole reference may hold a digest: nothing is guessed
        "tools/Dockerfile": "ARG BASE\nFROM $BASE\nRUN true\n",
    })
    found = _found(tmp_path, ["DF101"])
    assert found == [("Dockerfile", "DF101", 8, 6)]
    report = lint_files([tmp_path / "Dockerfile"], select=["DF101"], root=tmp_path)
    assert "ARCH" in report.findings[0].message


def test_images_pulled_by_copy_from_and_mount_from_are_held_to_the_base_image_rules(tmp_path):
    _repo(tmp_path, {
        "services/api/Dockerfile": (
            "# syntax=docker/dockerfile:1.7\n"
            f"FROM golang:1.22{PIN} AS build\n"
            "WORKDIR /src\n"
            "RUN --mount=type=bind,from=ghcr.io/acme/protoc:25.1,source=/bin/protoc,target=/usr/local/bin/protoc \\\n"
            "    go generate ./... && go build -o /out/api ./cmd/api\n"
            "\n"
            f"FROM gcr.io/distroless/static:nonroot{PIN}\n"
            "COPY --from=build /out/api /api\n"
            "COPY --from=busybox:latest /bin/wget /bin/wget\n"
            f"COPY --from=docker.io/library/alpine:3.20{PIN} /etc/ssl/certs /etc/ssl/certs\n"
            "USER 65532\n"
            'ENTRYPOINT ["/api"]\n'
        ),
        "services/web/Dockerfile": (
            f"FROM node:20{PIN} AS deps\n"
            "RUN --mount=type=cache,target=/root/.npm npm ci\n"
            f"FROM nginx:1.27{PIN}\n"
            "COPY --from=deps /node_modules /srv/node_modules\n"
            "COPY --from=1 /etc/nginx /etc/nginx\n"
        ),
    })
    found = _found(tmp_path, ["DF101", "DF102", "DF104"], rule_options={
        "DF104": {"trusted-registries": ["docker.io/library", "gcr.io/distroless", "ghcr.io/acme"]}})
    assert found == [
        ("services/api/Dockerfile", "DF101", 4, 23),  # the from= part of the mount
        ("services/api/Dockerfile", "DF101", 9, 6),
        ("services/api/Dockerfile", "DF102", 9, 6),
    ]
    # the allow-list is no longer bypassed through COPY --from
    found = _found(tmp_path, ["DF104"], rule_options={"DF104": {"trusted-registries": ["docker.io/library"]}})
    assert found == [
        ("services/api/Dockerfile", "DF104", 4, 23),
        ("services/api/Dockerfile", "DF104", 7, 6),
    ]


def test_package_caches_cleaned_in_the_right_order_in_the_shipped_stages_only(tmp_path):
    _repo(tmp_path, {
        "backend/Dockerfile": (
            f"FROM rust:1.79{PIN} AS dev-envs\n"
            "RUN apt-get update && apt-get install -y git\n"  # a --target for dev environments
            "\n"
            f"FROM rust:1.79{PIN} AS builder\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends protobuf-compiler\n"
            "\n"
            f"FROM fedora:40{PIN}\n"
            "RUN yum clean all && yum install -y python3\n"
            "RUN rm -rf /var/cache/libdnf5 && dnf install -y gcc\n"
            "RUN dnf in -y make && dnf clean all\n"
            "RUN dnf rei -y bash\n"
            "RUN export PIP_NO_CACHE_DIR=1 && pip install flask\n"
            "RUN pip install requests && export PIP_NO_CACHE_DIR=1\n"
            "COPY --from=builder /usr/bin/protoc /usr/bin/protoc\n"
            "USER 1000\n"
        ),
        "frontend/Dockerfile": (
            f"FROM debian:12{PIN}\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*\n"
            "USER 101\n"
        ),
    })
    assert _found(tmp_path, ["DF402"]) == [
        ("backend/Dockerfile", "DF402", 8, 22),
        ("backend/Dockerfile", "DF402", 9, 34),
        ("backend/Dockerfile", "DF402", 11, 5),
        ("backend/Dockerfile", "DF402", 13, 5),
    ]


def test_onbuild_installs_and_quoted_archives(tmp_path):
    _repo(tmp_path, {
        "base/Dockerfile": (
            f"FROM debian:12{PIN} AS unused\n"
            "RUN apt-get update && apt-get install -y make && rm -rf /var/lib/apt/lists/*\n"
            f"FROM debian:12{PIN}\n"
            'ADD "vendor.tgz" /opt/vendor/\n'
            'ADD "notes.txt" /opt/\n'
            "ONBUILD RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
            "USER 1000\n"
        ),
        "base/vendor.tgz": "",
        "base/notes.txt": "notes\n",
    })
    assert _found(tmp_path, ["DF403", "DF405"]) == [
        ("base/Dockerfile", "DF403", 6, 31),
        ("base/Dockerfile", "DF405", 5, 1),
    ]


def test_an_empty_tag_before_a_digest_is_an_invalid_reference(tmp_path):
    # what a kustomize-style 'newTag: "@sha256:…"' habit produces when copied into a Dockerfile
    _repo(tmp_path, {
        "Dockerfile": (
            f"FROM golang:1.22{PIN} AS build\n"
            "RUN go build -o /out/app .\n"
            f"FROM gcr.io/distroless/static:nonroot{PIN}\n"
            f"COPY --from=ghcr.io/acme/certs:{PIN} /etc/ssl /etc/ssl\n"
            "COPY --from=build /out/app /app\n"
        ),
        "main.go": "package main\nfunc main() {}\n",
    })
    assert _found(tmp_path, ["DF101", "DF103"]) == [("Dockerfile", "DF103", 4, 6)]
