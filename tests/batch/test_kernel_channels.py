"""Kernel clients of the batch wait for messages in short polls (forecast.batch.kernels)."""

from __future__ import annotations

import asyncio
import time
from queue import Empty

import pytest
from jupyter_client.channels import AsyncZMQSocketChannel

from forecast.batch import kernels
from forecast.batch.kernels import SlicedChannel, SlicedKernelClient, kernel_manager_for


class Polls:
    """Stands in for one channel's poll: ``Empty`` for the first ``misses`` waits
    (a wake-up that never came), then the message; records each wait's timeout."""

    def __init__(self, misses: int):
        self.misses, self.timeouts = misses, []

    def install(self, monkeypatch):
        async def get_msg(channel, timeout=None):
            self.timeouts.append(timeout)
            if len(self.timeouts) <= self.misses:
                await asyncio.sleep(timeout)
                raise Empty
            return {"msg_type": "execute_reply"}

        monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", get_msg)


def _channel() -> SlicedChannel:
    return SlicedChannel.__new__(SlicedChannel)  # get_msg needs no socket once polls are faked


def test_a_missed_wake_up_costs_one_slice_not_the_whole_timeout(monkeypatch):
    polls = Polls(misses=3)
    polls.install(monkeypatch)
    monkeypatch.setattr(kernels, "POLL_SLICE_S", 0.01)
    msg = asyncio.run(_channel().get_msg(timeout=300))
    assert msg == {"msg_type": "execute_reply"}
    # Four polls: three slices of 0.01 s that saw nothing, then the message.
    assert len(polls.timeouts) == 4 and all(t <= 0.01 for t in polls.timeouts)


def test_without_a_timeout_it_keeps_polling_until_the_message_comes(monkeypatch):
    polls = Polls(misses=5)
    polls.install(monkeypatch)
    monkeypatch.setattr(kernels, "POLL_SLICE_S", 0.01)
    assert asyncio.run(_channel().get_msg(timeout=None))["msg_type"] == "execute_reply"
    assert len(polls.timeouts) == 6


def test_the_callers_timeout_still_ends_the_wait(monkeypatch):
    polls = Polls(misses=10 ** 6)
    polls.install(monkeypatch)
    monkeypatch.setattr(kernels, "POLL_SLICE_S", 0.02)
    t0 = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(_channel().get_msg(timeout=0.1))
    waited = time.monotonic() - t0
    # 0.1 s in slices of at most 0.02 s: about five polls, never much past 0.1 s.
    assert 0.1 <= waited < 1.0
    assert 4 <= len(polls.timeouts) <= 7


def test_batch_kernel_managers_hand_out_sliced_clients():
    km = kernel_manager_for(None)()
    kc = km.client()
    assert isinstance(kc, SlicedKernelClient)
    for name in ("shell", "iopub", "stdin", "control"):
        assert getattr(kc, f"{name}_channel_class") is SlicedChannel
