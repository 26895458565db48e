"""Dockerfile rules on tricky inputs: positions, heredocs, ARG substitution, ONBUILD, options,
false positives, and the seed examples (tests/fixtures/seeds/README.md says where they come from).
"""

from __future__ import annotations

import pytest

from conftest import FIXTURES, lint_files, lint_text


def hits(tmp_path, text, select, filename="Dockerfile", **options):
    return [(f.code, f.region.line, f.region.column) for f in lint_text(tmp_path, text, filename, select=select, **options)]


def codes(tmp_path, text, select, **options):
    return sorted({c for c, _, _ in hits(tmp_path, text, select, **options)})


# --- positions ---------------------------------------------------------------------------------


def test_positions_across_continuation_lines_and_comment_lines(tmp_path):
    src = (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        "# a comment inside the continuation\n"
        "\n"
        "  && apt-get install -y curl\n"
    )
    assert sorted(hits(tmp_path, src, ["DF401", "DF402", "DF403"])) == [("DF402", 5, 6), ("DF403", 5, 6)]


def test_positions_with_backtick_escape(tmp_path):
    src = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/powershell:7.4-ubuntu-22.04\n"
        "RUN apt-get update && `\n"
        "    apt-get install -y --no-install-recommends curl\n"
        "USER 0\n"
    )
    assert sorted(hits(tmp_path, src, ["DF402", "DF201"])) == [("DF201", 5, 6), ("DF402", 4, 5)]


def test_from_findings_point_at_the_image_argument(tmp_path):
    src = "FROM   --platform=$BUILDPLATFORM   alpine:latest   AS   tools\n"
    assert sorted(hits(tmp_path, src, ["DF101", "DF102"])) == [("DF101", 1, 36), ("DF102", 1, 36)]


def test_secret_key_region_covers_the_key_only(tmp_path):
    (f,) = lint_text(tmp_path, "FROM alpine:3.20\nENV A=1   API_KEY=abc123secret\n", "Dockerfile", select=["DF203"])
    assert (f.region.line, f.region.column, f.region.end_column) == (2, 11, 18)


# --- heredocs ----------------------------------------------------------------------------------


def test_heredoc_run_script_is_checked_by_shell_rules(tmp_path):
    src = "FROM debian:bookworm-slim\nRUN <<EOF\napt-get update\napt-get install -y x\nEOF\n"
    found = hits(tmp_path, src, ["DF401", "DF402", "DF403"])
    assert sorted(found) == [("DF402", 4, 1), ("DF403", 4, 1)]  # update and install: same RUN


def test_heredoc_fed_to_a_shell_is_a_script_and_to_other_programs_is_data(tmp_path):
    src = (
        "FROM debian:bookworm-slim\n"
        "RUN bash -e <<'EOF'\n"
        "\tapt-get update\n"
        "EOF\n"
        "RUN cat <<EOF > /usr/local/bin/setup.sh\n"
        "apt-get update\n"
        "EOF\n"
        "RUN <<EOF\n"
        "#!/usr/bin/env python3\n"
        "print('apt-get update')\n"
        "EOF\n"
    )
    assert hits(tmp_path, src, ["DF401"]) == [("DF401", 3, 2)]


def test_heredoc_bodies_are_not_instructions(tmp_path):
    src = "FROM alpine:3.20\nUSER 10001\nCOPY <<EOF /etc/motd\nUSER root\nFROM scratch\nEOF\n"
    assert hits(tmp_path, src, ["DF201", "DF101", "DF102"]) == [("DF101", 1, 6)]


# --- ARG substitution --------------------------------------------------------------------------


def test_global_arg_defaults_are_substituted_in_from(tmp_path):
    src = "ARG REGISTRY=docker.io\nARG TAG=3.20\nFROM ${REGISTRY}/library/alpine:${TAG}\n"
    (f,) = lint_text(tmp_path, src, "Dockerfile", select=["DF101"])
    assert "docker.io/library/alpine:3.20" in f.message and (f.region.line, f.region.column) == (3, 6)


