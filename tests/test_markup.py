"""Protection for machine translation and integrity checks of inline Markdown."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape, unescape

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from l10n import markup, structure
from l10n.dialect import PLAIN, parser
from l10n.markup import IGNORE_TAGS, Problem, check, protect, restore
from l10n.structure import inline_facts

REFS = {
    "REF": {"href": "https://example.org/ref", "title": ""},
    "THE LAB": {"href": "https://lab.example.org/", "title": "Lab"},
}
REF_TUPLES = tuple((k, v["href"], v["title"]) for k, v in REFS.items())


def targets(md: str, kind: str = "link") -> list[str]:
    """Link (or image) destinations of inline Markdown, as the whole-article check sees them."""
    return sorted(target for (what, target) in inline_facts(md, REF_TUPLES).elements() if what == kind)

# --------------------------------------------------------------------------- strategies

words = st.sampled_from(
    ["the", "report", "Lab", "über", "naïve", "a", "x1", "C#", "50%", "e.g.", "snake_case", "2 * 3",
     "it's", '"quoted"', "a < b", "AT&T", "x > y", "[sic]", "(see)", "!", "?", ":", "ß", "—", "the lab"]
)
text = st.lists(words, min_size=1, max_size=4).map(" ".join)
urls = st.sampled_from(
    ["https://example.org/a", "https://example.org/p?q=1&r=2", "/docs/page.html", "<https://example.org/a b>",
     "a_(b)", "#anchor", "mailto:me@example.org", "https://example.org/ü"]
)
titles = st.sampled_from(["", ' "Title"', " 'It\\'s'", " (Paren title)", ' "with \\" quote"', '\n"Wrapped"'])
leaves = st.one_of(
    text,
    text,
    st.sampled_from(["`x`", "`` a`b ``", "```a``b```", "` `` `", "`pip install x`", "`<br>`", "`*not em*`"]),
    st.sampled_from(["<br>", "<br/>", "<kbd>Ctrl</kbd>", '<span class="x">', "</span>", "<!-- c -->"]),
    st.sampled_from(["<https://example.org>", "<mailto:a@example.org>", "<a@example.org>", "https://example.org/b."]),
    st.sampled_from(["\\*", "\\_", "\\[", "\\`", "\\\\", "\\<", "\\&", "\\a"]),
    st.sampled_from(["&amp;", "&lt;", "&nbsp;", "&#123;", "&#x2014;", "&copy;", "&bogus;", "&"]),
    st.sampled_from(["<", ">", "&", '"', "'", "*", "_", "**", "[", "]", "`", "!"]),
    st.sampled_from(["  \n", "\\\n", "\n", "   \n  "]),
    st.sampled_from(["%s", "{name}", "%(n)d", "{{< ref \"x\" >}}",
                     '{{< figure src="a_b_.png" alt="A *chart*" caption="The `caption`" >}}',
                     '{{< figure src="a_b_.png" alt="A chart" caption="Its caption" >}}']),
)


def _compose(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    inner = st.lists(children, min_size=1, max_size=3).map(" ".join)
    return st.one_of(
        inner.map(lambda s: f"*{s}*"),
        inner.map(lambda s: f"_{s}_"),
        inner.map(lambda s: f"**{s}**"),
        inner.map(lambda s: f"__{s}__"),
        inner.map(lambda s: f"***{s}***"),
        st.tuples(inner, urls, titles).map(lambda t: f"[{t[0]}]({t[1]}{t[2]})"),
        st.tuples(inner, urls, titles).map(lambda t: f"![{t[0]}]({t[1]}{t[2]})"),
        inner.map(lambda s: f"[{s}][ref]"),
        inner.map(lambda s: f"[{s}][]"),
        inner.map(lambda s: f"![{s}][REF]"),
        st.just("[the lab]"),
        inner.map(lambda s: f"<kbd>{s}</kbd>"),
    )


inline = st.recursive(leaves, _compose, max_leaves=10)
separators = st.sampled_from(["", " ", " ", ", ", "\n", "  ", "."])
segments = st.lists(st.tuples(inline, separators), max_size=6).map(lambda xs: "".join(a + b for a, b in xs))

TAG = re.compile(r"(<[^<>]*>)")


def map_text(xml: str, change) -> str:
    """Apply ``change`` to the text between tags, as an engine would."""
    return "".join(p if TAG.fullmatch(p) else escape(change(unescape(p))) for p in TAG.split(xml))


def codes(problems: list[Problem]) -> set[str]:
    return {p.code for p in problems}


# --------------------------------------------------------------------------- protect / restore


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments)
def test_identity_round_trip(md: str) -> None:
    protected = protect(md)
    assert restore(protected, protected.xml) == md


@settings(max_examples=300, deadline=None)
@given(segments)
def test_identity_round_trip_with_references(md: str) -> None:
    protected = protect(md, references=REFS)
    assert restore(protected, protected.xml) == md


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_identity_round_trip_any_text(md: str) -> None:
    protected = protect(md)
    assert restore(protected, protected.xml) == md


soup = st.lists(
    st.sampled_from(
        [*"ab *_[]()!<>`\\&#;:/.\n\"'{}%", "](u)", "https://x.org", "&amp;", "<br>", "  \n"]
        + ["\x85", "\xa0", "\u3000", "\x0c", "\r"]  # whitespace to Python or XML, not to CommonMark
    )
).map("".join)


@settings(max_examples=300, deadline=None)
@given(soup)
def test_identity_round_trip_markup_soup(md: str) -> None:
    protected = protect(md)
    assert restore(protected, protected.xml) == md


plain = st.lists(words.filter(lambda w: "[" not in w), min_size=1, max_size=3).map(" ".join)
secret_links = st.tuples(
    st.sampled_from(["[", "![", "[*", "[**"]),
    plain,
    st.sampled_from(["https://secret.example/1", "<https://secret.example/a b>", "/secret/page"]),
    st.sampled_from(["", ' "Shown title"', " (Shown title)"]),
).map(lambda t: f"{t[0]}{t[1]}{t[0][1:][::-1]}]({t[2]}{t[3]})")


@settings(max_examples=300, deadline=None)
@given(segments, secret_links, segments)
def test_xml_is_well_formed_and_keeps_targets_out(before: str, link: str, after: str) -> None:
    md = f"{before} {link} {after}"  # (without the spaces, [ref][the](url) is a reference)
    xml = protect(md, references=REFS).xml
    root = ET.fromstring(f"<r>{xml}</r>")
    assert {e.tag for e in root.iter()} <= {"r", "em", "b", "a", "img", "x", "t"}
    assert all(len(x) == 0 and not x.text for x in root.iter("x"))
    assert "ecret" not in xml
    assert "Shown title" not in xml or "Shown title" in {t.text for t in root.iter("t")}
    inner = list(root.iter("t"))  # plain text, after the segment's text
    assert all(len(t) == 0 for t in inner) and list(root)[len(root) - len(inner):] == inner
    assert restore(protect(md, references=REFS), xml) == md


@settings(max_examples=300, deadline=None)
@given(segments)
@example('[the lab] _https://example.org/b.   \n_ {{< figure src="a_b_.png" alt="A chart" caption="Its caption" >}}')
def test_changed_text_keeps_targets_and_structure(md: str) -> None:
    # A ``[x][]`` whose label the article does not define is text, not a link; protect keeps
    # it as a link stand-in so that an engine leaves it alone, which can shift how brackets
    # around it pair. The whole-article invariant (tests/test_publish.py) catches what that
    # breaks; here only texts without undefined labels are drawn.
    assume(not re.search(r"\]\[(?!ref\]|the lab\])[^\]]*\]", md, re.I))
    protected = protect(md, references=REFS)
    translated = restore(protected, map_text(protected.xml, str.upper))
    assert inline_facts(translated, REF_TUPLES) == inline_facts(md, REF_TUPLES)
    assert not {p.code for p in check(md, translated, REFS)} & {"emphasis", "link-target", "image-source"}


@settings(max_examples=300, deadline=None)
@given(segments, st.data())
def test_restore_never_raises_on_mangled_reply(md: str, data: st.DataObject) -> None:
    xml = protect(md).xml
    i, j = sorted(data.draw(st.lists(st.integers(0, len(xml)), min_size=2, max_size=2)))
    mangled = data.draw(st.sampled_from([xml[:i] + xml[j:], xml[:j] + xml[i:], xml[i:j] + xml[:i] + xml[j:], xml.upper()]))
    assert isinstance(restore(protect(md), mangled), str)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_restore_never_raises_on_garbage(reply: str) -> None:
    assert isinstance(restore(protect("See *a* [b](u) `c`."), reply), str)


@pytest.mark.parametrize("source, translation", [
    ("Read the [report](https://ex.org/r) now.", "Lies den [Bericht](https://ex.org/r)https://evil.example jetzt."),
    ("Read the [report](https://ex.org/r) now.", "Lies den [Bericht](https://ex.org/r)www.evil.example jetzt."),
    ("Read the [report](https://ex.org/r) now.", "Lies den [Bericht](https://ex.org/r)ftp://evil.example/x."),
    ("Read <https://ex.org/r> now.", "Lies <https://ex.org/r>www.evil.example jetzt."),
])
def test_a_url_right_after_a_link_is_a_bare_url(source: str, translation: str) -> None:
    # Hugo's Goldmark links it: its linkify runs on the text after the link's ")" or ">"
    assert "link-target" in codes(markup.gate(source, translation))
    assert markup.gate(source, translation.replace("evil.example", "").replace("https://", "")
                       .replace("www.", "").replace("ftp:///x", "")) == []


@pytest.mark.parametrize("translation", ["Erster Absatz, mail an boss@evil.example.",
                                         "Erster Absatz, siehe ftp://evil.example/x jetzt.",
                                         "Erster Absatz, mail an Boss.Chef@evil-mail.example"])
def test_an_email_or_ftp_address_goldmark_links_is_a_bare_url(translation: str) -> None:
    # Goldmark's linkify (on in Hugo) makes them links: mailto: and ftp: ones
    assert "link-target" in codes(check("First paragraph.", translation))
    assert "link-target" in codes(markup.gate("First paragraph.", translation))
    md = "Mail boss@x.example or ftp://x.example/f."
    assert check(md, "Schreib boss@x.example oder ftp://x.example/f.") == []
    assert codes(check(md, "Schreib boss@y.example oder ftp://x.example/f.")) == {"link-target"}


def test_an_email_address_is_kept_from_engines() -> None:
    protected = protect("Mail boss@example.org, or _team@example.org_.")
    assert "example.org" not in protected.xml
    assert restore(protected, protected.xml.upper()).count("@example.org") == 2


@pytest.mark.parametrize("caption", ["# Hafen", "- Hafen", "+ Hafen", "* Hafen", "> Hafen", "1. Hafen",
                                     "3) Hafen", "---", "    Hafen", "\tHafen", "Der ~~Hafen~~",
                                     "Hafen, boss@evil.example", "Hafen ftp://evil.example/x"])
def test_a_caption_hugo_would_render_as_markup_is_refused(caption: str) -> None:
    # figure renders caption and title with markdownify: block openers, strikethrough and
    # linkify's addresses would put elements into the figcaption
    md = '{{< figure src="a.png" caption="The harbour" >}}'
    german = f'{{{{< figure src="a.png" caption="{caption}" >}}}}'
    assert codes(check(md, german)) & {"template", "link-target"}
    assert codes(markup.gate(md, german)) & {"template", "link-target"}
    assert check(md, '{{< figure src="a.png" caption="Der Hafen - 1. Mai" >}}') == []
    # a value that is markup already stays as written, not sent to engines
    assert protect(f'{{{{< figure src="a.png" caption="{caption}" >}}}}').xml == '<x id="1"/>'


def bare_url_spans_the_long_way(text: str) -> list[tuple[int, int]]:
    """:func:`markup._bare_url_spans` without its shortcut."""
    spans = []
    for match in markup._URL_START.finditer(text):
        url = markup._trim_url(match.group())
        if "." in url.split("//")[-1].split(":")[-1]:
            spans.append((match.start(), match.start() + len(url)))
    return spans


#: Pieces of bare URLs, the letters that match others ignoring case (``ı``, ``ſ``, ``K``),
#: and text around them.
URL_PIECES = st.lists(st.sampled_from(
    ["http", "HTTPS", "httpſ", "ftp", "://", ":/", "www", "WwW", "w", "W", ".", "mailto", "maılto", "MAİLTO",
     "o", "O", ":", "@", "boss", "x", "example", "org", "K", "_", "-", " ", "\n", "/", "(", ")", "<", ">",
     "'", "`", "é", "\u2028", "ü"]), max_size=14).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(URL_PIECES, st.text(), segments))
def test_the_bare_url_shortcut_skips_only_text_without_one(text: str) -> None:
    assert list(markup._bare_url_spans(text)) == bare_url_spans_the_long_way(text)
    if not markup._may_hold_url(text):
        assert markup._URL_START.search(text) is None


def test_only_w_and_o_match_w_and_o_ignoring_case() -> None:
    # what the bare URL shortcut assumes of the regular expression engine
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(re.findall("w", every, re.IGNORECASE)) == set("wW")
    assert set(re.findall("o", every, re.IGNORECASE)) == set("oO")


@pytest.mark.parametrize("md", ["_https://example.org/b. x_", "see _www.example.org", "a*mailto:me@example.org*"])
def test_bare_url_after_a_delimiter_is_protected(md: str) -> None:
    # An unpaired ``_`` is a token of its own to the parser, so the check sees the URL
    # after it; protection must hide it from engines as well.
    protected = protect(md)
    assert "example.org" not in protected.xml
    assert restore(protected, protected.xml.upper()) == md.upper().replace(
        markup.bare_urls(md)[0].upper(), markup.bare_urls(md)[0])


def test_protect_example() -> None:
    md = 'Read **the report** at [the lab\'s site](https://example.org/a "Title") or run `pip install x`.<br>'
    protected = protect(md)
    assert protected.xml == (
        'Read <b>the report</b> at <a id="1">the lab\'s site</a> or run <x id="2"/>.<x id="3"/>'
        '<t id="4">Title</t>'
    )
    german = ('Lies <b>den Bericht</b> auf <a id="1">der Website des Labors</a> oder führe <x id="2"/> aus.'
              '<x id="3"/><t id="4">Titel</t>')
    assert restore(protected, german) == (
        'Lies **den Bericht** auf [der Website des Labors](https://example.org/a "Titel") '
        "oder führe `pip install x` aus.<br>"
    )


# --------------------------------------------------------------------------- text inside markup


@pytest.mark.parametrize(
    "md, xml, reply, expected",
    [
        (  # a link's and an image's title: sent after the text, each its own sentence
            'Per [Reuters](https://news.example/tech "Reuters Technology"), ![A chart](c.png \'Chart title\').',
            'Per <a id="1">Reuters</a>, <img id="2">A chart</img>.<t id="3">Reuters Technology</t>'
            '<t id="4">Chart title</t>',
            'Laut <a id="1">Reuters</a>, <img id="2">Ein Diagramm</img>.<t id="3">Reuters Technik</t>'
            '<t id="4">Titel des Diagramms</t>',
            'Laut [Reuters](https://news.example/tech "Reuters Technik"), ![Ein Diagramm](c.png \'Titel des Diagramms\').',
        ),
        (  # quotes, parentheses and backslashes in a translated title are escaped
            '[a](u "T1") [b](v (T2)) [c](w \'T3\')',
            '<a id="1">a</a> <a id="2">b</a> <a id="3">c</a><t id="4">T1</t><t id="5">T2</t><t id="6">T3</t>',
            '<a id="1">a</a> <a id="2">b</a> <a id="3">c</a><t id="4">Der "T1"</t>'
            '<t id="5">(T2)</t><t id="6">It\'s a\\b &amp;amp;</t>',
            '[a](u "Der \\"T1\\"") [b](v (\\(T2\\))) [c](w \'It\\\'s a\\b \\&amp;\')',
        ),
        (  # a title an engine dropped or emptied stays as written
            '[a](u "Kept") [b](v "Also kept")',
            '<a id="1">a</a> <a id="2">b</a><t id="3">Kept</t><t id="4">Also kept</t>',
            '<a id="1">x</a> <a id="2">y</a><t id="4"> </t>',
            '[x](u "Kept") [y](v "Also kept")',
        ),
        (  # titles with escapes or entities are not sent: they stay as written
            '[a](u "It\\"s") [b](v "AT&amp;T")',
            '<a id="1">a</a> <a id="2">b</a>',
            '<a id="1">x</a> <a id="2">y</a>',
            '[x](u "It\\"s") [y](v "AT&amp;T")',
        ),
        (  # text parameters of a shortcode in a sentence; the rest is code, snake_case too
            'See {{< figure src="a_chart_.png" alt="A chart of things" caption="The caption" width="80" >}} here.',
            'See <x id="1"/> here.<t id="2">A chart of things</t><t id="3">The caption</t>',
            'Siehe <x id="1"/> hier.<t id="2">Ein Diagramm</t><t id="3">Die Bildunterschrift</t>',
            'Siehe {{< figure src="a_chart_.png" alt="Ein Diagramm" caption="Die Bildunterschrift" width="80" >}} hier.',
        ),
        (  # a raw string in backquotes is code to Markdown readers: it stays as written
            '{{< figure src="c.png" caption=`Kept` >}}',
            '<x id="1"/>',
            '<x id="1"/>',
            '{{< figure src="c.png" caption=`Kept` >}}',
        ),
        (  # a parameter's translation its quoting cannot hold keeps the English
            '{{< figure src="c.png" title="Growth" >}}{{% note title="Mind this" %}}',
            '<x id="1"/><x id="2"/><t id="3">Growth</t><t id="4">Mind this</t>',
            '<x id="1"/><x id="2"/><t id="3">Das "Wachstum"</t><t id="4">Beachte {das}</t>',
            '{{< figure src="c.png" title="Growth" >}}{{% note title="Mind this" %}}',
        ),
        (  # no spaces inside the delimiters: the same shortcode, not raw HTML <figure …>
            'See {{<figure src="a_b_.png" alt="A chart">}} and {{%note%}}.',
            'See <x id="1"/> and <x id="2"/>.<t id="3">A chart</t>',
            'Siehe <x id="1"/> und <x id="2"/>.<t id="3">Ein Diagramm</t>',
            'Siehe {{<figure src="a_b_.png" alt="Ein Diagramm">}} und {{%note%}}.',
        ),
        (  # a bare & is text, in a parameter too, and comes back as &
            'R&D at AT&T: {{<figure src="c.png" alt="R&D chart">}}',
            'R&amp;D at AT&amp;T: <x id="1"/><t id="2">R&amp;D chart</t>',
            'F&amp;E bei AT&amp;T: <x id="1"/><t id="2">F&amp;E-Diagramm</t>',
            'F&E bei AT&T: {{<figure src="c.png" alt="F&E-Diagramm">}}',
        ),
        (  # Hugo's escaped shortcode is shown as written: its parameters are not text
            'Write {{</* figure alt="A chart" */>}} or {{%/* note title="Mind" */%}}.',
            'Write <x id="1"/> or <x id="2"/>.',
            'Schreibe <x id="1"/> oder <x id="2"/>.',
            'Schreibe {{</* figure alt="A chart" */>}} oder {{%/* note title="Mind" */%}}.',
        ),
    ],
)
def test_text_inside_markup_is_translated(md: str, xml: str, reply: str, expected: str) -> None:
    protected = protect(md)
    assert protected.xml == xml
    assert restore(protected, xml) == md
    assert restore(protected, reply) == expected
    assert check(md, expected) == []


def test_shortcode_text_parameters_are_configurable() -> None:
    md = '{{< figure src="c.png" alt="A chart" label="Figure one" >}}'
    assert protect(md, shortcode_text=()).xml == '<x id="1"/>'
    protected = protect(md, shortcode_text=("label",))
    assert protected.xml == '<x id="1"/><t id="2">Figure one</t>'
    german = restore(protected, '<x id="1"/><t id="2">Abbildung eins</t>')
    assert german == '{{< figure src="c.png" alt="A chart" label="Abbildung eins" >}}'
    assert check(md, german, shortcode_text=("label",)) == []
    assert codes(check(md, german)) == {"template"}  # named once, as the tag it is


@pytest.mark.parametrize(
    "translation",
    [
        '{{< figure src="other.png" alt="Ein Diagramm" >}}',  # the source changed
        '{{< figure src="c.png" alt="Ein Diagramm" width="9" >}}',  # a parameter added
        '{{< figure src="c.png" >}}',  # the text parameter dropped
        '{{< figure src="c.png" alt="Ein Diagramm" >}} {{< x >}}',  # a tag added
        '{{< figur src="c.png" alt="Ein Diagramm" >}}',  # another shortcode
    ],
)
def test_shortcode_changes_beyond_its_text_are_refused(translation: str) -> None:
    md = '{{< figure src="c.png" alt="A chart" >}}'
    assert "template" in codes(check(md, translation))
    assert "template" in codes(markup.gate(md, translation))


@pytest.mark.parametrize(
    "md, translation",
    [
        ('{{<figure src="c.png" alt="A chart">}}', '{{<figure src="d.png" alt="Ein Diagramm">}}'),
        ('{{<figure src="c.png" alt="A chart">}}', 'Ein Diagramm'),
        ('{{%note%}}Read this.', 'Lies das.'),
        ('{{%note%}}Read this.', '{{%warning%}}Lies das.'),
        ('See {{</* figure alt="A chart" */>}}.', 'Siehe {{</* figure alt="Ein Diagramm" */>}}.'),
    ],
)
def test_shortcodes_without_spaces_and_escaped_ones_are_template_tags(md: str, translation: str) -> None:
    assert "template" in codes(check(md, translation))
    assert "template" in codes(markup.gate(md, translation))


def test_a_shortcode_without_spaces_is_not_raw_html_to_the_article_structure() -> None:
    assert structure.inline_facts('{{<figure src="c.png" alt="A chart">}} and <b>x</b>') == Counter(
        {("raw HTML", "<b>"): 1, ("raw HTML", "</b>"): 1})


def test_link_title_may_change_its_destination_may_not() -> None:
    md = 'See [the site](https://x.example/a "The site").'
    assert check(md, 'Siehe [die Seite](https://x.example/a "Die Seite").') == []
    assert codes(check(md, 'Siehe [die Seite](https://x.example/b "Die Seite").')) == {"link-target"}


@pytest.mark.parametrize(
    "md, xml",
    [
        ("*a* and _b_", "<em>a</em> and <em>b</em>"),
        ("__a__ **b**", "<b>a</b> <b>b</b>"),
        ("![a *b*](i.png)", '<img id="1">a <em>b</em></img>'),
        ("[*x* `y`](u)", '<a id="1"><em>x</em> <x id="2"/></a>'),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("x  \ny", 'x<x id="1"/>y'),
        ("x\ny", "x\ny"),
        ("<https://x.org> and https://y.org/p.", '<x id="1"/> and <x id="2"/>.'),
        ("\\*not\\* &amp; &bogus;", '<x id="1"/>not<x id="2"/> <x id="3"/> &amp;bogus;'),
        ("[a][ref] [b][]", '<a id="1">a</a> <a id="2">b</a>'),
        ("[a][b](u) [c]", '[a]<a id="1">b</a> [c]'),
        ("Hello %s, {name}!", 'Hello <x id="1"/>, <x id="2"/>!'),
        ("*\x85a\x85*", "<em>\x85a\x85</em>"),  # U+0085 is not whitespace to CommonMark
        ("", ""),
    ],
)
def test_protect_xml(md: str, xml: str) -> None:
    protected = protect(md)
    assert protected.xml == xml
    assert restore(protected, xml) == md


def test_protect_falls_back_to_one_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    def misaligned(*args: object) -> list:
        raise markup._Misaligned("test")

    monkeypatch.setattr(markup, "_build", misaligned)
    protected = protect("See [a](https://x.org).")
    assert protected.xml == '<x id="1"/>'
    assert restore(protected, protected.xml) == "See [a](https://x.org)."


#: Hostile paragraphs: markup nested a thousand (or five thousand) deep.
DEEP = {
    "emphasis": "*" * 5000 + "x" + "*" * 5000,
    "underscore": "_" * 5000 + "x" + "_" * 5000,
    "strong": "**" * 1000 + "x" + "**" * 1000,
    "links": "[" * 1000 + "x" + "](u)" * 1000,
    "images": "![" * 1000 + "x" + "](u)" * 1000,
    "emphasised links": "*[" * 1000 + "x" + "](u)*" * 1000,
}


@pytest.mark.parametrize("md", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_protected_and_checked_without_recursion(md: str) -> None:
    protected = protect(md)
    assert restore(protected, protected.xml) == md
    assert check(md, md.replace("x", "y", 1)) == []
    inline_facts(md)


@pytest.mark.parametrize("depth", [1, 63])
def test_nesting_that_restore_reads_back_is_kept(depth: int) -> None:
    md = "**" * depth + "x" + "**" * depth
    protected = protect(md)
    assert protected.xml == "<b>" * depth + "x" + "</b>" * depth
    assert restore(protected, protected.xml) == md


def test_nesting_deeper_than_restore_reads_becomes_one_placeholder() -> None:
    md = "**" * 64 + "x" + "**" * 64
    protected = protect(md)
    assert protected.xml == '<x id="1"/>'
    assert restore(protected, protected.xml) == md


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_characters="\n\r\\`*_[]<>&", blacklist_categories=["Cs"])))
def test_plain_text_shortcut_is_what_the_parser_makes(md: str) -> None:
    assume("{{%" not in md)  # a shortcode
    assert PLAIN.fullmatch(md)
    parsed = markup._MD.parseInline(md, {"references": {}})[0].children or []
    assert [(t.type, t.content) for t in parsed] == [(t.type, t.content) for t in markup._parse_inline(md)[0]]
    full = FULL.parseInline(md, {"references": {}})[0].children or []
    assert {t.type for t in full} <= {"text", "softbreak"}
    assert markup._plain_facts(md, markup.TEMPLATES) == markup._token_facts(md, (), markup.TEMPLATES)


@pytest.mark.parametrize("md", ["See https://x.org/a, %s and {{< x >}}", "javascript: alert(1)", "", "plain",
                                "{{%note%}} {{% x %}}"])
def test_plain_facts_are_the_parsed_facts(md: str) -> None:
    assert markup._plain_facts(md, markup.TEMPLATES) == markup._token_facts(md, (), markup.TEMPLATES)


def test_the_plain_text_shortcut_is_linear_on_text_that_is_not_plain() -> None:
    # a long line that ends in markup: a pattern with nested repeats would backtrack for ever
    probe = "from l10n.dialect import PLAIN\nfor end in '*\\n[':\n    assert not PLAIN.fullmatch('a b{c ' * 5000 + end)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr


FULL = parser()


def parsed_facts(md: str, references: dict | None = None) -> Counter:
    """:func:`inline_facts`'s CommonMark facts the long way: always through the full parser
    (every rule)."""
    facts: Counter = Counter()
    for block in FULL.parseInline(md, {"references": references or {}}):
        structure._collect(block.children or [], facts)
    return facts


#: Characters that start, end or escape inline constructs, and line ends after white space.
SIGNIFICANT = st.lists(st.sampled_from(list("ab *_&#;!()\\\t\n\r\0`[]<>:/") + ["  \n", "\\\n", "&amp;", "](u)"]),
                       max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(SIGNIFICANT)
def test_fact_free_text_is_what_the_parser_finds_none_in(md: str) -> None:
    """The shortcut of inline_facts never hides a fact the parser would find (beside the
    facts Goldmark reads beyond CommonMark, which tests/test_hugo.py holds to Hugo)."""
    assert inline_facts(md) == parsed_facts(md) + structure._goldmark_facts(md)
    if structure.fact_free(md):
        assert parsed_facts(md) == Counter()


#: Text of the simple forms of facts and what comes near them (mostly), or breaks them.
_NEAR_SIMPLE = ["a", " ", "  ", "!", "*", "_", "&amp;", "&", "&#32;", "(", ")", ":", "\n", "  \n", " \n", "\t\n",
                "\t", ">", "%}}", "`x`", "` a `", "`  `", "`x y`", "` `", "`[a](b)`", "` <b> `", "[t](u)", "![t](u)",
                "[t](a&amp;b)", "[*t*](u%20v)", "[t!](u)", "(u)"]
_BREAKING = ["\\\n", "`", "``", "[t] (u)", "[t]", "[ref]", "[t][ref]", "](u)", "[", "]", "<", "<b>", "{", "{{%",
             "{{< x >}}", "\\", "\\[", "\r", "\0", "[t](<u>)", '[t](u "T")', "[t](u(v))", "[](u)", "[t]()",
             "[a\nb](u)", "`a\nb`"]
SIMPLE = st.lists(st.sampled_from(_NEAR_SIMPLE * 10 + _BREAKING), max_size=12).map("".join)


@settings(max_examples=3000, deadline=None)
@given(SIMPLE)
def test_simple_facts_are_the_parsers(md: str) -> None:
    """The parser-free reading of simple links, images and code spans finds what the parser
    finds, whatever the article's references define; where it cannot tell, it counts nothing."""
    facts: Counter = Counter()
    if structure._simple_facts(md, facts):
        assert facts == parsed_facts(md) == parsed_facts(md, {"REF": {"href": "/r", "title": ""},
                                                               "T": {"href": "/t", "title": ""}})
    else:
        assert facts == Counter()


