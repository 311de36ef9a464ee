"""Quality checks on the German itself: numbers, quotes, punctuation, register, glossary.

Pure: an English text, its translation and the site's :class:`Policy` in, a list of
:class:`Finding` out. Each check is a small function; :func:`check` runs those the policy
keeps on, and :func:`consistency` compares reviewed entries across a site. Number and date
equivalence uses babel's locale data (``1,000.5`` = ``1.000,5``, ``July`` = ``Juli``).
A translator silences one check on one entry with the flag ``ignore-CODE`` (Weblate's
convention) or a translator comment ``l10n: ignore CODE`` (see :func:`silenced`).

>>> [f.code for f in check("Sales rose 51% in July.", "Der Umsatz stieg im Juli um 15 %.", Policy())]
['numbers']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import get_close_matches
from functools import lru_cache
from typing import Iterable, Iterator, Mapping, Sequence

from babel.dates import get_month_names
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal

ERROR, WARNING, OFF = "error", "warning", "off"
SEVERITIES = (ERROR, WARNING, OFF)
#: Every check's code and its default severity.
DEFAULTS: Mapping[str, str] = {
    "numbers": ERROR,
    "quotes": WARNING,
    "punctuation": WARNING,
    "untranslated": WARNING,
    "formality": ERROR,  # the register: du or Sie
    "glossary": WARNING,
    "consistency": WARNING,
}
CODES = tuple(DEFAULTS)
#: The checks of German conventions; other target languages get only the others.
GERMAN = frozenset({"numbers", "quotes", "punctuation", "formality"})
REGISTERS = ("du", "Sie")
#: German quotation styles: opening and closing mark (``«»``: Swiss guillemets).
QUOTE_STYLES = ("„“", "»«", "«»")


_SWISS = ("de_CH", "de_LI")
#: A Swiss decimal comma (``2,5``, ``1'000,5``): Swiss writing uses it outside prices and groups
#: thousands with an apostrophe, so only three digits after a lone comma (``2,500``) stay ambiguous.
_SWISS_COMMA = re.compile(r"(?:\d{1,3}(?:['’]\d{3})+|\d+),(?!\d{3}$)\d+")


@dataclass(frozen=True)
class Policy:
    """What to check and how loudly: severities by code, register, quotes, glossary terms."""

    severities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULTS))
    register: str | None = None  # "du", "Sie", or None: not checked
    quotes: str | None = None  # one of QUOTE_STYLES; None: the language's (Swiss «», else „“)
    glossary: Mapping[str, str] = field(default_factory=dict)  # English term -> German term
    lang: str = "de"  # the target language: checks of German conventions run only for German

    def severity(self, code: str) -> str:
        return self.severities.get(code, DEFAULTS[code])

    @property
    def locale(self) -> str:
        """The target language in babel's form (``de-CH`` is ``de_CH``)."""
        return self.lang.replace("-", "_")

    @property
    def swiss(self) -> bool:
        """Swiss Standard German (``de_CH``, ``de_LI``): ``ss`` for ``ß``, guillemets ``«»``."""
        return self.locale in _SWISS

    @property
    def quote_style(self) -> str:
        return self.quotes or ("«»" if self.swiss else "„“")


@dataclass(frozen=True)
class Finding:
    """One problem of one translation."""

    code: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def check(source: str, translation: str, policy: Policy, silence: Iterable[str] = ()) -> list[Finding]:
    """The findings on one translation (empty translations have none).

    >>> check("Is it safe?", "Ist es sicher.", Policy())[0].message
    "ends without '?' as the source does"
    """
    if not translation:
        return []
    off = set(silence)
    found = []
    german = policy.locale.split("_")[0] == "de"
    for code, test in _CHECKS:
        severity = policy.severity(code)
        if severity == OFF or code in off or (code in GERMAN and not german):
            continue
        found.extend(Finding(code, severity, m) for m in test(source, translation, policy))
    return found


_IGNORE_COMMENT = re.compile(r"l10n:\s*ignore\s+([\w ,-]+)", re.IGNORECASE)


def silencers(flags: Sequence[str], translator_comment: str) -> list[str]:
    """The codes an entry's flags ``ignore-CODE`` and comments ``l10n: ignore CODE, CODE``
    name, known or not, in order.

    >>> silencers(["fuzzy", "ignore-numbers"], "l10n: ignore quotes, formalty")
    ['numbers', 'quotes', 'formalty']
    """
    codes = [f[len("ignore-"):] for f in flags if f.startswith("ignore-")]
    if "10" in (translator_comment or ""):  # the "l10n:" of a silencer, in any case
        for m in _IGNORE_COMMENT.finditer(translator_comment):
            codes.extend(c for c in re.split(r"[\s,]+", m.group(1).strip()) if c)
    return list(dict.fromkeys(codes)) if codes else codes


