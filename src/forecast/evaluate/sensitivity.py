"""Sensitivity: the chance of reaching each target under each assumption's alternatives.

Every number the engine gives rests on assumptions that are not data
(``docs/assumptions.md``). :func:`sensitivity` reruns the outlook for some
units at one as-of date, changing one assumption at a time to each of its
documented alternatives, and returns ``p_reach`` and the final-total range
per unit, target and alternative. It reads only the outlook table
(:data:`forecast.outlook.table.OUTLOOK_COLUMNS`), never a model's internals,
so it works for every model of the registry.

Assumptions and their alternatives (:func:`alternatives`):

- **term deadline** (A2, ``Assumptions.term_end``): 30 June, 30 September
  (default) or 31 December of the term's last year. Terms whose window the
  terms table gives explicitly (``data/terms.csv``) keep it; the table's
  ``note`` says so.
- **within-year profile** (A4, ``Assumptions.within_year_profile``):
  estimated from the data (default), the documented default curve
  (:data:`forecast.models.profile.DEFAULT_PROFILE`), or flat (the same
  share every month).
- **prior** for units with few counts: the population of units, or the
  population corrected for the bias of published figures, through the model
  option ``prior`` (:data:`PRIOR_OPTION`). Models without that option get a
  row saying so and no number.
- **trend**: the model's trend on (default) or off, through the model option
  ``trend``.
- **final push** (A9, ``Assumptions.push_share``): off (default) or
  estimated from the final results in the data (:mod:`forecast.models.push`).
- **the target within a unit** (H8, model option ``target_slope``): how far
  admissions follow a unit's own target when it moves, estimated (default),
  or one for one (the target a fixed offset).

Every run uses the same seed and number of paths (common random numbers),
so a difference between two rows comes from the assumption, not from the
draw; ``mc_se`` gives the Monte Carlo standard error of each ``p_reach``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.config import Assumptions
from forecast.errors import ConfigError, ForecastError
from forecast.labels import check_lang, fill
from forecast.outlook.table import UNIT_NAMES_ATTR

PRIOR_OPTION = "prior"
"""Model option that chooses the prior (``population`` or ``corrected``)."""
TREND_OPTION = "trend"
"""Model option that switches the trend on or off."""
SLOPE_OPTION = "target_slope"
"""Model option that estimates the target's slope within a unit or fixes it (offset)."""
OPTION_DEFAULTS = {PRIOR_OPTION: "population", TREND_OPTION: True, SLOPE_OPTION: True}
"""The value each model option takes when the caller does not pass it."""
FLAT_PROFILE = tuple((m + 1) / 12 for m in range(12))

SENSITIVITY_COLUMNS = [
    "unit_id", "name", "target_id", "target_kind", "term", "target", "deadline", "assumption",
    "alternative", "is_default", "p_reach", "mc_se", "final_q10", "final_q50", "final_q90",
    "assumption_label", "alternative_label", "note",
]