def test_unresolved_arg_images_are_judged_on_what_is_written(tmp_path):
    # $BASE may hold a pinned reference from a trusted registry: nothing is guessed; ${BASE}:latest
    # is a tag whatever BASE holds; alpine:3.20@${DIGEST} is written out as a Docker Hub image
    src = "ARG BASE\nFROM $BASE\nFROM ${BASE}:latest\nFROM alpine:3.20@${DIGEST}\n"
    assert hits(tmp_path, src, ["DF101", "DF102", "DF103", "DF104"], rule_options={"DF104": {"trusted-registries": ["x.io"]}}) == [
        ("DF101", 3, 6), ("DF102", 3, 6), ("DF104", 4, 6)]


def test_stage_args_resolve_user(tmp_path):
    src = "ARG UID=0\nFROM alpine:3.20\nARG UID\nUSER ${UID}\n"
    assert hits(tmp_path, src, ["DF201"]) == [("DF201", 4, 6)]
    src = "FROM alpine:3.20\nARG UID=10001\nUSER $UID:$UID\n"
    assert hits(tmp_path, src, ["DF201", "DF202"]) == []
    src = "FROM alpine:3.20\nARG UID\nUSER $UID\n"  # unknown: not guessed
    assert hits(tmp_path, src, ["DF201", "DF202"]) == []


# --- ONBUILD -----------------------------------------------------------------------------------


def test_onbuild_triggers_are_checked(tmp_path):
    src = "FROM debian:bookworm-slim\nONBUILD RUN apt-get update\nONBUILD ADD app.py /app/\nONBUILD ENV API_TOKEN=x\n"
    assert sorted(hits(tmp_path, src, ["DF401", "DF405", "DF203"])) == [
        ("DF203", 4, 13), ("DF401", 2, 13), ("DF405", 3, 9),
    ]


# --- images ------------------------------------------------------------------------------------


def test_malformed_digest_is_df103_only(tmp_path):
    src = "FROM golang:1.22@sha256:<digest> AS build\nFROM gcr.io/distroless/static@sha256:abc\n"
    assert sorted(c for c, _, _ in hits(tmp_path, src, ["DF101", "DF102", "DF103"])) == ["DF103", "DF103"]


def test_stages_and_scratch_are_not_external(tmp_path):
    src = "FROM alpine:3.20@sha256:" + "a" * 64 + " AS Base\nFROM base AS next\nFROM NEXT\nFROM scratch\n"
    assert hits(tmp_path, src, ["DF101", "DF102", "DF103", "DF407"]) == []


@pytest.mark.parametrize(
    "allowed, image, flagged",
    [
        (["ghcr.io"], "ghcr.io/acme/x:1", False),
        (["ghcr.io/acme"], "ghcr.io/acmecorp/x:1", True),
        (["docker.io"], "nginx:1.27", False),
        (["docker.io/library"], "bitnami/redis:7", True),
        (["*.dkr.ecr.eu-west-1.amazonaws.com"], "123.dkr.ecr.eu-west-1.amazonaws.com/app:1", False),
        (["registry.local:5000"], "registry.local:5000/app:1", False),
        ("quay.io", "quay.io/prometheus/node-exporter:v1", False),
        ([], "evil.example/x:1", False),  # not configured: inactive
    ],
)
def test_trusted_registries(tmp_path, allowed, image, flagged):
    found = hits(tmp_path, f"FROM {image}\n", ["DF104"], rule_options={"untrusted-registry": {"trusted-registries": allowed}})
    assert bool(found) is flagged


# --- users -------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["root", "0", "0:0", "root:root", "0:1000"])
def test_root_users(tmp_path, user):
    assert hits(tmp_path, f"FROM alpine:3.20\nUSER 10001\nUSER {user}\n", ["DF201", "DF202"]) == [("DF201", 3, 6)]


def test_no_user_points_at_final_from_and_base_stage_user_counts(tmp_path):
    src = "FROM alpine:3.20 AS build\nUSER 10001\nFROM alpine:3.20\nCOPY --from=build /a /a\n"
    assert hits(tmp_path, src, ["DF201"]) == [("DF201", 3, 1)]
    src = "FROM alpine:3.20 AS base\nUSER 10001\nFROM base\nCOPY a /a\n"
    assert hits(tmp_path, src, ["DF201"]) == []
    assert hits(tmp_path, "FROM gcr.io/distroless/static:nonroot\n", ["DF201"]) == []
    assert hits(tmp_path, "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerUser\n", ["DF201", "DF202"]) == []