@pytest.mark.parametrize("md", ["See [a](https://x.org/?a=1&b=2) and `ls -l`.", "![a *b*](i.png) ` c `!",
                                "Two\nlines [a](b)", "`a` `b` [c](d) ![e](f)", "Broken  \n  line `x`  \nend"])
def test_common_facts_are_read_without_the_parser(md: str) -> None:
    facts: Counter = Counter()
    assert structure._simple_facts(md, facts) and facts == parsed_facts(md)


def test_simple_facts_of_the_spec_examples_are_the_parsers() -> None:
    spec = json.loads((Path(__file__).parent / "data" / "commonmark-spec.json").read_text(encoding="utf-8"))
    simple = [(md, facts) for example in spec
              if structure._simple_facts(md := example["markdown"], facts := Counter())]
    assert sum(bool(facts) for _, facts in simple) > 20
    assert all(facts == parsed_facts(md) for md, facts in simple)


#: What :func:`l10n.structure.fact_free` tests, as one pattern (its former, slower form).
FACT_FREE = re.compile(r"(?:[^`\[<\\\r\n]|\\(?![\r\n])|(?<![ \t\\])\n)*")
#: A line of Goldmark's definition lists anywhere in the text (the former, slower search).
DEFINITION_LINE = re.compile(r"(?:^|\n)[ ]{0,3}:[ \t]")


