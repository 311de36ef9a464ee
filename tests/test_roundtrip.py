"""Property tests: identity merge is byte-exact; a pseudo translation keeps the structure."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from l10n.engines.simple import PseudoEngine
from l10n.engines.base import Job
from l10n.dialect import parser
from l10n.extract import extract
from l10n.merge import body

WORDS = st.sampled_from(["model", "chip", "Open", "weights", "EU", "rules", "it's", "data", "new",
                         "Größe", "€5", "“quoted”", "a&b", "x<y", "50%", "U.S.", "AI-led", "café"])


def phrase(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.lists(WORDS, min_size=min_size, max_size=6).map(" ".join)


@st.composite
def inline(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["text", "em", "strong", "link", "code", "image", "ref", "html"]))
        words = draw(phrase())
        parts.append({
            "text": words,
            "em": f"*{words}*",
            "strong": f"**{words}**",
            "link": f"[{words}](https://example.test/{draw(st.integers(0, 99))} \"t\")",
            "code": f"`{words} | x`",
            "image": f"![{words}](https://img.example.test/{draw(st.integers(0, 9))}.png)",
            "ref": "[Model Card]",
            "html": "<kbd>Ctrl</kbd>",
        }[kind])
    return " ".join(parts)


@st.composite
def paragraph(draw) -> str:
    lines = draw(st.lists(inline(), min_size=1, max_size=3))
    breaks = draw(st.lists(st.sampled_from(["\n", "  \n", "\\\n"]), min_size=len(lines) - 1,
                           max_size=len(lines) - 1))
    out = lines[0]
    for b, line in zip(breaks, lines[1:]):
        out += b + line
    return out


@st.composite
def block(draw, depth: int = 0) -> str:
    kinds = ["para", "heading", "list", "olist", "quote", "code", "table", "hr", "comment", "skip"]
    kind = draw(st.sampled_from(kinds if depth < 2 else ["para", "heading", "code"]))
    if kind == "para":
        return draw(paragraph())
    if kind == "heading":
        return "#" * draw(st.integers(1, 4)) + " " + draw(inline()) + draw(st.sampled_from(["", " ##"]))
    if kind in ("list", "olist"):
        items = []
        for i in range(draw(st.integers(1, 3))):
            marker = f"{i + 1}. " if kind == "olist" else "- "
            text = draw(paragraph()).replace("\n", "\n" + " " * len(marker))
            item = marker + text
            if draw(st.booleans()) and depth < 1:
                nested = draw(block(depth + 1)).replace("\n", "\n" + " " * len(marker))
                item += "\n\n" + " " * len(marker) + nested
            items.append(item)
        return "\n".join(items)
    if kind == "quote":
        inner = draw(st.lists(paragraph(), min_size=1, max_size=2))
        return "\n>\n".join("> " + p.replace("\n", "\n> ") for p in inner)
    if kind == "code":
        return "```python\n# not a heading\n- not a list " + draw(phrase()) + "\n```"
    if kind == "table":
        rows = draw(st.lists(st.tuples(inline(), inline()), min_size=1, max_size=3))
        head = "| " + draw(phrase()) + " | " + draw(phrase()) + " |\n|:---|---:|\n"
        return head + "\n".join(f"| {a.replace('|', '/')} | {b.replace('|', '/')} |" for a, b in rows)
    if kind == "hr":
        return "---"
    if kind == "comment":
        return "<!-- an editor's note -->"
    return "<!-- l10n: skip -->\n" + draw(paragraph())


@st.composite
def document(draw) -> str:
    front = ""
    if draw(st.booleans()):
        front = f'---\ntitle: "{draw(phrase())}"\nslug: "s"\ntags: [a, b]\n---\n\n'
    front += "# News " + draw(phrase()) + "\n\n"  # without front matter, `---` first would open one
    blocks = draw(st.lists(block(), min_size=1, max_size=8))
    seps = draw(st.lists(st.sampled_from(["\n\n", "\n\n\n"]), min_size=len(blocks), max_size=len(blocks)))
    text = front + "".join(b + s for b, s in zip(blocks, seps))
    text += "[model card]: https://cards.example.test/m\n"
    return text + draw(st.sampled_from(["", "\n", "*Last Updated: 2026-01-01*"]))


def shape(md: str) -> list:
    """Block and inline token tree with targets and code, but without translatable text."""
    out = []
    for tok in parser().parse(md):
        if tok.type == "inline":
            for child in tok.children or []:
                if child.type in ("text", "softbreak"):
                    continue
                attrs = {k: v for k, v in (child.attrs or {}).items() if k in ("href", "src")}
                content = child.content if child.type in ("code_inline", "html_inline") else ""
                out.append((child.type, child.nesting, attrs, content))
        else:
            content = tok.content if tok.type in ("fence", "code_block", "html_block") else ""
            out.append((tok.type, tok.tag, tok.nesting, tok.level, tok.info, content))
    return out


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(document())
def test_identity_merge_is_byte_exact(doc):
    skeleton, segments = extract(doc)
    assert skeleton.article.head + body(skeleton, segments, {s.text: s.text for s in segments}) == doc


@SETTINGS
@given(document())
def test_pseudo_translation_keeps_structure(doc):
    skeleton, segments = extract(doc)
    texts = sorted({s.text for s in segments if s.key is None})
    drafts = PseudoEngine().translate([Job(t) for t in texts], source="en", target="de").drafts
    translated = body(skeleton, segments, dict(zip(texts, drafts)))
    assert shape(translated) == shape(skeleton.article.body)
    title = segments[0].text if segments[0].key is None else segments[1].text  # plain words
    assert dict(zip(texts, drafts))[title] != title


@SETTINGS
@given(document())
def test_merging_twice_equals_merging_once(doc):
    """The merged article, merged again with the same translations, does not change: what
    the merger wrote is an article it reads back exactly (no drift, no doubled prefixes)."""
    skeleton, segments = extract(doc)
    texts = sorted({s.text for s in segments})
    drafts = dict(zip(texts, PseudoEngine().translate([Job(t) for t in texts], source="en", target="de").drafts))
    once = skeleton.article.head + body(skeleton, segments, drafts)
    skeleton2, segments2 = extract(once)
    assert skeleton2.article.head + body(skeleton2, segments2, drafts) == once
    assert shape(once) == shape(doc)
