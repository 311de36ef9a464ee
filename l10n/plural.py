"""Counts in correct English: "1 error", "2 errors", "1,380 characters".

The forms go through :func:`gettext.ngettext`, so a translation of the messages chooses
its own plural forms.
"""

from __future__ import annotations

from gettext import ngettext


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with the noun in the form its number takes, thousands separated.

    >>> count(1, "error"), count(2, "error"), count(0, "entry", "entries"), count(1380034, "character")
    ('1 error', '2 errors', '0 entries', '1,380,034 characters')
    """
    return f"{n:,} {ngettext(singular, plural or singular + 's', n)}"