# --- secrets -----------------------------------------------------------------------------------


def test_secret_values_never_appear_in_messages(tmp_path):
    src = (
        "FROM alpine:3.20\n"
        "ENV DB_PASSWORD=hunter2-very-secret\n"
        "ENV clientSecret \"s3cr3t value\"\n"
        "ARG GITHUB_TOKEN=ghp_abcdefghijklmnop\n"
    )
    found = lint_text(tmp_path, src, "Dockerfile", select=["DF203"])
    assert [f.region.line for f in found] == [2, 3, 4]
    for f in found:
        for value in ("hunter2", "s3cr3t", "ghp_abc"):
            assert value not in f.message and value not in f.subject


@pytest.mark.parametrize(
    "line",
    ["ENV POSTGRES_PASSWORD_FILE=/run/secrets/pg", "ARG GIT_SHA", "ENV SECRET_PATH=/run/secrets/x",
     "ENV TOKEN_URL=https://a/token", "ENV TOKENIZERS_PARALLELISM=false", "ENV PASSWORD_MIN_LENGTH=12",
     "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", "ENV KEYCLOAK_CLIENT_ID=app",
     "ARG AWS_ACCESS_KEY_ID", "ENV PASSWORD_AUTH=false", "ENV DB_PASSWORD=/run/secrets/db"],
)
def test_secret_false_positives(tmp_path, line):
    assert hits(tmp_path, f"FROM alpine:3.20\n{line}\n", ["DF203"]) == []


def test_credential_patterns_option_replaces_the_defaults(tmp_path):
    src = "FROM alpine:3.20\nENV LICENSE_BLOB=abc\nENV DB_PASSWORD=x\n"
    opts = {"rule_options": {"DF203": {"credential-patterns": ["LICENSE", "(unclosed"]}}}
    assert hits(tmp_path, src, ["DF203"], **opts) == [("DF203", 2, 5)]


# --- shell rules -------------------------------------------------------------------------------


def test_cache_mounts_satisfy_the_package_cache_rule(tmp_path):
    src = (
        "FROM python:3.12-slim\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
        "RUN --mount=type=cache,target=/var/cache/apk apk add curl\n"
        "RUN --mount=type=cache,target=/var/cache/dnf dnf install -y jq\n"
        "RUN --mount=type=cache,target=/var/lib/apt/lists --mount=type=cache,target=/var/cache/apt \\\n"
        "    apt-get update && apt-get install -y --no-install-recommends git\n"
    )
    assert hits(tmp_path, src, ["DF402"]) == []
    # a cache mount of another directory does not
    src = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/tmp/x pip install flask\n"
    assert hits(tmp_path, src, ["DF402"]) == [("DF402", 2, 38)]


def test_builder_stage_caches_are_not_flagged(tmp_path):
    src = "FROM alpine:3.20 AS build\nRUN apk add gcc\nFROM alpine:3.20\nCOPY --from=build /x /x\n"
    assert hits(tmp_path, src, ["DF402"]) == []
    src = "FROM alpine:3.20 AS base\nRUN apk add curl\nFROM base\n"  # base ships in the final image
    assert hits(tmp_path, src, ["DF402"]) == [("DF402", 2, 5)]


def test_copy_context_before_deps_seed_order_is_clean(tmp_path):
    src = (
        "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\nRUN npm install -g serve\n"
    )
    assert hits(tmp_path, src, ["DF404"]) == []
    src = "FROM python:3.12\nCOPY . .\nRUN pip install .\nRUN pip install -r requirements.txt\n"
    (f,) = lint_text(tmp_path, src, "Dockerfile", select=["DF404"])
    assert (f.region.line, f.region.column) == (2, 6) and f.related[0].region.line == 4


