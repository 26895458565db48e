"""Waiting for a child process to end without polling."""

from __future__ import annotations

import os
import time


def wait_pidfd(pid: int, timeout: float) -> bool | None:
    """Wait at most ``timeout`` seconds for process ``pid`` to end, through a pidfd (Linux 5.3+),
    which becomes readable the moment the process exits, and without reaping it: True when it
    ended, False on timeout, None where pidfds are not available (the caller polls then).

    Why not ``Popen.wait(timeout)`` or a ``waitpid`` loop: they poll with a growing pause, which
    overshoots a process of a few tens of milliseconds (a helm render, a ShellCheck run) by
    up to half its time."""
    import select

    if not hasattr(os, "pidfd_open") or not hasattr(select, "poll"):
        return None
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if poller.poll(min(left, 3600.0) * 1000):
                return True
    finally:
        os.close(fd)
