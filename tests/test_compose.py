"""Docker Compose and Swarm stack files: recognition, merging of override files with findings on
the file that set the value, interpolation, bad input, the seeds' examples and public files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_files, lint_text, run_shiplint

SEEDS = FIXTURES / "compose" / "seeds"
PUBLIC = FIXTURES / "compose" / "public"
DIGEST = "sha256:" + "ab" * 32


def _pairs(report, base: Path) -> dict:
    out: dict = {}
    for f in report.findings:
        out.setdefault(str(Path(f.path)), []).append((f.code, f.region.line))
    return {k: sorted(v) for k, v in out.items()}


# -- the seeds' examples, as files -----------------------------------------------------------------
# What seeds 002 [4.1], [4.2], [5.2], [7.3] and 004 [4.5] warn about: passwords in `environment`,
# images by tag, no healthcheck, no memory limit, no restart policy, no no-new-privileges,
# databases published on every interface, Swarm updates that neither roll back nor start first.
SEED_FINDINGS = {
    "002-compose/docker-compose.override.yml": [("DC404", 19), ("DC404", 23)],
    "002-compose/docker-compose.yml": [
        ("DC101", 26), ("DC101", 44), ("DC101", 53),
        ("DC205", 5), ("DC205", 25), ("DC205", 43), ("DC205", 52),
        ("DC301", 11), ("DC301", 30),  # DATABASE_URL with a password, POSTGRES_PASSWORD=password
        ("DC401", 43), ("DC401", 52),  # redis and nginx: no healthcheck (web and db have one)
        ("DC403", 5), ("DC403", 25), ("DC403", 43), ("DC403", 52)],
    "002-swarm/docker-compose.swarm.yml": [
        ("DC101", 6), ("DC101", 41), ("DC101", 58),
        ("DC205", 5), ("DC205", 40), ("DC205", 57),
        ("DC401", 5), ("DC401", 40), ("DC401", 57),
        ("DC402", 40), ("DC402", 57),  # web has deploy.restart_policy
        ("DC403", 45), ("DC403", 59),  # web has limits.memory
        ("DC501", 45), ("DC501", 59),  # web rolls back
        ("DC502", 18), ("DC502", 45), ("DC502", 59)],
    "004-compose/docker-compose.yml": [
        ("DC101", 32), ("DC101", 43),
        ("DC205", 4), ("DC205", 15), ("DC205", 31), ("DC205", 42),
        ("DC301", 36),
        ("DC401", 4), ("DC401", 15), ("DC401", 31), ("DC401", 42),
        ("DC402", 4), ("DC402", 15), ("DC402", 31), ("DC402", 42),
        ("DC403", 4), ("DC403", 15), ("DC403", 31), ("DC403", 42)],
}


def test_seed_examples_get_exactly_what_the_seeds_warn_about(tmp_path):
    for name in ("002-compose", "002-swarm", "004-compose"):
        shutil.copytree(SEEDS / name, tmp_path / name)
    report = lint_files([tmp_path], root=tmp_path)
    assert _pairs(report, tmp_path) == SEED_FINDINGS


def test_hardened_seed_examples_are_clean(tmp_path):
    shutil.copytree(SEEDS / "hardened", tmp_path / "hardened")
    report = lint_files([tmp_path], root=tmp_path)
    assert [(f.path, f.code, f.region.line) for f in report.findings] == []


# -- recognition -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["compose.yaml", "docker-compose.prod.yml", "app.compose.yml", "docker-stack.yml",
                                  "services.yaml"])
def test_compose_files_are_read_by_name_or_shape(tmp_path, name):
    text = "services:\n  web:\n    image: nginx\n"
    assert [(f.code, f.region.line) for f in lint_text(tmp_path, text, name, select=["DC102"])] == [("DC102", 3)]


def test_other_yaml_without_apiversion_stays_quiet(tmp_path):
    text = "services:\n  - name: web\nsettings:\n  image: nginx\n"
    assert lint_text(tmp_path, text, "config.yaml") == []
    assert lint_text(tmp_path, "services:\n  web:\n    port: 80\n", "app-config.yaml") == []


def test_a_broken_compose_file_is_sl001_at_its_position_and_the_run_goes_on(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "compose.yaml").write_text("services:\n  web:\n    image: [nginx\n", encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    report = lint_files([tmp_path], root=tmp_path)
    codes = {(f.path, f.code) for f in report.findings}
    assert ("a/compose.yaml", "SL001") in codes
    assert ("b/compose.yaml", "DC102") in codes
    sl001 = next(f for f in report.findings if f.code == "SL001")
    assert (sl001.region.line, sl001.region.column) == (4, 1)  # where libyaml finds the flow unclosed


def test_duplicate_keys_are_reported(tmp_path):
    text = "services:\n  web:\n    image: nginx:1.27\n    image: nginx:1.28\n"
    found = lint_text(tmp_path, text, "compose.yaml", select=["SL002"])
    assert [(f.code, f.region.line) for f in found] == [("SL002", 4)]


# -- override files --------------------------------------------------------------------------------
BASE = f"""\
services:
  web:
    image: example/web:1.0@{DIGEST}
    restart: unless-stopped
  db:
    image: postgres:16.4
    environment:
      POSTGRES_USER: app
