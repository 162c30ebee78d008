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
# # Đối chiếu số liệu: các số cho thấy gì và chỗ nào không khớp · Data audit
#
# Trước khi dự báo, đọc các nguồn đối chiếu với nhau: chỉ tiêu suy ra từ số kết
# nạp và tỷ lệ in kèm, tỷ lệ không khớp với số, cùng một số liệu báo cáo khác
# nhau, phần lớn hơn tổng, chỉ tiêu năm so với chỉ tiêu nhiệm kỳ; rồi căn cứ của
# nhịp kết nạp trong năm. Kết quả đối chiếu là thông tin cho người phân tích,
# không phải lỗi (quy tắc và ví dụ: `docs/audit.md`, `docs/profile.md`).
#
# Before forecasting, read what the sources say against each other: the
# targets implied by a count and its printed percentage, percentages that do
# not match their counts, reports of one figure that disagree, parts larger
# than their whole, and annual targets set against the term target. Then the
# evidence for the within-year profile. Findings are information for the
# analyst, not errors. The text below the next cells follows `lang`.

# %% tags=["parameters"]
unit_ids = []
tolerance = 0.01
rule = "either"
profile_unit = "krong-bong"
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Tham số.** `unit_ids`: chỉ các đơn vị này (`[]`: mọi đơn vị); `tolerance`:
# hai số coi là khớp khi chênh nhau không quá tỷ lệ này của số lớn hơn; `rule`:
# tỷ lệ in ra có thể đã được rút gọn thế nào (`"either"`, `"round"`,
# `"truncate"`); `profile_unit`: đơn vị có số một phần năm được vẽ so với nhịp
# trong năm; `lang`: `"vi"` hoặc `"en"`; `output_dir`: nơi ghi biểu đồ và kết
# quả (`""`: `reports/notebooks/`); `data`: bộ số liệu khác (`None`: số liệu kèm
# theo).
#
# **Parameters.** `unit_ids`: only these units' findings (`[]`: every unit);
# `tolerance`: two counts agree when they differ by at most this share of the
# larger; `rule`: how printed percentages may have been shortened
# (`"either"`, `"round"`, `"truncate"`); `profile_unit`: the unit whose
# part-year figures are drawn against the profile; `lang`: `"vi"` or `"en"`;
# `output_dir`: where figures and results go (`""`: `reports/notebooks/`);
# `data`: another dataset (`None`: the shipped data).

# %%
from forecast import figures
from forecast.audit.run import audit, findings_records
from forecast.brief.findings import findings_lines
from forecast.brief.units import part_year_points
from forecast.labels import fmt_pct
from forecast.models.profile_estimate import estimate_profile
from forecast.notebooks import api, show

ctx = api.start("03_data_audit.ipynb", unit_ids=unit_ids, tolerance=tolerance,
                         rule=rule, profile_unit=profile_unit, lang=lang,
                         output_dir=output_dir, data=data)
ctx

# %%
show.say("03.kinds", lang)

# %%
findings = audit(ctx.dataset, tolerance=tolerance, rule=rule)
if unit_ids:
    findings = findings[findings["unit_id"].isin(unit_ids)].reset_index(drop=True)
show.table(findings.groupby(["kind", "severity"]).size().rename("n").reset_index(), lang)

# %%
show.say("03.implied", lang)

# %%
implied = findings[findings["kind"].isin(["implied_target", "implied_target_group"])]
implied = implied.assign(explanation=findings_lines(implied, lang, ctx.dataset))
show.table(implied, lang, ["name", "period", "reported", "implied", "implied_low",
                           "implied_high", "explanation"])

# %%
show.say("03.warnings", lang)

# %%
show.lines(findings_lines(findings[findings["severity"] == "warning"], lang, ctx.dataset))

# %%
show.say("03.profile", lang)

# %%
profile = estimate_profile(ctx.dataset, ctx.assumptions)
display(show.say("03.profile_line", lang, n=len(profile.evidence),
                 june=fmt_pct(100 * profile.shares[5], lang, 0),
                 sept=fmt_pct(100 * profile.shares[8], lang, 0)))
show.table(profile.evidence, lang, ["unit_id", "year", "cutoff", "t", "count", "denominator",
                                    "share", "exponent", "weight"])

# %%
points = part_year_points(ctx.dataset, profile_unit)
if points is None:
    display(show.say("no_part_year", lang, unit=ctx.unit_name(profile_unit)))
else:
    ctx.figure("profile", figures.part_year_nowcast, points[1], year=points[0],
               unit_name=ctx.unit_name(profile_unit), profile=profile.shares,
               source_line=ctx.source_line(profile_unit), lang=lang)

# %%
show.say("results", lang)

# %%
api.finish(ctx, {
    "n_findings": int(len(findings)),
    "n_warnings": int((findings["severity"] == "warning").sum()),
    "records": findings_records(findings),
    "profile": {"shares": list(profile.shares), "exponent": profile.exponent,
                "method": profile.method, "evidence": profile.evidence},
});
