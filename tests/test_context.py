"""What an article gives DeepL as context: its title and its lead, as plain text."""

from __future__ import annotations

from l10n import context
from l10n.extract import extract


def of(text: str) -> str | None:
    _skeleton, segments = extract(text)
    return context.of(segments)


BYLINE = "**Published**: 2026-04-02 | **Category**: science\n\n"
LEAD = ("The regional water board says the reservoir held 41 percent more water in March "
        "than a year before.")


def test_title_and_description():
    text = ('---\ntitle: "Reservoirs refill after a wet winter"\n'
            'description: "Spring rain lifted the levels of every lake in the valley."\n---\n\n'
            + BYLINE + LEAD + "\n")
    assert of(text) == ("Reservoirs refill after a wet winter\n"
                        "Spring rain lifted the levels of every lake in the valley.")


def test_summary_when_there_is_no_description():
    text = '---\ntitle: "Dry taps"\nsummary: "Two villages were without water for a day."\n---\n\nBody text here.\n'
    assert of(text) == "Dry taps\nTwo villages were without water for a day."


def test_first_paragraph_of_prose_when_the_front_matter_has_no_lead():
    text = ('---\ntitle: "Reservoirs refill"\n---\n\n# Reservoirs refill\n\n' + BYLINE
            + "## In short\n\n- " + LEAD + "\n- A second point that is not the lead at all, surely.\n")
    assert of(text) == "Reservoirs refill\n" + LEAD


def test_markup_urls_and_code_stay_home():
    text = ('---\ntitle: "Gauges online"\n---\n\nThe board put its [river gauges](https://water.example.test/g) '
            "online, with `gauge-cli` and a feed at <https://feed.example.test/x> for anyone.\n")
    found = of(text)
    assert found == "Gauges online\nThe board put its river gauges online, with and a feed at for anyone."
    assert "example.test" not in found and "gauge-cli" not in found


def test_cut_at_a_sentence_within_the_limit():
    long_lead = " ".join(f"Sentence number {i} describes one more reservoir in the valley." for i in range(40))
    text = f'---\ntitle: "Long"\ndescription: "{long_lead}"\n---\n\nBody.\n'
    found = of(text)
    assert len(found) <= context.MAX_CHARS and found.endswith("valley.")


def test_an_article_with_nothing_has_no_context():
    assert of("- 1\n- 2\n") is None
