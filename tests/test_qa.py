"""l10n.qa: the checks on the German itself, on a planted-error set and one rule at a time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from l10n import qa

DATA = yaml.safe_load((Path(__file__).parent / "data" / "qa_pairs.yaml").read_text(encoding="utf-8"))
PAIRS = DATA["pairs"]


def findings(case: dict) -> list[qa.Finding]:
    """What the checks find on one pair of the set (the consistency check against ``also``)."""
    policy = qa.Policy(register=case.get("register", DATA["register"]), glossary=DATA["glossary"],
                       lang=case.get("lang", "de"))
    found = qa.check(case["source"], case["translation"], policy)
    if "also" in case:
        uses = [qa.Use(case["source"], case["translation"], "a.po", 1),
                qa.Use(case["source"], case["also"], "b.po", 1)]
        found += [f for use, f in qa.consistency(uses, policy) if use.catalog == "a.po"]
    return found


def test_the_set_is_large_and_half_planted():
    planted = [c for c in PAIRS if c["expect"]]
    assert len(PAIRS) >= 86 and abs(len(planted) - len(PAIRS) / 2) <= 1
    assert {c["expect"] for c in planted} == set(qa.CODES)  # every check has planted errors


@pytest.mark.parametrize("case", PAIRS, ids=[f"{i:02d}-{c['expect'] or 'clean'}" for i, c in enumerate(PAIRS)])
def test_each_pair_gets_exactly_its_finding(case):
    codes = sorted({f.code for f in findings(case)})
    assert codes == ([case["expect"]] if case["expect"] else []), [str(f) for f in findings(case)]


def scores() -> dict[str, tuple[float, float, int, int, int]]:
    """Precision and recall per check over the set: (precision, recall, tp, fp, fn)."""
    out = {}
    for code in qa.CODES:
        tp = fp = fn = 0
        for case in PAIRS:
            fired = any(f.code == code for f in findings(case))
            wanted = case["expect"] == code
            tp += fired and wanted
            fp += fired and not wanted
            fn += wanted and not fired
        out[code] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn)
    return out


def test_precision_and_recall_per_check(capsys):
    table = scores()
    with capsys.disabled():
        print("\ncheck          precision  recall  (tp/fp/fn)")
        for code, (p, r, tp, fp, fn) in table.items():
            print(f"{code:<14} {p:9.2f}  {r:6.2f}  ({tp}/{fp}/{fn})")
    assert all(p == 1.0 and r == 1.0 for p, r, *_ in table.values()), table


# -- numbers and dates ----------------------------------------------------------------

@pytest.mark.parametrize("english, german", [
    ("It costs 1,000.5 units.", "Es kostet 1.000,5 Einheiten."),
    ("A rise of 10%.", "Ein Plus von 10 %."),
    ("A rise of 10%.", "Ein Plus von 10 Prozent."),
    ("They raised $5 million.", "Sie sammelten 5 Millionen Dollar ein."),
    ("They raised $5m.", "Sie sammelten 5 Mio. Dollar ein."),
    ("They raised $5 million.", "Sie sammelten 5.000.000 Dollar ein."),
    ("She came 3rd.", "Sie wurde 3."),
    ("The vote is on July 14, 2026.", "Die Abstimmung ist am 14. Juli 2026."),
    ("The vote is on Jan 3, 2026.", "Die Abstimmung ist am 3. Januar 2026."),
    ("It starts at 2:30 p.m.", "Es beginnt um 14:30 Uhr."),
    ("Two of 3 servers failed.", "Zwei von drei Servern fielen aus."),
    ("The model may fail.", "Das Modell kann versagen."),
    ("Helios-7B beats GPT-4 on the H100.", "Helios-7B schlägt GPT-4 auf der H100."),
    ("See [page 2](https://example.org/2024/10).", "Siehe [Seite 2](https://example.org/2024/10)."),
    ("Run `retry 5` first.", "Führe zuerst `retry 5` aus."),
    # currencies: the same one, however written
    ("The firm raised $5 million.", "Die Firma sammelte 5 Mio. US-Dollar ein."),
    ("The firm raised $5 million.", "Die Firma sammelte 5 Mio. $ ein."),
    ("The firm raised £5 million.", "Die Firma sammelte 5 Millionen Pfund ein."),
    ("A $2 billion deal.", "Ein 2-Milliarden-Dollar-Geschäft."),
    ("Dinner costs €45 per person.", "Das Abendessen kostet 45 € pro Person."),
    ("It costs CHF 20.", "Es kostet 20 Franken."),
    ("The eurozone grew by $5bn.", "Die Eurozone wuchs um 5 Mrd. Dollar."),
    ("They spent $5 million and €3 million.", "Sie gaben 5 Millionen Dollar und 3 Millionen Euro aus."),
    ("The firm raised $5 million.", "Die Firma sammelte 5 Millionen ein."),  # no currency: no swap
    # dates, ranges, scales, ordinals, groups as German news writes them
    ("The ruling came on July 14, 2026.", "Das Urteil fiel am 14.07.2026."),
    ("The ruling came on 14 July 2026.", "Das Urteil fiel am 14.7.2026."),
    ("The ruling came on 2026-07-14.", "Das Urteil fiel am 14. Juli 2026."),
    ("Prices rose 10-12%.", "Die Preise stiegen um 10–12 %."),
    ("Some 2.5m people watched.", "Rund 2,5 Mio. Menschen sahen zu."),
    ("A 5m wall.", "Eine 5 m hohe Mauer."),
    ("It was the 5th attempt.", "Es war der fünfte Versuch."),
    ("They had 10,000 users.", "Sie hatten 10 000 Nutzer."),
    ("Call +49 30 123 456 today.", "Ruf heute unter +49 30 123 456 an."),
    ("Version 2.1.", "Version 2.1."),
    ("OpenAI released GPT-4.1 today.", "OpenAI veröffentlichte heute GPT-4.1."),
    ("The train left at 10:45.", "Der Zug fuhr um 10.45 Uhr ab."),
    ("It runs from 9am to 5pm.", "Es läuft von 9 bis 17 Uhr."),
    ("Polls are open 8-6pm.", "Die Wahllokale sind von 8 bis 18 Uhr geöffnet."),
    ("A 10-year bond.", "Eine zehnjährige Anleihe."),
    ("It fell from 1,234 to 1,243.", "Es fiel von 1.243 auf 1.234."),  # order is not compared
    ("The session starts at noon.", "Die Sitzung beginnt um 12 Uhr."),
    ("Voting ends at midnight.", "Die Abstimmung endet um 24 Uhr."),
    ("Q3 results beat forecasts.", "Die Ergebnisse für das 3. Quartal übertrafen die Prognosen."),
    ("Q3 results beat forecasts.", "Die Q3-Ergebnisse übertrafen die Prognosen."),
    ("In FY2025 sales grew.", "Im Geschäftsjahr 2025 wuchs der Umsatz."),
    ("The bank lost €5bn.", "Die Bank verlor fünf Milliarden Euro."),
    ("The bank lost €1 million.", "Die Bank verlor eine Million Euro."),
    ("In the first quarter, sales fell.", "Im 1. Quartal sank der Umsatz."),
])
def test_equal_numbers_pass(english, german):
    assert qa.check(english, german, qa.Policy()) == []


@pytest.mark.parametrize("english, german, shown", [
    ("It costs 1,000.5 units.", "Es kostet 1.000,05 Einheiten.", "'1,000.5'"),
    ("A rise of 10%.", "Ein Plus von 1 %.", "'10'"),
    ("They raised $5 billion.", "Sie sammelten 5 Millionen Dollar ein.", "'$5 billion'"),
    ("The vote is on July 14, 2026.", "Die Abstimmung ist am 14. Juni 2026.", "'July'"),
    ("It starts at 2:30 p.m.", "Es beginnt um 2:30 Uhr.", "'2:30 p.m.'"),
    ("The firm raised $5 million.", "Die Firma sammelte 5 Millionen Euro ein.", "'5 Millionen Euro'"),
    ("The firm raised $5.", "Die Firma sammelte 5 € ein.", "'$5'"),
    ("The firm raised $5.", "Die Firma sammelte €5 ein.", "'€5'"),
    ("The firm raised £5 million.", "Die Firma sammelte 5 Mio. $ ein.", "'£5 million'"),
    ("It costs 3.5 billion euros.", "Es kostet 3,5 Milliarden Dollar.", "'3.5 billion euros'"),
    ("It costs CHF 20.", "Es kostet 20 Euro.", "'20 Euro'"),
    ("They spent $5 million and €3 million.", "Sie gaben 3 Millionen Dollar und 5 Millionen Euro aus.",
     "'3 Millionen Dollar', '5 Millionen Euro'"),
    ("The ruling came on July 14, 2026.", "Das Urteil fiel am 14.06.2026.", "'July'"),
    ("In 2025, 1,200 people left.", "2025 zogen 1.020 Menschen weg.", "'1,200'"),
    ("In 2025, 1,200 people left.", "2025 zogen 120 Menschen weg.", "'1,200'"),
    ("It runs from 9am to 5pm.", "Es läuft von 10 bis 17 Uhr.", "'9am'"),
    ("Voting ends at midnight.", "Die Abstimmung endet um 23 Uhr.", "'23 Uhr'"),
    ("Q3 results beat forecasts.", "Die Ergebnisse für das 2. Quartal übertrafen die Prognosen.", "'Q3'"),
    ("The bank lost €5bn.", "Die Bank verlor fünf Milliarden Dollar.", "'€5bn'"),
])
def test_different_numbers_are_named(english, german, shown):
    (finding,) = qa.check(english, german, qa.Policy())
    assert finding.code == "numbers" and finding.severity == "error" and shown in finding.message


def test_british_times_with_a_point_are_times_and_keep_no_full_stop():
    for english in ("The ferry leaves at 7.45pm.", "The ferry leaves at 7.45 pm.", "The ferry leaves at 7.45 p.m."):
        assert qa.check(english, "Die Fähre legt um 19.45 Uhr ab.", qa.Policy()) == []
        for wrong in ("17.45", "18.45"):  # 7.45pm is 19.45 Uhr
            (finding,) = qa.check(english, f"Die Fähre legt um {wrong} Uhr ab.", qa.Policy())
            assert finding.code == "numbers" and f"'{wrong} Uhr'" in finding.message
            assert "m.'" not in finding.message or "p.m.'" in finding.message
    (finding,) = qa.check("The ferry leaves at 7.45pm.", "Die Fähre legt um 17.45 Uhr ab.", qa.Policy())
    assert finding.message == "the translation lacks '7.45pm' of the source and has '17.45 Uhr', not in the source"


@pytest.mark.parametrize("english, german, shown", [
    ("Prices rose 2.5%.", "Die Preise stiegen um 2.5 Prozent.", "'2.5'"),
    ("Prices rose 2.5%.", "Die Preise stiegen um 2.5 %.", "'2.5'"),
    ("They built 1.5 million cars.", "Sie bauten 1.5 Millionen Autos.", "'1.5'"),
    ("It costs $1.5 million.", "Es kostet $1.5 Millionen.", "'1.5'"),
    ("It costs 1,000.5 euros.", "Es kostet 1,000.5 Euro.", "'1,000.5'"),
    ("The wall is 2.5 m high.", "Die Mauer ist 2.5 m hoch.", "'2.5'"),
])
def test_an_english_decimal_point_left_in_german_is_named(english, german, shown):
    for lang in ("de", "de-DE", "de_AT"):
        (finding,) = qa.check(english, german, qa.Policy(lang=lang))
        assert finding.code == "numbers" and finding.message.startswith(shown) and "comma" in finding.message


@pytest.mark.parametrize("english, german", [
    ("Version 2.1 is out.", "Version 2.1 ist erschienen."),
    ("OpenAI released GPT-4.1 today.", "OpenAI veröffentlichte heute GPT-4.1."),
    ("Python 3.12 costs nothing.", "Python 3.12 kostet nichts."),
    ("See section 3.2 for the 2.5% rule.", "Siehe Abschnitt 3.2 zur 2,5-Prozent-Regel."),
    ("The server 10.0.0.1 has 2.5 million users.", "Der Server 10.0.0.1 hat 2,5 Millionen Nutzer."),
    ("The ruling came on July 14, 2026.", "Das Urteil fiel am 14.07.2026."),
    ("The ferry leaves at 7.45pm.", "Die Fähre legt um 19.45 Uhr ab."),
    ("They built 1.5 million cars.", "Sie bauten 1,5 Millionen Autos."),
    ("Rule 2.5 applies to 3 cars.", "Regel 2.5 gilt für 3 Autos."),  # no quantity follows
])
def test_decimal_points_of_versions_sections_dates_and_times_are_german_too(english, german):
    assert qa.check(english, german, qa.Policy()) == []
    assert qa.check(english, german.replace("2,5", "2.5"), qa.Policy(lang="de_CH")) == []


def test_number_words_two_to_twelve_compare_by_value():
    (finding,) = qa.check("The city hired five new inspectors.", "Die Stadt stellte vier neue Prüfer ein.", qa.Policy())
    assert finding.message == "the translation lacks 'five' of the source and has 'vier', not in the source"
    (finding,) = qa.check("Three ministers resigned.", "Vier Minister traten zurück.", qa.Policy())
    assert "'Three'" in finding.message and "'Vier'" in finding.message
    for german in ("Drei Minister traten zurück.", "3 Minister traten zurück."):
        assert qa.check("Three ministers resigned.", german, qa.Policy()) == []
    assert qa.check("3 ministers resigned.", "Drei Minister traten zurück.", qa.Policy()) == []
    assert [f.code for f in qa.check("3 ministers resigned.", "Vier Minister traten zurück.", qa.Policy())] == [
        "numbers"]
    # a word with no number against it, a hyphenated one, "one"/"ein" and a capitalised noun stay quiet
    for english, german in [("The two of them left.", "Die beiden gingen."),
                            ("It took a decade.", "Es dauerte zehn Jahre."),
                            ("A five-year plan.", "Ein Fünfjahresplan."),
                            ("The team ignored it.", "Das Team ließ es außer Acht."),
                            ("One of them left.", "Einer von ihnen ging."),
                            ("Switch on two-factor login.", "Schalte die Zwei-Faktor-Anmeldung ein.")]:
        assert qa.check(english, german, qa.Policy()) == [], german


def test_a_number_the_source_lacks_is_named():
    (finding,) = qa.check("Prices rose.", "Die Preise stiegen um 7 %.", qa.Policy())
    assert finding.message == "the translation has '7', not in the source"


# -- the other checks ------------------------------------------------------------------

def test_quotes_follow_the_configured_style():
    german = "Er sprach von einer „Zeitenwende“."
    assert qa.check('He spoke of a "turning point".', german, qa.Policy()) == []
    (finding,) = qa.check('He spoke of a "turning point".', german, qa.Policy(quotes="»«"))
    assert finding.code == "quotes" and "use »…«" in finding.message
    assert qa.check('He spoke of a "turning point".', "Er sprach von einer »Zeitenwende«.",
                    qa.Policy(quotes="»«")) == []


def test_english_single_quotes_are_not_german_ones_but_apostrophes_pass():
    (finding,) = qa.check("She said: 'We won.'", "Sie sagte: 'Wir haben gewonnen.'", qa.Policy())
    assert finding.code == "quotes" and "'" in finding.message
    assert qa.check("It's on.", "Es geht los, sagt Max' Trainer, geht's?", qa.Policy()) == []
    assert qa.check("Rock 'n' roll is back.", "Der Rock 'n' Roll ist zurück.", qa.Policy()) == []
    assert qa.check("She said 'yes'.", "Sie sagte ‚ja‘.", qa.Policy()) == []
    assert [f.code for f in qa.check("She said 'yes'.", "Sie sagte ‘ja’.", qa.Policy())] == ["quotes"]


def test_austrian_german_writes_numbers_and_months_its_way():
    austrian = qa.Policy(lang="de_AT")
    assert qa.check("It cost 1,000.5 euros in January.", "Es kostete im Jänner 1.000,5 Euro.", austrian) == []
    assert [f.code for f in qa.check("It cost 1,000 euros.", "Es kostete 1.100 Euro.", austrian)] == ["numbers"]


def test_swiss_german_numbers_spelling_and_guillemets():
    swiss = qa.Policy(lang="de-CH", register="Sie", glossary={"road toll": "Straßengebühr"})
    for german in ("Es kostet 1'000.5 Franken.", "Es kostet 1’000.5 Franken."):
        assert qa.check("It costs 1,000.5 francs.", german, swiss) == []
    assert qa.check("It cost CHF 1,250,000.", "Es kostete 1'250'000 Franken.", swiss) == []
    assert [f.code for f in qa.check("It costs 1,000.5 francs.", "Es kostet 1.000,5 Franken.", swiss)] == [
        "numbers"]
    assert qa.check('He said "no".', "Er sagte «nein».", swiss) == []
    (finding,) = qa.check('He said "no".', "Er sagte „nein“.", swiss)
    assert finding.code == "quotes" and finding.message.endswith("use «…»")
    assert qa.check('He said "no".', "Er sagte „nein“.", qa.Policy(lang="de_CH", quotes="„“")) == []
    assert qa.check("The road toll rises.", "Die Strassengebühr steigt.", swiss) == []
    assert [f.code for f in qa.check("Do you know?", "Weisst du es?", swiss)] == ["formality"]


def test_swiss_german_writes_the_decimal_comma_outside_prices_and_the_point_in_them():
    swiss = qa.Policy(lang="de-CH")
    for german in ("Die Bank verdiente 2,5 Milliarden Franken.", "Die Bank verdiente 2.5 Milliarden Franken."):
        assert qa.check("The bank earned CHF 2.5 billion.", german, swiss) == []
    assert qa.check("It costs 1,000.5 francs.", "Es kostet 1'000,5 Franken.", swiss) == []
    assert qa.check("It costs 1,000.5 francs.", "Es kostet 1’000,5 Franken.", swiss) == []
    (finding,) = qa.check("The bank earned CHF 2.5 billion.", "Die Bank verdiente 2,6 Milliarden Franken.", swiss)
    assert "'2,6 Milliarden Franken'" in finding.message
    # a lone comma before three digits is a thousands comma as English writes it, not 2.5
    assert [f.code for f in qa.check("It costs 2.5 francs.", "Es kostet 2,500 Franken.", swiss)] == ["numbers"]
    assert [f.code for f in qa.check("The bank earned 2.5 billion.", "Die Bank verdiente 2,5 Milliarden.",
                                     qa.Policy(lang="fr"))] == []  # not German: no numbers check


def test_quotes_in_code_and_html_attributes_are_not_prose():
    assert qa.check('Set `x = "y"` in <span title="a">the file</span>.',
                    'Setze `x = "y"` in <span title="a">der Datei</span>.', qa.Policy()) == []


@pytest.mark.parametrize("german, message", [
    ("Ist es sicher.", "ends without '?' as the source does"),
    (" Ist es sicher?", "starts with a space the source lacks"),
    ("Ist es  sicher?", "doubled space"),
    ("Ist es sicher ?", "space before '?'"),
    ("Ist es,z.B. sicher?", "no space after ','"),
])
def test_punctuation_and_spacing(german, message):
    found = [f.message for f in qa.check("Is it safe?", german, qa.Policy())]
    assert any(m.startswith(message) for m in found), found


def test_an_ellipsis_after_a_space_is_german_style():
    assert qa.check("Wait...", "Warte ...", qa.Policy()) == []
    assert qa.check("Wait...", "Warte …", qa.Policy()) == []
    assert [f.message for f in qa.check("Wait.", "Warte .", qa.Policy())] == ["space before '.'"]


def test_abbreviations_need_their_space():
    (finding,) = qa.check("Some, e.g. cities, pay.", "Einige, z.B. Städte, zahlen.", qa.Policy())
    assert finding.message == "'z.B.' without its space: write 'z. B.'"


def test_untranslated_needs_four_english_words():
    assert qa.check("Open Source Initiative", "Open Source Initiative", qa.Policy()) == []
    (finding,) = qa.check("The lab is in Berlin.", "The lab is in Berlin.", qa.Policy())
    assert finding.code == "untranslated"


def test_formal_sie_at_a_sentence_start_is_ambiguous():
    du = qa.Policy(register="du")
    assert qa.check("She left. They stayed.", "Sie ging. Sie blieben.", du) == []
    assert qa.check("(They agreed.) Fine: they left.", "(Sie stimmten zu.) Gut: Sie gingen.", du) == []
    (finding,) = qa.check("Can you see it?", "Können Sie es sehen?", du)
    assert finding.code == "formality" and "'Sie'" in finding.message


def test_formal_sie_opening_a_sentence_that_speaks_to_the_reader():
    du = qa.Policy(register="du")
    assert [f.code for f in qa.check("You can update now.", "Sie können jetzt aktualisieren.", du)] == [
        "formality"]
    assert [f.code for f in qa.check("Your data is safe.", "Ihre Daten sind sicher.", du)] == ["formality"]
    # a third person in the English: the German may mean her or them
    assert qa.check("They told you so.", "Sie haben es dir gesagt.", du) == []
    assert qa.check("You know the app. It works offline.", "Du kennst die App. Sie funktioniert offline.", du) == []
    assert qa.check("You know her: she never gives up.", "Du kennst sie: Sie gibt nie auf.", du) == []
    assert qa.check("You are all welcome.", "Ihr seid alle willkommen.", du) == []  # informal plural


def test_no_register_configured_means_no_register_check():
    assert qa.check("Can you see it?", "Kannst du es sehen?", qa.Policy()) == []
    assert qa.check("Can you see it?", "Können Sie es sehen?", qa.Policy()) == []
    (finding,) = qa.check("Can you see it?", "Kannst du es sehen?", qa.Policy(register="Sie"))
    assert "'du'" in finding.message and "'kannst'" in finding.message.lower()
    sie = qa.Policy(register="Sie")
    assert qa.check("He left in haste.", "Er ging in aller Hast.", sie) == []  # the noun
    assert [f.code for f in qa.check("You have it.", "Jetzt hast es.", sie)] == ["formality"]
    assert [f.code for f in qa.check("Thank you.", "Danke Dir.", sie)] == ["formality"]


def test_the_informal_plural_ihr_is_flagged_on_a_sie_site_when_certain():
    sie = qa.Policy(register="Sie")
    (finding,) = qa.check("Have you all read it?", "Habt ihr es alle gelesen?", sie)
    assert finding.code == "formality" and "'Habt ihr'" in finding.message
    for english, german in [("You are all welcome.", "Ihr seid alle willkommen."),
                            ("Can you all come?", "Könnt ihr alle kommen?"),
                            ("Do you all know?", "Wisst ihr es alle?"),
                            ("We will call you.", "Wir rufen euch an.")]:
        assert [f.code for f in qa.check(english, german, sie)] == ["formality"], german
    # dative "her", the possessive, formal "Ihr": not the informal plural
    for english, german in [("He gave her the book.", "Er gab ihr das Buch."),
                            ("Your car is red.", "Ihr Auto ist rot."),
                            ("She has her own room.", "Sie hat ihr eigenes Zimmer."),
                            ("They have helped her.", "Sie haben ihr geholfen."),
                            ("She is sorry.", "Es tut ihr leid.")]:
        assert qa.check(english, german, sie) == [], german


def test_glossary_accepts_inflected_forms_and_compounds():
    terms = qa.Policy(glossary={"data centre": "Rechenzentrum", "Helios": "Helios"})
    for german in ("Zwei Rechenzentren schließen.", "Die Rechenzentrumsbetreiber klagen."):
        assert qa.check("Two data centres close.", german, terms) == []
    (finding,) = qa.check("The data centre closes.", "Das Datenzentrum schließt.", terms)
    assert finding.message == "glossary: 'data centre' should be 'Rechenzentrum'"
    assert qa.check("Helios is fast.", "helios ist schnell.", terms)[0].code == "glossary"


# -- severities and silencing ------------------------------------------------------------

def test_severity_per_code_and_off():
    policy = qa.Policy(severities={**qa.DEFAULTS, "numbers": "warning", "quotes": "off"})
    found = qa.check('Up "10%".', 'Plus "11 %".', policy)
    assert [(f.code, f.severity) for f in found] == [("numbers", "warning")]


def test_silencing_by_flag_or_translator_comment():
    assert qa.silenced(["ignore-numbers"], "") == {"numbers"}
    assert qa.silenced([], "checked with the desk\nl10n: ignore numbers, quotes") == {"numbers", "quotes"}
    assert qa.silenced(["no-c-format"], "see the ticket") == frozenset()
    assert qa.check("Up 10%.", "Plus 11 %.", qa.Policy(), silence={"numbers"}) == []


def test_a_silence_waits_while_its_entry_is_fuzzy():
    # a machine draft, or a reviewed translation whose English changed: nobody vouched for it
    assert qa.silenced(["fuzzy", "ignore-numbers"], "l10n: ignore quotes") == frozenset()
    assert qa.silencers(["fuzzy", "ignore-numbers"], "l10n: ignore quotes") == ["numbers", "quotes"]


def _all_silencers(flags: list[str], comment: str) -> list[str]:
    """:func:`qa.silencers` without its shortcut: every comment searched."""
    codes = [f[len("ignore-"):] for f in flags if f.startswith("ignore-")]
    for m in qa._IGNORE_COMMENT.finditer(comment or ""):
        codes.extend(c for c in re.split(r"[\s,]+", m.group(1).strip()) if c)
    return list(dict.fromkeys(codes))


_PIECES = st.sampled_from(["l10n: ignore ", "L10N:IGNORE\t", "l10n:", "l1On:", "ignore", "İGNORE", " ", ",", "\n",
                           "numbers", "quotes", "1", "0", "ignore-", "fuzzy", "x"])


@given(flags=st.lists(st.builds("".join, st.lists(_PIECES, max_size=4))),
       comment=st.none() | st.builds("".join, st.lists(_PIECES | st.text(max_size=3), max_size=12)))
def test_silencers_shortcut_finds_what_a_full_search_finds(flags, comment):
    assert qa.silencers(flags, comment) == _all_silencers(flags, comment)
    if not _all_silencers(flags, comment):
        assert qa.unknown_silencers(flags, comment) == []


def test_unknown_silencers_are_named_with_the_closest_code():
    assert qa.unknown_silencers(["ignore-numbres", "ignore-quotes"], "l10n: ignore formalty, banana") == [
        "'numbres' names no check (did you mean 'numbers'?)",
        "'formalty' names no check (did you mean 'formality'?)",
        "'banana' names no check (checks: " + ", ".join(qa.CODES) + ")"]
    assert qa.unknown_silencers(["fuzzy", "ignore-glossary"], "l10n: ignore consistency") == []


def test_weblates_own_ignore_flags_are_not_taken_for_typos():
    # a catalog kept in Weblate carries its flags for Weblate's checks (ignore-end-stop, ...)
    assert qa.unknown_silencers(["ignore-end-stop", "ignore-same", "ignore-md-link"], "") == []
    assert qa.unknown_silencers(["ignore-end-stops"], "") != []  # near, but not Weblate's
    assert qa.unknown_silencers([], "l10n: ignore same") != []  # l10n's comment names l10n's checks


def test_consistency_names_the_other_translation_and_catalog():
    uses = [qa.Use("The probe continues.", "Die Untersuchung läuft.", "locales/de/a.po", 12),
            qa.Use("The probe continues.", "Die Ermittlungen dauern an.", "locales/de/b.po", 40),
            qa.Use("The probe continues.", "Die Untersuchung läuft.", "locales/de/c.po", 7,
                   frozenset({"consistency"}))]
    found = {(u.catalog, f.message) for u, f in qa.consistency(uses, qa.Policy())}
    assert found == {("locales/de/a.po", "'Die Untersuchung läuft.' here, also translated 'Die Ermittlungen dauern an.' (locales/de/b.po:40)"),
                     ("locales/de/b.po", "'Die Ermittlungen dauern an.' here, also translated "
                                         "'Die Untersuchung läuft.' (locales/de/a.po:12); "
                                         "'Die Untersuchung läuft.' (locales/de/c.po:7)")}


def test_other_target_languages_get_only_the_language_free_checks():
    french = qa.Policy(lang="fr", glossary={"data centre": "centre de données"})
    assert qa.check('Up 5% in "May".', 'En hausse de 5 % en « mai ».', french) == []
    assert [f.code for f in qa.check("The data centre is full.", "The data centre is full.", french)] == [
        "untranslated", "glossary"]
    assert [f.code for f in qa.check("The data centre is full.", "Le site est plein.", french)] == ["glossary"]