@settings(max_examples=2000, deadline=None)
@given(SIGNIFICANT)
def test_fact_free_is_its_pattern(md: str) -> None:
    assert structure.fact_free(md) == bool(FACT_FREE.fullmatch(md))


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "  ", "    ", "\t", ":", "\n", ": "]), max_size=12).map("".join))
def test_definition_lines_are_found_as_by_one_search(md: str) -> None:
    found = structure._goldmark_facts(md)
    assert any(what == "definition list" for what, _ in found) == bool(DEFINITION_LINE.search(md))


@pytest.mark.parametrize("md", ["a  \nb", "a\\\nb", "a`b`", "[a](b)", "<b>", "<https://x.org>"])
def test_text_that_can_hold_a_fact_is_parsed(md: str) -> None:
    assert not structure.fact_free(md) and parsed_facts(md)


def test_fact_free_text_of_the_spec_examples_has_no_facts() -> None:
    spec = json.loads((Path(__file__).parent / "data" / "commonmark-spec.json").read_text(encoding="utf-8"))
    lines = {line for example in spec for line in example["markdown"].split("\n")}
    free = [md for md in lines if structure.fact_free(md)]
    assert len(free) > 300
    assert all(parsed_facts(md) == Counter() for md in free)
    assert all(parsed_facts(md) == Counter() for example in spec
               if structure.fact_free(md := example["markdown"]))


