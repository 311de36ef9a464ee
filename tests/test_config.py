"""l10n.config: every key of [tool.l10n] checked when read, errors at the key's line."""

from __future__ import annotations

import doctest
import re
import tempfile
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from l10n import config
from l10n.cli import main
from l10n.engines.deepl import Settings
from l10n.errors import ConfigError, InputError

REPO = Path(__file__).resolve().parent.parent


def site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.l10n]\n' + body,
                                             encoding="utf-8")
    return tmp_path


def error(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as info:
        config.load(site(tmp_path, body))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "pyproject.toml")), message
    return message.split("pyproject.toml", 1)[1]


@pytest.mark.parametrize("body, expected", [
    # wrong types, including the ones that used to pass silently
    ('target_langs = ["de"]\n[tool.l10n.front_matter]\nrewrite = {url = "x"}\n',
     ":7: tool.l10n.front_matter.rewrite.url must be a table, not a string ('x')"),
    ('target_langs = ["de"]\n[tool.l10n.front_matter.rewrite]\nurl = {"/en/" = 1}\n',
     ':7: tool.l10n.front_matter.rewrite.url."/en/" must be a string, not an integer (1)'),
    ('target_langs = ["de"]\ndeepl = "x"\n', ":6: tool.l10n.deepl must be a table, not a string ('x')"),
    ('target_langs = ["de"]\ncontent_dir = 5\n', ":6: tool.l10n.content_dir must be a string, not an integer (5)"),
    ('target_langs = ["de"]\nlocales_dir = ""\n', ":6: tool.l10n.locales_dir must name a folder"),
    ('target_langs = ["de"]\n[tool.l10n.front_matter]\ntranslate = "title"\n',
     ":7: tool.l10n.front_matter.translate must be a list of strings, e.g. [\"title\"], not a string ('title')"),
    ('target_langs = ["de"]\nfront_matter.embargo = [true]\n',
     ":6: tool.l10n.front_matter.embargo must be a list of strings, e.g. [\"title\"], but has a boolean (true)"),
    ('target_langs = ["de"]\nfront_matter = {set = {language = "{lng}"}}\n',
     ":6: tool.l10n.front_matter.set.language may use only {lang} and {source}"),
    ('target_langs = ["de"]\nfront_matter = []\n', ":6: tool.l10n.front_matter must be a table, not a list"),
    ('target_langs = "de"\n', ':5: tool.l10n.target_langs must be a list of strings, e.g. ["de"]'),
    ('target_langs = []\n', ":5: tool.l10n.target_langs must be a non-empty list"),
    ('target_langs = ["de", "de-DE", "de"]\n', ":5: tool.l10n.target_langs lists 'de' twice"),
    ('target_langs = ["de"]\nsource_lang = "xx-QQ"\n', ":6: tool.l10n.source_lang has an unknown source language 'xx-QQ'"),
    ('target_langs = ["de"]\npublish = "all"\n', ":6: tool.l10n.publish must be one of drafts, reviewed, not 'all'"),
    ('target_langs = ["de"]\nstate_key = false\n', ":6: tool.l10n.state_key must be a string, not a boolean (false)"),
    ('target_langs = ["de"]\nobsolete_days = "90"\n', ":6: tool.l10n.obsolete_days must be a whole number, not a string ('90')"),
    ('target_langs = ["de"]\nobsolete_days = -2\n', ":6: tool.l10n.obsolete_days must be -1 or more, not -2"),
    ('target_langs = ["de"]\nsimilarity = 1.5\n', ":6: tool.l10n.similarity must be from 0 to 1, not 1.5"),
    ('target_langs = ["de"]\nmin_reviewed = nan\n', ":6: tool.l10n.min_reviewed must be from 0 to 1, not nan"),
    ('target_langs = ["de"]\nglossary = ["a.csv"]\n', ":6: tool.l10n.glossary must be a string, not a list"),
    ('target_langs = ["de"]\nshortcode_text = "alt"\n',
     ":6: tool.l10n.shortcode_text must be a list of strings, e.g. [\"alt\", \"caption\", \"title\"], not a string ('alt')"),
    ('target_langs = ["de"]\nshortcode_text = ["alt", "my caption"]\n',
     ":6: tool.l10n.shortcode_text must name shortcode parameters (letters, digits, _ and -), not 'my caption'"),
    # misspelled keys, at every level
    ('target_langs = ["de"]\ncontentdir = "c"\n', ":6: tool.l10n.contentdir is not a setting: did you mean 'content_dir'?"),
    ('target_langs = ["de"]\n\n[tool.l10n.front_matter]\ntranslat = ["title"]\n',
     ":8: tool.l10n.front_matter.translat is not a setting: did you mean 'translate'?"),
    ('target_langs = ["de"]\n[tool.l10n.deepl]\nformalty = "less"\n',
     ":7: tool.l10n.deepl.formalty is not a setting: did you mean 'formality'?"),
    # [tool.l10n.deepl], checked although no DeepL engine is made
    ('target_langs = ["de"]\n[tool.l10n.deepl]\nformality = "casual"\n',
     ":7: tool.l10n.deepl.formality must be one of default, more, less, prefer_more, prefer_less, not 'casual'"),
    ('target_langs = ["de"]\ndeepl.context = "yes"\n', ":6: tool.l10n.deepl.context must be true or false"),
    ('target_langs = ["de"]\ndeepl = {preserve_formatting = 1}\n', ":6: tool.l10n.deepl.preserve_formatting must be true or false"),
    ('target_langs = ["de"]\ndeepl.retries = 2.5\n', ":6: tool.l10n.deepl.retries must be a whole number"),
    ('target_langs = ["de"]\ndeepl.retries = -1\n', ":6: tool.l10n.deepl.retries must be 0 or more"),
    ('target_langs = ["de"]\ndeepl.timeout = 0\n', ":6: tool.l10n.deepl.timeout must be more than 0 and at most 3600, not 0"),
    ('target_langs = ["de"]\ndeepl.timeout = "10"\n', ":6: tool.l10n.deepl.timeout must be a number"),
    ('target_langs = ["de"]\ndeepl.model_type = 1\n', ":6: tool.l10n.deepl.model_type must be a string"),
    ('target_langs = ["de"]\ndeepl.model_type = "fast"\n',
     ":6: tool.l10n.deepl.model_type must be one of prefer_quality_optimized, quality_optimized, "
     "latency_optimized, not 'fast'"),
    ('target_langs = ["de"]\ndeepl.custom_instructions = "Be brief."\n',
     ":6: tool.l10n.deepl.custom_instructions must be a list of strings"),
    ('target_langs = ["de"]\ndeepl.custom_instructions = [' + ", ".join(['"Be brief."'] * 11) + ']\n',
     ":6: tool.l10n.deepl.custom_instructions may hold at most 10 instructions (DeepL's limit), not 11"),
    ('target_langs = ["de"]\ndeepl.custom_instructions = ["ok", "' + "x" * 301 + '"]\n',
     ":6: tool.l10n.deepl.custom_instructions instruction 2 has 301 characters; DeepL takes at most 300"),
    ('target_langs = ["de"]\ndeepl.custom_instructions = [" "]\n',
     ":6: tool.l10n.deepl.custom_instructions has an empty instruction (number 1)"),
    ('target_langs = ["de"]\n[tool.l10n.deepl]\nstyle_id = "  "\n',
     ":7: tool.l10n.deepl.style_id must be one line of text (\"\" for none), not '  '"),
    ('target_langs = ["de"]\n[tool.l10n.deepl]\nglossary_name = "a\\nb"\n',
     ":7: tool.l10n.deepl.glossary_name must be one line of text"),
    ('target_langs = ["de"]\n[tool.l10n.deepl]\nmodel_type = "latency_optimized"\ncustom_instructions = ["Be brief."]\n',
     ":7: tool.l10n.deepl.model_type cannot be \"latency_optimized\" with custom_instructions"),
    ('target_langs = ["de"]\n[tool.l10n.deepl]\nstyle_id = "a1"\nmodel_type = "latency_optimized"\n',
     ":8: tool.l10n.deepl.model_type cannot be \"latency_optimized\" with style_id"),
    ('target_langs = ["de", "fr"]\n[tool.l10n.deepl]\nstyle_id = "7ff9bfd6"\n',
     ":7: tool.l10n.deepl.style_id is one style rule list, and a style rule list belongs to one language, "
     "but target_langs has 2: name one per language, style_id = {de = \"...\", fr = \"...\"}"),
    ('target_langs = ["de", "fr"]\n[tool.l10n.deepl]\nformality = "less"\nstyle_id = {de = "a1", it = "b2"}\n',
     ":8: tool.l10n.deepl.style_id.it names 'it', which is not in target_langs (de, fr)"),
    ('target_langs = ["de"]\ndeepl.style_id = 7\n',
     ":6: tool.l10n.deepl.style_id must be a string or a table of one per language"),
    ('target_langs = ["de"]\ndeepl.tag_handling_version = 2\n', ":6: tool.l10n.deepl.tag_handling_version must be a string"),
    ('target_langs = ["de"]\n[tool.l10n.deepl.target_codes]\nde = "DE_AT"\n',
     ":7: tool.l10n.deepl.target_codes.de must be a DeepL language code"),
    ('target_langs = ["de"]\n[tool.l10n.deepl.target_codes]\nklingon = "TLH"\n',
     ":7: tool.l10n.deepl.target_codes.klingon has an unknown language 'klingon'"),
    ('target_langs = ["de"]\ndeepl.target_codes = ["EN-GB"]\n', ":6: tool.l10n.deepl.target_codes must be a table"),
])
def test_a_wrong_key_is_named_with_its_line(tmp_path, body, expected):
    assert error(tmp_path, body).startswith(expected)


