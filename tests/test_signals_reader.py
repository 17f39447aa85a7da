"""The reader (a fine-tuned MiniLM, assistant/signals/reader.py) and how the signal layer reconciles the
rules' risk findings with it. The arbitration tests use a fake reader so each rule is pinned down; the
shipped-model tests use phrasings written for this file (not from any labelled split)."""

from __future__ import annotations

import hashlib

import pytest

from assistant.signals import read_text
from assistant.signals import reader as reader_module
from assistant.signals.reader import ASSERTION_CLASSES, READER_FILE, READER_SHA256, ReaderScores, arbitrate, units
from assistant.signals.types import Signal


def scores(current: float, topic: float = 0.9, **assertion: float) -> ReaderScores:
    dist = {a: 0.0 for a in ASSERTION_CLASSES}
    dist.update(assertion)
    return ReaderScores(current, current, topic, 0.0, dist)


class FakeReader:
    def __init__(self, table: dict[str, ReaderScores]) -> None:
        self.table = table
        self.history: list[str] = []

    def read(self, texts: list[str]) -> list[ReaderScores]:
        self.history += texts
        return [self.table[t] for t in texts]

    def prefetch(self, texts: list[str]) -> None:
        pass  # reads only when asked, so ``history`` is what arbitration read


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def install(table: dict[str, ReaderScores]) -> FakeReader:
        f = FakeReader(table)
        monkeypatch.setattr(reader_module, "get_reader", lambda: f)
        return f
    return install


def sig(text: str, start: int, end: int, category: str = "suicidal_ideation", assertion: str = "present",
        source: str = "semantic", level: str | None = "possible_risk") -> Signal:
    return Signal(category, start, end, text[start:end], assertion, "test", 0.7, source, level)  # type: ignore[arg-type]


def test_units_are_lines_and_long_lines_are_cut_at_sentences() -> None:
    text = "first line\n\n  second line  \n" + "A sentence that runs on. " * 30
    got = units(text)
    assert [text[a:b] for a, b in got[:2]] == ["first line", "  second line  "]
    long_parts = [text[a:b] for a, b in got[2:]]
    assert len(long_parts) >= 2 and all(len(p) <= 400 for p in long_parts)
    assert "".join(long_parts).split() == ("A sentence that runs on. " * 30).split()  # nothing lost


def test_a_unit_the_reader_reads_as_current_risk_gets_a_possible_risk(fake) -> None:  # type: ignore[no-untyped-def]
    text = "keeps saying everyone would manage fine without her"
    fake({text: scores(0.95)})
    out = arbitrate(text, [], lambda a, b: "suicidal_ideation")
    assert len(out) == 1
    s = out[0]
    assert (s.category, s.assertion, s.level, s.source) == ("suicidal_ideation", "present", "possible_risk", "reader")
    assert (s.start, s.end) == (0, len(text))


def test_a_unit_below_the_add_threshold_gets_nothing(fake) -> None:  # type: ignore[no-untyped-def]
    text = "tired after the night shift"
    fake({text: scores(reader_module.ADD - 0.01)})
    assert arbitrate(text, [], lambda a, b: "suicidal_ideation") == []


def test_a_risk_the_rules_found_is_not_added_twice(fake) -> None:  # type: ignore[no-untyped-def]
    text = "SI with a plan"
    fake({text: scores(0.99)})
    found = [sig(text, 0, 2, source="lexicon", level="risk")]
    assert arbitrate(text, found, lambda a, b: "suicide_plan") == found


def test_a_meaning_level_risk_the_reader_reads_as_no_risk_topic_is_dropped(fake) -> None:  # type: ignore[no-untyped-def]
    text = "absolutely killing it at the new job"
    fake({text: scores(0.01, topic=0.05)})
    assert arbitrate(text, [sig(text, 0, len(text))], lambda a, b: "harm_to_others") == []


def test_a_meaning_level_risk_the_reader_reads_as_a_mention_takes_its_assertion(fake) -> None:  # type: ignore[no-untyped-def]
    text = "her cousin used to cut when they were at school"
    fake({text: scores(0.02, topic=0.95, other_person=0.7, historical=0.2, present=0.05)})
    (s,) = arbitrate(text, [sig(text, 0, len(text), "self_harm")], lambda a, b: "self_harm")
    assert s.assertion == "other_person" and not s.present


def test_an_explicit_term_found_by_the_rules_is_never_taken_back(fake) -> None:  # type: ignore[no-untyped-def]
    text = "She is suicidal."
    fake({text: scores(0.02, topic=0.97, other_person=0.6, present=0.1)})
    found = [sig(text, 7, 15, source="lexicon", level="risk")]
    assert arbitrate(text, found, lambda a, b: "suicidal_ideation") == found


