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
# # Backtest: how good were the forecasts?
#
# Forecasts made at past dates from the figures known then, scored on what
# came after (rolling origin), for each model and for the official pace label
# read as a forecast; then the same scoring on synthetic units whose truth is
# known (the simulation study). Scores: Brier (lower is better) with its
# decomposition, log score, how often the 50 % and 80 % ranges held the
# outcome (`coverage_50`, `coverage_80`), and the interval score. Method:
# `docs/engine.md`; full runs: `forecast backtest`.
#
# The defaults are small so the notebook runs in about a minute; raise
# `n_paths`, `synthetic_units` and `n_boot` for a report.

# %% tags=["parameters"]
models = ["pooled_nb"]
n_paths = 200
seed = 1
synthetic_units = 10
n_boot = 200
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Parameters.** `models`: any of `pooled_nb`, `ets`, `local_level`,
# `last_year`, `mean_attainment`; `n_paths`: Monte Carlo paths per forecast;
# `seed`: seed of the engine, the synthetic world and the bootstrap;
# `synthetic_units`: units in the simulation study (0 skips it); `n_boot`:
# bootstrap replicates for the score intervals (resampling years); `lang`:
# accepted so one batch can set it for every notebook (the tables here use
# the column names); `output_dir`: where results go (`""`:
# `reports/notebooks/`); `data`: another dataset (`None`: the shipped data).

# %%
from forecast.notebooks import api
from forecast.evaluate.backtest import backtest, combine, simulation_study

ctx = api.start("04_backtest.ipynb", models=models, n_paths=n_paths, seed=seed,
                         synthetic_units=synthetic_units, n_boot=n_boot, lang=lang,
                         output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## Past data
#
# Every target whose outcome the data tells, forecast from each earlier
# report date. `n` is the number of forecasts scored; with few targets the
# bootstrap ranges (`_lo`, `_hi`) are wide.

# %%
public = backtest(ctx.dataset, tuple(models), assumptions=ctx.assumptions, n_boot=n_boot,
                  seed=seed)
score_columns = ["dataset", "model", "subset", "n", "brier", "brier_lo", "brier_hi",
                 "log_score", "coverage_50", "coverage_80", "interval_score"]
public.scores[score_columns].round(3)

# %% [markdown]
# ## Simulation study
#
# The same scores on synthetic units drawn from a known process
# (`forecast.evaluate.synthetic`): here a well-calibrated model has a Brier score
# near its reliability-free minimum and coverage near 50 % and 80 %.

# %%
runs = [public]
if synthetic_units:
    runs.append(simulation_study(synthetic_units, seed, tuple(models),
                                 assumptions=ctx.assumptions, n_boot=n_boot))
result = combine(*runs)
result.scores.query("subset == 'all'")[score_columns].round(3)

# %% [markdown]
# ## Reliability
#
# Forecasts grouped by their probability: in a reliable model the share of
# targets reached (`observed_freq`) is close to the mean forecast (`mean_p`)
# in every bin.

# %%
result.reliability.query("n > 0").round(3)

# %% [markdown]
# Engine calls that failed (a model that cannot be fitted at an early date):

# %%
result.failures

# %% [markdown]
# ## Results
#
# The scores, the reliability table and the failures, written as JSON beside
# the executed notebook.

# %%
api.finish(ctx, {
    "records": result.scores,
    "reliability": result.reliability,
    "failures": result.failures,
    "backtest_parameters": result.parameters,
});
