"""A DeepL-API-compatible HTTP server for tests (standard library only).

``FakeDeepL`` listens on 127.0.0.1 on an ephemeral port and answers the part of the
DeepL API that the official ``deepl`` Python client uses for text translation::

    with FakeDeepL() as server:
        translator = deepl.Translator(server.auth_key, server_url=server.url)
        translator.translate_text("Hello", source_lang="EN", target_lang="DE").text
        # -> "DE:Hello"

How the client talks to it (deepl 1.32, read from ``deepl/translator.py`` and
``deepl/http_client.py``): every call goes through ``requests`` with the header
``Authorization: DeepL-Auth-Key KEY`` and ``User-Agent: deepl-python/1.32.0 (...)``.
Since 1.16 the bodies are JSON (``POST /v2/translate`` sends
``{"text": [...], "target_lang": "DE", "show_billed_characters": true, ...}``; glossary
creation too); ``get_target_languages`` sends ``GET /v2/languages`` with a *form body*
``type=target``.  This server reads the query string and either kind of body for every
method, so older form-encoding clients and hand-written ``requests`` calls work too.

Endpoints: ``POST /v2/translate``; ``GET|POST /v2/usage``; ``GET|POST /v2/languages``
(``type=source|target``); ``GET /v2/glossary-language-pairs``; the v2 glossary endpoints
(``POST|GET /v2/glossaries``, ``GET|DELETE /v2/glossaries/{id}``,
``GET /v2/glossaries/{id}/entries``) used by ``Translator.create_glossary`` and friends;
and the v3 multilingual ones used by ``DeepLClient.create_multilingual_glossary``
(``POST|GET /v3/glossaries``, ``GET|DELETE /v3/glossaries/{id}``,
``GET /v3/glossaries/{id}/entries?source_lang=..&target_lang=..``), with v3 editing:
``PATCH /v3/glossaries/{id}`` (a new ``name``, and/or ``dictionaries`` merged into the
existing ones: ``update_multilingual_glossary_name`` / ``_dictionary``),
``PUT /v3/glossaries/{id}/dictionaries`` (replace or add one dictionary:
``replace_multilingual_glossary_dictionary``) and ``DELETE
/v3/glossaries/{id}/dictionaries?source_lang=..&target_lang=..``
(``delete_multilingual_glossary_dictionary``).  Both versions share one store,
``glossaries``; v2 glossaries are not editable (405).
Style rule lists: ``POST|GET /v3/style_rules`` and ``GET|PATCH|DELETE
/v3/style_rules/{style_id}`` (``DeepLClient.create_style_rule`` and friends), kept in
``style_rules``.

/v2/translate checks its parameters as DeepL does and answers 400 with DeepL's JSON
``{"message": ...}`` when one is wrong: ``target_lang`` / ``source_lang`` known;
``formality`` one of default/more/less/prefer_more/prefer_less, more/less only for
targets that have formality; ``context`` a string; ``model_type`` one of
``quality_optimized``, ``prefer_quality_optimized``, ``latency_optimized`` (the reply then
has ``model_type_used``); ``custom_instructions`` a list of at most 10 strings of at most
300 characters, only for targets DE, EN, ES, FR, IT, JA, KO, ZH and their variants;
``style_id`` a string naming a style rule list whose language is the target's (an
unknown id is 404 ``Style Rules ... not found``, as DeepL answers it); neither
``custom_instructions`` nor ``style_id`` with ``model_type: latency_optimized`` (DeepL
serves them with quality-optimized models only); ``context`` is not billed; ``glossary_id``
needs ``source_lang`` and a dictionary for the language pair.  The options of a request
that passed are in ``RecordedRequest.accepted``; the translate function sees the style
rule list as ``params["style_rule"]``.

Test controls (all thread-safe): ``translate`` (the translator function),
``fail_next``, ``fail_after``, ``delay``, ``mangle``, ``character_count`` /
``character_limit``, and the request log ``requests`` with ``translate_requests()``,
``texts_sent()`` and ``chars_billed()``.  See :class:`FakeDeepL`.  Besides:

* Spoilt 200 replies: ``mangle("null_text")`` (every ``"text"`` is null),
  ``mangle("short")`` (fewer translations than texts sent), ``mangle("not_json")``
  (a body that is not JSON), besides the per-text manglers of :data:`MANGLERS`.
* ``drip(seconds_per_byte, times=None, endpoint="/v2/translate")``: reply bodies go
  out one byte at a time with a wait between bytes (a slow-loris server: a per-read
  timeout never fires, only a deadline on the whole request does); the wait ends at
  once when the server stops.  ``drip(None)`` turns it off.
* ``throttle(n, retry_after=None)``: the next ``n`` translate requests get 429 Too
  Many Requests, with a ``Retry-After`` header when given.
* Holding requests, so that a test can act while the client waits on DeepL::

      with server.hold():                  # or hold_translate(times=None) ... release()
          start_the_client_in_a_thread()
          server.wait_held(1, timeout=5)   # -> records of the held requests
          save_a_file()
      # leaving the block releases them; they are then answered as usual

  ``hold_translate(times=None)`` holds the next ``times`` /v2/translate requests (all
  of them until ``release()`` when None) inside the server, before the auth check,
  faults and translation; ``release(n=None)`` lets the ``n`` oldest go (all, and stop
  holding, when None); ``wait_held(n=1, timeout=5.0)`` blocks until ``n`` are held
  (``TimeoutError`` otherwise); ``held`` / ``held_requests()``.  ``stop()`` hangs up
  on held requests.
* Timing: every ``RecordedRequest`` has ``started`` and ``finished``
  (``time.monotonic()``; ``finished`` is set just before the reply's last byte is
  written, None if the server hung up); ``in_flight`` is the number of translate
  requests being served now (held ones included) and ``max_in_flight`` the most at
  one time since the start or the last ``clear_requests()``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import html
import http.server
import io
import itertools
import json
import re
import socket
import threading
import time
import traceback
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

__all__ = [
    "FakeDeepL",
    "RecordedRequest",
    "default_translate",
    "prefix_translate",
    "MANGLERS",
    "REPLY_MANGLERS",
    "fake_deepl",
    "fast_deepl_client",
]

TranslateFn = Callable[[str, Dict[str, Any]], str]
MangleFn = Callable[[str, Dict[str, Any]], str]

#: Limits of the real API: texts per /v2/translate request and request body size.
MAX_TEXTS = 50
MAX_BODY_BYTES = 128 * 1024
#: 456 is DeepL's own "quota exceeded" status.
HTTP_QUOTA_EXCEEDED = 456

DEFAULT_MESSAGES = {
    400: "Bad request",
    403: "Invalid authentication key",
    404: "Not found",
    405: "Method not allowed",
    413: "Request Entity Too Large",
    429: "Too many requests. Please wait and resend your request.",
    456: "Quota Exceeded",
    500: "Internal server error",
    503: "Temporary Error",
}

_SOURCE_LANGS = [
    ("AR", "Arabic"), ("BG", "Bulgarian"), ("CS", "Czech"), ("DA", "Danish"),
    ("DE", "German"), ("EL", "Greek"), ("EN", "English"), ("ES", "Spanish"),
    ("ET", "Estonian"), ("FI", "Finnish"), ("FR", "French"), ("HU", "Hungarian"),
    ("ID", "Indonesian"), ("IT", "Italian"), ("JA", "Japanese"), ("KO", "Korean"),
    ("LT", "Lithuanian"), ("LV", "Latvian"), ("NB", "Norwegian"), ("NL", "Dutch"),
    ("PL", "Polish"), ("PT", "Portuguese"), ("RO", "Romanian"), ("RU", "Russian"),
    ("SK", "Slovak"), ("SL", "Slovenian"), ("SV", "Swedish"), ("TR", "Turkish"),
    ("UK", "Ukrainian"), ("ZH", "Chinese"),
]
_FORMALITY_TARGETS = {"DE", "ES", "FR", "IT", "JA", "NL", "PL", "PT-BR", "PT-PT", "RU"}
_TARGET_LANGS = (
    [(code, name) for code, name in _SOURCE_LANGS if code not in ("EN", "PT", "ZH")]
    + [
        ("EN-GB", "English (British)"), ("EN-US", "English (American)"),
        ("PT-BR", "Portuguese (Brazilian)"), ("PT-PT", "Portuguese (European)"),
        ("ZH-HANS", "Chinese (simplified)"), ("ZH-HANT", "Chinese (traditional)"),
    ]
)
# Accepted although not listed (deprecated variants-less codes the API still takes).
_EXTRA_TARGETS = {"EN", "PT", "ZH"}
#: Target languages (and their variants) that take ``custom_instructions`` and style rule
#: lists, as the DeepL API reference for /v2/translate and /v3/style_rules lists them.
_STYLE_LANGS = {"DE", "EN", "ES", "FR", "IT", "JA", "KO", "ZH"}
_MODEL_TYPES = ("quality_optimized", "prefer_quality_optimized", "latency_optimized")
MAX_CUSTOM_INSTRUCTIONS = 10
MAX_CUSTOM_INSTRUCTION_CHARS = 300
_GLOSSARY_LANGS = ["da", "de", "en", "es", "fr", "it", "ja", "ko", "nb", "nl", "pl",
                   "pt", "ru", "sv", "zh"]

_LIST_FIELDS = {"text", "glossary_ids", "custom_instructions"}
_TAG_FIELDS = {"non_splitting_tags", "splitting_tags", "ignore_tags"}


def _base_lang(code: Optional[str]) -> Optional[str]:
    return None if code is None else str(code).split("-")[0].upper()


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def tag_list(value: Union[None, str, Iterable[str]]) -> List[str]:
    """``ignore_tags`` etc. as a list: JSON sends a list, forms a comma-joined string."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [t.strip() for item in value for t in str(item).split(",") if t.strip()]


