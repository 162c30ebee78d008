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
model = "hier_nb"
n_paths = 2000
seed = 20251
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Tham số.** `parent_id`: đơn vị có các đơn vị trực thuộc được vẽ cạnh nhau;
# `as_of`: chỉ dùng số liệu đến ngày này (`"2022-12-31"` hoặc `"31/12/2022"`;
# `None`: tất cả); `model`: `hier_nb` (mặc định), `pooled_nb`, `ets`,
# `local_level`, `last_year` hoặc `mean_attainment`; `n_paths`, `seed`: số
# đường mô phỏng và hạt giống; `lang`: `"vi"` hoặc `"en"`; `output_dir`: nơi
# ghi biểu đồ và kết quả (`""`: `reports/notebooks/`); `data`: bộ số liệu khác
# (`None`: số liệu kèm theo).
#
# **Parameters.** `parent_id`: the unit whose children the small multiples
# show; `as_of`: use only figures reported up to this date (`"2022-12-31"` or
# `"31/12/2022"`; `None`: all); `model`: `hier_nb` (the default), `pooled_nb`,
# `ets`, `local_level`, `last_year` or `mean_attainment`; `n_paths`, `seed`:
# Monte Carlo paths and seed; `lang`: `"vi"` or `"en"`; `output_dir`: where
# figures and results go (`""`: `reports/notebooks/`); `data`: another dataset
# (`None`: the shipped data).

# %%
from forecast.notebooks import api, views, widgets

ctx = api.start("02_portfolio.ipynb", parent_id=parent_id, as_of=as_of, model=model,
                n_paths=n_paths, seed=seed, lang=lang, output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## Khám phá · Explore
#
# Trong JupyterLab, các danh sách chọn dưới đây đổi đơn vị cấp trên của các ô
# nhỏ, ngày tính, mô hình và ngôn ngữ, và mọi phần bên dưới được vẽ lại (cả lời
# và bảng). Khi chạy bằng papermill hay chạy hàng loạt, ô tham số quyết định.
#
# In JupyterLab, the dropdowns below change the parent unit of the small
# multiples, the as-of date, the model and the language, and every section
# below is drawn again (its text and tables too). Under papermill and in the
# batch the cell of parameters decides.

# %%
ui = widgets.Explorer(ctx)
ui

# %%
ui.section(views.text("02.outlook"))

# %%
ui.section(views.portfolio_outlook)

# %%
ui.section(views.text("02.labels"))

# %%
ui.section(views.by_label)

# %%
ui.section(views.portfolio_chart)

# %%
ui.section(views.pace_chart)

# %%
ui.section(views.text("02.children"))

# %%
ui.section(views.children_chart)

# %%
ui.section(views.text("results"))

# %%
api.finish(ctx, views.portfolio_results(ctx));
