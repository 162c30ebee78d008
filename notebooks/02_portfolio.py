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
# # Toàn cảnh: đơn vị nào đúng tiến độ chỉ tiêu nhiệm kỳ? · Portfolio: which units are on track?
#
# Mọi đơn vị có chỉ tiêu nhiệm kỳ, xếp theo khả năng đạt chỉ tiêu theo mô hình
# đã chọn, kèm xếp loại tiến độ; rồi nhịp đã đạt so với nhịp cần, và các đơn vị
# trực thuộc một đơn vị (các huyện của một tỉnh, các đơn vị của một khối) trên
# cùng một thang. Chạy hàng loạt chạy sổ tay này một lần (không có `unit_id`).
#
# Every unit with a term target, ranked by its chance of reaching it
# (`p_reach`) under the chosen model, with the official-style pace label
# beside it; then the observed pace against the pace each target requires,
# and the units below one parent (a province's districts, a bloc's units)
# side by side on a common scale. The batch runs this notebook once (it has
# no `unit_id`). The text below the next cells follows `lang`.

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
# **Tham số.** `parent_id`: đơn vị có các đơn vị trực thuộc được vẽ cạnh nhau;
# `as_of`: chỉ dùng số liệu đến ngày ISO này (`None`: tất cả); `model`:
# `pooled_nb`, `ets`, `local_level`, `last_year` hoặc `mean_attainment`;
# `n_paths`, `seed`: số đường mô phỏng và hạt giống; `lang`: `"vi"` hoặc `"en"`;
# `output_dir`: nơi ghi biểu đồ và kết quả (`""`: `reports/notebooks/`); `data`:
# bộ số liệu khác (`None`: số liệu kèm theo).
#
# **Parameters.** `parent_id`: the unit whose children the small multiples
# show; `as_of`: use only figures reported up to this ISO date (`None`: all);
# `model`: `pooled_nb`, `ets`, `local_level`, `last_year` or
# `mean_attainment`; `n_paths`, `seed`: Monte Carlo paths and seed; `lang`:
# `"vi"` or `"en"`; `output_dir`: where figures and results go (`""`:
# `reports/notebooks/`); `data`: another dataset (`None`: the shipped data).

# %%
from forecast import figures
from forecast.notebooks import api, show
from forecast.outlook.table import outlook

ctx = api.start("02_portfolio.ipynb", parent_id=parent_id, as_of=as_of, model=model,
                         n_paths=n_paths, seed=seed, lang=lang, output_dir=output_dir,
                         data=data)
ctx

# %%
show.say("02.outlook", lang)

# %%
result = outlook(ctx.dataset, as_of=ctx.as_of, model=model, assumptions=ctx.assumptions,
                 requirements=False)
ranking = api.ranking(result.table)
show.table(ranking, lang, ["name", "term", "target", "cumulative", "label", "p_reach",
                           "final_q10", "final_q50", "final_q90"])

# %%
show.say("02.labels", lang)

# %%
by_label = ranking.groupby("label")["p_reach"].agg(n_units="count", median_p_reach="median")
show.table(by_label.reset_index(), lang)

# %%
src = ctx.source_line(ranking["unit_id"].tolist())
ctx.figure("portfolio", figures.portfolio, result.table, source_line=src, lang=lang, model=model);

# %%
ctx.figure("pace", figures.pace_dumbbell, result.table.query("scenario == 'model'"),
           source_line=src, lang=lang, model=model);

# %%
show.say("02.children", lang)

# %%
ctx.figure("children", figures.small_multiples, result, parent_id, lang=lang, model=model,
           parent_name=ctx.unit_name(parent_id),
           source_line=ctx.source_line(ctx.dataset.children(parent_id)));

# %%
show.say("results", lang)

# %%
api.finish(ctx, {
    "n_units": int(ranking["unit_id"].nunique()),
    "ranking": ranking,
    "records": api.records(result.table),
});
