"""l10n memory export / import: reviewed pairs out as TMX, outside pairs in as drafts only."""

from __future__ import annotations

from pathlib import Path

import polib
from translate.storage import tmx as tt

from l10n import catalog, pofile
from l10n.cli import main

from .conftest import snapshot, write_site


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def test_export_writes_every_reviewed_pair_and_nothing_else(site: Path, tmp_path: Path, capsys) -> None:
    assert run(site, "translate", "--engine", "pseudo") == 0  # drafts everywhere
    path = site / "locales/de/open-model.po"
    po = pofile.load(path)
    heading = po.find("Open model tops the charts")
    heading.msgstr, heading.flags = "Offenes Modell & <b>Spitze</b>", []  # reviewed
    draft = po.find("TL;DR")  # stays a machine draft: not exported
    path.write_text(pofile.dumps(po), encoding="utf-8")
    before = snapshot(site)
    out = tmp_path / "export.tmx"
    capsys.readouterr()
    assert run(site, "memory", "export", str(out)) == 0
    assert f"1 pair (1 de) written to {out}" in capsys.readouterr().out
    store = tt.tmxfile.parsefile(str(out))
    assert [(u.source, u.target) for u in store.units] == [
        ("Open model tops the charts", "Offenes Modell & <b>Spitze</b>")]
    assert draft.msgid not in out.read_text(encoding="utf-8")
    assert snapshot(site) == before


def test_import_gives_drafts_marked_with_their_origin_never_reviewed(site: Path, tmp_path: Path, capsys) -> None:
    store = tt.tmxfile()
    store.addtranslation("Why it matters", "en", "Warum es wichtig ist", "de-DE")
    store.addtranslation("A sentence no article has.", "en", "Ein Satz, den kein Artikel hat.", "de-DE")
    agency = tmp_path / "agency.tmx"
    agency.write_bytes(bytes(store))
    capsys.readouterr()
    assert run(site, "memory", "import", str(agency)) == 0
    assert "2 pairs added to locales/de/memory.tmx, 0 already there" in capsys.readouterr().out
    assert run(site, "memory", "import", str(agency)) == 0  # again: nothing new
    assert "0 pairs added to locales/de/memory.tmx, 2 already there" in capsys.readouterr().out

    assert run(site, "translate", "--engine", "memory") == 0
    entry = pofile.load(site / "locales/de/open-model.po").find("Why it matters")
    assert entry.msgstr == "Warum es wichtig ist"
    assert catalog.state(entry) == catalog.DRAFT and "fuzzy" in entry.flags
    assert catalog.machine(entry).engine == "memory: tmx agency.tmx"
    assert "## Warum es wichtig ist" in (site / "content/de/open-model.md").read_text(encoding="utf-8")
    # Drafts are not reviewed pairs: an export does not give them back.
    out = tmp_path / "out.tmx"
    assert run(site, "memory", "export", str(out)) == 0
    assert "Warum" not in out.read_text(encoding="utf-8")
    # The memory is a file of the site, beside the catalogs, not a cache; check lets it be.
    code = run(site, "check")
    assert "memory.tmx" not in capsys.readouterr().out and code == 0


def test_reviewed_catalogs_come_before_imported_memory(tmp_path: Path) -> None:
    root = write_site(tmp_path / "s", {"a.md": "# Same heading\n", "b.md": "# Same heading\n"})
    assert run(root, "extract") == 0
    a = root / "locales/de/a.po"
    po = polib.pofile(str(a))
    po[0].msgstr = "Gleiche Überschrift"
    po.save()
    agency = tmp_path / "agency.tmx"
    agency.write_bytes(b'<tmx version="1.4"><header srclang="en"/><body><tu>'
                       b'<tuv xml:lang="en"><seg>Same heading</seg></tuv>'
                       b'<tuv xml:lang="de"><seg>Andere Fassung</seg></tuv></tu></body></tmx>')
    assert run(root, "memory", "import", str(agency)) == 0
    assert run(root, "translate", "--engine", "memory") == 0
    entry = pofile.load(root / "locales/de/b.po").find("Same heading")
    assert (entry.msgstr, catalog.machine(entry).engine) == ("Gleiche Überschrift", "memory")


def test_invalid_tmx_is_one_line_naming_file_and_line(site: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.tmx"
    bad.write_text('<?xml version="1.0"?>\n<tmx version="1.4">\n<body>\n<tu><tuv xml:lang="en"><seg>a < b'
                   "</seg></tuv></tu>\n</body>\n</tmx>\n", encoding="utf-8")
    before = snapshot(site)
    capsys.readouterr()
    assert run(site, "memory", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}:4: not valid XML") and err.count("\n") == 1
    assert "Traceback" not in err and snapshot(site) == before


def test_tmx_without_pairs_for_the_site_is_an_error(site: Path, tmp_path: Path, capsys) -> None:
    french = tmp_path / "fr.tmx"
    french.write_bytes(b'<tmx version="1.4"><header srclang="en"/><body><tu>'
                       b'<tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="fr"><seg>Salut</seg></tuv>'
                       b"</tu></body></tmx>")
    capsys.readouterr()
    assert run(site, "memory", "import", str(french)) == 2
    assert "no translation unit from en to de" in capsys.readouterr().err
    assert not (site / "locales/de/memory.tmx").exists()


def test_memory_commands_have_help(capsys) -> None:
    for args in (["memory", "--help"], ["memory", "export", "--help"], ["memory", "import", "--help"]):
        assert main(args) == 0
        assert "Example" in capsys.readouterr().out
