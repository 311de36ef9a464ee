"""Run peer tools through the same extract-and-merge work, and measure fidelity.

Peers (see benchmarks/README.md for why each is configured as it is):

=================  ====================================================  ============
name               extract / merge                                       processes
=================  ====================================================  ============
mdpo               ``mdpo.md2po.markdown_to_pofile`` /                    one (API)
                   ``mdpo.po2md.pofile_to_markdown``
mdpo-cli           ``python -m mdpo.md2po`` / ``python -m mdpo.po2md``    one per file
translate-toolkit  ``python -m translate.convert.md2po -i SRC -o PO`` /   one (dir mode)
                   ``python -m translate.convert.po2md -t SRC ...``
po4a               ``po4a-updatepo`` / ``po4a-translate -k 0``            one per file
po4a-batch         ``po4a`` with a generated config (split mode)          one
=================  ====================================================  ============

Every ``extract_<peer>(src_dir, po_dir)`` writes one catalog per article of
``src_dir`` (``*.md``, searched recursively; the relative path is mirrored).
``fill_identity(po_dir)`` then sets every msgstr to its msgid (untimed), and
``merge_<peer>(src_dir, po_dir, out_dir)`` writes the "translated" articles to
``out_dir`` with the same relative paths. ``fidelity(src_dir, out_dir)`` is the
share of articles that came back byte for byte.

mdpo has no notion of YAML front matter: its wrappers hand it the body only and
put the front matter back verbatim (so mdpo extracts no front-matter string).
The other peers get the whole file.

Command line (prints one line per peer)::

    python benchmarks/corpus.py /tmp/bench 20 --seed 1
    python benchmarks/peers.py /tmp/bench/content/en --work /tmp/bench/peers
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import polib

# Front matter plus the blank lines after it: the part mdpo never sees.
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n\n*", re.S)

#: po4a Text-module options shared by every po4a run: Markdown mode; translate
#: only the ``title`` key of the YAML front matter (l10n's default set is
#: title/description/summary; these articles have only a title; without it po4a
#: extracts every value: slug, date, url...); and ``neverwrap``, because po4a
#: 0.69 otherwise re-wraps paragraphs at 76 columns (its ``--width`` is parsed
#: but unused), which also folds GFM tables into paragraphs and can turn a
#: wrapped "- Publisher" tail into a nested list item.
PO4A_OPTIONS = ["-o", "markdown", "-o", "yfm_keys=title", "-o", "neverwrap"]


# --------------------------------------------------------------------------
# Helpers shared by all peers.


def articles(src_dir: Path) -> list[Path]:
    """Source articles under ``src_dir`` (recursive, sorted)."""
    return sorted(Path(src_dir).rglob("*.md"))


def split_front_matter(text: str) -> tuple[str, str]:
    """Split ``text`` into (front matter with its trailing blank lines, body).

    >>> split_front_matter("---\\na: 1\\n---\\n\\n# T\\n")
    ('---\\na: 1\\n---\\n\\n', '# T\\n')
    >>> split_front_matter("# T\\n")
    ('', '# T\\n')
    """
    match = _FRONT_MATTER.match(text)
    return (text[: match.end()], text[match.end():]) if match else ("", text)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _pairs(src_dir: Path, dest_dir: Path, suffix: str) -> list[tuple[Path, Path]]:
    """(source article, mirrored path under dest_dir with ``suffix``)."""
    src_dir = Path(src_dir)
    return [(p, Path(dest_dir) / p.relative_to(src_dir).with_suffix(suffix))
            for p in articles(src_dir)]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a peer's command; raise with its stderr if it fails."""
    proc = subprocess.run(cmd, capture_output=True, **kwargs)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace") if isinstance(proc.stderr, bytes) else proc.stderr
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))} ... exited {proc.returncode}: {err[-2000:]}")
    return proc


def fill_identity(po_dir: Path) -> int:
    """Set msgstr = msgid in every catalog under ``po_dir``; return entries filled.

    Also clears ``fuzzy`` so that every peer uses the entry. Obsolete entries
    are left alone. Meant to run outside the timed part.
    """
    count = 0
    for path in sorted(Path(po_dir).rglob("*.po")):
        catalog = polib.pofile(str(path), wrapwidth=0)
        for entry in catalog:
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            count += 1
        catalog.save(str(path))
    return count


def fidelity(src_dir: Path, out_dir: Path) -> float:
    """Share of articles whose merged output is byte-identical to the source."""
    pairs = _pairs(src_dir, out_dir, ".md")
    if not pairs:
        return 0.0
    same = sum(1 for src, out in pairs
               if out.is_file() and src.read_bytes() == out.read_bytes())
    return same / len(pairs)


