"""The brief: one folder with the portfolio, a section per unit, figures and tables.

:func:`build_brief` runs the outlook once for every unit with a target, the
audit once, assembles the sections (:mod:`forecast.brief.content`) and writes

* ``index.html`` (:mod:`forecast.brief.html`), ``brief.docx``
  (:mod:`forecast.brief.docx`) and ``brief.pdf`` (:mod:`forecast.brief.pdf`)
  with the same content;
* ``figures/``: every chart as PNG, SVG, PDF and alt text;
* ``tables/``: ``outlook.csv``, ``scenarios.csv``, ``audit.csv`` and
  ``brief.xlsx`` with a sheet per table;
* ``manifest.json``: inputs' hashes, parameters, versions, code revision, timings.

The folder is built beside the destination and swapped in at the end, so a
failed run leaves the previous brief as it was. Only a new or empty folder
or one a brief wrote before (it holds the marker of :mod:`forecast.outputs`)
is replaced; two briefs cannot write one folder at once (a lock file beside
it), and the hidden folders of a killed run are removed by the next one. A unit whose model or chart
fails gets a section saying what failed; the run fails only when nothing at
all could be produced. See ``docs/brief.md``.
"""

from __future__ import annotations

import dataclasses

import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import __version__
from forecast.atomic import write_bytes, write_text
from forecast.brief.content import Assembler
from forecast.brief.doc import Section
from forecast.brief.tables import stable_zip, write_xlsx
from forecast.brief.text import model_name, t
from forecast.brief.units import select_units
from forecast.config import Assumptions
from forecast.errors import ConfigError, ForecastError, OutputError
from forecast.labels import check_lang, fmt_date, fmt_int
from forecast.models.base import DEFAULT_MODEL
from forecast.outputs import (FolderLock, check_output_folder, clean_stale, describe_os_error,
                              mark, sibling)
from forecast.tables import write_csv

DEFAULT_SCENARIOS = ("last", "mean", "trend", "full")
"""Scenarios every brief shows beside the model's own forecast."""

OUTPUTS = ("html", "docx", "pdf", "png", "svg", "xlsx", "csv")
"""What a brief can write (``--format``); each name selects every file of that
type: ``pdf`` is brief.pdf and the figures' PDF files, ``csv`` the tables'
CSV files. The figures' PNG files are always written: the documents embed them."""

DEFAULT_PATHS = 10_000
"""Monte Carlo paths of the default brief (``Assumptions.n_paths``)."""

PACKAGES = ("forecast", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn",
            "openpyxl", "python-docx", "fpdf2")
"""Packages whose versions the brief's manifest records."""

SCENARIO_COLUMNS = ["unit_id", "name", "target_id", "target_kind", "term", "deadline", "target",
                    "model", "scenario", "p_reach", "final_mean", "final_q10", "final_q25",
                    "final_q50", "final_q75", "final_q90", "reach_date_q10", "reach_date_q50",
                    "reach_date_q90"]


@dataclass
class BriefResult:
    """What :func:`build_brief` produced.

    Attributes
    ----------
    out : Path
        The brief folder.
    units : list of str
        Units with a section.
    skipped : list of str
        Units asked for that have no target with a known count.
    problems : list of str
        What could not be produced (each also noted in the brief).
    timings : dict
        Seconds per stage.
    """

    out: Path
    units: list[str]
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    timings: dict[str, Any] = field(default_factory=dict)


