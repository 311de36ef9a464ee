"""The DeepL engine on its own, through the real ``deepl`` client against ``FakeDeepL``."""

from __future__ import annotations

import json
from pathlib import Path

import deepl.http_client as hc
import pytest

from l10n import glossary as glossaries
from l10n import markup
from l10n.config import from_table
from l10n.engines import deepl as engine_mod
from l10n.engines.base import Job
from l10n.engines.deepl import DeepLEngine, Settings, from_environment, source_code, target_codes
from l10n.errors import ConfigError, EngineError, InputError

from .deepl_server import FakeDeepL, fake_deepl, fast_deepl_client  # noqa: F401 - fixtures

SECRET = "0f1e2d3c-very-secret-key-4b5a:fx"


def config_table(deepl: dict, targets: tuple[str, ...] = ("de",)) -> dict:
    """``[tool.l10n.deepl]`` as the configuration validates it."""
    return from_table({"target_langs": list(targets), "deepl": deepl}, Path("/site")).deepl


@pytest.fixture
def server(fake_deepl, fast_deepl_client, monkeypatch):
    fake_deepl.auth_key = SECRET
    return fake_deepl


def tr(engine: DeepLEngine, batch: list[Job]) -> list[str]:
    """The drafts of a batch that must come back whole; its fault, raised."""
    result = engine.translate(batch, source="en", target="de")
    if result.fault is not None:
        raise result.fault
    return list(result.drafts)


def make(server: FakeDeepL, key: str = SECRET, **settings) -> DeepLEngine:
    glossary = settings.pop("glossary", None)
    targets = settings.pop("targets", ("de",))
    return DeepLEngine(key, server_url=server.url, settings=Settings(**config_table(settings, targets)),
                       glossary=glossary, targets=targets,
                       glossary_record=glossary.path.parent / "deepl-glossary.json" if glossary else None)


def jobs(*texts: str, context: str | None = "Title") -> list[Job]:
    return [Job(t, context) for t in texts]


# ----------------------------------------------------------------- languages

@pytest.mark.parametrize("lang, expected", [
    ("de", "DE"), ("en", "EN"), ("en_GB", "EN"), ("pt_BR", "PT"), ("zh_Hant", "ZH"), ("no", "NB"),
])
def test_source_codes(lang, expected):
    assert source_code(lang) == expected


@pytest.mark.parametrize("lang, best", [
    ("de", "DE"), ("en", "EN-US"), ("en_US", "EN-US"), ("en_GB", "EN-GB"), ("pt", "PT-PT"),
    ("pt_BR", "PT-BR"), ("pt_PT", "PT-PT"), ("zh", "ZH-HANS"), ("zh_Hant", "ZH-HANT"),
    ("zh_TW", "ZH-HANT"), ("nb", "NB"), ("fr", "FR"), ("ja", "JA"),
])
def test_target_codes(lang, best, server):
    assert target_codes(lang)[0] == best
    engine = make(server)
    assert engine.codes("en", lang) == ("EN", best)


def test_regional_variant_deepl_lacks_falls_back_to_the_language(server):
    assert make(server).codes("en", "de_AT") == ("EN", "DE")


def test_target_code_override(server):
    engine = make(server, target_codes={"en": "EN-GB"})
    assert engine.codes("de", "en") == ("DE", "EN-GB")


def test_unsupported_pair_is_a_config_error(server):
    engine = make(server)
    with pytest.raises(ConfigError, match=r"DeepL does not translate into 'cy'"):
        engine.codes("en", "cy")
    with pytest.raises(ConfigError, match=r"DeepL does not translate from 'cy'"):
        engine.codes("cy", "de")


def test_languages_are_fetched_once_per_run(server):
    engine = make(server)
    for _ in range(3):
        tr(engine, jobs("Hello."))
    engine.codes("en", "fr")
    langs = [r for r in server.requests if r.path == "/v2/languages"]
    assert len(langs) == 2  # source and target lists, once


def test_strict_formality_for_a_language_without_formality(server):
    with pytest.raises(ConfigError, match="prefer_less"):
        make(server, formality="less").codes("de", "en")
    assert make(server, formality="prefer_less").codes("de", "en") == ("DE", "EN-US")


# ----------------------------------------------------------------- set-up