def test_build_tools_false_positives(tmp_path):
    assert hits(tmp_path, "FROM python:3.12-slim\nCOPY app.py /\n", ["DF407"]) == []
    src = "FROM alpine:3.20\nRUN apk add --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps\n"
    assert hits(tmp_path, src, ["DF407"]) == []
    src = "FROM eclipse-temurin:21-jre\nFROM maven:3.9 AS b\nFROM eclipse-temurin:21-jre\n"
    assert hits(tmp_path, src, ["DF407"]) == []
    src = 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nENTRYPOINT ["dotnet", "app.dll"]\n'
    assert hits(tmp_path, src, ["DF407"]) == [("DF407", 1, 6)]
    src = ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential\n"
           'CMD ["/app"]\n')
    assert hits(tmp_path, src, ["DF407"]) == [("DF407", 2, 66)]


def test_build_tools_in_an_image_with_no_command_of_its_own(tmp_path):
    # a code-generation image, run as `docker run --rm -v $PWD:/build gen <command>`: the
    # toolchain is its purpose, and no application is shipped with it
    src = "FROM golang:1.22-alpine\nWORKDIR /build\nCOPY go.mod go.sum ./\nRUN go install tool\n"
    assert hits(tmp_path, src, ["DF407"]) == []
    src = "FROM alpine:3.20\nRUN apk add --no-cache cmake make g++\n"
    assert hits(tmp_path, src, ["DF407"]) == []
    # a command set in a stage the final one builds on still makes it an application image
    src = 'FROM golang:1.22 AS base\nCMD ["/app"]\nFROM base\nRUN go build -o /app .\n'
    assert hits(tmp_path, src, ["DF407"]) == [("DF407", 1, 6)]


def test_case_patterns_are_not_pipes(tmp_path):
    src = 'FROM alpine:3.20\nRUN case "$(uname -m)" in x86_64 | amd64) a=amd64 ;; *) a=arm64 ;; esac\n'
    assert hits(tmp_path, src, ["DF408"]) == []


def test_xargs_runs_the_package_manager(tmp_path):
    src = "FROM debian:bookworm-slim\nRUN apt-get update && cat pkgs.txt | xargs apt-get install -y\n"
    assert "DF401" not in codes(tmp_path, src, ["DF401"])


def test_shell_form_with_exec_is_accepted(tmp_path):
    assert hits(tmp_path, "FROM alpine:3.20\nCMD exec /app --port \"$PORT\"\n", ["DF301"]) == []
    assert hits(tmp_path, "FROM alpine:3.20\nCMD /app && echo done\n", ["DF301"]) == [("DF301", 2, 5)]


# --- .dockerignore -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ignore, flagged",
    [
        (".git\n.env\n", False),
        (".git/\n.env*\n", False),
        ("**/.git\n*.env\n", False),
        ("*\n!src\n", False),
        ("/.git\n./.env\n", False),
        (".git\n", True),
        (".gitignore\n.env.local\n", True),
        (".git\n.env\n!.env\n", True),
        ("# .git\n# .env\n", True),
    ],
)
def test_dockerignore_patterns(tmp_path, ignore, flagged):
    (tmp_path / ".dockerignore").write_text(ignore)
    assert bool(hits(tmp_path, "FROM alpine:3.20\nCOPY . /app\n", ["DF406"])) is flagged


def test_dockerignore_below_the_top_of_a_git_work_tree_need_not_exclude_git(tmp_path):
    # the context of a Dockerfile in a sub-directory of a repository holds no .git
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "test" / "e2e"
    sub.mkdir(parents=True)
    (sub / ".dockerignore").write_text("__pycache__/\n")
    (f,) = lint_text(sub, "FROM alpine:3.20\nCOPY . /app\n", "Dockerfile", select=["DF406"])
    assert "does not exclude .env:" in f.message and ".git" not in f.message
    (sub / ".dockerignore").write_text(".env\n")
    assert hits(sub, "FROM alpine:3.20\nCOPY . /app\n", ["DF406"]) == []
    # at the top of the work tree .git is in the context
    (tmp_path / ".dockerignore").write_text(".env\n")
    assert hits(tmp_path, "FROM alpine:3.20\nCOPY . /app\n", ["DF406"]) == [("DF406", 1, 1)]


