"""The assumptions as the brief prints them: each value formatted, with its id.

Ids come from ``docs/assumptions.md`` (:data:`forecast.brief.text.ASSUMPTION_IDS`,
checked against the document by a test); values from
:meth:`forecast.config.Assumptions.as_dict`, with the within-year profile
spelled out when it was estimated from the data.
"""

from __future__ import annotations

from forecast.brief.doc import Table
from forecast.brief.text import ASSUMPTION_IDS, assumption_meaning, t
from forecast.config import Assumptions
from forecast.labels import fmt_int, fmt_num, fmt_pct


def assumption_values(assumptions: Assumptions, profile, lang: str) -> dict[str, str]:
    """Field name → value as printed in ``lang``.

    Parameters
    ----------
    assumptions : Assumptions
    profile : sequence of 12 floats
        The within-year profile the model used (shown when the assumption is
        ``None``, i.e. estimated).
    lang : {"vi", "en"}
    """
    out = {}
    for k, v in assumptions.as_dict().items():
        if k == "within_year_profile":
            prof = v if v is not None else profile
            shown = ", ".join(fmt_pct(100 * x, lang, 0) for x in prof)
            out[k] = shown if v is not None else f"{t('estimated', lang)}: {shown}"
        elif isinstance(v, (bool, str)) or k == "seed":
            out[k] = str(v)
        elif isinstance(v, int):
            out[k] = fmt_int(v, lang)
        elif isinstance(v, float):
            out[k] = fmt_num(v, lang, 3).rstrip("0").rstrip(",.")
        else:
            out[k] = str(v)
    return out


def assumptions_table(values: dict[str, str], lang: str) -> Table:
    """Id, field, value and meaning of every assumption."""
    rows = [[ASSUMPTION_IDS.get(k, "–"), k, v, assumption_meaning(k, lang)]
            for k, v in values.items()]
    return Table([t(c, lang) for c in ("col_id", "col_field", "col_value", "col_meaning")], rows)


def unit_assumption_line(values: dict[str, str], conversion, lang: str) -> str:
    """One line ``A1 term_start = 01-01; ...`` with the unit's own conversion rates.

    ``conversion`` is a :class:`forecast.simulate.requirements.Conversion`: the unit's
    reported rates where its data give them, else the defaults (A5).
    """
    values = dict(values)
    values["conversion_introduced"] = fmt_num(conversion.introduced, lang, 3)
    values["conversion_trained"] = fmt_num(conversion.trained, lang, 3)
    return "; ".join(f"{ASSUMPTION_IDS.get(k, '–')} {k} = {v}" for k, v in values.items()) + "."