def test_from_environment_needs_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    config = from_table({"target_langs": ["de"]}, tmp_path)
    with pytest.raises(ConfigError) as info:
        from_environment(config)
    message = str(info.value)
    assert "DEEPL_AUTH_KEY" in message and "export" in message and "\n" not in message


def test_from_environment_reads_key_and_server_url(tmp_path, monkeypatch, server):
    monkeypatch.setenv("DEEPL_AUTH_KEY", SECRET)
    monkeypatch.setenv("DEEPL_SERVER_URL", server.url)
    config = from_table({"target_langs": ["de"], "deepl": {"formality": "prefer_more"}}, tmp_path)
    engine = from_environment(config)
    assert engine.settings.formality == "prefer_more" and engine.server_url == server.url
    assert SECRET not in repr(engine) and SECRET not in repr(vars(engine).get("settings"))
    assert tr(engine, jobs("Hello.")) == ["DE:Hello."]
    assert server.requests[-1].auth_key == SECRET


def test_engine_protocol_attributes(server):
    engine = make(server)
    assert (engine.name, engine.external, engine.max_batch) == ("deepl", True, 50)
    assert 0 < engine.max_batch_chars < 128 * 1024


# ----------------------------------------------------------------- requests

def test_request_options(server):
    engine = make(server, formality="prefer_more")
    out = tr(engine, jobs("See [the *paper*](https://x.org/p) or run `ls`.", context="A title"))
    assert out == ["DE:See [DE:the *DE:paper*](https://x.org/p) DE:or run `ls`DE:."]
    (req,) = server.translate_requests()
    p = req.params
    assert p["text"] == ['See <a id="1">the <em>paper</em></a> or run <x id="2"/>.']
    assert "https://x.org/p" not in req.body.decode()
    assert (p["source_lang"], p["target_lang"], p["formality"]) == ("EN", "DE", "prefer_more")
    assert p["tag_handling"] == "xml" and p["ignore_tags"] == markup.IGNORE_TAGS
    assert p["non_splitting_tags"] == markup.NON_SPLITTING_TAGS
    assert p["outline_detection"] is False and p["split_sentences"] == "nonewlines"
    assert p["tag_handling_version"] == "v2" and p["preserve_formatting"] is True
    assert p["context"] == "A title"
    assert "glossary_id" not in p


def test_default_formality_is_prefer_less(server):
    tr(make(server), jobs("Hi there."))
    assert server.translate_requests()[0].params["formality"] == "prefer_less"


def test_one_request_per_context(server):
    engine = make(server)
    batch = jobs("One.", "Two.", context="A") + jobs("Three.", context="B") + jobs("Four.", context="A")
    assert tr(engine, batch) == ["DE:One.", "DE:Two.", "DE:Three.", "DE:Four."]
    reqs = server.translate_requests()
    assert [(r.params["context"], r.texts) for r in reqs] == [
        ("A", ["One.", "Two.", "Four."]), ("B", ["Three."])]


def test_context_can_be_turned_off(server):
    engine = make(server, context=False)
    assert engine.context_per_request is False
    tr(engine, jobs("One.", context="A") + jobs("Two.", context="B"))
    (req,) = server.translate_requests()
    assert "context" not in req.params and req.texts == ["One.", "Two."]


def test_at_most_50_texts_and_well_under_128_kib_per_request(server):
    engine = make(server)
    texts = [f"Sentence number {i} about ümlauts and “quotes” " + "é" * 3000 for i in range(60)]
    out = tr(engine, jobs(*texts))
    assert out == ["DE:" + t for t in texts]
    reqs = server.translate_requests()
    assert all(len(r.texts) <= 50 for r in reqs)
    assert all(len(r.body) < 96 * 1024 for r in reqs), [len(r.body) for r in reqs]
    assert [t for r in reqs for t in r.texts] == texts
    assert engine.requests == len(reqs) > 1


def test_text_without_words_is_not_sent(server):
    engine = make(server)
    assert tr(engine, jobs("`2.16.4`", "2.14.0 – 2.16.3", "Fixed.")) == [
        "`2.16.4`", "2.14.0 – 2.16.3", "DE:Fixed."]
    assert server.texts_sent() == ["Fixed."]
    assert engine.skipped == 2


def test_billed_characters_are_counted(server):
    engine = make(server)
    tr(engine, jobs("Hello **world**."))
    assert engine.billed_characters == server.chars_billed() == len("Hello world.")  # tags are not billed


