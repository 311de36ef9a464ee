"""l10n check: one realistic edit per problem kind, starting from an in-sync site."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from l10n import catalog, config, workflow
from l10n.check import orphans, states
from l10n.cli import main

from .conftest import snapshot, write_site
from .test_roundtrip import document

ARTICLE = "content/en/eu-tightens-export-checks-on-ai-accelerators.md"
CATALOG = "locales/de/eu-tightens-export-checks-on-ai-accelerators.po"
OUTPUT = "content/de/eu-tightens-export-checks-on-ai-accelerators.md"


def check(root: Path, capsys, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["--root", str(root), "check", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def problems(report: dict, code: str) -> list[tuple[str, int]]:
    return [(p["file"], p["line"]) for p in report["problems"] if p["code"] == code]


@pytest.fixture
def synced(example_site: Path, capsys) -> Path:
    code, report = check(example_site, capsys)
    assert code == 0 and report["ok"], report
    return example_site


def edit_entry(root: Path, msgid_part: str, change) -> int:
    """Change the msgstr of the first entry whose msgid contains ``msgid_part``; its line."""
    path = root / CATALOG
    po = polib.pofile(str(path))
    entry = next(e for e in po if msgid_part in e.msgid and e.msgstr)
    entry.msgstr = change(entry.msgstr)
    po.save()
    return next(e for e in polib.pofile(str(path)) if e.msgid == entry.msgid).linenum


def test_in_sync_site_passes_and_nothing_changes(synced, capsys):
    before = snapshot(synced)
    assert main(["--root", str(synced), "check"]) == 0
    assert "in sync" in capsys.readouterr().out
    assert snapshot(synced) == before


def test_changed_english_sentence_is_a_stale_catalog(synced, capsys):
    src = synced / ARTICLE
    lines = src.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if line.startswith("## Why it matters")) + 2
    lines[n] = lines[n].replace(".", ", officials said.", 1)
    src.write_text("\n".join(lines), encoding="utf-8")
    code, report = check(synced, capsys)
    assert code == 1
    assert (ARTICLE, n + 1) in problems(report, "stale-catalog")
    msg = next(p["message"] for p in report["problems"] if p["code"] == "stale-catalog")
    assert "l10n translate" in msg or "l10n extract" in msg


def test_hand_edited_german_article_is_stale_output(synced, capsys):
    out = synced / OUTPUT
    lines = out.read_text(encoding="utf-8").split("\n")
    lines[14] = lines[14] + " (von Hand geändert)"
    out.write_text("\n".join(lines), encoding="utf-8")
    code, report = check(synced, capsys)
    assert code == 1 and problems(report, "stale-output") == [(OUTPUT, 15)]


def test_missing_german_article(synced, capsys):
    (synced / OUTPUT).unlink()
    code, report = check(synced, capsys)
    assert code == 1 and problems(report, "missing-output") == [(OUTPUT, 1)]


def test_translation_that_drops_a_link(synced, capsys):
    line = edit_entry(synced, "](http", lambda s: re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s, count=1))
    code, report = check(synced, capsys)
    assert code == 1 and (CATALOG, line) in problems(report, "link-target")


def test_translation_that_adds_an_event_handler(synced, capsys):
    line = edit_entry(synced, "Why it matters", lambda s: s + ' <img src=x onerror="alert(1)">')
    code, report = check(synced, capsys)
    assert code == 1 and (CATALOG, line) in problems(report, "unsafe-html")


def test_translation_with_a_javascript_link(synced, capsys):
    line = edit_entry(synced, "](http", lambda s: s.replace("](https://", "](javascript:alert(1)//", 1))
    code, report = check(synced, capsys)
    assert code == 1 and (CATALOG, line) in problems(report, "unsafe-html")


def test_translation_that_turns_a_paragraph_into_a_heading(synced, capsys):
    line = edit_entry(synced, "Why it matters", lambda s: s)  # the heading entry: unchanged
    po = polib.pofile(str(synced / CATALOG))
    para = next(e for e in po if "type: paragraph; section: Why it matters" in e.comment)
    para.msgstr = "# " + para.msgstr
    po.save()
    line = next(e for e in polib.pofile(str(synced / CATALOG)) if e.msgid == para.msgid).linenum
    code, report = check(synced, capsys)
    assert code == 1 and (CATALOG, line) in problems(report, "block-type")


def test_deleted_source_article_leaves_orphans(synced, capsys):
    (synced / ARTICLE).unlink()
    code, report = check(synced, capsys)
    assert code == 1
    assert problems(report, "orphan-catalog") == [(CATALOG, 1)]
    assert problems(report, "orphan-output") == [(OUTPUT, 1)]


def test_orphans_are_found_as_pathlib_names_files(tmp_path):
    # orphans compares names as strings: the same answer, in the same order, as comparing
    # pathlib's paths, for odd names too (dots first or doubled, no stem, nested folders)
    names = ["a", "b.c", "x..y", ".hidden", "..two", "d/e", "d/.f", "d-e", "d/e/g", "Z", "ä"]
    cfg = config.load(write_site(tmp_path / "s", {}))
    for folder, suffix, kept in ((cfg.source_dir, ".md", names[::2]), (cfg.locales_dir / "de", ".po", names),
                                 (cfg.target_dir("de"), ".md", names[1::3])):
        for name in kept:
            (folder / (name + suffix)).parent.mkdir(parents=True, exist_ok=True)
            (folder / (name + suffix)).write_text("", encoding="utf-8")
    (cfg.source_dir / ".md").write_text("", encoding="utf-8")  # no stem: suffix "" for pathlib
    (cfg.locales_dir / "de" / ".po").write_text("", encoding="utf-8")
    sources = cfg.articles()
    assert sources == sorted(cfg.source_dir.rglob("*.md"))
    known = {src.relative_to(cfg.source_dir) for src in sources}
    expected = [(path, code) for base, pattern, code in ((cfg.locales_dir / "de", "*.po", "orphan-catalog"),
                                                         (cfg.target_dir("de"), "*.md", "orphan-output"))
                for path in sorted(base.rglob(pattern)) if path.relative_to(base).with_suffix(".md") not in known]
    found = list(orphans(cfg, "de", sources))
    assert [(p.file, p.code) for p in found] == [(str(cfg.display(path)), code) for path, code in expected]
    assert len(found) >= 8


def test_a_german_page_in_another_content_format_without_an_english_one_is_an_orphan(tmp_path):
    # Hugo publishes content/de/x.html as a German page: with no English page, it is one
    # the German site has and the English one has not
    cfg = config.load(write_site(tmp_path / "s", {"a.md": "---\ntitle: A\n---\n\nText.\n"}))
    for name in ("zz.html", "news/zz.adoc", "c.html", "zz.MD", "pic.png", "b/index.md", "b/extra.html",
                 "d/index.html"):  # b: a bundle, its files resources; d: a page
        (cfg.target_dir("de") / name).parent.mkdir(parents=True, exist_ok=True)
        (cfg.target_dir("de") / name).write_text("---\ntitle: Z\n---\n\nInjected.\n", encoding="utf-8")
    (cfg.source_dir / "c.html").write_text("---\ntitle: C\n---\n\nAn English page.\n", encoding="utf-8")
    found = [(p.file, p.code) for p in orphans(cfg, "de", cfg.articles())]
    assert found == [("content/de/b/index.md", "orphan-output"), ("content/de/d/index.html", "orphan-output"),
                     ("content/de/news/zz.adoc", "orphan-output"), ("content/de/zz.html", "orphan-output")]


def test_truncated_catalog_is_invalid_with_its_line(synced, capsys):
    path = synced / CATALOG
    text = path.read_text(encoding="utf-8")
    cut = text.index('msgstr "', len(text) // 2) + 12
    path.write_text(text[:cut], encoding="utf-8")
    code, report = check(synced, capsys)
    found = problems(report, "invalid-catalog")
    assert code == 1 and len(found) == 1 and found[0][0] == CATALOG
    assert found[0][1] == text[:cut].count("\n") + 1


def test_missing_catalog(synced, capsys):
    (synced / CATALOG).unlink()
    code, report = check(synced, capsys)
    assert code == 1 and problems(report, "missing-catalog") == [(ARTICLE, 1)]


def test_wrong_header(synced, capsys):
    path = synced / CATALOG
    po = polib.pofile(str(path))
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save()
    code, report = check(synced, capsys)
    assert code == 1
    assert problems(report, "catalog-header") == [(CATALOG, 1)]


def test_duplicate_entry_names_both_lines(synced, capsys):
    path = synced / CATALOG
    po = polib.pofile(str(path))
    po.append(polib.POEntry(msgid=po[0].msgid, msgstr=po[0].msgstr))
    po.save()
    code, report = check(synced, capsys)
    (found,) = [p for p in report["problems"] if p["code"] == "invalid-catalog"]
    assert code == 1 and found["file"] == CATALOG
    assert "duplicate message definition" in found["message"] and "first definition" in found["message"]


def test_machine_drafts_warn_and_fail_only_when_strict(synced, capsys):
    po = polib.pofile(str(synced / CATALOG))
    for e in po:
        e.msgstr = ""
    po.save()
    assert main(["--root", str(synced), "translate", "--engine", "pseudo"]) == 0
    code, report = check(synced, capsys)
    assert code == 0 and report["ok"]
    warnings = [p for p in report["problems"] if p["code"] == "machine-draft"]
    assert len(warnings) == 1 and warnings[0]["severity"] == "warning"
    code, report = check(synced, capsys, "--strict")
    assert code == 1 and problems(report, "machine-draft") == [(CATALOG, 1)]


def test_minimum_reviewed_share_is_enforced(tmp_path, capsys):
    root = write_site(tmp_path / "s", {"a.md": "# Title\n\nText.\n"},
                      'target_langs = ["de"]\nmin_reviewed = 0.5\n')
    assert main(["--root", str(root), "translate", "--engine", "none"]) == 0
    code, report = check(root, capsys)
    assert code == 1 and problems(report, "below-threshold") == [("locales/de/a.po", 1)]


def test_github_format(synced, capsys):
    (synced / OUTPUT).unlink()
    capsys.readouterr()
    assert main(["--root", str(synced), "check", "--format", "github"]) == 1
    assert capsys.readouterr().out.strip() == (
        f"::error file={OUTPUT},line=1,title=missing-output::{OUTPUT} is missing: run `l10n merge`")


def test_text_format_groups_by_file(synced, capsys):
    (synced / OUTPUT).unlink()
    capsys.readouterr()
    assert main(["--root", str(synced), "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == OUTPUT and out[1].startswith("  1: error [missing-output]")
    assert out[-1] == "out of sync: 4 articles, 1 error, 0 warnings"  # counted in English


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(doc=document())
def test_check_after_pseudo_translate_is_clean(tmp_path_factory, doc):
    root = write_site(tmp_path_factory.mktemp("p"), {"a.md": doc})
    assert main(["--root", str(root), "-q", "translate", "--engine", "pseudo"]) == 0
    assert main(["--root", str(root), "check", "--format", "json"]) == 0


def test_cached_check_still_finds_a_hand_edit(synced, capsys, cache_dir):
    assert check(synced, capsys)[0] == 0
    assert list(cache_dir.rglob("check-de.json"))  # the first check left its record
    out = synced / OUTPUT
    out.write_text(out.read_text(encoding="utf-8").replace("Politik", "Polidick"), encoding="utf-8")
    code, report = check(synced, capsys)
    assert code == 1 and [p for p, _ in problems(report, "stale-output")] == [OUTPUT]
    out.unlink()
    code, report = check(synced, capsys)
    assert problems(report, "missing-output") == [(OUTPUT, 1)]


def test_cached_check_replays_warnings_and_strict_turns_them_into_errors(synced, capsys):
    po = polib.pofile(str(synced / CATALOG))
    po[0].flags.append("fuzzy")
    po[0].previous_msgid = po[0].msgid + " (old)"
    po.save()
    assert main(["--root", str(synced), "-q", "translate"]) == 0
    for _ in range(2):  # the second run answers from the cache
        code, report = check(synced, capsys)
        assert code == 0 and [(p["severity"], p["code"]) for p in report["problems"]] == [
            ("warning", "needs-update"), ("info", "untranslated")]
        code, report = check(synced, capsys, "--strict")
        assert code == 1 and problems(report, "needs-update") == [(CATALOG, 1)]


def _forge(cache_dir: Path, edit) -> None:
    """Rewrite the check records as an attacker with write access to the cache would."""
    (record_file,) = cache_dir.rglob("check-de.json")
    data = json.loads(record_file.read_text(encoding="utf-8"))
    edit(data)
    record_file.write_text(json.dumps(data), encoding="utf-8")


def test_a_forged_record_does_not_pass_an_evil_link(synced, capsys, cache_dir):
    assert check(synced, capsys)[0] == 0
    evil = synced / CATALOG
    po = polib.pofile(str(evil))
    entry = next(e for e in po if "](" in e.msgstr)
    entry.msgstr = re.sub(r"\]\([^)]*\)", "](https://evil.example/)", entry.msgstr, count=1)
    po.save()
    assert main(["--root", str(synced), "-q", "merge"]) == 0  # the German file follows the catalog
    code, _ = check(synced, capsys)
    assert code == 1
    from l10n.cache import digest
    source = synced / "content/en" / Path(CATALOG).with_suffix(".md").name

    def vouch_for_the_evil_files(data):
        key = digest(source.read_bytes(), evil.read_bytes(), (synced / OUTPUT).read_bytes())
        data["articles"][str(source.relative_to(synced))] = [key, [], "0" * 64]
    _forge(cache_dir, vouch_for_the_evil_files)
    code, report = check(synced, capsys)
    assert code == 1 and problems(report, "link-target")


def test_records_of_other_code_are_not_replayed(synced, capsys, cache_dir, monkeypatch):
    from l10n import cache
    assert check(synced, capsys)[0] == 0
    (synced / OUTPUT).write_text("tampered\n", encoding="utf-8")
    assert check(synced, capsys)[0] == 1
    monkeypatch.setattr(cache, "code_digest", lambda: "another version of the code")
    assert check(synced, capsys)[0] == 1  # still found: the record of other code is not used


def test_no_cache_checks_everything_and_keeps_no_record(synced, capsys, cache_dir):
    for record in cache_dir.rglob("check-de.json"):
        record.unlink()
    code, _ = check(synced, capsys, "--no-cache")
    assert code == 0 and not list(cache_dir.rglob("check-de.json"))


# -- QA checks on the German (l10n.qa) ---------------------------------------------------

def merged(root: Path) -> None:
    """The catalogs in gettext's layout again (polib wraps differently), and the German rebuilt."""
    assert main(["--root", str(root), "-q", "extract"]) == 0
    assert main(["--root", str(root), "-q", "merge"]) == 0