def silenced(flags: Sequence[str], translator_comment: str) -> frozenset[str]:
    """The check codes silenced on an entry. A silence is a reviewer's word on the
    translation they reviewed: on a fuzzy entry (a machine draft, or one whose English
    changed since) it counts for nothing until the entry is reviewed again.

    >>> sorted(silenced(["ignore-numbers"], "l10n: ignore quotes, formality"))
    ['formality', 'numbers', 'quotes']
    >>> silenced(["fuzzy", "ignore-numbers"], "")
    frozenset()
    """
    if "fuzzy" in flags:
        return frozenset()
    return frozenset(silencers(flags, translator_comment))


# Weblate's checks (5.14), as its ``ignore-CHECK`` flags name them: a catalog kept in Weblate
# carries these for Weblate, and they are no typo of l10n's.
WEBLATE_FLAGS = frozenset(c.replace("_", "-") for c in """
    angularjs_format automattic_components_format bbcode begin_newline begin_space c_format
    c_sharp_format check_glossary double_space duplicate ellipsis end_colon end_ellipsis
    end_exclamation end_interrobang end_newline end_question end_semicolon end_space end_stop
    es_format escaped_newline fluent-parts fluent-references fluent-source-inner-html
    fluent-source-syntax fluent-target-inner-html fluent-target-syntax i18next_interpolation
    icu_message_format icu_message_format_syntax inconsistent java_format java_printf_format
    javascript_format kabyle-characters kashida long_untranslated lua_format max-length max-size
    md-link md-reflink md-syntax multiple_failures newline-count object_pascal_format
    optional_plural percent_placeholders perl_brace_format perl_format php_format placeholders
    plurals prohibited_initial_character punctuation_spacing python_brace_format python_format
    qt_format qt_plural_format regex reused rst-references rst-syntax ruby_format safe-html same
    same-plurals scheme_format translated unnamed_format url vue_format xml-invalid xml-tags
    zero-width-space""".split())


def unknown_silencers(flags: Sequence[str], translator_comment: str) -> list[str]:
    """The codes an entry silences that name no check (typos), each with the closest code.
    Weblate's own ``ignore-CHECK`` flags are left alone.

    >>> unknown_silencers(["ignore-numbres", "ignore-end-stop"], "l10n: ignore quotes")
    ["'numbres' names no check (did you mean 'numbers'?)"]
    """
    codes = silencers(flags, translator_comment)
    if not codes:  # the usual entry silences nothing
        return []
    weblate = {f[len("ignore-"):] for f in flags if f[len("ignore-"):] in WEBLATE_FLAGS}
    out = []
    for code in codes:
        if code in DEFAULTS or code in weblate:
            continue
        close = get_close_matches(code.lower(), CODES, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "checks: " + ", ".join(CODES)
        out.append(f"{code!r} names no check ({hint})")
    return out


# -- plain text ------------------------------------------------------------------------

_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_LINK_DEST = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_LINK_REF = re.compile(r"\]\[[^\]]*\]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->|<[a-z][a-z0-9+.-]*:[^<>\s]*>|<[^<>\s@]+@[^<>\s]+>",
                   re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>]+", re.IGNORECASE)
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@lru_cache(maxsize=4096)
def prose(md: str) -> str:
    """The words of inline Markdown: code spans, URLs and template tags become ``◊``, link
    targets and tags go; brackets and emphasis marks stay.

    >>> prose('See [the "docs"](https://x.org/a "t") and `"x"`.')
    'See [the "docs"] and ◊.'
    """
    text = _CODE_SPAN.sub("◊", md) if "`" in md else md
    if "]" in text:
        text = _LINK_REF.sub("]", _LINK_DEST.sub("]", text))
    if "<" in text:
        text = _TAG.sub("", text)
    if "{{" in text:
        text = _TEMPLATE.sub("◊", text)
    return _URL.sub("◊", text) if "://" in text or "www." in text.lower() else text


# -- numbers and dates -------------------------------------------------------------------

_GROUPED = r"\d{1,3}(?:[\u00a0\u202f\u2009'’]\d{3})+(?:[.,]\d+)?(?!\d)"
_NUMBER = re.compile(r"(?<![\w])(" + _GROUPED + r"|\d(?:[\d.,]*\d)?)"
                     r"(?:(?:st|nd|rd|th)\b)?"
                     r"(?:(?:[\s\u00a0\u202f]*|-)(?P<scale>[A-Za-zäöü]+\.?))?")
_DIGIT = re.compile(r"\d")
_ORDINAL = re.compile(r"(st|nd|rd|th)\b")
_TIME_EN = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\.?(?![\w])", re.IGNORECASE)
_TIME_DE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*Uhr\b")
_TIME_24 = re.compile(r"\b(\d{1,2}):(\d{2})\b")
#: The first time of a range that names its unit once: ``von 9 bis 17 Uhr``, ``9-11am``.
_TIME_DE_FROM = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?(?=\s*(?:bis|-|–)\s*\d{1,2}(?:[:.]\d{2})?\s*Uhr\b)")
_TIME_EN_FROM = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?(?=\s*(?:to|-|–)\s*\d{1,2}(?:[:.]\d{2})?\s*[ap]\.?\s?m\b)",
                           re.IGNORECASE)
