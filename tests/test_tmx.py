"""TMX 1.4b: what l10n writes, Translate Toolkit reads; what Translate Toolkit writes, l10n reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from translate.storage import tmx as tt

from l10n import tmx
from l10n.errors import InputError

TRICKY = [  # markup, XML's own characters, spaces at the ends, a line break, non-Latin text
    tmx.Unit("See <b>the [card](https://x.test/?a=1&b=2)</b> & more", "Siehe <b>die Karte</b> & mehr", "de"),
    tmx.Unit("  Leading and trailing  ", "  Vorne und hinten  ", "de"),
    tmx.Unit("Two\nlines \"quoted\" 'too'", "Zwei\nZeilen „zitiert“", "de"),
    tmx.Unit("Price in €", "Preis in € – 日本語", "pt_BR", origin="agency.tmx"),
]


def test_translate_toolkit_reads_what_l10n_writes(tmp_path: Path) -> None:
    path = tmp_path / "out.tmx"
    path.write_bytes(tmx.dumps(TRICKY, "en", "9.9"))
    store = tt.tmxfile.parsefile(str(path))
    assert [(u.source, u.target) for u in store.units] == [(u.source, u.target) for u in TRICKY]
    langs = [[n.get(tmx.XML_LANG) for n in u.getlanguageNodes()] for u in store.units]
    assert langs == [["en", "de"]] * 3 + [["en", "pt-BR"]]
    header = store.document.getroot().find("header")
    assert dict(header.attrib) == {"creationtool": "l10n", "creationtoolversion": "9.9",
                                   "datatype": "plaintext", "segtype": "block", "adminlang": "en",
                                   "srclang": "en", "o-tmf": "PO"}
    assert store.document.getroot().get("version") == "1.4"


def test_what_l10n_writes_it_reads_back() -> None:
    data = tmx.dumps(TRICKY, "en")
    assert tmx.loads(data, "en", ["de", "pt_BR"]) == [TRICKY[0], TRICKY[1], TRICKY[2], TRICKY[3]]
    assert tmx.loads(data, "en", ["fr"]) == []


def test_l10n_reads_what_translate_toolkit_writes() -> None:
    store = tt.tmxfile()
    for source, target in (("Sources & notes", "Quellen & Anmerkungen"), ("Key <points>", "Kernpunkte")):
        store.addtranslation(source, "en", target, "de-DE")
    store.addsourceunit("Not translated yet")  # no target: no pair
    assert tmx.loads(bytes(store), "en", ["de"]) == [
        tmx.Unit("Sources & notes", "Quellen & Anmerkungen", "de"), tmx.Unit("Key <points>", "Kernpunkte", "de")]


def test_inline_codes_and_older_lang_attribute_are_read() -> None:
    data = b"""<?xml version="1.0"?><tmx version="1.1"><header srclang="EN-US"/><body>
    <tu><tuv lang="EN-US"><seg>Say <bpt i="1">&lt;b&gt;</bpt>hi<ept i="1">&lt;/b&gt;</ept></seg></tuv>
        <tuv lang="DE-AT"><seg>Sag <bpt i="1">&lt;b&gt;</bpt>servus<ept i="1">&lt;/b&gt;</ept></seg></tuv></tu>
    </body></tmx>"""
    assert tmx.loads(data, "en", ["de"]) == [tmx.Unit("Say <b>hi</b>", "Sag <b>servus</b>", "de")]


@pytest.mark.parametrize("data, line", [
    (b'<?xml version="1.0"?>\n<tmx version="1.4">\n<body>\n<tu><seg>a & b</seg></tu>\n</body></tmx>', 4),
    (b"<tmx>\n<body>\n", 3),
    (b"", 1),
    (b'<?xml version="1.0"?>\n<html><body/></html>', 1),
], ids=["bare ampersand", "truncated", "empty", "not tmx"])
def test_what_is_not_tmx_names_the_line(data: bytes, line: int) -> None:
    with pytest.raises(InputError) as e:
        tmx.loads(data, "en", ["de"], Path("in.tmx"))
    assert e.value.line == line and e.value.path == Path("in.tmx")
    assert str(e.value).startswith(f"in.tmx:{line}: not ")


def test_control_characters_are_not_writable() -> None:
    assert not tmx.writable(tmx.Unit("a\x0bb", "x", "de"))
    assert tmx.writable(tmx.Unit("a\tb\nc", "x", "de"))