def entry_line(root: Path, msgid_part: str) -> int:
    return next(e.linenum for e in polib.pofile(str(root / CATALOG)) if msgid_part in e.msgid)


def qa_problems(report: dict) -> list[dict]:
    from l10n import qa
    return [p for p in report["problems"] if p["code"] in qa.CODES]


def test_a_dropped_number_fails_check_at_its_entry(synced, capsys):
    edit_entry(synced, "27 different ones", lambda t: t.replace("27", "72"))
    merged(synced)
    line = entry_line(synced, "27 different ones")
    code, report = check(synced, capsys)
    assert code == 1 and not report["ok"]
    assert qa_problems(report) == [{
        "file": CATALOG, "line": line, "code": "numbers", "severity": "error",
        "message": "the translation lacks '27' of the source and has '72', not in the source"}]
    assert main(["--root", str(synced), "check", "--format", "github"]) == 1
    assert f"::error file={CATALOG},line={line},title=numbers::the translation lacks" in capsys.readouterr().out
    assert main(["--root", str(synced), "check"]) == 1
    assert f"  {line}: error [numbers] the translation lacks '27'" in capsys.readouterr().out


def test_a_warning_is_listed_and_check_passes(synced, capsys):
    edit_entry(synced, "27 different ones", lambda t: t.replace("Kritiker warnen", 'Kritiker "warnen"'))
    merged(synced)
    line = entry_line(synced, "27 different ones")
    code, report = check(synced, capsys)
    assert code == 0 and report["ok"], report
    assert [(p["line"], p["code"], p["severity"]) for p in qa_problems(report)] == [(line, "quotes", "warning")]


