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
# # Data audit: what the reported figures imply and where they disagree
#
# Before forecasting, read what the sources say against each other: the
# targets implied by a count and its printed percentage, percentages that do
# not match their counts, reports of one figure that disagree, parts larger
# than their whole, and annual targets set against the term target. Then the
# evidence for the within-year profile: how much of a year's admissions is
# usually reached by each month. Findings are information for the analyst,
# not errors (rules and worked examples: `docs/audit.md`, `docs/profile.md`).

# %% tags=["parameters"]
unit_ids = []
tolerance = 0.01
rule = "either"
profile_unit = "krong-bong"
lang = "vi"
output_dir = ""
data = None

# %% [markdown]
# **Parameters.** `unit_ids`: only these units' findings (`[]`: every unit);
# `tolerance`: two counts agree when they differ by at most this share of the
# larger; `rule`: how printed percentages may have been shortened
# (`"either"`, `"round"`, `"truncate"`); `profile_unit`: the unit whose
# part-year figures are drawn against the profile; `lang`: `"vi"` or `"en"`;
# `output_dir`: where figures and results go (`""`: `reports/notebooks/`);
# `data`: another dataset (`None`: the shipped data).

# %%
from forecast import figures
from forecast.notebooks import api
from forecast.audit.run import audit, findings_records, format_findings
from forecast.brief.units import part_year_points
from forecast.models.profile_estimate import estimate_profile

ctx = api.start("03_data_audit.ipynb", unit_ids=unit_ids, tolerance=tolerance,
                         rule=rule, profile_unit=profile_unit, lang=lang,
                         output_dir=output_dir, data=data)
ctx

# %% [markdown]
# ## Findings by kind
#
# Warnings need a look (a printed figure that cannot be right as printed);
# information rows record what the figures imply.

# %%
findings = audit(ctx.dataset, tolerance=tolerance, rule=rule)
if unit_ids:
    findings = findings[findings["unit_id"].isin(unit_ids)].reset_index(drop=True)
findings.groupby(["kind", "severity"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Implied targets
#
# A count with its attainment (or excess) percentage implies the target:
# `implied` is count / percentage, `implied_low`–`implied_high` the range the
# printed decimals allow. When several years or reports imply targets, the
# group row says whether one whole number fits them all.

# %%
implied = findings[findings["kind"].isin(["implied_target", "implied_target_group"])]
implied[["name", "period", "reported", "implied", "implied_low", "implied_high",
         "explanation"]].round(2)

# %% [markdown]
# ## Contradictions
#
# Percentages that disagree with count / target, reports of one figure with
# different values, parts over their whole, cumulative counts against their
# years, and targets of different layers or kinds that do not add up.

# %%
print(format_findings(findings[findings["severity"] == "warning"]))

# %% [markdown]
# ## The within-year profile
#
# Each part-year figure gives a ratio at its cut-off: a share of the year
# when the denominator is the unit's own count of that year, a share of the
# target otherwise (through the unit's final/target ratio, unknown). The
# exponent comes from the first kind, the spread of units around the curve
# from both (`docs/profile.md`). `weight` shows how much each figure counts.

# %%
profile = estimate_profile(ctx.dataset, ctx.assumptions)
print(profile.method)
profile.evidence.round({"t": 3, "observed": 3, "share": 3, "exponent": 3, "weight": 3})

# %%
points = part_year_points(ctx.dataset, profile_unit)
if points is None:
    print(f"{profile_unit}: no part-year admissions with an annual target.")
else:
    ctx.figure("profile", figures.part_year_nowcast, points[1], year=points[0],
               unit_name=ctx.unit_name(profile_unit), profile=profile.shares,
               source_line=ctx.source_line(profile_unit), lang=lang)

# %% [markdown]
# ## Results
#
# Every finding, and the profile with its evidence, written as JSON beside
# the executed notebook.

# %%
api.finish(ctx, {
    "n_findings": int(len(findings)),
    "n_warnings": int((findings["severity"] == "warning").sum()),
    "records": findings_records(findings),
    "profile": {"shares": list(profile.shares), "exponent": profile.exponent,
                "method": profile.method, "evidence": profile.evidence},
});
