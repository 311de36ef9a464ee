"""Progress of drafting: characters sent and waiting, the rate, and the time left."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Meter:
    """Counts what an engine has drafted of a known total and says when it will end.

    ``clock`` is injectable so that the arithmetic can be tested without waiting.
    """

    total_chars: int
    total_segments: int
    clock: Callable[[], float] = time.monotonic
    chars: int = 0
    segments: int = 0
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def add(self, segments: int, chars: int) -> None:
        self.segments += segments
        self.chars += chars

    def line(self) -> str:
        """One line for a log: sent, waiting, rate and the estimate.

        >>> ticks = iter([0.0, 10.0])
        >>> m = Meter(4000, 40, clock=lambda: next(ticks))
        >>> m.add(10, 1000)
        >>> m.line()
        '1,000 of 4,000 characters sent (25%), 3,000 waiting, 100 characters/s, about 30 s left; 10/40 segments'
        """
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.chars / elapsed
        waiting = max(self.total_chars - self.chars, 0)
        share = 100 * self.chars // self.total_chars if self.total_chars else 100
        left = f"about {_duration(waiting / rate)} left" if rate > 0 and waiting else "done" if not waiting else "starting"
        return (f"{self.chars:,} of {self.total_chars:,} characters sent ({share}%), {waiting:,} waiting, "
                f"{rate:,.0f} characters/s, {left}; {self.segments}/{self.total_segments} segments")


def _duration(seconds: float) -> str:
    """
    >>> _duration(42.4), _duration(125), _duration(7300)
    ('42 s', '2 min 5 s', '2 h 1 min')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
