"""The engine protocol: anything that turns source texts into draft translations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from ..errors import EngineError


@dataclass(frozen=True)
class Job:
    """One distinct source text to translate, with optional context (the article title)."""

    text: str
    context: str | None = None


@dataclass(frozen=True)
class BatchResult:
    """What one call of :meth:`Engine.translate` brought back.

    ``drafts`` has one item per job, in order: the draft, or None when it was not received
    because the engine stopped with ``fault`` part-way. Drafts received before a fault are
    paid for: the workflow keeps them.
    """

    drafts: tuple[str | None, ...]
    fault: EngineError | None = None
    #: What the engine answered for each job before its markup was put back (the translated
    #: protected text), for engines that work on protected text; see :class:`Protecting`.
    replies: tuple[str | None, ...] = ()

    @classmethod
    def of(cls, drafts: Sequence[str]) -> "BatchResult":
        return cls(tuple(drafts))


class Protecting(Protocol):
    """An engine that sends protected text (markup as tags, link targets kept home). Two
    texts with the same protected text are one text to it: the workflow sends one and
    rebuilds the other's draft from the reply (:meth:`rebuild`)."""

    def protected(self, text: str) -> str:
        ...

    def rebuild(self, text: str, reply: str) -> str:
        ...


class Engine(Protocol):
    """A translation engine.

    ``name`` is recorded in every draft it makes; ``external`` engines send text off the
    machine (embargoed articles are kept from them); ``max_batch`` and ``max_batch_chars``
    bound one call of :meth:`translate`.
    """

    name: str
    external: bool
    max_batch: int
    max_batch_chars: int

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> BatchResult:
        ...