@pytest.mark.parametrize("mark", ["flag", "comment"])
def test_a_translator_silences_one_check_on_one_entry(synced, capsys, mark):
    path = synced / CATALOG
    po = polib.pofile(str(path))
    entry = next(e for e in po if "27 different ones" in e.msgid)
    entry.msgstr = entry.msgstr.replace("27", "siebenundzwanzig")
    if mark == "flag":
        entry.flags.append("ignore-numbers")
    else:
        entry.tcomment = "Zahl bewusst ausgeschrieben.\nl10n: ignore numbers"
    po.save()
    merged(synced)
    code, report = check(synced, capsys)
    assert code == 0 and qa_problems(report) == []


def silence_spelled_number(root: Path) -> None:
    """The entry of "27 different ones" reviewed with the number written out, and a flag that
    silences the numbers check on it."""
    path = root / CATALOG
    po = polib.pofile(str(path))
    entry = next(e for e in po if "27 different ones" in e.msgid)
    entry.msgstr = entry.msgstr.replace("27", "siebenundzwanzig")
    entry.flags.append("ignore-numbers")
    po.save()
    merged(root)


def test_a_silence_does_not_outlive_a_change_of_the_english(synced, capsys):
    silence_spelled_number(synced)
    assert check(synced, capsys)[0] == 0
    src = synced / ARTICLE
    src.write_text(src.read_text(encoding="utf-8").replace("27 different ones", "27 separate ones"),
                   encoding="utf-8")
    merged(synced)  # the translation is carried, fuzzy, with its flag: it needs an update
    (entry,) = [e for e in polib.pofile(str(synced / CATALOG)) if "27 separate ones" in e.msgid]
    assert entry.flags == ["fuzzy", "ignore-numbers"] and "siebenundzwanzig" in entry.msgstr
    code, report = check(synced, capsys)
    (found,) = [p for p in qa_problems(report) if p["severity"] != "info"]  # not: 19% untranslated
    assert code == 1 and found["line"] == entry.linenum and found["code"] == "numbers"
    assert found["message"] == ("the translation lacks '27' of the source (needs update); its ignore-numbers "
                                "counts once the entry is reviewed (not fuzzy)")
    po = polib.pofile(str(synced / CATALOG))  # reviewed again: the translator's word holds again
    next(e for e in po if "27 separate ones" in e.msgid).flags.remove("fuzzy")
    po.save()
    merged(synced)
    code, report = check(synced, capsys)
    assert code == 0 and [p for p in qa_problems(report) if p["severity"] != "info"] == []


