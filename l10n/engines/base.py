"""The engine protocol: anything that turns source texts into draft translations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass(frozen=True)
class Job:
    """One distinct source text to translate, with optional context (the article title)."""

    text: str
    context: str | None = None


class Engine(Protocol):
    """A translation engine.

    ``name`` is recorded in every draft it makes; ``external`` engines send text off the
    machine (embargoed articles are kept from them); ``max_batch`` and ``max_batch_chars``
    bound one call of :meth:`translate`, whose result is one draft per job, in order.
    """

    name: str
    external: bool
    max_batch: int
    max_batch_chars: int

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> list[str]:
        ...
