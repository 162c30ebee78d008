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
model = "hier_nb"
scenarios = ["last", "trend", "full"]
n_paths = 10000
seed = 20251
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Tham số.** `unit_id`: một đơn vị trong `data/units.csv`; `term`:
# `"2020-2025"` hoặc `None` cho mọi nhiệm kỳ; `as_of`: chỉ dùng số liệu đến ngày
# này (`"2022-12-31"`, `"31/12/2022"`, `"2022-12"` hoặc `"2022"`), `None` cho
# tất cả; `model`: `hier_nb` (mặc định), `pooled_nb`, `ets`, `local_level`,
# `last_year` hoặc `mean_attainment`; `scenarios`: `last`, `mean`, `trend`,
# `full`, tỷ lệ đạt từng năm như `"90%,100%"`, số kết nạp mỗi năm như
# `"1200/năm"` hoặc `"1200,1300,1400"`, hoặc một tệp kịch bản `"plan.csv"` (cột
# `unit_id, scenario, year, count` hoặc `attainment`); `n_paths`, `seed`: số
# đường mô phỏng và hạt giống; `lang`: `"vi"` hoặc `"en"`; `output_dir`: nơi ghi
# biểu đồ và kết quả (`""`: `reports/notebooks/`); `data`: bộ số liệu khác
# (`None`: số liệu kèm theo).
#
# **Parameters.** `unit_id`: a unit of `data/units.csv`; `term`: `"2020-2025"`
# or `None` for every term of the unit; `as_of`: use only figures reported up
# to this date (`"2022-12-31"`, `"31/12/2022"`, `"2022-12"` or `"2022"`), `None`
# for all; `model`: `hier_nb` (the default), `pooled_nb`, `ets`,
# `local_level`, `last_year` or `mean_attainment`; `scenarios`: `last`,
# `mean`, `trend`, `full`, yearly attainments such as `"90%,100%"`,
# admissions per year such as `"1200/năm"` or `"1200,1300,1400"`, or a scenario
# file `"plan.csv"` (columns `unit_id, scenario, year, count` or `attainment`);
# `n_paths`, `seed`: Monte Carlo paths and seed; `lang`: `"vi"` or `"en"`;
# `output_dir`: where figures and results go (`""`: `reports/notebooks/`);
# `data`: another dataset (`None`: the shipped data).
#
# Ô tiếp theo kiểm tra mọi tham số trước khi chạy, và nạp số liệu. The next
# cell checks every parameter before anything runs, and loads the data.

# %%
from forecast.notebooks import api, views, widgets

ctx = api.start("01_unit_outlook.ipynb", unit_id=unit_id, term=term, as_of=as_of,
                model=model, scenarios=scenarios, n_paths=n_paths, seed=seed,
                lang=lang, output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## Khám phá · Explore
#
# Trong JupyterLab, các danh sách chọn dưới đây đổi đơn vị, ngày tính, mô hình,
# kịch bản và ngôn ngữ, và mọi phần bên dưới được vẽ lại (cả lời và bảng). Khi
# chạy bằng papermill hay chạy hàng loạt không có danh sách chọn: ô tham số
# quyết định.
#
# In JupyterLab, the dropdowns below change the unit, the as-of date, the
# model, the scenarios and the language, and every section below is drawn
# again (its text and tables too). Under papermill and in the batch there are
# no dropdowns: the cell of parameters decides.

# %%
ui = widgets.Explorer(ctx)
ui

# %%
ui.section(views.text("01.history"))

# %%
ui.section(views.history)

# %%
ui.section(views.yearly)

# %%
ui.section(views.text("01.outlook"))

# %%
ui.section(views.unit_outlook)

# %%
ui.section(views.why)

# %%
ui.section(views.progress)

# %%
ui.section(views.text("01.scenarios"))

# %%
ui.section(views.scenarios)

# %%
ui.section(views.text("01.take"))

# %%
ui.section(views.requirements)

# %%
ui.section(views.pipeline)

# %%
ui.section(views.text("01.part_year"))

# %%
ui.section(views.part_year)

# %%
ui.section(views.text("results"))

# %% [markdown]
# `api.compare(ctx, scenarios=["last", "full"], files=["compare.xlsx",
# "compare.tex"])` ghi cùng bảng so sánh như lệnh `forecast compare` · writes
# the same comparison table as `forecast compare`.

# %%
api.finish(ctx, views.unit_results(ctx));
