import hashlib
from datetime import date

import polib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from l10n import catalog, pofile
from l10n.catalog import DRAFT, NEEDS_UPDATE, REVIEWED, UNTRANSLATED, state
from l10n.extract import Segment

TODAY = date(2026, 3, 1)
REF = "content/en/a.md"


def seg(text: str, kind: str = "paragraph", section: str = "Intro") -> Segment:
    return Segment(text, kind, section, 1)


def update(old, *texts, **kw):
    kw.setdefault("today", TODAY)
    return catalog.update(old, [seg(t) for t in texts], REF, "de", **kw)


def entry(po, msgid):
    return next(e for e in po if e.msgid == msgid)


def reviewed(po, msgid, msgstr):
    e = entry(po, msgid)
    e.msgstr = msgstr
    return e


def test_new_catalog_has_babel_header_and_empty_entries():
    po, result = update(None, "Hello world.", "Second.")
    assert po.metadata["Language"] == "de"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert [(e.msgid, e.msgstr, e.occurrences) for e in po] == [
        ("Hello world.", "", [(REF, "")]), ("Second.", "", [(REF, "")])]
    assert result.added == 2 and result.changed


def test_identical_texts_are_one_entry_naming_every_section():
    segs = [seg("Same.", "list item", "TL;DR"), seg("Same.", "paragraph", "Why it matters"),
            seg("Same.", "list item", "TL;DR")]
    po, _ = catalog.update(None, segs, REF, "de", today=TODAY)
    assert len(po) == 1
    assert po[0].comment == "type: list item; section: TL;DR\ntype: paragraph; section: Why it matters"


def test_unchanged_entries_keep_everything_a_translator_added():
    po, _ = update(None, "Keep me.")
    e = reviewed(po, "Keep me.", "Behalte mich.")
    e.tcomment = "checked with the editor"
    e.flags.append("no-wrap")
    again, result = update(po, "Keep me.")
    k = entry(again, "Keep me.")
    assert (k.msgstr, k.tcomment, k.flags) == ("Behalte mich.", "checked with the editor", ["no-wrap"])
    assert not result.changed and result.kept == 1


def test_changed_human_translation_is_carried_fuzzy_with_previous_msgid():
    po, _ = update(None, "The model has 7 billion parameters.")
    reviewed(po, "The model has 7 billion parameters.", "Das Modell hat 7 Milliarden Parameter.")
    new, result = update(po, "The model has 8 billion parameters.")
    e = entry(new, "The model has 8 billion parameters.")
    assert e.msgstr == "Das Modell hat 7 Milliarden Parameter."
    assert "fuzzy" in e.flags and e.previous_msgid == "The model has 7 billion parameters."
    assert state(e) == NEEDS_UPDATE
    assert result.fuzzy == 1 and not new.obsolete_entries()


def test_changed_machine_draft_is_translated_again_not_carried():
    po, _ = update(None, "The model has 7 billion parameters.")
    catalog.set_draft(po[0], "Das Modell hat 7 Milliarden Parameter.", "deepl", TODAY)
    assert state(po[0]) == DRAFT
    new, _ = update(po, "The model has 8 billion parameters.")
    assert state(new[0]) == UNTRANSLATED and new[0].msgstr == ""


def test_dissimilar_change_is_a_new_entry_and_the_old_becomes_obsolete():
    po, _ = update(None, "Completely different words here.")
    reviewed(po, "Completely different words here.", "Ganz andere Wörter.")
    new, result = update(po, "Nothing alike.")
    assert entry(new, "Nothing alike.").msgstr == ""
    dead = new.obsolete_entries()
    assert [(e.msgid, e.msgstr) for e in dead] == [("Completely different words here.", "Ganz andere Wörter.")]
    assert dead[0].comment == "obsolete since: 2026-03-01"
    assert result.obsoleted == 1


def test_obsolete_entry_comes_back_when_its_text_returns():
    po, _ = update(None, "Back again.", "Other.")
    reviewed(po, "Back again.", "Wieder da.")
    gone, _ = update(po, "Other.")
    back, _ = update(gone, "Back again.", "Other.")
    assert entry(back, "Back again.").msgstr == "Wieder da." and not back.obsolete_entries()


