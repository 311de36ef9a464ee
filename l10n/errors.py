"""The one exception family of the project: every error knows its file and line."""

from __future__ import annotations

from pathlib import Path


class L10nError(Exception):
    """An error in input or configuration, printed as ``path:line: message``.

    >>> str(L10nError("bad value", path=Path("a.md"), line=3))
    'a.md:3: bad value'
    >>> str(L10nError("no config"))
    'no config'
    """

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message


class ConfigError(L10nError):
    """The ``[tool.l10n]`` configuration or a command-line choice is unusable."""


class InputError(L10nError):
    """A source article or a catalog cannot be read."""


class EngineError(L10nError):
    """A translation engine stopped the run; what was done before is kept."""

