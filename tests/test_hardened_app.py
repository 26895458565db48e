"""The hardened multi-file application (Deployment, Service, PDB, HPA, NetworkPolicies, RBAC,
ConfigMap and the Flux objects that deploy it) gives no finding with every rule enabled; and
each second-wave rule fires once the matching practice is removed, so that the silence is not
an accident of the rules never running."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, lint_files

APP = FIXTURES / "hardened-app"


#: KV105 is a coverage note, not a practice: the Flux kinds' schemas come with their CRDs, which an
#: application repository does not hold (the note is checked on its own below)
NOT_PRACTICES = ["KV105"]


def test_hardened_application_gives_no_finding():
    report = lint_files([APP], root=APP, ignore=NOT_PRACTICES)
    assert len(report.files) == 8
    assert [f"{f.path}:{f.region.line} {f.code} {f.message}" for f in report.findings] == []
    assert not [n for n in report.notifications if n.kind == "internal-error"]


def test_the_flux_kinds_are_noted_as_unvalidated_without_their_crds():
    kinds = {f.message.split(" ", 1)[0] for f in lint_files([APP], root=APP, select=["KV105"]).findings}
    assert {"GitRepository", "HelmRelease"} <= kinds


BREAKS = [
    # (file, text, replacement, rule that must then fire)
    ("app/networkpolicy.yaml", "  podSelector: {}\n", "  podSelector: { matchLabels: { app: other } }\n", "KS705"),
    ("app/deployment.yaml", "      topologySpreadConstraints:", "      topologySpreadConstraintz:", "KS613"),
    ("app/rbac.yaml", "    resources: [configmaps]", "    resources: [configmaps, secrets]", "KS902"),
    ("app/rbac.yaml", "    name: api\n    namespace: app\n", "    name: default\n    namespace: app\n", "KS905"),
    ("app/configmap.yaml", "  DB_PASSWORD_FILE: /var/run/secrets/db/password", "  DB_PASSWORD: hunter2-prod", "KS506"),
    ("clusters/production/flux.yaml", "  prune: true\n", "", "FX101"),
    ("clusters/production/flux.yaml", "  wait: true\n", "", "FX102"),
    ("clusters/production/flux.yaml", "      version: 4.11.3", "      version: 4.x", "FX104"),
    ("app/deployment.yaml", ' # {"$imagepolicy": "flux-system:api"}', "", "FX105"),
]


@pytest.mark.parametrize("rel,old,new,code", BREAKS, ids=[b[3] for b in BREAKS])
def test_removing_a_practice_fires_its_rule(tmp_path, rel, old, new, code):
    app = tmp_path / "app-copy"
    shutil.copytree(APP, app)
    path = app / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    report = lint_files([app], root=app, ignore=NOT_PRACTICES)
    assert code in {f.code for f in report.findings}


def test_sops_file_in_the_flux_path_needs_decryption(tmp_path):
    app = tmp_path / "app-copy"
    shutil.copytree(APP, app)
    (app / "app" / "db-secret.enc.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: app}\n"
        "stringData:\n  password: ENC[AES256_GCM,data:Tr7o1Q==,iv:1Hxe8Q==,tag:Zm9vYmFy,type:str]\n"
        "sops:\n  lastmodified: '2024-05-01T10:00:00Z'\n  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]\n"
        "  version: 3.8.1\n", encoding="utf-8")
    found = [f for f in lint_files([app], root=app, select=["FX103"]).findings]
    assert [(f.path, f.region.line) for f in found] == [("clusters/production/flux.yaml", 19)]  # its path
    assert "app/db-secret.enc.yaml" in found[0].message
    flux = app / "clusters" / "production" / "flux.yaml"
    flux.write_text(flux.read_text().replace("  wait: true\n", "  wait: true\n  decryption: {provider: sops}\n"))
    assert not lint_files([app], root=app, select=["FX103"]).findings
