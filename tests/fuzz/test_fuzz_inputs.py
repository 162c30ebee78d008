"""Fuzzing the readers, the validator, the audit and the command line (issue 11).

About 1,085 malformed datasets per run (the sum of the ``max_examples``
below; ``pytest --hypothesis-show-statistics`` prints how many each test
ran): mutations of ``tests/bad_inputs/valid`` drawn by
:mod:`mutations`. For every one, loading either succeeds (and then the
audit runs without an exception too) or raises a ``ForecastError`` whose
message names the file and says how to fix it; through the command line,
the exit status is 0 or 2 with no traceback, and a brief folder is left
exactly as it was when the command fails.

Hypothesis draws new inputs on every run and keeps no example database
(profile ``fuzz`` in :mod:`mutations`); a failure prints the smallest input
it found and a ``@reproduce_failure`` line to replay it.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings

from forecast.audit.run import audit
from forecast.cli import main
from forecast.data.dataset import load
from forecast.errors import ForecastError
from forecast.outputs import mark

from mutations import FUZZ, check_error, fresh, mutated_files, remove, workbook_bytes


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def load_or_fail_clearly(path, names):
    try:
        dataset = load(path)
    except ForecastError as exc:
        check_error(exc, names)
        return None
    audit(dataset)  # what loads must also audit without an exception
    return dataset


def _folder_case(base, files):
    folder = fresh(base)
    try:
        files.write(folder / "data")
        load_or_fail_clearly(folder / "data", [folder.name])
    finally:
        remove(folder)


@settings(FUZZ, max_examples=300)
@given(files=mutated_files(families=("values",)))
def test_bad_values_load_or_fail_clearly(base, files):
    _folder_case(base, files)


@settings(FUZZ, max_examples=200)
@given(files=mutated_files(families=("structure", "structure", "values")))
def test_bad_structure_loads_or_fails_clearly(base, files):
    _folder_case(base, files)


@settings(FUZZ, max_examples=150)
@given(files=mutated_files(families=("bytes", "bytes", "values")))
def test_bad_bytes_load_or_fail_clearly(base, files):
    _folder_case(base, files)


@settings(FUZZ, max_examples=150)
@given(files=mutated_files())
def test_mixed_faults_load_or_fail_clearly(base, files):
    _folder_case(base, files)


@settings(FUZZ, max_examples=200)
@given(data=workbook_bytes())
def test_bad_workbooks_load_or_fail_clearly(base, data):
    folder = fresh(base)
    try:
        book = folder / "book.xlsx"
        book.write_bytes(data)
        load_or_fail_clearly(book, ["book.xlsx"])
    finally:
        remove(folder)


def run_cli(args) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in args])
    return code, err.getvalue()


@settings(FUZZ, max_examples=60)
@given(files=mutated_files())
def test_audit_command_exits_0_or_2_without_a_traceback(base, files):
    folder = fresh(base)
    try:
        files.write(folder / "data")
        code, err = run_cli(["audit", "--data", folder / "data"])
        assert code in (0, 2) and "Traceback" not in err
        if code == 2:
            assert "Fix" in err and folder.name in err, err
    finally:
        remove(folder)


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@settings(FUZZ, max_examples=25)
@given(files=mutated_files(families=("values", "structure", "bytes")))
def test_a_failed_brief_leaves_the_earlier_brief_as_it_was(base, files):
    # The valid dataset has annual targets only, so even a mutation that loads
    # gives a brief with nothing to show (exit 2, in about a second rather than
    # the ten a full brief takes): every example exercises the failure path.
    # tests/brief/test_brief_out.py covers briefs that succeed.
    folder = fresh(base)
    try:
        files.write(folder / "data")
        out = folder / "brief"
        out.mkdir()
        mark(out, "brief")
        (out / "index.html").write_text("earlier brief", encoding="utf-8")
        before = tree(out)
        code, err = run_cli(["brief", "--data", folder / "data", "--out", out, "--paths", "100",
                             "--scenario", "none", "--lang", "en"])
        assert code in (0, 2) and "Traceback" not in err
        if code == 2:
            assert "Fix" in err
            assert tree(out) == before
        else:
            assert (out / "index.html").read_text(encoding="utf-8") != "earlier brief"
        # No lock, building or old folder is left beside the brief.
        assert sorted(p.name for p in folder.iterdir()) == ["brief", "data"]
    finally:
        remove(folder)