def test_token_walks_do_not_recurse() -> None:
    root = leaf = Token("image", "img", 0, attrs={"src": "a.png"})
    for _ in range(5000):
        leaf.children = [Token("image", "img", 0, attrs={"src": "a.png"})]
        leaf = leaf.children[0]
    assert len(list(markup._walk([root]))) == 5001
    facts: Counter = Counter()
    structure._collect([root], facts)
    assert facts == Counter({("image", "a.png"): 5001})


def test_tag_lists() -> None:
    assert IGNORE_TAGS == ["x"]
    assert set(markup.NON_SPLITTING_TAGS) == {"em", "b", "a", "img", "x"}
    assert markup.DEEPL_OPTIONS["tag_handling"] == "xml"


SOURCE = "Run `make` or see [the *guide*](https://x.org/g \"G\") and ![logo](l.png), then _stop_.<br>"


@pytest.mark.parametrize(
    "reply, expected",
    [
        (  # re-serialised placeholders, other quotes, spaces in tags
            "Führe <x id='1'></x> aus oder lies <a  id = \"2\">die <em>Anleitung</em></a> und "
            "<img id=3 >Logo</img>, dann <em>stopp</em>.<x id=\"4\" />",
            'Führe `make` aus oder lies [die *Anleitung*](https://x.org/g "G") und ![Logo](l.png), dann _stopp_.<br>',
        ),
        (  # tags reordered: targets follow the ids, emphasis delimiters the order
            "<img id=\"3\">Logo</img> und <a id=\"2\">Anleitung</a>: <x id=\"1\"/>, <em>stopp</em>.<x id=\"4\"/>",
            '![Logo](l.png) und [Anleitung](https://x.org/g "G"): `make`, *stopp*.<br>',
        ),
        (  # whitespace moved into emphasis goes back outside
            "Führe <x id=\"1\"/> aus, <a id=\"2\">die<em> Anleitung </em></a>, <img id=\"3\">Logo</img>,"
            "<em> stopp</em>.<x id=\"4\"/>",
            'Führe `make` aus, [die *Anleitung* ](https://x.org/g "G"), ![Logo](l.png), _stopp_.<br>',
        ),
        (  # dropped and duplicated tags: restored as the reply has them
            "Führe <x id=\"1\"/><x id=\"1\"/> aus, <a id=\"2\">Anleitung</a>, stopp.",
            'Führe `make``make` aus, [Anleitung](https://x.org/g "G"), stopp.',
        ),
        (  # unclosed, stray and unknown tags, unknown ids, an empty emphasis
            "Führe <x id=\"9\"/>aus</b> <a id=\"2\">Anleitung <em></em><foo>. <img id=\"3\"/>",
            'Führe aus [Anleitung <foo>. ![](l.png)](https://x.org/g "G")',
        ),
        (  # emphasis glued into a word: _ would not work there, * does
            "Führe <x id=\"1\"/> aus, Stopp<em>taste</em>.",
            "Führe `make` aus, Stopp*taste*.",
        ),
    ],
)
def test_restore_tolerates(reply: str, expected: str) -> None:
    assert restore(protect(SOURCE), reply) == expected


