"""l10n: gettext catalogs for a bilingual Markdown site."""
__version__ = "0.1.0"