def test_a_silence_does_not_pass_to_a_machine_draft(synced, capsys):
    from datetime import date

    from l10n import catalog
    silence_spelled_number(synced)
    po = polib.pofile(str(synced / CATALOG))
    entry = next(e for e in po if "27 different ones" in e.msgid)
    catalog.set_draft(entry, entry.msgstr.replace("siebenundzwanzig", "72"), "deepl", date(2026, 5, 4))
    po.save()
    merged(synced)
    code, report = check(synced, capsys)
    (found,) = qa_problems(report)
    assert code == 1 and found["code"] == "numbers" and "(machine draft); its ignore-numbers" in found["message"]


@pytest.mark.parametrize("mark", ["flag", "comment"])
def test_a_silencer_naming_no_check_is_a_warning(synced, capsys, mark):
    po = polib.pofile(str(synced / CATALOG))
    entry = next(e for e in po if "27 different ones" in e.msgid)
    if mark == "flag":
        entry.flags.append("ignore-numbres")
    else:
        entry.tcomment = "checked with the desk\nl10n: ignore numbres"
    po.save()
    merged(synced)
    line = entry_line(synced, "27 different ones")
    code, report = check(synced, capsys, "--strict")
    assert code == 0 and [p for p in report["problems"] if p["code"] == "unknown-silencer"] == [{
        "file": CATALOG, "line": line, "code": "unknown-silencer", "severity": "warning",
        "message": "'numbres' names no check (did you mean 'numbers'?)"}]
    assert main(["--root", str(synced), "check"]) == 0
    assert f"  {line}: warning [unknown-silencer] 'numbres' names no check" in capsys.readouterr().out


