"""Why a unit's chance is what it is: the outlook's "why" columns and sentence.

:func:`explain_row` fills the columns (expected and recent attainment, the
weight of the unit's own record, the Monte Carlo error of ``p_reach``);
:func:`sentence` says it in one plain sentence in Vietnamese or English,
built from the outlook row only (progress columns, the model's expected and
recent attainment, the weight of the unit's own record), so the brief, the
notebooks and ``outlook --json`` say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.labels import fmt_date, fmt_int, fmt_num, fmt_pct, missing

TEXT = {
    "reached": {"vi": "Đã đạt: kết nạp {cum} so với chỉ tiêu {target}.",
                "en": "Reached: {cum} admitted against a target of {target}."},
    "none": {"vi": "Mô hình không dự báo được đơn vị này (xem ghi chú).",
             "en": "The model cannot forecast this unit (see the diagnostics)."},
    "prior": {"vi": "Chưa có số liệu kết nạp của đơn vị: khả năng tính theo mức chung của các "
                    "đơn vị (trung vị khoảng {exp} chỉ tiêu năm).",
              "en": "No count reported yet: the chance is that of a typical unit (median "
                    "about {exp} of the yearly target)."},
    "expect": {"vi": "Mô hình dự kiến mỗi năm đạt khoảng {exp} chỉ tiêu năm",
               "en": "The model expects about {exp} of the yearly target a year"},
    "recent": {"vi": " (những năm gần đây: {recent})", "en": " (recent years: {recent})"},
    "need": {"vi": "; để đạt chỉ tiêu {target} đến {deadline} cần khoảng {need} mỗi năm.",
             "en": "; reaching {target} by {deadline} needs about {need} a year."},
    "pace": {"vi": "Để đạt chỉ tiêu {target} đến {deadline} cần {per} đảng viên mỗi năm.",
             "en": "Reaching {target} by {deadline} needs {per} admissions a year."},
    "own": {"vi": " Số liệu của chính đơn vị chiếm {own} trọng số, phần còn lại theo các đơn vị khác.",
            "en": " The unit's own record carries {own} of the weight, other units the rest."},
    "gap_low": {"vi": " Tiến độ bình quân đạt yêu cầu, nhưng khả năng tính cả mức dao động của "
                      "số kết nạp từng năm và thời hạn {deadline}.",
                "en": " The average pace is on track, but the chance also counts how much a "
                      "year's admissions vary and the deadline of {deadline}."},
    "gap_high": {"vi": " Tiến độ bình quân còn chậm, nhưng mô hình dự kiến các năm tới cao hơn "
                       "mức bình quân đã qua.",
                 "en": " The average pace lags, but the model expects the coming years to be "
                       "higher than the average so far."},
}


def _pct(x: float, lang: str) -> str:
    """An attainment (1.06) as a whole percent (106 %)."""
    return fmt_pct(100 * x, lang, 0) if np.isfinite(x) else "–"


def sentence(prow, vals: dict, exposure: float, lang: str, refusal: dict | None = None) -> str:
    """The sentence for one outlook row.

    Parameters
    ----------
    prow : mapping
        Progress columns (``target``, ``cumulative``, ``remaining``,
        ``deadline``, ``required_per_year``, ``label``).
    vals : mapping
        ``p_reach``, ``expected_attainment``, ``recent_attainment``, ``own_weight``.
    exposure : float
        What the unit is expected to admit in a year at 100 % (NaN: unknown).
    lang : str
        ``"vi"`` or ``"en"``.
    refusal : dict, optional
        The model's reason for not forecasting (``ModelError.why``), said when
        there is no probability.
    """
    fields = {"cum": fmt_int(prow["cumulative"], lang), "target": fmt_int(prow["target"], lang),
              "deadline": fmt_date(prow["deadline"], lang)}
    if prow["remaining"] <= 0:
        return TEXT["reached"][lang].format(**fields)
    p = vals.get("p_reach", np.nan)
    if missing(p):
        return refusal[lang] if refusal else TEXT["none"][lang]
    exp_att = vals.get("expected_attainment", np.nan)
    own = vals.get("own_weight", np.nan)
    if not missing(own) and own <= 0 and not missing(exp_att):
        return TEXT["prior"][lang].format(exp=_pct(exp_att, lang))
    parts = []
    required = float(prow["required_per_year"])
    if not missing(exp_att):
        text = TEXT["expect"][lang].format(exp=_pct(exp_att, lang))
        recent = vals.get("recent_attainment", np.nan)
        if not missing(recent):
            text += TEXT["recent"][lang].format(recent=_pct(recent, lang))
        if np.isfinite(required) and np.isfinite(exposure) and exposure > 0:
            text += TEXT["need"][lang].format(need=_pct(required / exposure, lang), **fields)
        else:
            text += "."
        parts.append(text)
    elif np.isfinite(required):
        parts.append(TEXT["pace"][lang].format(per=fmt_num(required, lang), **fields))
    if not missing(own):
        parts.append(TEXT["own"][lang].format(own=_pct(own, lang)))
    label = prow.get("label")
    if label == "on track" and p < 0.6:
        parts.append(TEXT["gap_low"][lang].format(**fields))
    elif label in ("acceleration needed", "limited progress") and p > 0.6:
        parts.append(TEXT["gap_high"][lang])
    return "".join(parts).strip()


def mc_error(vals: dict, n_paths: int, deterministic: bool = False) -> dict:
    """Monte Carlo standard error of ``p_reach``: ``sqrt(p (1 - p) / paths)``."""
    p = vals.get("p_reach", np.nan)
    if deterministic or p is None or not np.isfinite(p):
        return {"mc_se": 0.0 if deterministic and p is not None and np.isfinite(p) else np.nan}
    return {"mc_se": float(np.sqrt(p * (1 - p) / n_paths))}


def explain_row(fm, prow: pd.Series, vals: dict, n_paths: int,
                refusal: dict | None = None) -> dict:
    """The "why this probability" columns of the model's own row.

    ``expected_attainment`` (the model's mean attainment of the first year
    forecast), ``recent_attainment`` (the unit's last up to three whole
    years), ``own_weight`` (how much the unit's own record weighs against
    the population, 0-1) where the model says so, and one plain sentence in
    English (``why``) and Vietnamese (``why_vi``). ``refusal``: the model's
    reason for giving no forecast (``ModelError.why``), said instead.
    """
    info = dict(getattr(fm, "explain", {}).get(prow["unit_id"], {}))
    out = {"expected_attainment": info.get("expected_attainment", np.nan),
           "recent_attainment": info.get("recent_attainment", np.nan),
           "own_weight": info.get("own_weight", np.nan), **mc_error(vals, n_paths)}
    exposure = np.nan
    ud = fm.data.get(prow["unit_id"])
    if ud is not None and ud.exposure.kind != "own_level":
        year = (pd.Timestamp(prow["as_of"]) + pd.Timedelta(days=1)).year
        exposure = float(ud.exposure.at(year))
    for lang, key in (("en", "why"), ("vi", "why_vi")):
        out[key] = sentence(prow, {**vals, **out}, exposure, lang, refusal)
    return out


@dataclass(frozen=True)
class Unanswered:
    """A model whose own forecast left rows without a chance of reaching (:func:`unanswered`)."""

    model: str
    missing: int
    total: int
    reasons: list
    """The most common reasons, ``(text, rows)``, most frequent first."""
    more: int
    """How many other reasons there are."""


def unanswered(table: pd.DataFrame, lang: str = "en", top: int = 3) -> list[Unanswered]:
    """Per model, the rows of its own forecast (scenario ``model``) with no ``p_reach``
    and their most common reasons (``why`` or ``why_vi``): a table shows only empty
    cells, the console and the brief say why once."""
    column = "why_vi" if lang == "vi" else "why"
    own = table[table["scenario"] == "model"]
    out = []
    for model, got in own[own["p_reach"].isna()].groupby("model", sort=False):
        none = "không rõ lý do" if lang == "vi" else "no reason given"
        counts = pd.Series([w if isinstance(w, str) and w else none
                            for w in got[column]]).value_counts()
        out.append(Unanswered(str(model), len(got), int((own["model"] == model).sum()),
                              [(str(w), int(n)) for w, n in counts.head(top).items()],
                              max(len(counts) - top, 0)))
    return out