STRINGS: dict[str, dict[str, str]] = {
    "term_end": {"vi": "Hạn chỉ tiêu nhiệm kỳ", "en": "Term deadline"},
    "term_end:06-30": {"vi": "30/6 năm cuối", "en": "30 June of the last year"},
    "term_end:09-30": {"vi": "30/9 năm cuối", "en": "30 September of the last year"},
    "term_end:12-31": {"vi": "31/12 năm cuối", "en": "31 December of the last year"},
    "profile": {"vi": "Nhịp kết nạp trong năm", "en": "Within-year profile"},
    "profile:estimated": {"vi": "ước lượng từ số liệu", "en": "estimated from the data"},
    "profile:default": {"vi": "đường mặc định", "en": "documented default curve"},
    "profile:flat": {"vi": "đều các tháng", "en": "flat (even months)"},
    "prior": {"vi": "Tiên nghiệm cho đơn vị ít số liệu", "en": "Prior for units with few counts"},
    "prior:population": {"vi": "toàn bộ đơn vị", "en": "all units"},
    "prior:corrected": {"vi": "hiệu chỉnh thiên lệch số liệu công bố",
                        "en": "corrected for publication bias"},
    "trend": {"vi": "Xu hướng", "en": "Trend"},
    "trend:on": {"vi": "có", "en": "on"},
    "trend:off": {"vi": "không", "en": "off"},
    "push": {"vi": "Nước rút cuối kỳ", "en": "Final push"},
    "push:off": {"vi": "không", "en": "off"},
    "push:estimated": {"vi": "ước lượng từ kết quả cuối kỳ",
                       "en": "estimated from final results"},
    "slope": {"vi": "Chỉ tiêu thay đổi trong đơn vị", "en": "A unit's own target moving"},
    "slope:estimated": {"vi": "mức bám theo chỉ tiêu ước lượng từ số liệu",
                        "en": "how far admissions follow it, estimated"},
    "slope:offset": {"vi": "số kết nạp tăng giảm đúng theo chỉ tiêu",
                     "en": "admissions follow it one for one"},
    "explicit_term": {"vi": "nhiệm kỳ có ngày kết thúc riêng trong bảng terms; không đổi",
                      "en": "the term's end is given in the terms table; unchanged"},
    "no_option": {"vi": "mô hình {model} không có lựa chọn '{option}'",
                  "en": "model {model} has no option '{option}'"},
    "col_annual": {"vi": "{unit}: chỉ tiêu năm {year}", "en": "{unit}: {year} target"},
    "col_term": {"vi": "{unit}: nhiệm kỳ {term}", "en": "{unit}: term {term}"},
    "head_assumption": {"vi": "Giả định", "en": "Assumption"},
    "head_alternative": {"vi": "Phương án", "en": "Alternative"},
    "default_mark": {"vi": "{label} (mặc định)", "en": "{label} (default)"},
    "title": {"vi": "Khả năng đạt chỉ tiêu theo từng giả định, số liệu đến {as_of}",
              "en": "Chance of reaching each target under each assumption, data to {as_of}"},
}
"""Every string of the sensitivity table, in Vietnamese and English."""


@dataclass(frozen=True)
class Alternative:
    """One alternative of one assumption.

    ``assumptions``: fields of :class:`~forecast.config.Assumptions` to
    change; ``option``: model options to pass (``{name: value}``).
    """

    assumption: str
    key: str
    assumptions: dict = dataclasses.field(default_factory=dict)
    option: dict = dataclasses.field(default_factory=dict)


def alternatives() -> tuple[Alternative, ...]:
    """Every documented alternative, grouped by assumption, in table order."""
    from forecast.models.profile import DEFAULT_PROFILE

    return (
        Alternative("term_end", "06-30", {"term_end": "06-30"}),
        Alternative("term_end", "09-30", {"term_end": "09-30"}),
        Alternative("term_end", "12-31", {"term_end": "12-31"}),
        Alternative("profile", "estimated", {"within_year_profile": None}),
        Alternative("profile", "default", {"within_year_profile": tuple(DEFAULT_PROFILE)}),
        Alternative("profile", "flat", {"within_year_profile": FLAT_PROFILE}),
        Alternative("prior", "population", option={PRIOR_OPTION: "population"}),
        Alternative("prior", "corrected", option={PRIOR_OPTION: "corrected"}),
        Alternative("trend", "on", option={TREND_OPTION: True}),
        Alternative("trend", "off", option={TREND_OPTION: False}),
        Alternative("push", "off", {"push_share": 0.0}),
        Alternative("push", "estimated", {"push_share": None}),
        Alternative("slope", "estimated", option={SLOPE_OPTION: True}),
        Alternative("slope", "offset", option={SLOPE_OPTION: False}),
    )


def with_term_end(dataset, term_end: str):
    """The dataset with every term window the terms table does not give ending on
    ``term_end`` (``MM-DD``) of the term's last year (assumption A2)."""
    from forecast.data.frames import default_window

    a = dataclasses.replace(dataset.assumptions, term_end=term_end)
    terms = dataset.terms.copy()
    implicit = ~terms["explicit"].astype(bool)
    terms.loc[implicit, "end"] = [default_window(t, a)[1] for t in terms.loc[implicit, "term"]]
    ends = {(u, t): e for u, t, e in zip(terms["unit_id"], terms["term"], terms["end"])}
    targets = dataset.targets.copy()
    term_rows = targets["kind"] == "term"
    targets.loc[term_rows, "deadline"] = [
        ends.get((u, t), d) for u, t, d in zip(targets.loc[term_rows, "unit_id"],
                                               targets.loc[term_rows, "term"],
                                               targets.loc[term_rows, "deadline"])]
    return dataclasses.replace(dataset, terms=terms, targets=targets, assumptions=a)


