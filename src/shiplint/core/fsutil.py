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
        # read(n) allocates n bytes before reading: ask for the size the file has (plus one
        # byte, to see that it grew), not for the limit, then read on only if it did grow
        expected = min(limit, st.st_size) + 1
        data = fh.read(expected)
        if len(data) == expected and expected <= limit:
            data += fh.read(limit + 1 - expected)
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
class RefusedPath(OSError):
    """An output path that would be written through a symbolic link, or is not a regular file."""


def write_atomic(path: str, data: bytes, keep_mode: bool = False, fsync: bool = False) -> None:
    """Write ``data`` to ``path`` without ever writing through a link a repository committed.

    An existing ``path`` must be a regular file (it is opened with ``O_NOFOLLOW``: a symlink is
    refused, not followed), and no directory between the working directory and ``path`` may
    be a symlink (those come from the checked-out tree; the directories above the working
    directory do not).  The data goes to a new temporary file in the same directory, which is
    then renamed over ``path``: readers see the old report or the new one, never a part, and
    the rename replaces a name, it follows nothing.  Raises :class:`RefusedPath` or the
    ``OSError`` of the write.

    ``keep_mode``: the new file gets the permission bits of the one it replaces (a fixed
    ``entrypoint.sh`` stays executable), instead of the umask's.  ``fsync``: the data reaches
    the disk before the rename, so that a crash just after it cannot leave an empty file in
    place of a source file the user edits (a report can simply be made again)."""
    import tempfile

    path = os.path.abspath(path)
    directory, name = os.path.split(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    mode = None
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if os.path.islink(path):
            raise RefusedPath("is a symbolic link; not written through it") from None
        raise exc
    else:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise RefusedPath("is not a regular file; not written")
            mode = stat.S_IMODE(st.st_mode)
        finally:
            os.close(fd)
    cwd = os.getcwd()
    if directory != cwd and directory.startswith(cwd.rstrip(os.sep) + os.sep):
        current = cwd
        for part in os.path.relpath(directory, cwd).split(os.sep):
            current = os.path.join(current, part)
            if os.path.islink(current):
                raise RefusedPath(f"{os.path.relpath(current, cwd)} is a symbolic link; not written through it")
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if keep_mode and mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