def test_shortcut_reference_keeps_its_label(server):
    server.translate = lambda text, params: text.replace("Model Card", "Modellkarte")
    out = tr(make(server), jobs("Cobalt's own [Model Card] lists it."))
    assert out == ["Cobalt's own [Modellkarte][Model Card] lists it."]
    refs = {"model card": {"href": "https://x.org/mc", "title": ""}}
    assert markup.check("Cobalt's own [Model Card] lists it.", out[0], references=refs) == []


def test_mangled_reply_is_restored_and_flagged_by_the_check(server):
    server.mangle("drop_tag")
    text = "Run `env` and see [the notes](https://x.org/n)."
    (draft,) = tr(make(server), jobs(text))
    assert "`env`" not in draft
    assert [p.code for p in markup.check(text, draft)] == ["code-span"]


# ----------------------------------------------------------------- faults

def _fault(server, **settings) -> EngineError:
    engine = make(server, **settings)
    with pytest.raises(EngineError) as info:
        tr(engine, jobs("Hello."))
    message = str(info.value)
    assert "\n" not in message and SECRET not in message and "Traceback" not in message
    return info.value


def test_quota_exceeded(server):
    server.fail_next(456)
    assert "quota exceeded" in str(_fault(server)).lower()


def test_wrong_key(server):
    engine = DeepLEngine("not-the-right-key:fx", server_url=server.url)
    with pytest.raises(EngineError) as info:
        tr(engine, jobs("Hello."))
    message = str(info.value)
    assert "403" in message and "DEEPL_AUTH_KEY" in message and "not-the-right-key" not in message


def test_key_is_scrubbed_even_if_the_server_echoes_it(server):
    server.fail_next(400, body={"message": f"bad key {SECRET} here"})
    message = str(_fault(server))
    assert "HTTP 400" in message and "bad key *** here" in message


def test_bad_request(server):
    server.fail_next(400, body={"message": "Value for 'target_lang' not supported."})
    assert str(_fault(server)) == ("DeepL rejected the request (HTTP 400): "
                                   "Value for 'target_lang' not supported.")


def test_too_many_requests_after_retries(server):
    server.fail_next(429, times=10)
    attempts = hc.max_network_retries + 1  # the client's setting, taken over by the engine
    assert "429" in str(_fault(server))
    assert len(server.translate_requests()) == attempts


def test_429_then_success(server):
    server.fail_next(429, times=2)
    assert tr(make(server), jobs("Hello.")) == ["DE:Hello."]


def test_server_error_persisting(server):
    server.fail_next(500, times=10)
    assert "HTTP 500" in str(_fault(server))


def test_network_failure(server):
    url = server.url
    server.stop()
    engine = DeepLEngine(SECRET, server_url=url)
    with pytest.raises(EngineError) as info:
        tr(engine, jobs("Hello."))
    message = str(info.value)
    assert message.startswith(f"cannot reach DeepL at {url}") and "\n" not in message


def test_configured_retries_and_the_client_settings_given_back_on_close(server):
    before = hc.max_network_retries, hc.min_connection_timeout
    server.fail_next(429, times=1)
    with make(server, retries=0, timeout=2.5) as engine:
        assert hc.max_network_retries == 0  # the engine retries, not the client
        result = engine.translate(jobs("Hello."), source="en", target="de")
    assert "after 0 retries" in str(result.fault)
    assert len(server.translate_requests()) == 1
    assert (hc.max_network_retries, hc.min_connection_timeout) == before


def test_fault_keeps_the_drafts_received(server):
    engine = make(server)
    server.fail_after(1)
    batch = jobs("One.", context="A") + jobs("Two.", context="B") + jobs("Three.", context="A")
    result = engine.translate(batch, source="en", target="de")
    assert isinstance(result.fault, EngineError)
    assert result.drafts == ("DE:One.", None, "DE:Three.")


# ----------------------------------------------------------------- usage

def test_usage(server):
    server.character_count, server.character_limit = 1234, 500000
    assert make(server).usage() == (1234, 500000)


# ----------------------------------------------------------------- glossary

def write_csv(path: Path, text: str) -> glossaries.Glossary:
    path.write_text(text, encoding="utf-8")
    return glossaries.load(path)


def test_glossary_csv(tmp_path):
    g = write_csv(tmp_path / "g.csv", "source,target\n# brands stay\nNordlicht AI,Nordlicht AI\n"
                                      "open model,offenes Modell\nweights,Gewichte,de\nweights,poids,fr\n")
    assert g.entries("de") == {"Nordlicht AI": "Nordlicht AI", "open model": "offenes Modell",
                               "weights": "Gewichte"}
    assert g.entries("fr")["weights"] == "poids"


