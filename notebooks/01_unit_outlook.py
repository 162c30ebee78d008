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
# to this date (`"2022-12-31"`, `"31/12/2022"`, `"2022-12"` or `"2022"`), `None`
# for all; `model`: `pooled_nb`, `ets`,
# `local_level`, `last_year` or `mean_attainment`; `scenarios`: `last`,
# `mean`, `trend`, `full`, yearly attainments such as `"90%,100%"`,
# admissions per year such as `"1200/năm"` or `"1200,1300,1400"`, or a scenario
# file `"plan.csv"` (columns `unit_id, scenario, year, count` or `attainment`);
# `n_paths`, `seed`: Monte Carlo paths and seed; `lang`: `"vi"` or `"en"`;
# `output_dir`: where figures and results go (`""`: `reports/notebooks/`);
# `data`: another dataset (`None`: the shipped data).
#
# The next cell checks every parameter before anything runs, and loads the data.

# %%
from forecast.notebooks import api, views, widgets

ctx = api.start("01_unit_outlook.ipynb", unit_id=unit_id, term=term, as_of=as_of,
                model=model, scenarios=scenarios, n_paths=n_paths, seed=seed,
                lang=lang, output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## Explore
#
# In JupyterLab, the dropdowns below change the unit, the as-of date, the
# model, the scenarios and the language, and every section below is drawn
# again. Under papermill and in the batch there are no dropdowns: the cell of
# parameters decides.

# %%
ui = widgets.Explorer(ctx)
ui

# %% [markdown]
# ## History
#
# Every figure reported for the unit up to the as-of date, with its source and
# where in the source it stands. Counts are admissions unless `measure` says
# otherwise; `corrected_from` shows a declared correction.

# %%
ui.section(views.history)

# %%
ui.section(views.yearly)

# %% [markdown]
# ## Progress and forecast
#
# One row per target and scenario. `cumulative` is what was admitted in the
# target's window by the last figure; `label` is the official-style pace label;
# `p_reach` is the chance of reaching the target by its deadline;
# `final_q10`–`final_q90` the 80 % range of the final count.

# %%
ui.section(views.unit_outlook)

# %%
ui.section(views.progress)

# %% [markdown]
# ## Scenarios
#
# Each scenario fixes the future yearly attainment of the target (`last`: as in
# the last whole year; `trend`: the straight line through the years; `full`:
# 100 %; `count:1200`: 1,200 admissions a year, that is 1,200 divided by the
# year's target). The `-deterministic` rows are the scenario without
# year-to-year noise.

# %%
ui.section(views.scenarios)

# %% [markdown]
# ## What it would take
#
# The yearly attainment (`required_attainment`) and admissions per year
# (`required_per_year_p`) that give the target a chance of at least
# `p_level` (assumption A6), and the candidates to train and to introduce for
# them at the conversion rates of assumption A5.

# %%
ui.section(views.requirements)

# %%
ui.section(views.pipeline)

# %% [markdown]
# ## Within the year
#
# When the unit reported part of a year, the reported counts against the usual
# within-year profile (the share of a year's admissions reached by each month).

# %%
ui.section(views.part_year)

# %% [markdown]
# ## Results
#
# The outlook rows, the scenario table and the figure files, written as JSON
# beside the executed notebook (the batch collects them into one table).
# `api.compare(ctx, scenarios=["last", "full"], files=["compare.xlsx",
# "compare.tex"])` writes the same comparison table as `forecast compare`.

# %%
api.finish(ctx, views.unit_results(ctx));
