"""``read_regular`` asks for the bytes a file has, yet still reads what its size did not show."""

from __future__ import annotations

import os

import pytest

from shiplint.core import fsutil
from shiplint.core.fsutil import FileTooLarge, read_regular


@pytest.mark.parametrize("size", [0, 1, 9, 10])
def test_reads_up_to_the_limit(tmp_path, size):
    (tmp_path / "f").write_bytes(b"x" * size)
    assert read_regular(str(tmp_path / "f"), 10) == b"x" * size


def test_refuses_over_the_limit(tmp_path):
    (tmp_path / "f").write_bytes(b"x" * 11)
    with pytest.raises(FileTooLarge):
        read_regular(str(tmp_path / "f"), 10)


def test_a_file_longer_than_its_size_is_read_to_its_end_or_refused(tmp_path, monkeypatch):
    # a file that grew after fstat, or one whose size says 0 (/proc): the stat shows fewer bytes
    (tmp_path / "f").write_bytes(b"abcdefgh")
    real = os.fstat

    class Shrunk:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            return 2 if name == "st_size" else getattr(self._st, name)

    monkeypatch.setattr(fsutil.os, "fstat", lambda fd: Shrunk(real(fd)))
    assert read_regular(str(tmp_path / "f"), 100) == b"abcdefgh"
    with pytest.raises(FileTooLarge):
        read_regular(str(tmp_path / "f"), 5)
