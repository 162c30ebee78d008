"""JupyterLab serves the notebooks and the project's kernel.

Starts ``jupyter lab`` from this environment headless on a free loopback
port with a random token and the notebooks folder as its root, waits until it
answers, asks its REST API for the notebooks and the kernel specs, starts and
stops one kernel, then shuts the server down. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
START_SECONDS = 90
"""How long the server may take to answer (a loaded CI machine is slow)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc: subprocess.Popen, url: str, token: str, log: Path):
        self.proc, self.url, self.token, self.log = proc, url, token, log

    def request(self, path: str, method: str = "GET", body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter")
    token, port = secrets.token_hex(16), _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_CONFIG_DIR": str(home / "config")}
    log = home / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
             f"--ServerApp.root_dir={NOTEBOOKS}",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             # Containers (CI, this sandbox) often run as root, which Jupyter refuses.
             *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
            stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))
    server = Server(proc, f"http://127.0.0.1:{port}", token, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if server.request("/api/status")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within {START_SECONDS} s:\n"
                            f"{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.slow
def test_serves_the_notebooks(lab):
    status, listing = lab.request("/api/contents")
    assert status == 200
    names = {item["name"] for item in listing["content"]}
    assert {"01_unit_outlook.ipynb", "02_portfolio.ipynb", "03_data_audit.ipynb",
            "04_backtest.ipynb", "golden"} <= names
    _, nb = lab.request("/api/contents/01_unit_outlook.ipynb")
    assert nb["type"] == "notebook"
    cells = nb["content"]["cells"]
    assert cells[1]["metadata"]["tags"] == ["parameters"]
    assert nb["content"]["metadata"]["kernelspec"]["name"] == "forecast"


@pytest.mark.slow
def test_serves_a_python_kernel_that_starts(lab):
    from forecast.batch.run import default_kernel

    _, specs = lab.request("/api/kernelspecs")
    assert default_kernel() in specs["kernelspecs"]
    status, kernel = lab.request("/api/kernels", "POST", {"name": default_kernel()})
    assert status == 201 and kernel["name"] == default_kernel()
    _, running = lab.request("/api/kernels")
    assert kernel["id"] in {k["id"] for k in running}
    assert lab.request(f"/api/kernels/{kernel['id']}", "DELETE")[0] == 204


@pytest.mark.slow
def test_serves_the_forecast_kernel(lab):
    from jupyter_client.kernelspec import KernelSpecManager

    if "forecast" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("the kernel 'forecast' is not registered in this environment; "
                    "`python3.11 tasks.py test` registers it (ipykernel install --sys-prefix "
                    "--name forecast)")
    _, specs = lab.request("/api/kernelspecs")
    spec = specs["kernelspecs"]["forecast"]["spec"]
    assert spec["display_name"] == "Python 3.11 (forecast)"
    assert spec["language"] == "python"


@pytest.mark.slow
def test_serves_the_widgets_extension(lab):
    """The dropdowns of notebooks 01 and 02 need JupyterLab's widget manager."""
    status, extensions = lab.request("/lab/api/extensions")
    assert status == 200
    # The listing names a prebuilt extension by its folder name, the package
    # name's '@' and '/' replaced: @jupyter-widgets/jupyterlab-manager.
    found = {e["name"]: e for e in extensions}
    manager = found.get("jupyter-widgets-jupyterlab-manager") \
        or found.get("@jupyter-widgets/jupyterlab-manager")
    assert manager is not None, sorted(found)
    assert manager["enabled"] and manager["installed"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_unit_outlook.ipynb", "02_portfolio.ipynb"])
def test_notebook_run_headless_shows_dropdowns_and_draws_sections_in_them(tmp_path, name,
                                                                          monkeypatch):
    """Run as JupyterLab runs it (a kernel, no papermill): the Explorer cell shows a
    widget view, its dropdowns exist, and the sections below draw inside widget outputs."""
    import nbformat
    from nbclient import NotebookClient

    from forecast.batch.kernels import kernel_manager_for
    from forecast.batch.run import default_kernel

    # As JupyterLab starts it: tasks.py runs the suite with MPLBACKEND=Agg, which a
    # kernel would inherit and then show no figure at all.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    tiny = ROOT / "tests" / "fixtures" / "tiny"
    params.source = (params.source.replace("n_paths = 10000", "n_paths = 300")
                     .replace("n_paths = 2000", "n_paths = 300")
                     .replace('parent_id = "bac-lieu"', 'parent_id = "tien-giang"')
                     .replace("data = None", f"data = {str(tiny)!r}")
                     .replace('output_dir = ""', f"output_dir = {str(tmp_path)!r}"))
    client = NotebookClient(nb, kernel_name=default_kernel(), timeout=300,
                            resources={"metadata": {"path": str(NOTEBOOKS)}},
                            kernel_manager_class=kernel_manager_for(None))
    _execute_within(client, RUN_DEADLINE_S)
    explorer = next(c for c in nb.cells if c.cell_type == "code"
                    and c.source.startswith("ui = widgets.Explorer(ctx)"))
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in explorer.outputs)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    dropdowns = [m["state"]["description"] for m in state.values()
                 if m["model_name"] == "DropdownModel"]
    assert {"Mô hình", "Số liệu đến", "Ngôn ngữ"} <= set(dropdowns)
    drawn = [o for m in state.values() if m["model_name"] == "OutputModel"
             for o in m["state"].get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in drawn)
    assert any("text/html" in o.get("data", {}) for o in drawn)
    assert (tmp_path / f"{tmp_path.name}.json").is_file()


RUN_DEADLINE_S = 600
"""A headless run that has not finished by then fails instead of holding the suite.
Before the batch kernel manager's clients polled in slices
(:class:`forecast.batch.kernels.SlicedChannel`), a run here could wait for a reply
the kernel had already sent, with both idle, for as long as it was let."""


def _execute_within(client, seconds: float) -> None:
    """``client.execute()`` in a daemon thread; fail, and kill the kernel, after ``seconds``."""
    import threading

    errors: list = []

    def run():
        try:
            client.execute()
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test's thread)
            errors.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        km = getattr(client, "km", None)
        if km is not None and getattr(km, "provisioner", None) is not None:
            pid = getattr(km.provisioner, "pid", None)
            if pid:
                os.kill(pid, 9)
        pytest.fail(f"the headless notebook run did not finish in {seconds:.0f} s")
    if errors:
        raise errors[0]