def test_restore_translated_shortcut_reference_keeps_its_label() -> None:
    protected = protect("See [the lab] and [the lab][].", references=REFS)
    restored = restore(protected, 'Siehe <a id="1">das Labor</a> und <a id="2">the lab</a>.')
    assert restored == "Siehe [das Labor][the lab] und [the lab][]."
    assert targets(restored) == ["https://lab.example.org/"] * 2


def test_restore_uppercased_text_keeps_targets() -> None:
    protected = protect(SOURCE)
    restored = restore(protected, map_text(protected.xml, str.upper))
    assert restored == 'RUN `make` OR SEE [THE *GUIDE*](https://x.org/g "G") AND ![LOGO](l.png), THEN _STOP_.<br>'


# --------------------------------------------------------------------------- check

_FULL_MD = markup.MarkdownIt("commonmark").enable("table")
block_texts = st.one_of(
    segments,
    st.lists(st.sampled_from(["# ", "- ", "* ", "+ ", "1. ", "2) ", "> ", "    ", "\t", "   ", "```", "~~~",
                              "<div>", "[a]: /u", "---", "***", "___", "|", "| a | b |", "|---|---|", "=",
                              "2026", "\r", "\n", "\u00a0", "text", " ", "x", "#", "1", ".", ")", "-", "*",
                              "_", "[", "]", ":", "\\", "<", "`", "~", "!", "1234567890"]), max_size=6).map("".join),
)


