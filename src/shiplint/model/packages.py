"""Package managers and download pipelines in shell commands: what the Dockerfile rules know
about ``apt-get``, ``apk``, ``yum``/``dnf``, ``pip``, ``npm``/``yarn``/``pnpm``, ``gem`` and
``curl … | sh``, and the commands that turn certificate checks off or set passwords.

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
    "TLS_OFF_VARIABLES",
    "PkgOp",
    "cleans_yum",
    "is_dry_run",
    "package_operations",
    "pipes_remote_script",
    "removes_apt_lists",
    "rm_targets",
    "sets_password",
    "tls_checks_off",
    "tls_off_value",
]

#: POSIX-style shells: the programs that run ``-c SCRIPT``, a heredoc fed to them or a script
#: with their shebang the way ``/bin/sh`` would (``SHELL``, ``RUN ["bash", "-c", …]``).
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})


@dataclass(slots=True, eq=False)
class PkgOp:
    manager: str  # apt-get, apt, apk, yum, dnf, microdnf, pip, npm, yarn, pnpm, gem
    action: str  # normalised: npm "i" -> "install", yarn with no action -> "install"
    packages: list[str]
    flags: set[str]  # option names as written, plus single letters of combined short options
    command: Command
    option_values: dict[str, list[str]] = field(default_factory=dict)  # e.g. {"-r": ["req.txt"]}
    #: the words of ``packages`` (positions for findings), in the same order
    package_words: list[Word] = field(default_factory=list)


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
_GEM_VALUE = frozenset({"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source",
                        "-P", "--trust-policy", "--platform", "-g", "--file"})
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
) -> tuple[str | None, list[Word], set[str], dict[str, list[str]]]:
    action: str | None = None
    packages: list[Word] = []
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
                if opt in value_is_package and not eq:
                    packages.append(words[k - 1])
            continue
        if action is None:
            action = v
        else:
            packages.append(words[k - 1])
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
    elif name in ("yarn", "pnpm"):
        manager, takes = name, _YARN_VALUE
    elif name == "gem":
        manager, takes = name, _GEM_VALUE
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
    action, words, flags, values = _parse_options(args, takes, value_is_package)
    if manager in ("yarn", "pnpm"):
        if action == "global":
            flags.add("global")
            action = words.pop(0).value if words else None
        if action is None:
            action = "install"
    if action is None:
        return None
    action = action.lower()
    if manager in ("npm", "pnpm"):
        action = _NPM_ALIASES.get(action, action)
    elif manager in ("yum", "dnf", "microdnf", "tdnf"):
        action = _RPM_ALIASES.get(action, action)
    return PkgOp(manager, action, [w.value for w in words], flags, cmd, values, words)


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


# -- certificate and signature checks ----------------------------------------------------------

#: Environment variables that turn TLS verification off, with the values that do it (None: any
#: non-empty value — git reads ``GIT_SSL_NO_VERIFY`` as a boolean that is true when set).
TLS_OFF_VARIABLES: dict[str, frozenset[str] | None] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": frozenset({"0"}),
    "PYTHONHTTPSVERIFY": frozenset({"0"}),
    "GIT_SSL_NO_VERIFY": None,
    "CURL_INSECURE": None,
    "NPM_CONFIG_STRICT_SSL": frozenset({"false", "0"}),
    "npm_config_strict_ssl": frozenset({"false", "0"}),
    "YARN_STRICT_SSL": frozenset({"false", "0"}),
    "PIP_TRUSTED_HOST": None,
}
# curl's short options that take a value: in ``-sko out`` the letters after ``o`` are its value.
_CURL_SHORT_VALUE = frozenset("AbcCdDeEFHKmoPQrTuUwxXyYz")
_APT_CONF_VALUE = re.compile(r"(AllowUnauthenticated|AllowInsecureRepositories|AllowDowngradeToInsecureRepositories)"
                             r"\s*(?:=|\s)\s*\\?[\"']?(?:1|true|yes)\b|(Verify-Peer|Verify-Host)\s*(?:=|\s)\s*"
                             r"\\?[\"']?(?:0|false|no)\b", re.I)


def tls_off_value(name: str, value: str | None) -> bool:
    """``NAME=value`` turns certificate verification off (``NODE_TLS_REJECT_UNAUTHORIZED=0``)."""
    if name not in TLS_OFF_VARIABLES or value is None:
        return False
    wanted = TLS_OFF_VARIABLES[name]
    value = value.strip().strip("\"'")
    if wanted is None:
        return value not in ("", "0", "false", "no")
    return value.lower() in wanted


def _short_letters(value: str, with_value: frozenset[str]) -> str:
    """The option letters of a combined short option (``-fsSLk``), up to one that takes a value."""
    out = []
    for ch in value[1:]:
        out.append(ch)
        if ch in with_value:
            break
    return "".join(out)


def tls_checks_off(cmd: Command) -> Iterator[tuple[Word, str]]:
    """The words of ``cmd`` that turn a certificate or package-signature check off, with what
    they are (``curl --insecure``, ``pip --trusted-host``, ``apk --allow-untrusted``…)."""
    for w in cmd.assignments:
        name, _, value = w.value.partition("=")
        if tls_off_value(name, value):
            yield w, f"{name}={value}"
    name = cmd.name
    if name is None:
        return
    args = cmd.args
    values = [w.value for w in args]
    if name == "curl":
        for w in args:
            v = w.value
            if v == "--insecure" or (v.startswith("-") and not v.startswith("--") and "k" in _short_letters(v, _CURL_SHORT_VALUE)):
                yield w, "curl --insecure"
    elif name == "wget":
        for w in args:
            if w.value == "--no-check-certificate":
                yield w, "wget --no-check-certificate"
    elif name in ("export", "env", "declare", "typeset"):
        for w in args:
            key, eq, value = w.value.partition("=")
            if eq and tls_off_value(key, value):
                yield w, f"{key}={value}"
    elif name == "git":
        for k, w in enumerate(args):
            v = w.value.lower()
            nxt = values[k + 1].lower() if k + 1 < len(args) else ""
            if v.startswith("http.sslverify=") and v.split("=", 1)[1] in ("false", "0", "no"):
                yield w, "git http.sslVerify=false"
            elif v == "http.sslverify" and nxt in ("false", "0", "no"):
                yield w, "git config http.sslVerify false"
    elif name in ("npm", "yarn", "pnpm"):
        for k, w in enumerate(args):
            v = w.value.lower()
            nxt = values[k + 1].lower() if k + 1 < len(args) else ""
            if v in ("--strict-ssl=false", "--no-strict-ssl") or (v == "--strict-ssl" and nxt == "false"):
                yield w, f"{name} strict-ssl false"
            elif v in ("strict-ssl", "strictssl") and nxt in ("false", "0"):
                yield w, f"{name} config set strict-ssl false"
            elif v in ("strict-ssl=false", "enablestrictssl=false") or (v == "enablestrictssl" and nxt == "false"):
                yield w, f"{name} config set strict-ssl false"
    for op in package_operations([cmd]):
        flag_words = {w.value: w for w in args}
        if op.manager == "pip" and ("--trusted-host" in op.flags):
            yield next((w for w in args if w.value.startswith("--trusted-host")), args[0]), "pip --trusted-host"
        elif op.manager in ("apt-get", "apt", "aptitude"):
            for flag in ("--allow-unauthenticated", "--allow-insecure-repositories", "--no-check-valid-until"):
                if flag in op.flags:
                    yield flag_words.get(flag) or args[0], f"{op.manager} {flag}"
            for w in args:
                if _APT_CONF_VALUE.search(w.value):
                    yield w, f"{op.manager} -o {w.value.split('=')[0].lstrip('-o')}"
        elif op.manager in ("yum", "dnf", "microdnf", "tdnf"):
            for w in args:
                v = w.value.lower()
                if v == "--nogpgcheck" or v.replace(" ", "") in ("--setopt=gpgcheck=0", "gpgcheck=0", "--setopt=*.gpgcheck=0"):
                    yield w, f"{op.manager} --nogpgcheck"
        elif op.manager == "apk" and not _local_files(op.packages):
            for w in args:
                if w.value == "--allow-untrusted":
                    yield w, "apk --allow-untrusted"
    if name == "rpm" and not _local_files([v for v in values if not v.startswith("-")]):
        for w in args:
            if w.value in ("--nosignature", "--nodigest", "--nogpgcheck"):
                yield w, f"rpm {w.value}"


def _local_files(packages: list[str]) -> bool:
    """Every package is a file of the build (``/tmp/pkgs/x.apk``), not fetched from a repository:
    nothing travels over the network for a signature to protect (a package built in an earlier
    stage is unsigned by nature)."""
    return bool(packages) and all(p.startswith(("/", "./")) and "://" not in p for p in packages)


# -- passwords -----------------------------------------------------------------------------------

def sets_password(cmds: list[Command]) -> Iterator[tuple[Command, str]]:
    """Commands that set an account's password: ``chpasswd``, ``passwd --stdin`` or fed by a
    pipe, ``useradd``/``usermod -p HASH``; with what they are."""
    for cmd in cmds:
        name = cmd.name
        values = cmd.arg_values
        if name == "chpasswd" and not {"-h", "--help"} & set(values):
            yield cmd, "chpasswd"
        elif name == "passwd" and ("--stdin" in values or cmd.operator_before in ("|", "|&")):
            yield cmd, "passwd reading the password from standard input"
        elif name in ("useradd", "usermod"):
            for v in values:
                opt = v.partition("=")[0]
                if opt in ("-p", "--password") or (v.startswith("-p") and not v.startswith("--") and len(v) > 2):
                    yield cmd, f"{name} {opt if opt.startswith('--') else '-p'}"
                    break
