"""The engine's notes on a unit (the outlook's ``diagnostics``), in the brief's language.

The engine writes its notes in English, one phrase per cause, joined by
``"; "``. This is a presentation layer over them: each phrase the engine
writes today is matched by a pattern and said again, in Vietnamese or
English, with its numbers formatted for the language. Phrases only the
engine needs (the status of the "what it would take" search) are left
out. A phrase no pattern knows is shown as it is in English and, in the
Vietnamese brief, counted in one sentence pointing to the ``diagnostics``
column of ``tables/outlook.csv`` instead: a new engine message never puts
English into a Vietnamese page. ``tests/brief/test_notes.py`` checks that
every phrase of the shipped outlook is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from forecast.brief.text import t
from forecast.labels import fmt_date, fmt_int, fmt_pct, fmt_prob

_NUM = r"[\d,]+(?:\.\d+)?"


def _n(x: str) -> float:
    """A number as the engine prints it (``1,500``)."""
    return float(x.replace(",", ""))


def _count(lang: str) -> Callable[[str], str]:
    return lambda x: fmt_int(_n(x), lang)


def _pct(lang: str) -> Callable[[str], str]:
    return lambda x: fmt_pct(_n(x), lang, 0)


def _prob(lang: str) -> Callable[[str], str]:
    return lambda x: fmt_prob(float(x), lang)


def _day(lang: str) -> Callable[[str], str]:
    return lambda x: fmt_date(x, lang)


def _scenario(lang: str) -> Callable[[str], str]:
    from forecast.figures.progress import scenario_name

    return lambda x: scenario_name(x, lang)


def _signed(lang: str) -> Callable[[str], str]:
    return lambda x: ("+" if x.startswith("+") else "\u2212") + fmt_int(_n(x[1:]), lang)


# Roll-up reasons (forecast.simulate.rollup.coverage), said inside a phrase.
_REASONS: list[tuple[str, str, dict]] = [
    (r"none of the (?P<n>\d+) children in the dataset has a forecast", "rollup_none", {}),
    (r"(?P<m>\d+) of (?P<n>\d+) children have no forecast \((?P<ids>[^)]*)\): the sum is a "
     r"lower bound", "rollup_missing", {}),
    (r"children's targets add up to (?P<share>\d+)% of the parent's: units are missing from "
     r"the data, the sum is a lower bound", "rollup_share", {"share": _pct}),
    (r"the parent's or some children's targets are unknown, so whether the children are all "
     r"of the parent cannot be checked: the sum may be a lower bound", "rollup_unknown", {}),
    (r"no children in the dataset", "rollup_no_children", {}),
    (r"every child has a forecast and their targets add up to (?P<share>\d+)% of the "
     r"parent's", "rollup_covered", {"share": _pct}),
    (r"every child in the dataset has a forecast; completeness not checked \(targets "
     r"missing\)", "rollup_unchecked", {}),
]

# Whole phrases: (pattern, key of forecast.brief.text.STRINGS or None to leave
# the phrase out, converters of the named groups).
_PHRASES: list[tuple[str, str | None, dict]] = [
    (r"no admission counts: forecast from the population prior of (?P<n>\d+) unit\(s\) "
     r"\(median attainment (?P<att>\d+)%\)", "note_prior", {"att": _pct}),
    (r"no target to scale by: forecast from the unit's own counts, not pooled",
     "note_own_level", {}),
    (r"unit '[^']+': no admission counts and no target: nothing to forecast from\. "
     r"Fix: add a target or yearly counts\.", "note_nothing", {}),
    (rf"exposure: implied annual target (?P<lo>{_NUM})(?:-(?P<hi>{_NUM}))? from (?P<n>\d+) "
     r"attainment reports?", "note_implied", {"lo": _count, "hi": _count}),
    (r"exposure: annual_target", "note_exposure_annual", {}),
    (r"exposure: term_target", "note_exposure_term", {}),
    (r"exposure: own_level", None, {}),
    (r"requirement: (?:found|reached) \(p=[\d.]+\)", None, {}),
    (r"requirement: unreachable \(p=(?P<p>[\d.]+)\)", "note_unreachable", {"p": _prob}),
    (r"roll-up not shown: (?P<reason>.+)", "note_rollup_not_shown", {}),
    (r"roll-up of (?P<n>\d+) children: (?P<reason>.+)", "note_rollup", {}),
    (r"children's paths from (?P<model>\S+)", "note_rollup_model", {}),
    (rf"parent reported (?P<rep>{_NUM}) by (?P<date>\d{{4}}-\d\d-\d\d), children's sum "
     rf"(?P<q50>{_NUM}) \(80 % range (?P<q10>{_NUM})-(?P<q90>{_NUM})\), difference "
     rf"(?P<diff>[+-]{_NUM})", "note_rollup_compare",
     {"rep": _count, "date": _day, "q50": _count, "q10": _count, "q90": _count,
      "diff": _signed}),
    (r"unit '[^']+': scenario '(?P<scen>[^']+)' needs reported admissions to compute an "
     r"attainment; none up to the as-of date\. Fix: use 'full' or a list\.",
     "note_scenario_needs_counts", {"scen": _scenario}),
    (r"unit '[^']+': scenario '(?P<scen>[^']+)' sets attainment of a target, but the unit "
     r"has none\. Fix: add its annual or term target\.", "note_scenario_needs_target",
     {"scen": _scenario}),
]


def _say(rules, phrase: str, lang: str) -> tuple[bool, str | None]:
    """(known, text) for one phrase; text None for a phrase left out."""
    for pattern, key, conv in rules:
        m = re.fullmatch(pattern, phrase.strip())
        if m is None:
            continue
        if key is None:
            return True, None
        fields = {k: (conv[k](lang)(v) if k in conv and v is not None else v)
                  for k, v in m.groupdict().items()}
        if "reason" in fields:
            known, reason = _say(_REASONS, fields["reason"], lang)
            if not known:
                return False, None
            fields["reason"] = reason
        if key == "note_implied":
            fields["v"] = fields["lo"] if not fields.get("hi") else \
                f"{fields['lo']}–{fields['hi']}"
        return True, t(key, lang, **fields)
    return False, None


def phrases(diagnostics: object) -> list[str]:
    """The engine's phrases in a ``diagnostics`` text.

    Phrases are joined by ``"; "``, which a few phrases also hold inside
    (a scenario's error): pieces that are not known alone but are with the
    next one or two are joined back.
    """
    parts = [p.strip() for p in str(diagnostics or "").split("; ") if p.strip()]
    out, i = [], 0
    while i < len(parts):
        take = next((k for k in (1, 2, 3) if known("; ".join(parts[i:i + k]))), 1)
        out.append("; ".join(parts[i:i + take]))
        i += take
    return out


def known(phrase: str) -> bool:
    """Whether the phrase is one this module can say in both languages."""
    return _say(_PHRASES, phrase, "en")[0]


def model_notes(diagnostics: object, lang: str, scenario: str | None = None) -> list[str]:
    """The notes of one outlook row, in ``lang``.

    Parameters
    ----------
    diagnostics : str
        The row's ``diagnostics``.
    lang : {"vi", "en"}
    scenario : str, optional
        Prefix every note with this scenario's name (a scenario's own notes).

    Returns
    -------
    list of str
        One note per phrase, known phrases first; unknown phrases as they
        are (English) or, in Vietnamese, one sentence counting them.
    """
    out, unknown = [], []
    for phrase in phrases(diagnostics):
        found, said = _say(_PHRASES, phrase, lang)
        if not found:
            unknown.append(phrase)
        elif said:
            out.append(said)
    if unknown and lang == "vi":
        out.append(t("note_untranslated", lang, n=len(unknown)))
    elif unknown:
        out += unknown
    out = list(dict.fromkeys(out))
    if scenario is not None:
        from forecast.figures.progress import scenario_name

        out = [f"{scenario_name(scenario, lang)}: {n}" for n in out]
    return out