def sensitivity(dataset, units, as_of=None, model: str | None = None,
                assumptions: Assumptions | None = None, model_options: dict | None = None,
                lang: str = "en") -> pd.DataFrame:
    """``p_reach`` per unit and target under each documented alternative of each assumption.

    Parameters
    ----------
    dataset : Dataset
    units : list of str
        Unit ids to report on (the models still learn from every unit).
    as_of : date-like, optional
        Use only figures reported up to this date.
    model : str, optional
        Model name (default: the engine's default model).
    assumptions : Assumptions, optional
        The base assumptions; each alternative changes one field of them.
        ``n_paths`` and ``seed`` are shared by every run.
    model_options : dict, optional
        Base options of the model (as for :func:`forecast.outlook.table.outlook`);
        each alternative adds its own.
    lang : {"en", "vi"}
        Language of ``name`` (the unit's name), ``assumption_label``,
        ``alternative_label`` and ``note``.

    Returns
    -------
    DataFrame
        :data:`SENSITIVITY_COLUMNS`, one row per unit, target, assumption and
        alternative; ``is_default`` marks the alternative the base assumptions
        use (its numbers are the base run's). An alternative the model cannot
        take has NaN numbers and a ``note`` saying why.
    """
    from forecast.evaluate.backtest import reference_model

    check_lang(lang)
    if not units:
        raise ConfigError("sensitivity: no units given. Fix: pass one or more unit ids, "
                          "e.g. --units tien-giang.")
    for u in units:
        dataset.unit_name(u)  # a clear error for an unknown id, with the nearest ones
    base = assumptions or Assumptions()
    model = model or reference_model()
    options = dict((model_options or {}).get(model, {}))
    as_of = pd.Timestamp(as_of) if as_of is not None else None
    base_table = _run(dataset, as_of, model, base, options, units)
    if as_of is not None:
        # a target whose deadline has passed is a result, not a forecast
        base_table = base_table[base_table["deadline"] > as_of]
    names = base_table.attrs.get(UNIT_NAMES_ATTR, {}).get(lang, {})
    base_table = base_table.assign(name=[names.get(u, n) for u, n in
                                         zip(base_table["unit_id"], base_table["name"])])
    rows = []
    for name in dict.fromkeys(a.assumption for a in alternatives()):
        group, missing = [], ""
        for alt in [a for a in alternatives() if a.assumption == name]:
            default = _is_default(alt, base, options)
            table = base_table if default else _variant(dataset, as_of, model, base, options,
                                                        units, alt)
            if table is None:
                missing = fill(STRINGS, "no_option", lang, "sensitivity",
                               __name__ + ".STRINGS", model=model, option=next(iter(alt.option)))
            group.append((alt, default, table))
        for alt, default, table in group:
            # a model that cannot vary this assumption says so on every row of it
            rows += _rows(base_table, table, alt, default, missing, dataset, base.n_paths, lang)
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def _variant(dataset, as_of, model, base, options, units, alt) -> pd.DataFrame | None:
    """The outlook under one alternative; None if the model has no such option."""
    ds = with_term_end(dataset, alt.assumptions["term_end"]) \
        if "term_end" in alt.assumptions else dataset
    try:
        return _run(ds, as_of, model, dataclasses.replace(base, **alt.assumptions),
                    {**options, **alt.option}, units)
    except (TypeError, ForecastError) as exc:
        # The model's settings refuse this option (an unexpected keyword, or the
        # model's own error naming it); any other failure is a real one.
        if not alt.option or not any(f"'{k}'" in str(exc) for k in alt.option):
            raise
        return None


def _is_default(alt: Alternative, base: Assumptions, options: dict) -> bool:
    if alt.option:
        return all(options.get(k, OPTION_DEFAULTS[k]) == v for k, v in alt.option.items())
    return all(getattr(base, k) == v for k, v in alt.assumptions.items())


