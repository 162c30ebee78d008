"""The kernel's TCP warning is dropped on the loopback address only."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from forecast.notebooks import quiet


def _connection(tmp_path, **info) -> list[str]:
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    return ["ipykernel_launcher", "-f", str(path)]


@pytest.mark.parametrize("info, quiet_it", [
    ({"transport": "tcp", "ip": "127.0.0.1"}, True),
    ({"transport": "tcp", "ip": "::1"}, True),
    ({"transport": "tcp", "ip": "localhost"}, True),
    ({"transport": "tcp", "ip": "10.0.0.5"}, False),   # another machine can listen in
    ({"transport": "tcp", "ip": "0.0.0.0"}, False),    # every interface
    ({"transport": "ipc", "ip": "/tmp/k"}, False),     # no warning to drop
])
def test_only_loopback_tcp_is_quieted(tmp_path, monkeypatch, info, quiet_it):
    logger = logging.getLogger(quiet.LOGGER)
    monkeypatch.setattr(logger, "filters", [])
    assert quiet.quiet_loopback_tcp(_connection(tmp_path, **info)) is quiet_it
    record = logger.makeRecord(quiet.LOGGER, logging.WARNING, __file__, 1,
                               quiet.MESSAGE + ". All communication ...", (), None)
    other = logger.makeRecord(quiet.LOGGER, logging.WARNING, __file__, 1, "another warning",
                              (), None)
    assert logger.filter(record) is not quiet_it
    assert logger.filter(other)


def test_no_connection_file_changes_nothing(monkeypatch):
    logger = logging.getLogger(quiet.LOGGER)
    monkeypatch.setattr(logger, "filters", [])
    assert not quiet.quiet_loopback_tcp(["ipykernel_launcher"])
    assert logger.filters == []


@pytest.mark.slow
def test_a_kernel_of_this_environment_does_not_warn_on_loopback(tmp_path):
    """A real kernel over TCP on 127.0.0.1 (what JupyterLab and plain papermill start)."""
    from jupyter_client.manager import KernelManager

    config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    if not config.is_file():
        pytest.skip(f"{config} is not installed (python3.11 tasks.py test installs it)")
    log = tmp_path / "kernel.log"
    km = KernelManager(kernel_name="python3")
    with open(log, "w", encoding="utf-8") as fh:
        km.start_kernel(stdout=fh, stderr=fh)
        try:
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=60)
            kc.stop_channels()
        finally:
            km.shutdown_kernel(now=True)
    assert km.transport == "tcp" and km.ip == "127.0.0.1"
    assert quiet.MESSAGE not in log.read_text(encoding="utf-8")