def line_fidelity(src_dir: Path, out_dir: Path) -> float:
    """Mean share of source lines kept verbatim (by difflib), a softer measure."""
    import difflib

    pairs = _pairs(src_dir, out_dir, ".md")
    scores = []
    for src, out in pairs:
        a = _read(src).splitlines()
        b = _read(out).splitlines() if out.is_file() else []
        kept = sum(block.size for block in
                   difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        scores.append(kept / max(len(a), 1))
    return sum(scores) / len(scores) if scores else 0.0


# --------------------------------------------------------------------------
# mdpo, in one process through its Python API.
#
# wrapwidth=0 ("no wrapping") for both directions: the default po2md width of
# 80 would re-wrap every long paragraph. location=False: the API gets content,
# not a file, so there is no location to write.


def extract_mdpo(src_dir: Path, po_dir: Path) -> None:
    from mdpo.md2po import markdown_to_pofile

    for src, po in _pairs(src_dir, po_dir, ".po"):
        _, body = split_front_matter(_read(src))
        catalog = markdown_to_pofile(body, wrapwidth=0, location=False)
        po.parent.mkdir(parents=True, exist_ok=True)
        catalog.save(str(po))


def merge_mdpo(src_dir: Path, po_dir: Path, out_dir: Path) -> None:
    from mdpo.po2md import pofile_to_markdown

    for (src, po), (_, out) in zip(_pairs(src_dir, po_dir, ".po"), _pairs(src_dir, out_dir, ".md")):
        front, body = split_front_matter(_read(src))
        _write(out, front + pofile_to_markdown(body, [str(po)], wrapwidth=0))


# --------------------------------------------------------------------------
# mdpo through its CLI, one process per article. Run as ``python -m`` because
# mdpo and Translate Toolkit both install console scripts named md2po/po2md
# (whichever was installed last wins). The body goes in on standard input.


def extract_mdpo_cli(src_dir: Path, po_dir: Path) -> None:
    for src, po in _pairs(src_dir, po_dir, ".po"):
        _, body = split_front_matter(_read(src))
        po.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "mdpo.md2po", "--quiet", "--save", "--po-filepath", str(po),
              "--wrapwidth", "0", "--no-location"], input=body.encode("utf-8"))


def merge_mdpo_cli(src_dir: Path, po_dir: Path, out_dir: Path) -> None:
    for (src, po), (_, out) in zip(_pairs(src_dir, po_dir, ".po"), _pairs(src_dir, out_dir, ".md")):
        front, body = split_front_matter(_read(src))
        out.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "mdpo.po2md", "--quiet", "--po-files", str(po),
              "--wrapwidth", "0", "--save", str(out)], input=body.encode("utf-8"))
        _write(out, front + _read(out))


# --------------------------------------------------------------------------
# Translate Toolkit, directory mode: one process for the whole tree.
#
# Defaults kept (front matter extracted, as one unit holding the whole YAML
# block; inline markup as {n} placeholders; code blocks extracted), except:
# --duplicates=merge (one entry per distinct text, like l10n and gettext) and,
# on po2md, --maxlinelength 0 (the default reflows the output at 80 columns).


def _translate_toolkit(tool: str) -> list[str]:
    return [sys.executable, "-m", f"translate.convert.{tool}", "--progress=none",
            "--errorlevel=traceback"]


def extract_translate_toolkit(src_dir: Path, po_dir: Path) -> None:
    Path(po_dir).mkdir(parents=True, exist_ok=True)
    _run(_translate_toolkit("md2po") + ["--duplicates=merge", "-i", str(src_dir), "-o", str(po_dir)])


def merge_translate_toolkit(src_dir: Path, po_dir: Path, out_dir: Path) -> None:
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    _run(_translate_toolkit("po2md") + ["--maxlinelength", "0", "-t", str(src_dir),
                                        "-i", str(po_dir), "-o", str(out_dir)])


# --------------------------------------------------------------------------
# po4a, one po4a-updatepo / po4a-translate process per article (the classic
# per-document commands; po4a 0.69 prints a deprecation note, harmless).
# -k 0 writes the translation whatever its completion; -M/-L UTF-8 fix the
# charsets so po4a does not guess.


def extract_po4a(src_dir: Path, po_dir: Path) -> None:
    for src, po in _pairs(src_dir, po_dir, ".po"):
        po.parent.mkdir(parents=True, exist_ok=True)
        _run(["po4a-updatepo", "-f", "text", *PO4A_OPTIONS, "-M", "UTF-8",
              "-m", str(src), "-p", str(po)])


def merge_po4a(src_dir: Path, po_dir: Path, out_dir: Path) -> None:
    for (src, po), (_, out) in zip(_pairs(src_dir, po_dir, ".po"), _pairs(src_dir, out_dir, ".md")):
        out.parent.mkdir(parents=True, exist_ok=True)
        _run(["po4a-translate", "-f", "text", *PO4A_OPTIONS, "-M", "UTF-8", "-L", "UTF-8",
              "-k", "0", "-m", str(src), "-p", str(po), "-l", str(out)])


# --------------------------------------------------------------------------
# po4a, the unified program: one process, a generated config in "split mode"
# (one POT and one PO per article). po4a needs a config file; it is written
# into po_dir (paths absolute; po4a's config syntax cannot hold spaces).