#: Dates written with digits: German ``14.07.2026`` / ``14.7.``, and ISO ``2026-07-14``.
_DATE_DE = re.compile(r"(?<![\w.,])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?![.,]?\d)")
_DATE_ISO = re.compile(r"(?<![\w.-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")
#: Digits grouped by plain spaces (``10 000``), which German style allows.
_SPACED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d]|[.,]\d)")
_SCALES_EN = {"thousand": 3, "million": 6, "millions": 6, "billion": 9, "billions": 9, "trillion": 12,
              "bn": 9, "m": 6, "mn": 6, "k": 3, "tn": 12}
#: Abbreviations that may be a scale or a unit (``5m``: five million, or five metres).
_SCALES_OR_UNITS = frozenset({"m", "k"})
_SCALES_DE = {"tausend": 3, "tsd.": 3, "million": 6, "millionen": 6, "mio.": 6, "mio": 6, "milliarde": 9,
              "milliarden": 9, "mrd.": 9, "mrd": 9, "billion": 12, "billionen": 12, "bio.": 12}
_WORDS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve"),
    "de": ("null", "eins|ein|eine|einen|einem|einer", "zwei", "drei", "vier", "fünf", "sechs", "sieben",
           "acht", "neun", "zehn", "elf", "zwölf"),
}
_SCALE_WORD = re.compile(r"[\s\u00a0]+([A-Za-zäöü]+\.?)")
#: Times written as words in English that German writes with digits (``12 Uhr``).
_CLOCK_WORDS = {"noon": {"time 12:00"}, "midday": {"time 12:00"}, "midnight": {"time 00:00", "time 24:00"}}
_CLOCK_EN = re.compile(r"\b(?:noon|midday|midnight)\b", re.IGNORECASE)
#: Periods named by a letter and a number, in either language: ``Q3`` (drittes Quartal),
#: ``H1`` (erstes Halbjahr), ``FY2025`` (Geschäftsjahr 2025).
_PERIOD = re.compile(r"\b(?:Q|H|FY)(\d{1,4})\b")
#: German compounds opening with a small number: ``zehnjährige``, ``dreimal``, ``zweistellig``.
_COMPOUND_DE = re.compile(r"\b(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)(?:jährig|tägig|stündig|"
                          r"wöchig|monatig|minütig|köpfig|fach|mal|stellig|prozentig|seitig|teilig|stöckig|"
                          r"spurig|sitzig|gleisig|malig)\w*", re.IGNORECASE)
#: Ordinals written out, which may stand for ``5th`` or ``5.``.
_ORDINAL_WORDS = {
    "en": ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
           "eleventh", "twelfth"),
    "de": ("", "erst", "zweit", "dritt", "viert", "fünft", "sechst", "siebt", "acht", "neunt", "zehnt",
           "elft", "zwölft"),
}
#: Currencies as written next to an amount, in either language; ``$`` is every dollar and
#: ``¥`` either the yen or the yuan.
_CURRENCY_NAMES = {
    "dollar": "dollar dollars us-dollar us-dollars usd bucks",
    "euro": "euro euros eur €",
    "pound": "pound pounds pfund gbp £ sterling",
    "franc": "franc francs franken chf fr. sfr.",
    "yen": "yen jpy ¥",
    "yuan": "yuan cny rmb renminbi ¥",
}
_CURRENCIES: dict[str, frozenset[str]] = {}
for _family, _names in _CURRENCY_NAMES.items():
    for _name in _names.split():
        _CURRENCIES[_name] = _CURRENCIES.get(_name, frozenset()) | {_family}
_CURRENCY_AFTER = re.compile(r"(?:[\s\u00a0\u202f]*|-)((?:US[- ]?)?[Dd]ollars?|US-Dollars?|[A-Z]{0,2}\$|[Ee]uros?"
                             r"|[Pp]ounds?(?: [Ss]terling)?|Pfund(?: Sterling)?|Franken|[Ff]rancs?|S?Fr\.|[Yy]en"
                             r"|[Yy]uan|[Rr]enminbi|USD|EUR|GBP|CHF|JPY|CNY|RMB|[€£¥])(?![\w$€£¥])")
_CURRENCY_BEFORE = re.compile(r"(?<![\w$€£¥])([A-Z]{0,2}\$|[€£¥]|USD|EUR|GBP|CHF|JPY|CNY|S?Fr\.)[\s\u00a0\u202f]?$")


def _currency(name: str) -> frozenset[str]:
    """The currencies a written name may be (``C$``: a dollar)."""
    key = name.lower().replace("us ", "us-").split(" ")[0]
    return frozenset({"dollar"}) if key.endswith("$") else _CURRENCIES.get(key, frozenset())


@lru_cache(maxsize=None)
def _number_words(lang: str) -> tuple[dict[str, int], re.Pattern[str]]:
    """Small numbers written out, cardinal and ordinal: word -> value, and a pattern finding them."""
    words = {w: n for n, alternatives in enumerate(_WORDS[lang]) for w in alternatives.split("|")}
    for n, stem in enumerate(_ORDINAL_WORDS[lang]):
        if stem:
            words.update({stem + e: n for e in (("",) if lang == "en" else ("e", "er", "en", "em", "es"))})
    return words, re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=None)
