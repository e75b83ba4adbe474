"""Per-channel sliding-window rate limiting, so the vendors never have to throttle us.

A sliding log (the send times within the longest window) rather than a fixed per-minute bucket: vendors count
"20 in any 60 seconds", and a fixed bucket allows 40 across a minute boundary. The clock and the sleep are
injected, so tests drive a fake clock and run instantly. The outbox seeds the log with the attempts it recorded,
so a restarted process does not start with an empty window.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Mapping, Sequence

from exports.channels.config import RateLimit

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class SlidingWindowLimiter:
    """``acquire(channel)`` blocks (through ``sleep``) until sending now keeps every window of the channel."""

    def __init__(
        self,
        limits: Mapping[str, Sequence[RateLimit]],
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._limits = {channel: tuple(windows) for channel, windows in limits.items()}
        self.clock, self.sleep = clock, sleep
        self._sent: dict[str, list[float]] = {}

    def limits(self, channel: str) -> tuple[RateLimit, ...]:
        return self._limits.get(channel, ())

    def wait_time(self, channel: str) -> float:
        """Seconds until one more message may go to ``channel`` (0 when it may go now)."""
        now = self.clock()
        history = self._sent.get(channel, [])
        wait = 0.0
        for limit in self.limits(channel):
            recent = history[bisect.bisect_right(history, now - limit.per_seconds) :]
            if len(recent) >= limit.max_messages:
                # The window frees up when the oldest send that still counts leaves it.
                oldest_counting = recent[len(recent) - limit.max_messages]
                wait = max(wait, oldest_counting + limit.per_seconds - now)
        return wait

    def acquire(self, channel: str) -> float:
        """Wait for a free slot, then count a send now; returns the seconds waited."""
        waited = 0.0
        while (wait := self.wait_time(channel)) > 0:
            self.sleep(wait)
            waited += wait
        self.record(channel, self.clock())
        return waited

    def record(self, channel: str, at: float) -> None:
        """Count a send at ``at`` (from this process or, when seeding after a restart, from the outbox)."""
        longest = max((limit.per_seconds for limit in self.limits(channel)), default=0.0)
        history = self._sent.setdefault(channel, [])
        bisect.insort(history, at)
        del history[: bisect.bisect_right(history, self.clock() - longest)]
