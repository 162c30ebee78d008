"""Reading a notebook's parameters cell and checking values against it."""

from __future__ import annotations

import nbformat
import pytest

from forecast.errors import NotebookError
from forecast.batch.params import (check_parameters, parse_parameters, read_parameters,
                                      type_matches, validate_notebook_parameters)


def write_nb(path, params_source, tag=True):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    meta = {"tags": ["parameters"]} if tag else {}
    nb.cells = [nbformat.v4.new_markdown_cell("# t"),
                nbformat.v4.new_code_cell(params_source, metadata=meta),
                nbformat.v4.new_code_cell("print(unit_id)")]
    nbformat.write(nb, path)
    return path


def test_parse_literals_in_order():
    src = ('# defaults\nunit_id = "tien-giang"\nn_paths: int = 10_000\nshift = -1.5\n'
           'models = ["pooled_nb", "ets"]\nopts = {"a": 1}\nlimit = None\nflag = True\nshift = 2.0\n')
    got = parse_parameters(src, "nb")
    # A repeated name takes its last value and its last position, as running the cell would.
    assert list(got) == ["unit_id", "n_paths", "models", "opts", "limit", "flag", "shift"]
    assert got == {"unit_id": "tien-giang", "n_paths": 10000, "models": ["pooled_nb", "ets"],
                   "opts": {"a": 1}, "limit": None, "flag": True, "shift": 2.0}


def test_parse_multiple_targets():
    assert parse_parameters("a = b = 3", "nb") == {"a": 3, "b": 3}


@pytest.mark.parametrize("src, found", [
    ("import os", "import os"),
    ("x = len('ab')", "len('ab')"),
    ("x, y = 1, 2", "(x, y)"),
])
def test_parse_refuses_code(src, found):
    with pytest.raises(NotebookError) as err:
        parse_parameters(src, "notebooks/x.ipynb")
    msg = str(err.value)
    assert "notebooks/x.ipynb" in msg and "line 1" in msg and "Fix:" in msg


def test_parse_syntax_error():
    with pytest.raises(NotebookError, match=r"x\.ipynb: the parameters cell is not valid Python \(line 1"):
        parse_parameters("x = = 1", "x.ipynb")


# (value, default, accepted): the rules of the module docstring written out by hand.
TYPE_CASES = [
    ("a", "b", True), (1, "b", False), (None, "b", False),
    (3, 1.5, True), (3.0, 1.5, True), (True, 1.5, False),
    (3, 1, True), (3.0, 1, False), (True, 1, False),
    (False, True, True), (0, True, False),
    ([1], [], True), ((1,), [], True), ("a", [], False),
    ({"a": 1}, {}, True), ([], {}, False),
    ("anything", None, True), (3, None, True), ([1], None, True),
]


@pytest.mark.parametrize("value, default, ok", TYPE_CASES)
def test_type_rules(value, default, ok):
    assert type_matches(value, default) is ok


def test_check_unknown_and_wrong_type_named_together():
    declared = {"unit_id": "tien-giang", "n_paths": 10000, "as_of": "2022-12-31", "output_dir": ""}
    with pytest.raises(NotebookError) as err:
        check_parameters(declared, {"n_path": 100, "as_of": 20221231, "unit_id": "ha-nam"},
                         "notebooks/01_unit_outlook.ipynb")
    msg = str(err.value)
    assert msg.startswith("notebooks/01_unit_outlook.ipynb: ")
    assert "unknown parameter 'n_path' (did you mean 'n_paths'?)" in msg
    assert "parameter 'as_of': found 20221231 (int); expected text like the default '2022-12-31'" in msg
    assert ("Valid parameters: unit_id (default 'tien-giang'), n_paths (default 10000), "
            "as_of (default '2022-12-31'), output_dir (default '')") in msg


def test_check_accepts_valid():
    check_parameters({"n": 1, "x": 0.5, "d": None}, {"n": 2, "x": 1, "d": [1, 2]}, "nb")


def test_read_and_validate_from_file(tmp_path):
    path = write_nb(tmp_path / "a.ipynb", 'unit_id = "u"\nseed = 1\n')
    assert read_parameters(path) == {"unit_id": "u", "seed": 1}
    assert validate_notebook_parameters(path, {"seed": 7}) == {"unit_id": "u", "seed": 1}
    with pytest.raises(NotebookError, match=r"a\.ipynb: unknown parameter 'sead' \(did you mean 'seed'\?\)"):
        validate_notebook_parameters(path, {"sead": 7})


def test_missing_tag_and_missing_file(tmp_path):
    path = write_nb(tmp_path / "b.ipynb", "x = 1", tag=False)
    with pytest.raises(NotebookError, match="found no cell tagged 'parameters'; expected exactly one"):
        read_parameters(path)
    with pytest.raises(NotebookError, match=r"nope\.ipynb: notebook not found"):
        read_parameters(tmp_path / "nope.ipynb")


def test_not_a_notebook(tmp_path):
    bad = tmp_path / "c.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(NotebookError, match=r"c\.ipynb: not a readable notebook"):
        read_parameters(bad)
