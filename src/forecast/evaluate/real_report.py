"""Tables and files of the real-data backtest (:mod:`forecast.evaluate.real`).

:func:`headline` is the one table the README and ``docs/backtest.md`` quote
(``forecast backtest --real`` prints it); :func:`write_real` writes every
table as CSV, a Markdown summary and ``real_run.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.atomic import write_text
from forecast.evaluate import backtest as bt
from forecast.evaluate.real import ALL, RealResult
from forecast.records import frame_records

HEADLINE_COLUMNS = ["model", "n_cases", "n_answered", "answered_share", "brier", "brier_lo",
                    "brier_hi", "log_score", "crps", "coverage_80", "paired_n", "diff_brier",
                    "diff_brier_lo", "diff_brier_hi", "diff_log_score", "brier_mc_se"]
MIN_CELL = 50
"""Cells with at least this many answered cases are checked for 80 % coverage."""


def _overall(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["target_kind"] == ALL) & (frame["horizon"] == ALL)
                 & (frame["record"] == ALL)]


def headline(res: RealResult) -> pd.DataFrame:
    """One row per model: cases answered, scores on them, and the paired difference
    against the reference model on the cases both answered (negative: better)."""
    models = list(res.parameters.get("models", [])) + [bt.PACE_LABEL, bt.ALWAYS_REACH]
    ans = _overall(res.answers).set_index("model")
    sc = res.cells[res.cells["subset"] == "all"]
    sc = _overall(sc).set_index("model") if len(sc) else pd.DataFrame()
    pr = res.paired[res.paired["target_kind"] == ALL].set_index("model") \
        if len(res.paired) else pd.DataFrame()
    rows = []
    for m in dict.fromkeys(models):
        if m not in ans.index:
            continue
        row = {"model": m, "n_cases": int(ans.loc[m, "n_cases"]),
               "n_answered": int(ans.loc[m, "n_answered"]),
               "answered_share": float(ans.loc[m, "answered_share"])}
        for c in ("brier", "brier_lo", "brier_hi", "log_score", "crps", "coverage_80",
                  "brier_mc_se"):
            row[c] = float(sc.loc[m, c]) if m in sc.index else np.nan
        row["paired_n"] = int(pr.loc[m, "n"]) if m in pr.index else 0
        for c in ("diff_brier", "diff_brier_lo", "diff_brier_hi", "diff_log_score"):
            row[c] = float(pr.loc[m, c]) if m in pr.index else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def _f(x, digits: int = 3) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def headline_markdown(table: pd.DataFrame, reference: str) -> str:
    """The headline as a Markdown table (the form docs/backtest.md and the README quote)."""
    head = ("| model | answered | Brier [90 % CI] | log score | CRPS | cov. 80 % | "
            f"vs {reference}: n, ΔBrier [90 % CI], Δlog |")
    lines = [head, "|---|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        ci = f"{_f(r['brier'])} [{_f(r['brier_lo'])}, {_f(r['brier_hi'])}]" \
            if np.isfinite(r["brier"]) else "–"
        if r["model"] == reference:
            vs = "(reference)"
        elif r["paired_n"]:
            vs = (f"{r['paired_n']}, {_f(r['diff_brier'])} [{_f(r['diff_brier_lo'])}, "
                  f"{_f(r['diff_brier_hi'])}], {_f(r['diff_log_score'])}")
        else:
            vs = "–"
        lines.append(f"| {r['model']} | {r['n_answered']}/{r['n_cases']} "
                     f"({r['answered_share']:.0%}) | {ci} | {_f(r['log_score'])} | "
                     f"{_f(r['crps'])} | {_f(r['coverage_80'], 2)} | {vs} |")
    return "\n".join(lines)


def coverage_cells(res: RealResult, min_n: int = MIN_CELL) -> pd.DataFrame:
    """Full cells (kind × horizon × record) with at least ``min_n`` answered cases
    that have a total: model, cell, n_intervals, coverage_80 and its bounds."""
    c = res.cells[(res.cells["subset"] == "all") & (res.cells["target_kind"] != ALL)
                  & (res.cells["horizon"] != ALL) & (res.cells["record"] != ALL)]
    c = c[c["n_intervals"] >= min_n]
    return c[["model", "target_kind", "horizon", "record", "n_intervals", "coverage_80",
              "coverage_80_lo", "coverage_80_hi"]].reset_index(drop=True)


def summary_markdown(res: RealResult) -> str:
    """The Markdown summary written beside the CSV files."""
    p = res.parameters
    ref = p.get("reference", "")
    lines = [
        "# Real-data backtest", "",
        f"{p.get('n_cases', 0)} cases (target × origin) from {p.get('n_targets_known', 0)} "
        f"targets with a known outcome ({p.get('n_implied_targets', 0)} of them implied "
        f"annual targets) and {p.get('n_origins', 0)} origin dates; {p.get('n_paths')} paths "
        f"per forecast; 90 % intervals from {p.get('n_boot')} bootstrap replicates "
        f"resampling {p.get('cluster', 'unit_id')}. Reference model: {ref}.", "",
        "## All cases each model answered", "", headline_markdown(headline(res), ref), "",
        "Brier and log score on the cases each model answered (compare models on the "
        f"paired column: the cases both it and {ref} answered; negative Δ = better than "
        f"{ref}). CRPS is on the target scale, from the five quantiles.", "",
        "## Answers by origin", "", _answers_by_origin(res), "",
        "## Cells with at least 50 cases (80 % coverage)", "",
    ]
    cov = coverage_cells(res)
    lines.append(_md(cov) if len(cov) else "No cell has 50 scored intervals.")
    pit = res.pit[(res.pit["target_kind"] == ALL) & (res.pit["horizon"] == ALL)
                  & (res.pit["record"] == ALL)]
    if len(pit):
        wide = pit.pivot(index="model", columns="bin", values="share")
        wide = wide[[b for b in pit["bin"].unique()]]
        wide.insert(0, "n", pit.groupby("model")["n"].first())
        exp = pit.drop_duplicates("bin").set_index("bin")["expected"]
        lines += ["", "## PIT histogram (share of outcomes per inter-quantile bin)", "",
                  _md(wide.reset_index()), "",
                  "Expected: " + ", ".join(f"{b} {e:.2f}" for b, e in exp.items())]
    lines += ["", f"Run: {p.get('seconds')} s wall, {p.get('cpu_seconds')} s CPU, "
              f"{p.get('workers')} worker(s)."]
    return "\n".join(lines) + "\n"


def _answers_by_origin(res: RealResult) -> str:
    c = res.cases
    t = c.groupby(["model", "origin"])["answered"].agg(["sum", "size"])
    t["cell"] = [f"{int(a)}/{int(n)}" for a, n in zip(t["sum"], t["size"])]
    return _md(t["cell"].unstack("origin").fillna("–").reset_index())


def _md(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    out = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        out.append("| " + " | ".join(_cell(r[c]) for c in cols) + " |")
    return "\n".join(out)


def _cell(x) -> str:
    if isinstance(x, (float, np.floating)):
        return _f(float(x))
    return str(x)


def write_real(res: RealResult, out: Path, params: dict | None = None) -> list[Path]:
    """Write ``real_*.csv``, ``real_summary.md`` and ``real_run.json`` into ``out``.

    Each file is written whole or not at all (:mod:`forecast.atomic`).
    """
    from forecast.manifest import code_revision, package_versions

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = {f"real_{name}.csv": getattr(res, name)
              for name in ("cases", "cells", "answers", "pit", "reliability", "paired",
                           "implied", "failures")}
    tables["real_headline.csv"] = headline(res)
    files = [write_text(out / name, t.to_csv(index=False, float_format="%.6g"))
             for name, t in tables.items()]
    files.append(write_text(out / "real_summary.md", summary_markdown(res)))
    run = {"code_revision": code_revision(), "parameters": params or {},
           "results": res.parameters, "packages": package_versions()}
    files.append(write_text(out / "real_run.json",
                            json.dumps(run, ensure_ascii=False, indent=1, default=str)))
    return files


def json_payload(res: RealResult, files: list[Path]) -> dict:
    """What ``forecast backtest --real --json`` prints."""
    return {"headline": frame_records(headline(res)), "cells": frame_records(res.cells),
            "answers": frame_records(res.answers), "paired": frame_records(res.paired),
            "parameters": res.parameters, "files": [str(f) for f in files]}