def _cardinals(lang: str) -> frozenset[str]:
    """The words for two to twelve, which mean nothing else (``one`` and ``ein`` may be no number)."""
    return frozenset(_WORDS[lang][2:13])


@lru_cache(maxsize=None)
def _months(lang: str) -> dict[str, int]:
    """Month names (wide and abbreviated, capitalised as in prose) to numbers, from babel's
    locale data (``de_AT``: ``Jänner``)."""
    out: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale=lang).items():
            name = name.rstrip(".")
            out.setdefault(name[:1].upper() + name[1:], number)
    return out


@lru_cache(maxsize=None)
def _month_pattern(lang: str) -> re.Pattern[str]:
    names = sorted(_months(lang), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?=[A-ZÄÖÜ])(" + "|".join(map(re.escape, names)) + r")\b\.?")


@lru_cache(maxsize=8192)
def _values(token: str, lang: str) -> frozenset:
    """What a written number may mean: its value by the language's conventions, the other
    language's (a version number kept as written), and the token itself. German outside
    Switzerland is also read as Germany writes it: Austrian writers use ``1.000`` whatever
    separator a babel version has for ``de_AT``."""
    out: set = {token}
    cleaned = re.sub(r"[\u00a0\u202f\u2009]", "", token)
    if lang == "en":
        locales: tuple[str, ...] = ("en",)
    elif lang.startswith("de_") and lang not in _SWISS:
        locales = (lang, "de", "en")
    else:
        locales = (lang, "en")
    for locale in locales:
        try:
            out.add(_parse(cleaned, locale).normalize())
        except (NumberFormatError, ValueError, ArithmeticError):
            pass
    if lang in _SWISS and _SWISS_COMMA.fullmatch(cleaned):
        out.add(Decimal(re.sub(r"['’]", "", cleaned).replace(",", ".")).normalize())
    return frozenset(out)


def _parse(text: str, locale: str) -> Decimal:
    """A number as ``locale`` writes it; babel's strict mode refuses some well-grouped ones
    (``1'250'000`` in ``de_CH``), which are read here when their groups are all of three.

    >>> _parse("1'250'000", "de_CH"), _parse("1.250.000,5", "de")
    (Decimal('1250000'), Decimal('1250000.5'))
    """
    group = get_group_symbol(locale)
    if group in "'’":  # Swiss: babel's data has one apostrophe or the other, writers use both
        text = text.replace("’", group).replace("'", group)
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        group, point = re.escape(group), re.escape(get_decimal_symbol(locale))
        if re.fullmatch(rf"\d{{1,3}}(?:{group}\d{{3}})+(?:{point}\d+)?", text):
            return parse_decimal(text, locale=locale)
        raise


@dataclass
class _Number:
    shown: str
    values: set
    sure: bool = True  # False: a number word or an ambiguous month, matched only if it helps
    word: bool = False  # written out: flagged only against a number of the other side
    currency: frozenset[str] = frozenset()  # what the amount is in, where the text says

    def means(self, other: _Number) -> bool:
        """Whether the two may be the same: a value in common, and no two different currencies."""
        return bool(self.values & other.values) and (
            not self.currency or not other.currency or bool(self.currency & other.currency))


