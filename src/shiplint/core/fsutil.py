"""Reading files from a tree that may be hostile.

One bounded reader for everything shiplint reads from a scanned repository: it opens without
blocking and checks the open descriptor, so that a FIFO, a device (``/dev/zero``), a socket or a
directory — behind a symlink, or swapped in after a check — is refused instead of hanging or
filling memory, and a file larger than the limit (or growing while it is read) is refused too.
"""

from __future__ import annotations

import os
import stat


class NotRegularFile(OSError):
    """The path is a directory, FIFO, socket or device."""


class FileTooLarge(OSError):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` bytes).

    Raises :class:`NotRegularFile`, :class:`FileTooLarge` or the ``OSError`` of ``open``."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise NotRegularFile("is a directory") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise NotRegularFile("is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile("not a regular file (a FIFO, socket or device); not read")
        if st.st_size > limit:
            raise FileTooLarge(st.st_size)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(len(data))
    return data


def is_inside(path: str, tops) -> bool:
    """Whether ``path``, symlinks resolved, lies in one of the directories ``tops`` (or is one)."""
    real = os.path.realpath(path)
    for top in tops:
        t = os.path.realpath(top)
        if real == t or real.startswith(t.rstrip(os.sep) + os.sep):
            return True
    return False