# --------------------------------------------------------------------------- markup

_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>|<[^>]*>", re.S)
_TAG_NAME = re.compile(r"<\s*/?\s*([^\s/>]+)")
_HTML_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
              "param", "source", "track", "wbr"}


def _tag_kind(token: str) -> str:
    """'open', 'close', 'empty' (self-closing) or 'other' (comment, CDATA, PI, doctype)."""
    if token.startswith(("<!", "<?")):
        return "other"
    if re.match(r"<\s*/", token):
        return "close"
    if token.rstrip().endswith("/>"):
        return "empty"
    return "open"


def _tag_name(token: str) -> str:
    m = _TAG_NAME.match(token)
    return m.group(1) if m else ""


def split_markup(text: str) -> List[Tuple[bool, str]]:
    """Split into ``(is_markup, chunk)`` pieces; joining the chunks gives ``text`` back."""
    out: List[Tuple[bool, str]] = []
    pos = 0
    for m in _MARKUP.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos:m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def map_text_nodes(text: str, fn: Callable[[str], str], *, tag_handling: Optional[str],
                   ignore_tags: Iterable[str] = ()) -> str:
    """Apply ``fn`` to each text node, leaving every tag byte-for-byte as it was.

    Without ``tag_handling`` the whole text is one node.  Text inside an element named in
    ``ignore_tags`` (and inside ``<script>``/``<style>`` for HTML) is left alone.
    """
    if tag_handling not in ("xml", "html"):
        return fn(text)
    ignored = set(ignore_tags)
    if tag_handling == "html":
        ignored |= {"script", "style"}
    stack: List[str] = []
    out: List[str] = []
    for is_markup, chunk in split_markup(text):
        if not is_markup:
            out.append(chunk if any(n in ignored for n in stack) else fn(chunk))
            continue
        out.append(chunk)
        kind, name = _tag_kind(chunk), _tag_name(chunk)
        if tag_handling == "html":
            name = name.lower()
        if kind == "open" and not (tag_handling == "html" and name in _HTML_VOID):
            stack.append(name)
        elif kind == "close" and name in stack:
            while stack and stack.pop() != name:
                pass
    return "".join(out)


def billed_characters(text: str, tag_handling: Optional[str]) -> int:
    """Characters DeepL bills for one text: code points of the source text; with
    ``tag_handling`` set, the tags (with their attributes) are not counted, and an entity is
    the one character it stands for."""
    if tag_handling not in ("xml", "html"):
        return len(text)
    return sum(len(html.unescape(chunk)) for is_markup, chunk in split_markup(text) if not is_markup)


def xml_error(text: str) -> Optional[str]:
    """None when ``text`` is a well-formed XML fragment (several roots allowed)."""
    try:
        ET.fromstring(f"<deepl-fake-root>{text}</deepl-fake-root>")
    except ET.ParseError as e:
        return str(e)
    return None


# --------------------------------------------------------------------------- translators

def _apply_glossary(text: str, entries: Optional[Dict[str, str]]) -> str:
    if not entries:
        return text
    for source in sorted(entries, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(source)}(?!\w)", lambda _m, t=entries[source]: t,
                      text)
    return text


def prefix_translate(prefix: Optional[str] = None) -> TranslateFn:
    """A translator that marks each non-blank text node with ``prefix``.

    The default prefix is the target language's base code and a colon ("DE:"); it goes
    after the node's leading whitespace.  Glossary entries (``params["glossary_entries"]``)
    replace whole-word source terms first.  Tags, attributes, comments and whitespace-only
    nodes are unchanged, so well-formed XML stays well-formed.
    """

    def translate(text: str, params: Dict[str, Any]) -> str:
        mark = prefix if prefix is not None else f"{_base_lang(params.get('target_lang')) or 'XX'}:"
        entries = params.get("glossary_entries")

        def node(chunk: str) -> str:
            if not chunk.strip():
                return chunk
            stripped = chunk.lstrip()
            lead = chunk[: len(chunk) - len(stripped)]
            return lead + mark + _apply_glossary(stripped, entries)

        return map_text_nodes(text, node, tag_handling=params.get("tag_handling"),
                              ignore_tags=tag_list(params.get("ignore_tags")))

    return translate


#: ``"Hello <b>world</b>"`` -> ``"DE:Hello <b>DE:world</b>"`` (for target DE).
default_translate: TranslateFn = prefix_translate()


# --------------------------------------------------------------------------- manglers

def _first_tag(text: str, prefer_empty: bool = True) -> Optional[re.Match]:
    tags = [m for m in _MARKUP.finditer(text) if _tag_kind(m.group(0)) != "other"]
    if prefer_empty:
        empties = [m for m in tags if _tag_kind(m.group(0)) == "empty"]
        if empties:
            return empties[0]
    return tags[0] if tags else None


def _drop_tag(text: str, params: Dict[str, Any]) -> str:
    m = _first_tag(text)
    return text if m is None else text[:m.start()] + text[m.end():]


