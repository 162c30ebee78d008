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
# # Triển vọng của một đơn vị · One unit's outlook
#
# Với một đơn vị: số kết nạp đã báo cáo, tiến độ so với chỉ tiêu nhiệm kỳ (và
# chỉ tiêu năm), khả năng đạt chỉ tiêu trước hạn theo mô hình đã chọn, các kịch
# bản, và cần làm gì (kết nạp, cho học lớp nhận thức, giới thiệu mỗi năm) để đạt
# với khả năng mong muốn. Đổi giá trị ở ô tiếp theo rồi chạy mọi ô; chạy hàng
# loạt (`forecast batch configs/default.yaml`) chạy sổ tay này cho từng đơn vị.
#
# For one party unit: the admissions it reported, its progress towards the
# term target (and the current annual target), the chance of reaching it by
# the deadline under the chosen model, what happens under the scenarios, and
# what it would take (admissions, trained and introduced candidates per year)
# to reach it with the agreed probability. Change a value in the next cell and
# run all cells; the batch runs this notebook once per unit. The text below
# the next cells follows `lang`.

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
# **Tham số.** `unit_id`: một đơn vị trong `data/units.csv`; `term`:
# `"2020-2025"` hoặc `None` cho mọi nhiệm kỳ; `as_of`: chỉ dùng số liệu đến ngày
# này (ngày ISO), `None` cho tất cả; `model`: `pooled_nb`, `ets`, `local_level`,
# `last_year` hoặc `mean_attainment`; `scenarios`: `last`, `mean`, `trend`,
# `full` hoặc tỷ lệ đạt từng năm như `"90%,100%"`; `n_paths`, `seed`: số đường
# mô phỏng và hạt giống; `lang`: `"vi"` hoặc `"en"`; `output_dir`: nơi ghi biểu
# đồ và kết quả (`""`: `reports/notebooks/`); `data`: bộ số liệu khác (`None`:
# số liệu kèm theo).
#
# **Parameters.** `unit_id`: a unit of `data/units.csv`; `term`: `"2020-2025"`
# or `None` for every term of the unit; `as_of`: use only figures reported up
# to this date (ISO date), `None` for all; `model`: `pooled_nb`, `ets`,
# `local_level`, `last_year` or `mean_attainment`; `scenarios`: `last`,
# `mean`, `trend`, `full` or yearly attainments such as `"90%,100%"`;
# `n_paths`, `seed`: Monte Carlo paths and seed; `lang`: `"vi"` or `"en"`;
# `output_dir`: where figures and results go (`""`: `reports/notebooks/`);
# `data`: another dataset (`None`: the shipped data). The next cell checks
# every parameter before anything runs, and loads the data.

# %%
from forecast import figures
from forecast.brief.explain import prior_note, why_headline
from forecast.brief.units import part_year_points, primary_row, yearly_table
from forecast.notebooks import api, show
from forecast.outlook.table import outlook

ctx = api.start("01_unit_outlook.ipynb", unit_id=unit_id, term=term, as_of=as_of,
                         model=model, scenarios=scenarios, n_paths=n_paths, seed=seed,
                         lang=lang, output_dir=output_dir, data=data)
ctx

# %%
show.say("01.history", lang)

# %%
history = ctx.dataset.observations_until(ctx.as_of).query("unit_id == @unit_id")
show.table(history, lang, ["measure", "subgroup", "value_text", "period_start", "period_end",
                           "source_id", "locator", "corrected_from"])

# %%
yearly = yearly_table(ctx.dataset, unit_id, 1900, 2100, ctx.as_of)
ctx.figure("yearly", figures.yearly_admissions, yearly, unit_name=ctx.unit_name(unit_id),
           source_line=ctx.source_line(unit_id), lang=lang);

# %%
show.say("01.outlook", lang)

# %%
result = outlook(ctx.dataset, as_of=ctx.as_of, model=model, scenarios=scenarios,
                 assumptions=ctx.assumptions, units=[unit_id])
table = result.table if term is None else result.table.query("term == @term")
if table.empty:
    display(show.say("no_target", lang, unit=ctx.unit_name(unit_id)))
show.table(table, lang, ["target_kind", "term", "target", "cumulative", "label", "scenario",
                         "p_reach", "final_q10", "final_q50", "final_q90", "reach_date_q50"])

# %%
# Why the headline chance is what it is, when the pace label or the scenarios
# seem to say otherwise (the same sentence as in the brief).
main = None if table.empty else primary_row(table, unit_id)
why = None if main is None else (prior_note(main, lang) or why_headline(
    main, table[table["target_id"] == main["target_id"]], lang,
    profile=getattr(result.fitted.get(model), "profile", None),
    p_level=ctx.assumptions.p_level))
show.lines([why]) if why else None

# %%
ctx.figure("progress", figures.progress_to_target, result, unit_id, lang=lang,
           source_line=ctx.source_line(unit_id), target_id=api.main_target_id(table));

# %%
show.say("01.scenarios", lang)

# %%
scenario_table = table[["target_id", "scenario", "p_reach", "final_q10", "final_q50",
                        "final_q90", "reach_date_q50"]]
show.table(scenario_table, lang)

# %%
show.say("01.take", lang)

# %%
show.table(table.query("scenario == 'model'"), lang,
           ["target_kind", "term", "required_attainment", "required_per_year_p",
            "trained_needed", "introduced_needed"])

# %%
ctx.figure("pipeline", figures.pipeline, table, unit_id, source_line=ctx.source_line(unit_id),
           lang=lang, p_level=ctx.assumptions.p_level);

# %%
show.say("01.part_year", lang)

# %%
points = part_year_points(ctx.dataset, unit_id, ctx.as_of)
if points is None:
    display(show.say("no_part_year", lang, unit=ctx.unit_name(unit_id)))
else:
    ctx.figure("part_year", figures.part_year_nowcast, points[1], year=points[0],
               unit_name=ctx.unit_name(unit_id), source_line=ctx.source_line(unit_id), lang=lang)

# %%
show.say("results", lang)

# %%
api.finish(ctx, {
    "unit_id": unit_id,
    "p_reach": api.headline_p_reach(table),
    "records": api.records(table),
    "scenario_table": scenario_table,
});
