"""CI pipelines that build images: GitHub Actions workflows and GitLab CI, as jobs of ordered
events (an image pushed, a vulnerability scan, an SBOM, a signature, a registry login) that the
CI rules reason about.

Only what a workflow evidently does is recognised: shell commands in ``run:``/``script:`` (split
with :mod:`shiplint.sources.shell`, each word located in the YAML file even inside a block
scalar) and the common actions.  A ``make`` target, a script file, a local composite action or a
reusable workflow is opaque: it is never taken for a push, and the rules say nothing about what
they may do.  Nothing here runs anything; GitLab ``include: local:`` files are read from the
repository tree only.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

from shiplint.core.errors import ParseError
from shiplint.core.findings import Region
from shiplint.sources.shell import Command, Word, split_commands
from shiplint.sources.yamlsrc import ScalarPositions, YMap, YSeq, parse_yaml_stream, scalar_positions

GITHUB = "github"
GITLAB = "gitlab"

#: event kinds
PUSH, SCAN, SBOM, SIGN, LOGIN, OPAQUE = "push", "scan", "sbom", "sign", "login", "opaque"


@dataclass(eq=False)
class Tag:
    """One image reference pushed (``registry/app:tag``) and where it is written."""

    ref: str
    region: Region
    path: str
    resolved: str | None = None  # ``ref`` with the pipeline's literal variables substituted

    @property
    def repository(self) -> str:
        """The reference without its tag or digest."""
        ref = (self.resolved or self.ref).strip()
        tag = self.tag
        if tag == "":
            return ref.split("@", 1)[0]
        if tag is None or tag == ref.rsplit("/", 1)[-1]:
            return ref
        return ref[: len(ref) - len(tag) - 1]

    @property
    def local(self) -> bool:
        """Pushed to a registry on the runner itself (a test), not published."""
        return bool(re.match(r"(localhost|127\.0\.0\.1|\[::1\])(:\d+)?/", self.ref.split("://", 1)[-1]))

    @property
    def tag(self) -> str | None:
        """The tag part; None when the reference has none (the registry gets ``latest``) or is
        pinned by digest (``""``)."""
        ref = (self.resolved or self.ref).strip()
        if "@" in ref.rsplit("/", 1)[-1]:
            return ""
        last = ref.rsplit("/", 1)[-1]
        # ``${{ expr }}`` and ``${VAR:-x}`` may hold a colon that is not the tag separator
        plain = re.sub(r"\$\{\{.*?\}\}|\$\{[^}]*\}", "X", last)
        if ":" not in plain:
            # ``${{ env.IMAGE }}`` or ``$IMAGE`` as the name may carry its tag: unknown, not latest
            return last if "$" in last else None
        return last[last.rindex(":") + 1:] if ":" in last else None


@dataclass(eq=False)
class Event:
    """Something a job does, in order (``seq``) within its job."""

    kind: str
    job: "Job"
    seq: int
    region: Region
    path: str
    what: str  # a short description for messages: "docker push", "aquasecurity/trivy-action"
    blocking: bool = True  # a scan that fails the job on findings
    why_not_blocking: str = ""
    tags: list[Tag] | None = None  # PUSH: the references pushed; None when they cannot be told
    sbom: bool = False  # PUSH: the build attaches an SBOM itself
    latest: list[tuple[str, Region, str]] = field(default_factory=list)  # PUSH: (why, region, path) of an implied latest
    password: Word | None = None  # LOGIN: the word that passes the password


@dataclass(eq=False)
class Job:
    id: str
    path: str
    region: Region  # the job's key
    stage: str | None = None
    needs: list[str] | None = None  # None: no ``needs:`` key
    events: list[Event] = field(default_factory=list)
    uses: str | None = None  # a reusable workflow called as the whole job
    uses_region: Region | None = None
    env: dict[str, str] = field(default_factory=dict)  # literal variables (workflow, job)

    def resolve(self, since: int = 0, extra: dict | None = None) -> None:
        """Substitute literal variables in the tags pushed by ``events[since:]``."""
        env = {**self.env, **(extra or {})}
        if not env:
            return
        for e in self.events[since:]:
            for t in e.tags or ():
                t.resolved = substitute(t.ref, env)


_VAR = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def substitute(text: str, env: dict[str, str]) -> str:
    """``text`` with ``${{ env.X }}``, ``${X}`` and ``$X`` replaced by literal values of ``env``
    (twice, for a value that names another)."""
    for _ in range(2):
        text = _VAR.sub(lambda m: env.get(m.group(1) or m.group(2) or m.group(3), m.group(0)), text)
    return text


def literal_env(mapping) -> dict[str, str]:
    """The literal string values of an ``env:``/``variables:`` mapping (GitLab's ``{value: …}``
    form too)."""
    out: dict[str, str] = {}
    if isinstance(mapping, dict):
        for k, v in mapping.items():
            if isinstance(v, dict):
                v = v.get("value")
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                out[str(k)] = str(v)
    return out


@dataclass(eq=False)
class ActionRef:
    """A ``uses:`` of a step or a job (GitHub)."""

    uses: str
    region: Region
    path: str
    subject: str


@dataclass(eq=False)
class Pipeline:
    path: str
    platform: str
    jobs: dict[str, Job] = field(default_factory=dict)
    stages: list[str] = field(default_factory=list)
    actions: list[ActionRef] = field(default_factory=list)
    #: what runs out of sight: reusable workflows, local actions, GitLab includes that are not local
    #: files (remote/project/template/component)
    opaque: list[str] = field(default_factory=list)
    errors: list[tuple[str, ParseError]] = field(default_factory=list)  # (path, error) of included files
    sources: dict[str, str] = field(default_factory=dict)  # included file display path -> text

    # -- reasoning helpers shared by the rules ---------------------------------------------------
    def events(self, kind: str):
        for job in self.jobs.values():
            for e in job.events:
                if e.kind == kind:
                    yield e

    def pushes(self) -> list[Event]:
        return list(self.events(PUSH))

    def first_pushes(self) -> list[Event]:
        """The first push of every job that pushes."""
        out = []
        for job in self.jobs.values():
            first = next((e for e in job.events if e.kind == PUSH), None)
            if first is not None:
                out.append(first)
        return out

    def upstream(self, job: Job) -> list[Job]:
        """Jobs that finish before ``job`` starts: its ``needs:``, transitively (GitHub, and GitLab
        jobs with ``needs:``), else the jobs of earlier stages (GitLab)."""
        if self.platform == GITLAB and job.needs is None:
            order = {s: i for i, s in enumerate(self.stages)}
            mine = order.get(job.stage or "test", len(order))
            return [j for j in self.jobs.values() if j is not job and order.get(j.stage or "test", -1) < mine]
        seen: dict[str, Job] = {}
        todo = list(job.needs or ())
        while todo:
            name = todo.pop()
            if name in seen or name not in self.jobs:
                continue
            seen[name] = self.jobs[name]
            todo.extend(self.jobs[name].needs or ())
        return list(seen.values())

    def before(self, push: Event) -> list[Event]:
        """Everything that surely happened before ``push``: earlier events of its job and the
        events of its upstream jobs."""
        out = [e for e in push.job.events if e.seq < push.seq]
        for j in self.upstream(push.job):
            out.extend(j.events)
        return out

    def may_hide(self, push: Event | None = None) -> bool:
        """Whether something out of sight looks like it scans, makes an SBOM or signs: anything
        in the pipeline (``push`` None), or what surely runs before ``push``."""
        if push is None:
            refs = list(self.opaque)
        else:
            refs = [r for r in self.opaque if r.startswith("include:")]
            refs += [j.uses for j in self.upstream(push.job) if j.uses]
            refs += [e.what for e in self.before(push) if e.kind == OPAQUE]
        return any(OPAQUE_HINT.search(r) for r in refs)


# -- the shell ------------------------------------------------------------------------------------

_BUILDERS = frozenset({"docker", "podman", "buildah", "nerdctl"})
_LOGIN_TOOLS = frozenset({"docker", "podman", "buildah", "nerdctl", "skopeo", "helm", "crane", "oras"})
#: options of ``docker push``/``buildah push`` that take a value
_PUSH_VALUE = frozenset({"--platform", "--authfile", "--creds", "--cert-dir", "--format", "-f", "--digestfile",
                         "--compression-format", "--sign-by", "--retry", "--retry-delay"})
_SCANNERS = {"trivy", "grype"}
_TRIVY_TARGETS = frozenset({"image", "i", "fs", "filesystem", "rootfs", "repo", "repository", "sbom", "vm"})
_SBOM_FORMATS = re.compile(r"(?i)^(cyclonedx|spdx|spdx-json|github)$")
_IMMUTABLE = re.compile(
    r"(?i)github\.sha|GITHUB_SHA|CI_COMMIT_SHA|CI_COMMIT_SHORT_SHA|CI_COMMIT_TAG|git rev-parse|"
    r"version|steps\.[\w-]+\.outputs\.[\w-]*(sha|digest|tag)|\bsha\b|_SHA\b|digest"
)
_MUTABLE_VARS = re.compile(r"^\$\{?(CI_COMMIT_BRANCH|CI_DEFAULT_BRANCH|GITHUB_HEAD_REF)\}?$|"
                           r"^\$\{\{\s*github\.(head_ref|base_ref)\s*\}\}$")
_VERSION = re.compile(r"^v?\d+(\.\d+)*([-+.][0-9A-Za-z.+-]*)?$")


def tag_kind(tag: str | None) -> str:
    """``"latest"``, ``"immutable"``, ``"mutable"`` (a literal or a branch name) or ``"unknown"``
    (a variable we cannot read: given the benefit of the doubt)."""
    if tag is None or tag == "latest":
        return "latest"
    if tag == "":
        return "immutable"  # a digest
    if _IMMUTABLE.search(tag):
        return "immutable"
    if "$" in tag or "{{" in tag or "`" in tag:
        return "mutable" if _MUTABLE_VARS.match(tag) else "unknown"
    return "immutable" if _VERSION.match(tag) else "mutable"


def _option_values(args: list[Word], *names: str) -> list[Word]:
    """Values of an option given as ``-t X``, ``--tag X`` or ``--tag=X``."""
    out: list[Word] = []
    for i, w in enumerate(args):
        v = w.value
        for n in names:
            if v == n and i + 1 < len(args):
                out.append(args[i + 1])
            elif n.startswith("--") and v.startswith(n + "="):
                out.append(Word(v[len(n) + 1:], w.raw, w.start + len(n) + 1, w.end))
    return out


def _has_flag(args: list[Word], *names: str) -> Word | None:
    for w in args:
        if w.value in names or any(w.value.startswith(n + "=") for n in names if n.startswith("--")):
            return w
    return None


def _neutralised(cmds: list[Command], i: int) -> bool:
    """``scan || true``: a following ``||`` (or ``;`` after a pipe) swallows the failure."""
    return i + 1 < len(cmds) and cmds[i + 1].operator_before == "||"


class _Script:
    """One shell script located in its file."""

    def __init__(self, text: str, positions: ScalarPositions, path: str, neutralised: bool = False) -> None:
        self.text, self.positions, self.path = text, positions, path
        self.neutralised = neutralised  # GitLab after_script: its failures never fail the job

    def region(self, start: int, end: int) -> Region:
        return self.positions.region(start, end)


def _docker_run_tool(cmd: Command) -> tuple[str, list[Word]] | None:
    """``docker run … aquasec/trivy:0.50 image …``: the tool an image runs, and its arguments."""
    args = cmd.args
    if not args or args[0].value != "run":
        return None
    i = 1
    while i < len(args):
        v = args[i].value
        if v.startswith("-"):
            if "=" not in v and v in ("-v", "--volume", "-e", "--env", "-w", "--workdir", "--entrypoint",
                                      "--network", "--net", "-u", "--user", "--name", "--platform", "--env-file"):
                i += 1
            i += 1
            continue
        base = v.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
        if base in ("trivy", "grype", "syft", "cosign"):
            return base, args[i + 1:]
        return None
    return None


def _shell_events(job: Job, script: _Script, counter: list[int]) -> None:
    cmds = split_commands(script.text)
    for i, cmd in enumerate(cmds):
        name, args = cmd.name, cmd.args
        if not name or cmd.program_word is None:
            continue
        here = script.region(cmd.program_word.start, cmd.program_word.end)

        def add(kind: str, what: str, region: Region = here, **kw) -> Event:
            counter[0] += 1
            e = Event(kind, job, counter[0], region, script.path, what, **kw)
            job.events.append(e)
            return e

        if name in _BUILDERS:
            tool = _docker_run_tool(cmd) if name in ("docker", "podman", "nerdctl") else None
            if tool:
                name, args = tool
            else:
                _builder_events(cmd, script, add)
                pw = _login_password(name, args)
                if pw is not None:
                    add(LOGIN, f"{name} login", region=script.region(pw.start, pw.end), password=pw)
                continue
        if name in _SCANNERS:
            sub = args[0].value if args else ""
            if name == "trivy" and sub not in _TRIVY_TARGETS:
                continue  # trivy config/k8s/version…: not an image's vulnerabilities
            fmt = _option_values(args, "--format", "-f") if name == "trivy" else []
            if fmt and _SBOM_FORMATS.match(fmt[-1].value):
                add(SBOM, "trivy --format " + fmt[-1].value)
                continue
            code = _option_values(args, "--exit-code") if name == "trivy" else _option_values(args, "--fail-on", "-f")
            blocking = bool(code) and code[-1].value not in ("0", "")
            why = "" if blocking else ("no --exit-code: trivy exits 0 on findings" if name == "trivy"
                                      else "no --fail-on: grype exits 0 on findings")
            if blocking and (_neutralised(cmds, i) or script.neutralised):
                blocking, why = False, ("'|| …' swallows its failure" if _neutralised(cmds, i)
                                        else "after_script failures do not fail the job")
            add(SCAN, name, blocking=blocking, why_not_blocking=why)
        elif name == "syft":
            add(SBOM, "syft")
        elif name == "cosign" and args:
            sub = args[0].value
            if sub in ("sign", "attest"):
                add(SIGN, f"cosign {sub}")
                types = _option_values(args, "--type")
                if sub == "attest" and types and types[-1].value.lower() in ("spdx", "spdxjson", "cyclonedx"):
                    add(SBOM, "cosign attest --type " + types[-1].value)
        elif name == "notation" and args and args[0].value == "sign":
            add(SIGN, "notation sign")
        elif name in ("executor", "kaniko") or (cmd.program or "").endswith("/kaniko/executor"):
            if _has_flag(args, "--no-push"):
                continue
            dests = _option_values(args, "--destination", "-d")
            if dests:
                add(PUSH, "kaniko", tags=[Tag(w.value, script.region(w.start, w.end), script.path) for w in dests])
        if name in _LOGIN_TOOLS:
            pw = _login_password(name, args)
            if pw is not None:
                add(LOGIN, f"{name} login", region=script.region(pw.start, pw.end), password=pw)


def _login_password(name: str, args: list[Word]) -> Word | None:
    """The ``-p``/``--password`` word of a registry login command line."""
    vals = [w.value for w in args]
    prefix = {"helm": ["registry", "login"], "crane": ["auth", "login"]}.get(name, ["login"])
    if vals[:len(prefix)] != prefix:
        return None
    return _has_flag(args[len(prefix):], "-p", "--password")


def _builder_events(cmd: Command, script: _Script, add) -> None:
    args = cmd.args
    vals = [w.value for w in args]
    name = cmd.name
    if vals[:1] == ["image"] or vals[:1] == ["buildx"] or vals[:1] == ["builder"]:
        sub_at = 1
    else:
        sub_at = 0
    sub = vals[sub_at] if len(vals) > sub_at else ""
    rest = args[sub_at + 1:]
    word = args[sub_at] if len(args) > sub_at else cmd.program_word
    where = script.region(cmd.program_word.start, word.end)
    if sub == "push" and name in _BUILDERS:
        positional = []
        skip = False
        for w in rest:
            if skip:
                skip = False
                continue
            if w.value.startswith("-"):
                skip = w.value in _PUSH_VALUE
                continue
            positional.append(w)
        if not positional:
            return
        dest = positional[-1]
        ref = dest.value.split("://", 1)[-1] if "://" in dest.value else dest.value
        if dest.value.startswith(("docker-daemon:", "oci:", "dir:", "oci-archive:", "docker-archive:")):
            return  # buildah/podman pushing to a local store, not a registry
        all_tags = _has_flag(rest, "--all-tags", "-a")
        tag = Tag(ref, script.region(dest.start, dest.end), script.path)
        if not tag.local:
            add(PUSH, f"{name} push", region=where, tags=None if all_tags else [tag])
        return
    if sub in ("build", "bake") and name in ("docker", "podman", "nerdctl", "buildah"):
        outputs = [w.value for w in _option_values(rest, "--output", "-o")]
        push_word = _has_flag(rest, "--push")
        pushing = push_word is not None or any("type=registry" in o or "push=true" in o for o in outputs)
        if sub == "bake":
            sets = [w.value for w in _option_values(rest, "--set")]
            pushing = pushing or any("type=registry" in s or "push=true" in s for s in sets)
        if not pushing:
            return
        region = script.region(push_word.start, push_word.end) if push_word is not None else where
        sbom = any(v.startswith("--sbom") and not v.endswith("=false") for v in vals) or any(
            "type=sbom" in w.value for w in _option_values(rest, "--attest"))
        if sub == "bake":
            add(PUSH, f"{name} buildx bake --push", region=region, sbom=sbom)  # tags live in the bake file
            return
        tags = [Tag(w.value, script.region(w.start, w.end), script.path) for w in _option_values(rest, "-t", "--tag")]
        if not tags or not all(t.local for t in tags):
            add(PUSH, f"{name} build --push", region=region, sbom=sbom, tags=tags or None)
        return
    if name == "docker" and sub in ("sbom",) or (vals[:2] == ["scout", "sbom"]):
        add(SBOM, "docker sbom")
    elif vals[:2] == ["scout", "cves"]:
        code = _has_flag(args, "--exit-code", "-e")
        add(SCAN, "docker scout cves", blocking=code is not None,
            why_not_blocking="" if code is not None else "no --exit-code: docker scout exits 0 on findings")
    elif vals[:2] == ["trust", "sign"]:
        add(SIGN, "docker trust sign")


# -- GitHub Actions ---------------------------------------------------------------------------------

#: names of reusable workflows, local actions and includes that may scan, make SBOMs or sign
OPAQUE_HINT = re.compile(r"(?i)sign|sbom|attest|provenan|slsa|cosign|supply|secur|scan|syft|trivy|grype|vuln")
_TRUE = ("true", "True", "TRUE")


def _truthy(value) -> bool:
    """A ``with:`` boolean that may be on: ``true``, or an expression (on for some events)."""
    if value is True:
        return True
    return isinstance(value, str) and (value.strip() in _TRUE or "${{" in value)


def _falsy(value) -> bool:
    return value is False or (isinstance(value, str) and value.strip() in ("false", "False", "FALSE"))


def _action_name(uses: str) -> str:
    return uses.split("@", 1)[0].strip().lower().rstrip("/")


def _split_list(text: str) -> list[tuple[int, str]]:
    """Items of a newline/comma separated ``with:`` list, with their offsets."""
    out = []
    for m in re.finditer(r"[^,\n]+", text):
        item = m.group(0)
        stripped = item.strip()
        if stripped and not stripped.startswith("#"):
            out.append((m.start() + item.index(stripped), stripped))
    return out


class _Located:
    """A YAML file and the lines its positions refer to."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.split("\n")

    def script(self, container, key, neutralised: bool = False) -> _Script | None:
        value = container[key]
        if not isinstance(value, str):
            return None
        region = container.value_region(key) if isinstance(container, YMap) else container.item_region(key)
        if region is None:
            return None
        return _Script(value, scalar_positions(self.lines, region, value), self.path, neutralised)

    def value_region(self, mapping, key) -> Region:
        return (mapping.value_region(key) if isinstance(mapping, YMap) else None) or Region(1, 1)