def _duplicate_tag(text: str, params: Dict[str, Any]) -> str:
    m = _first_tag(text)
    return text if m is None else text[:m.end()] + m.group(0) + text[m.end():]


def _expand_empty(text: str, params: Dict[str, Any]) -> str:
    def expand(m: re.Match) -> str:
        tok = m.group(0)
        if _tag_kind(tok) != "empty":
            return tok
        return re.sub(r"\s*/>$", ">", tok) + f"</{_tag_name(tok)}>"

    return _MARKUP.sub(expand, text)


def _unclose(text: str, params: Dict[str, Any]) -> str:
    for m in _MARKUP.finditer(text):
        if _tag_kind(m.group(0)) == "close":
            return text[:m.start()] + text[m.end():]
    return text


def _swap_tags(text: str, params: Dict[str, Any]) -> str:
    empties = [m for m in _MARKUP.finditer(text) if _tag_kind(m.group(0)) == "empty"]
    if len(empties) < 2:
        return text
    a, b = empties[0], empties[1]
    return text[:a.start()] + b.group(0) + text[a.end():b.start()] + a.group(0) + text[b.end():]


def _strip_tags(text: str, params: Dict[str, Any]) -> str:
    return "".join(c for is_markup, c in split_markup(text)
                   if not is_markup or _tag_kind(c) == "other")


#: Named reply manglers for :meth:`FakeDeepL.mangle`.  Each takes the translated text.
MANGLERS: Dict[str, MangleFn] = {
    # remove the first self-closing tag (else the first tag of any kind)
    "drop_tag": _drop_tag,
    # repeat the first self-closing tag (else the first tag) right after itself
    "duplicate_tag": _duplicate_tag,
    # re-serialise every <x id="1"/> as <x id="1"></x>
    "expand_empty": _expand_empty,
    # remove the first closing tag (the reply is no longer well-formed)
    "unclose": _unclose,
    # swap the first two self-closing tags
    "swap_tags": _swap_tags,
    # remove every tag
    "strip_tags": _strip_tags,
}


#: Names for :meth:`FakeDeepL.mangle` that spoil a translate reply as a whole (status
#: 200 all the same): every ``"text"`` null; one translation fewer than texts sent; a
#: body that is not JSON.
REPLY_MANGLERS = ("null_text", "short", "not_json")


# --------------------------------------------------------------------------- records

@dataclass
class RecordedRequest:
    """One request as the server saw it.

    ``headers`` has the Authorization value redacted; the key itself is in ``auth_key``.
    ``params`` merges the query string and the body (JSON object or form); form fields
    ``text``/``glossary_ids``/``custom_instructions`` and the ``*_tags`` fields are lists,
    other form fields single strings, JSON values are kept as sent.
    """

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    auth_key: Optional[str]
    body: bytes
    body_format: Optional[str]  # "json", "form" or None (no/other body)
    params: Dict[str, Any]
    time: float
    status: int = 0
    response: Any = None  # parsed JSON reply, or the text of a non-JSON reply
    billed_characters: int = 0
    error: Optional[str] = None  # traceback of a crashing translate function
    #: ``time.monotonic()`` when the server began serving the request (headers read) and
    #: when its reply was complete (set just before the reply's last byte is written, so
    #: it is set by the time the client has the whole reply; None while unfinished or
    #: when the server hung up without answering).
    started: float = 0.0
    finished: Optional[float] = None
    #: For a /v2/translate request that passed validation: its options (every param
    #: but ``text``) as the server understood them -- language codes upper-cased,
    #: ``formality`` lower-cased.  None for other requests and rejected ones.
    accepted: Optional[Dict[str, Any]] = None
    _ended: bool = field(default=False, repr=False, compare=False)

    @property
    def duration(self) -> Optional[float]:
        return None if self.finished is None else self.finished - self.started

    @property
    def texts(self) -> List[str]:
        value = self.params.get("text", [])
        return [value] if isinstance(value, str) else list(value)

    @property
    def user_agent(self) -> Optional[str]:
        return self.headers.get("User-Agent")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_translate(self) -> bool:
        return self.path == "/v2/translate"


@dataclass
class _Fault:
    status: int
    remaining: int
    body: Any
    retry_after: Optional[Union[int, float, str]]
    endpoint: str


class _Reply(Exception):
    """Raised inside handlers to answer with an error status."""

    def __init__(self, status: int, message: Optional[str] = None, *, body: Any = None,
                 headers: Optional[Dict[str, str]] = None):
        super().__init__(status, message)
        self.status = status
        self.body = body if body is not None else {
            "message": message or DEFAULT_MESSAGES.get(status, "Error")}
        self.headers = headers or {}


# --------------------------------------------------------------------------- server