def test_severities_come_from_the_configuration(synced, capsys):
    edit_entry(synced, "27 different ones", lambda t: t.replace("27", "72"))
    merged(synced)
    conf = synced / "pyproject.toml"
    conf.write_text(conf.read_text(encoding="utf-8") + 'numbers = "warning"\n', encoding="utf-8")
    code, report = check(synced, capsys)
    assert code == 0 and [p["severity"] for p in qa_problems(report)] == ["warning"]
    conf.write_text(conf.read_text(encoding="utf-8").replace('"warning"', '"off"'), encoding="utf-8")
    code, report = check(synced, capsys)
    assert code == 0 and qa_problems(report) == []


def test_machine_drafts_are_checked_and_named(synced, capsys):
    from datetime import date

    from l10n import catalog
    path = synced / CATALOG
    po = polib.pofile(str(path))
    entry = next(e for e in po if "27 different ones" in e.msgid)
    catalog.set_draft(entry, entry.msgstr.replace("27", "72"), "deepl", date(2026, 5, 4))
    po.save()
    merged(synced)
    code, report = check(synced, capsys)
    (found,) = qa_problems(report)
    assert code == 1 and found["code"] == "numbers" and found["message"].endswith("(machine draft)")


def test_the_register_is_checked(synced, capsys):
    edit_entry(synced, "27 different ones",
                      lambda t: t.replace("Der vollständige Text", "Den vollständigen Text finden Sie"))
    merged(synced)
    line = entry_line(synced, "27 different ones")
    code, report = check(synced, capsys)
    assert code == 1 and [(p["line"], p["code"]) for p in qa_problems(report)] == [(line, "formality")]


