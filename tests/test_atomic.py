"""The one atomic writer, and that the figures and the batch use it."""

from __future__ import annotations

import os

import pytest

from forecast import atomic, jsonio
from forecast.figures import export


def test_write_text_replaces_whole_and_leaves_no_temp(tmp_path):
    f = tmp_path / "sub" / "x.txt"
    assert atomic.write_text(f, "Tiền Giang") == f
    atomic.write_text(f, "Krông Bông")
    assert f.read_bytes() == "Krông Bông".encode("utf-8")
    assert os.listdir(f.parent) == ["x.txt"]


def test_failed_write_keeps_the_old_file(tmp_path):
    f = tmp_path / "x.bin"
    atomic.write_bytes(f, b"old")
    with pytest.raises(TypeError):
        atomic.write_bytes(f, "not bytes")
    assert f.read_bytes() == b"old" and os.listdir(tmp_path) == ["x.bin"]


def test_figures_and_batch_share_the_writer():
    assert export.write_atomic is atomic.write_bytes
    assert jsonio.atomic_write_bytes is atomic.write_bytes
    assert jsonio.atomic_write_text is atomic.write_text


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_respect_the_umask(tmp_path, umask):
    # Like every other program: 0666 less the umask (022 gives rw-r--r--), where
    # tempfile.mkstemp would give rw------- whatever the umask.
    old = os.umask(umask)
    try:
        f = atomic.write_text(tmp_path / "x.txt", "x")
    finally:
        os.umask(old)
    assert f.stat().st_mode & 0o777 == 0o666 & ~umask
