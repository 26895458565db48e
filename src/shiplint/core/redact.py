"""What may reach an output: secrets masked, control characters and undecodable bytes escaped.

Every string shiplint prints comes, in part, from the scanned repository: messages quote keys,
names, URLs, parse errors and the error text of helm and kustomize.  Rules already avoid
printing values, but a message can still carry a credential the rule did not know was one (a
token in a URL, an unknown Dockerfile instruction that is a pasted key, a renderer's error that
quotes a values file).  So every reporter, the baseline writer and the messages on standard
error pass their strings through :func:`redact`, which masks, wherever they appear:

* URL credentials: the password of ``scheme://user:password@host`` (up to the last ``@`` of the
  authority, so an ``@`` in the password does not end it), and a user part that is not a plain
  name (a token used as the user: ``https://ghp_…@github.com``);
* query-string parameters that carry a secret: any name containing token, sig(nature), secret,
  password, key, credential, auth or session (``?private_token=``, ``X-Amz-Signature=``,
  ``sig=``, ``access_token=``…);
* ``name: value``, ``name=value`` and ``"name": "value"`` where the name says it is a
  password, secret, token or key (a quoted name only with a quoted value: ``'DB_PASSWORD':
  prefer…`` in a sentence is no assignment);
* known key formats: AWS access key ids, GitHub (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``,
  ``ghr_``, ``github_pat_``), GitLab (``glpat-``…), Slack (``xox?-`` and webhook URLs), Google
  API keys, Stripe, npm and PyPI tokens, JSON Web Tokens and PEM private key blocks.

Each mask is ``****``; masking is idempotent.  Every pattern has bounded repetitions, so a
crafted message cannot make it slow.

The escaping helpers make attacker-chosen text (file and resource names, messages) safe for a
line-oriented output: :func:`escape_controls` writes C0 and C1 control characters, DEL, line and
paragraph separators and bidirectional overrides as ``\\n``, ``\\x1b``, ``\\u202e``…, and an
undecodable byte of a file name (kept by Python as a lone surrogate) as ``\\xff``;
:func:`escape_path` also doubles backslashes, so that a path is represented without loss;
:func:`uri_path` percent-encodes a path for a URI.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote

MASK = "****"

# The patterns are compiled on first use, each only once a cheap test of the text shows it
# could match (every test below is a necessary condition of its pattern): compiling them all
# costs more at start-up than the whole check of a small Dockerfile, whose messages need none.
_SECRET_WORDS = r"(?:token|sig|signature|secret|passw(?:or)?d|pwd|key|credential|auth|session)"
_SOURCES = {
    "private_key": r"(-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)[\s\S]*?"
                   r"(-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z)",
    "url_userinfo": r"(?i)\b([a-z][a-z0-9+.\-]{0,30}://)([^/?#\s'\"<>`]{1,512})@",
    "plain_user": r"[A-Za-z][A-Za-z._-]{0,31}[0-9]{0,3}\Z",
    "query": r"(?i)([?&;][a-z0-9_.\-]{0,40}" + _SECRET_WORDS + r"[a-z0-9_.\-]{0,40}=)([^&#\s'\"<>`]{1,4096})",
    "assignment":
        r"(?i)(\b[a-z0-9_.\-]{0,40}(?:passw(?:or)?d|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)\b(?:[ \t]{0,8}[:=][ \t]{0,8}[\"']?|[\"'][ \t]{0,8}[:=][ \t]{0,8}[\"']))"
        r"(?!(?:true|false|null|none|yes|no|\d+)(?![^\s\"',;:&}\]]))([^\s\"',;&}\]]{1,1024})",
    "keys": (
        r"\b(?:"
        r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}"  # AWS access key id
        r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub
        r"|gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat)-[A-Za-z0-9_\-]{20,255}"  # GitLab
        r"|xox[abprseo]-[A-Za-z0-9\-]{10,255}"  # Slack
        r"|AIza[0-9A-Za-z_\-]{35}"  # Google API key
        r"|(?:sk|rk)_live_[0-9A-Za-z]{16,255}"  # Stripe
        r"|npm_[A-Za-z0-9]{36}"  # npm
        r"|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{40,255}"  # PyPI
        r"|eyJ[A-Za-z0-9_\-]{8,4096}\.[A-Za-z0-9_\-]{8,8192}\.[A-Za-z0-9_\-]{0,4096}"  # JSON Web Token
        r")(?![A-Za-z0-9_\-])"),
    "slack_hook": r"(hooks\.slack\.com/(?:services|workflows)/)[A-Za-z0-9/_\-]{1,255}",
}
#: Substrings one of which a match of ``keys`` contains (its literal prefixes).
_KEY_MARKS = ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA",
              "gh", "github_pat_", "gl", "xox", "AIza", "_live_", "npm_", "pypi-", "eyJ")
#: Words one of which the case-folded text of a match of ``assignment`` contains
#: (``str.casefold`` covers every character ``re.IGNORECASE`` equates with their letters).
_ASSIGNMENT_WORDS = ("passw", "secret", "token", "key")
_COMPILED: dict[str, re.Pattern] = {}


def _pattern(name: str) -> re.Pattern:
    pattern = _COMPILED.get(name)
    if pattern is None:
        pattern = _COMPILED[name] = re.compile(_SOURCES[name])
    return pattern


def _userinfo(m: re.Match) -> str:
    info = m.group(2)
    user, sep, _ = info.partition(":")
    if sep:
        shown = user if _pattern("plain_user").match(user) else MASK
        return f"{m.group(1)}{shown}:{MASK}@"
    return f"{m.group(1)}{info if _pattern('plain_user').match(info) or info == MASK else MASK}@"


def redact(text: str) -> str:
    """``text`` with every secret of the forms above replaced by ``****``."""
    if not isinstance(text, str) or not text:
        return text
    if "PRIVATE KEY" in text:
        text = _pattern("private_key").sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", text)
    if "://" in text and "@" in text:
        text = _pattern("url_userinfo").sub(_userinfo, text)
    if "=" in text:
        text = _pattern("query").sub(lambda m: m.group(1) + MASK, text)
    if "hooks.slack.com/" in text:
        text = _pattern("slack_hook").sub(lambda m: m.group(1) + MASK, text)
    if any(mark in text for mark in _KEY_MARKS):
        text = _pattern("keys").sub(MASK, text)
    folded = text.casefold()
    if any(word in folded for word in _ASSIGNMENT_WORDS):
        text = _pattern("assignment").sub(lambda m: m.group(1) + MASK, text)
    return text


def redact_value(value):
    """:func:`redact` on every string inside ``value`` (dicts, lists, tuples)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v) for v in value)
    return value


