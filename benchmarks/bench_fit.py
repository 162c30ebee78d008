"""What the default model costs against the one it replaced: fit, and fit plus simulation.

Run from the checkout::

    .venv/bin/python benchmarks/bench_fit.py                  # 300 and 1,000 units, 10,000 paths
    .venv/bin/python benchmarks/bench_fit.py --units 10000 --paths 10000

Synthetic units of the simulation study's generator
(:func:`forecast.evaluate.synthetic.generate`, seed 1), as of 31 Dec 2022.
For each model (``hier_nb``, the default, and ``pooled_nb``, the default
before issue 9) it prints the CPU seconds of

- ``fit``: :func:`forecast.models.base.fit` (the units' data preparation,
  the profile and the estimator), and of the estimator alone (the model's
  fitting function on the prepared data);
- ``outlook``: the whole ``outlook(..., requirements=False, rollups=False,
  workers=1)`` call (fit plus the simulation of every target), one process;

and the ratio of ``hier_nb`` to ``pooled_nb``. Issue 9 asks that fit plus
simulation stay within 2× of the earlier engine. Each measure runs in this
process, one after the other; the machine may be shared, so CPU seconds
(user + system) are printed rather than wall time alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import pandas as pd

MODELS = ("hier_nb", "pooled_nb")


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def measure(n_units: int, n_paths: int) -> list[dict]:
    from forecast.config import Assumptions
    from forecast.evaluate.synthetic import generate
    from forecast.models.base import MODELS as REGISTRY, fit, prepare, profile_for
    from forecast.outlook.table import outlook

    a = dataclasses.replace(Assumptions(), n_paths=n_paths, seed=1)
    ds = generate(n_units=n_units, seed=1).dataset(assumptions=a)
    as_of = pd.Timestamp("2022-12-31")
    profile = profile_for(ds, a, as_of)
    data = prepare(ds, as_of, profile)
    rows = []
    for model in MODELS:
        c0 = cpu()
        fit(ds, model, as_of=as_of, assumptions=a)
        c1 = cpu()
        kwargs = {"origin": as_of} if getattr(REGISTRY[model], "takes_context", False) else {}
        REGISTRY[model](data, profile, **kwargs)
        c2 = cpu()
        w0 = time.perf_counter()
        table = outlook(ds, as_of=as_of, model=model, assumptions=a, requirements=False,
                        rollups=False, workers=1).table
        c3, w1 = cpu(), time.perf_counter()
        rows.append({"units": n_units, "paths": n_paths, "model": model,
                     "fit cpu s": round(c1 - c0, 2), "estimator cpu s": round(c2 - c1, 3),
                     "outlook cpu s": round(c3 - c2, 1), "outlook wall s": round(w1 - w0, 1),
                     "targets": int((table["scenario"] == "model").sum())})
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, nargs="+", default=[300, 1000])
    ap.add_argument("--paths", type=int, default=10_000)
    args = ap.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.1f}")
    rows = [r for n in args.units for r in measure(n, args.paths)]
    out = pd.DataFrame(rows)
    for n, g in out.groupby("units"):
        h, p = (g.set_index("model").loc[m] for m in MODELS)
        out.loc[g.index, "outlook ratio hier/pooled"] = round(
            h["outlook cpu s"] / p["outlook cpu s"], 2)
    print(out.to_string(index=False))


if __name__ == "__main__":
    main()
