"""course/book.py's executor: a missed wake-up on the shell channel costs one poll slice, not the cell timeout.

The fake channel mimics pyzmq's poll when its wake-up is missed: the reply is already there, but the poll only
returns it when its own timer ends (its final non-blocking poll finds it). nbclient waits for an execute reply
with one such poll of the whole cell timeout (600 s on the site), which is the stall the site build once showed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Empty

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "course"))
import book  # noqa: E402  (course/book.py)


class MissedWakeup:
    """get_msg(timeout): the reply arrives after `arrives_s`, but each poll returns only when its timer ends."""

    def __init__(self, arrives_s: float | None):
        self.t0, self.arrives_s, self.calls = time.monotonic(), arrives_s, []

    async def get_msg(self, timeout=None):
        self.calls.append(timeout)
        await asyncio.sleep(timeout)
        if self.arrives_s is not None and time.monotonic() - self.t0 >= self.arrives_s:
            return {"msg_type": "execute_reply"}
        raise Empty


def _run(coro):
    """Run `coro` on a fresh event loop in its own thread (Playwright's sync API may hold this thread's loop)."""
    t0 = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        out = pool.submit(asyncio.run, coro).result()
    return out, time.monotonic() - t0


def test_a_missed_wakeup_costs_one_slice_not_the_timeout():
    channel = MissedWakeup(arrives_s=0.05)
    reply, seconds = _run(book.sliced(channel.get_msg, slice_s=0.2)(timeout=600))
    assert reply == {"msg_type": "execute_reply"}
    assert seconds < 1.0 and channel.calls == [0.2]  # unsliced, this poll would have slept 600 s
    # the unsliced wait shows the stall: the same reply comes back only when the poll's timer ends
    reply, seconds = _run(MissedWakeup(arrives_s=0.05).get_msg(timeout=0.6))
    assert reply == {"msg_type": "execute_reply"} and seconds >= 0.6


def test_nothing_arrives_raises_empty_after_the_overall_timeout():
    channel = MissedWakeup(arrives_s=None)
    with pytest.raises(Empty):
        _run(book.sliced(channel.get_msg, slice_s=0.2)(timeout=0.7))
    assert len(channel.calls) == 4 and all(t <= 0.2 for t in channel.calls)  # 0.2 + 0.2 + 0.2 + 0.1
    assert sum(channel.calls) == pytest.approx(0.7, abs=0.05)

