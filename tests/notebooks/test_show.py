"""What the notebooks show, in the notebook's language (forecast.notebooks.show)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from forecast.labels import NBSP
from forecast.notebooks import show

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
TINY = str(Path(__file__).resolve().parents[1] / "fixtures" / "tiny")


def test_tables_are_written_for_the_language():
    # The raw table a notebook used to show: floats as the engine keeps them.
    raw = pd.DataFrame({"target_kind": ["term", "term"], "term": ["2020-2025", "2020-2025"],
                        "target": [6500.0, 32.5], "cumulative": [3878.0, 0.0],
                        "label": ["on track", "no data"], "p_reach": [0.6963, 0.262],
                        "final_q10": [4754.528377, 17.2], "required_attainment": [0.7512, 1.21],
                        "reach_date_q50": [pd.Timestamp("2025-05-31"), None]})
    vi = show.table(raw, "vi")
    assert list(vi.columns) == ["Loại chỉ tiêu", "Nhiệm kỳ", "Chỉ tiêu", "Đã kết nạp",
                                "Xếp loại", "Khả năng đạt", "Cuối kỳ 10 %", "Tỷ lệ đạt cần",
                                "Đạt vào (trung vị)"]
    assert vi.iloc[0].tolist() == ["nhiệm kỳ", "2020–2025", "6.500", "3.878", "đúng tiến độ",
                                   f"69,6{NBSP}%", "4.755", f"75{NBSP}%", "tháng 5/2025"]
    # No report yet: said, not "0"; a range's middle keeps its half.
    assert vi.iloc[1].tolist()[2:5] == ["32,5", "chưa có số liệu", "chưa có số liệu"]
    en = show.table(raw, "en")
    assert en.iloc[0].tolist() == ["term", "2020–2025", "6,500", "3,878", "on track",
                                   f"69.6{NBSP}%", "4,755", f"75{NBSP}%", "May 2025"]
    assert en.iloc[1, 3] == "no report yet"


def test_unknown_columns_pass_through_and_order_is_kept():
    got = show.table(pd.DataFrame({"x": [1.5], "p_reach": [0.5]}), "en", ["p_reach", "x"])
    assert list(got.columns) == ["Chance", "x"] and got.iloc[0].tolist() == [f"50.0{NBSP}%", "1.5"]


def test_every_narrative_has_both_languages():
    for key, texts in show.NARRATIVE.items():
        assert set(texts) == {"vi", "en"}, key
    for name, (vi, en, kind) in show.COLUMNS.items():
        assert vi and en and kind in show.FORMATS, name


def _outputs(path: Path) -> list[str]:
    out = []
    for cell in nbformat.read(path, as_version=4).cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            text = data.get("text/markdown") or data.get("text/plain") or o.get("text", "")
            out.append(text if isinstance(text, str) else "".join(text))
    return out


@pytest.mark.slow
def test_notebook_01_in_vietnamese_has_no_english_narrative_or_raw_floats(tmp_path):
    from forecast.notebooks.api import run_notebook

    run = run_notebook(NOTEBOOKS / "01_unit_outlook.ipynb",
                       {"unit_id": "tien-giang", "n_paths": 300, "lang": "vi", "data": TINY,
                        "as_of": "2022-12-31"}, output_dir=tmp_path / "run")
    text = "\n".join(_outputs(run.notebook))
    for heading in ("## Số liệu đã báo cáo", "## Tiến độ và dự báo", "## Kịch bản",
                    "## Cần làm gì", "Khả năng đạt", "Đã ghi kết quả"):
        assert heading in text, heading
    for english in ("## Progress", "## Scenarios", "p_reach", "final_q10", "Results written",
                    "parameters checked"):
        assert english not in text, english
    # Numbers written the Vietnamese way: no float with an English decimal
    # point (4754.528377, 0.696); a dot only groups thousands (8.793).
    assert not re.search(r"\d\.\d{4,}|\b0\.\d+", text)
    assert "3.878" in text and "6.500" in text


def _shown(obj) -> str:
    """What a section shows, as text: a Markdown's body, a table's headers and cells."""
    if isinstance(obj, pd.DataFrame):
        return " | ".join([*obj.columns, *obj.astype(str).to_numpy().ravel()])
    return getattr(obj, "data", "" if obj is None else str(obj))


def test_explorer_redraws_words_and_tables_in_the_chosen_language(tmp_path):
    """The language dropdown (Explorer.choose) switches the narrative, the tables and
    the why-sentence of notebook 01's sections, not only the charts."""
    from forecast.notebooks import api, views, widgets

    # Bình Thuận (shipped data): a term target with no admission count reported
    # in its window, so its chance comes from the other units and the
    # why-section says so (forecast.brief.explain.prior_note).
    ctx = api.start("01_unit_outlook.ipynb", unit_id="binh-thuan", term=None, as_of=None,
                    model="hier_nb", scenarios=[], n_paths=300, seed=1, lang="vi",
                    output_dir=str(tmp_path), data=None)
    ui = widgets.Explorer(ctx)
    seen: list[str] = []
    for draw in (views.text("01.outlook"), views.unit_outlook, views.why):
        ui.section(lambda c, d=draw: seen.append(_shown(d(c))))
    ui.choose(lang="en")
    vi, en = seen[:3], seen[3:]
    assert vi[0].startswith("## Tiến độ và dự báo") and en[0].startswith("## Progress and forecast")
    assert "Khả năng đạt" in vi[1] and "chưa có số liệu" in vi[1] and "Chance" not in vi[1]
    assert "Chance" in en[1] and "no report yet" in en[1] and "Khả năng" not in en[1]
    assert "chưa có số kết nạp" in vi[2] and "No admissions of the unit are reported" in en[2]