def test_obsolete_entries_are_dropped_after_the_configured_age():
    po, _ = update(None, "Old text that will vanish.")
    reviewed(po, "Old text that will vanish.", "Alt.")
    gone, _ = update(po, "Brand new.")
    later, _ = update(gone, "Brand new.", today=date(2026, 5, 30), obsolete_days=90)
    assert len(later.obsolete_entries()) == 1
    much_later, result = update(gone, "Brand new.", today=date(2026, 6, 1), obsolete_days=90)
    assert much_later.obsolete_entries() == [] and result.dropped == 1


def test_states():
    e = polib.POEntry(msgid="a", msgstr="")
    assert state(e) == UNTRANSLATED
    e.msgstr = "b"
    assert state(e) == REVIEWED
    e.flags = ["fuzzy"]
    assert state(e) == NEEDS_UPDATE  # fuzzy without a machine mark: a person must look
    catalog.set_draft(e, "c", "pseudo", TODAY)
    assert state(e) == DRAFT and catalog.machine(e).engine == "pseudo"
    e.flags = []  # a reviewer approves it in Poedit
    assert state(e) == REVIEWED


def test_set_draft_records_no_markup_problems():
    """The verdict on a draft's markup is computed live where it is published, never stored."""
    e = polib.POEntry(msgid="a", msgstr="", comment="type: paragraph")
    with pytest.raises(TypeError):
        catalog.set_draft(e, "b", "deepl", TODAY, ["link target missing: https://x.test"])
    assert not hasattr(catalog, "problems") and not hasattr(catalog, "PROBLEM")


def test_update_removes_stale_markup_problem_comments():
    stale = "markup problem: link target missing: https://x.test"
    po, _ = update(None, "Kept.", "Vanishing.")
    for e in po:
        catalog.set_draft(e, e.msgid.upper(), "deepl", TODAY)
        e.comment += "\n" + stale
    po.append(polib.POEntry(msgid="Long gone.", msgstr="Weg.", obsolete=True,
                            comment=f"obsolete since: {TODAY}\n{stale}"))
    new, _ = update(po, "Kept.")
    assert [e.msgid for e in new] == ["Kept.", "Vanishing.", "Long gone."]
    assert all("markup problem" not in e.comment for e in new)
    assert entry(new, "Kept.").comment.startswith("type: paragraph; section: Intro\nmachine translation: deepl")


def test_existing_header_fields_are_kept_and_required_ones_enforced():
    po, _ = update(None, "x")
    po.metadata["Last-Translator"] = "Jana <jana@example.test>"
    po.metadata["Language"] = "fr"
    again, _ = update(po, "x", today=date(2027, 1, 1))
    assert again.metadata["Last-Translator"] == "Jana <jana@example.test>"
    assert again.metadata["Language"] == "de"
    assert again.metadata["PO-Revision-Date"] == po.metadata["PO-Revision-Date"]


def test_stats_count_words_and_share():
    po, _ = update(None, "one two three", "four")
    reviewed(po, "one two three", "eins zwei drei")
    stats = catalog.Stats.of(po)
    assert stats.entries == {REVIEWED: 1, DRAFT: 0, NEEDS_UPDATE: 0, UNTRANSLATED: 1}
    assert stats.words[REVIEWED] == 3 and stats.share() == pytest.approx(0.75)


# ------------------------------------------------- entries with a msgctxt l10n does not use


def foreign(msgid, msgstr="", ctxt="tool", **kw):
    return polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=msgstr, comment="added by a tool",
                         occurrences=[("elsewhere.md", "3")], **kw)


def fields(e):
    return (e.msgctxt, e.msgid, e.msgstr, e.comment, e.tcomment, e.occurrences, e.flags,
            e.previous_msgid, bool(e.obsolete))


def test_is_own():
    assert catalog.is_own(polib.POEntry(msgid="a"))
    assert not catalog.is_own(polib.POEntry(msgid="a", msgctxt="menu"))
    assert not catalog.is_own(polib.POEntry(msgid="a", msgctxt=""))  # an empty context is one too