@pytest.mark.parametrize("text, match", [
    ("a,b\na,c\n", "already defined on line 1"),
    ("a\n", "needs a source term and a target term"),
    ("a,b,de,x\n", "needs a source term"),
])
def test_bad_glossary_rows(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        write_csv(tmp_path / "g.csv", text)


def test_glossary_rows_must_be_for_target_languages(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("model,Modell\nmodel,modelo,pt-BR\nmodel,modèle,fr\n", encoding="utf-8")
    assert glossaries.load(path, ("de", "pt_BR", "fr")).entries("pt_BR") == {"model": "modelo"}
    with pytest.raises(InputError) as info:
        glossaries.load(path, ("de", "pt_BR"))
    assert (info.value.path, info.value.line) == (path, 3) and "row for 'fr'" in info.value.message


def test_variants_disagree_on_the_first_term_that_differs(tmp_path):
    g = write_csv(tmp_path / "g.csv", "colour,cor\ninvoice,nota fiscal,pt-BR\nteam,equipe,pt-BR\n"
                                      "team,equipa,pt-PT\n")
    problem = g.disagreement("pt_BR", "pt_PT")
    assert problem.line == 2 and problem.message.startswith(
        "term 'invoice' has 'nota fiscal' for pt_BR (line 2) but none for pt_PT:")
    assert g.disagreement("pt_BR", "pt_BR") is None
    same = write_csv(tmp_path / "h.csv", "colour,cor\nteam,equipa,pt-BR\nteam,equipa,pt-PT\n")
    assert same.disagreement("pt_BR", "pt_PT") is None


def test_missing_glossary_file(tmp_path):
    with pytest.raises(ConfigError, match="glossary file not found"):
        glossaries.load(tmp_path / "nope.csv")


def glossary_calls(server: FakeDeepL) -> list[tuple[str, str]]:
    """The glossary requests that changed something: (method, path)."""
    return [(r.method, r.path) for r in server.requests
            if "/glossaries" in r.path and r.method != "GET"]


def test_glossary_created_once_as_v3_and_reused(server, tmp_path):
    g = write_csv(tmp_path / "g.csv", "Nordlicht AI,Nordlicht AI\nopen model,offenes Modell\n")
    first = make(server, glossary=g, glossary_name="l10n newsroom")
    assert tr(first, jobs("An open model by Nordlicht AI.")) == [
        "DE:An offenes Modell by Nordlicht AI."]
    tr(first, jobs("Another open model."))
    second = make(server, glossary=g, glossary_name="l10n newsroom")  # the next run
    tr(second, jobs("Yet another open model."))
    assert glossary_calls(server) == [("POST", "/v3/glossaries")]
    assert not any(r.path.startswith("/v2/glossaries") for r in server.requests)
    (gid,) = server.glossaries
    assert server.glossaries[gid]["name"] == "l10n newsroom"
    assert server.glossaries[gid]["dictionaries"] == {
        ("en", "de"): {"Nordlicht AI": "Nordlicht AI", "open model": "offenes Modell"}}
    assert all(r.params["glossary_id"] == gid for r in server.translate_requests())


def test_edited_glossary_is_updated_in_place(server, tmp_path):
    path = tmp_path / "g.csv"
    make_engine = lambda: make(server, glossary=glossaries.load(path), targets=("de", "fr"))  # noqa: E731
    write_csv(path, "open model,offenes Modell\nweights,poids,fr\n")
    tr(make_engine(), jobs("An open model."))
    (gid,) = server.glossaries
    assert set(server.glossaries[gid]["dictionaries"]) == {("en", "de"), ("en", "fr")}
    server.clear_requests()
    # one term changed, one removed, French dropped: the same glossary, edited
    write_csv(path, "open model,freies Modell,de\n")
    assert tr(make_engine(), jobs("An open model.")) == ["DE:An freies Modell."]
    assert list(server.glossaries) == [gid]
    assert server.glossaries[gid]["dictionaries"] == {("en", "de"): {"open model": "freies Modell"}}
    assert glossary_calls(server) == [("PUT", f"/v3/glossaries/{gid}/dictionaries"),
                                      ("DELETE", f"/v3/glossaries/{gid}/dictionaries")]
    assert server.translate_requests()[0].params["glossary_id"] == gid


def test_one_multilingual_glossary_for_every_target_language(server, tmp_path):
    g = write_csv(tmp_path / "g.csv", "open model,offenes Modell\nopen model,modèle ouvert,fr\n")
    engine = make(server, glossary=g, targets=("de", "fr"))
    assert tr(engine, jobs("An open model.")) == ["DE:An offenes Modell."]
    result = engine.translate(jobs("An open model."), source="en", target="fr")
    assert result.drafts == ("FR:An modèle ouvert.",)
    (gid,) = server.glossaries
    assert server.glossaries[gid]["dictionaries"] == {
        ("en", "de"): {"open model": "offenes Modell"}, ("en", "fr"): {"open model": "modèle ouvert"}}
    assert [r.params["glossary_id"] for r in server.translate_requests()] == [gid, gid]
    assert glossary_calls(server) == [("POST", "/v3/glossaries")]


def test_glossary_unchanged_is_not_sent_again(server, tmp_path):
    g = write_csv(tmp_path / "g.csv", "open model,offenes Modell\n")
    tr(make(server, glossary=g), jobs("One."))
    server.clear_requests()
    tr(make(server, glossary=g), jobs("Two."))
    assert glossary_calls(server) == []
    assert [r.path for r in server.requests if "/glossaries" in r.path] == [
        "/v3/glossaries", f"/v3/glossaries/{next(iter(server.glossaries))}/entries"]


def test_glossary_without_terms_for_the_language_is_not_created(server, tmp_path):
    g = write_csv(tmp_path / "g.csv", "weights,poids,fr\n")
    tr(make(server, glossary=g), jobs("Weights."))
    assert not server.glossaries and "glossary_id" not in server.translate_requests()[0].params


def test_glossary_refused_by_deepl_is_a_config_error(server, tmp_path):
    engine = make(server, glossary=write_csv(tmp_path / "g.csv", "Nordlicht,Nordlicht\n"))
    create = engine._translator.create_multilingual_glossary

    def refused(*args, **kwargs):  # the list before it succeeds, the creation fails
        server.fail_next(400, body={"message": "Unsupported glossary source and target language pair."},
                         endpoint="/v3/glossaries")
        return create(*args, **kwargs)

    engine._translator.create_multilingual_glossary = refused
    with pytest.raises(ConfigError, match="DeepL refused the glossary .*Unsupported glossary"):
        tr(engine, jobs("Hello."))
    assert not server.translate_requests()


def test_request_body_is_json_with_protected_text_only(server):
    tr(make(server), jobs("![Diagram](https://x.org/d.png \"T\") shows it."))
    body = json.loads(server.translate_requests()[0].body)
    assert body["text"] == ['<img id="1">Diagram</img> shows it.<t id="2">T</t>']  # the title is text
    assert "x.org" not in json.dumps(body)


def test_module_docstring_settings_match_the_dataclass():
    for key in Settings.__dataclass_fields__:
        assert f"{key} =" in engine_mod.__doc__


def test_usage_is_asked_once_without_retries(server):
    server.fail_next(500, times=10, endpoint="/v2/usage")
    with pytest.raises(EngineError, match="after 0 retries"):
        make(server).usage()
    assert len([r for r in server.requests if r.path == "/v2/usage"]) == 1


# ----------------------------------------------------------------- quality settings

def style_rule(server: FakeDeepL, language: str) -> str:
    """A style rule list on the server (as the account's owner makes one in DeepL's UI)."""
    import urllib.request
    body = json.dumps({"name": "house style", "language": language}).encode()
    req = urllib.request.Request(server.url + "/v3/style_rules", data=body, method="POST", headers={
        "Authorization": f"DeepL-Auth-Key {server.auth_key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as reply:
        return json.loads(reply.read())["style_id"]


def test_quality_optimized_by_default(server):
    engine = make(server)
    assert engine.settings.model_type == "prefer_quality_optimized"
    tr(engine, jobs("Hi there."))
    p = server.translate_requests()[0].accepted
    assert p["model_type"] == "prefer_quality_optimized"
    assert "custom_instructions" not in p and "style_id" not in p


PRO_KEY = "0f1e2d3c-very-secret-pro-key-4b5a"


def test_custom_instructions_and_style_rules_are_sent(server):
    server.auth_key = PRO_KEY
    style = style_rule(server, "de")
    rules = ["Write numbers as digits.", "Use „…“ for quotations."]
    engine = make(server, PRO_KEY, model_type="quality_optimized", custom_instructions=rules, style_id=style)
    assert tr(engine, jobs("It rose by ten percent.")) == ["DE:It rose by ten percent."]
    p = server.translate_requests()[0].accepted
    assert (p["model_type"], p["custom_instructions"], p["style_id"]) == ("quality_optimized", rules, style)


def test_each_target_language_gets_its_own_style_rule_list(server):
    server.auth_key = PRO_KEY
    german, french = style_rule(server, "de"), style_rule(server, "fr")
    engine = make(server, PRO_KEY, style_id={"de": german, "fr": french}, targets=("de", "fr", "nl"))
    for lang in ("de", "fr", "nl"):
        result = engine.translate(jobs("Hello."), source="en", target=lang)
        assert result.fault is None, result.fault
    sent = [(r.accepted["target_lang"], r.accepted.get("style_id")) for r in server.translate_requests()]
    assert sent == [("DE", german), ("FR", french), ("NL", None)]
    # a language's drafts carry its own list only: another language's list leaves them be
    other = make(server, PRO_KEY, style_id={"de": german, "fr": "s-2"}, targets=("de", "fr", "nl"))
    assert other.label_for("de") == engine.label_for("de") and other.label_for("fr") != engine.label_for("fr")
    # one list for a one-language site labels drafts as the table with that language does
    assert make(server, PRO_KEY, style_id=german).label_for("de") == engine.label_for("de")


def test_style_rules_need_a_pro_key(server):
    with pytest.raises(ConfigError, match="style_id needs a DeepL API Pro key"):
        make(server, style_id="7ff9bfd6-cd85-4190-8503-d6215a321519")


def test_style_rule_of_another_language_is_refused_by_deepl(server):
    server.auth_key = PRO_KEY
    engine = make(server, PRO_KEY, style_id=style_rule(server, "fr"))
    with pytest.raises(EngineError, match="HTTP 400.*does not match"):
        tr(engine, jobs("Hello."))


def test_custom_instructions_only_for_languages_deepl_takes_them_for(server):
    engine = make(server, custom_instructions=["Be brief."], targets=("nl",))
    with pytest.raises(ConfigError, match="custom_instructions only for DE, EN.*not NL"):
        engine.translate(jobs("Hello."), source="en", target="nl")
    assert not server.translate_requests()


@pytest.mark.parametrize("change", [
    {"formality": "prefer_more"}, {"context": False}, {"model_type": "quality_optimized"},
    {"model_type": "latency_optimized"}, {"custom_instructions": ["Be brief."]},
    {"tag_handling_version": ""}, {"preserve_formatting": False}, {"target_codes": {"de": "DE"}},
])
def test_every_setting_that_shapes_a_draft_changes_the_label(server, change):
    assert make(server, **change).label != make(server).label
    assert make(server, **change).label == make(server, **change).label


def test_settings_that_do_not_shape_a_draft_keep_the_label(server):
    plain = make(server).label
    assert plain.startswith("deepl/prefer_less/")
    assert make(server, concurrency=1, retries=0, timeout=5.0, glossary_name="other").label == plain


def test_glossary_terms_change_the_label(server, tmp_path):
    one = make(server, glossary=write_csv(tmp_path / "a.csv", "open model,offenes Modell\n")).label
    two = make(server, glossary=write_csv(tmp_path / "b.csv", "open model,freies Modell\n")).label
    assert len({one, two, make(server).label}) == 3


def test_style_rules_change_the_label(server):
    assert make(server, PRO_KEY, style_id="s-1").label != make(server, PRO_KEY).label


def test_changed_instructions_change_the_label(server):
    assert make(server, custom_instructions=["Be brief."]).label != \
        make(server, custom_instructions=["Be brief.", "Use digits."]).label


def test_a_language_label_depends_only_on_its_own_terms(server, tmp_path):
    before = make(server, glossary=write_csv(tmp_path / "a.csv", "model,Modell,de\nmodel,modèle,fr\n"))
    after = make(server, glossary=write_csv(tmp_path / "b.csv", "model,KI-Modell,de\nmodel,modèle,fr\n"))
    assert before.label_for("de") != after.label_for("de")
    assert before.label_for("fr") == after.label_for("fr")