def numbers(text: str, lang: str, words: bool = False, dates: bool = True, spaced: bool = False) -> list[_Number]:
    """The numbers, times, dates and month names in ``text`` written in ``lang`` (``en`` or a
    German locale); with ``words``, also small numbers written out (``three``, ``drei``,
    ``fünfte``); in German, ``dates`` reads ``14.07.2026`` as a date and ``spaced`` reads
    ``10 000`` as one number.

    >>> [(n.shown, Decimal(5000000) in n.values) for n in numbers("$5 million on July 3rd", "en")]
    [('$5 million', True), ('3rd', False), ('July', False)]
    >>> [sorted(map(str, n.values)) for n in numbers("am 14.07.2026", "de")]
    [['14'], ['month 7'], ['2026']]
    """
    text = prose(text)
    german = lang != "en"
    if german and spaced and " " in text:
        text = _SPACED.sub(lambda m: m.group(0).replace(" ", "\u202f"), text)
    found: list[_Number] = []
    taken: list[tuple[int, int]] = []
    digits = _DIGIT.search(text) is not None

    def free(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in taken)

    times = () if not digits else (_TIME_DE, _TIME_DE_FROM, _TIME_24) if german else (
        _TIME_EN, _TIME_EN_FROM, _TIME_24)
    for pattern in times:
        for m in pattern.finditer(text):
            if not free(*m.span()):
                continue
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            hours = {hour}
            if pattern is _TIME_EN and m.group(3).lower() == "p" and hour < 12:
                hours = {hour + 12}
            elif pattern is _TIME_EN and m.group(3).lower() == "a" and hour == 12:
                hours = {0}
            elif pattern is _TIME_EN_FROM and hour < 12:
                hours = {hour, hour + 12}  # "10-2pm" or "9-11pm": the range's end does not say
            shown = m.group(0).strip()
            if pattern is _TIME_EN and shown.endswith("m.") and not shown.endswith(".m."):
                shown = shown[:-1]  # "7.45pm.": the sentence's full stop
            found.append(_Number(shown, {f"time {h:02d}:{minute:02d}" for h in hours}))
            taken.append(m.span())
    for pattern in ((_DATE_ISO, _DATE_DE) if german and dates else (_DATE_ISO,)) if digits else ():
        for m in pattern.finditer(text):
            day, month, year = (m.group(1), m.group(2), m.group(3)) if pattern is _DATE_DE else m.group(3, 2, 1)
            if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12) or not free(*m.span()):
                continue
            found.append(_Number(day, {Decimal(int(day))}))
            found.append(_Number(m.group(0), {f"month {int(month)}"}))
            if year:
                full = int(year) + (2000 if len(year) == 2 else 0)
                found.append(_Number(year, {Decimal(int(year)), Decimal(full)}))
            taken.append(m.span())
    for m in _PERIOD.finditer(text) if digits else ():
        found.append(_Number(m.group(0), {Decimal(int(m.group(1)))}))
    scales = _SCALES_DE if german else _SCALES_EN
    for m in _NUMBER.finditer(text) if digits else ():
        if not free(m.start(), m.end(1)):
            continue
        token = m.group(1)
        values = _values(token, lang)
        scale = (m.group("scale") or "").lower()
        power = scales.get(scale) or scales.get(scale.rstrip("."))
        if power:
            scaled = {v.scaleb(power).normalize() for v in values if isinstance(v, Decimal)}
            values = (values | scaled) if not german and scale in _SCALES_OR_UNITS else (scaled or values)
        suffix = _ORDINAL.match(text, m.end(1))
        ordinal = m.group(1) + suffix.group(1) if suffix else None
        start, end = m.start(), m.end("scale") if power else suffix.end() if suffix else m.end(1)
        if power and not german and scale.endswith("."):
            end -= 1  # a sentence's full stop
        currency: frozenset[str] = frozenset()
        before = _CURRENCY_BEFORE.search(text, max(0, start - 4), start)
        after = _CURRENCY_AFTER.match(text, end)
        if before:
            currency, start = _currency(before.group(1)), before.start()
        elif after:
            currency, end = _currency(after.group(1)), after.end()
        shown = text[start:end] if power or currency else ordinal or token
        found.append(_Number(shown.strip(), values | ({ordinal} if ordinal else set()), currency=currency))
    for m in _month_pattern(lang).finditer(text):
        name = m.group(1)
        near = re.search(r"\d", text[max(0, m.start() - 4):m.end() + 4])
        sure = not (lang == "en" and name == "May" and not near)
        found.append(_Number(name, {f"month {_months(lang)[name]}"}, sure))
    values, pattern = _number_words("de" if german else "en")
    cardinals = _cardinals("de" if german else "en")
    for m in pattern.finditer(text):
        name = m.group(0)
        # two to twelve standing alone are compared by value (five is not vier); other words
        # ("one", "ein", ordinals, "five-year", a capitalised "Acht" inside a sentence) only help
        sure = (name.lower() in cardinals and text[m.start() - 1:m.start()] != "-" and text[m.end():m.end() + 1] != "-"
                and (name[0].islower() or text[:m.start()].rstrip(" *_\t")[-1:] in ("", "\n", *_SENTENCE_START)))
        if not (words or sure):
            continue
        value, end, currency = Decimal(values[name.lower()]), m.end(), frozenset()
        word = {value}
        after = _SCALE_WORD.match(text, end)
        power = after and scales.get(after.group(1).lower())
        if power:  # "fünf Milliarden Euro"
            word, end = {value.scaleb(power).normalize()}, after.end()
            money = _CURRENCY_AFTER.match(text, end)
            if money:
                currency, end = _currency(money.group(1)), money.end()
        found.append(_Number(text[m.start():end], word, sure=sure, currency=currency, word=True))
    if words:
        if not german:
            found.extend(_Number(m.group(0), _CLOCK_WORDS[m.group(0).lower()], sure=False)
                         for m in _CLOCK_EN.finditer(text))
        if german:
            found.extend(_Number(m.group(0), {Decimal(values[m.group(1).lower()])}, sure=False)
                         for m in _COMPOUND_DE.finditer(text))
    return found


def _match(left: list[_Number], right: list[_Number]) -> tuple[list[_Number], list[_Number]]:
    """The sure numbers of each side that no number of the other side can stand for."""
    pairs: dict[int, int] = {}  # right index -> left index

    def assign(i: int, seen: set[int]) -> bool:
        for j, r in enumerate(right):
            if j in seen or not left[i].means(r):
                continue
            seen.add(j)
            if j not in pairs or assign(pairs[j], seen):
                pairs[j] = i
                return True
        return False

    order = sorted(range(len(left)), key=lambda i: not left[i].sure)
    matched = {i for i in order if assign(i, set())}
    return ([n for i, n in enumerate(left) if n.sure and i not in matched],
            [n for j, n in enumerate(right) if n.sure and j not in pairs])