def test_entries_with_a_context_are_kept_as_they_are_and_where_they_are():
    po, _ = update(None, "First.", "Second.")
    reviewed(po, "First.", "Erstes.")
    tool = [foreign("First.", "Zuerst (Menü).", flags=["fuzzy"]), foreign("Second."),
            foreign("Gone from the article.", "Weg.", ctxt="")]
    po.insert(1, tool[0])
    po.insert(2, tool[1])
    po.append(tool[2])
    before = [fields(e) for e in tool]
    new, result = update(po, "First.", "Second.")
    assert [(e.msgctxt, e.msgid) for e in new] == [
        (None, "First."), ("tool", "First."), ("tool", "Second."), (None, "Second."), ("", "Gone from the article.")]
    assert [fields(e) for e in new if e.msgctxt is not None] == before
    assert entry(new, "First.").msgstr == "Erstes." and not result.changed
    again, _ = update(new, "First.", "Second.")
    assert pofile.dumps(again) == pofile.dumps(new)


def test_an_entry_with_a_context_is_never_merged_with_an_own_entry():
    po, _ = update(None)
    po.append(foreign("The model has 7 billion parameters.", "Das Modell hat 7 Milliarden Parameter."))
    po.append(foreign("Exactly this.", "Genau das."))
    new, result = update(po, "The model has 8 billion parameters.", "Exactly this.")
    assert [(e.msgctxt, e.msgid, e.msgstr, e.flags) for e in new if catalog.is_own(e)] == [
        (None, "The model has 8 billion parameters.", "", []), (None, "Exactly this.", "", [])]
    assert [fields(e) for e in new if not catalog.is_own(e)] == [fields(e) for e in po]
    assert result.added == 2 and result.fuzzy == 0 and result.obsoleted == 0


def test_an_obsolete_entry_with_a_context_never_ages_out_nor_comes_back():
    po, _ = update(None, "Text.")
    old = foreign("Text.", "Text (alt).", obsolete=True)
    old.comment = "obsolete since: 2020-01-01"
    po.append(old)
    new, result = update(po, "Text.", today=date(2030, 1, 1), obsolete_days=1)
    assert [fields(e) for e in new.obsolete_entries()] == [fields(old)]
    assert entry(new, "Text.").msgstr == "" and result.dropped == 0
    assert catalog.expiry(new, 1) is None


def test_stats_count_own_entries_only():
    po, _ = update(None, "one two three")
    po.append(foreign("four five", "vier fünf"))
    po.append(foreign("six", ""))
    stats = catalog.Stats.of(po)
    assert stats.entries == {REVIEWED: 0, DRAFT: 0, NEEDS_UPDATE: 0, UNTRANSLATED: 1}
    assert stats.total_words == 3


def test_an_entry_with_a_context_gets_no_machine_draft():
    e = foreign("Menu")
    with pytest.raises(ValueError):
        catalog.set_draft(e, "Menü", "deepl", TODAY)
    assert e.msgstr == "" and "fuzzy" not in e.flags


# ------------------------------------------------------ machine drafts a person edited


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def test_set_draft_records_engine_date_and_a_digest_of_the_draft():
    e = polib.POEntry(msgid="a", msgstr="", comment="type: paragraph\nmachine translation: old, 2020-01-01")
    catalog.set_draft(e, "Entwurf", "deepl", TODAY)
    assert e.comment == f"type: paragraph\nmachine translation: deepl, 2026-03-01, {digest('Entwurf')}"
    assert catalog.machine(e) == catalog.Machine("deepl", TODAY, unedited=True)
    assert state(e) == DRAFT
    assert not hasattr(catalog, "machine_engine")


def test_an_edited_draft_is_a_persons_work_that_needs_update():
    e = polib.POEntry(msgid="a", msgstr="")
    catalog.set_draft(e, "Entwurf", "deepl", TODAY)
    e.msgstr = "Entwurf, vom Menschen verbessert"  # saved in Poedit, still fuzzy
    assert catalog.machine(e) == catalog.Machine("deepl", TODAY, unedited=False)
    assert state(e) == NEEDS_UPDATE
    e.flags = []
    assert state(e) == REVIEWED