class FakeDeepL:
    """A fake DeepL API server on 127.0.0.1 (see the module docstring).

    Attributes a test may set at any time:

    * ``auth_key`` -- the one valid key (default ``"test-key:fx"``); another key or no
      ``Authorization: DeepL-Auth-Key ...`` header gets 403.
    * ``translate`` -- ``fn(text, params) -> str`` used for every text; ``params`` is the
      request's params plus ``glossary_entries`` (the matching glossary dictionary, or
      None).  Default :data:`default_translate` ("DE:" before each text node).
    * ``delay`` -- seconds to wait before answering any request (0 = none).
    * ``character_count`` / ``character_limit`` -- the usage counters; each successful
      translate request adds its billed characters, and a request that would take the
      count past the limit gets 456.
    * ``max_texts`` (50), ``too_many_texts_status`` (413), ``max_body_bytes`` (128 KiB),
      ``validate_xml`` (True), ``detected_source_language`` ("EN").

    Fault injection: :meth:`fail_next`, :meth:`fail_after`, :meth:`throttle`,
    :meth:`mangle`, :meth:`drip`, :meth:`reset_faults`.  Holding: :meth:`hold`,
    :meth:`hold_translate`, :meth:`release`, :meth:`wait_held`, ``held``,
    :meth:`held_requests`.  Log: ``requests``, :meth:`translate_requests`,
    :meth:`texts_sent`, :meth:`chars_billed`, :meth:`clear_requests`, ``in_flight`` and
    ``max_in_flight``.  Stores: ``glossaries``, ``style_rules``.
    """

    def __init__(
        self,
        auth_key: str = "test-key:fx",
        *,
        translate: Optional[TranslateFn] = None,
        character_count: int = 0,
        character_limit: int = 500_000,
        max_texts: int = MAX_TEXTS,
        too_many_texts_status: int = 413,
        max_body_bytes: int = MAX_BODY_BYTES,
        validate_xml: bool = True,
        delay: float = 0.0,
        detected_source_language: str = "EN",
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.auth_key = auth_key
        self.translate: TranslateFn = translate or default_translate
        self.character_count = character_count
        self.character_limit = character_limit
        self.max_texts = max_texts
        self.too_many_texts_status = too_many_texts_status
        self.max_body_bytes = max_body_bytes
        self.validate_xml = validate_xml
        self.delay = delay
        self.detected_source_language = detected_source_language
        self.requests: List[RecordedRequest] = []
        self.glossaries: Dict[str, Dict[str, Any]] = {}
        #: style rule lists by ``style_id`` (``POST /v3/style_rules``), as the API shows them
        self.style_rules: Dict[str, Dict[str, Any]] = {}
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._faults: List[_Fault] = []
        self._fail_after: Optional[Tuple[int, int, Any]] = None  # (threshold, status, body)
        self._translate_ok = 0
        self._mangler: Union[None, str, MangleFn] = None  # a str: a REPLY_MANGLERS kind
        self._mangle_left: Optional[int] = None
        self._drip: Optional[List[Any]] = None  # [seconds_per_byte, times left, endpoint]
        self._stopping = threading.Event()
        # hold / in-flight state, guarded by ``_lock`` (``_cond`` shares it)
        self._cond = threading.Condition(self._lock)
        self._holding = False
        self._hold_left: Optional[int] = None  # None: every request until release()
        self._held: List[Tuple[threading.Event, RecordedRequest]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._httpd: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None
        self._conns: set = set()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> "FakeDeepL":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _Server((self._host, self._port), _Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        httpd.fake = self  # type: ignore[attr-defined]
        self._httpd = httpd
        # stop() waits for the serve loop to notice, up to one poll interval: keep it short
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                        name=f"FakeDeepL:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in ``delay`` or dripping
        with self._lock:  # and those held by hold_translate()
            for ev, _rec in self._held:
                ev.set()
        httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # idle keep-alive connections of the client
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        # The handlers woken above end at once; wait (briefly) so that ``in_flight`` is 0
        # when stop() returns -- only a translate function that blocks can hold this up.
        with self._cond:
            self._cond.wait_for(lambda: self.in_flight == 0, timeout=1.0)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    close = stop

    def __enter__(self) -> "FakeDeepL":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeDeepL is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---------------------------------------------------------------- fault injection

    def fail_next(self, status: int, times: int = 1, body: Any = None,
                  retry_after: Optional[Union[int, float, str]] = None,
                  endpoint: str = "/v2/translate") -> None:
        """Answer the next ``times`` requests to ``endpoint`` with ``status``.

        ``body`` is sent as JSON (a str is sent as text; default ``{"message": ...}``);
        ``retry_after`` adds a ``Retry-After`` header.  ``endpoint`` is a path prefix, or
        ``"*"`` for any request.  Calls queue up in order.  The check comes after the
        auth-key check and before everything else.
        """
        if times <= 0:
            return
        with self._lock:
            self._faults.append(_Fault(status, times, body, retry_after, endpoint))

    def fail_after(self, n_requests: Optional[int], status: int = HTTP_QUOTA_EXCEEDED,
                   body: Any = None) -> None:
        """After ``n_requests`` more successful translate requests, answer every further
        translate request with ``status`` (default 456); ``None`` turns this off."""
        with self._lock:
            self._fail_after = (None if n_requests is None
                                else (self._translate_ok + n_requests, status, body))

    def mangle(self, how: Union[None, str, MangleFn], times: Optional[int] = None) -> None:
        """Spoil the replies of the next ``times`` successful translate requests
        (``None``: all of them); ``mangle(None)`` stops it.

        ``how`` is a name from :data:`MANGLERS` (``"drop_tag"``, ``"duplicate_tag"``,
        ``"expand_empty"``, ``"unclose"``, ``"swap_tags"``, ``"strip_tags"``) or
        ``fn(text, params) -> str``, applied to every translated text; or a name from
        :data:`REPLY_MANGLERS`, which spoils the reply as a whole while keeping status
        200: ``"null_text"`` (every ``"text"`` is JSON null), ``"short"`` (the last
        translation is left out: fewer translations than texts sent) or ``"not_json"``
        (a truncated JSON body, still labelled ``application/json``).
        """
        if isinstance(how, str) and how not in MANGLERS and how not in REPLY_MANGLERS:
            raise ValueError(f"unknown mangler {how!r}; one of "
                             f"{sorted(MANGLERS) + list(REPLY_MANGLERS)}")
        fn = MANGLERS[how] if isinstance(how, str) and how in MANGLERS else how
        with self._lock:
            self._mangler, self._mangle_left = fn, (None if fn is None else times)

    def drip(self, seconds_per_byte: Optional[float], times: Optional[int] = None,
             endpoint: str = "/v2/translate") -> None:
        """Send the reply bodies of the next ``times`` requests to ``endpoint`` (a path
        prefix or ``"*"``; ``times=None``: all of them) one byte at a time, waiting
        ``seconds_per_byte`` before each byte after the first -- a slow-loris server
        that keeps a per-read timeout from ever firing, so that a timeout on the whole
        request can be tested.  The status line and headers go out at once.  The wait
        ends as soon as the server stops (it then hangs up) and a client that hangs up
        ends the drip.  ``drip(None)`` or ``drip(0)`` turns it off."""
        with self._lock:
            self._drip = (None if not seconds_per_byte or (times is not None and times <= 0)
                          else [float(seconds_per_byte), times, endpoint])

    def throttle(self, n: int, retry_after: Optional[Union[int, float, str]] = None) -> None:
        """Answer the next ``n`` translate requests with 429 Too Many Requests (DeepL's
        JSON message), with a ``Retry-After`` header when ``retry_after`` is given.
        Queued like :meth:`fail_next` (it is ``fail_next(429, n, ...)``)."""
        self.fail_next(429, times=n, retry_after=retry_after, endpoint="/v2/translate")

    def reset_faults(self) -> None:
        """Drop queued faults, ``fail_after``, ``mangle``, ``drip`` and ``delay``."""
        with self._lock:
            self._faults.clear()
            self._fail_after = None
            self._mangler = self._mangle_left = None
            self._drip = None
            self.delay = 0.0

    # ---------------------------------------------------------------- holding requests

    def hold_translate(self, times: Optional[int] = None) -> None:
        """Make the next ``times`` translate requests (``None``: all of them, until
        :meth:`release`) block inside the server before they are answered.

        A held request has been read (its ``started`` is set and ``in_flight`` counts
        it; it joins ``requests`` once answered, see :meth:`held_requests`); it waits
        before the auth check, the faults and the translation, and goes on through them
        when released.  :meth:`stop` hangs up on held requests.
        """
        with self._cond:
            if times is not None and times <= 0:
                return
            self._holding, self._hold_left = True, times

    def release(self, n: Optional[int] = None) -> int:
        """Let held translate requests go on: all of them (and hold no new ones) when
        ``n`` is None, else the ``n`` that were held first (holding goes on).  Returns
        how many were released."""
        with self._cond:
            if n is None:
                self._holding, self._hold_left = False, None
                go, self._held = self._held, []
            else:
                go, self._held = self._held[:n], self._held[n:]
            for ev, _rec in go:
                ev.set()
            self._cond.notify_all()
            return len(go)

    def wait_held(self, n: int = 1, timeout: float = 5.0) -> List[RecordedRequest]:
        """Block until at least ``n`` translate requests are being held; return their
        records (oldest first).  Raises ``TimeoutError`` after ``timeout`` seconds."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._held) >= n, timeout):
                raise TimeoutError(f"{len(self._held)} translate request(s) held after "
                                   f"{timeout} s, expected {n}")
            return [rec for _ev, rec in self._held]

    @property
    def held(self) -> int:
        """How many translate requests are being held right now."""
        with self._lock:
            return len(self._held)

    def held_requests(self) -> List[RecordedRequest]:
        with self._lock:
            return [rec for _ev, rec in self._held]

    @contextlib.contextmanager
    def hold(self, times: Optional[int] = None) -> Iterator["FakeDeepL"]:
        """``with server.hold(): ...`` -- :meth:`hold_translate` on entry, :meth:`release`
        (of all held requests) on exit, even when the block raises."""
        self.hold_translate(times)
        try:
            yield self
        finally:
            self.release()

    # ---------------------------------------------------------------- log

    def translate_requests(self, only_ok: bool = False) -> List[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.is_translate and (r.ok or not only_ok)]

    def texts_sent(self, only_ok: bool = False) -> List[str]:
        """Every text of every translate request, in order (failed and retried ones too,
        unless ``only_ok``)."""
        return [t for r in self.translate_requests(only_ok) for t in r.texts]

    def chars_billed(self) -> int:
        """Characters billed by the successful translate requests logged so far."""
        return sum(r.billed_characters for r in self.translate_requests(only_ok=True))

    def clear_requests(self) -> None:
        """Empty the log; ``max_in_flight`` starts again from the current ``in_flight``."""
        with self._lock:
            self.requests.clear()
            self.max_in_flight = self.in_flight

    # ---------------------------------------------------------------- internals

    def _begin(self, record: RecordedRequest) -> None:
        if record.is_translate:
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _end(self, record: RecordedRequest, answered: bool) -> None:
        """The reply is complete (or abandoned); idempotent per request."""
        with self._lock:
            if record._ended:
                return
            record._ended = True
            if answered:
                record.finished = time.monotonic()
            if record.is_translate:
                self.in_flight -= 1
                self._cond.notify_all()

    def _take_drip(self, path: str) -> Optional[float]:
        with self._lock:
            drip = self._drip
            if drip is None or not (drip[2] == "*" or path.startswith(drip[2])):
                return None
            if drip[1] is not None:
                drip[1] -= 1
                if drip[1] <= 0:
                    self._drip = None
            return drip[0]

    def _wait_if_held(self, record: RecordedRequest) -> bool:
        """Block while hold_translate() holds this request; False if the server stopped."""
        with self._cond:
            if not self._holding:
                return True
            if self._hold_left is not None:
                self._hold_left -= 1
                if self._hold_left <= 0:
                    self._holding, self._hold_left = False, None
            ev = threading.Event()
            self._held.append((ev, record))
            self._cond.notify_all()
        if self._stopping.is_set():
            ev.set()
        ev.wait()
        with self._cond:
            self._held = [(e, r) for e, r in self._held if e is not ev]
            self._cond.notify_all()
        return not self._stopping.is_set()

    def _take_fault(self, path: str) -> Optional[_Reply]:
        with self._lock:
            for fault in self._faults:
                if fault.endpoint == "*" or path.startswith(fault.endpoint):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return _fault_reply(fault.status, fault.body, fault.retry_after)
            if path == "/v2/translate" and self._fail_after is not None:
                threshold, status, body = self._fail_after
                if self._translate_ok >= threshold:
                    return _fault_reply(status, body, None)
        return None

    def _glossary_info_v2(self, g: Dict[str, Any]) -> Dict[str, Any]:
        (src, tgt), entries = next(iter(g["dictionaries"].items()))
        return {"glossary_id": g["id"], "name": g["name"], "ready": True,
                "source_lang": src, "target_lang": tgt, "creation_time": g["creation_time"],
                "entry_count": len(entries)}

    def _glossary_info_v3(self, g: Dict[str, Any]) -> Dict[str, Any]:
        return {"glossary_id": g["id"], "name": g["name"], "creation_time": g["creation_time"],
                "dictionaries": [{"source_lang": s, "target_lang": t, "entry_count": len(e)}
                                 for (s, t), e in g["dictionaries"].items()]}

    # Each route returns (status, body); body: dict/list -> JSON, str -> text, None -> empty.

    def _route(self, method: str, path: str, params: Dict[str, Any],
               headers: Dict[str, str], record: Optional[RecordedRequest] = None
               ) -> Tuple[int, Any, Dict[str, str]]:
        parts = [p for p in path.split("/") if p]
        if path == "/v2/translate":
            self._need(method, "POST")
            return self._translate(params, record)
        if len(parts) >= 2 and parts[:2] == ["v3", "style_rules"]:
            return self._style_rules(method, parts[2:], params)
        if path == "/v2/usage":
            self._need(method, "GET", "POST")
            with self._lock:
                return 200, {"character_count": self.character_count,
                             "character_limit": self.character_limit}, {}
        if path == "/v2/languages":
            self._need(method, "GET", "POST")
            kind = str(params.get("type", "source")).lower()
            if kind == "source":
                return 200, [{"language": c, "name": n} for c, n in _SOURCE_LANGS], {}
            if kind == "target":
                return 200, [{"language": c, "name": n,
                              "supports_formality": c in _FORMALITY_TARGETS}
                             for c, n in _TARGET_LANGS], {}
            raise _Reply(400, "Value for 'type' not supported.")
        if path == "/v2/glossary-language-pairs":
            self._need(method, "GET")
            return 200, {"supported_languages": [
                {"source_lang": s, "target_lang": t}
                for s, t in itertools.permutations(_GLOSSARY_LANGS, 2)]}, {}
        if len(parts) >= 2 and parts[0] in ("v2", "v3") and parts[1] == "glossaries":
            return self._glossaries(method, parts[0], parts[2:], params, headers)
        raise _Reply(404, "Not found")

    @staticmethod
    def _need(method: str, *allowed: str) -> None:
        if method not in allowed:
            raise _Reply(405, f"Method {method} not allowed; use {'/'.join(allowed)}")

    def _translate(self, params: Dict[str, Any], record: Optional[RecordedRequest] = None
                   ) -> Tuple[int, Any, Dict[str, str]]:
        texts = params.get("text")
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            raise _Reply(400, "Parameter 'text' not specified.")
        if not all(isinstance(t, str) for t in texts):
            raise _Reply(400, "Parameter 'text' must be a string or a list of strings.")
        if len(texts) > self.max_texts:
            raise _Reply(self.too_many_texts_status,
                         f"Too many texts: {len(texts)} (at most {self.max_texts} per request)")
        target = str(params.get("target_lang") or "").upper()
        if not target:
            raise _Reply(400, "Parameter 'target_lang' not specified.")
        if target not in {c for c, _ in _TARGET_LANGS} | _EXTRA_TARGETS:
            raise _Reply(400, "Value for 'target_lang' not supported.")
        source = params.get("source_lang")
        source = str(source).upper() if source else None
        if source and source not in {c for c, _ in _SOURCE_LANGS}:
            raise _Reply(400, "Value for 'source_lang' not supported.")
        formality = str(params.get("formality") or "default").lower()
        if formality not in ("default", "more", "less", "prefer_more", "prefer_less"):
            raise _Reply(400, "Value for 'formality' not supported.")
        if formality in ("more", "less") and target not in _FORMALITY_TARGETS:
            raise _Reply(400, "'formality' is not supported for given 'target_lang'.")
        context = params.get("context")
        if context is not None and not isinstance(context, str):
            raise _Reply(400, "Parameter 'context' must be a string.")
        model_type = params.get("model_type")
        if model_type is not None and model_type not in _MODEL_TYPES:
            raise _Reply(400, "Value for 'model_type' not supported.")
        instructions = params.get("custom_instructions")
        if instructions is not None:
            if not isinstance(instructions, list) or \
                    not all(isinstance(i, str) for i in instructions):
                raise _Reply(400, "Parameter 'custom_instructions' must be a list of "
                                  "strings.")
            if len(instructions) > MAX_CUSTOM_INSTRUCTIONS:
                raise _Reply(400, f"Too many custom instructions: {len(instructions)} "
                                  f"(at most {MAX_CUSTOM_INSTRUCTIONS}).")
            for i, instruction in enumerate(instructions):
                if len(instruction) > MAX_CUSTOM_INSTRUCTION_CHARS:
                    raise _Reply(400, f"Custom instruction {i} is {len(instruction)} "
                                      f"characters long (at most "
                                      f"{MAX_CUSTOM_INSTRUCTION_CHARS}).")
            if instructions and _base_lang(target) not in _STYLE_LANGS:
                raise _Reply(400, "'custom_instructions' is not supported for given "
                                  "'target_lang'.")
            if instructions and model_type == "latency_optimized":
                raise _Reply(400, "'custom_instructions' cannot be combined with "
                                  "model_type 'latency_optimized'.")
        style = None
        style_id = params.get("style_id")
        if style_id is not None:
            if not isinstance(style_id, str) or not style_id:
                raise _Reply(400, "Parameter 'style_id' must be a non-empty string.")
            with self._lock:
                style = self.style_rules.get(style_id)
            if style is None:  # what DeepL answers for an unknown id: 404
                raise _Reply(404, f"Style Rules {style_id} not found")
            if model_type == "latency_optimized":
                raise _Reply(400, "'style_id' cannot be combined with model_type "
                                  "'latency_optimized'.")
            if style["language"].upper() != _base_lang(target):
                raise _Reply(400, f"Target language {target} does not match the language "
                                  f"'{style['language']}' of the style rule list.")
        tag_handling = params.get("tag_handling")
        if tag_handling not in (None, "", "xml", "html"):
            raise _Reply(400, "Value for 'tag_handling' not supported.")
        if tag_handling == "xml" and self.validate_xml:
            for i, t in enumerate(texts):
                err = xml_error(t)
                if err:
                    raise _Reply(400, f"Tag handling parsing failed, please check input "
                                      f"(text {i}: {err}).")
        entries = None
        glossary_id = params.get("glossary_id")
        if glossary_id:
            if not source:
                raise _Reply(400, "Use of a glossary requires the 'source_lang' parameter "
                                  "to be specified.")
            with self._lock:
                g = self.glossaries.get(str(glossary_id))
            if g is None:
                raise _Reply(400, f"Invalid glossary_id {glossary_id!r}.")
            entries = g["dictionaries"].get((source.lower(), _base_lang(target).lower()))
            if entries is None:
                raise _Reply(400, "Glossary does not match the language pair "
                                  f"{source}->{_base_lang(target)}.")
        billed_each = [billed_characters(t, tag_handling) for t in texts]
        billed = sum(billed_each)
        with self._lock:
            if self.character_count + billed > self.character_limit:
                raise _Reply(HTTP_QUOTA_EXCEEDED, DEFAULT_MESSAGES[456])
        if record is not None:
            record.accepted = {k: v for k, v in params.items() if k != "text"}
            record.accepted.update(target_lang=target)
            if source:
                record.accepted["source_lang"] = source
            if "formality" in params:
                record.accepted["formality"] = formality
        call_params = dict(params, text=texts, target_lang=target, source_lang=source,
                           glossary_entries=entries, style_rule=style)
        outputs = [self.translate(t, call_params) for t in texts]
        with self._lock:
            mangler = self._mangler
            if mangler is not None and self._mangle_left is not None:
                self._mangle_left -= 1
                if self._mangle_left <= 0:
                    self._mangler = self._mangle_left = None
            self.character_count += billed
            self._translate_ok += 1
        spoil = mangler if isinstance(mangler, str) else None
        if mangler is not None and spoil is None:
            outputs = [mangler(o, call_params) for o in outputs]
        show_billed = _truthy(params.get("show_billed_characters", False))
        translations = []
        for out, billed_one in zip(outputs, billed_each):
            item: Dict[str, Any] = {"detected_source_language": source
                                    or self.detected_source_language, "text": out}
            if show_billed:
                item["billed_characters"] = billed_one
            if params.get("model_type"):
                item["model_type_used"] = ("quality_optimized"
                                           if params["model_type"] != "latency_optimized"
                                           else "latency_optimized")
            translations.append(item)
        reply: Any = {"translations": translations}
        headers = {"X-Billed-Characters": str(billed)}
        if spoil == "null_text":
            for item in translations:
                item["text"] = None
        elif spoil == "short":
            del translations[-1]
        elif spoil == "not_json":
            text = json.dumps(reply, ensure_ascii=False)
            reply = text[: max(1, len(text) // 2)]
            headers["Content-Type"] = "application/json; charset=utf-8"
        return 200, reply, headers

    def _glossaries(self, method: str, version: str, rest: List[str],
                    params: Dict[str, Any], headers: Dict[str, str]
                    ) -> Tuple[int, Any, Dict[str, str]]:
        info = self._glossary_info_v2 if version == "v2" else self._glossary_info_v3
        if not rest:
            if method == "POST":
                g = self._create_glossary(version, params)
                return 201, info(g), {}
            self._need(method, "GET")
            with self._lock:
                gs = [g for g in self.glossaries.values()
                      if version == "v3" or len(g["dictionaries"]) == 1]
            return 200, {"glossaries": [info(g) for g in gs]}, {}
        with self._lock:
            g = self.glossaries.get(rest[0])
        if g is None or (version == "v2" and len(g["dictionaries"]) != 1):
            raise _Reply(404, "Glossary not found")
        if len(rest) == 1:
            if method == "DELETE":
                with self._lock:
                    self.glossaries.pop(rest[0], None)
                return 204, None, {}
            if method == "PATCH" and version == "v3":
                return 200, info(self._patch_glossary(rest[0], params)), {}
            self._need(method, "GET", "DELETE", *(("PATCH",) if version == "v3" else ()))
            return 200, info(g), {}
        if len(rest) == 2 and rest[1] == "dictionaries" and version == "v3":
            if method == "PUT":
                pair, entries = _glossary_dictionary(params)
                self._edit_glossary(rest[0], lambda d: d.update({pair: entries}))
                return 200, {"source_lang": pair[0], "target_lang": pair[1],
                             "entry_count": len(entries)}, {}
            self._need(method, "PUT", "DELETE")
            pair = (str(params.get("source_lang") or "").lower(),
                    str(params.get("target_lang") or "").lower())
            for lang, value in zip(("source_lang", "target_lang"), pair):
                if not value:
                    raise _Reply(400, f"Parameter '{lang}' not specified.")

            def drop(dicts: Dict[Tuple[str, str], Dict[str, str]]) -> None:
                if dicts.pop(pair, None) is None:
                    raise _Reply(404, "Glossary dictionary not found")

            self._edit_glossary(rest[0], drop)
            return 204, None, {}
        if len(rest) == 2 and rest[1] == "entries":
            self._need(method, "GET")
            if version == "v2":
                (_pair, entries), = g["dictionaries"].items()
                tsv = "\n".join(f"{s}\t{t}" for s, t in entries.items())
                return 200, tsv, {"Content-Type": "text/tab-separated-values; charset=utf-8"}
            pair = (str(params.get("source_lang", "")).lower(),
                    str(params.get("target_lang", "")).lower())
            entries = g["dictionaries"].get(pair)
            if entries is None:
                raise _Reply(404, "Glossary dictionary not found")
            return 200, {"dictionaries": [{
                "source_lang": pair[0], "target_lang": pair[1], "entries_format": "tsv",
                "entries": "\n".join(f"{s}\t{t}" for s, t in entries.items())}]}, {}
        raise _Reply(404, "Not found")

    def _style_rules(self, method: str, rest: List[str], params: Dict[str, Any]
                     ) -> Tuple[int, Any, Dict[str, str]]:
        """``/v3/style_rules``: create (POST), list (GET, ``detailed=true`` for the
        rules), and ``/{style_id}``: get, rename (PATCH ``name``), delete."""
        def info(rule: Dict[str, Any], detailed: bool = True) -> Dict[str, Any]:
            out = dict(rule)
            if not detailed:
                out.pop("configured_rules", None)
                out.pop("custom_instructions", None)
            return out

        if not rest:
            if method == "POST":
                rule = self._new_style_rule(params)
                with self._lock:
                    self.style_rules[rule["style_id"]] = rule
                return 201, info(rule), {}
            self._need(method, "GET")
            detailed = _truthy(params.get("detailed", False))
            with self._lock:
                rules = list(self.style_rules.values())
            return 200, {"style_rules": [info(r, detailed) for r in rules]}, {}
        if len(rest) != 1:
            raise _Reply(404, "Not found")
        with self._lock:
            rule = self.style_rules.get(rest[0])
        if rule is None:
            raise _Reply(404, f"Style Rules {rest[0]} not found")
        if method == "DELETE":
            with self._lock:
                self.style_rules.pop(rest[0], None)
            return 204, None, {}
        if method == "PATCH":
            name = params.get("name")
            if not isinstance(name, str) or not name:
                raise _Reply(400, "Parameter 'name' not specified.")
            with self._lock:
                rule = dict(rule, name=name, version=rule["version"] + 1,
                            updated_time=_timestamp())
                self.style_rules[rule["style_id"]] = rule
            return 200, info(rule), {}
        self._need(method, "GET", "PATCH", "DELETE")
        return 200, info(rule), {}

    @staticmethod
    def _new_style_rule(params: Dict[str, Any]) -> Dict[str, Any]:
        name = params.get("name")
        if not isinstance(name, str) or not name or len(name) > 1024:
            raise _Reply(400, "Parameter 'name' not specified.")
        language = str(params.get("language") or "").lower()
        if language.upper() not in _STYLE_LANGS:
            raise _Reply(400, "Value for 'language' not supported.")
        configured = params.get("configured_rules") or {}
        if not isinstance(configured, dict):
            raise _Reply(400, "Parameter 'configured_rules' must be an object.")
        instructions = []
        for ci in params.get("custom_instructions") or []:
            if not isinstance(ci, dict) or not ci.get("label") or \
                    not isinstance(ci.get("prompt"), str) or not ci["prompt"]:
                raise _Reply(400, "Each custom instruction needs a 'label' and a 'prompt'.")
            if len(ci["prompt"]) > MAX_CUSTOM_INSTRUCTION_CHARS:
                raise _Reply(400, f"Custom instruction prompt longer than "
                                  f"{MAX_CUSTOM_INSTRUCTION_CHARS} characters.")
            instructions.append(dict(ci, id=str(uuid.uuid4())))
        now = _timestamp()
        return {"style_id": str(uuid.uuid4()), "name": name, "creation_time": now,
                "updated_time": now, "language": language, "version": 1,
                "configured_rules": configured, "custom_instructions": instructions}

    def _create_glossary(self, version: str, params: Dict[str, Any]) -> Dict[str, Any]:
        name = params.get("name")
        if not name:
            raise _Reply(400, "Parameter 'name' not specified.")
        if version == "v2":
            dicts = [params]
        else:
            dicts = params.get("dictionaries")
            if not isinstance(dicts, list) or not dicts:
                raise _Reply(400, "Parameter 'dictionaries' not specified.")
        dictionaries = dict(_glossary_dictionary(d) for d in dicts)
        g = {"id": str(uuid.uuid4()), "name": str(name), "dictionaries": dictionaries,
             "creation_time": _timestamp()}
        with self._lock:
            self.glossaries[g["id"]] = g
        return g

    def _edit_glossary(self, glossary_id: str, edit: Callable[[Dict], None],
                       name: Optional[str] = None) -> Dict[str, Any]:
        """Apply ``edit`` to a copy of the glossary's dictionaries and store a new
        glossary record (copy on write: a translation that already holds the old one
        keeps a consistent view)."""
        with self._lock:
            g = self.glossaries.get(glossary_id)
            if g is None:
                raise _Reply(404, "Glossary not found")
            dictionaries = dict(g["dictionaries"])
            edit(dictionaries)
            g = dict(g, dictionaries=dictionaries, name=g["name"] if name is None else name)
            self.glossaries[glossary_id] = g
            return g

    def _patch_glossary(self, glossary_id: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """``PATCH /v3/glossaries/{id}``: a new ``name`` and/or ``dictionaries`` whose
        entries are merged into the glossary's (a term already there gets the new
        translation; a new language pair is added)."""
        name, dicts = params.get("name"), params.get("dictionaries")
        if name is None and dicts is None:
            raise _Reply(400, "Either 'name' or 'dictionaries' must be specified.")
        if name is not None and (not isinstance(name, str) or not name):
            raise _Reply(400, "Value for 'name' not supported.")
        if dicts is not None and (not isinstance(dicts, list) or not dicts):
            raise _Reply(400, "Parameter 'dictionaries' must be a non-empty list.")
        updates = [_glossary_dictionary(d) for d in dicts or []]

        def merge(dictionaries: Dict[Tuple[str, str], Dict[str, str]]) -> None:
            for pair, entries in updates:
                dictionaries[pair] = {**dictionaries.get(pair, {}), **entries}

        return self._edit_glossary(glossary_id, merge, name)


def _glossary_dictionary(d: Any) -> Tuple[Tuple[str, str], Dict[str, str]]:
    """``((source, target), entries)`` from a request's dictionary object."""
    if not isinstance(d, dict):
        raise _Reply(400, "Invalid dictionary.")
    src = str(d.get("source_lang") or "").lower()
    tgt = str(d.get("target_lang") or "").lower()
    if src not in _GLOSSARY_LANGS or tgt not in _GLOSSARY_LANGS or src == tgt:
        raise _Reply(400, "Unsupported glossary source and target language pair.")
    fmt = str(d.get("entries_format") or "tsv").lower()
    entries = _parse_entries(d.get("entries"), fmt)
    if not entries:
        raise _Reply(400, "Invalid glossary entries provided")
    return (src, tgt), entries


def _timestamp() -> str:
    """Now in UTC as DeepL writes it: ``2021-08-03T14:16:18.329123Z``."""
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}Z"


def _fault_reply(status: int, body: Any, retry_after: Any) -> _Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if body is None:
        return _Reply(status, headers=headers)
    return _Reply(status, body=body, headers=headers)


def _parse_entries(raw: Any, fmt: str) -> Dict[str, str]:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    if not isinstance(raw, str):
        raise _Reply(400, "Parameter 'entries' not specified.")
    entries: Dict[str, str] = {}
    if fmt == "tsv":
        rows = [line.split("\t") for line in raw.splitlines() if line.strip()]
    elif fmt == "csv":
        rows = [row for row in csv.reader(io.StringIO(raw)) if row]
    else:
        raise _Reply(400, "Value for 'entries_format' not supported.")
    for row in rows:
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise _Reply(400, "Invalid glossary entries provided")
        source = row[0].strip()
        if source in entries:
            raise _Reply(400, f"Duplicate source term {source!r}")
        entries[source] = row[1].strip()
    return entries


def _parse_params(query: Dict[str, List[str]], body: bytes, content_type: str
                  ) -> Tuple[Dict[str, Any], Optional[str]]:
    params: Dict[str, Any] = {}
    fmt: Optional[str] = None
    form: Dict[str, List[str]] = dict(query)
    ctype = content_type.split(";")[0].strip().lower()
    if body:
        if ctype == "application/json" or (not ctype and body.lstrip()[:1] in (b"{", b"[")):
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise _Reply(400, f"Invalid JSON body: {e}")
            if not isinstance(data, dict):
                raise _Reply(400, "JSON body must be an object")
            fmt = "json"
            for key, values in form.items():
                params[key] = _form_value(key, values)
            params.update(data)
            return params, fmt
        if ctype in ("application/x-www-form-urlencoded", ""):
            fmt = "form"
            try:
                parsed = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError as e:
                raise _Reply(400, f"Invalid form body: {e}")
            for key, values in parsed.items():
                form[key] = form.get(key, []) + values if key in _LIST_FIELDS else values
        else:
            raise _Reply(415, f"Unsupported content type {ctype!r}")
    for key, values in form.items():
        params[key] = _form_value(key, values)
    return params, fmt


def _form_value(key: str, values: List[str]) -> Any:
    if key in _LIST_FIELDS:
        return list(values)
    if key in _TAG_FIELDS:
        return tag_list(values)
    return values[-1] if values else ""


class _Server(http.server.ThreadingHTTPServer):
    # The default listen backlog of 5 overflows when a test starts 8 or more clients at
    # once; the kernel then drops their SYNs and the clients retry after a full second.
    request_queue_size = 128


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests expects
    server_version = "FakeDeepL/1.0"
    timeout = 10  # idle keep-alive connections are dropped after this

    @property
    def fake(self) -> FakeDeepL:
        return self.server.fake  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.fake._lock:
            self.fake._conns.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.fake._lock:
                self.fake._conns.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet in tests
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        fake = self.fake
        started = time.monotonic()
        split = urllib.parse.urlsplit(self.path)
        path = "/" + split.path.strip("/")
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        # The body is always read in full so that the keep-alive connection stays usable.
        body = self._read_body()
        headers = {k: v for k, v in self.headers.items()}
        auth = headers.get("Authorization")
        key = None
        if auth:
            scheme, _, rest = auth.partition(" ")
            key = rest.strip() if scheme == "DeepL-Auth-Key" else None
            headers["Authorization"] = f"{scheme} ***"
        record = RecordedRequest(self.command, path, query, headers, key, body, None, {},
                                 time.time(), started=started)
        fake._begin(record)
        try:
            self._serve(record, body, key)
        finally:
            fake._end(record, answered=False)  # no-op when the reply went out

    def _serve(self, record: RecordedRequest, body: bytes, key: Optional[str]) -> None:
        fake, path, query = self.fake, record.path, record.query
        # Parsed first so that rejected requests are logged with their texts too.
        parse_error: Optional[_Reply] = None
        try:
            record.params, record.body_format = _parse_params(
                query, body, self.headers.get("Content-Type", ""))
        except _Reply as r:
            parse_error = r
        status, payload, extra = 500, None, {}
        try:
            if fake.delay and fake._stopping.wait(fake.delay):
                # stopped while waiting: hang up without an answer
                self.close_connection = True
                return
            if record.is_translate and not fake._wait_if_held(record):
                self.close_connection = True
                return
            if len(body) > fake.max_body_bytes:
                raise _Reply(413, f"Request body of {len(body)} bytes exceeds "
                                  f"{fake.max_body_bytes} bytes")
            if key is None or key != fake.auth_key:
                raise _Reply(403, DEFAULT_MESSAGES[403])
            fault = fake._take_fault(path)
            if fault is not None:
                raise fault
            if parse_error is not None:
                raise parse_error
            status, payload, extra = fake._route(self.command, path, record.params,
                                                 record.headers, record)
            if path == "/v2/translate" and 200 <= status < 300:
                record.billed_characters = int(extra.pop("X-Billed-Characters", 0))
        except _Reply as r:
            status, payload, extra = r.status, r.body, r.headers
        except Exception:  # a crashing translate function, or a bug here
            record.error = traceback.format_exc()
            status, payload, extra = 500, {"message": "FakeDeepL crashed: " +
                                           record.error.strip().splitlines()[-1]}, {}
        record.status, record.response = status, payload
        with fake._lock:
            fake.requests.append(record)
        self._send(record, status, payload, extra)

    def _send(self, record: RecordedRequest, status: int, payload: Any,
              headers: Dict[str, str]) -> None:
        fake = self.fake
        if payload is None:
            data, ctype = b"", None
        elif isinstance(payload, (dict, list)):
            data, ctype = json.dumps(payload, ensure_ascii=False).encode("utf-8"), \
                "application/json; charset=utf-8"
        else:
            data, ctype = str(payload).encode("utf-8"), "text/plain; charset=utf-8"
        ctype = headers.pop("Content-Type", ctype)
        body = b"" if self.command == "HEAD" else data
        try:
            self.send_response(status, DEFAULT_MESSAGES.get(status))
            if ctype and data:
                self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            # Head and body in one write: separate writes meet Nagle's algorithm and the
            # client's delayed ACK, which costs ~40 ms per request.
            self._headers_buffer.append(b"\r\n")  # type: ignore[attr-defined]
            pause = fake._take_drip(record.path) if body else None
            if pause is not None:
                self.flush_headers()
                for i in range(len(body)):
                    if i and fake._stopping.wait(pause):
                        self.close_connection = True  # stopped: hang up mid-body
                        return
                    if i == len(body) - 1:
                        fake._end(record, answered=True)
                    self.wfile.write(body[i:i + 1])
                return
            fake._end(record, answered=True)
            if body:
                self._headers_buffer.append(body)  # type: ignore[attr-defined]
            self.flush_headers()
        except OSError:  # the client gave up (timeout), or stop() shut the socket
            self.close_connection = True


# --------------------------------------------------------------------------- pytest

try:
    import pytest
except ImportError:  # pragma: no cover - the helpers above work without pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def fake_deepl():
        """A running :class:`FakeDeepL`, stopped after the test.

        Import it into a test module (``from deepl_server import fake_deepl``) or a
        conftest to use it as a fixture."""
        with FakeDeepL() as server:
            yield server

    @pytest.fixture
    def fast_deepl_client(monkeypatch):
        """Make the ``deepl`` client's retries fast: backoff starts at 10 ms, at most
        2 retries, and a 0.5 s minimum per-attempt timeout (instead of 1 s backoff,
        5 retries and 10 s).  Yields the ``deepl.http_client`` module."""
        import deepl.http_client as hc

        monkeypatch.setattr(hc, "max_network_retries", 2)
        monkeypatch.setattr(hc, "min_connection_timeout", 0.5)
        monkeypatch.setattr(hc._BackoffTimer, "BACKOFF_INITIAL", 0.01)
        monkeypatch.setattr(hc._BackoffTimer, "BACKOFF_MAX", 0.05)
        monkeypatch.setattr(hc._BackoffTimer, "BACKOFF_JITTER", 0.0)
        yield hc