@settings(max_examples=1000, deadline=None)
@given(block_texts)
def test_block_signature_shortcut_agrees_with_a_full_parse(md: str) -> None:
    """Single lines that cannot start a block skip the parse; the answer must not change."""
    full = tuple((t.type, t.tag) for t in _FULL_MD.parse(md) if t.nesting >= 0 and t.type != "inline")
    assert markup._block_signature(md) == full


#: Lines of text, most of which no block construct can start.
_PLAIN_PIECES = ["text", "x", " ", "  ", ".", ":", "—", "2026", "\u00a0"]
_OPENING_PIECES = ["\t", "a|b", "# ", "- ", "1. ", "2) ", "> ", "```", "<b>", "---", "===", "***", "[a]: /u", "|---|",
                   "    ", ""]
paragraph_lines = st.lists(st.lists(st.sampled_from(_PLAIN_PIECES * 8 + _OPENING_PIECES), min_size=1, max_size=3)
                           .map("".join), min_size=2, max_size=5).map("\n".join)


@settings(max_examples=2000, deadline=None)
@given(paragraph_lines)
def test_lines_that_open_no_block_are_one_paragraph(md: str) -> None:
    full = tuple((t.type, t.tag) for t in _FULL_MD.parse(md) if t.nesting >= 0 and t.type != "inline")
    if markup._one_paragraph(md):
        assert full == markup._PARAGRAPH
    assert markup._block_signature(md) == full



PARAGRAPH = "See [the paper](https://x.org/p), run `make test` and press <kbd>Enter</kbd>."
GOOD = "Siehe [das Paper](https://x.org/p), führe `make test` aus und drücke <kbd>Enter</kbd>."


@pytest.mark.parametrize(
    "source, translation",
    [
        ("See [the paper](https://x.org/p).", "Siehe [das Paper](https://x.org/p)."),
        (PARAGRAPH, GOOD),
        ("Use *only* **this** ![icon](i.png).", "Verwende *nur* **dies** ![Symbol](i.png)."),
        ("Hello %s, you have {count} messages.", "Hallo %s, du hast {count} Nachrichten."),
        ("See [the docs][ref] or <https://x.org>.", "Siehe [die Doku][ref] oder <https://x.org>."),
        ("See [the lab].", "Siehe [das Labor][the lab]."),
        ("Line one  \nline two", "Zeile eins  \nZeile zwei"),
        ("2 * 3 is six", "2 * 3 ist sechs"),
        ("A *note*", ""),
    ],
)
def test_good_translations_have_no_problems(source: str, translation: str) -> None:
    assert check(source, translation, REFS) == []


@pytest.mark.parametrize(
    "source, translation, kind, code",
    [
        ("See [the paper](https://x.org/p).", "Siehe das Paper.", "paragraph", "link-target"),
        ("See [the paper](https://x.org/p).", "Siehe [das Paper](https://x.org/q).", "paragraph", "link-target"),
        ("See the paper.", "Siehe [das Paper](https://evil.example).", "paragraph", "link-target"),
        ("See https://x.org/p.", "Siehe x.org.", "paragraph", "link-target"),
        ("See [the docs][ref].", "Siehe [die Doku][other].", "paragraph", "link-target"),
        ("The ![logo](l.png).", "Das ![Logo](logo.png).", "paragraph", "image-source"),
        ("Run `make test`.", "Führe `make Test` aus.", "paragraph", "code-span"),
        ("Run `make test`.", "Führe make test aus.", "paragraph", "code-span"),
        ("Press <kbd>Enter</kbd>.", "Drücke Enter.", "paragraph", "inline-html"),
        ("Press <kbd>Enter</kbd>.", "Drücke <kbd>Enter</kbd>.<br>", "paragraph", "inline-html"),
        ("Hello %s!", "Hallo!", "paragraph", "placeholder"),
        ("Hello {name}!", "Hallo {Name}!", "paragraph", "placeholder"),
        ("Use *only* this.", "Verwende *nur dies.", "paragraph", "emphasis"),
        ("Use **only** this.", "Verwende **nur** **dies**.", "paragraph", "emphasis"),
        ("Use **only** this.", "Verwende *nur* dies.", "paragraph", "emphasis"),
        ("First of May is a holiday.", "1. Mai ist ein Feiertag.", "paragraph", "block-type"),
        ("Introduction", "# Einleitung", "heading", "block-type"),
        ("Buy milk", "- Milch kaufen", "list item", "block-type"),
        ("A quote.", "> Ein Zitat.", "paragraph", "block-type"),
        ("Some text.", "    Etwas Text.", "paragraph", "block-type"),
        ("Some text.", "---", "paragraph", "block-type"),
        ("One paragraph.", "Ein Absatz.\n\nZwei Absätze.", "paragraph", "block-type"),
        ("The C language", "Die Sprache C #", "heading", "block-type"),
        ("Title", "Titel\n===", "heading", "block-type"),
        ("A short title", "Ein kurzer\nTitel", "heading", "newline"),
        ("A cell", "Eine\nZelle", "table cell", "newline"),
        ("A value", "Ein\nWert", "front matter", "newline"),
        ("Click here.", "Klicke <img src=x onerror=alert(1)> hier.", "paragraph", "unsafe-html"),
        ("Click [here](https://x.org).", "Klicke [hier](javascript:alert(1)).", "paragraph", "unsafe-html"),
        ("Click [here](https://x.org).", "Klicke [hier](javascript:alert(1)).", "paragraph", "link-target"),
        ("Read this.", "Lies das.<script>alert(1)</script>", "paragraph", "unsafe-html"),
        ("Read this.", 'Lies <a href="java&#115;cript:x">das</a>.', "paragraph", "unsafe-html"),
        ("Read this.", "Lies <b>das</b>.", "paragraph", "unsafe-html"),
        ("An ![icon](i.png).", "Ein ![Symbol](data:image/png;base64,AAAA).", "paragraph", "unsafe-html"),
    ],
)
def test_bad_translations_are_found(source: str, translation: str, kind: str, code: str) -> None:
    problems = check(source, translation, REFS, kind=kind)
    assert code in codes(problems), problems
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", p.code) and p.message for p in problems)


