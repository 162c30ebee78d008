"""Dropdowns in JupyterLab that redraw a notebook's sections, and nothing under papermill.

A notebook cell such as ``ui = widgets.Explorer(ctx)`` shows dropdowns for
the unit, the as-of date, the model, the scenarios and the language; each
later cell draws one section with ``ui.section(views.history)``. Choosing
another value checks it like the parameters cell's values
(:func:`forecast.notebooks.checks.check_values`), sets it in
``ctx.parameters`` and draws every section again, in order, each in its own
cell's output area (an ``ipywidgets.Output``).

The parameters cell still drives papermill: under papermill (the batch,
:func:`forecast.notebooks.run.run_notebook`, the papermill command) and
outside a kernel, no widget is created and each section simply draws into
its cell, as before. ``FORECAST_WIDGETS=0`` in the environment turns the
dropdowns off everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from forecast.labels import fmt_date

CONTROLS = ("unit_id", "parent_id", "as_of", "model", "scenarios", "lang")
"""Parameters that get a dropdown when the notebook declares them."""

LABELS = {
    "unit_id": {"vi": "Đơn vị", "en": "Unit"},
    "parent_id": {"vi": "Đơn vị cấp trên", "en": "Parent unit"},
    "as_of": {"vi": "Số liệu đến", "en": "Figures up to"},
    "model": {"vi": "Mô hình", "en": "Model"},
    "scenarios": {"vi": "Kịch bản", "en": "Scenarios"},
    "lang": {"vi": "Ngôn ngữ", "en": "Language"},
    "latest": {"vi": "mới nhất", "en": "latest"},
    "none": {"vi": "không", "en": "none"},
    "busy": {"vi": "Đang tính lại ...", "en": "Recomputing ..."},
}
"""The dropdowns' own words (their labels follow the notebook's language)."""


def interactive() -> bool:
    """True in a live kernel that papermill did not start (JupyterLab, nbclient)."""
    if os.environ.get("FORECAST_WIDGETS", "1") == "0":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    from forecast.notebooks.checks import injected_cells

    return injected_cells() is None


def choices(ctx, name: str) -> list[tuple[str, Any]]:
    """``(label, value)`` options of one dropdown, the current value among them."""
    lang, ds, p = ctx.lang, ctx.dataset, ctx.parameters
    current = p.get(name)
    if name in ("unit_id", "parent_id"):
        from forecast.models.progress import units_with_progress

        if name == "unit_id":
            ids = units_with_progress(ds)
        else:
            ids = [u for u in ds.units["unit_id"] if len(ds.children(u)) >= 2]
        ids = list(dict.fromkeys([*([current] if current else []), *ids]))
        opts = sorted(((f"{ds.unit_name(u, lang)} ({u})", u) for u in ids), key=lambda o: o[0])
    elif name == "as_of":
        ends = ds.observations["period_end"].dropna()
        years = range(int(ends.min().year), int(ends.max().year) + 1) if len(ends) else []
        dates = sorted({f"{y}-12-31" for y in years} | ({current} if current else set()))
        opts = [(LABELS["latest"][lang], None)] + [(fmt_date(d, lang), d) for d in dates]
    elif name == "model":
        from forecast.models.base import MODELS

        opts = [(m, m) for m in sorted(MODELS)]
    elif name == "scenarios":
        from forecast.simulate.scenarios import NAMED

        given = tuple(current or ())
        sets = [given, *[(s,) for s in NAMED], ()]
        opts = [(", ".join(v) or LABELS["none"][lang], v) for v in dict.fromkeys(sets)]
    else:
        opts = [("Tiếng Việt", "vi"), ("English", "en")]
    return opts


class Explorer:
    """The dropdowns and the sections they redraw (see the module doc).

    Parameters
    ----------
    ctx : forecast.notebooks.api.Context
    controls : sequence of str, optional
        Which of :data:`CONTROLS` to show (default: those the notebook declares).
    """

    def __init__(self, ctx, controls=None):
        self.ctx = ctx
        self.names = [c for c in (controls or CONTROLS) if c in ctx.parameters]
        self.sections: list[tuple[Callable, Any]] = []
        self.live = interactive()
        self.box = self._build() if self.live else None

    def _build(self):
        import ipywidgets as w

        lang = self.ctx.lang
        self.dropdowns = {}
        for name in self.names:
            value = self.ctx.parameters.get(name)
            if name == "scenarios":
                value = tuple(value or ())
            dd = w.Dropdown(options=choices(self.ctx, name), value=value,
                            description=LABELS[name][lang],
                            style={"description_width": "initial"})
            dd.observe(lambda change, n=name: self._changed(n, change["new"]), names="value")
            self.dropdowns[name] = dd
        self.status = w.HTML("")
        return w.VBox([w.HBox(list(self.dropdowns.values())[:3]),
                       w.HBox(list(self.dropdowns.values())[3:]), self.status])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self.box is not None:
            display(self.box)

    def section(self, draw: Callable[[Any], Any]) -> None:
        """Draw one section now, and again whenever a dropdown changes (JupyterLab)."""
        if not self.live:
            self.sections.append((draw, None))
            _show(draw(self.ctx))
            return
        import ipywidgets as w

        out = w.Output()
        self.sections.append((draw, out))
        _show(out)
        self._draw(draw, out)

    def _draw(self, draw, out) -> None:
        with out:
            out.clear_output(wait=True)
            try:
                _show(draw(self.ctx))
            except Exception as exc:  # one section's failure must not hide the others
                print(f"{type(exc).__name__}: {exc}")

    def choose(self, **values: Any) -> None:
        """Set parameters (checked like the parameters cell) and draw every section again."""
        from forecast.notebooks.checks import check_values

        params = {**self.ctx.parameters, **{k: (list(v) if isinstance(v, tuple) else v)
                                            for k, v in values.items()}}
        scenarios = check_values(self.ctx.notebook, params, self.ctx.dataset)
        self.ctx.parameters.update(params)
        self.ctx.scenarios = scenarios
        self.ctx.state.clear()
        for draw, out in self.sections:
            if out is None:
                _show(draw(self.ctx))
            else:
                self._draw(draw, out)

    def _changed(self, name: str, value: Any) -> None:
        self.status.value = f"<i>{LABELS['busy'][self.ctx.lang]}</i>"
        try:
            self.choose(**{name: value})
            self.status.value = ""
        except Exception as exc:  # shown beside the dropdowns; the old view stays
            self.status.value = f"<b>{type(exc).__name__}</b>: {exc}"


def _show(obj: Any) -> None:
    if obj is None:
        return
    try:
        from IPython.display import display
    except ImportError:  # outside IPython there is nothing to show
        return
    display(obj)
