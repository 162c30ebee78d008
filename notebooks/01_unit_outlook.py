# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3.11 (forecast)
#     language: python
#     name: forecast
# ---

# %% [markdown]
# # One unit's outlook: will it reach its term target?
#
# For one party unit: the admissions it reported, its progress towards the
# term target (and the current annual target), the chance of reaching it by
# the deadline under the chosen model, what happens under the scenarios, and
# what it would take (admissions, trained and introduced candidates per year)
# to reach it with the agreed probability. Change a value in the next cell and
# run all cells; the batch (`forecast batch configs/default.yaml`) runs this
# notebook once per unit.

# %% tags=["parameters"]
unit_id = "tien-giang"
term = None
as_of = None
model = "pooled_nb"
scenarios = ["last", "trend", "full"]
n_paths = 10000
seed = 20251
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Parameters.** `unit_id`: a unit of `data/units.csv`; `term`: `"2020-2025"`
# or `None` for every term of the unit; `as_of`: use only figures reported up
# to this date (ISO date), `None` for all; `model`: `pooled_nb`, `ets`,
# `local_level`, `last_year` or `mean_attainment`; `scenarios`: `last`,
# `mean`, `trend`, `full` or yearly attainments such as `"90%,100%"`;
# `n_paths`, `seed`: Monte Carlo paths and seed; `lang`: `"vi"` or `"en"`;
# `output_dir`: where figures and results go (`""`: `reports/notebooks/`);
# `data`: another dataset (`None`: the shipped data).
#
# The next cell checks every parameter before anything runs, and loads the data.

# %%
from forecast import figures
from forecast.notebooks import api
from forecast.brief.units import part_year_points, yearly_table
from forecast.outlook.table import outlook

ctx = api.start("01_unit_outlook.ipynb", unit_id=unit_id, term=term, as_of=as_of,
                         model=model, scenarios=scenarios, n_paths=n_paths, seed=seed,
                         lang=lang, output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## History
#
# Every figure reported for the unit up to the as-of date, with its source and
# where in the source it stands. Counts are admissions unless `measure` says
# otherwise; `corrected_from` shows a declared correction.

# %%
history = ctx.dataset.observations_until(ctx.as_of).query("unit_id == @unit_id")
history[["measure", "subgroup", "value_text", "period_start", "period_end", "source_id",
         "locator", "corrected_from"]]

# %%
yearly = yearly_table(ctx.dataset, unit_id, 1900, 2100, ctx.as_of)
ctx.figure("yearly", figures.yearly_admissions, yearly, unit_name=ctx.unit_name(unit_id),
           source_line=ctx.source_line(unit_id), lang=lang);

# %% [markdown]
# ## Progress and forecast
#
# One row per target and scenario. `cumulative` is what was admitted in the
# target's window by the last figure; `label` is the official-style pace label;
# `p_reach` is the chance of reaching the target by its deadline;
# `final_q10`–`final_q90` the 80 % range of the final count.

# %%
result = outlook(ctx.dataset, as_of=ctx.as_of, model=model, scenarios=scenarios,
                 assumptions=ctx.assumptions, units=[unit_id])
table = result.table if term is None else result.table.query("term == @term")
if table.empty:
    print(f"{ctx.unit_name(unit_id)}: no target with a reported admission count, "
          "so nothing to forecast.")
table[["target_kind", "term", "target", "cumulative", "label", "scenario", "p_reach",
       "final_q10", "final_q50", "final_q90", "reach_date_q50"]].round(2)

# %%
ctx.figure("progress", figures.progress_to_target, result, unit_id, lang=lang,
           source_line=ctx.source_line(unit_id), target_id=api.main_target_id(table));

# %% [markdown]
# ## Scenarios
#
# Each scenario fixes the future yearly attainment of the target (`last`: as in
# the last whole year; `trend`: the straight line through the years; `full`:
# 100 %). The `-deterministic` rows are the scenario without year-to-year noise.

# %%
scenario_table = table[["target_id", "scenario", "p_reach", "final_q10", "final_q50",
                        "final_q90", "reach_date_q50"]].round(3)
scenario_table

# %% [markdown]
# ## What it would take
#
# The yearly attainment (`required_attainment`) and admissions per year
# (`required_per_year_p`) that give the target a chance of at least
# `p_level` (assumption A6), and the candidates to train and to introduce for
# them at the conversion rates of assumption A5.

# %%
table.query("scenario == 'model'")[["target_kind", "term", "required_attainment",
                                    "required_per_year_p", "trained_needed",
                                    "introduced_needed"]].round(1)

# %%
ctx.figure("pipeline", figures.pipeline, table, unit_id, source_line=ctx.source_line(unit_id),
           lang=lang, p_level=ctx.assumptions.p_level);

# %% [markdown]
# ## Within the year
#
# When the unit reported part of a year, the reported counts against the usual
# within-year profile (the share of a year's admissions reached by each month).

# %%
points = part_year_points(ctx.dataset, unit_id, ctx.as_of)
if points is None:
    print("No part-year admissions with an annual target for this unit.")
else:
    ctx.figure("part_year", figures.part_year_nowcast, points[1], year=points[0],
               unit_name=ctx.unit_name(unit_id), source_line=ctx.source_line(unit_id), lang=lang)

# %% [markdown]
# ## Results
#
# The outlook rows, the scenario table and the figure files, written as JSON
# beside the executed notebook (the batch collects them into one table).

# %%
api.finish(ctx, {
    "unit_id": unit_id,
    "p_reach": api.headline_p_reach(table),
    "records": api.records(table),
    "scenario_table": scenario_table,
});
