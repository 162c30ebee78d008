"""Roll-up rows of the outlook: a parent's chance from its children's paths.

For every outlook row of a unit that has children in the dataset, the
children are simulated over the *parent's* target window with the same
fitted model and streams (path ``i`` is one world for every unit: the same
year shocks and trend draw), their monthly paths summed path by path
(:mod:`forecast.simulate.rollup`), and

- where the children cover the parent (:func:`forecast.simulate.rollup.coverage` with
  ``require_targets``: every child has a forecast, and their targets are
  known and add up to at least 90 % of the parent's), a row with
  ``model = "rollup"``, ``scenario = "model"``;
- the parent's own reported counts set against the children's sum
  (``compare_reported``) go into the diagnostics, of the roll-up row or,
  when the children do not cover the parent, of the parent's own row with
  the reason ("roll-up not shown: ...").
"""

from __future__ import annotations

import numpy as np

from forecast.errors import ModelError
from forecast.models.progress import unit_spans
from forecast.simulate.rollup import rollup_from_dataset
from forecast.simulate.engine import Job, simulate_many

ROLLUP_MODEL = "rollup"
"""``model`` value of the roll-up rows."""


def rollup_rows(dataset, fm, prows, as_of, streams, base_columns) -> tuple[list, dict]:
    """Roll-up rows and notes for the parents among ``prows``.

    Parameters
    ----------
    dataset : Dataset
    fm : FittedModel
        The model whose paths are summed (the outlook's first model).
    prows : list of Series
        Progress rows (``progress_table``).
    as_of : Timestamp or None
    streams : Streams
    base_columns : list of str
        Outlook columns copied from the progress row.

    Returns
    -------
    rows : list of (dict, key, PathSummary)
        Roll-up rows with their ``paths`` key.
    notes : dict
        Progress-row index → diagnostics text for the parent's own rows.
    """
    rows, notes = [], {}
    targets = dataset.targets.set_index("target_id")
    parents = set(dataset.units["parent_id"].dropna())
    for i, prow in enumerate(prows):
        pid = prow["unit_id"]
        if pid not in parents or prow["target_id"] not in targets.index:
            continue
        kids = dataset.children(pid)
        start, deadline = prow["start"], prow["deadline"]
        jobs = [Job(k, float("nan"), unit_spans(dataset, k, start, deadline, as_of))
                for k in kids]
        got = simulate_many(fm, jobs, start, deadline, streams, returns="paths")
        children = {k: r for k, r in zip(kids, got) if not isinstance(r, ModelError)}
        if not children:
            notes[i] = (f"roll-up not shown: none of the {len(kids)} children in the "
                        "dataset has a forecast")
            continue
        trow = targets.loc[prow["target_id"]].copy()
        trow["target_id"] = prow["target_id"]
        trow["value"] = float(prow["target"])  # the target as a count (rate targets too)
        ru = rollup_from_dataset(dataset, trow, children, as_of, require_targets=True)
        compared = comparison_text(ru.comparison)
        if not ru.coverage.covered:
            notes[i] = "; ".join(x for x in (f"roll-up not shown: {ru.coverage.reason}",
                                             compared) if x)
            continue
        n_obs = sum(fm.data[k].n_obs for k in children if k in fm.data)
        diag = "; ".join(x for x in (ru.diagnostics, f"children's paths from {fm.name}",
                                     compared) if x)
        row = {c: prow[c] for c in base_columns if c in prow.index}
        row.update(ru.result.outlook_values())
        row.update({"model": ROLLUP_MODEL, "scenario": "model", "n_obs": n_obs,
                    "required_attainment": np.nan, "required_per_year_p": np.nan,
                    "introduced_needed": np.nan, "trained_needed": np.nan,
                    "diagnostics": diag})
        rows.append((row, (pid, prow["target_id"], ROLLUP_MODEL, "model"), ru.result.summary))
    return rows, notes


def comparison_text(comparison) -> str:
    """One phrase per parent report compared with the children's summed paths."""
    parts = []
    for r in comparison.itertuples(index=False):
        parts.append(
            f"parent reported {r.reported:,.0f} by {r.period_end.date().isoformat()}, "
            f"children's sum {r.children_q50:,.0f} (80 % range {r.children_q10:,.0f}-"
            f"{r.children_q90:,.0f}), difference {r.difference:+,.0f}")
    return "; ".join(parts)
