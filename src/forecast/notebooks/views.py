"""The sections of notebooks 01 (one unit) and 02 (portfolio), one function each.

Each function takes the notebook's :class:`~forecast.notebooks.api.Context`,
reads the current parameters from it (``ctx.parameters``, ``ctx.as_of``,
``ctx.lang``, ``ctx.scenarios``), draws its charts through
:meth:`Context.figure` and returns what the cell shows: its tables through
:func:`forecast.notebooks.show.table` and its words through
:func:`forecast.notebooks.show.say`, in ``ctx.lang``, so the language
dropdown redraws them too (:func:`text` is the section of a heading and its
paragraph). The raw tables stay in ``ctx.state`` for the results file. A notebook cell calls
``ui.section(views.history)`` (:class:`forecast.notebooks.widgets.Explorer`),
so the same function draws the section under papermill and again when a
dropdown changes in JupyterLab. What a later section needs (the outlook) is
kept in ``ctx.state`` by the section that computes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forecast import figures
from forecast.notebooks import show

FORECAST_COLUMNS = ["target_kind", "term", "target", "target_source", "cumulative", "label",
                    "scenario", "p_reach", "final_q10", "final_q50", "final_q90", "reach_date_q50"]
SCENARIO_COLUMNS = ["target_id", "scenario", "p_reach", "final_q10", "final_q50", "final_q90",
                    "reach_date_q50"]
REQUIREMENT_COLUMNS = ["target_kind", "term", "required_attainment", "required_per_year_p",
                       "trained_needed", "introduced_needed"]
HISTORY_COLUMNS = ["measure", "subgroup", "value_text", "period_start", "period_end", "source_id",
                   "locator", "corrected_from"]
RANKING_COLUMNS = ["name", "term", "target", "cumulative", "label", "p_reach", "final_q10",
                   "final_q50", "final_q90"]


def text(key: str) -> Callable[[Any], Any]:
    """The section that shows the narrative ``key`` of :data:`forecast.notebooks.show.NARRATIVE`."""
    def draw(ctx):
        return show.say(key, ctx.lang)

    draw.__name__ = f"text_{key}"
    return draw


# --- 01: one unit ---------------------------------------------------------------------
def history(ctx):
    """Every figure reported for the unit up to the as-of date, with its source."""
    obs = ctx.dataset.observations_until(ctx.as_of)
    obs = obs[obs["unit_id"] == ctx.parameters["unit_id"]]
    return show.table(obs, ctx.lang, HISTORY_COLUMNS)


def yearly(ctx) -> None:
    """The unit's whole-year admissions against its annual targets."""
    from forecast.brief.units import yearly_table

    unit = ctx.parameters["unit_id"]
    table = yearly_table(ctx.dataset, unit, 1900, 2100, ctx.as_of)
    ctx.figure("yearly", figures.yearly_admissions, table, unit_name=ctx.unit_name(unit),
               source_line=ctx.source_line(unit), lang=ctx.lang)


def unit_outlook(ctx):
    """The outlook of the unit (kept in ``ctx.state``), one row per target and scenario."""
    from forecast.outlook.table import outlook

    p, unit = ctx.parameters, ctx.parameters["unit_id"]
    result = outlook(ctx.dataset, as_of=ctx.as_of, model=p["model"], scenarios=ctx.scenarios,
                     assumptions=ctx.assumptions, units=[unit])
    table = result.table
    if p.get("term") is not None:
        table = table[table["term"] == p["term"]]
    ctx.state.update(result=result, table=table)
    if table.empty:
        return show.say("no_target", ctx.lang, unit=ctx.unit_name(unit))
    return show.table(table, ctx.lang, FORECAST_COLUMNS)


def why(ctx):
    """Why the headline chance is what it is, when the pace label or the scenarios
    seem to say otherwise (the brief's sentence, :mod:`forecast.brief.explain`)."""
    from forecast.brief.explain import prior_note, why_headline
    from forecast.brief.units import primary_row

    unit, table = ctx.parameters["unit_id"], _state(ctx, "table", unit_outlook)
    main = None if table.empty else primary_row(table, unit)
    if main is None:
        return None
    same = table[(table["target_id"] == main["target_id"]) & (table["model"] == main["model"])]
    fitted = ctx.state["result"].fitted.get(ctx.parameters["model"])
    sentence = prior_note(main, ctx.lang) or why_headline(
        main, same, ctx.lang, profile=getattr(fitted, "profile", None),
        p_level=ctx.assumptions.p_level)
    return show.lines([sentence]) if sentence else None