def test_dockerignore_per_dockerfile_and_only_when_context_is_copied(tmp_path):
    (tmp_path / "api.Dockerfile.dockerignore").write_text(".git\n.env\n")
    assert hits(tmp_path, "FROM alpine:3.20\nCOPY . /app\n", ["DF406"], filename="api.Dockerfile") == []
    assert hits(tmp_path, "FROM alpine:3.20\nCOPY . /app\n", ["DF406"], filename="Dockerfile") == [("DF406", 1, 1)]
    assert hits(tmp_path, "FROM alpine:3.20\nCOPY app.py /app/\n", ["DF406"], filename="Dockerfile") == []


def test_dockerignore_rule_is_skipped_for_stdin():
    from shiplint.engine import Engine, Options

    report = Engine(Options(select=["DF406"], stdin_filename="Dockerfile")).run(["-"], stdin_text="FROM alpine:3.20\nCOPY . .\n")
    assert report.findings == [] and not report.notifications


# --- unparseable input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "src, pos",
    [("FROM debian:%%DEBIAN_VERSION%%-slim\nRUN true\n", (1, 6)), ("{{ .Header }}\nFROM alpine\n", (1, 1)),
     ("FROM alpine\nRUN <<EOF\nnever closed\n", (2, 5))],
)
def test_unparseable_dockerfiles_give_sl001_only(tmp_path, src, pos):
    found = lint_text(tmp_path, src, "Dockerfile")
    assert [(f.code, f.region.line, f.region.column) for f in found] == [("SL001", *pos)]
    assert found[0].message


# --- the seed examples -------------------------------------------------------------------------

SEEDS = FIXTURES / "seeds"
# Every rule that fires on each seed example, and why that is right.
SEED_EXPECTATIONS = {
    # the reference example: only its placeholder digests (`@sha256:<digest>`) are wrong
    "seed000-1.3-go-multistage": {"DF103"},
    # unpinned bases, named USER, no HEALTHCHECK/labels, COPY . . with no .dockerignore in that seed
    "seed001-1-ex1-node": {"DF101", "DF202", "DF303", "DF406", "DF501"},
    "seed001-1-ex2-python": {"DF101", "DF202", "DF303", "DF501"},
    # CMD ["npm", "start"]: npm is PID 1
    "seed002-3.1-node": {"DF101", "DF202", "DF303", "DF305", "DF501"},
    # runtime `alpine:latest` running as root; `apk add ca-certificates` unversioned
    "seed002-3.1-go-multistage": {"DF101", "DF102", "DF201", "DF303", "DF409", "DF501"},
    # gcc installed (with recommends, unversioned) in the only stage
    "seed002-3.1-python": {"DF101", "DF202", "DF403", "DF407", "DF409", "DF501"},
    "seed004-4.3-python": {"DF101", "DF202", "DF501"},
    "seed004-4.3-go-multistage": {"DF101", "DF201", "DF303", "DF406", "DF501"},
    # "Mauvais (3 couches)": update alone, install without cleaning
    "seed004-4.3-bad-runs": {"DF101", "DF201", "DF303", "DF401", "DF402", "DF403", "DF409", "DF501"},
    # "Bon (1 couche)": no layer/cache finding (curl is still unversioned: DF409, a note)
    "seed004-4.3-good-run": {"DF101", "DF201", "DF303", "DF403", "DF409", "DF501"},
}


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_seed_examples(name):
    directory = SEEDS / name
    report = lint_files([directory], root=directory)
    assert {f.code for f in report.findings} == SEED_EXPECTATIONS[name]
    assert not report.notifications


def test_seed_reference_example_positions():
    directory = SEEDS / "seed000-1.3-go-multistage"
    report = lint_files([directory], root=directory)
    assert [(f.code, f.region.line, f.region.column) for f in report.findings] == [("DF103", 2, 18), ("DF103", 22, 31)]


def test_every_seed_directory_is_covered():
    assert {p.name for p in SEEDS.iterdir() if p.is_dir() and p.name.startswith("seed")} == set(SEED_EXPECTATIONS)