def test_an_explicit_term_the_rules_scoped_away_keeps_its_scope(fake) -> None:  # type: ignore[no-untyped-def]
    text = "her husband has been thinking of killing himself"
    fake({text: scores(0.9)})
    found = [sig(text, 33, 48, assertion="other_person", source="lexicon", level="risk")]
    assert arbitrate(text, found, lambda a, b: "suicidal_ideation") == found


def test_beside_a_scoped_explicit_term_another_sentence_of_the_line_is_read_on_its_own(fake) -> None:  # type: ignore[no-untyped-def]
    text = "Denies SI. Has been sleeping in the car so he can't find her"
    second = text[11:]
    f = fake({text: scores(0.6, topic=0.95, negated=0.5), second: scores(0.8, topic=0.9, present=0.9)})
    found = [sig(text, 7, 9, assertion="negated", source="lexicon", level="risk")]
    out = arbitrate(text, found, lambda a, b: "ipv")
    assert out[0] == found[0]  # the denial keeps its scope
    (s,) = out[1:]
    assert (s.text, s.assertion, s.level, s.category) == (second, "present", "possible_risk", "ipv")
    assert f.history == [text, second]


def test_a_sentence_read_on_its_own_below_the_add_threshold_adds_nothing(fake) -> None:  # type: ignore[no-untyped-def]
    text = "Denies SI. Enjoying the new job"
    fake({text: scores(0.6, topic=0.9, negated=0.8), "Enjoying the new job": scores(0.05, topic=0.05)})
    found = [sig(text, 7, 9, assertion="negated", source="lexicon", level="risk")]
    assert arbitrate(text, found, lambda a, b: "suicidal_ideation") == found


def test_a_mention_the_rules_did_not_find_is_added_without_a_level(fake) -> None:  # type: ignore[no-untyped-def]
    text = "her cousin used to cut when they were at school"
    fake({text: scores(0.05, topic=0.9, other_person=0.7)})
    (s,) = arbitrate(text, [], lambda a, b: "self_harm")
    assert (s.assertion, s.level, s.source) == ("other_person", None, "reader")
    assert not read_view([s]).is_risk


def read_view(items: list[Signal]):  # type: ignore[no-untyped-def]
    from assistant.signals.screens import risk_view
    from assistant.signals.types import Signals

    return risk_view(Signals("", items))


def test_between_the_thresholds_the_rules_stand(fake) -> None:  # type: ignore[no-untyped-def]
    # however sure the reader is of a mention that is not current ("negated" 0.95), between DROP and ADD a
    # risk found by meaning stands: a trade of recall for false alarms (README, sixteenth round)
    text = "not sleeping much, mind racing"
    fake({text: scores((reader_module.DROP + reader_module.ADD) / 2, topic=0.8, negated=0.95)})
    found = [sig(text, 0, len(text), "mania")]
    assert arbitrate(text, found, lambda a, b: "mania") == found


def test_each_line_is_read_on_its_own(fake) -> None:  # type: ignore[no-untyped-def]
    text = "PHQ-9 14\nsays she'd be better off not waking up"
    f = fake({"PHQ-9 14": scores(0.01, topic=0.1), "says she'd be better off not waking up": scores(0.9)})
    out = arbitrate(text, [], lambda a, b: "suicidal_ideation")
    assert f.history == ["PHQ-9 14", "says she'd be better off not waking up"]
    assert [s.text for s in out] == ["says she'd be better off not waking up"]


def test_the_off_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPT_READER", "off")
    reader_module.get_reader.cache_clear()
    try:
        assert reader_module.get_reader() is None
        text = "keeps saying everyone would manage fine without her"
        assert arbitrate(text, [], lambda a, b: "suicidal_ideation") == []
    finally:
        reader_module.get_reader.cache_clear()


def test_the_shipped_reader_is_the_recorded_one() -> None:
    assert hashlib.sha256(READER_FILE.read_bytes()).hexdigest() == READER_SHA256


@pytest.mark.parametrize("text", [
    "she told me she's 'had enough of all of it' and has been sorting out who gets her things",
    "her bf grabbed her by the neck during a row last weekend",
    # Missed until the twenty-first round: the old reader scored it 0.33, below its ADD of 0.5.
    "says it would be easier for everyone if he just wasn't around any more",
])
def test_plain_words_for_current_risk_are_read(text: str) -> None:
    r = read_text(text).risk
    assert r.is_risk, text