def test_the_table_itself_must_be_a_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool]\nl10n = "de"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml:2: tool.l10n must be a table"):
        config.load(tmp_path)


def test_invalid_toml_names_its_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.l10n]\ntarget_langs = ["de"]\nx = \n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        config.load(tmp_path)
    assert info.value.line == 3 and "invalid TOML" in str(info.value)


def test_errors_without_the_file_still_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"^tool.l10n.front_matter.translate must be a list"):
        config.from_table({"target_langs": ["de"], "front_matter": {"translate": "title"}}, tmp_path)


def test_every_setting_is_read(tmp_path):
    (tmp_path / "terms.csv").write_text("source,target\n", encoding="utf-8")
    cfg = config.load(site(tmp_path, """\
target_langs = ["de", "pt-BR"]
source_lang = "en"
content_dir = "site"
locales_dir = "po"
publish = "reviewed"
obsolete_days = -1
similarity = 1
min_reviewed = 0.5
state_key = ""
glossary = "terms.csv"
shortcode_text = ["alt", "data-caption"]

[tool.l10n.front_matter]
translate = ["title"]
set = {lang = "{lang}"}
rewrite = {url = {"/{source}/" = "/{lang}/"}, canonical = {}}
embargo = []

[tool.l10n.deepl]
formality = "less"
context = false
retries = 0
timeout = 3
tag_handling_version = ""
preserve_formatting = false
model_type = "quality_optimized"
target_codes = {pt-br = "PT-BR"}
custom_instructions = ["Write numbers as digits.", "Use the house spelling of brand names."]
style_id = {de = "7ff9bfd6-cd85-4190-8503-d6215a321519", pt-BR = "0b7c4e51-2f3a-4d69-9e8b-5a1c2d3e4f60"}
glossary_name = "newsroom terms"
"""))
    root = tmp_path.resolve()
    assert cfg.target_langs == ("de", "pt_BR") and cfg.publish == "reviewed"
    assert (cfg.content_dir, cfg.locales_dir, cfg.glossary) == (root / "site", root / "po", root / "terms.csv")
    assert (cfg.obsolete_days, cfg.similarity, cfg.min_reviewed, cfg.state_key) == (-1, 1.0, 0.5, "")
    assert cfg.shortcode_text == ("alt", "data-caption")
    assert cfg.front_matter == config.FrontMatterPolicy(
        translate=("title",), set={"lang": "{lang}"},
        rewrite={"url": {"/{source}/": "/{lang}/"}, "canonical": {}}, embargo=())
    assert cfg.deepl == {"formality": "less", "context": False, "retries": 0, "timeout": 3.0,
                         "tag_handling_version": "", "preserve_formatting": False,
                         "model_type": "quality_optimized", "target_codes": {"pt_BR": "PT-BR"},
                         "custom_instructions": ("Write numbers as digits.",
                                                 "Use the house spelling of brand names."),
                         "style_id": {"de": "7ff9bfd6-cd85-4190-8503-d6215a321519",
                                      "pt_BR": "0b7c4e51-2f3a-4d69-9e8b-5a1c2d3e4f60"},
                         "glossary_name": "newsroom terms"}
    assert cfg.project == "x"
    # the validated table is the DeepL engine's settings as they are
    assert Settings(**cfg.deepl).formality == "less"


