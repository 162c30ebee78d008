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
# # Tổng kết nhiệm kỳ: kết quả so với chỉ tiêu và với dự báo · Term review
#
# Với mỗi đơn vị đã báo cáo kết quả cả nhiệm kỳ: kết quả so với chỉ tiêu, và
# so với điều công cụ đã dự báo tại các mốc trước đó, để thấy đơn vị nào làm
# bất ngờ (`docs/review.md`).
#
# For every unit that reports a result for the whole term: the result against
# its target, and against what the toolkit forecast at earlier dates, to see
# which units surprised whom (`docs/review.md`). The text below the next cells
# follows `lang`.

# %% tags=["parameters"]
term = "2020-2025"
as_of_dates = []
model = "hier_nb"
n_paths = 2000
seed = 20240601
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Tham số.** `term`: nhiệm kỳ cần tổng kết (một nhãn trong số liệu);
# `as_of_dates`: các mốc dự báo (`[]`: 30/6 và 31/12 mỗi năm trước năm cuối);
# `model`: mô hình; `n_paths`, `seed`: số đường mô phỏng và hạt giống; `lang`:
# `"vi"` hoặc `"en"`; `output_dir`: nơi ghi kết quả (`""`:
# `reports/notebooks/`); `data`: bộ số liệu khác (`None`: số liệu kèm theo).
#
# **Parameters.** `term`: the term to review (a label of the data);
# `as_of_dates`: the forecast dates (`[]`: 30 June and 31 December of every
# year before the last); `model`; `n_paths`, `seed`: simulation paths and
# seed; `lang`: `"vi"` or `"en"`; `output_dir`: where results go (`""`:
# `reports/notebooks/`); `data`: another dataset (`None`: the shipped data).

# %%
from forecast.data.terms import check_term
from forecast.notebooks import api, show
from forecast.outlook.review import review_text_table, term_review
from forecast.records import frame_records

ctx = api.start("05_term_review.ipynb", term=term, as_of_dates=as_of_dates, model=model,
                n_paths=n_paths, seed=seed, lang=lang, output_dir=output_dir, data=data)
label = check_term(ctx.dataset, term, "term")
ctx

# %%
review = term_review(ctx.dataset, label, as_of_dates or None, model=model,
                     assumptions=ctx.assumptions)
if review.empty:
    display(show.say("05.none", lang, term=label))
show.say("05.review", lang)

# %%
review_text_table(review, lang)

# %%
show.say("results", lang)

# %%
api.finish(ctx, {"term": label, "records": frame_records(review)});