def build_brief(dataset, out: str | Path | None = None, *, lang: str = "vi",
                units: list[str] | None = None, as_of=None, model: str = DEFAULT_MODEL,
                scenarios=DEFAULT_SCENARIOS, assumptions: Assumptions | None = None,
                formats=("png", "svg", "pdf"), outputs=OUTPUTS,
                size: str | None = None, term: str | None = None,
                review: str | None = None) -> BriefResult:
    """Write the brief folder.

    Parameters
    ----------
    dataset : Dataset
    out : path, optional
        The brief folder (default ``reports/brief``); replaced as a whole,
        so it must be new, empty or a brief written before
        (:func:`forecast.outputs.check_output_folder`).
    lang : {"vi", "en"}
    units : list of str, optional
        Unit ids, level names or ``parent:ID`` (see
        :func:`forecast.brief.units.select_units`); default: every unit with a
        term target and an admission report in its term.
    as_of : date-like, optional
        Use only figures reported up to this date.
    model : str
        Model of :data:`forecast.models.base.MODELS`.
    scenarios : sequence of str
        Scenarios of :func:`forecast.simulate.scenarios.parse_scenario`.
    assumptions : Assumptions, optional
        Default: ``Assumptions()`` (10,000 paths).
    formats : sequence of str
        Figure files beside each chart; PNG is always written (the HTML, Word
        and PDF documents use it). ``("png",)`` makes a quick preview.
    outputs : sequence of str
        Which of :data:`OUTPUTS` to write (default: all); figure formats not
        in it are dropped from ``formats``.
    size : {"column", "page", "slide"}, optional
        Every chart at this size (default: page-wide charts at "page", the
        others at "column"; :data:`forecast.figures.style.SIZES`).
    term : str, optional
        Only the targets of this term (``2025-2030``); default every term.
    review : str, optional
        Add the review of this term (:func:`forecast.outlook.review.term_review`,
        at most 2,000 paths) before the assumptions.

    Returns
    -------
    BriefResult

    Raises
    ------
    ForecastError
        When the outlook cannot run, a writer fails, or no section, chart or
        table could be produced; the previous brief is then left untouched.
    OutputError
        Before any work, for a folder the brief must not replace or that
        another brief is writing; later, when the disk is full or the folder
        cannot be written (the previous brief is then left untouched).
    """
    from forecast.paths import REPORTS_DIR

    check_lang(lang)
    outputs = check_outputs(outputs)
    if size is not None:
        from forecast.figures.style import get_size

        get_size(size)
    started = time.perf_counter()
    out = Path(out) if out is not None else REPORTS_DIR / "brief"
    assumptions = assumptions or Assumptions()
    as_of = pd.Timestamp(as_of) if as_of is not None else None
    timings: dict[str, Any] = {}
    if units is not None:  # a misspelt unit fails before the long outlook run
        select_units(dataset, pd.DataFrame({"unit_id": []}), units)
    check_output_folder(out, "brief", inputs=dataset.files)
    with FolderLock(out.parent / f".{out.name}.lock", f"--out {out}"):
        clean_stale(out)
        tmp = sibling(out, "building")
        try:
            _fresh_sibling(tmp)
            selected, skipped, problems = _build(
                dataset, tmp, out, lang=lang, units=units, as_of=as_of, model=model,
                scenarios=scenarios, assumptions=assumptions, formats=formats,
                outputs=outputs, size=size, timings=timings, started=started, term=term,
                review=review)
            _swap_in(tmp, out)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            kept = "the previous brief there is unchanged" if out.exists() else "nothing was left"
            raise OutputError(f"brief: {describe_os_error(exc, 'write the brief')} "
                              f"({out}: {kept})") from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return BriefResult(out, selected, skipped, problems, timings)


