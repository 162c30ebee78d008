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
# # Kiểm định lại: các dự báo trước đây tốt đến đâu? · Backtest: how good were the forecasts?
#
# Dự báo lập tại các ngày trong quá khứ từ số liệu đã biết khi đó, chấm điểm theo
# những gì xảy ra sau đó, cho từng mô hình và cho cách xếp loại tiến độ thông
# thường coi như một dự báo; rồi chấm như vậy trên các đơn vị giả lập biết trước
# kết quả. Điểm: Brier (càng thấp càng tốt), điểm log, tần suất khoảng 50 % và
# 80 % chứa kết quả, điểm khoảng. Phương pháp: `docs/engine.md`; chạy đầy đủ:
# `forecast backtest`. Mặc định nhỏ để sổ tay chạy trong khoảng một phút.
#
# Forecasts made at past dates from the figures known then, scored on what
# came after (rolling origin), for each model and for the official pace label
# read as a forecast; then the same scoring on synthetic units whose truth is
# known (the simulation study). Scores: Brier (lower is better), log score,
# how often the 50 % and 80 % ranges held the outcome, and the interval
# score. Method: `docs/engine.md`; full runs: `forecast backtest`. The
# defaults are small so the notebook runs in about a minute; raise `n_paths`,
# `synthetic_units` and `n_boot` for a report. The text below the next cells
# follows `lang`.

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
# **Tham số.** `models`: các mô hình `pooled_nb`, `ets`, `local_level`,
# `last_year`, `mean_attainment`; `n_paths`: số đường mô phỏng mỗi dự báo;
# `seed`: hạt giống của mô hình, của thế giới giả lập và của bootstrap;
# `synthetic_units`: số đơn vị giả lập (0: bỏ qua); `n_boot`: số lần lặp
# bootstrap; `lang`: `"vi"` hoặc `"en"`; `output_dir`: nơi ghi kết quả (`""`:
# `reports/notebooks/`); `data`: bộ số liệu khác (`None`: số liệu kèm theo).
#
# **Parameters.** `models`: any of `pooled_nb`, `ets`, `local_level`,
# `last_year`, `mean_attainment`; `n_paths`: Monte Carlo paths per forecast;
# `seed`: seed of the engine, the synthetic world and the bootstrap;
# `synthetic_units`: units in the simulation study (0 skips it); `n_boot`:
# bootstrap replicates for the score intervals (resampling years); `lang`:
# `"vi"` or `"en"`; `output_dir`: where results go (`""`:
# `reports/notebooks/`); `data`: another dataset (`None`: the shipped data).

# %%
from forecast.evaluate.backtest import backtest, combine, simulation_study
from forecast.notebooks import api, show

ctx = api.start("04_backtest.ipynb", models=models, n_paths=n_paths, seed=seed,
                         synthetic_units=synthetic_units, n_boot=n_boot, lang=lang,
                         output_dir=output_dir, data=data)
ctx

# %%
show.say("04.public", lang)

# %%
public = backtest(ctx.dataset, tuple(models), assumptions=ctx.assumptions, n_boot=n_boot,
                  seed=seed)
score_columns = ["dataset", "model", "subset", "n", "brier", "brier_lo", "brier_hi",
                 "log_score", "coverage_50", "coverage_80", "interval_score"]
show.table(public.scores, lang, score_columns)

# %%
show.say("04.synthetic", lang)

# %%
runs = [public]
if synthetic_units:
    runs.append(simulation_study(synthetic_units, seed, tuple(models),
                                 assumptions=ctx.assumptions, n_boot=n_boot))
result = combine(*runs)
show.table(result.scores.query("subset == 'all'"), lang, score_columns)

# %%
show.say("04.reliability", lang)

# %%
show.table(result.reliability.query("n > 0"), lang)

# %%
show.say("04.failures", lang)

# %%
show.table(result.failures, lang)

# %%
show.say("results", lang)

# %%
api.finish(ctx, {
    "records": result.scores,
    "reliability": result.reliability,
    "failures": result.failures,
    "backtest_parameters": result.parameters,
});