def test_problem_messages_name_what_is_damaged() -> None:
    [problem] = check("See [the paper](https://x.org/p).", "Siehe das Paper.")
    assert problem == Problem("link-target", "link target https://x.org/p of the source is missing")
    assert str(problem).startswith("link-target: ")
    assert "https://x.org/q" in " ".join(p.message for p in check("[a](https://x.org/p)", "[b](https://x.org/q)"))


def test_javascript_link_is_unsafe_and_a_changed_target() -> None:
    problems = check("Click [here](https://x.org).", "Klicke [hier](javascript:alert(1)).")
    assert codes(problems) == {"unsafe-html", "link-target"}


def test_unsafe_html_is_a_problem_even_if_the_source_has_it() -> None:
    source = 'Watch <iframe src="https://video.example/1"></iframe> now.'
    assert check(source, source) == []
    assert codes(check(source, 'Schau <iframe src="https://video.example/1"></iframe> jetzt.')) == {"unsafe-html"}


def test_placeholders_are_checked_only_if_the_source_has_some() -> None:
    assert check("Half of it.", "Die Hälfte, zu 100%ig {sicher}.") == []


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        check("a", "b", kind="sidebar")
    assert check("a", "b", kind="list item") == []


@settings(max_examples=300, deadline=None)
@given(segments)
def test_identity_and_empty_have_no_problems(md: str) -> None:
    for kind in markup.KINDS:
        assert check(md, md, REFS, kind=kind) == []
        assert check(md, "", REFS, kind=kind) == []


@settings(max_examples=200, deadline=None)
@given(segments)
def test_engine_that_changes_only_text_leaves_no_target_problems(md: str) -> None:
    protected = protect(md, references=REFS)
    translated = restore(protected, map_text(protected.xml, str.upper))
    found = codes(check(md, translated, REFS))
    assert not found & {"link-target", "image-source", "code-span", "inline-html", "placeholder"}


# --------------------------------------------------------------------------- structure


def test_check_compares_markup_not_text() -> None:
    assert check(PARAGRAPH, GOOD) == []
    assert "link-target" in {p.code for p in check("*a* [b](u)", "*a* [b](v)")}
    assert "code-span" in {p.code for p in check("`a`", "`b`")}
    assert targets("![a](i.png)", "image") == ["i.png"]


def test_doctests() -> None:
    result = doctest.testmod(markup)
    assert result.failed == 0 and result.attempted > 10


def invisible_the_long_way(text: str) -> bool:
    """:func:`markup._invisible` without its shortcut: every character, entities unescaped."""
    import html
    import unicodedata
    text = html.unescape(text)
    if not text or any(c.isalnum() and c not in markup._FILLERS for c in text):
        return False
    return all(c.isspace() or c in markup._FILLERS or unicodedata.category(c) in markup._UNSEEN for c in text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", "Z", "7", " ", "&", "#", ";", "x", "&#8203;", "&nbsp;", "&#65;",
                                 "\u200b", "\u3164", "\u00ad", "é"]), max_size=8).map("".join))
def test_invisible_shortcut_agrees_with_the_long_way(text: str) -> None:
    assert markup._invisible(text) == invisible_the_long_way(text)


#: _prose as one pattern of every alternative, as it was written first.
PROSE_THE_LONG_WAY = re.compile(r"[`*_\[\]<>&\\|{}%$~\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]"
                                r"|https?:|ftp:|www\.|mailto:|@|script:|data:|^[\s#>+\-=\d]|[ \t]$|#[ \t]*$")
#: Markup characters, URL words and near misses, block starts (Unicode spaces and digits
#: too), blanks and # at the end, controls and separators.
PROSE_PIECE = st.sampled_from(
    ["Ein", "Modell", " ", "  ", "\t", ".", ",", ":", "#", "# ", "@", "www.", "ww.", "WWW.", "http:", "https:", "http",
     "ftp:", "mailto:", "script:", "data:", "Data:", "*", "_", "`", "[", "]", "<", ">", "&", "\\", "|", "{", "}", "%",
     "$", "~", "-", "+", "=", "1", "\u0663", "\u2003", "\xa0", "\n", "\r", "\x0b", "\x1f", "\x85", "\u2028",
     "\u202e", "\u200b", "ü"])
#: Several pieces, or one in plain words (at the start, inside or at the end).
PROSE_PIECES = st.one_of(st.lists(PROSE_PIECE, max_size=10).map("".join),
                         st.tuples(st.sampled_from(["", "Ein Modell"]), PROSE_PIECE, st.sampled_from(["", "ü Wort"]))
                         .map("".join))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(PROSE_PIECES, st.text()))
def test_prose_is_what_the_one_pattern_finds_nothing_in(text: str) -> None:
    assert markup._prose(text) == (PROSE_THE_LONG_WAY.search(text) is None)


def hygiene_the_long_way(source: str, translation: str) -> list[Problem]:
    """:func:`markup._hygiene` searching every text for every kind of character."""
    problems = [Problem("control-character", f"{markup._character(c)} in the translation: remove it")
                for c in dict.fromkeys(markup._CONTROL_CHARACTER.findall(translation))]
    if (markup._BIDI.search(translation) or markup._BIDI.search(source)) and \
            Counter(markup._BIDI.findall(translation)) != Counter(markup._BIDI.findall(source)):
        shown = ", ".join(markup._character(c) for c in dict.fromkeys(markup._BIDI.findall(translation)))
        problems.append(Problem("bidi-control", f"bidirectional control characters not in the source: {shown}"))
    if markup._invisible(translation) and not markup._invisible(source):
        problems.append(Problem("invisible", "the translation has no visible character"))
    return problems