def _build(dataset, tmp: Path, out: Path, *, lang, units, as_of, model, scenarios,
           assumptions, formats, outputs, size, timings, started, term=None,
           review=None) -> tuple[list[str], list[str], list[str]]:
    """Write the whole brief into ``tmp``; return (selected, skipped, problems)."""
    from forecast.audit.run import audit
    from forecast.outlook.table import outlook

    clock = time.perf_counter()
    result = outlook(dataset, as_of=as_of, model=model, scenarios=list(scenarios),
                     assumptions=assumptions, term=term)
    timings["outlook"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    audit_problem = ""
    try:
        findings = audit(dataset)
    except Exception as exc:  # the brief without its audit beats no brief
        from forecast.audit.findings import empty_findings

        findings = empty_findings()
        audit_problem = f"audit: {type(exc).__name__}: {exc}"
    timings["audit"] = round(time.perf_counter() - clock, 3)
    selected, skipped = select_units(dataset, result.table, units)
    formats = ("png", *[f for f in formats if f != "png" and f in outputs])
    asm = Assembler(dataset, result, findings, tmp, lang, as_of, formats, size)
    parents = [u.split(":", 1)[1] for u in (units or []) if str(u).startswith("parent:")]
    clock = time.perf_counter()
    sections = [asm.portfolio_section(selected, parents)]
    timings["portfolio"] = round(time.perf_counter() - clock, 3)
    timings["units"] = {}
    for unit_id in selected:
        clock = time.perf_counter()
        sections.append(asm.unit_section(unit_id))
        timings["units"][unit_id] = round(time.perf_counter() - clock, 3)
    if review:
        from forecast.brief.review import review_section
        from forecast.outlook.review import term_review

        clock = time.perf_counter()
        quick = dataclasses.replace(assumptions, n_paths=min(assumptions.n_paths, 2000))
        sections.append(review_section(dataset, term_review(dataset, review, model=model,
                                                            assumptions=quick), review, lang))
        timings["review"] = round(time.perf_counter() - clock, 3)
    sections.append(asm.assumptions_section())
    _check_produced(sections, tmp)
    problems = list(asm.problems) + ([audit_problem] if audit_problem else [])
    if skipped:
        sections[0].add("para", t("skipped", lang, n=len(skipped), ids=", ".join(skipped)))
    if problems:
        sec = Section("problems", t("problems", lang))
        sec.add("list", problems)
        sections.append(sec)
    doc = asm.document(sections, _meta(result, selected, as_of, model, assumptions, lang))
    clock = time.perf_counter()
    _write_tables(tmp / "tables", dataset, result, findings, selected, asm, outputs)
    timings["tables"] = round(time.perf_counter() - clock, 3)
    from forecast.brief.docx import write_docx
    from forecast.brief.html import write_html
    from forecast.brief.pdf import write_pdf

    for name, writer, target in (("html", write_html, "index.html"),
                                 ("docx", write_docx, "brief.docx"),
                                 ("pdf", write_pdf, "brief.pdf")):
        if name not in outputs:
            continue
        clock = time.perf_counter()
        writer(doc, tmp, tmp / target)
        if target.endswith(".docx"):
            stable_zip(tmp / target)
        timings[name] = round(time.perf_counter() - clock, 3)
    timings["total"] = round(time.perf_counter() - started, 3)
    _write_manifest(tmp / "manifest.json", dataset, out, lang, units, selected, skipped,
                    as_of, model, scenarios, assumptions, problems, timings, formats,
                    outputs, size)
    return selected, skipped, problems


def check_outputs(outputs) -> tuple[str, ...]:
    """``outputs`` as a tuple, refusing names not in :data:`OUTPUTS`."""
    outputs = tuple(outputs)
    bad = [o for o in outputs if o not in OUTPUTS]
    if bad or not outputs:
        raise ConfigError(f"--format: found {', '.join(bad) or 'nothing'}; expected one or "
                          f"more of {', '.join(OUTPUTS)}. Fix: e.g. --format docx,png.")
    return outputs


def _meta(result, selected, as_of, model, assumptions, lang) -> str:
    n_all = result.table["unit_id"].nunique()
    when = fmt_date(as_of, lang) if as_of is not None else t("as_of_latest", lang)
    return t("doc_meta", lang, as_of=when, model=model_name(model, lang),
             paths=fmt_int(assumptions.n_paths, lang),
             seed=assumptions.seed, n_units=len(selected), n_all=n_all)


def _check_produced(sections: list[Section], root: Path) -> None:
    """Raise when not one chart and not one unit's key numbers came out."""
    has_figure = any((root / "figures").glob("*.png"))
    has_keys = any(b.kind == "keys" for s in sections for b in s.blocks)
    if not (has_figure or has_keys):
        notes = [b.data for s in sections for b in s.blocks if b.kind == "warning"]
        raise ForecastError(
            "brief: nothing could be produced (no chart and no unit's key numbers); "
            f"first problems: {'; '.join(map(str, notes[:3])) or 'none recorded'}. "
            "Fix: run 'forecast outlook' on the same data to see the model's errors."
        )


def _fresh_sibling(tmp: Path) -> None:
    """Make ``tmp``, an empty folder beside the brief's (same file system, so the
    swap is a rename), marked at once so that a later run may clean it up if
    this one is killed."""
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    mark(tmp, "brief")


def _swap_in(tmp: Path, out: Path) -> None:
    """Put the finished folder in place of the old one.

    Two renames: the old brief aside, the new one in. Between them (a few
    microseconds) ``out`` does not exist; it is never half-written. The
    folder is checked again first: a person may have put files into it
    while the brief was being built.
    """
    check_output_folder(out, "brief")
    old = None
    if out.exists():
        old = sibling(out, "old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _iso_frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records)


def _write_tables(folder: Path, dataset, result, findings, selected, asm,
                  outputs=OUTPUTS) -> None:
    """outlook.csv, scenarios.csv, audit.csv and brief.xlsx (:mod:`forecast.tables`:
    UTF-8 with BOM for Excel, text cells that never become formulas)."""
    folder.mkdir(parents=True, exist_ok=True)
    outlook_df = _iso_frame(result.records())
    scen = outlook_df[outlook_df["unit_id"].isin(selected)][SCENARIO_COLUMNS] \
        if len(outlook_df) else pd.DataFrame(columns=SCENARIO_COLUMNS)
    audit_df = findings.copy()
    assumptions_df = pd.DataFrame(asm.assumptions_section().blocks[0].data.rows,
                                  columns=["id", "field", "value", "meaning"])
    sources_df = dataset.sources.copy()
    frames = {"outlook": outlook_df, "scenarios": scen, "audit": audit_df,
              "assumptions": assumptions_df, "sources": sources_df}
    for name in ("outlook", "scenarios", "audit") if "csv" in outputs else ():
        write_csv(folder / f"{name}.csv", frames[name])
    if "xlsx" in outputs:
        write_xlsx(folder / "brief.xlsx", frames)


def _write_manifest(path: Path, dataset, out, lang, units, selected, skipped, as_of, model,
                    scenarios, assumptions, problems, timings, formats, outputs=OUTPUTS,
                    size=None) -> None:
    from forecast.manifest import code_revision, hash_files, now_iso, package_versions

    doc = {
        "forecast_version": __version__,
        "written": now_iso(),
        "command": "brief",
        "parameters": {
            "out": str(out), "lang": lang, "units": list(units) if units else None,
            "as_of": as_of.date().isoformat() if as_of is not None else None,
            "model": model, "scenarios": [getattr(s, "name", s) for s in scenarios],
            "assumptions": assumptions.as_dict(),
            "figure_formats": list(formats), "outputs": list(outputs), "figure_size": size,
        },
        "selected_units": selected,
        "skipped_units": skipped,
        "problems": problems,
        "inputs": hash_files(dataset.files),
        "code_revision": code_revision(),
        "packages": package_versions(PACKAGES),
        "python": platform.python_version(),
        "timings_seconds": timings,
        "files": sorted(str(p.relative_to(path.parent)) for p in path.parent.rglob("*")
                        if p.is_file()) + ["manifest.json"],
    }
    write_text(path, json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")
