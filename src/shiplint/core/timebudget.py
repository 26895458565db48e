"""A time budget for work whose cost the scanned repository controls.

A declarative policy's ``pattern`` is a Python regular expression, evaluated by backtracking:
``^(a+)+$`` against a 40-character value from a pull request takes longer than any CI job may
run.  Python's regular expression engine checks for signals while it matches, so a call can be
interrupted: :func:`run_within` arms a one-shot ``SIGALRM`` timer for the duration of the call
and raises :class:`Expired` when it fires.

Signals are delivered to the main thread only, so the budget applies in the main thread of a
POSIX process (the command line and its ``--jobs`` workers); elsewhere (Windows, a caller's
thread) the call runs without one.
"""

from __future__ import annotations

import signal
import threading


class Expired(Exception):
    """The call did not finish within its budget."""


def available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def run_within(seconds: float, fn, *args):
    """``fn(*args)``, or :class:`Expired` after ``seconds`` (when :func:`available`)."""
    if seconds <= 0 or not available():
        return fn(*args)

    def expire(signum, frame):
        raise Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    outer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # a timer of the caller's: armed again with what it had left
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - seconds, 0.001), outer[1])
