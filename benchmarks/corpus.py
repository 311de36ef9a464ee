"""Deterministic generator of a synthetic news corpus for benchmarks.

Writes ``N`` English articles ``OUTDIR/content/en/<slug>.md`` (about 5 KB each)
in the shape of the example site's articles (YAML front matter, standard
sections, FAQ, tag links, sources, footer), plus ``OUTDIR/pyproject.toml``
with a minimal ``[tool.l10n]`` table, so ``l10n --root OUTDIR`` works on it.

The text is made from a small vocabulary of invented organisations, products
and events. Repetition is realistic: every article has the same headings,
about-box and footer; its lead sentence recurs in TL;DR, Summary and FAQ; and
about a fifth of the sentences come from a pool shared by all articles. A share
of the articles also carries links, emphasis, code spans, GFM tables, fenced
code, nested and numbered lists, blockquotes, images and hard line breaks.

The same ``(n, seed)`` always gives byte-identical files::

    python benchmarks/corpus.py /tmp/corpus 10000 --seed 1
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from random import Random

# --------------------------------------------------------------------------
# Vocabulary (invented; no sentence is taken from a real article).

ORGS = [
    "Nimbus Labs", "Quillwork", "Orbital Dynamics", "Heliograph", "Tessellate",
    "Brightwater Systems", "Kestrel Robotics", "Lumen Compute", "Fathom Research",
    "Cobalt Health", "Verdant Analytics", "Northwind Silicon", "Parallax Media",
    "Sable Security", "Juniper Grid", "Marlowe AI", "Stratus Foundry",
    "Pinecrest Audio", "Ironbark Cloud", "Halcyon Bio",
]
PRODUCTS = [
    ("a reasoning model", "reasoning model"),
    ("an open-weight coding assistant", "open-weight coding assistant"),
    ("a speech-to-text engine", "speech-to-text engine"),
    ("a compact vision model", "compact vision model"),
    ("an agent framework", "agent framework"),
    ("a data-center accelerator", "data-center accelerator"),
    ("a retrieval toolkit", "retrieval toolkit"),
    ("a safety benchmark", "safety benchmark"),
    ("a translation service", "translation service"),
    ("an on-device assistant", "on-device assistant"),
    ("a protein design model", "protein design model"),
    ("a video generation tool", "video generation tool"),
]
SUBJECTS = [
    "the European Commission", "regulators in Brussels", "a coalition of universities",
    "several hospital networks", "the chip industry", "open-source maintainers",
    "mid-sized banks", "regional newsrooms", "school districts", "cloud providers",
    "consumer advocates", "insurance companies", "game studios", "city governments",
    "logistics firms", "independent researchers",
]
CLAIMS = [
    "runs on a single consumer GPU", "handles documents of up to {n} pages",
    "cuts inference costs by {pct}%", "beats last year's flagship on math benchmarks",
    "supports {n} languages out of the box", "keeps customer data inside the region",
    "answers in under {ms} milliseconds", "was trained on licensed data only",
    "needs {pct}% less memory than its predecessor", "can be fine-tuned in an afternoon",
    "ships with an audit log for every request", "works offline on recent laptops",
]
CAVEATS = [
    "independent evaluations are still missing", "the license restricts commercial use",
    "latency rises sharply under load", "the training data remains undisclosed",
    "the pricing for large customers is unclear", "the feature is limited to English for now",
    "support for older hardware has been dropped", "the waitlist is long",
    "the documentation is thin", "energy use has not been published",
]
PLANS = [
    "open a research lab in {city}", "publish the model weights", "expand the beta to {n} countries",
    "hire {n} engineers", "integrate the tool into its office suite", "release a smaller variant",
    "start a bug bounty programme", "move its servers to renewable power",
]
WHENS = [
    "the end of the quarter", "early next year", "the summer", "the autumn", "{month}",
    "the next developer conference",
]
REACTIONS = [
    "voiced cautious optimism", "raised privacy concerns", "asked for more transparency",
    "welcomed the move", "called for an independent audit", "questioned the timeline",
    "signalled interest in a pilot", "warned about vendor lock-in",
]
EVENTS = [
    "announced a partnership", "cut its prices", "paused the rollout",
    "published a technical report", "settled a licensing dispute", "raised a new funding round",
    "opened its API to everyone", "lost two senior researchers",
]
CITIES = [
    "Lisbon", "Toronto", "Nairobi", "Seoul", "Munich", "Austin", "Singapore", "Zurich",
    "Tallinn", "Osaka", "Montevideo", "Cape Town",
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]
GROUPS = ["companies", "developers", "hospitals", "universities", "startups", "agencies"]
BETS = [
    "developers care more about price than about leaderboard points",
    "regulators will reward transparency", "small models are good enough for most jobs",
    "customers want everything from one vendor", "open weights build trust faster than ads",
]
TESTS = [
    "the first large customer goes live", "independent labs rerun the numbers",
    "the free tier ends", "competitors answer with their own release",
    "the system meets messy real-world data",
]
EFFECTS = [
    "remove a real bottleneck", "lower the entry barrier considerably",
    "mean one less vendor to manage", "make in-house experiments affordable again",
]
WAITS = [
    "a second opinion from independent testers", "the first pricing sheet",
    "clear answers on data retention", "a few weeks of production use",
]
PEOPLE = [
    ("Amara Okafor", "head of research"), ("Jonas Lindqvist", "chief technology officer"),
    ("Priya Raman", "policy lead"), ("Mateo Ferreira", "product director"),
    ("Yuki Tanabe", "lead engineer"), ("Lena Hoffmann", "chief executive"),
]
PUBLISHERS = [
    ("Tech Ledger", "techledger.example"), ("The Byte Review", "bytereview.example"),
    ("Signal & Noise", "signalnoise.example"), ("Circuit Weekly", "circuitweekly.example"),
    ("Data Desk", "datadesk.example"), ("Frontier Wire", "frontierwire.example"),
]
CATEGORIES = ["tech", "business", "research", "policy", "tools", "health", "security"]
TAGS = [
    "open-source", "llm", "chips", "regulation", "agents", "robotics", "privacy",
    "healthcare", "funding", "benchmarks", "speech", "vision", "cloud", "education",
    "security", "startups",
]
HEADLINE_VERBS = [
    "unveils", "ships", "tests", "opens up", "doubles down on", "rethinks", "prices",
    "pauses", "expands",
]
HEADLINE_TAILS = [
    "for factory floors", "for small newsrooms", "amid a price war", "after a year of delays",
    "for European customers", "with a focus on privacy", "to court developers",
    "as rivals close in", "for hospitals", "under regulatory pressure",
]
TAKE_OPENERS = [
    "This is a bigger deal than the headline suggests.",
    "The announcement is polished, but the details matter more.",
    "We like the direction, with reservations.",
    "On paper this is impressive; in practice it is early.",
    "The hype is loud, the numbers are quieter.",
    "It\u2019s the kind of release that looks better in a demo than in a budget meeting.",
]
SITE = "https://news.ainauten.com"

# --------------------------------------------------------------------------
# Sentence makers.


def _fill(rng: Random, template: str) -> str:
    """Replace the numeric and place placeholders of a vocabulary phrase."""
    if "{" not in template:
        return template
    return template.format(
        n=rng.choice([3, 5, 12, 20, 40, 100, 250, 500]),
        pct=rng.choice([15, 20, 30, 40, 55, 70]),
        ms=rng.choice([80, 120, 200, 350]),
        city=rng.choice(CITIES),
        month=rng.choice(MONTHS),
    )


def _sentence(rng: Random, org: str, product: str) -> str:
    """One plain declarative news sentence about ``org`` and its ``product``."""
    kind = rng.randrange(10)
    if kind == 0:
        return f"{org} says its {product} {_fill(rng, rng.choice(CLAIMS))}."
    if kind == 1:
        return (f"Early testers report that the {product} {_fill(rng, rng.choice(CLAIMS))}, "
                f"although {rng.choice(CAVEATS)}.")
    if kind == 2:
        return (f"The company plans to {_fill(rng, rng.choice(PLANS))} by "
                f"{_fill(rng, rng.choice(WHENS))}.")
    if kind == 3:
        subject = rng.choice(SUBJECTS)
        return (f"{subject[0].upper()}{subject[1:]} {rng.choice(REACTIONS)} after {org} "
                f"{rng.choice(EVENTS)}.")
    if kind == 4:
        price = rng.choice(["0.20", "0.40", "1.10", "2.50", "8.00"])
        return (f"Pricing starts at ${price} per million tokens, roughly "
                f"{rng.choice([10, 25, 35, 50])}% below the previous tier.")
    if kind == 5:
        return (f"{rng.choice([12, 48, 150, 600, 2000]):,} {rng.choice(GROUPS)} have already "
                f"signed up for the pilot in {rng.choice(CITIES)}.")
    if kind == 6:
        return f"Critics point out that {rng.choice(CAVEATS)}."
    if kind == 7:
        return (f"{org} {rng.choice(EVENTS)} last {rng.choice(MONTHS)}, and "
                f"{rng.choice(SUBJECTS)} {rng.choice(REACTIONS)}.")
    if kind == 8:
        return (f"The {product} is aimed at {rng.choice(SUBJECTS)} that cannot send data "
                f"to servers abroad.")
    return (f"Analysts expect {rng.choice(SUBJECTS)} to follow within "
            f"{rng.choice(['weeks', 'months', 'a year'])}.")


def _take_sentence(rng: Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"The vendor is betting that {rng.choice(BETS)}."
    if kind == 1:
        return f"That is a smart move, but {rng.choice(CAVEATS)}."
    if kind == 2:
        return f"The real test comes when {rng.choice(TESTS)}."
    if kind == 3:
        return f"For smaller teams, this could {rng.choice(EFFECTS)}."
    return f"We\u2019d wait for {rng.choice(WAITS)} before switching."


def _slugify(title: str) -> str:
    slug = title.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-")


# --------------------------------------------------------------------------
# Optional blocks (each appears in a share of the articles).


def _table(rng: Random, product_short: str) -> list[str]:
    rows = ["| Model | Parameters | Price per 1M tokens | Context |",
            "|---|---:|---:|---|"]
    for i in range(rng.randint(2, 4)):
        name = f"{product_short.split()[0].title()} {rng.choice(['Mini', 'Pro', 'Max', 'Lite'])} {i + 1}"
        rows.append(f"| {name} | {rng.choice([3, 7, 14, 32, 70])}B | "
                    f"${rng.choice(['0.15', '0.40', '1.20', '3.00'])} | "
                    f"{rng.choice(['32k', '128k', '1M'])} tokens |")
    return rows


def _code(rng: Random, org: str) -> list[str]:
    pkg = _slugify(org)
    if rng.random() < 0.5:
        return ["```bash", f"pip install {pkg}-sdk=={rng.randint(1, 4)}.{rng.randint(0, 9)}",
                f"{pkg} run --model default --batch {rng.choice([4, 8, 16])}", "```"]
    return ["```python", f"from {pkg.replace('-', '_')} import Client", "",
            f'client = Client(region="{rng.choice(["eu", "us", "apac"])}")',
            "for model in client.models():", "    print(model.name, model.price)", "```"]


def _quote(rng: Random, org: str) -> list[str]:
    name, role = rng.choice(PEOPLE)
    line = rng.choice([
        "We built this for people who cannot afford to send their data anywhere.",
        "Speed was never the goal; predictability was.",
        "Nobody should need a research budget to try this.",
    ])
    if rng.random() < 0.5:  # two-line quote with a hard break
        return [f"> {line}  ", f"> \u2014 {name}, {role} at {org}"]
    return [f"> {line} \u2014 {name}, {role} at {org}"]


# --------------------------------------------------------------------------
# Article assembly.


def _inline(rng: Random, text: str, slug: str, pub_domain: str) -> str:
    """Maybe decorate one sentence with a link, emphasis or code span.

    Organisation names are the preferred targets, as in real
    articles; otherwise a two-word span in the middle of the sentence.
    """
    roll = rng.random()
    target = next((name for name in ORGS if name in text), None)
    if target is None or rng.random() < 0.4:
        roll *= 0.9  # code spans only for names, e.g. `nimbus-labs`
        words = text.split(" ")
        if len(words) < 6:
            return text
        i = rng.randrange(1, len(words) - 3)
        target = " ".join(words[i:i + 2])
        if not re.fullmatch(r"[A-Za-z][A-Za-z' -]*[A-Za-z]", target):
            return text
    if roll < 0.4:
        decorated = f"[{target}](https://www.{pub_domain}/coverage/{_slugify(target)})"
    elif roll < 0.65:
        decorated = f"**{target}**"
    elif roll < 0.9:
        decorated = f"*{target}*"
    else:
        decorated = f"`{_slugify(target)}`"
    return text.replace(target, decorated, 1)


def _article(rng: Random, pool: list[str], used_slugs: dict[str, int]) -> tuple[str, str]:
    org = rng.choice(ORGS)
    product, product_short = rng.choice(PRODUCTS)
    if rng.random() < 0.3:
        possessive = f"{org}'" if org.endswith("s") else f"{org}'s"
        title = f"{possessive} {product_short} {rng.choice(HEADLINE_TAILS)}"
    else:
        title = f"{org} {rng.choice(HEADLINE_VERBS)} {product_short} {rng.choice(HEADLINE_TAILS)}"
    title = title[0].upper() + title[1:]
    base = _slugify(title)
    count = used_slugs.get(base, 0) + 1
    used_slugs[base] = count
    slug = base if count == 1 else f"{base}-{count}"

    date = f"{rng.choice([2025, 2026])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    category = rng.choice(CATEGORIES)
    tags = rng.sample(TAGS, rng.randint(2, 4))
    sources = [rng.choice(PUBLISHERS) for _ in range(rng.randint(1, 4))]
    pub_domain = sources[0][1]
    featured = "true" if rng.random() < 0.1 else "false"

    rich = rng.random() < 0.6  # articles with inline markup at all
    feats = {f: rng.random() < p for f, p in (
        ("table", 0.25), ("code", 0.2), ("nested", 0.3), ("numbered", 0.25),
        ("quote", 0.3), ("image", 0.3), ("hardbreak", 0.25))}

    def sent() -> str:
        s = rng.choice(pool) if rng.random() < 0.2 else _sentence(rng, org, product_short)
        return _inline(rng, s, slug, pub_domain) if rich and rng.random() < 0.25 else s

    lead = (f"{org} {rng.choice(['has released', 'introduced', 'is rolling out', 'announced'])} "
            f"{product} that {_fill(rng, rng.choice(CLAIMS))}.")
    summary = [f"{lead} {sent()}"] + [f"{sent()} {sent()}" for _ in range(rng.randint(3, 4))]
    why = [" ".join(sent() for _ in range(rng.randint(3, 4))) for _ in range(2)]
    key_points = [sent() for _ in range(rng.randint(4, 5))]
    take = [rng.choice(TAKE_OPENERS)] + [_take_sentence(rng) for _ in range(rng.randint(3, 4))]
    take += [sent() for _ in range(2)]

    out: list[str] = [
        "---",
        f'title: "{title}"',
        f'slug: "{slug}"',
        f"date: {date}",
        f"category: {category}",
        f"tags: [{', '.join(tags)}]",
        "language: en",
        f"sources_count: {len(sources)}",
        f"featured: {featured}",
        "publisher: AInauten News",
        f"url: {SITE}/en/story/{slug}",
        "---",
        "",
        f"# {title}",
        "",
        f"**Published**: {date} | **Category**: {category} | **Sources**: {len(sources)}",
        "",
        "---",
        "",
        "## TL;DR",
        "",
        f"- {lead}",
        "",
        "---",
        "",
        "## Summary",
        "",
    ]
    out += [f"- {item}" for item in summary]
    out.append("")
    if feats["image"]:
        out += [f"![Illustration: {product_short} by {org}]({SITE}/images/{slug}/figure-1.png)", ""]
    out += ["---", "", "## Why it matters", ""]
    for para in why:
        out += [para, ""]
    if feats["quote"]:
        out += _quote(rng, org) + [""]
    if feats["code"]:
        out += ["Trying it takes a few lines:", ""] + _code(rng, org) + [""]
    out += ["---", "", "## Key Points", ""]
    for k, point in enumerate(key_points, 1):
        out.append(f"{k}. {point}" if feats["numbered"] else f"- {point}")
        if feats["nested"] and k == 2:
            indent = "   " if feats["numbered"] else "  "
            out += [f"{indent}- {sent()}", f"{indent}- {sent()}"]
    out.append("")
    if feats["table"]:
        out += ["How the announced variants compare:", ""] + _table(rng, product_short) + [""]
    out += ["---", "", "## Nauti's Take", ""]
    if feats["hardbreak"]:
        cut = len(take) // 2
        out += [" ".join(take[:cut]) + "  ", " ".join(take[cut:]), ""]
    else:
        out += [" ".join(take), ""]
    out += ["---", "", "", "## FAQ", "",
            f"**Q:** What is {title} about?", "", f"**A:** {lead}", "",
            "**Q:** Why does it matter?", "", f"**A:** {why[0]}", "",
            "**Q:** What are the key takeaways?", "",
            f"**A:** {' '.join(key_points[:3])}", "",
            "---", "", "## Related Topics", ""]
    out += [f"- [{tag}]({SITE}/en/tag/{tag})" for tag in tags]
    out += ["", "---", "", "## Sources", ""]
    for k, (name, domain) in enumerate(sources, 1):
        out.append(f"- [{title if k == 1 else f'{org} coverage, part {k}'}]"
                   f"(https://www.{domain}/{date.replace('-', '/')}/{slug}-{k}) - {name}")
    out += ["", "---", "", "## About This Article", "",
            f"This article is a synthesis of {len(sources)} sources, curated and summarized by "
            "AInauten News. We aggregate AI news from trusted sources and provide bilingual "
            "(German/English) coverage.", "",
            "**Publisher**: [AInauten](https://www.ainauten.com) | "
            "**Site**: [news.ainauten.com](https://news.ainauten.com)", "",
            "---", "", f"*Last Updated: {date}*", ""]
    return slug, "\n".join(out)


def generate(outdir: Path, n: int, seed: int) -> list[Path]:
    """Write ``n`` articles under ``outdir/content/en`` and return their paths.

    Also writes ``outdir/pyproject.toml`` with ``[tool.l10n]``. Same
    ``(n, seed)``: byte-identical output.
    """
    rng = Random(seed)
    outdir = Path(outdir)
    content = outdir / "content" / "en"
    content.mkdir(parents=True, exist_ok=True)
    (outdir / "pyproject.toml").write_text('[tool.l10n]\ntarget_langs = ["de"]\n',
                                           encoding="utf-8")
    pool = [_sentence(rng, rng.choice(ORGS), rng.choice(PRODUCTS)[1]) for _ in range(300)]
    used: dict[str, int] = {}
    paths: list[Path] = []
    for _ in range(n):
        slug, text = _article(rng, pool, used)
        path = content / f"{slug}.md"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="output root (gets content/en/ and pyproject.toml)")
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    paths = generate(args.outdir, args.n, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} articles ({size / 1024:.0f} KiB) to {args.outdir / 'content' / 'en'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