def _run(dataset, as_of, model, assumptions, options, units) -> pd.DataFrame:
    from forecast.outlook.table import MODEL_SCENARIO, outlook

    out = outlook(dataset, as_of=as_of, model=model, assumptions=assumptions, units=units,
                  requirements=False, rollups=False, model_options={model: options}).table
    return out[(out["scenario"] == MODEL_SCENARIO) & (out["model"] == model)]


def _rows(base_table, table, alt, default, note, dataset, n_paths, lang) -> list[dict]:
    """One row per target of the base run, with this alternative's numbers."""
    def t(key: str) -> str:
        return fill(STRINGS, key, lang, "sensitivity", __name__ + ".STRINGS")

    explicit = set(zip(dataset.terms.loc[dataset.terms["explicit"].astype(bool), "unit_id"],
                       dataset.terms.loc[dataset.terms["explicit"].astype(bool), "term"]))
    mine = {} if table is None else {r["target_id"]: r for _, r in table.iterrows()}
    rows = []
    for _, b in base_table.drop_duplicates("target_id").iterrows():
        r = mine.get(b["target_id"])
        row_note = note
        if alt.assumption == "term_end" and b["target_kind"] == "term" \
                and (b["unit_id"], b["term"]) in explicit:
            row_note = t("explicit_term")
        p = float(r["p_reach"]) if r is not None and pd.notna(r["p_reach"]) else np.nan
        rows.append({
            "unit_id": b["unit_id"], "name": b["name"], "target_id": b["target_id"],
            "target_kind": b["target_kind"], "term": b["term"], "target": b["target"],
            "deadline": r["deadline"] if r is not None else pd.NaT,
            "assumption": alt.assumption, "alternative": alt.key, "is_default": default,
            "p_reach": p, "mc_se": _mc_se(r, p, n_paths),
            **{k: float(r[k]) if r is not None and pd.notna(r[k]) else np.nan
               for k in ("final_q10", "final_q50", "final_q90")},
            "assumption_label": t(alt.assumption),
            "alternative_label": t(f"{alt.assumption}:{alt.key}"), "note": row_note})
    return rows


def _mc_se(r, p: float, n_paths: int) -> float:
    """The outlook's Monte Carlo error of ``p_reach`` if it gives one, else ``sqrt(p(1-p)/N)``."""
    if r is None or not np.isfinite(p):
        return np.nan
    if "mc_se" in r.index and pd.notna(r["mc_se"]):
        return float(r["mc_se"])
    return float(np.sqrt(p * (1 - p) / n_paths))


def sensitivity_markdown(table: pd.DataFrame, lang: str = "en") -> str:
    """The table as Markdown: one row per assumption and alternative, one column per
    unit and target, ``p_reach`` as a percentage ("–" where the model cannot say)."""
    from forecast.labels import fmt_prob

    check_lang(lang)

    def t(key: str, **fields) -> str:
        return fill(STRINGS, key, lang, "sensitivity", __name__ + ".STRINGS", **fields)

    if table.empty:
        return ""
    heads = {}
    for _, r in table.drop_duplicates("target_id").iterrows():
        heads[r["target_id"]] = (t("col_term", unit=r["name"], term=r["term"])
                                 if r["target_kind"] == "term" else
                                 t("col_annual", unit=r["name"], year=pd.Timestamp(
                                     r["deadline"]).year if pd.notna(r["deadline"]) else ""))
    lines = ["| " + " | ".join([t("head_assumption"), t("head_alternative"), *heads.values()])
             + " |", "|" + "---|" * (2 + len(heads))]
    for (_, key), g in table.groupby(["assumption", "alternative"], sort=False):
        first = g.iloc[0]
        alt = first["alternative_label"]
        alt = t("default_mark", label=alt) if first["is_default"] else alt
        p = dict(zip(g["target_id"], g["p_reach"]))
        lines.append("| " + " | ".join([first["assumption_label"], alt,
                                        *(fmt_prob(p.get(k), lang) for k in heads)]) + " |")
    notes = sorted({n for n in table["note"] if n})
    return "\n".join(lines + ([""] + [f"- {n}" for n in notes] if notes else []))