def test_defaults(tmp_path):
    cfg = config.load(site(tmp_path, 'target_langs = ["de"]\n'))
    assert cfg.front_matter == config.FrontMatterPolicy() and cfg.deepl == {} and cfg.glossary is None
    assert (cfg.source_lang, cfg.publish, cfg.obsolete_days, cfg.similarity) == ("en", "drafts", 90, 0.6)
    assert cfg.shortcode_text == ("alt", "caption", "title")


def test_the_readme_configuration_is_valid(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[tool\.l10n\]\n.*?)```", readme, re.S)
    assert block, "README has no [tool.l10n] example"
    (tmp_path / "pyproject.toml").write_text(block.group(1), encoding="utf-8")
    (tmp_path / "glossary.csv").write_text("source,target\n", encoding="utf-8")  # the file it names
    cfg = config.load(tmp_path)
    assert cfg.deepl["formality"] == "prefer_less" and cfg.front_matter.embargo == ("draft",)


@pytest.mark.parametrize("text, key, line", [
    ('[tool.l10n]\na = 1\n[tool.l10n.b]\nc = 2\n', ("tool", "l10n", "b", "c"), 4),
    ('[tool.l10n]\nb.c = 2\n', ("tool", "l10n", "b", "c"), 2),
    ('[tool . l10n]\n"b" . \'c\' = 2\n', ("tool", "l10n", "b", "c"), 2),
    ('[tool.l10n]\nb = {c = {d = 1}}\n', ("tool", "l10n", "b", "c", "d"), 2),  # inside an inline table
    ('[tool.l10n]\nb = 1\n', ("tool", "l10n", "x"), 1),  # not written out: its table
    ('[tool.l10n.b.rewrite]\n"/{source}/" = 1\n', ("tool", "l10n", "b", "rewrite", "/{source}/"), 2),
    ('[tool.l10n]\ns = """\nc = 1\n"""\nc = 2\n', ("tool", "l10n", "c"), 5),  # not inside a string
    ('[project]\nname = "x"\n', ("tool", "l10n", "c"), None),
])
def test_key_line(text, key, line):
    assert config.key_line(text, key) == line


@pytest.mark.parametrize("name", ["a\nb.md", "a\rb.md", "tab\there.md", "a\x1bb.md", "a\u2028b.md",
                                  "evil\u202eDM.md", "sub\ndir/a.md"])
def test_file_names_with_control_characters_are_refused(tmp_path, name):
    root = site(tmp_path, 'target_langs = ["de"]\n')
    path = root / "content" / "en" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("text\n", encoding="utf-8")
    cfg = config.load(root)
    assert cfg.articles() == [path]  # listed: refused where it is used, so other articles go on
    for call in (lambda: cfg.relative(path), lambda: cfg.catalog_path(path, "de")):
        with pytest.raises(InputError) as info:
            call()
        message = str(info.value)
        assert "\n" not in message and "\r" not in message and repr(f"content/en/{name}") in message


def test_a_control_character_in_a_name_is_exit_status_2(tmp_path, capsys):
    root = site(tmp_path, 'target_langs = ["de"]\n')
    (root / "content" / "en").mkdir(parents=True)
    (root / "content" / "en" / "ok.md").write_text("text\n", encoding="utf-8")
    (root / "content" / "en" / "a\nb.md").write_text("text\n", encoding="utf-8")
    assert main(["--root", str(root), "extract"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "'content/en/a\\nb.md'" in err
    assert [p.name for p in (root / "locales/de").iterdir()] == ["ok.po"]  # the good one is done


def test_ordinary_names_pass(tmp_path):
    root = site(tmp_path, 'target_langs = ["de"]\n')
    for name in ("a b.md", "Ünïcode – ok.md", "emoji-👍.md"):
        path = root / "content" / "en" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n", encoding="utf-8")
    assert len(config.load(root).articles()) == 3


#: Parts of a path below the source folder: folders, files, links to a folder inside and to
#: one outside, a dangling link, a missing name, ``..`` and ``.``.
PARTS = st.lists(st.sampled_from(["a", "b", "x.md", "in", "out", "dangling", "missing", "..", "."]),
                 min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(PARTS, st.booleans())
def test_an_article_is_plainly_inside_only_where_it_resolves_inside(parts, linked_site):
    """The check of a link out of the source folder without resolving every part of the
    path: sure (True) only where resolving finds the article inside, and sure for an article
    written in the folder without links; the site itself may be behind a link."""
    with tempfile.TemporaryDirectory() as tmp:
        real = Path(tmp) / "real"
        (real / "content/en/a/b").mkdir(parents=True)
        (Path(tmp) / "outside").mkdir()
        for path in (real / "content/en/x.md", real / "content/en/a/x.md", Path(tmp) / "outside/x.md"):
            path.write_text("x\n", encoding="utf-8")
        (real / "content/en/in").symlink_to(real / "content/en/a")
        (real / "content/en/a/out").symlink_to(Path(tmp) / "outside")
        (real / "content/en/dangling").symlink_to(Path(tmp) / "nowhere")
        (Path(tmp) / "site").symlink_to(real)
        folder = (Path(tmp) / "site" if linked_site else real) / "content/en"
        article = folder.joinpath(*parts)
        rel = config._under(article, folder)
        if rel is None:
            return
        inside = config._under(article.resolve(), folder.resolve()) is not None
        plainly = config._plainly_inside(article, rel, folder)
        assert inside or not plainly
        if not {"in", "out", "dangling", "missing", ".."} & set(parts) and article.exists():
            assert plainly


def test_paths_nest_as_written_in_the_type_asked():
    assert config._nested(Path("/s/content/en/a/x.md"), Path("/s/content/en")) == Path("a/x.md")
    assert type(config._nested(PurePosixPath("/s/a"), PurePosixPath("/s"))) is PurePosixPath
    assert type(config._nested(Path("/s/a"), Path("/s"))) is type(Path("/s"))
    assert config._nested(Path("/s/a/../b"), Path("/s")) is None and config._nested(Path("/t"), Path("/s")) is None


def test_a_page_is_the_path_under_the_source_folder(tmp_path):
    cfg = config.load(site(tmp_path, 'target_langs = ["de"]\n'))
    assert cfg.page(cfg.source_dir / "a" / "x.md") == "a/x.md"
    assert cfg.page(cfg.source_dir / ".." / "x.md") == "../x.md"  # as relative_to wrote it
    with pytest.raises(ValueError):
        cfg.page(tmp_path / "x.md")


def test_doctests():
    assert doctest.testmod(config).failed == 0


def test_a_deepl_timeout_is_seconds_an_hour_at_most(tmp_path):
    assert "tool.l10n.deepl.timeout must be more than 0 and at most 3600" in error(
        tmp_path, 'target_langs = ["de"]\n[tool.l10n.deepl]\ntimeout = 1e308\n')


@pytest.mark.parametrize("body, expected", [
    ('target_langs = ["de"]\n[tool.l10n.checks]\nnumbers = "fatal"\n',
     ":7: tool.l10n.checks.numbers must be one of error, warning, off, not 'fatal'"),
    ('target_langs = ["de"]\n[tool.l10n.checks]\nregister = "ihr"\n',
     ":7: tool.l10n.checks.register must be one of du, Sie, not 'ihr'"),
    ('target_langs = ["de"]\n[tool.l10n.checks]\nquote_style = "<<>>"\n',
     ":7: tool.l10n.checks.quote_style must be one of „“, »«, «», not '<<>>'"),
    ('target_langs = ["de"]\n[tool.l10n.checks]\nquotes = "»«"\n',
     ":7: tool.l10n.checks.quotes must be one of error, warning, off, not '»«'"),
    ('target_langs = ["de"]\n[tool.l10n.checks]\nnumber = "off"\n',
     ":7: tool.l10n.checks.number is not a setting: did you mean 'numbers'? known keys: consistency, "
     "formality, glossary, numbers, punctuation, quote_style, quotes, register, untranslated"),
    ('target_langs = ["de"]\nchecks = true\n', ":6: tool.l10n.checks must be a table, not a boolean (true)"),
])
def test_checks_settings_are_validated(tmp_path, body, expected):
    assert error(tmp_path, body) == expected


def test_checks_settings_are_read(tmp_path):
    cfg = config.load(site(tmp_path, 'target_langs = ["de"]\n[tool.l10n.checks]\nregister = "Sie"\n'
                                     'quote_style = "»«"\nglossary = "error"\nconsistency = "off"\n'))
    assert (cfg.checks.register, cfg.checks.quotes) == ("Sie", "»«")
    assert cfg.checks.severity("glossary") == "error" and cfg.checks.severity("consistency") == "off"
    assert cfg.checks.severity("numbers") == "error"  # the default
    assert config.load(site(tmp_path, 'target_langs = ["de"]\n')).checks.register is None


def test_swiss_german_gets_guillemets_unless_a_quote_style_is_set(tmp_path):
    from l10n import check
    (tmp_path / "content" / "en").mkdir(parents=True)
    cfg = config.load(site(tmp_path, 'target_langs = ["de", "de-CH"]\n'))
    assert cfg.target_langs == ("de", "de_CH") and cfg.checks.quotes is None
    assert [check.policy(cfg, lang).quote_style for lang in cfg.target_langs] == ["„“", "«»"]
    cfg = config.load(site(tmp_path, 'target_langs = ["de_CH"]\n[tool.l10n.checks]\nquote_style = "„“"\n'))
    assert check.policy(cfg, "de_CH").quote_style == "„“"
    cfg = config.load(site(tmp_path, 'target_langs = ["de"]\n[tool.l10n.checks]\nquote_style = "«»"\n'))
    assert check.policy(cfg, "de").quote_style == "«»"


def test_a_bad_checks_setting_is_exit_status_2(tmp_path, capsys):
    root = site(tmp_path, 'target_langs = ["de"]\n[tool.l10n.checks]\nquote_style = 5\n')
    assert main(["--root", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {root / 'pyproject.toml'}:7: tool.l10n.checks.quote_style must be a string, not an integer (5)\n"
