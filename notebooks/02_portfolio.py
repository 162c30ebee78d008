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
# show; `as_of`: use only figures reported up to this date (`"2022-12-31"` or
# `"31/12/2022"`; `None`: all);
# `model`: `pooled_nb`, `ets`, `local_level`, `last_year` or
# `mean_attainment`; `n_paths`, `seed`: Monte Carlo paths and seed; `lang`:
# `"vi"` or `"en"`; `output_dir`: where figures and results go (`""`:
# `reports/notebooks/`); `data`: another dataset (`None`: the shipped data).

# %%
from forecast.notebooks import api, views, widgets

ctx = api.start("02_portfolio.ipynb", parent_id=parent_id, as_of=as_of, model=model,
                n_paths=n_paths, seed=seed, lang=lang, output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## Explore
#
# In JupyterLab, the dropdowns below change the parent unit of the small
# multiples, the as-of date, the model and the language, and every section
# below is drawn again. Under papermill and in the batch the cell of
# parameters decides.

# %%
ui = widgets.Explorer(ctx)
ui

# %% [markdown]
# ## The outlook of every unit
#
# The model's forecast for every unit and target (no scenario, and no search
# for what it would take: the unit notebook does that for one unit). A unit
# labelled `no data` has a target but no admission count inside its window
# yet; its chance comes from the model alone.

# %%
ui.section(views.portfolio_outlook)

# %% [markdown]
# ## Who is on track
#
# Units per pace label (term targets), with the median chance of reaching
# the target among them.

# %%
ui.section(views.by_label)

# %%
ui.section(views.portfolio_chart)

# %%
ui.section(views.pace_chart)

# %% [markdown]
# ## The units below one parent
#
# Each panel is one unit's admissions and forecast as a share of its own
# term target, so units of different sizes read on the same axis.

# %%
ui.section(views.children_chart)

# %% [markdown]
# ## Results
#
# The ranking and every outlook row, written as JSON beside the executed
# notebook.

# %%
api.finish(ctx, views.portfolio_results(ctx));