#: Ways to read the German, tried in turn until one agrees with the English: dates read as
#: dates or not (``Version 2.1.``), digits grouped by plain spaces or not (a phone number).
_READINGS = ((True, False), (False, False), (True, True))


#: A number written with a decimal point as English writes it (``2.5``, ``1,000.5``), not part of a
#: version, section, address or date (``GPT-4.1``, ``3.2.1``, ``14.7.``), and followed by what makes
#: it a quantity: a percent sign, a scale, a currency or a unit (``2.5 Prozent``, ``1.5 Millionen``).
_POINT = re.compile(r"(?<![\w.,'’/§-])(\d{1,3}(?:,\d{3})+|\d+)\.(\d+)(?![\w'’/-]|[.,]\d)")
_QUANTITY_DE = re.compile(
    r"[\s\u00a0\u202f]*(?:%|‰|Prozent\w*|Promille|Mio\.|Mrd\.|Bio\.|Tsd\.|Millionen|Milliarden|Billionen|Million|"
    r"Milliarde|Tausend|Euro|Dollar|US-Dollar|Pfund|Franken|Yen|Yuan|[€$£¥]|EUR|USD|GBP|CHF|km|m|cm|mm|kg|g|t|l|"
    r"Kilometer|Meter|Zentimeter|Kilogramm|Gramm|Tonnen|Liter|Grad|°C?|Stunden|Minuten|Sekunden|Jahre|Monate|"
    r"Wochen|Tage|Punkte|Prozentpunkte|Hektar|Quadratmeter|Einwohner\w*|Menschen|Personen)(?![\w$€£¥])")
_CURRENCY_SIGN_BEFORE = re.compile(r"(?:[€$£¥]|EUR|USD|GBP)[\s\u00a0\u202f]?$")


def check_decimal_point(source: str, translation: str, policy: Policy) -> Iterator[str]:
    """An English decimal point kept in German (``2.5 Prozent``): German writes a comma. Only a
    quantity the English writes with the same digits and point; Swiss German writes both."""
    if policy.swiss or "." not in translation:
        return
    src, dst = prose(source), prose(translation)
    english = {m.group(0) for m in _POINT.finditer(src)}
    for m in _POINT.finditer(dst):
        if m.group(0) not in english:
            continue
        quantity = _QUANTITY_DE.match(dst, m.end()) or _CURRENCY_SIGN_BEFORE.search(dst, 0, m.start())
        if quantity:
            comma = m.group(1).replace(",", ".") + "," + m.group(2)
            yield f"{m.group(0)!r} has an English decimal point: the German decimal separator is a comma ({comma!r})"
            return


def check_numbers(source: str, translation: str, policy: Policy) -> Iterator[str]:
    yield from check_decimal_point(source, translation, policy)
    best: tuple[list[_Number], list[_Number]] | None = None
    german = prose(translation)
    readings = [r for r in _READINGS if (r[0] or _DATE_DE.search(german)) and (not r[1] or _SPACED.search(german))]
    for words in (False, True):  # perhaps written out on the other side: look again, words included
        english = numbers(source, "en", words)
        for dates, spaced in readings:
            missing, extra = _match(english, numbers(translation, policy.locale, words, dates, spaced))
            # a number written out is flagged against an unmatched number of the other side, not alone
            # ("the two of them" is "die beiden", "a decade" may be "zehn Jahre")
            missing, extra = ([n for n in missing if extra or not n.word],
                              [n for n in extra if missing or not n.word])
            if not missing and not extra:
                return
            if best is None or len(missing) + len(extra) < len(best[0]) + len(best[1]):
                best = missing, extra
    assert best is not None
    missing, extra = best
    parts = []
    if missing:
        parts.append(f"lacks {', '.join(repr(n.shown) for n in missing)} of the source")
    if extra:
        parts.append(f"has {', '.join(repr(n.shown) for n in extra)}, not in the source")
    yield "the translation " + " and ".join(parts)


# -- quotation marks ---------------------------------------------------------------------

#: Marks that do not belong to a style: English ones (an opening ``“`` or ``‘`` before a
#: word), ASCII ones, and the other styles' (``«Wort»`` in ``»«``: guillemets turned round).
_WRONG_QUOTES = {
    "„“": re.compile(r"\"|”|(?<![\w.,!?…])[“‘](?=\w)|«|»"),
    "»«": re.compile(r"\"|”|“|„|(?<![\w.,!?…])‘(?=\w)|«(?=\w)|(?<=[\w.,!?…])»"),
    "«»": re.compile(r"\"|”|“|„|(?<![\w.,!?…])‘(?=\w)|»(?=\w)|(?<=[\w.,!?…])«"),
}
#: ASCII single quotes used as quotation marks: a pair around words, not an apostrophe
#: (``geht's``, ``Max' Hund``).
_ASCII_SINGLE = re.compile(r"(?<!\w)'(?=\w)[^'\n]{2,}(?<=[\w.,!?…])'(?!\w)")  # not Rock 'n' Roll


