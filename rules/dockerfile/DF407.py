"""The final image is an SDK/compiler image or installs
compilers.

Images: ``golang``, ``rust``, ``gcc``, ``buildpack-deps``, ``maven``, ``gradle``, ``openjdk``
(not ``-jre`` tags), ``eclipse-temurin``/``ibm-semeru-runtimes`` with a ``jdk`` tag,
``dotnet/sdk`` and any repository named ``*sdk``.  Packages: ``build-essential``,
``build-base``, ``gcc``, ``g++``, ``gcc-c++``, ``clang``, ``make``, ``cmake``,
``autoconf``, ``automake``, ``libtool``, ``golang``, ``rustc``, ``cargo``, ``*-jdk``.  An install
whose RUN also removes packages (``apk del``, ``apt-get purge``/``remove``/``autoremove``,
``yum/dnf remove``) is the build-then-clean idiom and is not flagged. An image that sets no
``CMD`` nor ``ENTRYPOINT`` of its own (in its final stage or the stages it builds on) is a tool or
base image run with a command given at run time (a code generator, a CI runner): not flagged.
"""

import re

from shiplint.core.findings import Hit
from shiplint.registry.rule import rule
from shiplint.model.packages import is_dry_run, package_operations

from shiplint.model.dockerfile import all_commands, chain, external_ref, root_image, run_scripts, subject

_SDK_REPOS = frozenset({"golang", "rust", "gcc", "buildpack-deps", "maven", "gradle", "openjdk",
                        "eclipse-temurin", "ibm-semeru-runtimes", "sapmachine", "clang"})
_COMPILERS = frozenset({"build-essential", "build-base", "gcc", "g++", "gcc-c++", "clang", "make",
                        "cmake", "autoconf", "automake", "libtool", "golang", "golang-go", "rustc",
                        "cargo", "default-jdk", "default-jdk-headless"})
_JDK_PKG = re.compile(r"(openjdk|java)-?\d*-jdk(-headless)?(=.*)?|.*-jdk(-headless)?")
_REMOVE = {"apk": {"del"}, "apt-get": {"purge", "remove", "autoremove"}, "apt": {"purge", "remove", "autoremove"},
           "yum": {"remove", "erase", "autoremove"}, "dnf": {"remove", "erase", "autoremove"},
           "microdnf": {"remove"}, "tdnf": {"remove", "erase", "autoremove"}}


def sdk_image(ref) -> str | None:
    repo = ref.repository.lower()
    last = repo.rsplit("/", 1)[-1]
    tag = (ref.tag or "").lower()
    if last in _SDK_REPOS:
        if last in ("openjdk",) and "jre" in tag:
            return None
        if last in ("eclipse-temurin", "ibm-semeru-runtimes", "sapmachine") and "jdk" not in tag:
            return None
        return last
    if last == "sdk" or last.endswith("-sdk") or repo.endswith("dotnet/sdk"):
        return repo
    return None


def _is_compiler(pkg: str) -> bool:
    name = re.split(r"[=<>~]", pkg, 1)[0].lower()
    return name in _COMPILERS or bool(_JDK_PKG.fullmatch(name))


@rule
def check(dockerfile, ctx):
    final = dockerfile.final_stage
    if final is None:
        return
    if not any(inst.keyword in ("CMD", "ENTRYPOINT") for stage in chain(dockerfile, final)
               for inst in stage.instructions):
        # no command of its own: a tool image (code generators, CI runners) or a base for other
        # images, run with the command given at run time; its toolchain is what it is for
        return
    base = root_image(dockerfile, final)
    ref = external_ref(base)
    if ref is not None:
        kind = sdk_image(ref)
        if kind is not None:
            yield Hit(
                f"the final image is built from '{base.image}', a {kind} SDK/compiler image: the "
                "toolchain ships with the app; build in a first stage and copy the result into a "
                "slim or distroless runtime image",
                base.image_region,
                subject=subject(final, "from.sdk"),
            )
            return
    for stage in chain(dockerfile, final):
        for inst in stage.instructions:
            if inst.keyword != "RUN":
                continue
            pairs = all_commands(run_scripts(inst))
            where = {id(c): s for s, c in pairs}
            ops = package_operations([c for _, c in pairs])
            if any(op.action in _REMOVE.get(op.manager, ()) for op in ops):
                continue
            for op in ops:
                if op.action not in ("install", "add") or is_dry_run(op):
                    continue
                compilers = [p for p in op.packages if _is_compiler(p)]
                if not compilers:
                    continue
                script = where[id(op.command)]
                word = next((w for w in op.command.args if w.value == compilers[0]), None)
                region = script.word_region(word) if word is not None else script.command_region(op.command)
                yield Hit(
                    f"the final stage installs build tools ({', '.join(compilers)}): compilers "
                    "in the runtime image add size and attack surface; compile in a build stage "
                    "and copy the result",
                    region,
                    subject=subject(final, f"build-tools:{','.join(compilers)}"),
                )
