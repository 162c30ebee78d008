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
# # Portfolio: which units are on track for their term targets?
#
# Every unit with a term target, ranked by its chance of reaching it
# (`p_reach`) under the chosen model, with the official-style pace label
# beside it; then the observed pace against the pace each target requires,
# and the units below one parent (a province's districts, a bloc's units)
# side by side on a common scale. The batch runs this notebook once (it has
# no `unit_id`).

# %% tags=["parameters"]
parent_id = "bac-lieu"
as_of = None
model = "pooled_nb"
n_paths = 2000
seed = 20251
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Parameters.** `parent_id`: the unit whose children the small multiples
# show; `as_of`: use only figures reported up to this ISO date (`None`: all);
# `model`: `pooled_nb`, `ets`, `local_level`, `last_year` or
# `mean_attainment`; `n_paths`, `seed`: Monte Carlo paths and seed; `lang`:
# `"vi"` or `"en"`; `output_dir`: where figures and results go (`""`:
# `reports/notebooks/`); `data`: another dataset (`None`: the shipped data).

# %%
from forecast import figures
from forecast.notebooks import api
from forecast.outlook.table import outlook

ctx = api.start("02_portfolio.ipynb", parent_id=parent_id, as_of=as_of, model=model,
                         n_paths=n_paths, seed=seed, lang=lang, output_dir=output_dir,
                         data=data)
ctx

# %% [markdown]
# ## The outlook of every unit
#
# The model's forecast for every unit and target (no scenario, and no search
# for what it would take: the unit notebook does that for one unit). A unit
# labelled `no data` has a target but no admission count inside its window
# yet; its chance comes from the model alone.

# %%
result = outlook(ctx.dataset, as_of=ctx.as_of, model=model, assumptions=ctx.assumptions,
                 requirements=False)
ranking = api.ranking(result.table)
ranking

# %% [markdown]
# ## Who is on track
#
# Units per pace label (term targets), with the median chance of reaching
# the target among them.

# %%
ranking.groupby("label")["p_reach"].agg(["count", "median"]).round(2)

# %%
src = ctx.source_line(ranking["unit_id"].tolist())
ctx.figure("portfolio", figures.portfolio, result.table, source_line=src, lang=lang, model=model);

# %%
ctx.figure("pace", figures.pace_dumbbell, result.table.query("scenario == 'model'"),
           source_line=src, lang=lang, model=model);

# %% [markdown]
# ## The units below one parent
#
# Each panel is one unit's admissions and forecast as a share of its own
# term target, so units of different sizes read on the same axis.

# %%
ctx.figure("children", figures.small_multiples, result, parent_id, lang=lang, model=model,
           parent_name=ctx.unit_name(parent_id),
           source_line=ctx.source_line(ctx.dataset.children(parent_id)));

# %% [markdown]
# ## Results
#
# The ranking and every outlook row, written as JSON beside the executed
# notebook.

# %%
api.finish(ctx, {
    "n_units": int(ranking["unit_id"].nunique()),
    "ranking": ranking,
    "records": api.records(result.table),
});
