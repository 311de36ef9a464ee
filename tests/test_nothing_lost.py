"""Nothing lost, nothing crashes: files that change under a run, interrupted runs, odd input.

The DeepL cases run the real ``deepl`` client against ``FakeDeepL``; interrupts are real
signals sent to a real ``l10n`` process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polib
import pytest

from l10n import check
from l10n.cli import main

from .conftest import ARTICLE, DEEPL_KEY, write_site
from .deepl_server import FakeDeepL

SECRET = DEEPL_KEY


def article(n: int, tag: str = "story") -> str:
    return f'---\ntitle: "The {tag}"\n---\n\n' + "".join(f"Sentence {i} of the {tag}.\n\n" for i in range(n))


def entries(site: Path, name: str = "a.po") -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(site / "locales/de" / name)) if not e.obsolete}


def translate(site: Path, *args: str) -> int:
    return main(["--root", str(site), "translate", "--engine", "deepl", *args])


#: ``python -m l10n`` with Ctrl-C as a terminal delivers it: a job started in the background
#: of a shell without job control (CI, ``cmd &``) inherits SIGINT ignored, which Python keeps.
_AS_FROM_A_TERMINAL = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                       "sys.argv[0] = 'l10n'; runpy.run_module('l10n', run_name='__main__', alter_sys=True)")


def l10n_process(site: Path, *args: str, **env: str) -> subprocess.Popen:
    """``l10n`` in a process of its own, as a user starts it from a terminal."""
    return subprocess.Popen([sys.executable, "-c", _AS_FROM_A_TERMINAL, "--root", str(site), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


def translate_while_held(site: Path, server: FakeDeepL, meanwhile) -> int:  # noqa: ANN001
    """``translate`` with its first request held by the server while ``meanwhile()`` runs."""
    server.hold_translate()
    result: list[int] = []
    run = threading.Thread(target=lambda: result.append(translate(site)))
    run.start()
    try:
        server.wait_held(1)
        meanwhile()
    finally:
        server.release()
        run.join(30)
    return result[0]


# -- a translator saves while the run waits for DeepL ----------------------------------

def test_a_catalog_saved_during_the_run_keeps_the_translators_work(tmp_path, server):
    site = write_site(tmp_path / "site", {"a.md": article(3)})
    assert main(["--root", str(site), "extract"]) == 0
    def save_as_a_po_editor() -> None:
        po = polib.pofile(str(site / "locales/de/a.po"))
        po.find("Sentence 1 of the story.").msgstr = "Satz eins, von Hand."
        po.save()

    assert translate_while_held(site, server, save_as_a_po_editor) == 0
    saved = entries(site)
    assert saved["Sentence 1 of the story."].msgstr == "Satz eins, von Hand."
    assert "fuzzy" not in saved["Sentence 1 of the story."].flags
    assert saved["Sentence 0 of the story."].msgstr == "DE:Sentence 0 of the story."
    assert "Satz eins, von Hand." in (site / "content/de/a.md").read_text(encoding="utf-8")


# -- interrupted runs keep every batch received ----------------------------------------

@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)])
def test_an_interrupted_run_keeps_paid_drafts_and_the_rerun_sends_none_again(tmp_path, server, sig, status):
    site = write_site(tmp_path / "site", {"a.md": article(120)})  # three batches, in flight at once
    server.hold_translate()
    proc = l10n_process(site, "translate", "--engine", "deepl")
    catalog = site / "locales/de/a.po"
    try:
        server.wait_held(3, timeout=30)
        server.release(1)  # one batch is answered ...
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"DE:" not in (catalog.read_bytes() if catalog.exists() else b""):
            time.sleep(0.02)  # ... and written the moment it arrives, mid-article
        received = set(server.texts_sent(only_ok=True))
        proc.send_signal(sig)  # while the other two are still waiting for DeepL ...
        time.sleep(0.2)
        server.release()  # ... which then answers (and bills) them
        out, err = proc.communicate(timeout=30)
    finally:
        server.release()
        proc.kill()
    assert proc.returncode == status, err
    assert "Traceback" not in err
    drafted = {k for k, e in entries(site).items() if e.msgstr}
    assert received and received <= drafted  # durable the moment they arrived
    if sig == signal.SIGINT:  # Ctrl-C waited for the batches already paid for
        assert set(server.texts_sent(only_ok=True)) <= drafted
    paid = set(server.texts_sent(only_ok=True)) if sig == signal.SIGINT else received
    server.clear_requests()
    assert translate(site) == 0
    assert not set(server.texts_sent()) & paid  # nothing kept is paid for twice
    assert all(e.msgstr for e in entries(site).values())


@pytest.mark.parametrize("mangler", ["null_text", "short", "not_json"])
def test_a_malformed_reply_is_one_line_and_the_rerun_completes(tmp_path, server, capsys, mangler):
    site = write_site(tmp_path / "site", {"a.md": article(3)})
    server.mangle(mangler, times=1)
    assert translate(site) == 1
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert "DeepL" in line and "Traceback" not in err and SECRET not in err
    assert translate(site) == 0
    assert all(e.msgstr.startswith("DE:") for e in entries(site).values())


def test_a_server_that_drips_one_byte_a_second_cannot_hold_the_run(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {"a.md": article(2)},
                      config='target_langs = ["de"]\n[tool.l10n.deepl]\ntimeout = 1\nretries = 1\n')
    server.drip(1.0)
    started = time.monotonic()
    assert translate(site) == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert "did not answer within 1 seconds" in err and "Traceback" not in err


# -- a German file edited by hand --------------------------------------------------------

@pytest.mark.parametrize("command", [["translate", "--engine", "pseudo"], ["merge"]])
def test_a_hand_edit_of_the_german_file_is_not_overwritten_silently(site, capsys, command):
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 0
    german = site / "content/de/open-model.md"
    edited = german.read_text(encoding="utf-8").replace("\n# ", "\n# Von Hand: ", 1)
    german.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(site), *command]) == 1
    err = capsys.readouterr().err
    assert "edited by hand" in err and "--force" in err and "catalog" in err
    assert german.read_text(encoding="utf-8") == edited
    assert main(["--root", str(site), *command, "--force"]) == 0
    assert "Von Hand" not in german.read_text(encoding="utf-8")


# -- files that cannot be written ---------------------------------------------------------

def test_an_unwritable_output_is_one_line_and_the_next_run_completes(site, capsys):
    (site / "content/de").write_text("a file where the German folder should be\n", encoding="utf-8")
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 2
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert "content/de/open-model.md: cannot write" in line and "Traceback" not in err
    assert (site / "locales/de/open-model.po").exists()
    (site / "content/de").unlink()
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 0
    assert main(["--root", str(site), "check"]) == 0


# -- one bad article does not hold up the site -------------------------------------------

def test_every_bad_article_is_named_and_the_good_ones_are_done(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"a.md": ARTICLE, "c.md": ARTICLE.replace("Open", "Closed")})
    (site / "content/en/b.md").write_bytes(ARTICLE.replace("Open model", "Caf\u00e9").encode("latin-1"))
    (site / "content/en/d.md").write_text('---\ndate: 2026-02-30\n---\n\nText.\n', encoding="utf-8")
    assert main(["--root", str(site), "extract"]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 2 and "Traceback" not in err
    assert "content/en/b.md:" in lines[0] and "UTF-8" in lines[0]
    assert "content/en/d.md:2:" in lines[1]
    assert sorted(p.name for p in (site / "locales/de").iterdir()) == ["a.po", "c.po"]


# -- workers do not outlive their parent --------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    articles = {f"a{i:03d}.md": ARTICLE.replace("Open model", f"Model {i}") * 20 for i in range(400)}
    site = write_site(tmp_path / "site", articles)
    proc = l10n_process(site, "translate", "--engine", "pseudo", L10N_JOBS="2")
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the run ended before its workers could be seen"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()
             and "Z" not in Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0]]
    assert alive == []


# -- annotations cannot be spoofed --------------------------------------------------------

def test_github_annotations_escape_properties():
    report = check.Report([check.Problem("x,line=999,title=PWNED::fake.md", 3, "stale-output",
                                         "50% done\r\nnext")], 1)
    line = check.as_github(report)
    assert line == ("::error file=x%2Cline=999%2Ctitle=PWNED%3A%3Afake.md,line=3,title=stale-output"
                    "::50%25 done%0D%0Anext")
    assert json.dumps(line).count("::") == 2


# -- odd sources ----------------------------------------------------------------------------

def test_an_article_with_a_byte_order_mark_keeps_it_and_its_front_matter(tmp_path):
    site = write_site(tmp_path / "site", {"a.md": "\ufeff" + ARTICLE})
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 0
    ids = set(entries(site))
    assert "Open model tops the charts" in ids and not any(i.startswith("title:") for i in ids)
    german = (site / "content/de/a.md").read_text(encoding="utf-8")
    assert german.startswith("\ufeff---\ntitle: ") and "\nlanguage: de\n" in german
    assert main(["--root", str(site), "check"]) == 0


def test_front_matter_anchors_and_aliases_stay_valid_yaml(tmp_path):
    import yaml

    text = '---\nname: &t Open model tops the charts\ntitle: *t\nslug: x\n---\n\n# Heading\n\nText here.\n'
    site = write_site(tmp_path / "site", {"a.md": text},
                      config='target_langs = ["de"]\n[tool.l10n.front_matter]\ntranslate = ["title", "name"]\n')
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 0
    german = (site / "content/de/a.md").read_text(encoding="utf-8")
    head = yaml.safe_load(german.split("---\n")[1])
    assert list(head)[:3] == ["name", "title", "slug"]
    assert head["name"] == head["title"] != "Open model tops the charts"
    assert main(["--root", str(site), "check"]) == 0


def test_a_file_name_with_a_control_character_is_refused(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"good.md": ARTICLE, "bad\nname.md": ARTICLE})
    assert main(["--root", str(site), "extract"]) == 2
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert "bad\\nname.md" in line and "Traceback" not in err
    assert (site / "locales/de/good.po").exists()


def test_a_link_out_of_the_site_is_not_read(tmp_path, capsys):
    secret = tmp_path / "secret.md"
    secret.write_text("# Private\n\nNot for translation services.\n", encoding="utf-8")
    site = write_site(tmp_path / "site", {"good.md": ARTICLE})
    (site / "content/en/link.md").symlink_to(secret)
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 2
    err = capsys.readouterr().err
    assert "content/en/link.md: is a link to a file outside" in err and "Traceback" not in err
    assert not (site / "content/de/link.md").exists() and (site / "content/de/good.md").exists()


@pytest.mark.parametrize("command", [["translate", "--engine", "pseudo"], ["extract"], ["merge"],
                                     ["status"], ["status", "--format", "json"], ["check", "--format", "github"]])
def test_bad_names_and_links_out_are_refused_per_article_by_every_command(tmp_path, capsys, command):
    secret = tmp_path / "secret.md"
    secret.write_text("# Private\n\nNot for translation services.\n", encoding="utf-8")
    site = write_site(tmp_path / "site", {"good.md": ARTICLE, "bad\x1bname.md": ARTICLE})
    (site / "content/en/link.md").symlink_to(secret)
    assert main(["--root", str(site), "extract"]) == 2  # the good article has its catalog
    capsys.readouterr()
    code = main(["--root", str(site), *command])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "\x1b" not in out + err
    said = out + err if command[0] == "check" else err
    assert code == (1 if command[0] == "check" else 2)
    assert [ln for ln in said.splitlines() if "bad\\x1bname.md" in ln and "control character" in ln]
    assert [ln for ln in said.splitlines() if "content/en/link.md" in ln and "outside the source folder" in ln]
    if command[0] == "status":  # and the good article is still counted
        assert "content/en/good.md" in out and "Not for translation" not in out
        if "json" in command:
            rows = {r["article"]: r for r in json.loads(out)["articles"]}
            assert rows["content/en/good.md"]["exists"] and "outside" in rows["content/en/link.md"]["error"]


@pytest.mark.parametrize("where", ["content/de/a.md", "locales/de/a.po"])
def test_a_folder_where_a_file_should_be_is_one_line(tmp_path, capsys, where):
    site = write_site(tmp_path / "site", {"a.md": ARTICLE})
    (site / where).mkdir(parents=True)
    for command in (["translate", "--engine", "pseudo"], ["merge"], ["check"]):
        capsys.readouterr()
        assert main(["--root", str(site), *command]) in (1, 2)
        err = capsys.readouterr()
        assert "Traceback" not in err.err and (where in err.err or where in err.out), command


@pytest.mark.parametrize("text, line", [
    ("---\rtitle: Cr\r---\r\rBody cr\r", 1),
    ("# Title\n\nBody\0nul\n", 3),
    ("---\ntitle: a\ntitle: b\n---\n\nText.\n", 3),
    ("---\ntitle: a\ntranslation: x\n---\n\nText.\n", 3),
])
def test_sources_no_translation_of_which_is_safe_are_refused_with_their_line(tmp_path, capsys, text, line):
    site = write_site(tmp_path / "site", {"a.md": text, "good.md": ARTICLE})
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 2
    (message,) = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error:")]
    assert message.startswith(f"error: content/en/a.md:{line}: ")
    assert (site / "content/de/good.md").exists() and not (site / "content/de/a.md").exists()


# -- with requests in flight at once ---------------------------------------------------------

def test_a_burst_of_429_slows_every_worker_and_loses_nothing(tmp_path, server, monkeypatch):
    from l10n.engines.deepl import DeepLEngine

    monkeypatch.setattr(DeepLEngine, "BACKOFF", 0.3)
    site = write_site(tmp_path / "site", {f"a{i}.md": article(60, f"story {i}") for i in range(6)})
    server.delay = 0.05  # long enough for requests to overlap
    server.throttle(3)  # the first three requests all meet 429
    assert translate(site) == 0
    requests = server.translate_requests()
    refused = [r for r in requests if r.status == 429]
    answered = [r for r in requests if r.ok]
    assert len(refused) == 3 and server.max_in_flight > 1
    # once a 429 is in, no worker starts a request before the backoff is over, not only the
    # one that met it (0.3 s here; a little slack for the clocks of two threads). A request
    # may start in the moment between the server sending the 429 and the client reading it
    # (a few ms on a loaded machine); none starts after that until the backoff is over.
    first_refusal = min(r.finished for r in refused)
    later = [r.started for r in requests if r.started > first_refusal]
    assert later and all(t >= first_refusal + 0.25 for t in later if t >= first_refusal + 0.05)
    assert [t for t in later if t >= first_refusal + 0.25]
    sent = [t for r in answered for t in r.texts]
    assert len(sent) == len(set(sent)) == 6 * 61  # nothing sent twice, nothing missing
    for i in range(6):
        assert all(e.msgstr for e in entries(site, f"a{i}.po").values())


def test_a_fault_in_one_worker_keeps_what_the_others_bring_back(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {f"a{i}.md": article(60, f"story {i}") for i in range(3)})

    def translate_or_refuse(text: str, params: dict) -> str:
        if "story 1" in (params.get("context") or ""):
            raise ValueError("refused")  # the fake answers 500 for this one article
        return "DE:" + text

    server.fail_after(None)
    server.translate = lambda text, params: translate_or_refuse(text, params)
    status = translate(site)
    answered = {t for r in server.translate_requests() if r.ok for t in r.texts}
    drafted = set().union(*({k for k, e in entries(site, f"a{i}.po").items() if e.msgstr} for i in range(3)))
    assert drafted == answered and answered  # everything brought back is kept
    if status == 1:
        assert "Traceback" not in capsys.readouterr().err
    server.translate = lambda text, params: "DE:" + text
    server.clear_requests()
    assert translate(site) == 0
    assert not set(server.texts_sent()) & answered  # and never paid for twice


def test_a_catalog_broken_while_drafts_arrive_costs_only_its_own_article(tmp_path, server, capsys):
    site = write_site(tmp_path / "site", {f"a{i}.md": article(60, f"story {i}") for i in range(3)})
    assert main(["--root", str(site), "extract"]) == 0
    broken = site / "locales/de/a0.po"

    def break_a_catalog() -> None:
        broken.write_text(broken.read_text(encoding="utf-8") + '\nmsgid "x\n', encoding="utf-8")

    assert translate_while_held(site, server, break_a_catalog) == 2
    err = capsys.readouterr().err
    assert "locales/de/a0.po:" in err and "Traceback" not in err
    for name in ("a1.po", "a2.po"):
        assert all(e.msgstr for e in entries(site, name).values())