def check_quotes(source: str, translation: str, policy: Policy) -> Iterator[str]:
    text = prose(translation)
    wrong = _WRONG_QUOTES[policy.quote_style].findall(text)
    if "'" in text and _ASCII_SINGLE.search(text):
        wrong.append("'")
    if wrong:
        opening, closing = policy.quote_style
        yield (f"quotation marks {' '.join(sorted(set(wrong)))} in German prose: use {opening}…{closing}")


# -- punctuation and spacing -------------------------------------------------------------

_CLOSERS = " \t*_~)]\"'“”„»«’‘"
_END = ("?", "!", ":", "…")
_DOUBLE_SPACE = re.compile(r"(?<=\S)  +(?=\S)")
_SPACE_BEFORE = re.compile(r"\w +(?:[,;!?](?!\w)|\.(?![\w.])|:(?=\s|$))")  # "Warte ..." is Duden's ellipsis
_NO_SPACE_AFTER = re.compile(r"[,;](?<=[a-zäöüß]{2}[,;])(?=[A-Za-zÄÖÜäöü])|[.!?](?<=[a-zäöüß]{2}[.!?])(?=[A-ZÄÖÜ][a-zäöüß])")
_ABBREVIATION = re.compile(r"\.(?<=(?<![\w.])[a-zäöü]\.)([a-zäöüA-ZÄÖÜ])\.(?=\W|$)")


def _end(text: str) -> str:
    text = text.rstrip(_CLOSERS)
    if text.endswith("..."):
        return "…"
    return text[-1:] if text[-1:] in _END else ""


def check_punctuation(source: str, translation: str, policy: Policy) -> Iterator[str]:
    src, dst = prose(source), prose(translation)
    want = _end(src)
    if want and _end(dst) != want:
        yield f"ends without {want!r} as the source does"
    if translation[:1].isspace() and not source[:1].isspace():
        yield "starts with a space the source lacks"
    if translation[-1:].isspace() and not source[-1:].isspace():
        yield "ends with a space the source lacks"
    if "  " in dst and _DOUBLE_SPACE.search(dst.strip()) and not _DOUBLE_SPACE.search(src):
        yield "doubled space"
    before = _SPACE_BEFORE.search(dst) if " " in dst else None
    if before:
        yield f"space before {before.group(0)[-1]!r}"
    after = _NO_SPACE_AFTER.search(dst)
    if after:
        yield f"no space after {after.group(0)!r}: {dst[max(0, after.start() - 8):after.end() + 8]!r}"
    for m in _ABBREVIATION.finditer(dst) if "." in dst else ():
        first = dst[m.start() - 1]
        yield f"{first + m.group(0)!r} without its space: write '{first}. {m.group(1)}.'"


# -- untranslated ------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


#: Words a sentence in English is unlikely to do without; a source text with none of them
#: (a cited German headline) may stay as it is.
_ENGLISH = frozenset("a an the of to in on for with and or but is are was were be has have had "
                     "will would can could this that it its by from at as not".split())


def check_untranslated(source: str, translation: str, policy: Policy) -> Iterator[str]:
    if translation.strip() != source.strip():
        return
    words = _WORD.findall(prose(source))
    if len(words) >= 4 and any(w.lower() in _ENGLISH for w in words):
        yield "the translation is the English text: translate it"


# -- register ----------------------------------------------------------------------------

_QUOTED = re.compile(r"„[^“”\"]*[“”\"]|»[^«]*«|«[^»]*»|\"[^\"]*\"|“[^”]*”")
_DU_VERBS = "kannst musst willst sollst darfst hast bist wirst weißt weisst möchtest".split()
#: Informal pronouns in any case (``Du`` in letters), informal verb forms in lower case or
#: opening a sentence (a capitalised ``Hast`` within one is the noun *haste*).
_DU = re.compile(r"\b(?i:du|dich|dir|dein|deine|deinen|deinem|deiner|deines|euch|euer|eure|euren|eurem|"
                 r"eurer|eures)\b|\b(?:" + "|".join(_DU_VERBS) + r")\b"
                 r"|(?:^|(?<=[.!?:;„»«\"] )|(?<=[„»«\"]))(?:" + "|".join(v.title() for v in _DU_VERBS) + r")\b")
