"""Links between the two sites: where a German article may and does link for an English link.

Pure: the site's URL forms and what is published come in as data (:class:`Links`), built at
the edges (:func:`l10n.workflow.site_links`). A form is a pair of prefixes, the English and
the German address of the same place (``https://news.example/en/`` and
``https://news.example/de/``, or root-relative ``/en/`` and ``/de/``). For a link to the
site, a translation may keep the English destination or use the German one (nothing
else): :meth:`Links.allowed` is what the comparisons accept. What the German article then
links to is decided here, not by the translator (:meth:`Links.localise`): a link to a source
article goes to its German article when that is published, else to the English one; a link
to a heading of another article (``/en/story/x/#details``) stays English, as the German
article's headings have German ids; a link to any other page of the site (a tag, the home
page) stays as the translation wrote it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import AbstractSet, Callable, Hashable, Iterable, Iterator, Mapping, Sequence, TypeVar

T = TypeVar("T", bound=Hashable)

#: Code spans (kept as they are), inline link destinations and autolinks in inline Markdown.
#: Each alternative starts with its character, so that the engine skips to them.
_DESTINATIONS = re.compile(
    r"`(?P<code>`*)[\s\S]*?`(?P=code)"
    r"|\]\((?P<lead>[ \t\n]*<?)(?P<dest>[^\s()<>]+)"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")


def _may_link(md: str) -> bool:
    """False only for text in which :data:`_DESTINATIONS` finds no destination: each starts
    after ``](`` or ``<``, and without them the pattern matches code spans alone."""
    return "](" in md or "<" in md


#: Hugo's ``ref`` and ``relref`` shortcodes, with their parameters: positional (the page,
#: then an output format) or named (``path``, ``lang``, ``outputFormat``), each in double
#: quotes or backquotes (a raw string), which Hugo reads alike.
#: Spaces between them may be line breaks.
_REF = re.compile(r'\{\{(?P<open>[<%])[ \t\r\n]*(?P<rel>rel)?ref'
                  r'(?P<params>(?:[ \t\r\n]+(?:[A-Za-z]+=)?(?:"[^"]*"|`[^`]*`))+)[ \t\r\n]*(?P<close>[>%])\}\}')
_PARAM = re.compile(r'[ \t\r\n]+(?:(?P<name>[A-Za-z]+)=)?(?:"(?P<quoted>[^"]*)"|`(?P<raw>[^`]*)`)')


def _quoted(value: str) -> str:
    """A shortcode parameter as Hugo reads it: in double quotes, or as a raw string when it
    holds one (a parameter read from one kind of quotes never holds that kind)."""
    return f'`{value}`' if '"' in value else f'"{value}"'


def _ref_params(params: str) -> dict[str, str] | None:
    """A ref's parameters by name (``path``, ``lang``, ``outputformat``), or None for a mix
    of named and positional ones, which Hugo refuses.

    >>> _ref_params(' "b.md#x" `html`'), _ref_params(' path="b.md" outputFormat="amp"')
    ({'path': 'b.md#x', 'outputformat': 'html'}, {'path': 'b.md', 'outputformat': 'amp'})
    """
    found = [(m.group("name"), m.group("quoted") if m.group("raw") is None else m.group("raw"))
             for m in _PARAM.finditer(params)]
    named = {name.lower() for name, _ in found if name}
    if not named:
        return dict(zip(("path", "outputformat"), (value for _, value in found)))
    return {name.lower(): value for name, value in found} if len(named) == len(found) else None

#: A leading YAML front-matter block (a byte order mark before it included).
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^---[ \t]*$", re.DOTALL | re.MULTILINE)


def _applied(md: str, changes: Sequence[tuple[int, int, str]]) -> Iterator[str]:
    """``md`` with each (start, end, text) of ``changes`` (in order, apart) put in."""
    at = 0
    for start, end, new in changes:
        yield md[at:start]
        yield new
        at = end
    yield md[at:]


def _image_sources(md: str) -> Counter:
    """The image sources of inline Markdown as the parser reads them (an image is a file,
    not a page with a German twin: :meth:`Links.rewrite` leaves them as written)."""
    from .structure import inline_facts  # structure imports this module

    return Counter({value: n for (kind, value), n in inline_facts(md).items() if kind == "image"})


def key(rest: str) -> str:
    """An address below a form, as articles are told apart: no query, fragment or end slash.

    >>> key("story/x/?ref=a#part"), key("story/x")
    ('story/x', 'story/x')
    """
    return re.split(r"[?#]", rest, maxsplit=1)[0].rstrip("/")


def path_address(path: str, slug: str | None = None) -> str:
    """The address of an article without a ``url``, as Hugo makes it by default: its path
    below the content folder without ``.md`` (a page bundle's ``index.md`` is its folder),
    the last part replaced by its ``slug``, in lower case with spaces as hyphens.

    >>> path_address("news/Ferry Times.md"), path_address("news/tram/index.md"), path_address("a.md", "b")
    ('news/ferry-times', 'news/tram', 'b')
    """
    parts = path.removesuffix(".md").split("/")
    if parts[-1] in ("index", "_index"):
        parts.pop()
    elif slug is not None:
        parts[-1] = slug.strip().strip("/")
    return key("/".join(parts).lower().replace(" ", "-"))


def fragment(rest: str) -> str:
    """The fragment of an address (``details`` of ``story/x/#details``), or ``""``.

    >>> fragment("story/x/#details"), fragment("story/x/?a=1"), fragment("story/x#")
    ('details', '', '')
    """
    return rest.partition("#")[2]


def forms(templates: Sequence[str], source: str, lang: str) -> tuple[tuple[str, str], ...]:
    """Prefix pairs from templates with ``{lang}``, longest first.

    >>> forms(["/{lang}/", "https://n.example/{lang}/"], "en", "de")
    (('https://n.example/en/', 'https://n.example/de/'), ('/en/', '/de/'))
    """
    pairs = {(t.format(lang=source, source=source), t.format(lang=lang, source=source)) for t in templates}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


def derived_forms(urls: Iterable[str], rules: Mapping[str, str]) -> list[str]:
    """Form templates derived from the front-matter ``url`` rewrite rules (already formatted
    with the source language as ``{lang}``'s English value is not known here: ``rules`` maps
    a template such as ``/{source}/`` to ``/{lang}/``): the root-relative rule itself, and
    each site (scheme and host) that an article's ``url`` names before the rule.

    >>> derived_forms(["https://n.example/en/story/a", "/en/b"], {"/{source}/": "/{lang}/"})
    ['/{lang}/', 'https://n.example/{lang}/']
    """
    found: list[str] = []
    for old, new in rules.items():
        if "{source}" not in old or old.replace("{source}", "{lang}") != new:
            continue  # only a rule that swaps the language makes a form
        if old.startswith("/"):
            found.append(new)
    sites = set()
    for url in urls:
        match = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]+", url)
        if match:
            sites.add(match.group(0))
    return found + [site + t for site in sorted(sites) for t in found]


@dataclass(frozen=True)
class Links:
    """What one language's articles need to know about the site's links (see the module doc).

    ``pairs``: (English prefix, German prefix), longest first; ``articles``: the address of
    every source article below its prefix (:func:`key`); ``published``: those whose German
    article is published (any set: the site's may judge its members when asked).
    """

    pairs: tuple[tuple[str, str], ...] = ()
    articles: frozenset[str] = frozenset()
    published: AbstractSet[str] = frozenset()
    #: Every source article's path below the content folder, those published in the target
    #: language, and the source language (for Hugo's ``ref`` shortcodes, which name pages).
    pages: frozenset[str] = frozenset()
    published_pages: AbstractSet[str] = frozenset()
    source: str = "en"

    def page(self, ref: str, here: str) -> str | None:
        """The source article a ``ref`` shortcode names, found as Hugo finds it: from the
        folder of the page ``here``, then from the content folder, then by its name alone
        when one article has it; None when it names no article. Hugo ignores case.

        >>> site = Links(pages=frozenset({"news/a.md", "news/b/index.md", "c.md"}))
        >>> site.page("b", "news/a.md"), site.page("/C.md", "news/a.md"), site.page("A.md", "c.md")
        ('news/b/index.md', 'c.md', 'news/a.md')
        """
        path = ref.strip().lower()
        if not path or not self.pages:
            return None
        pages = self._pages_by_lower_case
        roots = [path.lstrip("/")] if path.startswith("/") else \
            [posixpath.normpath(posixpath.join(posixpath.dirname(here.lower()), path)), path]
        for root in roots:
            for candidate in (root, root + ".md", root + "/index.md", root + "/_index.md"):
                if candidate in pages:
                    return pages[candidate]
        name = path.rstrip("/").removesuffix(".md")
        named = [p for lower, p in pages.items() if lower.removesuffix(".md").rsplit("/", 1)[-1] == name
                 or lower.endswith(("/index.md", "/_index.md")) and lower.rsplit("/", 2)[-2] == name]
        return named[0] if len(named) == 1 else None

    @cached_property
    def _pages_by_lower_case(self) -> dict[str, str]:
        """The pages by their paths in lower case, as Hugo looks them up."""
        return {p.lower(): p for p in sorted(self.pages)}

    def refs(self, md: str, here: str, ids: Callable[[], Mapping[str, str]] | None = None) -> str:
        """``md`` (the German article ``here``) with each ``ref``/``relref`` to an article
        that has no German page pointing at the source language's page (``lang="en"``), which
        Hugo links; as written, Hugo would stop the German build (REF_NOT_FOUND). A ref that
        names a heading (``#fragment``) points there too, as a Markdown link does
        (:meth:`localise`): the German page's headings have German anchors. So does a ref
        to a heading of the article itself (``"#fragment"``) when ``ids`` (the German id of
        each English heading id, when known) gives that heading another id.

        >>> site = Links(pages=frozenset({"a.md", "b.md"}), published_pages=frozenset({"a.md"}))
        >>> print(site.refs('[A]({{< ref "a.md" >}}), [B]({{< relref "b.md#x" >}})', "c.md"))
        [A]({{< ref "a.md" >}}), [B]({{< relref path="b.md#x" lang="en" >}})
        >>> print(site.refs('[A]({{< ref "a.md#intro" >}}), [B]({{< relref `b.md` >}})', "c.md"))
        [A]({{< ref path="a.md#intro" lang="en" >}}), [B]({{< relref path="b.md" lang="en" >}})
        """
        if "ref" not in md or not self.pages:
            return md

        def one(m: re.Match[str]) -> str:
            params = _ref_params(m.group("params"))
            if params is None or "path" not in params or "lang" in params:
                return m.group(0)  # no page, or one in the language it names
            path, _, heading = params["path"].partition("#")
            if not path.strip():  # a heading of this article
                if not heading or ids is None or ids().get(heading, heading) == heading:
                    return m.group(0)
                params["path"] = f"/{here}#{heading}"
                page = here
            else:
                page = self.page(path, here)
            if page is None or (page in self.published_pages and not heading):
                return m.group(0)
            shown = f'{m.group("rel") or ""}ref path={_quoted(params["path"])} lang="{self.source}"'
            if "outputformat" in params:
                shown += f' outputFormat={_quoted(params["outputformat"])}'
            return f'{{{{{m.group("open")} {shown} {m.group("close")}}}}}'
        return _REF.sub(one, md)

    def _split(self, destination: str) -> tuple[int, bool, str] | None:
        """(pair index, whether written in German, the rest), or None off the site."""
        for i, (en, de) in enumerate(self.pairs):
            if destination.startswith(en):
                return i, False, destination[len(en):]
            if destination.startswith(de):
                return i, True, destination[len(de):]
        return None

    def address(self, destination: str) -> str | None:
        """A destination's address below its form (:func:`key`), None off the site.

        >>> Links((("https://n.example/en/", "https://n.example/de/"),)).address("https://n.example/en/story/a/")
        'story/a'
        """
        found = self._split(destination)
        return None if found is None else key(found[2])

    def article(self, destination: str) -> str | None:
        """The source article a destination names (:func:`key`), else None."""
        found = self._split(destination)
        if found is None:
            return None
        k = key(found[2])
        return k if k in self.articles else None

    def allowed(self, destination: str) -> frozenset[str]:
        """The destinations a translation may use for an English ``destination``: itself,
        and its German address when it is one of the site's.

        >>> sorted(Links((("/en/", "/de/"),)).allowed("/en/tag/eu"))
        ['/de/tag/eu', '/en/tag/eu']
        """
        found = self._split(destination)
        if found is None or found[1]:
            return frozenset({destination})
        return frozenset({destination, self.pairs[found[0]][1] + found[2]})

    def localise(self, destination: str) -> str:
        """Where the German article links for a destination the translation wrote.

        >>> links = Links((("/en/", "/de/"),), frozenset({"a", "b"}), frozenset({"a"}))
        >>> links.localise("/en/a"), links.localise("/de/b"), links.localise("/de/tag/eu")
        ('/de/a', '/en/b', '/de/tag/eu')
        >>> links.localise("/en/a/#intro"), links.localise("/de/a#intro")
        ('/en/a/#intro', '/en/a#intro')
        """
        found = self._split(destination)
        if found is None or key(found[2]) not in self.articles:
            return destination
        en, de = self.pairs[found[0]]
        return (de if key(found[2]) in self.published and not fragment(found[2]) else en) + found[2]

    def rewrite(self, md: str) -> str:
        """Inline Markdown with every link destination :meth:`localise`-d (code spans,
        image sources and reference definitions stay as written: an image is a file, not a
        page with a German twin).

        >>> links = Links((("/en/", "/de/"),), frozenset({"a"}), frozenset({"a"}))
        >>> links.rewrite("[A](/en/a) [![A](/en/a)](/en/a)")
        '[A](/de/a) [![A](/en/a)](/de/a)'
        """
        if not self.pairs or not _may_link(md):
            return md
        changes = [(m.start(), m.end(), new) for m in _DESTINATIONS.finditer(md)
                   if (new := self._localised(m)) != m.group(0)]
        if "![" not in md or not changes:  # no image, whose source must stay
            return "".join(_applied(md, changes))
        # The pattern cannot tell an image's destination from a link's: the parser can.
        # Each change (from the last, so the others' places hold) is kept only if it leaves
        # every image source as it was.
        images, out = _image_sources(md), md
        for start, end, new in reversed(changes):
            candidate = out[:start] + new + out[end:]
            if _image_sources(candidate) == images:
                out = candidate
        return out

    def _localised(self, m: re.Match[str]) -> str:
        """A :data:`_DESTINATIONS` match with its destination :meth:`localise`-d."""
        if m.group("dest"):
            return "](" + m.group("lead") + self.localise(m.group("dest"))
        if m.group("auto"):
            return "<" + self.localise(m.group("auto")) + ">"
        return m.group(0)

    def staying_english(self, md: str) -> list[str]:
        """Links of ``md`` to source articles that stay English: their German article is
        not published, or they name a heading (a fragment)."""
        if not self.pairs or not _may_link(md):
            return []
        out = []
        images = _image_sources(md) if "![" in md else Counter()
        for m in _DESTINATIONS.finditer(md):
            if m.group("dest") and images[m.group("dest")] > 0:  # an image's, as :meth:`rewrite` keeps
                images[m.group("dest")] -= 1
                continue
            dest = m.group("dest") or m.group("auto")
            if dest and self.article(dest) is not None and self.localise(dest) == self._english(dest):
                out.append(self._english(dest))
        return out

    def _english(self, destination: str) -> str:
        found = self._split(destination)
        return destination if found is None else self.pairs[found[0]][0] + found[2]

    def fingerprint(self, text: str) -> bytes:
        """What of the site an article's German text depends on: the forms, and for each
        address of the site that ``text`` mentions, whether it is a source article and
        whether that is published. Records of processed articles hold it, so an article is
        done again when an article it links to is published, and only then.

        >>> site = Links((("/en/", "/de/"),), frozenset({"a", "b"}), frozenset({"a"}))
        >>> site.fingerprint("[x](/en/a) [y](/en/c)") == site.fingerprint("[y](/en/c) [x](/en/a)")
        True
        >>> site.fingerprint("[x](/en/b)") == Links(site.pairs, site.articles, frozenset({"a", "b"})).fingerprint("[x](/en/b)")
        False
        """
        found = set()
        text = _FRONT_MATTER.sub("", text, count=1)  # the article's own url is not a link
        for en, de in self.pairs:
            for m in re.finditer(f"(?:{re.escape(en)}|{re.escape(de)})([^\\s()<>\\[\\]\"']*)", text):
                k = key(m.group(1))
                found.add((k, k in self.articles, k in self.published))
        pages = sorted(self.published_pages) if _REF.search(text) else ()  # what its refs may name
        shown = repr((self.pairs, sorted(found), pages))
        return hashlib.blake2b(shown.encode("utf-8"), digest_size=16).digest()


def align(source: Counter, target: Counter, allowed: Callable[[T], Iterable[T]]) -> Counter:
    """``target`` with each value it has beyond ``source`` taken for the missing value of
    ``source`` that allows it, so that a multiset comparison accepts what is allowed.

    >>> allowed = lambda d: {d, d.replace("/en/", "/de/")}
    >>> align(Counter(["/en/a", "x"]), Counter(["/de/a", "x"]), allowed) == Counter(["/en/a", "x"])
    True
    """
    missing = source - target
    if not missing:
        return target
    added = target - source
    out = target.copy()
    for value in list(added.elements()):
        for wanted in missing:
            if missing[wanted] and value in allowed(wanted):
                missing[wanted] -= 1
                out[value] -= 1
                out[wanted] += 1
                break
    return +out
