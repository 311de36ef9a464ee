"""``python -m l10n``: the command line."""

from .cli import entry

entry()
