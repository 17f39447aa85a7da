"""Categories found in round 42 (new writers' read halves, then phrasings of my own): a history closed later in
its sentence ("-- she's been well for 12 years", "nothing like it since") after the closing words' own subject had
ended ConText's backward scope, with the controls that keep a risk current (the finding placed this week, or the
sentence going on to say it came back); reducing something ("cutting back on coffee", "cut down on the drinking")
is not a cut; a screen's risk item answered in the scale's own words ("EPDS Q10 'sometimes'"); "not assessed" as it is
often misspelt. Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import analyse, read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


# --- a history closed later in its sentence -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Long before she had children she had two admissions for mania -- she's been completely well for 12 years on "
    "lithium. She wants help with a dispute with her eldest.",
    "He took an overdose at university -- he has been fine for over twenty years and wants IPT for a new job.",
    "Self-harmed with a blade through her late teens, but she's 38 now, married, nothing of the sort since.",
    "Heard voices after a cannabis binge in his twenties -- no episodes since.",
])
def test_a_history_closed_later_in_its_sentence_is_past(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    # the finding's own clause is placed now
    "Cutting again this week -- first time in years, nothing like it since she was 15.",
    # ... or in a recent window
    "disclosed she cut her thigh ~4 wks ago, first time since teens; healed; no self-harm since.",
    # the sentence goes on to say it came back
    "Two admissions for mania before the kids -- well for 12 years until last month, now barely sleeping.",
    "He took an overdose at university -- he has been fine for twenty years but this week said he'd be better off dead.",
    # a closing in another sentence does not reach back
    "Says she wants to die. Her brother had an overdose at 20 and has been well for years.",
])
def test_a_closing_does_not_date_what_the_sentence_keeps_current(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None, (text, r.risk.level, r.risk.kinds)


# --- reducing something is not a cut --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "cutting back on coffee, headaches from the withdrawal are murder",
    "She's cut down on the wine since the new year and is sleeping better.",
    "cutting ties with her old friends from the estate",
])
def test_cutting_back_is_not_self_harm(text: str) -> None:
    r = _read(text)
    assert "self_harm" not in r.risk.kinds and r.risk.level is None, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "cutting again, 3x this wk, hides it under long sleeves",
    "cut down on cutting but still doing it most nights",
    "tried to cut back. cutting less but deeper",
])
def test_a_cut_beside_the_phrasal_verb_is_still_read(text: str) -> None:
    r = _read(text)
    assert "self_harm" in r.risk.kinds and r.risk.level is not None, (text, r.risk.level, r.risk.kinds)


# --- a screen's risk item answered in the scale's own words --------------------------------------------------------

def _risk(text: str) -> list[tuple[str, str]]:
    """The risk findings of the rules and probes alone, as the notes read bullets."""
    return [(s.category, s.assertion) for s in analyse(text, reader=False).items if s.family == "risk" and s.level]


@pytest.mark.parametrize("text", [
    'EPDS 21, Q10 "sometimes"',
    "EPDS 14 - item 10: hardly ever",
    "EPDS q10 yes, quite often",
    "PHQ-9 17, item 9 'several days'",
    "PHQ9 q9: more than half the days",
])
def test_a_risk_item_answered_above_zero_in_words_is_risk(text: str) -> None:
    assert any(a == "present" for _, a in _risk(text)), (text, _risk(text))


@pytest.mark.parametrize("text", [
    "EPDS 9, q10: never",
    "EPDS 8, Q10 'never'",
    "PHQ9 q9 = not at all",
    "EPDS 12 (q10 0)",
])
def test_a_risk_item_answered_zero_is_not_risk(text: str) -> None:
    assert not any(a == "present" for _, a in _risk(text)), (text, _risk(text))


# --- "not assessed" misspelt -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["risk not assesed as client left", "SI not asessed today", "SH not assesd - ran out of time"])
def test_not_assessed_misspelt_is_not_assessed(text: str) -> None:
    found = [(s.category, s.assertion) for s in analyse(text, reader=False).items if s.family == "risk"]
    assert found and all(a == "not_assessed" for _, a in found), (text, found)


# --- in the notes -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bullets, status", [
    ("S4/16 role transition, new mum\nEPDS 21, Q10 'sometimes'\nplan: perinatal MH referral", "present"),
    ("S4/16 role transition, new mum\nEPDS 8, Q10 = 0\nplan: continue timeline", "denied"),
    ("sess 9 grief (grandad)\nleft at 25 min, wouldn't stay\nrisk not assesed as client left\nnext: revisit risk",
     "not_assessed"),
])
def test_the_note_reads_the_risk_status(bullets: str, status: str) -> None:
    from assistant.notes.drafting import draft_note

    note = draft_note(bullets, get_catalog(), None, format="soap")
    assert note.facts.risk.status == status, (bullets, note.facts.risk.status)