def test_a_draft_marked_before_digests_still_counts_as_a_draft():
    e = polib.POEntry(msgid="a", msgstr="irgendwas", flags=["fuzzy"],
                      comment="machine translation: deepl, 2025-12-24")
    assert catalog.machine(e) == catalog.Machine("deepl", date(2025, 12, 24), unedited=True)
    assert state(e) == DRAFT


@pytest.mark.parametrize("mark", ["machine translation: deepl", "machine translation: deepl, 2026-13-45",
                                  "machine translation: deepl, soon, abc"])
def test_odd_machine_marks_are_read_without_failing(mark):
    e = polib.POEntry(msgid="a", msgstr="b", flags=["fuzzy"], comment=mark)
    m = catalog.machine(e)
    assert m.engine == "deepl" and m.date is None
    assert catalog.machine(polib.POEntry(msgid="a", msgstr="b")) is None


def test_unchanged_english_keeps_an_edited_draft_as_it_is():
    po, _ = update(None, "The model has 7 billion parameters.")
    catalog.set_draft(po[0], "Das Modell hat 7 Milliarden Parameter.", "deepl", TODAY)
    po[0].msgstr = "Das Modell hat sieben Milliarden Parameter."
    new, result = update(po, "The model has 7 billion parameters.")
    assert (new[0].msgstr, new[0].flags, new[0].comment) == (po[0].msgstr, ["fuzzy"], po[0].comment)
    assert state(new[0]) == NEEDS_UPDATE and not result.changed


def test_changed_english_carries_an_edited_draft_like_a_human_translation():
    po, _ = update(None, "The model has 7 billion parameters.")
    catalog.set_draft(po[0], "Das Modell hat 7 Milliarden Parameter.", "deepl", TODAY)
    po[0].msgstr = "Das Modell hat sieben Milliarden Parameter."
    new, result = update(po, "The model has 8 billion parameters.")
    e = new[0]
    assert e.msgstr == "Das Modell hat sieben Milliarden Parameter." and "fuzzy" in e.flags
    assert e.previous_msgid == "The model has 7 billion parameters."
    assert catalog.machine(e) is None and state(e) == NEEDS_UPDATE
    assert result.fuzzy == 1 and not new.obsolete_entries()


def copy_the_long_way(e: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgid=e.msgid, msgstr=e.msgstr, msgctxt=e.msgctxt, msgid_plural=e.msgid_plural,
        msgstr_plural=dict(e.msgstr_plural), comment=e.comment, tcomment=e.tcomment,
        occurrences=list(e.occurrences), flags=list(e.flags), previous_msgid=e.previous_msgid,
        previous_msgctxt=e.previous_msgctxt, obsolete=e.obsolete)


TEXT = st.one_of(st.none(), st.text(max_size=5))


@given(msgid=st.text(max_size=5), msgstr=st.text(max_size=5), msgctxt=TEXT, plural=st.text(max_size=5),
       plurals=st.dictionaries(st.integers(0, 3), st.text(max_size=3)), comment=st.text(max_size=5),
       tcomment=st.text(max_size=5), occurrences=st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3))),
       flags=st.lists(st.sampled_from(["fuzzy", "no-wrap", "c-format"])), previous=TEXT, previous_ctxt=TEXT,
       previous_plural=TEXT, obsolete=st.booleans(), linenum=st.one_of(st.none(), st.integers(1, 99)))
def test_a_copy_is_what_polibs_constructor_makes_and_shares_no_list(
        msgid, msgstr, msgctxt, plural, plurals, comment, tcomment, occurrences, flags, previous,
        previous_ctxt, previous_plural, obsolete, linenum):
    e = polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=msgctxt, msgid_plural=plural, msgstr_plural=plurals,
                      comment=comment, tcomment=tcomment, occurrences=occurrences, flags=flags,
                      previous_msgid=previous, previous_msgctxt=previous_ctxt,
                      previous_msgid_plural=previous_plural, obsolete=obsolete, linenum=linenum)
    copy = catalog._copy(e)
    assert vars(copy) == vars(copy_the_long_way(e))
    assert not any(getattr(copy, name) is getattr(e, name) for name in ("occurrences", "flags", "msgstr_plural"))