def _po4a_config(src_dir: Path, po_dir: Path, out_dir: Path) -> Path:
    po_dir, out_dir = Path(po_dir).resolve(), Path(out_dir).resolve()
    lines = [
        "[po4a_langs] de",
        f"[po4a_paths] {po_dir}/$master.pot de:{po_dir}/$master.po",
        '[options] opt:"{}" opt:"-M UTF-8 -L UTF-8 -k 0"'.format(" ".join(PO4A_OPTIONS)),
    ]
    for src, out in _pairs(src_dir, out_dir, ".md"):
        src = src.resolve()
        rel = out.relative_to(out_dir).with_suffix("")
        master = str(rel).replace(os.sep, "__")
        if " " in f"{src}{out}":
            raise ValueError(f"po4a config cannot hold paths with spaces: {src}")
        lines.append(f"[type: text] {src} de:{out} pot={master}")
    config = po_dir / "po4a.cfg"
    _write(config, "\n".join(lines) + "\n")
    return config


def extract_po4a_batch(src_dir: Path, po_dir: Path) -> None:
    """Catalogs land at ``po_dir/<rel path with / as __>.po`` (plus .pot)."""
    Path(po_dir).mkdir(parents=True, exist_ok=True)
    config = _po4a_config(src_dir, po_dir, Path(po_dir) / "_unused")
    _run(["po4a", "--no-translations", "--force", str(config)])


def merge_po4a_batch(src_dir: Path, po_dir: Path, out_dir: Path) -> None:
    config = _po4a_config(src_dir, po_dir, out_dir)
    _run(["po4a", "--no-update", str(config)])


# --------------------------------------------------------------------------
# Timing harness.

Extract = Callable[[Path, Path], None]
Merge = Callable[[Path, Path, Path], None]

PEERS: dict[str, tuple[Extract, Merge]] = {
    "mdpo": (extract_mdpo, merge_mdpo),
    "mdpo-cli": (extract_mdpo_cli, merge_mdpo_cli),
    "translate-toolkit": (extract_translate_toolkit, merge_translate_toolkit),
    "po4a": (extract_po4a, merge_po4a),
    "po4a-batch": (extract_po4a_batch, merge_po4a_batch),
}


#: Run when no --peer is given. po4a-batch is left out: po4a's split mode
#: merges every catalog against a compendium of all of them, so its time per
#: article grows with the corpus (about 60 ms at 20 articles, 210 ms at 200).
DEFAULT_PEERS = ["mdpo", "mdpo-cli", "translate-toolkit", "po4a"]


@dataclass(frozen=True)
class Result:
    peer: str
    articles: int
    extract_s: float
    merge_s: float
    entries: int
    fidelity: float
    line_fidelity: float

    @property
    def ms_per_article(self) -> tuple[float, float]:
        n = max(self.articles, 1)
        return 1000 * self.extract_s / n, 1000 * self.merge_s / n


def run_peer(peer: str, src_dir: Path, work_dir: Path) -> Result:
    """Extract (timed), fill identity (untimed), merge (timed), score."""
    extract, merge = PEERS[peer]
    root = Path(work_dir) / peer
    if root.exists():
        shutil.rmtree(root)
    po_dir, out_dir = root / "po", root / "out"
    t0 = time.perf_counter()
    extract(Path(src_dir), po_dir)
    t1 = time.perf_counter()
    entries = fill_identity(po_dir)
    t2 = time.perf_counter()
    merge(Path(src_dir), po_dir, out_dir)
    t3 = time.perf_counter()
    return Result(peer, len(articles(src_dir)), t1 - t0, t3 - t2, entries,
                  fidelity(src_dir, out_dir), line_fidelity(src_dir, out_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time peer tools on a corpus and score fidelity.")
    parser.add_argument("src_dir", type=Path, help="directory of source articles (e.g. CORPUS/content/en)")
    parser.add_argument("--work", type=Path, default=Path("benchmarks/out/peers"),
                        help="scratch directory (default: benchmarks/out/peers)")
    parser.add_argument("--peer", action="append", choices=sorted(PEERS),
                        help="peer to run (repeatable; default: all but po4a-batch)")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args(argv)
    if not articles(args.src_dir):
        parser.error(f"no *.md files under {args.src_dir}")
    for peer in args.peer or DEFAULT_PEERS:
        res = run_peer(peer, args.src_dir, args.work)
        ext, mer = res.ms_per_article
        if args.json:
            print(json.dumps(asdict(res) | {"extract_ms": ext, "merge_ms": mer}), flush=True)
        else:
            print(f"{peer:18} n={res.articles:<6} extract {ext:8.2f} ms/article  "
                  f"merge {mer:8.2f} ms/article  entries={res.entries:<7} "
                  f"fidelity={res.fidelity:6.1%}  lines kept={res.line_fidelity:6.1%}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