def progress(ctx) -> None:
    """Cumulative admissions, the forecast fan and the scenarios against the main target."""
    from forecast.notebooks.api import main_target_id

    unit, table = ctx.parameters["unit_id"], _state(ctx, "table", unit_outlook)
    ctx.figure("progress", figures.progress_to_target, ctx.state["result"], unit, lang=ctx.lang,
               source_line=ctx.source_line(unit), target_id=main_target_id(table))


def scenarios(ctx):
    """Chance and range of the final count under each scenario."""
    table = _state(ctx, "table", unit_outlook)
    ctx.state["scenario_table"] = table[SCENARIO_COLUMNS].round(3)
    return show.table(table, ctx.lang, SCENARIO_COLUMNS)


def requirements(ctx):
    """What it would take: attainment, admissions and candidates a year."""
    table = _state(ctx, "table", unit_outlook)
    return show.table(table[table["scenario"] == "model"], ctx.lang, REQUIREMENT_COLUMNS)


def pipeline(ctx) -> None:
    unit, table = ctx.parameters["unit_id"], _state(ctx, "table", unit_outlook)
    ctx.figure("pipeline", figures.pipeline, table, unit, source_line=ctx.source_line(unit),
               lang=ctx.lang, p_level=ctx.assumptions.p_level)


def part_year(ctx):
    """The latest part-year counts against the within-year profile."""
    from forecast.brief.units import part_year_points

    unit = ctx.parameters["unit_id"]
    points = part_year_points(ctx.dataset, unit, ctx.as_of)
    if points is None:
        return show.say("no_part_year", ctx.lang, unit=ctx.unit_name(unit))
    ctx.figure("part_year", figures.part_year_nowcast, points[1], year=points[0],
               unit_name=ctx.unit_name(unit), source_line=ctx.source_line(unit), lang=ctx.lang)


def unit_results(ctx) -> dict[str, Any]:
    """What notebook 01 writes for the batch."""
    from forecast.notebooks.api import headline_p_reach, records

    table = _state(ctx, "table", unit_outlook)
    return {"unit_id": ctx.parameters["unit_id"], "p_reach": headline_p_reach(table),
            "records": records(table),
            "scenario_table": ctx.state.get("scenario_table", table[SCENARIO_COLUMNS].round(3))}


# --- 02: portfolio --------------------------------------------------------------------
def portfolio_outlook(ctx):
    """Every unit's outlook (model only, no requirements), ranked by its chance."""
    from forecast.notebooks.api import ranking
    from forecast.outlook.table import outlook

    result = outlook(ctx.dataset, as_of=ctx.as_of, model=ctx.parameters["model"],
                     assumptions=ctx.assumptions, requirements=False)
    ctx.state.update(result=result, ranking=ranking(result.table))
    return show.table(ctx.state["ranking"], ctx.lang, RANKING_COLUMNS)


def by_label(ctx):
    """Units per pace label, with the median chance among them."""
    rank = _state(ctx, "ranking", portfolio_outlook)
    counts = rank.groupby("label")["p_reach"].agg(n_units="count", median_p_reach="median")
    return show.table(counts.reset_index(), ctx.lang)


def portfolio_chart(ctx) -> None:
    rank = _state(ctx, "ranking", portfolio_outlook)
    ctx.figure("portfolio", figures.portfolio, ctx.state["result"].table,
               source_line=ctx.source_line(rank["unit_id"].tolist()), lang=ctx.lang,
               model=ctx.parameters["model"])


def pace_chart(ctx) -> None:
    rank = _state(ctx, "ranking", portfolio_outlook)
    table = ctx.state["result"].table
    ctx.figure("pace", figures.pace_dumbbell, table[table["scenario"] == "model"],
               source_line=ctx.source_line(rank["unit_id"].tolist()), lang=ctx.lang,
               model=ctx.parameters["model"])


def children_chart(ctx) -> None:
    parent = ctx.parameters["parent_id"]
    _state(ctx, "ranking", portfolio_outlook)
    ctx.figure("children", figures.small_multiples, ctx.state["result"], parent, lang=ctx.lang,
               model=ctx.parameters["model"], parent_name=ctx.unit_name(parent),
               source_line=ctx.source_line(ctx.dataset.children(parent)))


def portfolio_results(ctx) -> dict[str, Any]:
    """What notebook 02 writes for the batch."""
    from forecast.notebooks.api import records

    rank = _state(ctx, "ranking", portfolio_outlook)
    return {"n_units": int(rank["unit_id"].nunique()), "ranking": rank,
            "records": records(ctx.state["result"].table)}


def _state(ctx, key: str, compute):
    """``ctx.state[key]``, computed by the section that owns it when missing."""
    if key not in ctx.state:
        compute(ctx)
    return ctx.state[key]