@pytest.mark.parametrize("text", [
    "she's absolutely smashing it in her new job and finally enjoying weekends",
    "dying to tell her sister about the engagement",
    "he cut back on takeaways and started running again",
])
def test_look_alikes_are_not_risk(text: str) -> None:
    assert not read_text(text).risk.is_risk, text


def test_a_denial_in_one_sentence_does_not_hide_the_next_sentence() -> None:
    r = read_text("Denies SI. Husband reads all her messages and decides who she is allowed to see.").risk
    assert r.is_risk and "ipv" in r.kinds
    assert not read_text("No SH. Enjoying the new job and sleeping better.").risk.is_risk


def test_the_notes_and_the_output_checks_do_not_use_the_reader(fake) -> None:  # type: ignore[no-untyped-def]
    from assistant.catalog import get_catalog
    from assistant.notes.parse import parse_bullets
    from assistant.signals.check import frame_flags, undoes_safety

    f = fake({})  # any read would raise KeyError
    parse_bullets("- s5/16 role dispute w/ husband\n- says everyone would manage fine without her", get_catalog())
    frame_flags("Explore the dispute with her husband and its stage.")
    undoes_safety("She says everyone would manage fine without her.")
    assert f.history == []


def test_ask_reads_the_question_through_the_reader(fake) -> None:  # type: ignore[no-untyped-def]
    text = "Session 5: she says everyone would manage fine without her. What next?"
    f = fake({text: scores(0.95)})
    reading = read_text(text)
    assert f.history == [text]
    assert reading.risk.level is not None


def test_a_prefetched_read_is_the_same_read_and_is_not_run_twice() -> None:
    texts = ["she has been giving her things away this week", "PHQ-9 14, sleeping better"]
    fresh = reader_module.Reader()
    expected = reader_module.Reader().read(texts)
    calls: list[list[str]] = []
    run = fresh._run

    def counting(batch: list[str]) -> list[ReaderScores]:
        calls.append(list(batch))
        return run(batch)

    fresh._run = counting  # type: ignore[method-assign]
    fresh.prefetch(texts)
    fresh.prefetch(texts)  # already in flight: not started again
    assert fresh.read(texts) == expected
    assert fresh.read(texts[:1]) == expected[:1]
    assert calls == [texts]


def test_a_failed_prefetch_is_read_again_in_the_foreground() -> None:
    fresh = reader_module.Reader()
    run = fresh._run
    attempts: list[int] = []

    def flaky(batch: list[str]) -> list[ReaderScores]:
        attempts.append(len(batch))
        if len(attempts) == 1:
            raise RuntimeError("background failure")
        return run(batch)

    fresh._run = flaky  # type: ignore[method-assign]
    fresh.prefetch(["keeps saying everyone would manage fine without her"])
    (r,) = fresh.read(["keeps saying everyone would manage fine without her"])
    assert attempts == [1, 1] and 0.0 <= r.current <= 1.0


def test_a_line_read_surely_as_current_risk_past_a_denied_term_gets_a_possible_risk(fake) -> None:  # type: ignore[no-untyped-def]
    # "no SI today (first time in weeks) - very calm, says she's 'got it all figured out'": the denial keeps its scope,
    # and the line, read surely as current risk, asks the clinician to ask directly
    text = "no SI today - very calm, says she's got it all figured out"
    fake({text: scores(0.9, topic=0.95, present=0.8)})
    found = [sig(text, 3, 5, assertion="negated", source="lexicon", level="risk")]
    out = arbitrate(text, found, lambda a, b: "suicide_plan")
    assert out[0] == found[0]
    (s,) = out[1:]
    assert (s.text, s.assertion, s.level, s.source) == (text, "present", "possible_risk", "reader")


@pytest.mark.parametrize("assertion,current,added", [
    ("negated", 0.84, False),  # below the bar: the denial stands
    ("hypothetical", 0.9, True),
    ("other_person", 0.95, False),  # someone else's: the rules' scope stands however the reader reads the line
    ("historical", 0.95, False),
    ("not_assessed", 0.95, False),
])
def test_which_scoped_terms_the_reader_reads_past(fake, assertion: str, current: float, added: bool) -> None:  # type: ignore[no-untyped-def]
    text = "her SH came up again and she got very quiet"
    fake({text: scores(current, topic=0.95, present=0.8)})
    found = [sig(text, 4, 6, assertion=assertion, source="lexicon", level="risk")]
    out = arbitrate(text, found, lambda a, b: "self_harm")
    assert (len(out) == 2) is added, out
