"""The fake DeepL server, driven by the real ``deepl`` client (and by plain ``requests``)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import xml.etree.ElementTree as ET

import deepl
import pytest
import requests
from deepl.api_data import MultilingualGlossaryDictionaryEntries

try:  # tests/ on sys.path (pytest's default, no tests/__init__.py) ...
    from deepl_server import (MANGLERS, FakeDeepL, default_translate, fake_deepl,  # noqa: F401
                              fast_deepl_client, map_text_nodes, xml_error)
except ImportError:  # ... or tests as a package
    from tests.deepl_server import (MANGLERS, FakeDeepL, default_translate,  # noqa: F401
                                    fake_deepl, fast_deepl_client, map_text_nodes, xml_error)

TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def server(fake_deepl):
    return fake_deepl


@pytest.fixture
def translator(server):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    yield t
    t.close()


def _tags(text: str) -> list[str]:
    return TAG.findall(text)


# ----------------------------------------------------------------- translate

def test_translate_one_text(server, translator):
    result = translator.translate_text("Hello, world!", source_lang="EN", target_lang="DE")
    assert result.text == "DE:Hello, world!"
    assert result.detected_source_lang == "EN"
    assert result.billed_characters == len("Hello, world!")

    (req,) = server.requests
    assert (req.method, req.path, req.status) == ("POST", "/v2/translate", 200)
    # deepl 1.32 sends a JSON body, the key in the header, its own user agent
    assert req.body_format == "json"
    assert req.headers["Content-Type"] == "application/json"
    assert req.auth_key == server.auth_key
    assert req.headers["Authorization"] == "DeepL-Auth-Key ***"
    assert server.auth_key not in str(req.headers)
    assert req.user_agent.startswith("deepl-python/")
    assert req.params["text"] == ["Hello, world!"]
    assert req.params["target_lang"] == "DE" and req.params["source_lang"] == "EN"
    assert req.params["show_billed_characters"] is True


def test_translate_several_texts_with_options(server, translator):
    texts = ["One.", "Two words.", "  Three  "]
    results = translator.translate_text(
        texts, source_lang="en", target_lang="de", context="An article title",
        formality="prefer_more", preserve_formatting=True, model_type="quality_optimized")
    assert [r.text for r in results] == ["DE:One.", "DE:Two words.", "  DE:Three  "]
    assert server.texts_sent() == texts
    assert server.chars_billed() == sum(map(len, texts))
    (req,) = server.translate_requests()
    assert req.params["context"] == "An article title"
    assert req.params["formality"] == "prefer_more"
    assert req.params["preserve_formatting"] is True
    assert req.params["model_type"] == "quality_optimized"
    # target_lang upper-cased by the client
    assert req.params["target_lang"] == "DE"


def test_auto_detected_source_language(translator):
    assert translator.translate_text("Hi", target_lang="DE").detected_source_lang == "EN"


def test_formality_unsupported_for_target_is_400(translator):
    with pytest.raises(deepl.DeepLException, match="formality") as e:
        translator.translate_text("Hi", target_lang="EN-GB", formality="more")
    assert e.value.http_status_code == 400


def test_xml_tag_handling_keeps_tags(server, translator):
    src = ('<p class="lead">Read <x id="1"/> the <a href="/docs?a=1&amp;b=2">docs</a>'
           ' and run <code>make test</code>.</p>')
    result = translator.translate_text(
        src, source_lang="EN", target_lang="DE", tag_handling="xml",
        ignore_tags=["code"], non_splitting_tags="a,x", outline_detection=False)
    assert result.text == ('<p class="lead">DE:Read <x id="1"/> DE:the '
                           '<a href="/docs?a=1&amp;b=2">DE:docs</a> DE:and run '
                           '<code>make test</code>DE:.</p>')
    assert _tags(result.text) == _tags(src)
    assert xml_error(result.text) is None
    req = server.translate_requests()[0]
    assert req.params["tag_handling"] == "xml"
    assert req.params["ignore_tags"] == ["code"]
    assert req.params["non_splitting_tags"] == ["a", "x"]
    assert req.params["outline_detection"] is False


def test_malformed_xml_is_rejected_with_400(server, translator):
    with pytest.raises(deepl.DeepLException, match="Tag handling parsing failed") as e:
        translator.translate_text("<b>bold", target_lang="DE", tag_handling="xml")
    assert e.value.http_status_code == 400
    assert e.value.should_retry is False
    assert server.chars_billed() == 0
    # without tag handling the same text is plain text
    assert translator.translate_text("<b>bold", target_lang="DE").text == "DE:<b>bold"


def test_custom_translate_function(server, translator):
    seen = []

    def shout(text, params):
        seen.append((text, params["target_lang"], params["context"]))
        return text.upper()

    server.translate = shout
    results = translator.translate_text(["a", "b"], target_lang="DE", context="ctx")
    assert [r.text for r in results] == ["A", "B"]
    assert seen == [("a", "DE", "ctx"), ("b", "DE", "ctx")]


def test_crashing_translate_function_is_a_500(server, fast_deepl_client):
    def boom(text, params):
        raise ValueError("no")

    server.translate = boom
    t = deepl.Translator(server.auth_key, server_url=server.url)
    with pytest.raises(deepl.DeepLException, match="ValueError: no"):
        t.translate_text("x", target_lang="DE")
    assert "ValueError" in server.requests[0].error


# ----------------------------------------------------------------- parameter validation

@pytest.fixture
def client(server):
    c = deepl.DeepLClient(server.auth_key, server_url=server.url)
    yield c
    c.close()


@pytest.mark.skipif(not hasattr(deepl.DeepLClient, "create_style_rule"),
                    reason="style rules came in a later deepl client than the oldest supported")
def test_accepted_params_are_echoed(server, client):
    rule = client.create_style_rule("house style", "de")
    results = client.translate_text(
        ["One", "Two"], source_lang="en", target_lang="de", context="A heading",
        model_type=deepl.ModelType.PREFER_QUALITY_OPTIMIZED, formality="PREFER_LESS",
        custom_instructions=["Use short words", "x" * 300], style_rule=rule)
    assert [r.text for r in results] == ["DE:One", "DE:Two"]
    assert [r.model_type_used for r in results] == ["quality_optimized"] * 2
    req = server.translate_requests()[0]
    acc = req.accepted
    assert acc["source_lang"] == "EN" and acc["target_lang"] == "DE"
    assert acc["context"] == "A heading"
    assert acc["model_type"] == "prefer_quality_optimized"
    assert acc["formality"] == "prefer_less"
    assert acc["custom_instructions"] == ["Use short words", "x" * 300]
    assert acc["style_id"] == rule.style_id
    assert "text" not in acc
    # latency_optimized is reported as such; no model_type, no model_type_used
    r = client.translate_text("x", target_lang="EN-GB", model_type="latency_optimized")
    assert r.model_type_used == "latency_optimized"
    # DeepL serves instructions and style rules with quality-optimized models only
    for extra in ({"custom_instructions": ["Be brief"]}, {"style_rule": rule}):
        with pytest.raises(deepl.DeepLException, match="latency_optimized") as e:
            client.translate_text("x", target_lang="DE", model_type="latency_optimized", **extra)
        assert e.value.http_status_code == 400
    assert client.translate_text("x", target_lang="DE").model_type_used is None
    assert server.translate_requests()[-1].accepted == {
        "target_lang": "DE", "show_billed_characters": True}


def test_context_is_not_billed(server, client):
    results = client.translate_text(["One", "Three"], target_lang="DE", context="x" * 5000)
    assert [r.billed_characters for r in results] == [3, 5]
    assert server.chars_billed() == 8 and server.character_count == 8


def test_tags_are_not_billed_with_tag_handling(server, client):
    # DeepL: with tag_handling set, the characters of tags and their attributes are not
    # billed; an entity is the character it stands for. Without it, every character is.
    text = 'Read <a id="1">the paper</a> &amp; more<x id="2"/>.'
    marked = client.translate_text(text, target_lang="DE", tag_handling="xml")
    plain = client.translate_text(text, target_lang="DE")
    assert marked.billed_characters == len("Read the paper & more.")
    assert plain.billed_characters == len(text)
    assert server.chars_billed() == server.character_count == len("Read the paper & more.") + len(text)


def test_custom_instruction_languages(server, client):
    for target in ("DE", "EN-US", "ES", "FR", "IT", "JA", "KO", "ZH-HANS"):
        client.translate_text("x", target_lang=target, custom_instructions=["Be brief"])
    with pytest.raises(deepl.DeepLException, match="custom_instructions") as e:
        client.translate_text("x", target_lang="NL", custom_instructions=["Be brief"])
    assert e.value.http_status_code == 400
    assert server.translate_requests()[-1].accepted is None


@pytest.mark.parametrize("kwargs, match", [
    ({"extra_body_parameters": {"context": 5}}, "'context' must be a string"),
    ({"model_type": "fastest"}, "model_type"),
    ({"custom_instructions": [f"rule {i}" for i in range(11)]}, "at most 10"),
    ({"custom_instructions": ["x" * 301]}, "at most 300"),
    ({"custom_instructions": "Be brief"}, "list of strings"),
    ({"custom_instructions": ["ok", 3]}, "list of strings"),
    ({"formality": "very"}, "formality"),
    ({"target_lang": "EN-GB", "formality": "more"}, "formality"),
    ({"style_rule": ""}, "style_id"),
    ({"model_type": "latency_optimized", "custom_instructions": ["Be brief"]}, "latency_optimized"),
])
def test_invalid_params_are_400(server, client, kwargs, match):
    kwargs = {"target_lang": "DE", **kwargs}
    with pytest.raises(deepl.DeepLException, match=match) as e:
        client.translate_text("Hello", **kwargs)
    assert e.value.http_status_code == 400
    (req,) = server.requests  # not retried
    assert req.status == 400 and set(req.response) == {"message"}
    assert server.chars_billed() == 0


@pytest.mark.skipif(not hasattr(deepl.DeepLClient, "create_style_rule"),
                    reason="style rules came in a later deepl client than the oldest supported")
def test_style_rules(server, client):
    rule = client.create_style_rule(
        "docs", "en", configured_rules={"punctuation": {"quotation_mark": "use_guillemets"}},
        custom_instructions=[{"label": "tone", "prompt": "Be friendly"}])
    assert (rule.name, rule.language, rule.version) == ("docs", "en", 1)
    assert rule.custom_instructions[0].prompt == "Be friendly"
    assert rule.custom_instructions[0].id
    assert [r.style_id for r in client.get_all_style_rules()] == [rule.style_id]
    assert client.get_all_style_rules()[0].custom_instructions == []  # not detailed
    assert "custom_instructions" not in server.requests[-1].response["style_rules"][0]
    assert client.get_all_style_rules(detailed=True)[0].custom_instructions[0].label == "tone"
    renamed = client.update_style_rule_name(rule, "docs v2")
    assert (renamed.name, renamed.version) == ("docs v2", 2)
    assert client.get_style_rule(rule.style_id).name == "docs v2"
    # the style rule list's language must be the target language
    assert client.translate_text("x", target_lang="EN-US", style_rule=rule.style_id).text \
        == "EN:x"
    with pytest.raises(deepl.DeepLException, match="does not match") as e:
        client.translate_text("x", target_lang="DE", style_rule=rule.style_id)
    assert e.value.http_status_code == 400
    # an unknown id is a 404, as DeepL answers it
    client.delete_style_rule(rule)
    with pytest.raises(deepl.DeepLException, match="not found") as e:
        client.translate_text("x", target_lang="EN-US", style_rule=rule.style_id)
    assert e.value.http_status_code == 404
    with pytest.raises(deepl.DeepLException) as e:
        client.get_style_rule(rule.style_id)
    assert e.value.http_status_code == 404
    with pytest.raises(deepl.DeepLException) as e:
        client.create_style_rule("nl rules", "nl")
    assert e.value.http_status_code == 400


@pytest.mark.skipif(not hasattr(deepl.DeepLClient, "create_style_rule"),
                    reason="style rules came in a later deepl client than the oldest supported")
def test_style_rule_reaches_the_translate_function(server, client):
    rule = client.create_style_rule("de rules", "de")
    server.translate = lambda text, params: f"[{params['style_rule']['name']}] {text}"
    assert client.translate_text("x", target_lang="DE", style_rule=rule).text == \
        "[de rules] x"


def test_glossary_must_match_language_pair(server, translator):
    g = translator.create_glossary("terms", "EN", "DE", {"Hello": "Hallo"})
    with pytest.raises(deepl.DeepLException, match="does not match") as e:
        translator.translate_text("Hello", source_lang="EN", target_lang="FR",
                                  glossary=g.glossary_id)
    assert e.value.http_status_code == 400
    with pytest.raises(deepl.DeepLException, match="requires the 'source_lang'") as e:
        translator.translate_text("Hello", target_lang="DE",
                                  extra_body_parameters={"glossary_id": g.glossary_id})
    assert e.value.http_status_code == 400
    r = translator.translate_text("Hello", source_lang="EN", target_lang="DE", glossary=g)
    assert r.text == "DE:Hallo"
    assert server.translate_requests()[-1].accepted["glossary_id"] == g.glossary_id


# ----------------------------------------------------------------- limits

def test_more_than_50_texts_rejected(server, translator):
    with pytest.raises(deepl.DeepLException) as e:
        translator.translate_text([f"t{i}" for i in range(51)], target_lang="DE")
    assert e.value.http_status_code == 413
    assert len(server.translate_requests()) == 1  # not retried
    assert server.chars_billed() == 0
    assert len(translator.translate_text([f"t{i}" for i in range(50)], target_lang="DE")) == 50


def test_too_many_texts_status_is_configurable(server, translator):
    server.too_many_texts_status = 400
    with pytest.raises(deepl.DeepLException, match="Too many texts") as e:
        translator.translate_text(["a", "b", "c"] * 17, target_lang="DE")
    assert e.value.http_status_code == 400


def test_body_over_128_kib_is_413(server, translator):
    with pytest.raises(deepl.DeepLException) as e:
        translator.translate_text("x" * (128 * 1024), target_lang="DE")
    assert e.value.http_status_code == 413
    assert len(server.requests) == 1
    # the connection stays usable after the rejected upload
    assert translator.translate_text("y" * 1000, target_lang="DE").text.startswith("DE:y")


# ----------------------------------------------------------------- usage and quota

def test_usage_counts_billed_characters(server, translator):
    server.character_count = 100
    server.character_limit = 1000
    translator.translate_text(["abc", "de"], target_lang="DE")
    usage = translator.get_usage()
    assert (usage.character.count, usage.character.limit) == (105, 1000)
    assert not usage.any_limit_reached
    r = requests.post(server.url + "/v2/usage",
                      headers={"Authorization": f"DeepL-Auth-Key {server.auth_key}"})
    assert r.json() == {"character_count": 105, "character_limit": 1000}


def test_character_limit_gives_456(server, translator):
    server.character_limit = 10
    translator.translate_text("12345678", target_lang="DE")
    with pytest.raises(deepl.QuotaExceededException):
        translator.translate_text("123", target_lang="DE")
    assert translator.get_usage().character.count == 8
    assert len(server.translate_requests()) == 2  # 456 is not retried


def test_fail_after_simulates_quota_running_out(server, translator):
    server.fail_after(2)
    translator.translate_text("one", target_lang="DE")
    translator.translate_text("two", target_lang="DE")
    for _ in range(2):
        with pytest.raises(deepl.QuotaExceededException):
            translator.translate_text("three", target_lang="DE")
    server.fail_after(None)
    assert translator.translate_text("four", target_lang="DE").text == "DE:four"
    assert server.texts_sent(only_ok=True) == ["one", "two", "four"]


# ----------------------------------------------------------------- auth and faults

def test_wrong_key_is_403(server):
    t = deepl.Translator("wrong-key:fx", server_url=server.url)
    with pytest.raises(deepl.AuthorizationException):
        t.translate_text("Hello", target_lang="DE")
    with pytest.raises(deepl.AuthorizationException):
        t.get_usage()
    assert [r.status for r in server.requests] == [403, 403]
    assert server.requests[0].auth_key == "wrong-key:fx"
    r = requests.get(server.url + "/v2/usage")  # no header at all
    assert r.status_code == 403


def test_configurable_key(fast_deepl_client):
    with FakeDeepL(auth_key="another-key") as server:
        t = deepl.Translator("another-key", server_url=server.url)
        assert t.translate_text("x", target_lang="DE").text == "DE:x"


def test_injected_403(server, translator):
    server.fail_next(403)
    with pytest.raises(deepl.AuthorizationException):
        translator.translate_text("Hello", target_lang="DE")
    assert translator.translate_text("Hello", target_lang="DE").text == "DE:Hello"


def test_injected_456(server, translator):
    server.fail_next(456)
    with pytest.raises(deepl.QuotaExceededException):
        translator.translate_text("Hello", target_lang="DE")
    assert len(server.translate_requests()) == 1


def test_injected_400_not_retried(server, translator):
    server.fail_next(400, body={"message": "Value for 'target_lang' not supported."})
    with pytest.raises(deepl.DeepLException, match="target_lang") as e:
        translator.translate_text("Hello", target_lang="DE")
    assert e.value.http_status_code == 400
    assert len(server.requests) == 1


def test_429_then_success_is_retried(server, fast_deepl_client):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.fail_next(429, times=2, retry_after=1)
    start = time.monotonic()
    assert t.translate_text("Hello", target_lang="DE").text == "DE:Hello"
    assert time.monotonic() - start < 0.5
    assert [r.status for r in server.translate_requests()] == [429, 429, 200]
    assert server.texts_sent() == ["Hello"] * 3
    assert server.texts_sent(only_ok=True) == ["Hello"]
    assert server.chars_billed() == 5


def test_429_persisting_raises_after_the_retries(server, fast_deepl_client):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.fail_next(429, times=10)
    with pytest.raises(deepl.TooManyRequestsException):
        t.translate_text("Hello", target_lang="DE")
    assert len(server.requests) == fast_deepl_client.max_network_retries + 1


def test_retry_after_header_and_body(server):
    server.fail_next(429, retry_after=7, body={"message": "slow down"})
    r = requests.post(server.url + "/v2/translate",
                      headers={"Authorization": f"DeepL-Auth-Key {server.auth_key}"},
                      json={"text": ["x"], "target_lang": "DE"})
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "7"
    assert r.json() == {"message": "slow down"}


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_then_success(server, fast_deepl_client, status):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.fail_next(status)
    assert t.translate_text("Hello", target_lang="DE").text == "DE:Hello"
    assert [r.status for r in server.requests] == [status, 200]


def test_500_persisting(server, fast_deepl_client):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.fail_next(500, times=5)
    with pytest.raises(deepl.DeepLException) as e:
        t.translate_text("Hello", target_lang="DE")
    assert e.value.http_status_code == 500
    assert len(server.requests) == 3  # 1 + max_network_retries (2)


def test_fault_on_other_endpoint(server, translator):
    server.fail_next(456, endpoint="/v2/usage")
    assert translator.translate_text("a", target_lang="DE").text == "DE:a"
    with pytest.raises(deepl.QuotaExceededException):
        translator.get_usage()
    server.fail_next(403, endpoint="*")
    with pytest.raises(deepl.AuthorizationException):
        translator.get_source_languages()


def test_slow_reply_times_out(server, fast_deepl_client, monkeypatch):
    monkeypatch.setattr(fast_deepl_client, "max_network_retries", 0)
    monkeypatch.setattr(fast_deepl_client, "min_connection_timeout", 0.2)
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.delay = 0.6
    start = time.monotonic()
    with pytest.raises(deepl.ConnectionException, match="timed out"):
        t.translate_text("Hello", target_lang="DE")
    assert time.monotonic() - start < 0.5


def test_slow_reply_within_timeout(server, translator):
    server.delay = 0.1
    start = time.monotonic()
    assert translator.translate_text("Hello", target_lang="DE").text == "DE:Hello"
    assert time.monotonic() - start >= 0.1


def test_drip_outlasts_a_per_read_timeout(server, fast_deepl_client, monkeypatch):
    # requests' timeout is per read: a reply that trickles in never trips it
    monkeypatch.setattr(fast_deepl_client, "max_network_retries", 0)
    monkeypatch.setattr(fast_deepl_client, "min_connection_timeout", 0.1)
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.drip(0.002, times=1)
    start = time.monotonic()
    assert t.translate_text("Hi", target_lang="DE").text == "DE:Hi"
    took = time.monotonic() - start
    (req,) = server.translate_requests()
    body_len = len(json.dumps(req.response, ensure_ascii=False).encode())
    assert took >= (body_len - 1) * 0.002 > 0.1
    assert req.duration >= (body_len - 1) * 0.002
    # times=1: the next reply comes at once
    assert t.translate_text("Hi", target_lang="DE").text == "DE:Hi"
    assert server.translate_requests()[1].duration < 0.1


def test_drip_is_cut_short_by_stop(fast_deepl_client, monkeypatch):
    monkeypatch.setattr(fast_deepl_client, "max_network_retries", 0)
    server = FakeDeepL().start()
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.drip(0.1)  # ~10 s for the whole reply
    th, box = _in_thread(t.translate_text, "Hello", target_lang="DE")
    # a whole-request deadline is the caller's business: here, a join with a timeout
    th.join(timeout=0.6)
    assert th.is_alive()  # longer than the 0.5 s per-read timeout, and still reading
    assert server.in_flight == 1
    start = time.monotonic()
    server.stop()
    th.join(timeout=5)
    assert time.monotonic() - start < 0.5
    assert isinstance(box["error"], deepl.DeepLException)
    (req,) = server.translate_requests()
    assert req.status == 200 and req.finished is None and server.in_flight == 0


def test_drip_other_endpoint_and_off(server, translator):
    server.drip(0.001, endpoint="/v2/usage")
    assert translator.translate_text("a", target_lang="DE").text == "DE:a"
    assert translator.get_usage().character.count == 1
    usage_req = server.requests[-1]
    assert usage_req.duration >= 0.001 * (len(json.dumps(usage_req.response)) - 1)
    server.drip(None)
    translator.get_usage()
    assert server.requests[-1].duration < 0.05


def test_throttle_then_success(server, fast_deepl_client):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.throttle(2, retry_after=0)
    assert t.translate_text("Hello", target_lang="DE").text == "DE:Hello"
    reqs = server.translate_requests()
    assert [r.status for r in reqs] == [429, 429, 200]
    assert reqs[0].response == {"message": "Too many requests. Please wait and resend "
                                           "your request."}
    # one after the other: each retry starts after the previous reply
    for a, b in zip(reqs, reqs[1:]):
        assert a.started <= a.finished <= b.started <= b.finished
    assert server.max_in_flight == 1 and server.in_flight == 0
    assert server.chars_billed() == 5


def test_throttle_retry_after_header(server):
    server.throttle(1, retry_after=3)
    auth = {"Authorization": f"DeepL-Auth-Key {server.auth_key}"}
    r = requests.post(server.url + "/v2/translate", headers=auth,
                      json={"text": ["x"], "target_lang": "DE"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    server.throttle(1)
    r = requests.post(server.url + "/v2/translate", headers=auth,
                      json={"text": ["x"], "target_lang": "DE"})
    assert r.status_code == 429 and "Retry-After" not in r.headers
    # other endpoints are not throttled
    server.throttle(1)
    assert requests.get(server.url + "/v2/usage", headers=auth).status_code == 200


def test_throttle_persisting_raises(server, fast_deepl_client):
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.throttle(10)
    with pytest.raises(deepl.TooManyRequestsException):
        t.translate_text("Hello", target_lang="DE")
    assert len(server.translate_requests()) == fast_deepl_client.max_network_retries + 1


def _translate_in_threads(server, n_clients, limit=None):
    """n_clients threads, each with its own Translator, each translating one text; at
    most ``limit`` at a time when given (the concurrency limit under test)."""
    gate = threading.Semaphore(limit) if limit else None

    def work(i):
        t = deepl.Translator(server.auth_key, server_url=server.url)
        try:
            if gate is None:
                return t.translate_text(f"t{i}", target_lang="DE").text
            with gate:
                return t.translate_text(f"t{i}", target_lang="DE").text
        finally:
            t.close()

    return [_in_thread(work, i) for i in range(n_clients)]


def test_max_in_flight_without_a_limit(server):
    with server.hold():
        workers = _translate_in_threads(server, 4)
        server.wait_held(4)
        assert server.in_flight == 4
    for th, _box in workers:
        th.join(timeout=5)
    assert sorted(box["result"] for _th, box in workers) == [f"DE:t{i}" for i in range(4)]
    assert server.max_in_flight == 4 and server.in_flight == 0


def test_max_in_flight_shows_a_concurrency_limit(server):
    with server.hold():
        workers = _translate_in_threads(server, 6, limit=2)
        server.wait_held(2)  # the limit is reached; the other 4 wait in the client
        assert server.in_flight == 2
    for th, _box in workers:
        th.join(timeout=5)
    assert all("result" in box for _th, box in workers)
    assert server.max_in_flight == 2
    # the same from the recorded intervals: how many were open when each one started
    reqs = server.translate_requests()
    assert len(reqs) == 6
    assert max(sum(o.started <= r.started < o.finished for o in reqs) for r in reqs) == 2
    server.clear_requests()
    assert server.max_in_flight == 0


# ----------------------------------------------------------------- mangled replies

SRC = 'Press <x id="1"/> then <b>go</b> <x id="2"/>.'


@pytest.mark.parametrize("kind, expected", [
    ("drop_tag", 'DE:Press  DE:then <b>DE:go</b> <x id="2"/>DE:.'),
    ("duplicate_tag", 'DE:Press <x id="1"/><x id="1"/> DE:then <b>DE:go</b> <x id="2"/>DE:.'),
    ("expand_empty", 'DE:Press <x id="1"></x> DE:then <b>DE:go</b> <x id="2"></x>DE:.'),
    ("unclose", 'DE:Press <x id="1"/> DE:then <b>DE:go <x id="2"/>DE:.'),
    ("swap_tags", 'DE:Press <x id="2"/> DE:then <b>DE:go</b> <x id="1"/>DE:.'),
    ("strip_tags", "DE:Press  DE:then DE:go DE:."),
])
def test_mangled_replies(server, translator, kind, expected):
    server.mangle(kind, times=1)
    got = translator.translate_text(SRC, target_lang="DE", tag_handling="xml").text
    assert got == expected
    clean = translator.translate_text(SRC, target_lang="DE", tag_handling="xml").text
    assert _tags(clean) == _tags(SRC)


def test_mangle_with_function_until_cleared(server, translator):
    server.mangle(lambda text, params: text.replace("DE:", "??"))
    assert translator.translate_text("a", target_lang="DE").text == "??a"
    assert translator.translate_text("b", target_lang="DE").text == "??b"
    server.mangle(None)
    assert translator.translate_text("c", target_lang="DE").text == "DE:c"


def test_mangle_null_text(server, translator):
    server.mangle("null_text", times=1)
    results = translator.translate_text(["a", "b"], target_lang="DE")
    # the client passes the nulls on: that is what the caller has to cope with
    assert [r.text for r in results] == [None, None]
    (req,) = server.translate_requests()
    assert req.status == 200
    assert [t["text"] for t in req.response["translations"]] == [None, None]
    assert translator.translate_text("c", target_lang="DE").text == "DE:c"


def test_mangle_short(server, translator):
    server.mangle("short")
    results = translator.translate_text(["a", "b", "c"], target_lang="DE")
    assert [r.text for r in results] == ["DE:a", "DE:b"]
    # a single text gets an empty list, which deepl 1.32 does not check
    with pytest.raises(IndexError):
        translator.translate_text("d", target_lang="DE")
    assert [r.status for r in server.translate_requests()] == [200, 200]
    server.mangle(None)
    assert translator.translate_text("e", target_lang="DE").text == "DE:e"


def test_mangle_not_json(server, translator):
    server.mangle("not_json", times=2)
    assert translator.translate_text(["a", "b"], target_lang="DE") == []
    with pytest.raises(IndexError):
        translator.translate_text("c", target_lang="DE")
    req = server.translate_requests()[0]
    assert req.status == 200 and isinstance(req.response, str)
    with pytest.raises(ValueError):
        json.loads(req.response)
    r = requests.post(server.url + "/v2/translate",
                      headers={"Authorization": f"DeepL-Auth-Key {server.auth_key}"},
                      json={"text": ["x"], "target_lang": "DE"})
    assert r.status_code == 200 and r.json()["translations"][0]["text"] == "DE:x"
    server.mangle("not_json", times=1)
    r = requests.post(server.url + "/v2/translate",
                      headers={"Authorization": f"DeepL-Auth-Key {server.auth_key}"},
                      json={"text": ["x"], "target_lang": "DE"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        r.json()


def test_mangle_unknown_name(server):
    with pytest.raises(ValueError, match="unknown mangler"):
        server.mangle("nonsense")


# ----------------------------------------------------------------- glossaries, languages

def test_glossaries_v2(server, translator):
    g = translator.create_glossary("site terms", "EN", "DE",
                                   {"pull request": "Pull-Request", "Hello": "Hallo"})
    assert (g.name, g.source_lang, g.target_lang, g.entry_count, g.ready) == \
        ("site terms", "EN", "DE", 2, True)
    assert [x.glossary_id for x in translator.list_glossaries()] == [g.glossary_id]
    assert translator.get_glossary(g.glossary_id).name == "site terms"
    assert translator.get_glossary_entries(g) == {"pull request": "Pull-Request",
                                                  "Hello": "Hallo"}
    r = translator.translate_text("Hello, open a pull request.", source_lang="EN",
                                  target_lang="DE", glossary=g)
    assert r.text == "DE:Hallo, open a Pull-Request."
    assert server.translate_requests()[0].params["glossary_id"] == g.glossary_id

    csv_g = translator.create_glossary_from_csv("csv", "EN", "DE", 'car,Auto\n"a, b",c\n')
    assert translator.get_glossary_entries(csv_g) == {"car": "Auto", "a, b": "c"}

    translator.delete_glossary(g)
    assert [x.glossary_id for x in translator.list_glossaries()] == [csv_g.glossary_id]
    with pytest.raises(deepl.GlossaryNotFoundException):
        translator.get_glossary(g.glossary_id)
    with pytest.raises(deepl.DeepLException, match="Invalid glossary_id"):
        translator.translate_text("x", source_lang="EN", target_lang="DE",
                                  glossary=g.glossary_id)


def test_glossary_bad_language_pair(translator):
    with pytest.raises(deepl.DeepLException) as e:
        translator.create_glossary("x", "EN", "XX", {"a": "b"})
    assert e.value.http_status_code == 400


def test_multilingual_glossaries_v3(server):
    client = deepl.DeepLClient(server.auth_key, server_url=server.url)
    g = client.create_multilingual_glossary("multi", [
        MultilingualGlossaryDictionaryEntries("EN", "DE", {"Hello": "Hallo"}),
        MultilingualGlossaryDictionaryEntries("DE", "EN", {"Hallo": "Hello"}),
    ])
    assert sorted((d.source_lang, d.target_lang, d.entry_count) for d in g.dictionaries) == \
        [("DE", "EN", 1), ("EN", "DE", 1)]
    assert [x.glossary_id for x in client.list_multilingual_glossaries()] == [g.glossary_id]
    # v2 lists only single-pair glossaries
    assert client.list_glossaries() == []
    entries = client.get_multilingual_glossary_entries(g, "EN", "DE")
    assert entries.dictionaries[0].entries == "Hello\tHallo"
    assert client.translate_text("Hello you", source_lang="EN", target_lang="DE",
                                 glossary=g).text == "DE:Hallo you"
    client.delete_multilingual_glossary(g)
    assert client.list_multilingual_glossaries() == []
    client.close()


def _entries(client, g, src, tgt):
    (d,) = client.get_multilingual_glossary_entries(g, src, tgt).dictionaries
    return d.entries


def _pairs(info):
    return sorted((d.source_lang, d.target_lang, d.entry_count) for d in info.dictionaries)


def test_v3_glossary_editing(server, client):
    g = client.create_multilingual_glossary("site", [
        MultilingualGlossaryDictionaryEntries("EN", "DE", {"Hello": "Hallo", "car": "Auto"}),
    ])
    # PATCH: rename
    renamed = client.update_multilingual_glossary_name(g, "site terms")
    assert renamed.name == "site terms" and renamed.glossary_id == g.glossary_id
    assert client.get_multilingual_glossary(g.glossary_id).name == "site terms"
    req = server.requests[-2]
    assert (req.method, req.path, req.params) == (
        "PATCH", f"/v3/glossaries/{g.glossary_id}", {"name": "site terms"})

    # PATCH: merge a dictionary (a term changes, one is added) and add a new pair
    update = MultilingualGlossaryDictionaryEntries("EN", "DE", {"Hello": "Servus",
                                                                "bye": "tschüss"})
    merged = client.update_multilingual_glossary_dictionary(g, update)
    assert _pairs(merged) == [("EN", "DE", 3)] and merged.name == "site terms"
    assert _entries(client, g, "EN", "DE") == "Hello\tServus\ncar\tAuto\nbye\ttschüss"
    added = client.update_multilingual_glossary_dictionary(
        g.glossary_id, MultilingualGlossaryDictionaryEntries("EN", "FR", {"car": "voiture"}))
    assert _pairs(added) == [("EN", "DE", 3), ("EN", "FR", 1)]
    assert client.translate_text("Hello car", source_lang="EN", target_lang="DE",
                                 glossary=g.glossary_id).text == "DE:Servus Auto"

    # PUT: replace one dictionary outright
    info = client.replace_multilingual_glossary_dictionary(
        g, MultilingualGlossaryDictionaryEntries("EN", "DE", {"car": "Wagen"}))
    assert (info.source_lang, info.target_lang, info.entry_count) == ("EN", "DE", 1)
    assert server.requests[-1].method == "PUT"
    assert _entries(client, g, "EN", "DE") == "car\tWagen"
    assert client.translate_text("Hello car", source_lang="EN", target_lang="DE",
                                 glossary=g.glossary_id).text == "DE:Hello Wagen"
    # PUT creates a missing pair too
    client.replace_multilingual_glossary_dictionary(
        g, MultilingualGlossaryDictionaryEntries("DE", "EN", {"Wagen": "car"}))

    # DELETE one dictionary
    client.delete_multilingual_glossary_dictionary(g, source_lang="EN", target_lang="FR")
    req = server.requests[-1]
    assert (req.method, req.status, req.query) == (
        "DELETE", 204, {"source_lang": ["EN"], "target_lang": ["FR"]})
    assert _pairs(client.get_multilingual_glossary(g.glossary_id)) == [
        ("DE", "EN", 1), ("EN", "DE", 1)]
    with pytest.raises(deepl.DeepLException, match="does not match") as e:
        client.translate_text("car", source_lang="EN", target_lang="FR",
                              glossary=g.glossary_id)
    assert e.value.http_status_code == 400
    with pytest.raises(deepl.GlossaryNotFoundException):  # already gone
        client.delete_multilingual_glossary_dictionary(g, source_lang="EN", target_lang="FR")
    # the server's store shows the edits
    assert server.glossaries[g.glossary_id]["dictionaries"] == {
        ("en", "de"): {"car": "Wagen"}, ("de", "en"): {"Wagen": "car"}}


def test_v3_glossary_editing_errors(server, client):
    g = client.create_multilingual_glossary("g", [
        MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"})])
    unknown = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.update_multilingual_glossary_name(unknown, "x")
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.replace_multilingual_glossary_dictionary(
            unknown, MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"}))
    with pytest.raises(deepl.DeepLException, match="language pair") as e:
        client.update_multilingual_glossary_dictionary(
            g, MultilingualGlossaryDictionaryEntries("EN", "XX", {"a": "b"}))
    assert e.value.http_status_code == 400
    with pytest.raises(deepl.DeepLException, match="language pair") as e:
        client.replace_multilingual_glossary_dictionary(
            g, MultilingualGlossaryDictionaryEntries("EN", "EN", {"a": "b"}))
    assert e.value.http_status_code == 400
    auth = {"Authorization": f"DeepL-Auth-Key {server.auth_key}"}
    url = f"{server.url}/v3/glossaries/{g.glossary_id}"
    r = requests.patch(url, headers=auth, json={})
    assert r.status_code == 400 and "name" in r.json()["message"]
    r = requests.delete(url + "/dictionaries?source_lang=EN", headers=auth)
    assert r.status_code == 400 and "target_lang" in r.json()["message"]
    # v2 glossaries cannot be edited
    v2 = client.create_glossary("v2", "EN", "DE", {"a": "b"})
    r = requests.patch(f"{server.url}/v2/glossaries/{v2.glossary_id}", headers=auth,
                       json={"name": "x"})
    assert r.status_code == 405
    # nothing changed
    assert client.get_multilingual_glossary(g.glossary_id).name == "g"
    assert _entries(client, g, "EN", "DE") == "a\tb"


def test_languages(server, translator):
    targets = {lang.code: lang for lang in translator.get_target_languages()}
    assert targets["DE"].supports_formality is True
    assert targets["EN-US"].supports_formality is False
    sources = [lang.code for lang in translator.get_source_languages()]
    assert "EN" in sources and "EN-US" not in sources
    # the client asks for target languages with a form body on a GET
    req = server.requests[0]
    assert (req.method, req.body_format, req.params) == ("GET", "form", {"type": "target"})
    pairs = {(p.source_lang, p.target_lang) for p in translator.get_glossary_languages()}
    assert ("en", "de") in pairs


# ----------------------------------------------------------------- other clients, lifecycle

def test_form_encoded_request(server):
    r = requests.post(server.url + "/v2/translate",
                      headers={"Authorization": f"DeepL-Auth-Key {server.auth_key}"},
                      data=[("text", "one"), ("text", "<b>two</b>"), ("target_lang", "de"),
                            ("tag_handling", "xml"), ("ignore_tags", "code,pre")])
    assert r.status_code == 200
    assert [t["text"] for t in r.json()["translations"]] == ["DE:one", "<b>DE:two</b>"]
    assert "billed_characters" not in r.json()["translations"][0]  # not asked for
    req = server.requests[0]
    assert req.body_format == "form"
    assert req.texts == ["one", "<b>two</b>"]
    assert req.params["ignore_tags"] == ["code", "pre"]


def test_concurrent_clients(server):
    def work(i):
        t = deepl.Translator(server.auth_key, server_url=server.url)
        try:
            return [r.text for r in t.translate_text([f"a{i}", f"b{i}"], target_lang="DE")]
        finally:
            t.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(16)))
    assert results == [[f"DE:a{i}", f"DE:b{i}"] for i in range(16)]
    assert len(server.translate_requests(only_ok=True)) == 16
    assert server.chars_billed() == server.character_count == sum(
        len(f"a{i}") * 2 for i in range(16))


def test_unknown_path_and_missing_params(server):
    auth = {"Authorization": f"DeepL-Auth-Key {server.auth_key}"}
    assert requests.get(server.url + "/v2/nothing", headers=auth).status_code == 404
    r = requests.post(server.url + "/v2/translate", headers=auth, json={"target_lang": "DE"})
    assert r.status_code == 400 and "text" in r.json()["message"]
    r = requests.post(server.url + "/v2/translate", headers=auth, json={"text": ["a"]})
    assert r.status_code == 400 and "target_lang" in r.json()["message"]
    assert requests.get(server.url + "/v2/translate", headers=auth).status_code == 405


def test_stop_is_clean_and_idempotent(monkeypatch):
    import deepl.http_client as hc

    monkeypatch.setattr(hc, "max_network_retries", 0)
    server = FakeDeepL().start()
    port = server.port
    assert server.url == f"http://127.0.0.1:{port}"
    server.delay = 5  # a request stuck in the delay must not hold up stop()
    t = deepl.Translator(server.auth_key, server_url=server.url)
    errors = []
    th = threading.Thread(target=lambda: _swallow(errors, t.get_usage), daemon=True)
    th.start()
    time.sleep(0.1)
    start = time.monotonic()
    server.stop()
    server.stop()
    assert time.monotonic() - start < 0.5
    th.join(timeout=2)
    assert not th.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], deepl.DeepLException)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    with pytest.raises(RuntimeError):
        server.url


def _swallow(errors, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        errors.append(e)


# ----------------------------------------------------------------- holding requests

def _in_thread(fn, *args, **kwargs):
    """Run ``fn`` in a daemon thread; returns (thread, box) where box gets 'result' or
    'error'."""
    box = {}

    def run():
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001
            box["error"] = e

    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th, box


def test_hold_blocks_translate_until_release(server, translator, tmp_path):
    with server.hold():
        th, box = _in_thread(translator.translate_text, "Hello", target_lang="DE")
        (held,) = server.wait_held(1, timeout=5)
        # the client is waiting on DeepL: the test can act meanwhile
        (tmp_path / "saved.txt").write_text("saved while the client waits")
        assert held.texts == ["Hello"] and held.finished is None
        assert server.held == 1 and server.in_flight == 1
        assert th.is_alive() and box == {}
        assert server.translate_requests() == []  # logged once answered
        # other endpoints are not held
        assert translator.get_usage().character.count == 0
    th.join(timeout=5)
    assert box["result"].text == "DE:Hello"
    assert server.held == 0 and server.in_flight == 0
    (req,) = server.translate_requests()
    assert req is held and req.status == 200 and req.finished >= req.started


def test_hold_times_and_partial_release(server, translator):
    server.hold_translate(times=2)
    a, box_a = _in_thread(translator.translate_text, "a", target_lang="DE")
    server.wait_held(1)
    b, box_b = _in_thread(translator.translate_text, "b", target_lang="DE")
    assert [r.texts for r in server.wait_held(2)] == [["a"], ["b"]]
    # only the next 2 were held: a third request goes straight through
    assert translator.translate_text("c", target_lang="DE").text == "DE:c"
    assert server.release(1) == 1  # the oldest first
    a.join(timeout=5)
    assert box_a["result"].text == "DE:a" and b.is_alive()
    assert server.release() == 1
    b.join(timeout=5)
    assert box_b["result"].text == "DE:b"
    assert server.texts_sent() == ["c", "a", "b"]


def test_wait_held_times_out(server):
    server.hold_translate()
    with pytest.raises(TimeoutError, match="0 translate request"):
        server.wait_held(1, timeout=0.05)
    assert server.release() == 0


def test_stop_hangs_up_on_held_requests(fast_deepl_client, monkeypatch):
    monkeypatch.setattr(fast_deepl_client, "max_network_retries", 0)
    server = FakeDeepL().start()
    t = deepl.Translator(server.auth_key, server_url=server.url)
    server.hold_translate()
    th, box = _in_thread(t.translate_text, "x", target_lang="DE")
    server.wait_held(1)
    start = time.monotonic()
    server.stop()
    th.join(timeout=5)
    assert time.monotonic() - start < 1
    assert isinstance(box["error"], deepl.DeepLException)
    assert server.in_flight == 0


# ----------------------------------------------------------------- pure helpers

def test_default_translate_and_helpers():
    params = {"target_lang": "DE", "tag_handling": "xml", "ignore_tags": ["code"]}
    src = "<t>  <a>one</a>\n<code>x</code><!-- c --> two </t>"
    out = default_translate(src, params)
    assert out == "<t>  <a>DE:one</a>\n<code>x</code><!-- c --> DE:two </t>"
    ET.fromstring(out)
    assert default_translate("x", {"target_lang": "FR"}) == "FR:x"
    assert default_translate("   ", {"target_lang": "DE"}) == "   "
    assert map_text_nodes("<br>a<img src=x>b</p>", str.upper, tag_handling="html") == \
        "<br>A<img src=x>B</p>"
    assert xml_error("<a>b</a><c/>") is None
    assert xml_error("<a>b") is not None
    assert set(MANGLERS) >= {"drop_tag", "duplicate_tag", "expand_empty"}
