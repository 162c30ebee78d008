"""The brief's term review section (:mod:`forecast.outlook.review` as a table)."""

from __future__ import annotations

import pandas as pd

from forecast.brief.doc import Section, Table
from forecast.brief.text import t
from forecast.labels import fmt_date, fmt_int, fmt_pct, fmt_prob, missing
from forecast.outlook.review import HEADERS, VERDICTS


def review_section(dataset, review: pd.DataFrame, term: str, lang: str) -> Section:
    """One table row per unit and forecast date, names and verdicts in ``lang``."""
    label = term.replace("-", "–")
    sec = Section("review", t("review", lang, term=label))
    if review.empty:
        sec.add("para", t("review_none", lang, term=label))
        return sec
    sec.add("para", t("review_intro", lang, n=review["unit_id"].nunique()))
    keys = ["target", "result", "attainment", "as_of", "p_reach", "final_q10", "final_q50",
            "final_q90", "verdict"]
    cols = [t("col_unit", lang), *[HEADERS[k][lang] for k in keys]]
    body = []
    for _, r in review.iterrows():
        body.append([
            dataset.unit_name(r["unit_id"], lang),
            "–" if missing(r["target"]) else fmt_int(r["target"], lang),
            fmt_int(r["result"], lang),
            "–" if missing(r["attainment"]) else fmt_pct(100 * r["attainment"], lang, 1),
            "–" if pd.isna(r["as_of"]) else fmt_date(r["as_of"], lang),
            "–" if missing(r["p_reach"]) else fmt_prob(r["p_reach"], lang),
            *["–" if missing(r[k]) else fmt_int(r[k], lang)
              for k in ("final_q10", "final_q50", "final_q90")],
            VERDICTS[r["verdict"]][lang],
        ])
    sec.add("table", Table(cols, body, numeric=(1, 2, 3, 5, 6, 7, 8)))
    return sec