def redact_report(report):
    """A copy of a report whose findings (messages, related locations, justifications,
    properties) and notifications are redacted; the report itself is left as it is."""
    def location(loc):
        return dataclasses.replace(loc, message=redact(loc.message)) if loc.message else loc

    findings = [
        dataclasses.replace(
            f, message=redact(f.message), related=[location(x) for x in f.related],
            justification=redact(f.justification), properties=redact_value(f.properties))
        for f in report.findings
    ]
    notifications = [dataclasses.replace(n, message=redact(n.message)) for n in report.notifications]
    return dataclasses.replace(report, findings=findings, notifications=notifications)


# -- escaping ---------------------------------------------------------------------------------

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(c: str) -> str:
    o = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    if 0xDC80 <= o <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    return f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with control characters (but those in ``keep``), separators, bidirectional
    overrides and undecodable bytes written as escapes; everything else unchanged."""
    if not isinstance(text, str):
        return text
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else _escape_char(m.group()), text)


def escape_surrogates(text: str) -> str:
    """Only undecodable bytes escaped: for formats (JSON, XML) that escape the rest themselves
    but must stay valid UTF-8."""
    if not isinstance(text, str):
        return text
    return _SURROGATES.sub(lambda m: _escape_char(m.group()), text)


def escape_path(path: str) -> str:
    """A file path for text and JSON output, without loss: backslashes doubled, control
    characters and undecodable bytes escaped."""
    if not isinstance(path, str):
        return path
    if "\\" in path:
        path = path.replace("\\", "\\\\")
    return escape_controls(path)


#: Characters a path keeps in a URI reference (RFC 3986 unreserved and sub-delimiters, ``@``
#: and ``/``); ``:`` is encoded, so that a first segment is never read as a scheme.
_URI_SAFE = "/-._~!$&'()*+,;=@"


def uri_path(path: str) -> str:
    """A relative path as a URI reference: UTF-8, undecodable bytes as themselves, percent-encoded."""
    return quote(path.encode("utf-8", "surrogateescape"), safe=_URI_SAFE)
