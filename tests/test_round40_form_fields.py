"""Forms found in round 40 (a new writer's read half, then phrasings of my own): a risk section filled in as fields,
each item followed by its answer ("SI N / HI N / SH N", "SI: N  SH: Y", "HI/SI 0/0"). The answer after an item decides
that item, whatever a denial beside it reached; an answer that goes on into words of its own is no field's answer.
Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _kinds(text: str) -> set[str]:
    r = _read(text)
    return set(r.risk.kinds) if r.risk.level is not None else set()


@pytest.mark.parametrize("text", [
    "SI N",
    "SI - N",
    "Risk: SI N / HI N / SH N / DV N",
    "SH n, HTO n",
    "HI/SI 0/0, paranoia -",
    "SI/HI: N/N",
    "SI 0/10",
    "SI no   SH no   HI no",
])
def test_items_each_answered_no_are_a_negative_screen(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text, kind", [
    ("SI: N  SH: Y", "self_harm"),
    ("SI N\nSH Y", "self_harm"),
    ("DV: N, HI: N, SI: Y", "suicidal_ideation"),
    ("SI Y SH N", "suicidal_ideation"),
    ("SH: yes - cutting thighs most nights", "self_harm"),
])
def test_the_item_answered_yes_is_stated_whatever_the_others_say(text: str, kind: str) -> None:
    r = _read(text)
    assert r.risk.level == "risk" and kind in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "SI 3/10",                          # a rating above zero is no denial
    "SH N (cut last night)",            # the answer goes on: what follows is read for itself
    "SI: N, but says she'd be better off dead",
    "HI/SI: Y/N",                       # mixed answers to a paired item: one of them is stated
])
def test_an_answer_that_is_not_a_plain_no_leaves_the_risk(text: str) -> None:
    assert _read(text).risk.level is not None, text


def test_a_relatives_field_answered_yes_stays_the_relatives() -> None:
    assert _read("Mum's SI: Y").risk.level is None
    assert _read("SI: Y").risk.level == "risk"


@pytest.mark.parametrize("text", ["Safeguarding: ?? - contact arrangements with the ex not yet clarified", "DV: NK"])
def test_a_field_left_unknown_is_not_assessed(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "not_assessed", (text, r.risk.level, r.risk.assertion)


def test_a_question_mark_after_an_item_still_asks() -> None:
    assert _read("SI?").risk.level is not None


@pytest.mark.parametrize("text", ["mania screen (sleep, spending, speech) all WNL", "SI, SH, HI all negative"])
def test_a_list_answered_together_with_normal_results_is_denied(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.level)


def test_the_notes_read_a_field_form_as_a_negative_screen() -> None:
    from assistant.notes.drafting import draft_note

    denied = draft_note("S6 of 16\nRisk: SI N / SH N / HTO N\nrole play re asking sister for help", get_catalog(), None,
                        format="soap")
    assert "risk_present" not in {f.code for f in denied.flags}
    present = draft_note("S6 of 16\nRisk: SI N / SH Y / HTO N\nrole play re asking sister for help", get_catalog(), None,
                         format="soap")
    assert "risk_present" in {f.code for f in present.flags}


# --- a death told by its rites (round 40: a writer's read half, then my own phrasings) --------------------------------

@pytest.mark.parametrize("text", [
    "we buried my nan on friday and she hasn't slept since",
    "her da was waked last week; back at work already saying she's grand",
    "sat shiva for his mother last month, the quiet after is unbearable",
    "the janazah was on Sunday, he's been very flat since",
    "the inquest into her son's death is next month",
    "uncle 'at rest now' after a long illness, she nursed him for years",
    "our old dog was put to sleep in March and she can't stop crying",
])
def test_a_death_told_by_its_rites_is_a_death(text: str) -> None:
    assert any(s.category == "death" for s in _read(text).signals.items), text


@pytest.mark.parametrize("text", [
    "she buried herself in work after the divorce",
    "in the wake of the separation she moved back to her mum's",
    "crossed over the road to avoid her ex",
    "resting heart rate is fine, GP says, at rest she feels ok",
])
def test_the_same_words_in_everyday_use_are_no_death(text: str) -> None:
    assert not any(s.category == "death" for s in _read(text).signals.items), text


# --- a screen graded low by the clinician --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Risk: low", "RA completed: low", "risk r/v: remains low", "risk assessment done - low."])
def test_a_screen_graded_low_is_its_negative_result(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.assertion)


@pytest.mark.parametrize("text", ["Risk: low but rising since the court date", "Risk: low-moderate", "her RA flared up this week"])
def test_a_grade_with_more_after_it_or_another_ra_is_no_negative_screen(text: str) -> None:
    screens = [s for s in _read(text).signals.items if s.category == "risk_screen"]
    assert all(s.assertion != "negated" for s in screens), (text, screens)


def test_the_notes_file_a_screen_graded_low_as_a_denial_in_the_clinicians_words() -> None:
    from assistant.notes.drafting import draft_note
    from assistant.notes.parse import parse_bullets

    for line in ("RA completed: low", "RA completed - low"):
        note = draft_note(f"S3 of 16, role dispute w/ sister agreed\n{line}\ncomm analysis of Sunday's row",
                          get_catalog(), None, format="soap")
        assert line in note.text, note.text
        assert "risk_present" not in {f.code for f in note.flags}
        assert parse_bullets(f"S3 of 16\n{line}", get_catalog()).risk.status == "denied", line


def test_a_baby_put_to_sleep_is_no_death() -> None:
    assert not any(s.category == "death" for s in _read("the baby was put to sleep at 7 and slept through").signals.items)


# --- an age or school stage dated to the past, or the class a client teaches ---------------------------------------------

@pytest.mark.parametrize("text", [
    "checks the locks for hours, onset age 12, no life event",
    "OCD since childhood, onset aged 9; 41 now",
    "teaches Year 11 and her new head criticises her in front of staff",
    "hasn't had a close friend since high school, decades ago",
])
def test_a_past_or_taught_school_stage_is_no_adolescent_client(text: str) -> None:
    assert "ipt_a" not in _read(text).request.adaptations, text


@pytest.mark.parametrize("text", ["in year 10, being left out by her friends", "Year 9 girl, friendship fallout"])
def test_a_school_year_the_client_is_in_still_reads_as_adolescent(text: str) -> None:
    assert "ipt_a" in _read(text).request.adaptations, text


# --- "ending life" in a screen's shorthand, without the possessive ------------------------------------------------------

def test_thoughts_of_ending_life_without_a_possessive_is_ideation() -> None:
    assert _read("thoughts of ending life most nights, no plan").risk.level == "risk"
    r = _read("asked each separately at start: no thoughts of ending life or hurting self/others")
    assert r.risk.level is None and r.risk.assertion == "negated"


@pytest.mark.parametrize("text", ["trying to take life one day at a time", "ideas about taking life easy after retiring",
                                  "her mum is on end of life care"])
def test_life_taken_easy_or_one_day_at_a_time_is_no_ideation(text: str) -> None:
    assert "suicidal_ideation" not in _read(text).risk.kinds, text


def test_the_notes_file_the_screen_in_shorthand_as_a_denial() -> None:
    from assistant.notes.parse import parse_bullets

    parsed = parse_bullets("S12 joint w/ mum\nasked each separately at start: no thoughts of ending life or hurting "
                           "self/others\ncomm analysis of last wk's row", get_catalog())
    assert parsed.risk.status == "denied", parsed.risk.status


# --- a recent window is now ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Intake q 'Hurt yourself on purpose in past month?' - ticked 'sometimes'",
                                  "self-harmed in the past month", "SI in the past 2 weeks, passive",
                                  "burning her arm over the last fortnight"])
def test_risk_in_a_recent_window_is_current(text: str) -> None:
    assert _read(text).risk.level is not None, text


@pytest.mark.parametrize("text", ["SI in the past, none now", "suicidal thoughts in the past year, none now",
                                  "no SH in the past month"])
def test_risk_in_the_past_or_denied_for_the_window_is_not_current(text: str) -> None:
    assert _read(text).risk.level is None, text


@pytest.mark.parametrize("text", ["in foster care age 6-12 due to neglect; no current concerns",
                                  "self-harmed aged 14-16, nothing since uni"])
def test_a_stretch_of_life_by_its_ages_is_the_past(text: str) -> None:
    assert _read(text).risk.level is None, text


def test_an_age_beside_current_risk_does_not_date_it() -> None:
    assert _read("cutting most nights, she's 15").risk.level == "risk"
