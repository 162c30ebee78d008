"""``brief --out``: what the brief may replace, its lock, its leftovers, a full disk,
and tables that cannot carry a formula into a spreadsheet.

Refusals happen before the outlook runs, so most of these are quick; the
ones that build a brief use the tiny fixture with few paths.
"""

import errno
import json
import os
import shutil

import openpyxl
import pytest

import forecast.brief.pdf
import forecast.outputs
from forecast.cli import main
from forecast.outputs import MARKER, FolderLock, mark

from conftest import TINY_DIR

QUICK = ["--units", "krong-bong", "--paths", "200", "--scenario", "none", "--lang", "en"]


def brief(*args):
    return main(["brief", *map(str, args), *QUICK])


def tree(folder):
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_folder_of_the_user_is_refused_and_kept(tmp_path, capsys):
    out = tmp_path / "thesis"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.txt").write_text("three years of work")
    (out / "sub" / "data.csv").write_text("a,b\n1,2\n")
    before = tree(out)
    assert brief("--data", TINY_DIR, "--out", out) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and "Fix:" in err and "Traceback" not in err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]  # no lock, no sibling


def test_the_data_folder_is_refused(tmp_path, capsys):
    data = tmp_path / "mydata"
    shutil.copytree(TINY_DIR, data)
    before = tree(data)
    assert brief("--data", data, "--out", data) == 2
    assert "which the brief reads" in capsys.readouterr().err
    assert tree(data) == before
    # A folder holding the data folder is refused too.
    assert brief("--data", data, "--out", tmp_path) == 2
    assert tree(data) == before


def test_a_file_is_refused_and_not_hidden(tmp_path, capsys):
    f = tmp_path / "afile.txt"
    f.write_text("hello")
    assert brief("--data", TINY_DIR, "--out", f) == 2
    assert "is a file" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["afile.txt"]
    assert f.read_text() == "hello"


def test_the_current_folder_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert brief("--data", TINY_DIR, "--out", ".") == 2
    err = capsys.readouterr().err
    assert "folder you are working in" in err and "Traceback" not in err
    (tmp_path / "child").mkdir()
    monkeypatch.chdir(tmp_path / "child")
    assert brief("--data", TINY_DIR, "--out", "..") == 2


def test_a_folder_another_brief_is_writing_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(forecast.outputs, "LOCK_WAIT_SECONDS", 0.2)
    out = tmp_path / "brief"
    # The lock another `forecast brief --out brief` holds while it runs.
    with FolderLock(tmp_path / ".brief.lock", "test"):
        assert brief("--data", TINY_DIR, "--out", out) == 2
    assert "another forecast command is writing" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_replaces_its_own_brief_cleans_stale_folders_and_respects_the_umask(tmp_path):
    out = tmp_path / "brief"
    stale = tmp_path / ".brief.building-999999"  # left by a brief killed mid-way
    stale.mkdir()
    mark(stale, "brief")
    (stale / "index.html").write_text("half a brief")
    killed_early = tmp_path / ".brief.old-999998"  # killed between mkdir and marker
    killed_early.mkdir()
    other = tmp_path / ".brief.building-mine"  # not a name the brief gives: kept
    other.mkdir()
    (other / "x").write_text("x")
    old_umask = os.umask(0o027)
    try:
        assert brief("--data", TINY_DIR, "--out", out) == 0
        assert (out / MARKER).is_file()
        (out / "index.html").write_text("earlier brief")
        assert brief("--data", TINY_DIR, "--out", out) == 0
    finally:
        os.umask(old_umask)
    assert (out / "index.html").read_text() != "earlier brief"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".brief.building-mine", "brief"]
    for name in ("brief.docx", "manifest.json", "tables/brief.xlsx", "tables/outlook.csv",
                 "figures/pace.png"):
        # 0666 less the umask 027 is 0640 (rw-r-----), not the owner-only 0600.
        assert (out / name).stat().st_mode & 0o777 == 0o640, name


@pytest.mark.slow
def test_a_brief_written_before_the_marker_existed_is_replaced(tmp_path):
    out = tmp_path / "brief"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"command": "brief", "written": "2024"}))
    (out / "index.html").write_text("earlier brief")
    assert brief("--data", TINY_DIR, "--out", out) == 0
    assert (out / MARKER).is_file()


@pytest.mark.slow
def test_a_full_disk_is_a_clear_error_and_keeps_the_earlier_brief(tmp_path, monkeypatch,
                                                                    capsys):
    out = tmp_path / "brief"
    out.mkdir()
    mark(out, "brief")
    (out / "index.html").write_text("earlier brief")

    def full(doc, root, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(forecast.brief.pdf, "write_pdf", full)
    assert brief("--data", TINY_DIR, "--out", out) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "free some disk space" in err
    assert "previous brief there is unchanged" in err and "Traceback" not in err
    assert (out / "index.html").read_text() == "earlier brief"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief"]


@pytest.mark.slow
def test_tables_carry_no_formula(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY_DIR, data)
    units = (data / "units.csv").read_text(encoding="utf-8")
    evil = '=HYPERLINK("http://example.invalid/x","click")'
    units = units.replace("Đảng bộ huyện Krông Bông", '"' + evil.replace('"', '""') + '"')
    (data / "units.csv").write_text(units, encoding="utf-8")
    sources = (data / "sources.csv").read_text(encoding="utf-8")
    (data / "sources.csv").write_text(
        sources.replace("Huyện Krông Bông đẩy mạnh", "=2*3 Huyện Krông Bông"), encoding="utf-8")
    out = tmp_path / "brief"
    assert brief("--data", data, "--out", out) == 0
    wb = openpyxl.load_workbook(out / "tables" / "brief.xlsx")
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                texts.append(cell.value)
    assert evil in texts  # kept exactly, as text
    assert any(isinstance(v, str) and v.startswith("=2*3") for v in texts)
    outlook = (out / "tables" / "outlook.csv").read_text(encoding="utf-8-sig")
    # The CSV guards the name with an apostrophe (quoted, since it holds quotes and a comma).
    assert '"\'=HYPERLINK(' in outlook and ',=HYPERLINK' not in outlook
    assert ',"=HYPERLINK' not in outlook


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path, capsys):
    f = tmp_path / "afile.txt"
    f.write_text("hello")
    assert brief("--data", TINY_DIR, "--out", f / "brief") == 2  # a file where a folder goes
    err = capsys.readouterr().err
    assert "could not create the folder" in err and "Traceback" not in err
    assert f.read_text() == "hello"