#: The informal plural ``ihr`` as a subject: next to a verb form only the 2nd person plural has
#: (``Habt ihr``, ``ihr seid``); ``ihr`` alone may be dative *her* or the possessive.
_IHR_VERBS = "habt|seid|könnt|wollt|müsst|dürft|sollt|wisst|werdet|möchtet"
_IHR = re.compile(r"\b(?i:(?:" + _IHR_VERBS + r")\s+ihr|ihr\s+(?:" + _IHR_VERBS + r"))\b")
#: Capitalised formal pronouns; only outside sentence starts, where ``Sie`` may be ``she``.
_SIE = re.compile(r"\b(?:Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b")
_SENTENCE_START = ".!?:;…[(„»«\"“#>"  # after one of these (or at the start), "Sie" may be "she"
#: A source that speaks to the reader and of no third person or thing: a German sentence opening with
#: ``Sie`` or ``Ihre`` then addresses the reader too (``Ihr`` alone may be the informal plural).
_YOU = re.compile(r"\byou(?:rs?|rself|rselves)?\b", re.IGNORECASE)
_THIRD = re.compile(r"\b(?:she|her|hers|herself|they|them|their|theirs|themselves|it|its|itself)\b",
                    re.IGNORECASE)  # "it": "die App" is "sie" in German
_OPENING_FORMAL = frozenset({"Sie", "Ihnen", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres"})


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def check_register(source: str, translation: str, policy: Policy) -> Iterator[str]:
    if policy.register is None:
        return
    text = _outside_quotes(prose(translation))
    if policy.register == "Sie":
        found = sorted({m.group(0) for m in _DU.finditer(text)} | {m.group(0) for m in _IHR.finditer(text)})
        if found:
            yield f"informal {', '.join(repr(w) for w in found)}: the site addresses readers with 'Sie'"
        return
    addressed = _YOU.search(source) is not None and _THIRD.search(source) is None
    found = sorted({m.group(0) for m in _SIE.finditer(text)
                    if (addressed and m.group(0) in _OPENING_FORMAL)
                    or not text[:m.start()].rstrip(" *_\t")[-1:] in ("", "\n", *_SENTENCE_START)})
    if found:
        yield f"formal {', '.join(repr(w) for w in found)}: the site addresses readers with 'du'"


# -- glossary ----------------------------------------------------------------------------

_ENDING = re.compile(r"(?:en|er|um|es|e|n|s)$")


@lru_cache(maxsize=1024)
def _source_term(term: str) -> re.Pattern[str]:
    """An English term, in any case unless written with capitals, plural ``s`` allowed."""
    flags = 0 if any(c.isupper() for c in term[1:]) else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?:s|es)?(?![\w])", flags)


@lru_cache(maxsize=1024)
def _target_stems(term: str) -> tuple[str, ...]:
    """The stems of a German term's words, so inflected forms and compounds match.

    >>> _target_stems("Rechenzentrum"), _target_stems("offene Gewichte")
    (('rechenzentr',), ('offen', 'gewicht'))
    """
    stems = []
    for word in term.lower().split():
        stem = _ENDING.sub("", word) if len(word) > 4 else word
        stems.append(stem)
    return tuple(stems)


def check_glossary(source: str, translation: str, policy: Policy) -> Iterator[str]:
    if not policy.glossary:
        return
    src, dst = prose(source), prose(translation)
    low = dst.lower()
    for term, target in policy.glossary.items():
        if not _source_term(term).search(src):
            continue
        if policy.swiss:  # Swiss German writes ss for ß: "Strasse" is "Straße"
            target, dst, low = target.replace("ß", "ss"), dst.replace("ß", "ss"), low.replace("ß", "ss")
        if term == target:
            ok = target in dst
        else:
            ok = all(stem in low for stem in _target_stems(target))
        if not ok:
            yield f"glossary: {term!r} should be {target!r}"


_CHECKS = (
    ("numbers", check_numbers),
    ("quotes", check_quotes),
    ("punctuation", check_punctuation),
    ("untranslated", check_untranslated),
    ("formality", check_register),
    ("glossary", check_glossary),
)


# -- consistency across a site -------------------------------------------------------------

@dataclass(frozen=True)
class Use:
    """A reviewed translation of an English text in one catalog."""

    source: str
    translation: str
    catalog: str
    line: int
    silence: frozenset[str] = frozenset()


def consistency(uses: Iterable[Use], policy: Policy) -> list[tuple[Use, Finding]]:
    """Each reviewed translation that differs from another one of the same English text.

    >>> a, b = Use("Hello", "Hallo", "a.po", 3), Use("Hello", "Servus", "b.po", 9)
    >>> [(u.catalog, f.message) for u, f in consistency([a, b], Policy())]
    [('a.po', "'Hallo' here, also translated 'Servus' (b.po:9)"), ('b.po', "'Servus' here, also translated 'Hallo' (a.po:3)")]
    """
    severity = policy.severity("consistency")
    if severity == OFF:
        return []
    by_source: dict[str, list[Use]] = {}
    for u in uses:
        by_source.setdefault(u.source, []).append(u)
    out = []
    for group in by_source.values():
        if len({u.translation for u in group}) < 2:
            continue
        for u in group:
            if "consistency" in u.silence:
                continue
            others = [o for o in group if o.translation != u.translation]
            shown = "; ".join(f"{o.translation!r} ({o.catalog}:{o.line})" for o in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            out.append((u, Finding("consistency", severity,
                                   f"{u.translation!r} here, also translated {shown}{more}")))
    return out