"""
OVERRIDE = """\
services:
  web:
    privileged: true
  db:
    image: postgres:16.4@sha256:%s
    ports:
      - "5432:5432"
    environment:
      - POSTGRES_PASSWORD=password
""" % ("cd" * 32)


def _project(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(BASE, encoding="utf-8")
    (tmp_path / "docker-compose.override.yml").write_text(OVERRIDE, encoding="utf-8")


def test_override_is_merged_and_findings_land_in_the_file_that_set_the_value(tmp_path):
    _project(tmp_path)
    report = lint_files([tmp_path], select=["DC101", "DC201", "DC301", "DC404", "DC402"], root=tmp_path)
    got = sorted((f.path, f.code, f.region.line, f.region.column) for f in report.findings)
    assert got == [
        ("docker-compose.override.yml", "DC201", 3, 17),
        ("docker-compose.override.yml", "DC301", 9, 9),
        ("docker-compose.override.yml", "DC404", 7, 9),
        # db has no restart: reported at the service's key in the base file
        ("docker-compose.yml", "DC402", 5, 3),
    ]  # and no DC101: the override pins db's image by digest


def test_an_override_checked_alone_is_merged_onto_its_base(tmp_path):
    _project(tmp_path)
    report = lint_files([tmp_path / "docker-compose.override.yml"], select=["DC101", "DC201", "DC402"], root=tmp_path)
    assert sorted((f.path, f.code) for f in report.findings) == [("docker-compose.override.yml", "DC201")]


def test_an_override_without_its_base_is_a_fragment_judged_on_what_it_sets(tmp_path):
    # an override kept in a sub-directory, to be copied beside the base: its services only add to
    # ones defined elsewhere, so nothing it leaves out is known to be missing
    frag = tmp_path / "extras" / "docker-compose.override.yml"
    frag.parent.mkdir()
    frag.write_text("services:\n  api:\n    build: ./api\n  exporter:\n    image: example/exp:latest\n"
                    "    privileged: true\n", encoding="utf-8")
    absent = ["DC205", "DC401", "DC402", "DC403", "DC501", "DC502"]
    report = lint_files([tmp_path], select=absent + ["DC102", "DC201"], root=tmp_path)
    assert sorted((f.code, f.region.line) for f in report.findings) == [("DC102", 5), ("DC201", 6)]
    # the same file beside its base is merged and judged whole
    (frag.parent / "docker-compose.yml").write_text("services:\n  api:\n    image: example/api:1.0\n",
                                                     encoding="utf-8")
    report = lint_files([tmp_path], select=["DC402"], root=tmp_path)
    assert sorted((f.path, f.region.line) for f in report.findings) == [
        ("extras/docker-compose.override.yml", 4), ("extras/docker-compose.yml", 2)]


def test_configured_projects_merge_like_dash_f(tmp_path):
    (tmp_path / "base.yml").write_text("services:\n  web:\n    image: nginx:1.27\n", encoding="utf-8")
    (tmp_path / "prod.yml").write_text("services:\n  web:\n    privileged: true\n", encoding="utf-8")
    (tmp_path / ".shiplint.yaml").write_text("compose-projects:\n  - [base.yml, prod.yml]\n", encoding="utf-8")
    res = run_shiplint("check", "--select", "DC201,DC102", "--format", "json", ".", cwd=tmp_path)
    data = json.loads(res.out)
    findings = data["findings"] if isinstance(data, dict) else data
    assert [(f["path"], f["code"]) for f in findings] == [("prod.yml", "DC201")], res.err


# -- interpolation ---------------------------------------------------------------------------------
def test_interpolation():
    from shiplint.model.compose import interpolate

    assert interpolate("${TAG:-1.2}").text == "1.2"
    assert interpolate("${TAG-1.2}").text == "1.2"
    assert not interpolate("${TAG}").complete
    assert not interpolate("$TAG").complete
    assert interpolate("a$$b").text == "a$b" and not interpolate("a$$b").variables
    assert interpolate("${A:+x}").text == ""
    assert interpolate("plain").variables is False


def test_an_image_from_a_variable_without_default_is_not_judged(tmp_path):
    text = "services:\n  web:\n    image: ${IMAGE}\n  api:\n    image: example/api:${TAG:-latest}\n"
    found = lint_text(tmp_path, text, "compose.yaml", select=["DC101", "DC102"])
    assert sorted((f.code, f.region.line) for f in found) == [("DC101", 5), ("DC102", 5)]


def test_dc001_does_not_judge_values_from_variables_nor_print_values(tmp_path):
    text = ("services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: ${N:-2}\n"
            "    healthcheck: SuperSecretValue42\n")
    found = lint_text(tmp_path, text, "compose.yaml", select=["DC001"])
    assert [(f.region.line, f.region.column) for f in found] == [(6, 18)]
    assert "SuperSecretValue42" not in found[0].message


def test_dc001_values_from_variables_are_not_duplicates_and_do_not_hide_their_siblings(tmp_path):
    # ${A} and ${B} are two ports once interpolated; before that, the failed uniqueness of the
    # list made every key of the service "unevaluated" in the schema
    text = ("services:\n  ad:\n    image: x/ad:1\n    build:\n      context: .\n      dockerfile: ${DF}\n"
            "    ports:\n      - \"${A}\"\n      - \"${B}\"\n    depends_on:\n      db:\n"
            "        condition: service_started\n  db:\n    image: x/db:1\n")
    assert lint_text(tmp_path, text, "compose.yaml", select=["DC001"]) == []
    # the same text twice is a duplicate, and a misspelt key beside it is still named
    text = ("services:\n  ad:\n    image: x/ad:1\n    ports:\n      - \"${A}\"\n      - \"${A}\"\n"
            "    depends_on: [db]\n    restrat: always\n  db:\n    image: x/db:1\n")
    found = lint_text(tmp_path, text, "compose.yaml", select=["DC001"])
    assert sorted((f.region.line, f.message) for f in found) == [
        (5, "services.ad.ports: does not satisfy uniqueItems true"),
        (8, "services.ad.restrat: key not allowed by the Compose Specification")]


def test_dc001_an_empty_layer_beside_a_base_file_is_not_refused(tmp_path):
    # Compose refuses an empty project, not an empty file among the -f files
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n", encoding="utf-8")
    (tmp_path / "compose.extras.yaml").write_text("# a seam for forks\n", encoding="utf-8")
    assert lint_files([tmp_path], select=["DC001"], root=tmp_path).findings == []
    (tmp_path / "compose.yaml").unlink()
    found = lint_files([tmp_path], select=["DC001"], root=tmp_path).findings
    assert [(f.path, f.message) for f in found] == [("compose.extras.yaml", "the Compose file is empty")]


def test_anchors_merges_and_extension_fields(tmp_path):
    text = ("x-env: &env\n  API_TOKEN: tok-12345-literal\nservices:\n  web:\n    image: nginx:1.27\n"
            "    environment:\n      <<: *env\n")
    found = lint_text(tmp_path, text, "compose.yaml", select=["DC001", "DC301"])
    # the literal is set on line 2 (the anchor): that is where it must be changed
    assert [(f.code, f.region.line) for f in found] == [("DC301", 2)]


def test_inline_suppression(tmp_path):
    text = ("services:\n  db:\n    image: postgres:16.4\n    environment:\n"
            "      # shiplint ignore=DC301 -- a throwaway test database\n      POSTGRES_PASSWORD: password\n")
    found = lint_text(tmp_path, text, "compose.yaml", select=["DC301"])
    assert [(f.code, f.suppressed) for f in found] == [("DC301", True)]


def test_one_shot_services_need_no_healthcheck_nor_restart(tmp_path):
    text = ("services:\n  migrate:\n    image: example/app:1.0\n    restart: 'no'\n  web:\n    image: example/app:1.0\n"
            "    restart: always\n    healthcheck:\n      test: [CMD, true]\n    depends_on:\n      migrate:\n"
            "        condition: service_completed_successfully\n")
    assert lint_text(tmp_path, text, "compose.yaml", select=["DC401", "DC402"]) == []


def test_resources_alone_do_not_make_a_stack(tmp_path):
    text = "services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits: {memory: 64M}\n"
    assert lint_text(tmp_path, text, "compose.yaml", select=["DC501", "DC502"]) == []
    assert [f.code for f in lint_text(tmp_path, text, "docker-stack.yml", select=["DC501"])] == ["DC501"]


def test_update_config_template_names_the_default_and_the_set_value(tmp_path):
    """rules/compose/_update_config.py serves DC501 and DC502: a missing key names Swarm's
    default, a key set otherwise is reported on its value; the wanted value and one-shot
    services are quiet."""
    text = ("services:\n  web:\n    image: nginx:1.27\n    deploy:\n      update_config:\n"
            "        order: stop-first\n  api:\n    image: nginx:1.27\n    deploy:\n      update_config:\n"
            "        failure_action: rollback\n        order: start-first\n"
            "  migrate:\n    image: example/app:1.0\n    deploy:\n      mode: replicated-job\n")
    found = lint_text(tmp_path, text, "docker-stack.yml", select=["DC501", "DC502"])
    got = sorted((f.code, f.region.line, f.message.split(":")[0]) for f in found)
    assert got == [("DC501", 5, "service 'web' updates with failure_action pause (the default)"),
                   ("DC502", 6, "service 'web' updates with order stop-first")], got


def test_healthcheck_in_the_local_dockerfile_counts(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM alpine:3.20\nHEALTHCHECK CMD true\n", encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "Dockerfile").write_text("FROM alpine:3.20\n", encoding="utf-8")
    text = "services:\n  app:\n    build: ./app\n  other:\n    build:\n      context: other\n"
    found = lint_text(tmp_path, text, "compose.yaml", select=["DC401"])
    assert [(f.code, f.region.line) for f in found] == [("DC401", 4)]


# -- public files ----------------------------------------------------------------------------------
def test_public_compose_files_run_without_tracebacks(tmp_path):
    report = lint_files([PUBLIC], root=PUBLIC)
    assert not [n for n in report.notifications if n.level == "error"]
    codes = {f.code for f in report.findings}
    assert "DC001" not in codes  # these files are valid Compose
    assert {"DC301", "DC202", "DC102", "DC101"} <= codes
    # react-express-mysql's backend declares a HEALTHCHECK in its Dockerfile
    assert not [f for f in report.findings if f.code == "DC401" and "service 'backend'" in f.message
                and f.path.startswith("react-express-mysql/")]


def test_jobs_give_the_same_findings(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    one = lint_files([tmp_path], root=tmp_path)
    two = lint_files([tmp_path], root=tmp_path, jobs=2)
    key = lambda r: sorted((f.path, f.code, f.region.line, f.region.column) for f in r.findings)  # noqa: E731
    assert key(one) == key(two) and key(one)