def test_glossary_terms_are_required(synced, capsys):
    (synced / "glossary.csv").write_text("source,target\ndata-centre operators,Rechenzentrumsbetreiber\n"
                                         "paperwork,Bürokratie\n", encoding="utf-8")
    conf = synced / "pyproject.toml"
    conf.write_text(conf.read_text(encoding="utf-8").replace(
        "[tool.l10n]\n", '[tool.l10n]\nglossary = "glossary.csv"\n'), encoding="utf-8")
    code, report = check(synced, capsys)
    assert code == 0
    assert [p["message"] for p in qa_problems(report)] == ["glossary: 'paperwork' should be 'Bürokratie'"]
    # an edited glossary is read again, though no article changed: now the other article differs
    (synced / "glossary.csv").write_text("source,target\npaperwork,Papierkram\n", encoding="utf-8")
    assert [(p["file"], p["message"]) for p in qa_problems(check(synced, capsys)[1])] == [
        ("locales/de/rhine-valley-hospitals-roll-out-ai-dictation.po", "glossary: 'paperwork' should be 'Papierkram'")]


def test_different_reviewed_translations_of_one_text_are_named(tmp_path, capsys):
    text = "---\ntitle: \"{t}\"\n---\n\nThe ministry did not respond to a request for comment.\n"
    root = write_site(tmp_path / "s", {"a.md": text.format(t="Floods in the north"),
                                       "b.md": text.format(t="Storms in the south")})
    assert main(["--root", str(root), "-q", "extract"]) == 0
    german = {"a": ("Hochwasser im Norden", "Das Ministerium reagierte nicht auf eine Anfrage."),
              "b": ("Stürme im Süden", "Das Ministerium ließ eine Anfrage unbeantwortet.")}
    for name, (title, sentence) in german.items():
        path = root / f"locales/de/{name}.po"
        po = polib.pofile(str(path))
        po[0].msgstr, po[1].msgstr = title, sentence
        po.save()
    merged(root)
    code, report = check(root, capsys)
    found = {(p["file"], p["code"], p["message"]) for p in qa_problems(report)}
    line = {n: polib.pofile(str(root / f"locales/de/{n}.po"))[1].linenum for n in "ab"}
    assert code == 0 and found == {
        ("locales/de/a.po", "consistency",
         f"'Das Ministerium reagierte nicht auf eine Anfrage.' here, also translated 'Das Ministerium ließ eine Anfrage unbeantwortet.' (locales/de/b.po:{line['b']})"),
        ("locales/de/b.po", "consistency",
         f"'Das Ministerium ließ eine Anfrage unbeantwortet.' here, also translated 'Das Ministerium reagierte nicht auf eine Anfrage.' (locales/de/a.po:{line['a']})")}
    # replayed from the records of the first run, the same findings
    assert {(p["file"], p["code"], p["message"]) for p in qa_problems(check(root, capsys)[1])} == found


