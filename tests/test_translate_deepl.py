"""``l10n translate`` with the DeepL engine, end to end: the CLI, the real ``deepl`` client
and ``FakeDeepL`` on loopback (``DEEPL_SERVER_URL``)."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

import logging
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest

from l10n import catalog, cli
from l10n.extract import extract
from l10n.cli import main

from .conftest import DEEPL_KEY, EXAMPLES, snapshot, write_site
from .deepl_server import FakeDeepL, billed_characters

SECRET = DEEPL_KEY


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "translate", "--engine", "deepl", *args])


def article(title: str, *paragraphs: str, draft: bool = False) -> str:
    head = f'---\ntitle: "{title}"\n' + ("draft: true\n" if draft else "") + "---\n\n"
    return head + "".join(p + "\n\n" for p in paragraphs)


def sentences(tag: str, n: int) -> list[str]:
    return [f"Sentence {i} of the {tag} story." for i in range(n)]


def po(root: Path, name: str) -> polib.POFile:
    return polib.pofile(str(root / "locales/de" / name))


def drafts(root: Path, name: str) -> dict[str, str]:
    return {e.msgid: e.msgstr for e in po(root, name) if e.msgstr}


def no_key_anywhere(root: Path, captured) -> None:
    assert SECRET not in captured.out and SECRET not in captured.err
    for name, data in snapshot(root).items():
        assert SECRET.encode() not in data, name


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


SHARED = "The same sentence appears in every article."


@pytest.fixture
def three(tmp_path):
    """Three articles: a title, 4 sentences of their own and one they share."""
    shared = SHARED
    return write_site(tmp_path / "site", {
        f"{tag}.md": article(f"The {tag} story", *sentences(tag, 4), shared)
        for tag in ("first", "second", "third")})


# ----------------------------------------------------------------- cost

def test_batches_of_at_most_50(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {"big.md": article("Big", *sentences("big", 119))})
    assert run(site) == 0
    reqs = server.translate_requests()
    assert sorted(len(r.texts) for r in reqs) == [20, 50, 50]
    assert all(r.params["context"] == "Big" for r in reqs)
    assert len(set(server.texts_sent())) == 120
    out = capsys.readouterr().out
    assert "[de] sent 120 segments" in out and f"({server.chars_billed():,} billed)" in out


def test_same_sentence_in_three_articles_is_sent_once(three, server):
    assert run(three) == 0
    sent = server.texts_sent()
    assert sent.count("The same sentence appears in every article.") == 1
    assert len(sent) == len(set(sent)) == 3 * 5 + 1  # 3 titles, 12 sentences, the shared one
    for tag in ("first", "second", "third"):
        assert drafts(three, f"{tag}.po")["The same sentence appears in every article."] == \
            "DE:The same sentence appears in every article."
    # one request per article: the context (title) is per request
    assert sorted(r.params["context"] for r in server.translate_requests()) == [
        "The first story", "The second story", "The third story"]


def test_context_is_title_and_lead_in_every_request(tmp_path, server):
    lead = "The regional water board said on Monday that every reservoir in the valley is full again."
    with_description = ('---\ntitle: "Reservoirs are full"\ndescription: "Spring rain refilled the lakes."\n---\n\n'
                        + "".join(p + "\n\n" for p in sentences("water", 70)) + SHARED + "\n")
    with_lead = article("Taps run again", "**By**: the desk", f"{lead} [Map](https://maps.example.test/v).",
                        *sentences("taps", 3), SHARED)
    site = write_site(tmp_path / "site", {"a-water.md": with_description, "b-taps.md": with_lead})
    assert run(site) == 0
    contexts = Counter(r.params["context"] for r in server.translate_requests())
    # 73 texts of the first article in two requests, each with its context; not billed
    assert contexts == {"Reservoirs are full\nSpring rain refilled the lakes.": 2,
                        f"Taps run again\n{lead} Map.": 1}
    assert server.chars_billed() == sum(billed_characters(t, "xml") for t in server.texts_sent())
    # the shared sentence is sent once, in the request of the first article that needs it
    (shared,) = [r for r in server.translate_requests() if SHARED in r.texts]
    assert shared.params["context"].startswith("Reservoirs are full")
    assert "maps.example.test" not in "".join(r.body.decode() for r in server.translate_requests())


def test_changed_settings_redraft_only_unedited_drafts(three, server):
    assert run(three) == 0
    path = three / "locales/de/first.po"
    cat = polib.pofile(str(path))
    reviewed, edited = [e for e in cat if e.msgid.startswith("Sentence")][:2]
    reviewed.flags.remove("fuzzy")  # a translator approved it
    edited.msgstr = "Satz, von Hand verbessert."  # a translator edited it, still fuzzy
    cat.save(str(path))
    config = three / "pyproject.toml"
    config.write_text(config.read_text() + '[tool.l10n.deepl]\ncustom_instructions = ["Write numbers as digits."]\n')
    server.clear_requests()
    assert run(three) == 0
    assert SHARED in server.texts_sent() and reviewed.msgid not in server.texts_sent()
    assert edited.msgid not in server.texts_sent() and len(server.texts_sent()) == 16 - 2
    assert all(r.params["custom_instructions"] == ["Write numbers as digits."]
               for r in server.translate_requests())
    after = {e.msgid: e for e in po(three, "first.po")}
    assert after[reviewed.msgid].msgstr == reviewed.msgstr and not after[reviewed.msgid].fuzzy
    assert after[edited.msgid].msgstr == "Satz, von Hand verbessert."
    labels = {catalog.machine(e).engine for name in ("first.po", "second.po") for e in po(three, name)
              if e.msgstr and catalog.state(e) == catalog.DRAFT}
    assert len(labels) == 1  # every draft now made under the new settings
    server.clear_requests()
    assert run(three) == 0 and server.translate_requests() == []  # and then nothing more


def test_drafts_from_before_settings_were_recorded_are_not_billed_again(three, server):
    assert run(three) == 0
    for path in (three / "locales/de").glob("*.po"):  # labels as l10n wrote them before
        path.write_text(re.sub(r"(deepl/[a-z_]+)/[0-9a-f]{12}", r"\1", path.read_text()))
    server.clear_requests()
    assert run(three) == 0
    assert server.translate_requests() == []
    assert all(catalog.state(e) == catalog.DRAFT for e in po(three, "first.po") if e.msgid)


def test_rerun_sends_nothing_and_changes_nothing(three, server):
    assert run(three) == 0
    before = snapshot(three)
    server.clear_requests()
    assert run(three) == 0
    assert server.translate_requests() == [] and snapshot(three) == before


def test_changed_sentence_is_the_only_one_sent(three, server):
    assert run(three) == 0
    src = three / "content/en/second.md"
    src.write_text(src.read_text().replace("Sentence 2 of the second story.",
                                           "Sentence 2 of the second story, revised."))
    server.clear_requests()
    assert run(three) == 0
    assert server.texts_sent() == ["Sentence 2 of the second story, revised."]
    assert "DE:Sentence 2 of the second story, revised." in (three / "content/de/second.md").read_text()


def test_text_translated_elsewhere_is_reused(three, server):
    assert run(three, str(three / "content/en/first.md")) == 0
    server.clear_requests()
    assert run(three) == 0
    sent = server.texts_sent()
    assert len(sent) == 10 and "The same sentence appears in every article." not in sent
    assert drafts(three, "third.po")["The same sentence appears in every article."] == \
        "DE:The same sentence appears in every article."


def test_draft_made_with_other_settings_is_not_reused(three, server):
    assert run(three, str(three / "content/en/first.md")) == 0
    config = three / "pyproject.toml"
    config.write_text(config.read_text() + '[tool.l10n.deepl]\nformality = "more"\n')
    server.clear_requests()
    assert run(three) == 0
    assert server.texts_sent().count(SHARED) == 1
    assert all(r.params["formality"] == "more" for r in server.translate_requests())
    third = next(e for e in po(three, "third.po") if e.msgid == SHARED)
    assert catalog.machine(third).engine.startswith("deepl/more/")
    # the drafts made under the old formality were unedited: drafted again, under the new one
    assert {catalog.machine(e).engine.split("/")[1] for e in po(three, "first.po") if e.msgstr} == {"more"}


def test_dry_run_sends_nothing_and_changes_nothing(three, server, capsys):
    before = snapshot(three)
    server.character_count = 4321
    assert run(three, "--dry-run") == 0
    assert server.translate_requests() == [] and snapshot(three) == before
    out = capsys.readouterr().out
    chars = sum(len(t) for tag in ("first", "second", "third")
                for t in [f"The {tag} story", *sentences(tag, 4)]) + len("The same sentence appears in every article.")
    assert f"[de] would send 16 segments, {chars} characters to deepl" in out
    assert "DeepL usage: 4,321 of 500,000 characters" in out


def test_dry_run_warns_when_the_account_has_less_left(three, server, capsys):
    server.character_limit, server.character_count = 500_000, 499_800  # 200 left, 453 to send
    assert run(three, "--dry-run") == 0
    captured = capsys.readouterr()
    assert "DeepL usage: 499,800 of 500,000 characters" in captured.out
    assert captured.err.splitlines()[-1] == (
        "warning: this run would send 453 characters, more than the 200 left on the DeepL account: "
        "it would stop at the limit; rerun with --max-chars 200 to send what fits, or raise the limit")
    assert run(three, "--dry-run", "--max-chars", "200") == 0  # what it would send fits
    assert "warning" not in capsys.readouterr().err
    server.character_count = 1_380_034  # already past the limit: nothing is left
    assert run(three, "--dry-run") == 0
    assert "more than the 0 left on the DeepL account" in capsys.readouterr().err
    assert server.translate_requests() == []


def test_max_chars_stops_before_the_limit_and_resumes(three, server, capsys):
    assert run(three, "--max-chars", "300") == 1
    err = one_error_line(capsys.readouterr().err)
    assert "--max-chars 300" in err
    first = server.texts_sent()
    assert 0 < sum(len(t) for t in first) <= 300
    assert f"{sum(len(t) for t in first)} characters sent" in err  # what was sent, batches in flight too
    server.clear_requests()
    assert run(three) == 0
    assert not set(first) & set(server.texts_sent())
    assert len(first) + len(server.texts_sent()) == 16


def test_max_chars_sends_whole_texts_that_fit_and_writes_every_article(tmp_path, server, capsys):
    long1 = "The first report runs long enough to take most of the budget on its own, see."
    long2 = "The second report is too long for what is left of the budget."
    site = write_site(tmp_path / "site", {
        "a.md": article("Alpha", long1), "b.md": article("Beta", long2),
        "c.md": article("Gamma", "Tiny.", "`make check`"), "d.md": article("Omega", "Also small.")})
    assert run(site, "--dry-run") == 0
    texts = ["Alpha", long1, "Beta", long2, "Gamma", "Tiny.", "Omega", "Also small."]
    # a text without words ("`make check`") is answered without a request: it costs nothing
    assert f"would send 9 segments, {sum(map(len, texts))} characters" in capsys.readouterr().out
    # a dry run under the limit counts what the run below sends and what waits
    assert run(site, "--dry-run", "--max-chars", "100") == 0
    waits = sum(map(len, [long2, "Omega", "Also small."]))
    assert ("[de] would send 6 segments, 96 characters to deepl; 3 segments, "  # "`make check`" costs 0
            f"{waits} characters would wait (--max-chars 100)") in capsys.readouterr().out
    assert server.translate_requests() == []
    assert run(site, "--max-chars", "100") == 1
    captured = capsys.readouterr()
    err = one_error_line(captured.err)
    # d.md got nothing translated: no German file for it (published only once something is)
    assert "translate: 4 articles, 4 catalogs and 3 articles written" in captured.out
    # In order, each whole text that still fits goes; long2 and "Omega" do not and wait,
    # while the smaller "Gamma" and "Tiny." after long2 still go.
    sent = ["Alpha", long1, "Beta", "Gamma", "Tiny."]
    waiting = [long2, "Omega", "Also small."]
    assert sorted(server.texts_sent()) == sorted(sent)
    assert server.chars_billed() == sum(map(len, sent)) == 96
    assert err == (f"error: stopped before exceeding --max-chars 100: 96 characters sent, "
                   f"{sum(map(len, waiting))} characters waiting in 3 texts (work done so far is saved; "
                   "rerun to resume)")
    for name in "abcd":  # every article has its catalog, and a German file once something is drafted
        assert (site / f"locales/de/{name}.po").is_file()
        assert (site / f"content/de/{name}.md").is_file() == (name != "d")
    assert "DE:Beta" in (site / "content/de/b.md").read_text() and long2 in (site / "content/de/b.md").read_text()
    server.clear_requests()
    assert run(site) == 0
    assert sorted(server.texts_sent()) == sorted(waiting)


# ----------------------------------------------------------------- markup

def _hard_breaks(text: str) -> int:
    return len(re.findall(r"(?:  |\\)\n", text))


def _urls(text: str) -> Counter:
    return Counter(re.findall(r"\]\(([^)\s]+)|^\[[^\]]+\]:\s*(\S+)", text, re.M))


def test_reviewed_example_site_sends_nothing(example_site, server):
    before = snapshot(example_site)
    assert run(example_site) == 0
    assert server.translate_requests() == [] and snapshot(example_site) == before


def _code_spans(md: str) -> Counter:
    """Inline code of a whole article, as markdown-it-py reads it."""
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    return Counter(c.content for t in tokens if t.type == "inline" for c in t.children or []
                   if c.type == "code_inline")


def test_markup_round_trip_on_the_example_site(example_site, server, capsys):
    shutil.rmtree(example_site / "locales", ignore_errors=True)  # start untranslated
    shutil.rmtree(example_site / "content/de", ignore_errors=True)
    assert run(example_site) == 0
    assert "0 translations published in English until fixed" in capsys.readouterr().out
    for source in EXAMPLES:
        en = (example_site / "content/en" / source.name).read_text()
        de = (example_site / "content/de" / source.name).read_text()
        assert "DE:" in de
        assert _urls(de) == _urls(en), source.name  # link targets, image sources, definitions
        assert _code_spans(de) == _code_spans(en), source.name
        assert _hard_breaks(de) == _hard_breaks(en), source.name
        catalog_ = po(example_site, source.with_suffix(".po").name)
        for e in catalog_:
            if e.msgstr:
                assert catalog.state(e) == catalog.DRAFT and catalog.machine(e).engine.startswith("deepl/prefer_less/")
    coding = (example_site / "content/de/coding-assistant-flaw-leaked-api-keys-via-poisoned-repos.md").read_text()
    for construct in ["[DE:The benchmark paper][paper]", "[DE:Model Card][Model Card]",
                      "*DE:known limitation*", "**DE:read-only tokens**", "`.cobaltrc`",
                      '![DE:Diagram of the injection chain from pull request to leaked token]'
                      '(https://news.ainauten.com/img/cobalt-injection-chain.png "DE:How the hidden '
                      'instructions reached the agent")',
                      "[paper]: https://arxiv-mirror.example.org/abs/2511.04821"]:
        assert construct in coding, construct
    # link targets never travel
    bodies = b"".join(r.body for r in server.translate_requests())
    assert b"https://" not in bodies
    server.clear_requests()
    assert run(example_site) == 0 and server.translate_requests() == []
    # The fake server's drafts are the English with "DE:" before it: its 'July' is no 'Juli',
    # which the numbers check would rightly call an error.
    conf = example_site / "pyproject.toml"
    conf.write_text(conf.read_text(encoding="utf-8") + 'numbers = "warning"\n', encoding="utf-8")
    assert main(["--root", str(example_site), "check"]) == 0


def test_mangled_reply_is_stored_fuzzy_and_falls_back_named_by_check(tmp_path, server, capsys):
    text = "Run `env` to list the variables."
    site = write_site(tmp_path / "site", {"a.md": article("Variables", text, "Nothing special here.")})
    server.mangle("drop_tag")
    assert run(site) == 0
    assert "1 translation published in English until fixed" in capsys.readouterr().out
    (entry,) = [e for e in po(site, "a.po") if e.msgid == text]
    assert "fuzzy" in entry.flags and entry.msgstr and entry.msgstr != text
    assert main(["--root", str(site), "check", "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["file"], p["line"], p["code"]) for p in found if p["severity"] == "error"] == [
        ("locales/de/a.po", entry.linenum, "code-span")]
    de = (site / "content/de/a.md").read_text()
    assert text + "\n" in de and "DE:Nothing special here." in de
    server.mangle(None)
    server.clear_requests()
    assert run(site) == 0 and server.translate_requests() == []  # not paid for twice


# ----------------------------------------------------------------- faults

def _all(site: Path) -> set[str]:
    return {e.msgid for p in (site / "locales/de").rglob("*.po") for e in polib.pofile(str(p))
            if not e.obsolete}


def test_429_then_success(three, server):
    server.fail_next(429, times=2)
    assert run(three) == 0
    assert len(server.texts_sent(only_ok=True)) == 16


def test_quota_exceeded_keeps_what_was_received_and_resumes(three, server, capsys):
    server.fail_after(1)
    assert run(three) == 1
    captured = capsys.readouterr()
    err = one_error_line(captured.err)
    assert "quota exceeded" in err.lower() and "rerun to resume" in err
    got = server.texts_sent(only_ok=True)  # one request answered; the others in flight were refused
    assert len(got) in (5, 6)
    drafted = set().union(*(drafts(three, f"{t}.po") for t in ("first", "second", "third")))
    assert drafted == set(got)  # every draft received is kept, in every article that uses it
    assert all((three / f"locales/de/{t}.po").exists() for t in ("first", "second", "third"))
    no_key_anywhere(three, captured)
    server.reset_faults()
    server.clear_requests()
    assert run(three) == 0
    assert sorted(server.texts_sent()) == sorted(_all(three) - set(got))


def test_wrong_key(three, server, monkeypatch, capsys):
    wrong = "00000000-this-key-is-wrong-and-secret:fx"
    monkeypatch.setenv("DEEPL_AUTH_KEY", wrong)
    assert run(three) == 1
    captured = capsys.readouterr()
    err = one_error_line(captured.err)
    assert "403" in err and "DEEPL_AUTH_KEY" in err and wrong not in err + captured.out
    for name, data in snapshot(three).items():
        assert wrong.encode() not in data, name
    assert not server.translate_requests()


def test_server_error_persisting(three, server, capsys, fast_deepl_client):
    server.fail_next(500, times=1000)
    assert run(three) == 1
    err = one_error_line(capsys.readouterr().err)
    assert "HTTP 500" in err and f"after {fast_deepl_client.max_network_retries} retries" in err
    assert not any(drafts(three, f"{t}.po") for t in ("first", "second", "third"))
    server.reset_faults()
    server.clear_requests()
    assert run(three) == 0
    assert len(server.texts_sent()) == 16


def test_bad_request(three, server, capsys):
    server.fail_next(400, body={"message": "Value for 'target_lang' not supported."})
    assert run(three) == 1
    assert "HTTP 400" in one_error_line(capsys.readouterr().err)


def test_unsupported_language_is_a_config_error(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {"a.md": article("A", "Hello.")}, 'target_langs = ["de", "cy"]\n')
    assert run(site, "--lang", "cy") == 2
    err = capsys.readouterr().err
    assert "DeepL does not translate into 'cy'" in err and not server.translate_requests()
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert "a target language DeepL does not translate into is found before anything is sent: one line and " \
           "exit status 2" in readme


def test_network_failure_mid_run_keeps_what_was_received(three, server, monkeypatch, capsys):
    calls = []

    def translate(text, params):
        calls.append(text)
        if params.get("context") == "The second story":
            server.stop()  # the connection drops before the answer; nothing listens after
        return "DE:" + text

    server.translate = translate
    # one request after another: which fault the run meets first is then certain (with
    # requests in flight at once, a reply cut short can come before the refused connection)
    with (three / "pyproject.toml").open("a") as f:
        f.write("[tool.l10n.deepl]\nconcurrency = 1\n")
    assert run(three) == 1
    captured = capsys.readouterr()
    err = one_error_line(captured.err)
    assert err.startswith("error: cannot reach DeepL at http://127.0.0.1:") and "rerun to resume" in err
    got = set().union(*(drafts(three, f"{t}.po") for t in ("first", "second", "third")))
    assert not any("second story" in t for t in got)
    no_key_anywhere(three, captured)
    with FakeDeepL(SECRET) as again:
        monkeypatch.setenv("DEEPL_SERVER_URL", again.url)
        assert run(three) == 0
        assert sorted(again.texts_sent()) == sorted(_all(three) - got)


# ----------------------------------------------------------------- confidentiality

def test_embargoed_article_is_not_sent_unless_included(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {
        "public.md": article("Public", "Everyone may read this."),
        "secret.md": article("Embargoed", "Nobody outside may read this yet.", draft=True)})
    assert run(site, "-v") == 0  # -v: a line per article
    assert not any("Nobody" in t or "Embargoed" in t for t in server.texts_sent())
    assert (site / "locales/de/secret.po").exists() and not drafts(site, "secret.po")
    out = capsys.readouterr().out
    assert "content/en/public.md: " in out and "content/en/secret.md: " not in out.split("sent", 1)[1]
    # pseudo is not external: it still serves the embargoed article
    assert main(["--root", str(site), "translate", "--engine", "pseudo", str(site / "content/en/secret.md")]) == 0
    assert drafts(site, "secret.po")
    server.clear_requests()
    site2 = write_site(tmp_path / "site2", {"secret.md": article("Embargoed", "Nobody outside.", draft=True)})
    assert run(site2, "--include-drafts") == 0
    assert server.texts_sent() == ["Embargoed", "Nobody outside."]


def test_summary_lists_characters_per_article_with_verbose(three, server, capsys):
    assert run(three) == 0
    assert "content/en/" not in capsys.readouterr().out  # without -v: no line per article
    for p in (three / "locales").rglob("*.po"):
        p.unlink()
    assert run(three, "-v") == 0
    out = capsys.readouterr().out
    for tag in ("first", "second", "third"):
        own = len(f"The {tag} story") + sum(len(s) for s in sentences(tag, 4))
        chars = own + (len(SHARED) if tag == "first" else 0)  # the shared one is sent with the first
        assert f"  content/en/{tag}.md: {chars} characters" in out


def test_key_never_in_output_logs_or_files(three, server, capsys, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, the HTTP client's included
    assert run(three, "--dry-run") == 0
    assert run(three) == 0
    assert main(["--root", str(three), "-v", "translate", "--engine", "deepl"]) == 0
    no_key_anywhere(three, capsys.readouterr())
    assert caplog.records and SECRET not in caplog.text


def test_missing_key_is_a_config_error(three, monkeypatch, capsys):
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    assert run(three) == 2
    assert "DEEPL_AUTH_KEY is not set" in one_error_line(capsys.readouterr().err)


# ----------------------------------------------------------------- glossary

def test_glossary_created_once_and_reused(three, server):
    (three / "glossary.csv").write_text("source,target\nsame sentence,gleicher Satz\nstory,story\n")
    with (three / "pyproject.toml").open("a") as f:
        f.write('glossary = "glossary.csv"\n')
    assert run(three) == 0
    assert len(server.glossaries) == 1
    (gid,) = server.glossaries
    assert all(r.params.get("glossary_id") == gid for r in server.translate_requests())
    assert "DE:The gleicher Satz appears in every article." in (three / "content/de/first.md").read_text()
    src = three / "content/en/first.md"
    src.write_text(src.read_text() + "One more sentence.\n")
    server.clear_requests()
    assert run(three) == 0
    posts = [r for r in server.requests if "/glossaries" in r.path and r.method != "GET"]
    assert posts == [] and len(server.glossaries) == 1
    assert server.glossaries[gid]["name"] == "l10n site"  # the site folder's name
    assert [r.params["glossary_id"] for r in server.translate_requests()] == [gid]


def test_one_glossary_for_two_languages_edited_in_place(three, server):
    config = three / "pyproject.toml"
    config.write_text(config.read_text().replace('["de"]', '["de", "fr"]') + 'glossary = "terms.csv"\n')
    terms = three / "terms.csv"
    terms.write_text("same sentence,gleicher Satz,de\nsame sentence,même phrase,fr\n")
    assert run(three) == 0
    (gid,) = server.glossaries
    assert set(server.glossaries[gid]["dictionaries"]) == {("en", "de"), ("en", "fr")}
    assert "FR:The même phrase appears" in (three / "content/fr/first.md").read_text()
    terms.write_text("same sentence,selber Satz,de\nsame sentence,même phrase,fr\n")
    server.clear_requests()
    assert run(three) == 0
    assert list(server.glossaries) == [gid]
    edits = [(r.method, r.params.get("target_lang")) for r in server.requests
             if "/glossaries" in r.path and r.method != "GET"]
    assert edits == [("PUT", "DE")]
    # the new terms change the German drafts' settings: drafted again; French ones stay
    assert "DE:The selber Satz appears" in (three / "content/de/first.md").read_text()
    assert {r.params["target_lang"] for r in server.translate_requests()} == {"DE"}


def glossary_site(tmp_path: Path, targets: str, terms: str, extra: str = "") -> Path:
    site = write_site(tmp_path / "site", {"a.md": article("A story", "An open model and an invoice.")},
                      f'target_langs = {targets}\nglossary = "terms.csv"\n{extra}')
    (site / "terms.csv").write_text(terms, encoding="utf-8")
    return site


def glossary_edits(server: FakeDeepL) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests if "/glossaries" in r.path and r.method != "GET"]


def test_glossary_row_for_a_language_that_is_not_a_target(tmp_path, server, capsys):
    site = glossary_site(tmp_path, '["de"]', "open model,offenes Modell\nopen model,modèle ouvert,fr\n")
    before = snapshot(site)
    assert run(site) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: {site / 'terms.csv'}:2: row for 'fr', which is not a target language (target_langs: de): "
        "correct the language, or add it to target_langs")
    assert not server.requests and snapshot(site) == before


def test_variants_with_different_terms_cannot_share_a_dictionary(tmp_path, server, capsys):
    site = glossary_site(tmp_path, '["pt-BR", "pt-PT"]',
                         "source,target,lang\nopen model,modelo aberto\ninvoice,nota fiscal,pt-BR\n"
                         "invoice,fatura,pt-PT\n")
    before = snapshot(site)
    assert run(site) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: {site / 'terms.csv'}:4: term 'invoice' has 'nota fiscal' for pt_BR (line 3) but 'fatura' for pt_PT "
        "(line 4): pt_BR and pt_PT are variants of one language, and a DeepL glossary has one dictionary "
        "per language, not per variant; give both the same term")
    assert not server.translate_requests() and not server.glossaries and snapshot(site) == before
    # terms both variants share: one dictionary, used for both
    (site / "terms.csv").write_text("open model,modelo aberto\ninvoice,fatura,pt-BR\ninvoice,fatura,pt-PT\n")
    assert run(site) == 0
    (gid,) = server.glossaries
    assert server.glossaries[gid]["dictionaries"] == {("en", "pt"): {"open model": "modelo aberto",
                                                                      "invoice": "fatura"}}
    assert {(r.params["target_lang"], r.params["glossary_id"]) for r in server.translate_requests()} == \
        {("PT-BR", gid), ("PT-PT", gid)}


def test_the_glossary_l10n_made_is_recorded_and_edited_in_place(tmp_path, server, capsys):
    site = glossary_site(tmp_path, '["de"]', "open model,offenes Modell\n")
    config = site / "pyproject.toml"
    config.write_text('[project]\nname = "harbour-news"\n\n' + config.read_text())
    assert run(site) == 0
    (gid,) = server.glossaries
    assert server.glossaries[gid]["name"] == "l10n harbour-news"  # [project] name
    record = site / "locales/deepl-glossary.json"
    assert json.loads(record.read_text())["glossary_id"] == gid
    no_key_anywhere(site, capsys.readouterr())
    (site / "terms.csv").write_text("open model,freies Modell\n")
    config.write_text(config.read_text() + '[tool.l10n.deepl]\nglossary_name = "harbour terms"\n')
    server.clear_requests()
    assert run(site) == 0
    assert list(server.glossaries) == [gid] and server.glossaries[gid]["name"] == "harbour terms"
    assert glossary_edits(server) == [("PATCH", f"/v3/glossaries/{gid}"),
                                      ("PUT", f"/v3/glossaries/{gid}/dictionaries")]
    assert json.loads(record.read_text())["name"] == "harbour terms"
    assert "DE:An freies Modell" in (site / "content/de/a.md").read_text()


def test_a_glossary_of_the_same_name_l10n_did_not_make_is_never_touched(tmp_path, server, capsys):
    import deepl
    from deepl.api_data import MultilingualGlossaryDictionaryEntries as Dictionary

    owner = deepl.DeepLClient(SECRET, server_url=server.url)  # the account's own glossary
    theirs = owner.create_multilingual_glossary("l10n site", [Dictionary("en", "de", {"model": "Modell"})])
    owner.close()
    site = glossary_site(tmp_path, '["de"]', "open model,offenes Modell\n")
    before = snapshot(site)
    server.clear_requests()
    for args in (("--dry-run",), ()):
        assert run(site, *args) == 2
        err = one_error_line(capsys.readouterr().err)
        assert err.startswith(f"error: {site / 'pyproject.toml'}:1: tool.l10n.deepl.glossary_name is 'l10n site', "
                              "the name of a glossary on the DeepL account that l10n did not make")
        assert err.endswith("l10n never edits or deletes it; set another glossary_name")
    assert glossary_edits(server) == [] and not server.translate_requests() and snapshot(site) == before
    assert server.glossaries[theirs.glossary_id]["dictionaries"] == {("en", "de"): {"model": "Modell"}}
    with (site / "pyproject.toml").open("a") as f:
        f.write('[tool.l10n.deepl]\nglossary_name = "l10n site terms"\n')
    assert run(site) == 0
    assert len(server.glossaries) == 2
    assert server.glossaries[theirs.glossary_id]["dictionaries"] == {("en", "de"): {"model": "Modell"}}


# ----------------------------------------------------------------- checked before paying

PRO_KEY = "8a7b6c5d-secret-pro-test-key"


@pytest.fixture
def pro(server, monkeypatch):
    """The server with a Pro key (style rules need one)."""
    server.auth_key = PRO_KEY
    monkeypatch.setenv("DEEPL_AUTH_KEY", PRO_KEY)
    return server


def style_rule(server: FakeDeepL, language: str) -> str:
    import deepl
    if not hasattr(deepl.DeepLClient, "create_style_rule"):
        pytest.skip("this deepl client makes no style rule lists (added after 1.27)")
    owner = deepl.DeepLClient(server.auth_key, server_url=server.url)
    try:
        return owner.create_style_rule("house style", language).style_id
    finally:
        owner.close()


def test_every_target_language_is_checked_before_anything_is_sent(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {"a.md": article("A", "Hello.")}, 'target_langs = ["de", "cy"]\n')
    before = snapshot(site)
    assert run(site) == 2
    assert "DeepL does not translate into 'cy'" in one_error_line(capsys.readouterr().err)
    assert not server.translate_requests() and snapshot(site) == before


@pytest.mark.parametrize("rule, message", [
    (None, "tool.l10n.deepl.style_id 'e0c4d1f2-0000-4000-8000-000000000000' is not a style rule list of "
           "this DeepL account"),
    ("fr", "tool.l10n.deepl.style_id.de '{id}' is a style rule list for FR, not for 'de' (DeepL DE)"),
])
def test_a_style_rule_list_deepl_would_refuse_is_found_before_anything_is_sent(tmp_path, pro, capsys,
                                                                               rule, message):
    style = style_rule(pro, rule) if rule else "e0c4d1f2-0000-4000-8000-000000000000"
    value = f'{{de = "{style}"}}' if rule else f'"{style}"'
    site = write_site(tmp_path / "site", {"a.md": article("A", "Hello.")},
                      f'target_langs = ["de"]\n\n[tool.l10n.deepl]\nstyle_id = {value}\n')
    before = snapshot(site)
    for args in ((), ("--dry-run",)):
        assert run(site, *args) == 2
        err = one_error_line(capsys.readouterr().err)
        assert err.startswith(f"error: {site / 'pyproject.toml'}:5: " + message.format(id=style)), err
    assert not pro.translate_requests() and snapshot(site) == before
    if rule:  # the list in the right language: sent with German requests
        german = style_rule(pro, "de")
        (site / "pyproject.toml").write_text(f'[tool.l10n]\ntarget_langs = ["de"]\n[tool.l10n.deepl]\n'
                                             f'style_id = "{german}"\n')
        assert run(site) == 0
        assert {r.accepted["style_id"] for r in pro.translate_requests()} == {german}


def test_a_glossary_deepl_cannot_make_is_found_before_anything_is_sent(tmp_path, server, capsys):
    site = glossary_site(tmp_path, '["de", "cs"]', "open model,offenes Modell,de\nopen model,otevřený model,cs\n")
    before = snapshot(site)
    assert run(site) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"error: {site / 'terms.csv'}:2: DeepL has no glossaries from EN into CS: remove the terms for 'cs', "
        "or translate it without the glossary")
    assert not server.translate_requests() and not server.glossaries and snapshot(site) == before


# ----------------------------------------------------------------- progress

def test_progress_on_a_terminal(three, server, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert run(three) == 0
    err = capsys.readouterr().err
    assert "[de] deepl" in err and "16/16 segments" in err


def test_progress_in_a_log_is_a_line_every_few_seconds_for_the_whole_run(tmp_path, server, capsys,
                                                                        monkeypatch):
    """Output piped (capsys is no terminal): lines while the server takes its time, none per
    article, and a last one with the totals."""
    site = write_site(tmp_path / "site", {f"a{i:02}.md": article(f"Story {i}", *sentences(f"a{i}", 3))
                                          for i in range(30)},
                      'target_langs = ["de"]\n[tool.l10n.deepl]\nconcurrency = 1\n')
    total = sum(len(f"Story {i}") + sum(len(s) for s in sentences(f"a{i}", 3)) for i in range(30))
    server.delay = 0.3  # three requests one after another: the run lasts about a second
    monkeypatch.setenv("L10N_PROGRESS_SECONDS", "0.02")
    assert run(site) == 0
    captured = capsys.readouterr()
    lines = [ln for ln in captured.err.splitlines() if ln.startswith("[de] deepl: ")]
    assert len(lines) >= 3, captured.err
    assert re.fullmatch(r"\[de\] deepl: 0/30 articles(; counting what to send; .*|, 0 of [\d,]+ characters "
                        r"sent \(0%\), .*)", lines[0])
    assert re.fullmatch(rf"\[de\] deepl: 30/30 articles, {total:,} of {total:,} characters sent \(100%\), "
                        r"0 waiting, [\d,]+ characters/s, done; 120/120 segments; \d+ s elapsed", lines[-1])
    assert "content/en/" not in captured.err + captured.out  # never a line per article without -v
    assert server.chars_billed() == total


def test_quiet_prints_only_errors(three, server, capsys, monkeypatch):
    monkeypatch.setenv("L10N_PROGRESS_SECONDS", "0.001")
    server.delay = 0.05
    assert main(["-q", "--root", str(three), "translate"]) == 0  # engine auto: DeepL, unsaid
    assert capsys.readouterr() == ("", "")
    src = three / "content/en/first.md"
    src.write_text(src.read_text() + "More.\n")
    assert main(["translate", "--root", str(three), "-q", "--engine", "deepl", "--max-chars", "0"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: stopped before exceeding --max-chars 0")


@pytest.mark.parametrize("value", ['"true"', "1", "yes", "on", "[x]", '"someday"'])
def test_embargo_fails_closed_and_dry_run_names_it(tmp_path, server, capsys, value):
    secret = f'---\ntitle: "Embargoed"\ndraft: {value}\n---\n\nNobody outside may read this yet.\n'
    site = write_site(tmp_path / "site", {"public.md": article("Public", "Everyone may read this."),
                                          "secret.md": secret})
    assert run(site, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "content/en/secret.md: embargoed, not sent" in out and "public.md: embargoed" not in out
    assert run(site) == 0
    assert not any("Nobody" in t or "Embargoed" in t for t in server.texts_sent())


def test_texts_that_differ_only_in_what_never_leaves_the_machine_are_sent_once(tmp_path, server):
    a = "Read [the report](https://a.example/r) and `make a` today."
    b = "Read [the report](https://b.example/r) and `make b` today."
    site = write_site(tmp_path / "site", {"a.md": article("One", a), "b.md": article("Two", b)})
    assert run(site, "--dry-run") == 0
    assert run(site) == 0
    sent = server.texts_sent()
    assert len([t for t in sent if "the report" in t]) == 1  # one protected text, one request
    assert drafts(site, "a.po")[a] == "DE:Read [DE:the report](https://a.example/r) DE:and `make a` DE:today."
    assert drafts(site, "b.po")[b] == "DE:Read [DE:the report](https://b.example/r) DE:and `make b` DE:today."
    assert main(["--root", str(site), "check"]) == 0


# ----------------------------------------------------------------- text inside markup

def test_titles_and_shortcode_text_are_drafted_and_destinations_stay_home(tmp_path, server):
    site = write_site(tmp_path / "site", {"figures.md": article(
        "Figures",
        'Per [Reuters](https://news.example/tech "Reuters Technology"), the ![bar chart](bars.png "Chart title") grew.',
        '{{< figure src="growth.png" alt="A chart of things" caption="The caption" class="wide" >}}',
    )})
    assert run(site) == 0
    sent = [text for r in server.translate_requests() for text in r.texts]
    assert all(r.params["splitting_tags"] == ["t"] for r in server.translate_requests())
    assert not [t for t in sent if re.search(r"news\.example|\.png|wide|figure", t)]
    got = drafts(site, "figures.po")
    assert got['Per [Reuters](https://news.example/tech "Reuters Technology"), the '
               '![bar chart](bars.png "Chart title") grew.'] == (
        'DE:Per [DE:Reuters](https://news.example/tech "DE:Reuters Technology")DE:, the '
        '![DE:bar chart](bars.png "DE:Chart title") DE:grew.')
    assert got['{{< figure src="growth.png" alt="A chart of things" caption="The caption" class="wide" >}}'] == (
        '{{< figure src="growth.png" alt="DE:A chart of things" caption="DE:The caption" class="wide" >}}')
    german = (site / "content/de/figures.md").read_text(encoding="utf-8")
    assert 'caption="DE:The caption"' in german and '"DE:Chart title"' in german
    assert main(["--root", str(site), "check"]) == 0


def test_shortcodes_without_spaces_are_drafted_and_escaped_ones_stay_as_written(tmp_path, server):
    site = write_site(tmp_path / "site", {"notes.md": article(
        "Notes",
        'Inline {{<figure src="y.png" alt="Second chart">}} here, by R&D at AT&T.',
        '{{<figure src="x.png" alt="R&D chart">}}',
        '{{%note%}}',
        'Write {{</* figure alt="A chart" */>}} to show a figure.',
    )})
    assert run(site) == 0
    sent = [text for r in server.translate_requests() for text in r.texts]
    assert not [t for t in sent if re.search(r"\.png|{{|note|A chart", t)]
    got = drafts(site, "notes.po")
    assert got['Inline {{<figure src="y.png" alt="Second chart">}} here, by R&D at AT&T.'] == (
        'DE:Inline {{<figure src="y.png" alt="DE:Second chart">}} DE:here, by R&D at AT&T.')
    assert got['{{<figure src="x.png" alt="R&D chart">}}'] == '{{<figure src="x.png" alt="DE:R&D chart">}}'
    assert got['Write {{</* figure alt="A chart" */>}} to show a figure.'] == (
        'DE:Write {{</* figure alt="A chart" */>}} DE:to show a figure.')
    german = (site / "content/de/notes.md").read_text(encoding="utf-8")
    assert 'DE:Inline {{<figure src="y.png" alt="DE:Second chart">}} DE:here, by R&D at AT&T.' in german
    assert '{{<figure src="x.png" alt="DE:R&D chart">}}' in german and "&amp;" not in german


def test_reference_titles_are_drafted_and_labels_and_destinations_stay_home(tmp_path, server):
    site = write_site(tmp_path / "site", {"papers.md": article(
        "Papers", "Read [the paper][policy-ref] first.",
        '[policy-ref]: https://papers.example/x "Policy paper"',
    )})
    assert run(site) == 0
    sent = [text for r in server.translate_requests() for text in r.texts]
    assert "Policy paper" in sent
    assert not [t for t in sent if re.search(r"papers\.example|policy-ref", t)]
    assert drafts(site, "papers.po")["Policy paper"] == "DE:Policy paper"
    german = (site / "content/de/papers.md").read_text(encoding="utf-8")
    assert '[policy-ref]: https://papers.example/x "DE:Policy paper"' in german
    assert main(["--root", str(site), "check"]) == 0


def test_the_readmes_cost_figures_are_what_the_tool_prints(example_site, server, capsys):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    figures = re.search(r"([\d,]+) characters in (\d+) segments become (\d+) distinct texts of [\d,]+ "
                        r"characters,\s+sent as ([\d,]+) characters.*?`(sent .*? billed\))`", readme, re.S)
    assert figures, "the README's cost paragraph changed its wording"
    total, segments, texts, chars, line = figures.groups()
    line = " ".join(line.split())
    counted = [s.text for source in EXAMPLES for s in extract(source.read_text(encoding="utf-8"))[1]]
    assert (f"{sum(map(len, counted)):,}", str(len(counted))) == (total, segments)
    shutil.rmtree(example_site / "locales")
    shutil.rmtree(example_site / "content/de")
    assert run(example_site, "--dry-run") == 0
    assert f"would send {texts} segments, {chars} characters" in capsys.readouterr().out  # as billed
    assert run(example_site) == 0
    assert f"[de] {line};" in capsys.readouterr().out