def _metadata_tags(meta: YMap, loc: _Located, add_latest) -> tuple[list[str], bool]:
    """The kinds of the tags a docker/metadata-action step produces, and whether any could not be
    told.  ``add_latest(why, region)`` is told about each source of a ``latest`` tag."""
    w = meta.get("with")
    if not isinstance(w, YMap):
        return [], True
    flavor = w.get("flavor")
    latest_flavor = "auto"
    if isinstance(flavor, str):
        m = re.search(r"(?m)^\s*latest\s*=\s*(\S+)", flavor)
        if m:
            latest_flavor = m.group(1).strip().lower()
    tags = w.get("tags")
    kinds: list[str] = []
    unknown = False
    if not isinstance(tags, str):
        # the default when ``tags`` is not set: type=schedule, type=ref,event=branch|tag|pr
        return ["mutable", "unknown"], True
    pos = scalar_positions(loc.lines, w.value_region("tags"), tags)
    semver_region = None
    for off, line in [(o, t) for o, t in ((m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", tags))]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        start = off + line.index(item)
        region = pos.region(start, start + len(item))
        attrs = {}
        for part in item.split(","):
            k, sep, v = part.partition("=")
            if sep:
                attrs.setdefault(k.strip(), v.strip())
        typ = attrs.get("type", "raw" if "type" not in attrs else attrs["type"])
        if "type" not in attrs:
            attrs.setdefault("value", item)
        enable = attrs.get("enable", "true")
        if enable.strip().lower() == "false":
            continue
        if typ in ("semver", "pep440", "match"):
            kinds.append("immutable")
            semver_region = semver_region or region
        elif typ == "sha":
            kinds.append("immutable")
        elif typ == "ref":
            kinds.append("immutable" if attrs.get("event") == "tag" else "mutable")
        elif typ in ("edge", "schedule"):
            kinds.append("mutable")
        elif typ == "raw":
            value = attrs.get("value", "")
            kind = tag_kind(value) if value else "unknown"
            if kind == "latest":
                add_latest("a raw 'latest' tag", region)
            kinds.append(kind)
        else:
            kinds.append("unknown")
            unknown = True
    if latest_flavor == "true":
        add_latest("flavor latest=true", pos.region(0, 1))
    elif latest_flavor == "auto" and semver_region is not None:
        add_latest("metadata-action adds 'latest' to semver tags unless flavor sets latest=false", semver_region)
    return kinds, unknown


def _step_events(job: Job, step: YMap, index: int, steps: list, loc: _Located, counter: list[int],
                 pipeline: Pipeline) -> None:
    cont = step.get("continue-on-error")
    soft = cont is True or (isinstance(cont, str) and cont.strip() in _TRUE)
    start = len(job.events)
    try:
        _step_kind_events(job, step, index, steps, loc, counter, pipeline, soft)
    finally:
        job.resolve(start, literal_env(step.get("env")))


_GITHUB_ENV_LINE = re.compile(r"""echo\s+["']?([A-Za-z_][A-Za-z0-9_]*)=([^"'\s$`]+)["']?\s*>>\s*["']?\$\{?GITHUB_ENV\b""")


def _step_kind_events(job: Job, step: YMap, index: int, steps: list, loc: _Located, counter: list[int],
                      pipeline: Pipeline, soft: bool) -> None:
    if isinstance(step.get("run"), str):
        script = loc.script(step, "run")
        if script is not None:
            start = len(job.events)
            _shell_events(job, script, counter)
            # ``echo "TAG=latest" >> $GITHUB_ENV``: a variable of the later steps
            for m in _GITHUB_ENV_LINE.finditer(script.text):
                job.env[m.group(1)] = m.group(2)
            if soft:
                for e in job.events[start:]:
                    if e.kind == SCAN and e.blocking:
                        e.blocking, e.why_not_blocking = False, "continue-on-error: true"
        return
    uses = step.get("uses")
    if not isinstance(uses, str):
        return
    region = step.value_region("uses") or Region(1, 1)
    pipeline.actions.append(ActionRef(uses, region, loc.path, f"{job.id}:steps[{index}].uses"))
    name = _action_name(uses)
    w = step.get("with") if isinstance(step.get("with"), YMap) else YMap()

    def add(kind: str, what: str = name, at: Region = region, **kw) -> Event:
        counter[0] += 1
        e = Event(kind, job, counter[0], at, loc.path, what, **kw)
        job.events.append(e)
        return e

    if uses.startswith("./") or uses.startswith("docker://"):
        add(OPAQUE, what=uses)
        pipeline.opaque.append(uses)
    elif name in ("docker/build-push-action", "docker/bake-action"):
        outputs = str(w.get("outputs", ""))
        if not (_truthy(w.get("push")) or "type=registry" in outputs or "push=true" in outputs):
            return
        at = w.value_region("push") if "push" in w else region
        sbom = _truthy(w.get("sbom")) or "type=sbom" in str(w.get("attests", ""))
        if name == "docker/bake-action":
            add(PUSH, at=at, sbom=sbom)
            return
        e = add(PUSH, at=at, sbom=sbom)
        e.tags = _action_tags(e, w, steps, index, loc)
        if e.tags and all(t.local for t in e.tags):
            job.events.remove(e)
    elif name == "redhat-actions/push-to-registry":
        image, tags = w.get("image"), w.get("tags")
        e = add(PUSH)
        if isinstance(tags, str) and not isinstance(image, str) and "tags" in w:
            pos = scalar_positions(loc.lines, w.value_region("tags"), tags)
            e.tags = [Tag(t, pos.region(o, o + len(t)), loc.path) for o, t in
                      ((m.start(), m.group(0)) for m in re.finditer(r"\S+", tags))]
        elif isinstance(tags, str) and isinstance(image, str):
            pos = scalar_positions(loc.lines, w.value_region("tags"), tags)
            e.tags = [Tag(f"{image}:{t}", pos.region(o, o + len(t)), loc.path) for o, t in
                      ((m.start(), m.group(0)) for m in re.finditer(r"\S+", tags))]
    elif name == "aquasecurity/trivy-action":
        fmt = str(w.get("format", "")).strip()
        if _SBOM_FORMATS.match(fmt):
            add(SBOM)
            return
        code = str(w.get("exit-code", "0")).strip()
        blocking = code not in ("0", "") and not soft
        why = "" if blocking else ("continue-on-error: true" if soft and code not in ("0", "")
                                   else "exit-code is 0: the action passes whatever it finds")
        add(SCAN, blocking=blocking, why_not_blocking=why)
    elif name == "anchore/scan-action":
        off = _falsy(w.get("fail-build"))
        add(SCAN, blocking=not off and not soft,
            why_not_blocking="fail-build: false" if off else ("continue-on-error: true" if soft else ""))
    elif name == "docker/scout-action":
        command = str(w.get("command", ""))
        if "sbom" in command:
            add(SBOM)
        if "cves" in command:
            on = _truthy(w.get("exit-code")) and not soft
            add(SCAN, blocking=on, why_not_blocking="" if on else "exit-code is not set: the action passes")
    elif name in ("anchore/sbom-action", "anchore/sbom-action/publish-sbom"):
        add(SBOM)
    elif name in ("actions/attest-build-provenance", "actions/attest", "actions/attest-sbom"):
        add(SIGN)
        if name == "actions/attest-sbom":
            add(SBOM)
    elif name == "docker/login-action":
        pass  # the password goes through the action's input, never a command line


def _action_tags(push: Event, w: YMap, steps: list, index: int, loc: _Located) -> list[Tag] | None:
    """The references a build-push step pushes; None when they cannot be read.  A tag list taken
    from a docker/metadata-action step is summarised: immutable if it makes one, and each way it
    adds ``latest`` is recorded on the push."""
    tags = w.get("tags")
    if not isinstance(tags, str) or "tags" not in w:
        return None
    m = re.fullmatch(r"\s*\$\{\{\s*steps\.([\w-]+)\.outputs\.tags\s*\}\}\s*", tags)
    if m:
        meta = next((s for s in steps[:index] if isinstance(s, YMap) and s.get("id") == m.group(1)), None)
        if meta is None or _action_name(str(meta.get("uses", ""))) != "docker/metadata-action":
            return None
        kinds, unknown = _metadata_tags(meta, loc, lambda why, r: push.latest.append((why, r, loc.path)))
        if unknown or "immutable" in kinds or "unknown" in kinds:
            return None if not push.latest else []
        # only mutable tags (branch names, edge…)
        return [Tag("image:" + (kinds[0] if kinds else "latest"), w.value_region("tags"), loc.path)]
    pos = scalar_positions(loc.lines, w.value_region("tags"), tags)
    return [Tag(t, pos.region(o, o + len(t)), loc.path) for o, t in _split_list(tags)]


def github_pipeline(path: str, text: str, data) -> Pipeline:
    p = Pipeline(path, GITHUB)
    loc = _Located(path, text)
    jobs = data.get("jobs") if isinstance(data, YMap) else None
    if not isinstance(jobs, YMap):
        return p
    for job_id, body in jobs.items():
        if not isinstance(body, YMap):
            continue
        job = Job(str(job_id), path, jobs.key_region(job_id) or Region(1, 1))
        job.env = {**literal_env(data.get("env")), **literal_env(body.get("env"))}
        needs = body.get("needs")
        job.needs = [needs] if isinstance(needs, str) else [str(n) for n in needs] if isinstance(needs, list) else None
        if isinstance(body.get("uses"), str):
            job.uses, job.uses_region = body["uses"], body.value_region("uses")
            p.opaque.append(job.uses)
            p.actions.append(ActionRef(job.uses, job.uses_region or job.region, path, f"{job.id}.uses"))
            if "generator_container_slsa3" in job.uses:
                job.events.append(Event(SIGN, job, 1, job.uses_region or job.region, path, "slsa-github-generator"))
        steps = body.get("steps")
        counter = [0]
        if isinstance(steps, list):
            for i, step in enumerate(steps):
                if isinstance(step, YMap):
                    _step_events(job, step, i, steps, loc, counter, p)
        if body.get("continue-on-error") is True:
            for e in job.events:
                if e.kind == SCAN and e.blocking:
                    e.blocking, e.why_not_blocking = False, "the job has continue-on-error: true"
        p.jobs[job.id] = job
    return p


# -- GitLab CI ------------------------------------------------------------------------------------

_GITLAB_RESERVED = frozenset({"image", "services", "stages", "types", "before_script", "after_script", "variables",
                              "cache", "include", "workflow", "default", "spec", "pages:deploy"})
_DEFAULT_STAGES = [".pre", "build", "test", "deploy", ".post"]
MAX_INCLUDES = 150


class _GitLabFiles:
    """The root ``.gitlab-ci.yml`` and its local includes, read from the tree only."""

    def __init__(self, root_dir: str | None, root_display: str, limit: int) -> None:
        self.root_dir = root_dir
        self.prefix = root_display.rsplit("/", 1)[0] + "/" if "/" in root_display else ""
        self.limit = limit
        self.seen: set[str] = set()

    def local(self, pattern: str) -> list[str]:
        """Absolute paths of a ``local:`` include (a glob allowed), inside the root directory."""
        from shiplint.core.fsutil import is_inside

        if self.root_dir is None or "$" in pattern or "://" in pattern:
            return []
        rel = pattern.lstrip("/")
        full = os.path.join(self.root_dir, rel)
        found = sorted(glob.glob(full, recursive=True)) if any(c in rel for c in "*?[") else [full]
        return [f for f in found if os.path.isfile(f) and is_inside(f, [self.root_dir])][:MAX_INCLUDES]

    def read(self, full: str) -> tuple[str, str] | None:
        from shiplint.core.fsutil import read_regular

        real = os.path.realpath(full)
        if real in self.seen or len(self.seen) >= MAX_INCLUDES:
            return None
        self.seen.add(real)
        try:
            text = read_regular(full, self.limit).decode("utf-8", "replace")
        except OSError:
            return None
        display = self.prefix + os.path.relpath(full, self.root_dir).replace(os.sep, "/")
        return display, text


def _include_entries(inc) -> list:
    if inc is None:
        return []
    return list(inc) if isinstance(inc, list) else [inc]


@dataclass
class _Definition:
    body: YMap
    loc: _Located
    region: Region  # the key that names it

    @property
    def parents(self) -> list[str]:
        ext = self.body.get("extends")
        if isinstance(ext, str):
            return [ext]
        return [x for x in ext if isinstance(x, str)] if isinstance(ext, list) else []


def gitlab_pipeline(path: str, text: str, data, root_dir: str | None = None, limit: int = 1 << 20) -> Pipeline:
    p = Pipeline(path, GITLAB)
    files = _GitLabFiles(root_dir, path, limit)
    if root_dir is not None:
        files.seen.add(os.path.realpath(os.path.join(root_dir, os.path.basename(path))))
    definitions: dict[str, _Definition] = {}
    defaults: list[_Definition] = []  # ``default:`` blocks and the top-level legacy keys, in order
    stages: list[str] = []
    variables: dict[str, str] = {}

    def absorb(doc, loc: _Located, depth: int) -> None:
        if not isinstance(doc, YMap):
            return
        for entry in _include_entries(doc.get("include")):
            target = entry if isinstance(entry, str) else entry.get("local") if isinstance(entry, dict) else None
            if not isinstance(target, str) or target.startswith(("http://", "https://")):
                # project:, remote:, template:, component:
                p.opaque.append("include:" + " ".join(str(v) for v in (entry.values() if isinstance(entry, dict)
                                                                          else [entry])))
                continue
            for full in files.local(target):
                got = files.read(full) if depth < 20 else None
                if got is None:
                    continue
                display, inc_text = got
                p.sources[display] = inc_text
                for d in parse_yaml_stream(inc_text):
                    if isinstance(d, ParseError):
                        p.errors.append((display, d))
                    else:
                        absorb(d.data, _Located(display, inc_text), depth + 1)
        for key, value in doc.items():
            if key in ("stages", "types") and isinstance(value, list):
                stages[:] = [str(s) for s in value]
            elif key == "variables":
                variables.update(literal_env(value))
            elif key == "default" and isinstance(value, YMap):
                defaults.append(_Definition(value, loc, doc.key_region(key)))
            elif key not in _GITLAB_RESERVED and isinstance(value, YMap):
                definitions[str(key)] = _Definition(value, loc, doc.key_region(key) or Region(1, 1))
        if any(k in doc for k in ("before_script", "after_script")):
            defaults.append(_Definition(doc, loc, Region(1, 1)))

    absorb(data, _Located(path, text), 0)
    p.stages = [".pre"] + [s for s in (stages or _DEFAULT_STAGES) if s not in (".pre", ".post")] + [".post"]

    def find(name: str, key: str, depth: int = 0) -> _Definition | None:
        """The definition whose ``key`` the job gets: its own, else its ``extends:`` parents'
        (the last parent wins, as GitLab merges them in order)."""
        d = definitions.get(name)
        if d is None or depth > 10:
            return None
        if key in d.body:
            return d
        for parent in reversed(d.parents):
            got = find(parent, key, depth + 1)
            if got is not None:
                return got
        return None

    def value(name: str, key: str, default=None):
        d = find(name, key)
        return d.body[key] if d is not None else default

    for name, d in definitions.items():
        if name.startswith(".") or not any(find(name, k) for k in ("script", "trigger", "run")):
            continue
        job = Job(name, d.loc.path, d.region)
        job.env = {**variables, **literal_env(value(name, "variables"))}
        job.stage = str(value(name, "stage", "test"))
        needs = value(name, "needs")
        if isinstance(needs, list):
            job.needs = [n if isinstance(n, str) else str(n.get("job")) for n in needs
                         if isinstance(n, str) or (isinstance(n, dict) and "job" in n)]
        counter = [0]
        for key in ("before_script", "script", "after_script"):
            owner = find(name, key)
            if owner is None and key != "script":
                owner = next((x for x in reversed(defaults) if key in x.body), None)
            if owner is not None:
                for script in _gitlab_scripts(owner.body, key, owner.loc, key == "after_script"):
                    _shell_events(job, script, counter)
        job.resolve()
        allow = value(name, "allow_failure")
        if allow is True or isinstance(allow, dict):
            for e in job.events:
                if e.kind == SCAN and e.blocking:
                    e.blocking, e.why_not_blocking = False, "the job has allow_failure"
        p.jobs[name] = job
    return p


def _gitlab_scripts(container, key, loc: _Located, after: bool) -> list[_Script]:
    """Each entry of a ``script:`` (a string, or a list of strings with nested lists flattened),
    located in the file that wrote it."""
    item = container[key]
    if isinstance(item, str):
        script = loc.script(container, key, after)
        return [script] if script is not None else []
    out: list[_Script] = []
    if isinstance(item, YSeq):
        # ``!reference [.job, script]`` reads as a two-item list naming a template: not shell
        if len(item) == 2 and all(isinstance(x, str) for x in item) and item[0].startswith("."):
            return out
        for i in range(len(item)):
            out.extend(_gitlab_scripts(item, i, loc, after))
    return out


def build_pipeline(path: str, text: str, root_dir: str | None = None, limit: int = 1 << 20):
    """The pipeline of one CI file, and the parse errors of its own documents."""
    errors: list[ParseError] = []
    data = None
    for doc in parse_yaml_stream(text):
        if isinstance(doc, ParseError):
            errors.append(doc)
        elif data is None:
            data = doc.data
    base = path.rsplit("/", 1)[-1]
    if base.endswith(".gitlab-ci.yml") or base.endswith(".gitlab-ci.yaml"):
        return gitlab_pipeline(path, text, data, root_dir, limit), errors
    return github_pipeline(path, text, data), errors
