"""The same batch on a Dask distributed cluster (a local one here)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from forecast.batch.run import run_batch
from forecast.batch.config import config_from_mapping

pytestmark = pytest.mark.slow

PROBE = str(Path(__file__).resolve().parents[1] / "fixtures" / "notebooks" / "probe.ipynb")
UNITS = pd.DataFrame({"unit_id": ["a", "bb"], "level": ["x", "x"], "parent_id": [None, None]})


def test_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    config = config_from_mapping(
        {"notebooks": [PROBE], "units": ["bb"], "output": str(tmp_path / "out"), "timeout": 60,
         "scenarios": [{"name": "ok", "mode": "ok"}, {"name": "err", "mode": "error"}]},
        where="dask.yaml", base_dir=tmp_path)
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        res = run_batch(config, units=UNITS, executor="dask", scheduler=cluster, progress=False)
        status = {r["run_id"]: r["status"] for r in res.runs}
        assert status == {"probe__bb__ok": "ok", "probe__bb__err": "failed"}
        assert res.exit_code == 1
        assert [r["error_type"] for r in res.runs if r["status"] == "failed"] == ["cell error"]
        out = tmp_path / "out"
        assert json.loads((out / "probe__bb__ok" / "probe__bb__ok.json").read_text())["records"] == [
            {"unit": "bb", "value": 4.0}]
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["executor"] == "dask" and manifest["workers"] is None
        # Rerun on the cluster: good runs are skipped there too.
        again = run_batch(config, units=UNITS, executor="dask", scheduler=cluster, progress=False)
        assert again.summary["skipped"] == 1 and again.summary["failed"] == 1
