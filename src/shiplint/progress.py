"""Progress on standard error for long runs on a terminal: ``[ 12/340] files checked``.

Only ever written to a terminal: when standard error is a pipe or a file (CI logs, editors,
``2>file``) nothing is written, even with ``--progress``.  By default ("auto") the line appears
only for runs of at least :data:`AUTO_MIN_FILES` files; ``--progress`` shows it for any run on a
terminal, ``--no-progress`` never.  Updates are throttled and the line is erased when the run
ends, before the report is printed, so it never mixes with the findings.
"""

from __future__ import annotations

import time

#: In auto mode, runs with fewer files than this finish too fast to need a progress line.
AUTO_MIN_FILES = 100
#: At most this many redraws per second.
MAX_RATE = 10


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    """A callable ``progress(done, total)`` for :meth:`shiplint.engine.Engine.run`.

    ``mode`` is True (``--progress``), False (``--no-progress``) or None (auto).
    """

    def __init__(self, stream, mode: bool | None = None, *, min_files: int = AUTO_MIN_FILES,
                 clock=time.monotonic) -> None:
        self.stream = stream
        self.mode = mode
        self.min_files = min_files
        self.clock = clock
        self.enabled: bool | None = None  # decided on the first call, once the total is known
        self.width = 0  # characters on screen
        self._last = None

    def _decide(self, total: int) -> bool:
        if self.mode is False or not is_terminal(self.stream):
            return False
        return self.mode is True or total >= self.min_files

    def __call__(self, done: int, total: int) -> None:
        if self.enabled is None:
            self.enabled = self._decide(total)
        if not self.enabled:
            return
        now = self.clock()
        if done < total and self._last is not None and now - self._last < 1.0 / MAX_RATE:
            return
        self._last = now
        digits = len(str(total))
        line = f"[{done:>{digits}}/{total}] files checked"
        self._write("\r" + line + " " * max(0, self.width - len(line)))
        self.width = max(self.width, len(line))

    def close(self) -> None:
        """Erase the line (call before printing the report)."""
        if self.width:
            self._write("\r" + " " * self.width + "\r")
            self.width = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not cost the report
            self.enabled = False