def test_pseudo_drafts_are_not_german_and_not_checked(site, capsys):
    assert main(["--root", str(site), "-q", "translate", "--engine", "pseudo"]) == 0
    code, report = check(site, capsys)
    assert code == 0 and qa_problems(report) == [] and problems(report, "machine-draft")


def test_progress_in_a_log_while_checking(synced, capsys, monkeypatch):
    """Output piped: lines of articles checked while the check runs, none per article."""
    monkeypatch.setenv("L10N_PROGRESS_SECONDS", "0.001")
    monkeypatch.setenv("L10N_JOBS", "1")
    assert main(["--root", str(synced), "check", "--no-cache"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith("check: ") for line in lines)
    assert re.fullmatch(r"check: 4/4 articles; \d+ s elapsed", lines[-1])
    assert main(["--root", str(synced), "-q", "check"]) == 0
    assert capsys.readouterr().err == ""


# -- PO editors' layouts: a warning, never an error; the next extract restores gettext's ---

LONG_LABEL = "deepl/prefer_less/quality_optimized/g-0123456789ab"  # a mark polib breaks in two


@pytest.fixture
def rich(synced: Path, capsys) -> bytes:
    """The example catalog with everything a translator and l10n put in one: a long
    translator comment, an entry that needs update, a machine draft with a long engine
    label, an obsolete entry with its previous msgid. In sync; its bytes."""
    from datetime import date

    from l10n import catalog, pofile

    path = synced / CATALOG
    po = pofile.load(path)
    own = [e for e in po if e.msgstr and not e.obsolete]
    own[1].tcomment = ("Checked against the Commission's press release; keep the German term "
                       "for licence that the ministry itself uses in its notices.")
    own[2].flags.append("fuzzy")
    own[2].previous_msgid = "An earlier English sentence that the editor rewrote later."
    catalog.set_draft(own[3], own[3].msgstr + " (Entwurf)", LONG_LABEL, date.today())
    po.append(polib.POEntry(msgid="A paragraph the article no longer has.", obsolete=True,
                            msgstr="Ein Absatz, den der Artikel nicht mehr hat.",
                            previous_msgid="A paragraph the article once had.",
                            comment=f"obsolete since: {date.today().isoformat()}"))
    path.write_text(pofile.dumps(po), encoding="utf-8")
    assert main(["--root", str(synced), "-q", "translate", "--engine", "none"]) == 0
    code, report = check(synced, capsys)
    assert code == 0 and not problems(report, "catalog-layout"), report
    return path.read_bytes()


def _polib(path: Path) -> None:
    polib.pofile(str(path)).save()  # polib's own wrapping (78 columns, comments too)


def _msgcat(*options: str):
    def resave(path: Path) -> None:
        subprocess.run(["msgcat", *options, str(path), "-o", str(path)], check=True)
    return resave


def _crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("resave", [_polib, _msgcat("--no-wrap"), _msgcat("-w", "40"), _crlf],
                         ids=["polib", "msgcat-no-wrap", "msgcat-w40", "crlf"])
def test_catalog_in_another_layout_is_a_warning_and_extract_restores_it(synced, rich, capsys, resave):
    path = synced / CATALOG
    resave(path)
    assert path.read_bytes() != rich
    code, report = check(synced, capsys, "--strict", "--no-cache")
    found = {p["code"]: p for p in report["problems"] if p["file"] == CATALOG}
    assert "catalog-layout" in found and "stale-catalog" not in found, report
    assert found["catalog-layout"]["severity"] == "warning"  # even with --strict
    assert "`l10n extract`" in found["catalog-layout"]["message"]
    code, report = check(synced, capsys)
    assert code == 0 and report["ok"], report

    assert main(["--root", str(synced), "-q", "extract"]) == 0
    after = path.read_bytes()
    if resave is _polib:
        # polib drops the extracted comment and the previous msgid of obsolete entries (lost
        # before l10n reads the file), and breaks the long translator comment in two lines
        # (its words are kept, and gettext keeps them so).
        from l10n import pofile

        rich = re.sub(rb"#\. obsolete since: [\d-]+\n((#~\| .*\n)*)(?=#~ msgid)", b"", rich)
        rich = re.sub(rb"#~\| .*\n", b"", rich)
        assert pofile.same_entries(pofile.loads(after.decode()), pofile.loads(rich.decode()))
        assert after.count(b"\n# ") == rich.count(b"\n# ") + 1
    else:
        assert after == rich
    code, report = check(synced, capsys, "--no-cache")
    assert code == 0 and not problems(report, "catalog-layout")


def test_machine_mark_broken_by_polib_keeps_its_engine_date_and_digest(synced, rich):
    from l10n import catalog, pofile

    _polib(synced / CATALOG)
    assert f"#. machine translation: {LONG_LABEL}".encode() in (synced / CATALOG).read_bytes()
    assert b"\n#. machine translation: " + LONG_LABEL.encode() + b",\n" not in rich
    draft = next(e for e in pofile.load(synced / CATALOG) if "(Entwurf)" in e.msgstr)
    assert "\n" in draft.comment.split("machine translation: ")[1]  # broken in two lines
    mark = catalog.machine(draft)
    assert (mark.engine, mark.unedited, catalog.state(draft)) == (LONG_LABEL, True, catalog.DRAFT)
    draft.msgstr += " edited"  # the digest is still there to tell an edit
    assert catalog.state(draft) == catalog.NEEDS_UPDATE


@pytest.mark.parametrize("change", [
    lambda po: po.insert(0, po.pop(1)),
    lambda po: setattr(po[0], "comment", po[0].comment.replace("type: ", "type: quoted ")),
    lambda po: setattr(po[0], "comment", ""),
], ids=["order", "comment", "no-comment"])
def test_other_differences_are_still_an_error(synced, rich, capsys, change):
    """What ``extract`` writes otherwise (order, its comments) is not layout: a stale catalog."""
    from l10n import pofile

    po = pofile.load(synced / CATALOG)
    change(po)
    (synced / CATALOG).write_text(pofile.dumps(po), encoding="utf-8")
    code, report = check(synced, capsys, "--no-cache")
    assert not problems(report, "catalog-layout")
    assert code == 1 and problems(report, "stale-catalog") == [(CATALOG, 1)]


# -- the states check reuses from publishing --------------------------------------------

def _with_state(e: polib.POEntry, kind: str, today) -> None:
    """``e`` made to be in one of the catalog's states, or one of the entries states skip."""
    if kind == "reviewed":
        e.msgstr = "Übersetzt."
    elif kind in ("draft", "edited draft", "old draft"):
        catalog.set_draft(e, "Entwurf.", "pseudo" if kind == "draft" else "deepl", today)
        e.msgstr += " Bearbeitet." if kind == "edited draft" else ""
        e.previous_msgid = "Old." if kind == "old draft" else None
    elif kind == "needs update":
        e.msgstr, e.flags, e.previous_msgid = "Alt.", ["fuzzy"], "Old text."
    elif kind == "obsolete":
        e.msgstr, e.obsolete = "Weg.", True
    elif kind == "foreign":
        e.msgctxt, e.msgstr = "tool", "Fremd."


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=document(), data=st.data())
def test_the_states_publishing_found_are_the_entries_states(doc, data):
    today = date(2026, 3, 1)
    site = config.from_table({"target_langs": ["de"], "publish": data.draw(st.sampled_from(["drafts", "reviewed"]))},
                             Path("/site"))
    work = workflow.prepare(site, "de", Path("/site/content/en/a.md"), doc, None, today)
    po = work.po
    po.append(polib.POEntry(msgid="Not in the article.", msgstr="Nicht im Artikel."))
    kinds = ["untranslated", "reviewed", "draft", "edited draft", "old draft", "needs update", "obsolete", "foreign"]
    for e in po:
        _with_state(e, data.draw(st.sampled_from(kinds)), today)
    found = workflow.publication(site, work, po)
    assert states(po, found) == {e.msgid: catalog.state(e) for e in po
                                 if not e.obsolete and e.msgid and catalog.is_own(e)}
