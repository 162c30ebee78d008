"""What the brief says: the sections, their numbers, tables and charts.

Every piece that can fail on a bad unit (a chart, the key numbers) is built
inside :meth:`Assembler.attempt`: a failure becomes a visible note in that
unit's section and a line in the run's problem list, and the rest of the
brief goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from forecast import figures
from forecast.brief.assumptions import assumption_values, assumptions_table, unit_assumption_line
from forecast.brief.doc import Document, FigureRef, Section, Table
from forecast.brief.explain import prior_note, prior_only, why_headline
from forecast.brief.findings import findings_lines
from forecast.brief.notes import model_notes
from forecast.brief.text import t, target_name
from forecast.brief.units import (part_year_points, primary_row, sources_rows,
                                  target_as_printed, unit_source_ids, unit_warnings,
                                  yearly_table)
from forecast.figures.base import localized
from forecast.figures.export import save_figure
from forecast.figures.progress import scenario_name
from forecast.labels import (fmt_date, fmt_figure, fmt_int, fmt_month, fmt_pct, fmt_prob,
                             label_text, missing)
from forecast.outlook.rollup import ROLLUP_MODEL
from forecast.outlook.table import MODEL_SCENARIO, Outlook, unit_names
from forecast.outlook.why import unanswered
from forecast.simulate.scenarios import DETERMINISTIC_SUFFIX


class Assembler:
    """Builds the brief's sections and writes its figures under ``root``.

    Parameters
    ----------
    dataset : Dataset
    result : Outlook
        Run once for every unit with a target.
    findings : DataFrame
        The audit's findings.
    root : Path
        The (temporary) brief folder; figures go to ``root/figures``.
    lang : {"vi", "en"}
    as_of : Timestamp or None
    formats : tuple of str
        Figure files to write; PNG is always needed (the documents embed it).
    size : {"column", "page", "slide"}, optional
        Every chart at this named size (default: page-wide charts at "page",
        the others at "column").
    """

    def __init__(self, dataset, result: Outlook, findings: pd.DataFrame, root: Path,
                 lang: str, as_of=None, formats=("png", "svg", "pdf"), size: str | None = None):
        self.formats = tuple(formats)
        self.size = size
        self.dataset, self.findings, self.root = dataset, findings, Path(root)
        self.lang, self.as_of = lang, as_of
        # The engine names units in Vietnamese; an English brief uses the English names.
        names = unit_names(dataset, result.table["unit_id"].unique()).get(lang)
        table = localized(result.table, lang, names)
        self.result = Outlook(table, result.paths, result.fitted, result.assumptions)
        self.table = table
        self.targets = dataset.targets.drop_duplicates("target_id").set_index("target_id")
        self.problems: list[str] = []
        self.timings: dict[str, float] = {}
        (self.root / "figures").mkdir(parents=True, exist_ok=True)

    # -- plumbing ---------------------------------------------------------
    def attempt(self, section: Section, what: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn``; on any error note it in ``section`` and carry on."""
        before = set(plt.get_fignums())
        try:
            return fn()
        except Exception as exc:  # a bad unit must not stop the brief
            for num in set(plt.get_fignums()) - before:
                plt.close(num)
            msg = t("failed", self.lang, what=t(f"what:{what}", self.lang),
                    error=f"{type(exc).__name__}: {exc}")
            section.add("warning", msg)
            self.problems.append(f"{section.title}: {msg}")
            return None

    def save(self, chart: figures.Chart, name: str, wide: bool) -> FigureRef:
        stem = f"figures/{name}"
        try:
            save_figure(chart.figure, self.root / stem, chart.alt_text, formats=self.formats)
        finally:
            plt.close(chart.figure)
        return FigureRef(stem, chart.title, chart.alt_text, wide)

    def source_line(self, unit_ids) -> str:
        ids = [s for u in unit_ids for s in unit_source_ids(self.dataset, u, self.as_of)]
        return self.dataset.source_line(ids, self.lang)

    # -- portfolio --------------------------------------------------------
    def portfolio_section(self, selected: list[str], parents: list[str]) -> Section:
        """The portfolio chart and pace chart over every unit, and a table of all targets."""
        lang, table = self.lang, self.table
        sec = Section("portfolio", t("portfolio", lang))
        term_units = list(dict.fromkeys(table.loc[table["target_kind"] == "term", "unit_id"]))
        charts: list[FigureRef] = []
        src = self.source_line(term_units)
        for name, fn in (("portfolio", figures.portfolio), ("pace", figures.pace_dumbbell)):
            ref = self.attempt(sec, name, lambda fn=fn, name=name: self.save(
                fn(table, source_line=src, lang=lang, size=self.size or "page"), name, True))
            if ref:
                charts.append(ref)
        for parent in parents:
            kids = [u for u in self.dataset.children(parent) if u in set(term_units)]
            if len(kids) >= 2:
                ref = self.attempt(sec, "multiples", lambda p=parent, k=kids: self.save(
                    figures.small_multiples(self.result, p, unit_ids=k,
                                            parent_name=self.dataset.unit_name(p, lang),
                                            source_line=self.source_line(k), lang=lang,
                                            size=self.size or "page"), f"{p}_multiples", True))
                if ref:
                    charts.append(ref)
        if charts:
            sec.add("figures", charts)
        sec.add("table", self.targets_table(table, t("portfolio_table", lang), with_unit=True))
        for gap in unanswered(table, lang):
            reasons = "; ".join(t("unanswered_reason", lang, why=w.rstrip("."), n=n)
                                for w, n in gap.reasons)
            more = t("unanswered_more", lang, n=gap.more) if gap.more else ""
            sec.add("warning", t("unanswered", lang, model=gap.model, n=gap.missing,
                                 total=gap.total, reasons=reasons + more))
        return sec

    def targets_table(self, table: pd.DataFrame, caption: str, with_unit: bool) -> Table:
        lang = self.lang
        rows = table[table["scenario"] == MODEL_SCENARIO]
        if with_unit:
            rows = rows.sort_values(["p_reach", "name"], ascending=[False, True])
        cols = ([t("col_unit", lang)] if with_unit else []) + [
            t("col_target", lang), t("col_period", lang), t("col_cum", lang),
            t("col_label", lang), t("col_p", lang)]
        body = []
        for _, r in rows.iterrows():
            target = f"{self.target_label(r)}: {self.printed_target(r)}"
            if r["model"] == ROLLUP_MODEL:
                target += f" — {t('rollup', lang)}"
            body.append(([r["name"]] if with_unit else []) + [
                target, fmt_date(r["deadline"], lang), self.count_text(r),
                label_text(r["label"], lang), fmt_prob(r["p_reach"], lang, 1)])
        k = 1 if with_unit else 0
        return Table(cols, body, numeric=(k + 2, k + 4), caption=caption)

    # -- how a target and a count are written --------------------------------
    def target_label(self, r: pd.Series) -> str:
        """``Chỉ tiêu năm 2017 (kế hoạch)``: the target's kind, period and layer."""
        layer = self.targets["layer"].get(r["target_id"]) if "layer" in self.targets else None
        return target_name(r, self.lang, layer)

    def printed_target(self, r: pd.Series) -> str:
        """The target as its source printed it: ``30–35`` (a range, with the
        middle the forecast uses), ``ít nhất 7.000``, ``337 (6,6 % số đảng viên)``."""
        lang = self.lang
        shown = target_as_printed(self.dataset, r["target_id"], lang)
        if shown is None:
            return fmt_int(r["target"], lang)
        tr = self.targets.loc[r["target_id"]]
        if tr["measure"] != "count":
            return f"{fmt_int(r['target'], lang)} ({shown})"
        if tr["qualifier"] == "range":
            return t("range_middle", lang, shown=shown, v=fmt_figure(r["target"], lang))
        return shown

    def count_text(self, r: pd.Series) -> str:
        """Admitted so far with the date it is counted to; no report: says so."""
        if prior_only(r):
            return t("no_report", self.lang)
        return t("count_to", self.lang, n=fmt_int(r["cumulative"], self.lang),
                 date=fmt_date(r["as_of"], self.lang))

    # -- one unit ---------------------------------------------------------
    def unit_section(self, unit_id: str) -> Section:
        """Key numbers, charts, scenarios, assumptions, sources and warnings of a unit."""
        lang = self.lang
        sec = Section(f"unit-{unit_id}", self.dataset.unit_name(unit_id, lang))
        row = primary_row(self.table, unit_id)
        if row is None:
            sec.add("para", t("no_targets", lang))
            return sec
        self.attempt(sec, "section", lambda: self._key_numbers(sec, row))
        src = self.source_line([unit_id])
        charts: list[FigureRef] = []
        for what, fn in (("progress", self._progress), ("yearly", self._yearly),
                         ("nowcast", self._nowcast), ("pipeline", self._pipeline)):
            ref = self.attempt(sec, what, lambda fn=fn: fn(unit_id, row, src))
            if ref is not None:
                charts.append(ref)
        if charts:
            sec.add("heading", t("charts", lang))
            sec.add("figures", charts)
        self.attempt(sec, "section", lambda: self._scenarios(sec, row))
        unit_rows = self.table[self.table["unit_id"] == unit_id]
        if (unit_rows["scenario"] == MODEL_SCENARIO).sum() > 1:
            sec.add("heading", t("all_targets", lang))
            sec.add("table", self.targets_table(unit_rows, "", with_unit=False))
        self._assumption_line(sec, unit_id)
        self._sources(sec, unit_id)
        self._warnings(sec, unit_id)
        sec.failed = any(b.kind == "warning" for b in sec.blocks)
        return sec

    def _key_numbers(self, sec: Section, r: pd.Series) -> None:
        lang = self.lang
        # The count's own date (a unit's last report), not the brief's as-of.
        count = (t("cumulative_plain", lang), t("no_report_prior", lang)) if prior_only(r) else \
            (t("cumulative", lang, date=fmt_date(r["as_of"], lang)), fmt_int(r["cumulative"], lang))
        keys = [
            (self.target_label(r), f"{self.printed_target(r)} "
             f"({fmt_date(r['start'], lang)} – {fmt_date(r['deadline'], lang)})"),
            count,
            # A range's middle can be a half (30–35: 32,5), kept as printed.
            (t("remaining", lang), fmt_figure(round(float(r["remaining"]), 2), lang)),
            (t("p_reach", lang), fmt_prob(r["p_reach"], lang, 1)),
            *self._rollup_key(r),
            (t("final_range", lang), t("range", lang, q50=fmt_int(r["final_q50"], lang),
                                       q10=fmt_int(r["final_q10"], lang),
                                       q90=fmt_int(r["final_q90"], lang))),
            (t("reach_date", lang), t("not_reached", lang) if missing(r["reach_date_q50"])
             else fmt_month(r["reach_date_q50"], lang)),
            (t("pace", lang), self._pace_text(r)),
            (t("take", lang, p=fmt_prob(self.result.assumptions.p_level, lang)), self._take_text(r)),
        ]
        sec.add("heading", t("key_numbers", lang))
        sec.add("keys", keys)
        same = self.table[(self.table["target_id"] == r["target_id"])
                          & (self.table["model"] == r["model"])]
        why = prior_note(r, lang) or why_headline(r, same, lang, profile=self._profile(),
                                                  p_level=self.result.assumptions.p_level)
        if why:
            sec.add("para", why)

    def _rollup_key(self, r: pd.Series) -> list[tuple[str, str]]:
        """The chance summed from the unit's own units, when the outlook has it."""
        ru = self.table[(self.table["target_id"] == r["target_id"])
                        & (self.table["unit_id"] == r["unit_id"])
                        & (self.table["model"] == ROLLUP_MODEL)]
        return [(t("p_rollup", self.lang), fmt_prob(p, self.lang, 1)) for p in ru["p_reach"]]

    def _pace_text(self, r: pd.Series) -> str:
        if missing(r["observed_per_year"]) or missing(r["required_per_year"]) \
                or float(r["remaining"]) <= 0:
            return label_text(r["label"], self.lang)
        return t("pace_value", self.lang, label=label_text(r["label"], self.lang),
                 obs=fmt_int(r["observed_per_year"], self.lang),
                 req=fmt_int(r["required_per_year"], self.lang))

    def _take_text(self, r: pd.Series) -> str:
        lang = self.lang
        if float(r["remaining"]) <= 0:
            return t("take_reached", lang)
        if not missing(r["years_left"]) and float(r["years_left"]) <= 0:
            return t("take_over", lang)
        need = [r[c] for c in ("required_attainment", "required_per_year_p",
                               "introduced_needed", "trained_needed")]
        if any(missing(v) for v in need):
            return t("take_none", lang)
        return t("take_value", lang, att=fmt_pct(100 * float(need[0]), lang, 0),
                 per_year=fmt_int(need[1], lang), intro=fmt_int(need[2], lang),
                 trained=fmt_int(need[3], lang))

    def _progress(self, unit_id: str, r: pd.Series, src: str) -> FigureRef | None:
        key = (unit_id, r["target_id"], r["model"], r["scenario"])
        if key not in self.result.paths:
            return None
        same = self.table[(self.table["target_id"] == r["target_id"])
                          & (self.table["model"] == r["model"])]
        others = [s for s in dict.fromkeys(same["scenario"]) if s != MODEL_SCENARIO
                  and not str(s).endswith(DETERMINISTIC_SUFFIX)
                  and (unit_id, r["target_id"], r["model"], s) in self.result.paths]
        if missing(r["years_left"]) or float(r["years_left"]) <= 0:
            others = []  # the window is over: scenario lines would have nothing to draw
        chart = figures.progress_to_target(
            self.result, unit_id, source_line=src, lang=self.lang, size=self.size or "page",
            target_id=r["target_id"], scenarios=others,
            target_text=target_as_printed(self.dataset, r["target_id"], self.lang))
        return self.save(chart, f"{unit_id}_progress", True)

    def _yearly(self, unit_id: str, r: pd.Series, src: str) -> FigureRef | None:
        first, last = pd.Timestamp(r["start"]).year, pd.Timestamp(r["deadline"]).year
        yearly = yearly_table(self.dataset, unit_id, first, last, self.as_of)
        if yearly.empty:
            return None
        chart = figures.yearly_admissions(yearly, unit_name=self.dataset.unit_name(unit_id, self.lang),
                                          source_line=src, lang=self.lang,
                                          size=self.size or "column")
        return self.save(chart, f"{unit_id}_yearly", False)

    def _nowcast(self, unit_id: str, r: pd.Series, src: str) -> FigureRef | None:
        from forecast.models.nowcast import nowcast

        found = part_year_points(self.dataset, unit_id, self.as_of)
        if found is None:
            return None
        year, pts = found
        profile = self._profile()
        last = pts.iloc[-1]
        count = float(last["admitted"]) if missing(last["low"]) or last["low"] == last["high"] \
            else (float(last["low"]), float(last["high"]))
        a = self.result.assumptions
        nc = nowcast(count, last["period_end"], profile, n_paths=a.n_paths, seed=a.seed)
        chart = figures.part_year_nowcast(pts[["period_end", "admitted", "target"]],
                                          unit_name=self.dataset.unit_name(unit_id, self.lang),
                                          year=year, source_line=src, lang=self.lang,
                                          profile=profile, nowcast=nc,
                                          size=self.size or "column")
        return self.save(chart, f"{unit_id}_nowcast", False)

    def _profile(self) -> tuple:
        for fm in self.result.fitted.values():
            if getattr(fm, "profile", None):
                return tuple(fm.profile)
        from forecast.models.profile_estimate import within_year_profile

        return tuple(within_year_profile(self.dataset, self.result.assumptions, self.as_of))

    def _pipeline(self, unit_id: str, r: pd.Series, src: str) -> FigureRef | None:
        if r["target_kind"] != "term" or float(r["remaining"]) <= 0:
            return None
        need = [r[c] for c in ("required_per_year_p", "introduced_needed", "trained_needed")]
        if any(missing(v) or float(v) <= 0 for v in need):
            return None
        chart = figures.pipeline(self.table, unit_id, source_line=src, lang=self.lang,
                                 model=r["model"], p_level=self.result.assumptions.p_level,
                                 size=self.size or "column")
        return self.save(chart, f"{unit_id}_pipeline", False)

    def _scenarios(self, sec: Section, r: pd.Series) -> None:
        lang = self.lang
        rows = self.table[(self.table["target_id"] == r["target_id"])
                          & (self.table["model"] == r["model"])
                          & ~self.table["scenario"].astype(str).str.endswith(DETERMINISTIC_SUFFIX)]
        body = []
        for _, s in rows.iterrows():
            name = t("scenario:model", lang) if s["scenario"] == MODEL_SCENARIO \
                else scenario_name(str(s["scenario"]), lang)
            reach = "–" if missing(s["reach_date_q50"]) else fmt_month(s["reach_date_q50"], lang)
            body.append([name, fmt_prob(s["p_reach"], lang, 1), fmt_int(s["final_q10"], lang),
                         fmt_int(s["final_q50"], lang), fmt_int(s["final_q90"], lang), reach])
        cols = [t(k, lang) for k in ("col_scenario", "col_p", "col_q10", "col_q50", "col_q90",
                                     "col_reach")]
        sec.add("heading", t("scenarios", lang))
        sec.add("table", Table(cols, body, numeric=(1, 2, 3, 4),
                               caption=f"{self.target_label(r)}: {self.printed_target(r)}"))
        if len(body) > 1:
            sec.add("para", t("scenario_note", lang))
        # The engine's notes, said in the brief's language: how the model saw
        # the unit, and why a scenario has no numbers ('last' without a report).
        base = str(r["diagnostics"] or "")
        notes = model_notes(base, lang)
        for _, s in rows.iterrows():
            diag = str(s["diagnostics"] or "")
            extra = diag[len(base):].lstrip("; ") if diag.startswith(base) else diag
            if s["scenario"] != MODEL_SCENARIO and missing(s["p_reach"]) and extra:
                notes += [n for n in model_notes(extra, lang) if n not in notes]
        if notes:
            sec.add("heading", t("model_notes", lang))
            sec.add("list", notes)

    def _assumption_line(self, sec: Section, unit_id: str) -> None:
        from forecast.simulate.funnel import conversion_rates

        conv = conversion_rates(self.dataset, unit_id, self.result.assumptions, self.as_of)
        sec.add("heading", t("assumptions", self.lang))
        sec.add("para", unit_assumption_line(self.result.assumptions, self._profile(), conv,
                                             self.lang))

    def assumption_values(self) -> dict[str, str]:
        """Each assumption's value, formatted (the estimated profile spelled out)."""
        return assumption_values(self.result.assumptions, self._profile(), self.lang)

    def assumptions_section(self) -> Section:
        """The full list: id, field, value and meaning of every assumption."""
        sec = Section("assumptions", t("assumptions", self.lang))
        sec.add("table", assumptions_table(self.assumption_values(), self.lang))
        return sec

    def _sources(self, sec: Section, unit_id: str) -> None:
        src = sources_rows(self.dataset, unit_source_ids(self.dataset, unit_id, self.as_of))
        if src.empty:
            return
        rows = []
        for _, s in src.iterrows():
            who = " — ".join(x for x in (s["outlet"], s["title"]) if isinstance(x, str) and x)
            rows.append([s["source_id"], who, str(s["published"] or ""), str(s["url"] or "")])
        sec.add("heading", t("sources", self.lang))
        # The published date is marked numeric so that it never wraps.
        sec.add("table", Table([t("col_id", self.lang), t("col_source", self.lang),
                                t("col_published", self.lang), "URL"], rows, numeric=(2,)))

    def _warnings(self, sec: Section, unit_id: str) -> None:
        warn = unit_warnings(self.findings, unit_id)
        sec.add("heading", t("audit", self.lang))
        if warn.empty:
            sec.add("para", t("no_audit", self.lang))
            return
        sec.add("list", findings_lines(warn, self.lang, self.dataset))

    def document(self, sections: list[Section], meta: str) -> Document:
        return Document(self.lang, t("doc_title", self.lang), meta, sections)
