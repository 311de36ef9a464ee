"""Progress of a run: articles done, characters sent and waiting, the rate, the time.

:class:`Meter` counts; :class:`Ticker` hands its line to a callback every few seconds
from a thread of its own, so a log (CI, a file) hears from a run however long a request
takes. Neither prints: the command line decides where lines go.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .plural import count


@dataclass
class Meter:
    """Counts the articles a run finished and what an engine drafted of a known total.

    ``clock`` is injectable so that the arithmetic can be tested without waiting.
    """

    total_chars: int
    total_segments: int
    total_articles: int = 0
    clock: Callable[[], float] = time.monotonic
    chars: int = 0
    segments: int = 0
    articles: int = 0
    note: str = ""         # what the run does before it counts anything (shown alone)
    started: float = field(default=0.0)
    sending: float = field(default=0.0)  # when the engine began: the rate counts from here

    def __post_init__(self) -> None:
        self.started = self.sending = self.clock()

    def expect(self, chars: int, segments: int) -> None:
        """The totals to send are known now: the rate is counted from this moment."""
        self.total_chars, self.total_segments, self.note = chars, segments, ""
        self.sending = self.clock()

    def add(self, segments: int, chars: int) -> None:
        """A batch came back with ``segments`` drafts of ``chars`` characters."""
        self.segments += segments
        self.chars += chars

    def done(self, articles: int) -> None:
        """``articles`` more articles are finished (written, skipped or refused)."""
        self.articles += articles

    def line(self) -> str:
        """One line for a log: articles, then (when an engine sends) characters sent,
        waiting, the rate and the estimate, then the time so far.

        >>> ticks = iter([0.0, 10.0])
        >>> m = Meter(4000, 40, 12, clock=lambda: next(ticks))
        >>> m.add(10, 1000); m.done(3)
        >>> m.line()
        '3/12 articles, 1,000 of 4,000 characters sent (25%), 3,000 waiting, 100 characters/s, about 30 s left; 10/40 segments; 10 s elapsed'
        >>> ticks = iter([0.0, 2.0])
        >>> m = Meter(0, 0, 1, clock=lambda: next(ticks))
        >>> m.done(1); m.line()
        '1/1 article; 2 s elapsed'
        """
        now = self.clock()
        elapsed = max(now - self.started, 1e-9)
        parts = [f"{self.articles:,}/{count(self.total_articles, 'article')}"]
        if self.note:
            parts.append(self.note)
        elif self.total_chars:
            rate = self.chars / max(now - self.sending, 1e-9)
            waiting = max(self.total_chars - self.chars, 0)
            share = 100 * self.chars // self.total_chars
            left = (f"about {_duration(waiting / rate)} left" if rate > 0 and waiting
                    else "done" if not waiting else "starting")
            parts[0] += (f", {self.chars:,} of {self.total_chars:,} characters sent ({share}%), "
                         f"{waiting:,} waiting, {rate:,.0f} characters/s, {left}")
            parts.append(f"{self.segments}/{self.total_segments} segments")
        parts.append(f"{_duration(elapsed)} elapsed")
        return "; ".join(parts)


class Ticker:
    """Hands ``meter.line()`` to ``emit`` every ``every`` seconds while in a ``with`` block,
    and once more at its end if it spoke at all (a short run stays silent)."""

    def __init__(self, meter: Meter, every: float, emit: Callable[[str], None]):
        self.meter, self.every, self.emit = meter, every, emit
        self.lines = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True, name="l10n-progress")

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._say()

    def _say(self) -> None:
        with self._lock:
            self.emit(self.meter.line())
            self.lines += 1

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.lines:
            self._say()


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
