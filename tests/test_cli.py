"""The command line: exit statuses, messages, and files left as they were on bad input."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from l10n import status
from l10n.cli import cli, main

from .conftest import ARTICLE, snapshot, write_site


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def test_every_command_has_help(capsys):
    for name, command in cli.commands.items():
        assert command.help, name
        assert main([name, "--help"]) == 0
        assert "Example" in capsys.readouterr().out


def test_pseudo_drafts_titles_and_the_configured_shortcode_text(tmp_path):
    site = write_site(tmp_path / "site", {"fig.md": (
        "---\ntitle: Figures\n---\n\nSee [the lab](https://lab.example/x \"Our lab\").\n\n"
        '{{< figure src="c.png" alt="A chart" label="Growth figure" >}}\n')},
        config='target_langs = ["de"]\nshortcode_text = ["label"]\n')
    assert run(site, "translate", "--engine", "pseudo") == 0
    de = (site / "content/de/fig.md").read_text(encoding="utf-8")
    assert '(https://lab.example/x "Öürː läbː")' in de
    assert '{{< figure src="c.png" alt="A chart" label="Gröwthːː fîgüréːː" >}}' in de
    assert run(site, "check") == 0


def test_translate_pseudo_writes_catalog_and_article(site, capsys):
    assert run(site, "translate", "--engine", "pseudo") == 0
    po = (site / "locales/de/open-model.po").read_text(encoding="utf-8")
    de = (site / "content/de/open-model.md").read_text(encoding="utf-8")
    assert '#: content/en/open-model.md\n' in po and "#. machine translation: pseudo," in po
    assert "language: de\n" in de and "url: https://news.example.test/de/story/open-model-tops-the-charts\n" in de
    assert "(https://lab.example.test/weights)" in de
    assert "translation: {status: draft, reviewed: 0, digest: " in de
    out = capsys.readouterr().out
    assert "translate: 1 article, 1 catalog and 1 article written" in out  # counted in English


def test_second_run_changes_no_byte(site):
    assert run(site, "translate", "--engine", "pseudo") == 0
    before = snapshot(site)
    mtimes = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    assert run(site, "translate", "--engine", "pseudo") == 0
    assert run(site, "extract") == 0
    assert snapshot(site) == before
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == mtimes


def test_inserting_a_paragraph_adds_only_its_entry(site):
    assert run(site, "extract") == 0
    po = site / "locales/de/open-model.po"
    before = po.read_text(encoding="utf-8").splitlines(keepends=True)
    src = site / "content/en/open-model.md"
    src.write_text(ARTICLE.replace("## Why it matters\n", "## Why it matters\n\nA brand-new paragraph.\n"),
                   encoding="utf-8")
    assert run(site, "extract") == 0
    after = po.read_text(encoding="utf-8").splitlines(keepends=True)
    diff = [d for d in difflib.ndiff(before, after) if d[0] in "+-"]
    assert all(d.startswith("+ ") for d in diff)
    entry = ('#. type: paragraph; section: Why it matters\n#: content/en/open-model.md\n'
             'msgid "A brand-new paragraph."\nmsgstr ""\n\n')
    assert sorted(d[2:] for d in diff) == sorted(entry.splitlines(keepends=True))


def test_dry_run_changes_nothing_and_counts(site, capsys):
    before = snapshot(site)
    assert run(site, "translate", "--engine", "pseudo", "--dry-run") == 0
    assert snapshot(site) == before
    assert "would send 7 segments" in capsys.readouterr().out


def test_auto_engine_says_which_it_chose(site, capsys, monkeypatch):
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    assert run(site, "translate") == 0
    assert "engine: memory (DEEPL_AUTH_KEY is not set)" in capsys.readouterr().err


def test_memory_engine_reuses_reviewed_translations_across_articles(tmp_path):
    root = write_site(tmp_path / "s", {"a.md": "# Same heading\n", "b.md": "# Same heading\n\nOther.\n"})
    assert run(root, "extract") == 0
    a = root / "locales/de/a.po"
    po = polib.pofile(str(a))
    po[0].msgstr = "Gleiche Überschrift"
    po.save()
    assert run(root, "translate", "--engine", "memory") == 0
    b = (root / "content/de/b.md").read_text(encoding="utf-8")
    assert b == "# Gleiche Überschrift\n\nOther.\n"  # no front matter in the source: none added
    entry = polib.pofile(str(root / "locales/de/b.po")).find("Same heading")
    assert "fuzzy" in entry.flags and "machine translation: memory" in entry.comment


def test_status_json_counts_states(site, capsys):
    assert run(site, "translate", "--engine", "pseudo") == 0
    capsys.readouterr()
    assert run(site, "status", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    row = data["articles"][0]
    assert row["article"] == "content/en/open-model.md"
    assert row["entries"] == {"reviewed": 0, "machine draft": 7, "needs update": 0, "untranslated": 0}
    assert row["words"]["machine draft"] == sum(row["words"].values()) > 0


def test_status_table(site, capsys):
    assert run(site, "status") == 0
    out = capsys.readouterr().out
    assert "no catalog: run l10n extract" in out
    run(site, "extract")
    capsys.readouterr()
    assert run(site, "status") == 0
    assert "░" in capsys.readouterr().out


def test_status_table_shows_words_per_state_and_the_front_matters_share(tmp_path, capsys):
    root = write_site(tmp_path / "s", {"a.md": "---\ntitle: Short\n---\n\nFive words are in here.\n"})
    assert run(root, "translate", "--engine", "pseudo") == 0
    po_path = root / "locales/de/a.po"
    po = polib.pofile(str(po_path))
    po.find("Short").flags.remove("fuzzy")  # 1 of 6 words reviewed: 16.7%
    po.save(str(po_path))
    assert run(root, "merge") == 0
    assert "reviewed: 16, digest" in (root / "content/de/a.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert run(root, "status") == 0
    head, row = capsys.readouterr().out.splitlines()
    assert row.split()[2:10] == ["1", "(1)", "1", "(5)", "0", "(0)", "0", "(0)"]
    assert row.endswith(" 16%")


def test_status_columns_stay_aligned_with_wide_and_combining_characters(tmp_path, capsys):
    text = "---\ntitle: Short\n---\n\nFive words are in here.\n"
    root = write_site(tmp_path / "s", {"a.md": text, "東京の港.md": text, "cafe\u0301-news.md": text})
    assert run(root, "extract") == 0
    capsys.readouterr()
    assert run(root, "status") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    # the language column starts at the same terminal column in every line, and the rows
    # (the same figures) end at the same one
    starts = {status.width(line[:line.index(" lang " if i == 0 else " de ")]) for i, line in enumerate(lines)}
    assert len(starts) == 1, lines
    assert len({status.width(line) for line in lines[1:]}) == 1, lines


def test_status_shows_no_share_for_an_article_with_nothing_to_translate(tmp_path, capsys):
    root = write_site(tmp_path / "s", {"code.md": "```\nmake all\n```\n",
                                       "a.md": "---\ntitle: Short\n---\n\nFive words are in here.\n"})
    assert run(root, "extract") == 0
    capsys.readouterr()
    assert run(root, "status") == 0
    rows = dict((line.split()[0], line) for line in capsys.readouterr().out.splitlines()[1:])
    assert rows["content/en/code.md"].endswith(" -") and "100%" not in rows["content/en/code.md"]
    assert rows["content/en/a.md"].endswith(" 0%")
    assert run(root, "status", "--format", "json") == 0
    shares = {r["article"]: r["reviewed_share"] for r in json.loads(capsys.readouterr().out)["articles"]}
    assert shares == {"content/en/a.md": 0.0, "content/en/code.md": None}


# -- bad input: one line, exit 2, nothing written ------------------------------------

def assert_one_line_error(capsys, *words: str) -> None:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err


def test_missing_config(tmp_path, capsys):
    assert run(tmp_path, "extract") == 2
    assert_one_line_error(capsys, "pyproject.toml", "[tool.l10n]")


def test_config_without_table(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert run(tmp_path, "extract") == 2
    assert_one_line_error(capsys, "no [tool.l10n] table")


def test_unknown_language_in_config(tmp_path, capsys):
    root = write_site(tmp_path / "s", {"a.md": "x\n"}, 'target_langs = ["xx-QQ"]\n')
    assert run(root, "extract") == 2
    assert_one_line_error(capsys, "unknown target language 'xx-QQ'")


def test_unknown_language_on_command_line(site, capsys):
    assert run(site, "extract", "--lang", "klingon") == 2
    assert "unknown language 'klingon'" in capsys.readouterr().err


def test_language_not_configured(site, capsys):
    assert run(site, "extract", "--lang", "fr") == 2
    assert "'fr' is not in target_langs" in capsys.readouterr().err


@pytest.mark.parametrize("content, where", [
    (b'---\ntitle: "unclosed\n---\nbody\n', "content/en/bad.md:2: broken YAML front matter"),
    (b"# Title\n\nGr\xfc\xdfe\n", "content/en/bad.md:3: not valid UTF-8"),
])
def test_bad_article_stops_before_writing(site, capsys, content, where):
    (site / "content/en/bad.md").write_bytes(content)
    before = snapshot(site)
    assert run(site, "translate", "--engine", "pseudo", "content/en/bad.md") == 2
    assert_one_line_error(capsys, where)
    assert snapshot(site) == before


@pytest.mark.parametrize("content, line", [
    ('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "a"\nmsgstr "b\n', None),
    ("this is not a catalog\n", None),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "\xff"\n'.encode("latin-1"), 5),
])
def test_malformed_catalog_is_reported_and_kept(site, capsys, content, line):
    run(site, "extract")
    po = site / "locales/de/open-model.po"
    po.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = snapshot(site)
    assert run(site, "translate", "--engine", "pseudo") == 2
    assert_one_line_error(capsys, "locales/de/open-model.po" + (f":{line}:" if line else ":"))
    assert snapshot(site) == before


def test_article_outside_the_source_folder(site, capsys, tmp_path):
    other = tmp_path / "elsewhere.md"
    other.write_text("x\n")
    assert run(site, "extract", str(other)) == 2
    assert_one_line_error(capsys, "not a source article")


def test_rerun_skips_unchanged_articles_but_sees_a_translators_save(site, capsys):
    assert run(site, "translate", "--engine", "none") == 0
    capsys.readouterr()
    assert run(site, "translate", "--engine", "none") == 0
    assert "open-model.md" not in capsys.readouterr().out  # nothing to say: skipped
    po_path = site / "locales/de/open-model.po"
    po = polib.pofile(str(po_path))
    po.find("Why it matters").msgstr = "Warum das wichtig ist"
    po.save()
    assert run(site, "translate", "--engine", "none") == 0
    assert "## Warum das wichtig ist\n" in (site / "content/de/open-model.md").read_text(encoding="utf-8")


def test_reviewed_policy_publishes_only_reviewed_entries(tmp_path):
    root = write_site(tmp_path / "s", {"a.md": ARTICLE}, 'target_langs = ["de"]\npublish = "reviewed"\n')
    assert run(root, "translate", "--engine", "pseudo") == 0
    assert not (root / "content/de/a.md").exists()  # drafts only: nothing published in German
    po = polib.pofile(str(root / "locales/de/a.po"))
    heading = po.find("Why it matters")
    heading.msgstr, heading.flags = "Warum das wichtig ist", []
    po.save()
    assert run(root, "merge") == 0
    de = (root / "content/de/a.md").read_text(encoding="utf-8")
    assert "## Warum das wichtig ist\n" in de and "A small lab released" in de  # drafts still English
    assert "translation: {status: partial, reviewed: " in de


def test_produced_catalogs_pass_msgfmt_check(site, tmp_path):
    assert run(site, "translate", "--engine", "pseudo") == 0
    po = site / "locales/de/open-model.po"
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_bad_l10n_jobs_is_one_line_and_writes_nothing(site, capsys, monkeypatch, value):
    monkeypatch.setenv("L10N_JOBS", value)
    before = snapshot(site)
    assert run(site, "merge") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "L10N_JOBS" in err and repr(value) in err
    assert snapshot(site) == before


def test_deeply_nested_markup_translates_and_checks(tmp_path, capsys):
    n = 1000
    hostile = {"strong": "**" * n + "x" + "**" * n, "emphasis": "*" * n + "x" + "*" * n,
               "underscore": "_" * n + "x" + "_" * n, "links": "[" * n + "x" + "](u)" * n,
               "quotes": "> " * n + "x", "lists": "- " * n + "x",
               "indented-lists": "".join("  " * i + "- x\n" for i in range(n))}
    root = write_site(tmp_path / "s", {f"{name}.md": f"# Deep\n\n{text}\n\nEnd.\n"
                                       for name, text in hostile.items()})
    assert run(root, "translate", "--engine", "pseudo") == 0
    assert run(root, "check") == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert len(list((root / "content/de").glob("*.md"))) == len(hostile)


def test_a_20000_row_table_translates_in_seconds(tmp_path):
    """Time per row is flat (benchmarks/scaling.py measures it); here the size just has to
    pass in a few seconds, not the minutes a quadratic step would take."""
    n = 20_000
    rows = "".join(f"| {i} | item {i} |\n" for i in range(n))
    root = write_site(tmp_path / "s", {"t.md": "# Table\n\n| N | Name |\n|---|---|\n" + rows})
    assert run(root, "-q", "translate", "--engine", "pseudo") == 0
    de = (root / "content/de/t.md").read_text(encoding="utf-8").splitlines()
    assert len([line for line in de if line.startswith("| ")]) == n + 1
    assert de[-1] == f"| {n - 1} | îtémː {n - 1} |"


def test_status_counts_qa_findings(example_site, capsys):
    path = example_site / "locales/de/eu-tightens-export-checks-on-ai-accelerators.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if "27 different ones" in e.msgid)
    entry.msgstr = entry.msgstr.replace("27", "72").replace("Kritiker warnen", 'Kritiker "warnen"')
    po.save()
    capsys.readouterr()
    assert run(example_site, "status", "--format", "json") == 0
    rows = {r["catalog"]: r["checks"] for r in json.loads(capsys.readouterr().out)["articles"]}
    assert rows.pop("locales/de/eu-tightens-export-checks-on-ai-accelerators.po") == {"errors": 1, "warnings": 1}
    assert set(map(str, rows.values())) == {str({"errors": 0, "warnings": 0})}
    assert run(example_site, "status") == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("content/en/eu-"))
    assert " 1E 1W " in line


# -- finding the site, options where editors put them ---------------------------------

def test_site_is_found_upwards_from_the_current_folder(site, capsys, monkeypatch):
    outer = site.parent / "pyproject.toml"  # a project above without [tool.l10n] is passed by
    outer.write_text("[project]\nname = 'outer'\n", encoding="utf-8")
    (site / "content/en/sub").mkdir()
    monkeypatch.chdir(site / "content/en/sub")
    assert main(["extract"]) == 0
    assert (site / "locales/de/open-model.po").is_file()
    assert main(["status", "--format", "json"]) == 0
    assert '"article": "content/en/open-model.md"' in capsys.readouterr().out


def test_no_site_upwards_is_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'not a site'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["status"]) == 2
    assert_one_line_error(capsys, "no pyproject.toml with [tool.l10n] in", "or any folder above it",
                          "--root")


def test_options_before_or_after_the_command(site, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no site here: only --root finds it
    assert main(["status", "--root", str(site)]) == 0
    after = capsys.readouterr().out
    assert main(["--root", str(site), "status"]) == 0
    assert capsys.readouterr().out == after and "open-model.md" in after
    assert main(["translate", "--root", str(site), "--engine", "pseudo", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    (site / "content/de/open-model.md").unlink()
    assert main(["merge", "-v", "--root", str(site)]) == 0
    assert "content/en/open-model.md [de]: written" in capsys.readouterr().out


def test_a_line_per_article_only_with_verbose(site, capsys):
    assert run(site, "extract") == 0
    out = capsys.readouterr().out
    assert out == "extract: 1 article, 1 catalog and 0 articles written\n"
    (site / "locales/de/open-model.po").unlink()
    assert run(site, "extract", "-v") == 0
    assert "content/en/open-model.md [de]: catalog: 7 new" in capsys.readouterr().out


def test_verbose_shows_the_steps_of_the_run(site):
    def l10n(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "l10n", "--root", str(site), *args],
                              capture_output=True, text=True, env={**os.environ, "L10N_JOBS": "2"})

    done = l10n("-v", "translate", "--engine", "pseudo")
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stderr.splitlines() if "content/en/open-model.md [de]: " in line]
    assert [line.split("]: ")[1].split(":")[0] for line in steps] == ["extract", "drafts", "merge"], steps
    assert "extract: 9 segments; catalog: 7 new, 0 changed, 0 obsolete" in steps[0]  # 2 repeated
    assert "drafts: 0 entries filled from memory and this run, 7 texts for pseudo" in steps[1]
    assert steps[2].endswith("merge: German file written")
    (site / "content/de/open-model.md").unlink()
    done = l10n("merge", "-v")
    assert "content/en/open-model.md [de]: merge: German file written" in done.stderr
    done = l10n("translate", "--engine", "pseudo")  # without -v: no steps
    assert done.returncode == 0 and "extract:" not in done.stderr and "merge:" not in done.stderr


@pytest.mark.parametrize("command", ["translate", "extract", "merge", "check", "status", "review"])
def test_missing_source_folder_is_one_line_exit_2(tmp_path, capsys, command):
    root = write_site(tmp_path / "s", {})
    args = [command] + (["out"] if command == "review" else [])
    assert run(root, *args) == 2
    assert_one_line_error(capsys, "content/en: no such folder: the 'en' articles go there")


PAPERS = ("---\ntitle: Papers\n---\n\nRead [the paper][p] and [the brief][b].\n\n"
          '[p]: https://example.org/x "Policy paper"\n[b]: https://example.org/y\n  \'Policy paper\'\n')


def test_pseudo_drafts_the_titles_of_reference_definitions(tmp_path):
    site = write_site(tmp_path / "site", {"papers.md": PAPERS})
    assert run(site, "translate", "--engine", "pseudo") == 0
    po = polib.pofile(str(site / "locales/de/papers.po"))
    entry = po.find("Policy paper")  # one entry for both definitions, each named
    assert entry.comment.splitlines()[:2] == ["type: link title (the tooltip of links to [p])",
                                              "type: link title (the tooltip of links to [b])"]
    assert entry.msgstr and entry.msgstr != "Policy paper" and "fuzzy" in entry.flags
    de = (site / "content/de/papers.md").read_text(encoding="utf-8")
    assert de.endswith(f'[p]: https://example.org/x "{entry.msgstr}"\n[b]: https://example.org/y\n  \'{entry.msgstr}\'\n')
    assert run(site, "check") == 0


def test_memory_drafts_a_reference_title_from_a_reviewed_translation(tmp_path):
    site = write_site(tmp_path / "site", {"papers.md": PAPERS,
                                          "other.md": "---\ntitle: Other\n---\n\nPolicy paper\n"})
    assert run(site, "extract") == 0
    other = polib.pofile(str(site / "locales/de/other.po"))
    other.find("Policy paper").msgstr = "Grundsatzpapier"
    other.save()
    assert run(site, "extract") == 0  # back in gettext's layout
    assert run(site, "translate", "--engine", "memory") == 0
    de = (site / "content/de/papers.md").read_text(encoding="utf-8")
    assert '[p]: https://example.org/x "Grundsatzpapier"' in de and "  'Grundsatzpapier'\n" in de


def test_ctrl_c_anywhere_in_a_command_is_status_130(tmp_path, capsys, monkeypatch):
    # click turns a KeyboardInterrupt inside a command into Abort; it is still an interrupt
    # (seen before the first request: the DeepL checks that run before anything is sent)
    from l10n import workflow

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    site = write_site(tmp_path / "site", {"a.md": ARTICLE})
    monkeypatch.setattr(workflow, "run_many", interrupted)
    assert run(site, "translate", "--engine", "pseudo") == 130
    assert "interrupted" in capsys.readouterr().err
