"""Quiet the kernel's "running over TCP without encryption" warning where it is spurious.

ipykernel warns whenever a kernel talks over TCP without CurveZMQ keys. On
the loopback address (JupyterLab and plain papermill on this machine) the
traffic never leaves the computer, so the warning only adds noise to every
run; the batch and :func:`forecast.notebooks.run.run_notebook` use IPC and
never see it. A kernel listening on any other address keeps the warning.

The environment's IPython kernel configuration
(``<prefix>/etc/ipython/ipython_kernel_config.py``, installed with the
package from ``jupyter-config/``) calls :func:`quiet_loopback_tcp` before
the kernel opens its sockets.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import sys

MESSAGE = "Kernel is running over TCP without encryption"
LOGGER = "IPKernelApp"


class _LoopbackTcp(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return MESSAGE not in record.getMessage()


def connection_info(argv: list[str]) -> dict:
    """The kernel's connection file (``-f PATH`` or ``--f=PATH``) as a dict, or {}."""
    path = None
    for i, arg in enumerate(argv):
        if arg in ("-f", "--f") and i + 1 < len(argv):
            path = argv[i + 1]
        elif arg.startswith(("--f=", "-f=")):
            path = arg.split("=", 1)[1]
    try:
        with open(path, encoding="utf-8") as fh:  # type: ignore[arg-type]
            return json.load(fh)
    except (TypeError, OSError, ValueError):
        return {}


def is_loopback_tcp(info: dict) -> bool:
    if info.get("transport", "tcp") != "tcp":
        return False
    ip = str(info.get("ip", ""))
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def quiet_loopback_tcp(argv: list[str] | None = None) -> bool:
    """Drop the warning when this kernel's TCP sockets are on the loopback address.

    Returns
    -------
    bool
        Whether the filter was installed.
    """
    if not is_loopback_tcp(connection_info(sys.argv if argv is None else argv)):
        return False
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, _LoopbackTcp) for f in logger.filters):
        logger.addFilter(_LoopbackTcp())
    return True