@settings(max_examples=3000, deadline=None)
@given(st.one_of(PROSE_PIECES, st.text()), st.one_of(PROSE_PIECES, st.text()))
def test_hygiene_is_the_long_ways(source: str, translation: str) -> None:
    assert markup._hygiene(source, translation) == hygiene_the_long_way(source, translation)


#: Pieces of placeholders, template tags, link destinations and autolinks, and near misses.
SHORTCUT_PIECES = st.lists(st.sampled_from(
    ["%", "%%", "s", "d", "(n)", "1$", "{", "}", "{{", "}}", "{%", "%}", "{:", "{#", "name", "!r", ":>8", " ", "\n",
     "](", "]", "(", ")", "<", ">", "x", "https://x.example/a", "ü", "50%ig"]), max_size=12).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(SHORTCUT_PIECES, segments, st.text()))
def test_text_without_a_start_is_not_searched_for_placeholders_or_destinations(text: str) -> None:
    assert markup.placeholders(text) == markup._PLACEHOLDER.findall(text)
    assert markup._without_destinations(text) == markup._DESTINATIONS.sub(" ", text)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(SHORTCUT_PIECES, segments, st.text()))
def test_placeholders_are_found_as_with_the_percent_checked_before_it(text: str) -> None:
    before = re.compile(markup._PLACEHOLDER.pattern.replace("%(?<!%%)", "(?<!%)%", 1))
    assert markup._PLACEHOLDER.findall(text) == before.findall(text)


def test_suspect_characters_are_the_controls_and_bidi_controls() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(markup._SUSPECT.findall(every)) == \
        set(markup._CONTROL_CHARACTER.findall(every)) | set(markup._BIDI.findall(every))
    assert all(not c.isascii() for c in markup._BIDI.findall(every))


@pytest.mark.parametrize(("source", "translation", "codes"), [
    ("Text \u202eRTL\u202c here.", "Text RTL hier.", ["bidi-control"]),  # the source's only
    ("See https://x.org/a here.", "Siehe hier.", ["link-target"]),
    ("Run {{< x >}} now.", "Jetzt.", ["template"]),
    ("Plain *text*.", "Schlichter *Text*.", []),
])
def test_gate_shortcuts_still_see_what_only_one_side_has(source: str, translation: str, codes: list[str]) -> None:
    assert [p.code for p in markup.gate(source, translation)] == codes


def test_facts_of_the_spec_examples_are_the_full_parsers() -> None:
    """The facts parser leaves out rules (emphasis, entities) that make no fact: on every
    CommonMark example, inline, it finds what the full parser finds."""
    spec = json.loads((Path(__file__).parent / "data" / "commonmark-spec.json").read_text(encoding="utf-8"))
    texts = [example["markdown"] for example in spec]
    assert sum(bool(parsed_facts(md)) for md in texts) > 200
    assert [structure.inline_facts.__wrapped__(md) for md in texts] == [parsed_facts(md) for md in texts]


def test_a_template_tag_is_named_once_not_again_as_a_placeholder() -> None:
    for found in (markup.gate("A paragraph.", "Ein Absatz. {{< youtube x >}}"),
                  markup.check("A paragraph.", "Ein Absatz. {{< youtube x >}}")):
        assert [(p.code, p.message) for p in found] == [
            ("template", "template tag {{< youtube x >}} is not in the source")]
    # without template protection, the tag is still a placeholder a translation may not add
    assert [p.code for p in markup.gate("A paragraph.", "Ein Absatz. {{< youtube x >}}", templates=None)] == [
        "placeholder"]


@pytest.mark.parametrize("translation", ["Kontakt {{% heute.", "Kontakt {{< heute.", "Kontakt {{</* heute.",
                                         "Kontakt {{<x heute.", "Kontakt {{< a >}} {{% heute."])
def test_an_unclosed_template_tag_is_refused(translation: str) -> None:
    # Hugo stops the whole site's build at a shortcode opened and never closed
    source = "Contact us {{< a >}} today." if "{{< a >}}" in translation else "Contact us today."
    assert [p.code for p in markup.gate(source, translation)] == ["template"]
    assert "template" in [p.code for p in markup.check(source, translation)]


def test_an_unclosed_template_tag_the_source_has_may_stay() -> None:
    assert markup.gate("Type {{< to open a shortcode.", "Tippe {{< um einen Shortcode zu öffnen.") == []


PAIRED = "A {{< note >}}x{{< /note >}} and {{< bold >}}y{{< /bold >}} end."


@pytest.mark.parametrize("translation, refused", [
    ("B {{< /note >}}x{{< note >}} und {{< bold >}}y{{< /bold >}}.", True),  # Hugo: closes none open
    ("B {{< /bold >}}x{{< /note >}} und {{< bold >}}y{{< note >}} Ende.", True),
    ("B {{< note >}}x{{< bold >}} und y{{< /note >}}{{< /bold >}}", True),  # overlapping
    ("B {{< note >}}x{{< bold >}}y{{< /bold >}}{{< /note >}} Ende.", True),  # nested otherwise
    ("B {{< bold >}}y{{< /bold >}} und {{< note >}}x{{< /note >}} Ende.", False),  # siblings reordered
])
def test_shortcodes_keep_the_sources_nesting(translation: str, refused: bool) -> None:
    for problems in (markup.gate(PAIRED, translation), markup.check(PAIRED, translation)):
        assert ("template" in [p.code for p in problems]) is refused, problems


@pytest.mark.parametrize("source, translation, refused", [
    # a segment closing one pair and opening the next (each spanning paragraphs): nothing moves
    ("Beta text {{< /note >}} gamma {{< tip >}} delta.", "Beta {{< tip >}} Gamma {{< /note >}} Delta.", True),
    ("Beta text {{< /note >}} gamma {{< tip >}} delta.", "Beta {{< /note >}} Gamma {{< tip >}} Delta.", False),
    # a shortcode of its own moved into a pair, or out of it
    ("A {{< x />}} and {{< box >}}dash{{< /box >}} end", "B und {{< box >}}Strich {{< x />}}{{< /box >}}", True),
    ("A {{< box >}}dash {{< y >}}{{< /box >}} end", "B {{< y >}} {{< box >}}Strich{{< /box >}} Ende", True),
    ("A {{< x />}} and {{< box >}}dash{{< /box >}} end", "B {{< box >}}Strich{{< /box >}} und {{< x />}}", False),
])
def test_shortcodes_stay_where_the_pairs_put_them(source: str, translation: str, refused: bool) -> None:
    assert ("template" in [p.code for p in markup.gate(source, translation)]) is refused
