"""Package managers and download pipelines in shell commands: what the Dockerfile rules know
about ``apt-get``, ``apk``, ``yum``/``dnf``, ``pip``, ``npm``/``yarn`` and ``curl … | sh``.

Input is the commands of :func:`shiplint.sources.shell.split_commands` (for a ``RUN``, take them
from :func:`shiplint.model.dockerfile.run_scripts`, which parses each RUN once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from shiplint.sources.shell import Command, Word

__all__ = [
    "SHELLS",
    "PkgOp",
    "cleans_yum",
    "is_dry_run",
    "package_operations",
    "pipes_remote_script",
    "removes_apt_lists",
    "rm_targets",
]

#: POSIX-style shells: the programs that run ``-c SCRIPT``, a heredoc fed to them or a script
#: with their shebang the way ``/bin/sh`` would (``SHELL``, ``RUN ["bash", "-c", …]``).
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})


@dataclass(slots=True, eq=False)
class PkgOp:
    manager: str  # apt-get, apt, apk, yum, dnf, microdnf, pip, npm, yarn
    action: str  # normalised: npm "i" -> "install", yarn with no action -> "install"
    packages: list[str]
    flags: set[str]  # option names as written, plus single letters of combined short options
    command: Command
    option_values: dict[str, list[str]] = field(default_factory=dict)  # e.g. {"-r": ["req.txt"]}


_APT_VALUE = frozenset({"-o", "-t", "-c", "--option", "--target-release", "--default-release",
                        "--config-file"})
_APK_VALUE = frozenset({"-X", "--repository", "-p", "--root", "-t", "--virtual", "--arch",
                        "--cache-dir", "--keys-dir", "--repositories-file"})
_RPM_VALUE = frozenset({"-c", "--config", "-x", "--exclude", "--installroot", "--releasever",
                        "--enablerepo", "--disablerepo", "--setopt", "--repo", "--repoid",
                        "--forcearch", "--downloaddir", "--destdir", "-d", "--debuglevel", "-e",
                        "--errorlevel", "--rpmverbosity", "--disableplugin", "--enableplugin"})
_PIP_VALUE = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i",
                        "--index-url", "--extra-index-url", "-f", "--find-links", "-t",
                        "--target", "--prefix", "--root", "--trusted-host", "--src",
                        "--upgrade-strategy", "--progress-bar", "--platform", "--python-version",
                        "--implementation", "--abi", "--only-binary", "--no-binary",
                        "--cache-dir", "--log", "--proxy", "--retries", "--timeout",
                        "--exists-action", "--global-option", "--config-settings", "-C",
                        "--python", "--report"})
_NPM_VALUE = frozenset({"--prefix", "--registry", "--cache", "-w", "--workspace", "--omit",
                        "--include", "--loglevel", "--userconfig", "-C", "--install-strategy"})
_YARN_VALUE = frozenset({"--cwd", "--modules-folder", "--cache-folder", "--network-timeout",
                         "--registry", "--mutex", "--global-folder", "--link-folder"})
_NPM_ALIASES = {
    **dict.fromkeys(("i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal",
                     "isntall", "add"), "install"),
    **dict.fromkeys(("clean-install", "ic", "install-clean", "isntall-clean"), "ci"),
    **dict.fromkeys(("un", "unlink", "remove", "rm", "r"), "uninstall"),
    **dict.fromkeys(("up", "upgrade", "udpate"), "update"),
}
# dnf's short command names (``dnf in``, ``dnf rei``); yum is dnf on current RPM distributions
_RPM_ALIASES = {"in": "install", "rei": "reinstall", "rm": "remove", "up": "upgrade"}
_PIP_NAME = re.compile(r"pip\d*(?:\.\d+)*")
_PYTHON_NAME = re.compile(r"python\d*(?:\.\d+)*")
# Programs that run a script read from standard input (``curl … | sh``).  ``busybox`` is not
# one by its own name: the applet after it (``busybox sh``) is.
_STDIN_INTERPRETERS = (SHELLS - {"busybox"}) | {"fish", "perl", "ruby", "node"}
_DOWNLOADERS = frozenset({"curl", "wget", "fetch"})


def _parse_options(
    words: list[Word], takes_value: frozenset[str], value_is_package: frozenset[str] = frozenset()
) -> tuple[str | None, list[str], set[str], dict[str, list[str]]]:
    action: str | None = None
    packages: list[str] = []
    flags: set[str] = set()
    values: dict[str, list[str]] = {}
    options_done = False
    k = 0
    while k < len(words):
        v = words[k].value
        k += 1
        if not options_done and v == "--":
            options_done = True
            continue
        if not options_done and len(v) > 1 and v.startswith("-"):
            opt, eq, val = v.partition("=")
            flags.add(opt)
            if not eq and not opt.startswith("--") and len(opt) > 2:
                if opt[:2] in takes_value:  # value attached: -oDpkg::Options=...
                    flags.add(opt[:2])
                    values.setdefault(opt[:2], []).append(v[2:])
                    continue
                flags.update("-" + ch for ch in opt[1:])
                continue
            if opt in takes_value:
                if not eq:
                    if k >= len(words):
                        continue
                    val = words[k].value
                    k += 1
                values.setdefault(opt, []).append(val)
                if opt in value_is_package:
                    packages.append(val)
            continue
        if action is None:
            action = v
        else:
            packages.append(v)
    return action, packages, flags, values


def _package_operation(cmd: Command) -> PkgOp | None:
    name = cmd.name
    if not name:
        return None
    args = cmd.args
    if name in ("apt-get", "apt", "aptitude"):
        manager, takes = name, _APT_VALUE
    elif name == "apk":
        manager, takes = name, _APK_VALUE
    elif name in ("yum", "dnf", "microdnf", "tdnf"):
        manager, takes = name, _RPM_VALUE
    elif name == "npm":
        manager, takes = name, _NPM_VALUE
    elif name == "yarn":
        manager, takes = name, _YARN_VALUE
    elif _PIP_NAME.fullmatch(name):
        manager, takes = "pip", _PIP_VALUE
    elif _PYTHON_NAME.fullmatch(name):
        # python [options] -m pip ...
        for k, w in enumerate(args):
            if w.value == "-m" and k + 1 < len(args):
                if _PIP_NAME.fullmatch(args[k + 1].value):
                    args = args[k + 2 :]
                    break
                return None
            if w.value.startswith("-m") and len(w.value) > 2:
                if _PIP_NAME.fullmatch(w.value[2:]):
                    args = args[k + 1 :]
                    break
                return None
            if not w.value.startswith("-"):
                return None
        else:
            return None
        manager, takes = "pip", _PIP_VALUE
    else:
        return None

    value_is_package = frozenset({"-e", "--editable"}) if manager == "pip" else frozenset()
    action, packages, flags, values = _parse_options(args, takes, value_is_package)
    if manager == "yarn":
        if action == "global":
            flags.add("global")
            action = packages.pop(0) if packages else None
        if action is None:
            action = "install"
    if action is None:
        return None
    action = action.lower()
    if manager == "npm":
        action = _NPM_ALIASES.get(action, action)
    elif manager in ("yum", "dnf", "microdnf", "tdnf"):
        action = _RPM_ALIASES.get(action, action)
    return PkgOp(manager, action, packages, flags, cmd, values)


def package_operations(cmds: list[Command]) -> list[PkgOp]:
    """Every package-manager invocation among ``cmds``, in order."""
    ops = []
    for cmd in cmds:
        op = _package_operation(cmd)
        if op is not None:
            ops.append(op)
    return ops


def rm_targets(cmds: list[Command]) -> Iterator[str]:
    """The paths ``rm`` removes among ``cmds`` (its non-option arguments)."""
    for cmd in cmds:
        if cmd.name == "rm":
            for w in cmd.args:
                if not w.value.startswith("-"):
                    yield w.value


def _under(path: str, directory: str) -> bool:
    path = path.rstrip("/") if path != "/" else path
    return path == directory or path.startswith(directory + "/")


def removes_apt_lists(cmds: list[Command]) -> bool:
    """True when an ``rm`` removes ``/var/lib/apt/lists`` or something under it."""
    return any(_under(t, "/var/lib/apt/lists") for t in rm_targets(cmds))


def cleans_yum(cmds: list[Command]) -> bool:
    """True for ``yum/dnf/microdnf clean all`` or an ``rm`` of ``/var/cache/yum`` or ``/var/cache/dnf``."""
    for op in package_operations(cmds):
        if op.manager in ("yum", "dnf", "microdnf", "tdnf") and op.action == "clean":
            if "all" in op.packages:
                return True
    return any(
        _under(t, "/var/cache/yum") or _under(t, "/var/cache/dnf") for t in rm_targets(cmds)
    )


def pipes_remote_script(cmds: list[Command]) -> Command | None:
    """The interpreter in a ``curl ... | sh``-style pipeline (reading the script from stdin)."""
    downloading = False
    for cmd in cmds:
        if cmd.operator_before not in ("|", "|&"):
            downloading = False
        name = cmd.name
        if downloading and name is not None:
            interpreter = name in _STDIN_INTERPRETERS or _PYTHON_NAME.fullmatch(name) is not None
            if interpreter and not any(w.value == "-c" for w in cmd.args):
                return cmd
        if name in _DOWNLOADERS:
            downloading = True
    return None


_DRY_RUN = frozenset({"-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon"})


def is_dry_run(op: PkgOp) -> bool:
    """``apt-get install -s ...`` only simulates."""
    return bool(_DRY_RUN & op.flags)
