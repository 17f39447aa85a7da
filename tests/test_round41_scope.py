"""Categories found in round 41 (two new writers' read halves, then phrasings of my own): a checklist's boxes (after
their items; boxes before their items are read as before), a field left with "?" because the session ended, a
relative's relative clause that ends at "and says she", a client described before the possessive ("a grief client's
son"), the frame of a denial read alone, weariness of being alive, and a goodbye to someone who died.
Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


# --- a checklist's boxes ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    ("Intake checklist: Thoughts of death [x]  Plan [ ]  Previous attempt [ ]", "suicidal_ideation"),
    ("SI [ ]  SH [x]  HI [ ]", "self_harm"),
    ("Screen — self-harm [✓]  suicidal thoughts [ ]", "self_harm"),
])
def test_a_ticked_box_states_its_item(text: str, kind: str) -> None:
    r = _read(text)
    assert r.risk.level == "risk" and kind in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "SI [ ]  SH [ ]  HI [ ]  low mood [x]  poor sleep [x]",
    "thoughts of ending life [ ]  self-harm [ ]  sleep problems [x]",
])
def test_empty_boxes_beside_ticked_ones_are_no(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.level, r.risk.kinds)


def test_boxes_before_their_items_answer_what_follows() -> None:
    r = _read("[x] denies SI   [x] denies thoughts of harming baby   [x] denies SH")
    assert r.risk.level is None and r.risk.assertion == "negated", (r.risk.level, r.risk.kinds)


def test_a_line_of_empty_boxes_alone_is_no_denial() -> None:
    # nothing on the line was ticked: the form may not have been filled in, so the items stay to ask about
    assert _read("SI [ ]  SH [ ]  HI [ ]").risk.level is not None


# --- a field left open because the session ended ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "SH: ? — pt left before we covered it.",
    "SI - client had to leave early",
    "SI: ? - session ended before we got there",
])
def test_a_field_left_because_the_session_ended_is_not_assessed(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "not_assessed", (text, r.risk.level, r.risk.assertion)


def test_a_field_with_a_lone_question_mark_stays_a_question() -> None:
    assert _read("SI: ?").risk.level is not None


# --- a relative's partner ---------------------------------------------------------------------------------------------

def test_a_relatives_partner_taking_her_keys_is_not_the_clients() -> None:
    r = _read("her sister's husband took her phone and keys")
    assert r.risk.level is None, r.risk.kinds


# --- whose words after a relative clause --------------------------------------------------------------------------------

def test_and_says_she_after_a_relatives_clause_is_the_client_again() -> None:
    r = _read("She talks about her twin who 'is with the angels now' and says she just wants to be with her again.")
    assert r.risk.level is not None, r.risk.assertion


def test_the_twins_own_words_stay_the_twins() -> None:
    r = _read("She talks about her twin who says she wants to be with their dad again.")
    assert r.risk.level is None or r.risk.assertion != "present" or "other_person" in {s.assertion for s in r.signals.items}


@pytest.mark.parametrize("text", [
    "A grief client's son self-harmed for years before he died in a car accident.",
    "my new IPT client's daughter has been cutting",
    "A client's son self-harmed for years.",
])
def test_a_described_clients_relative_is_someone_else(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "other_person", (text, r.risk.level, r.risk.assertion)


# --- the frame of a denial; weariness of being alive ------------------------------------------------------------------

def test_the_frame_of_a_denial_read_alone_adds_nothing() -> None:
    r = _read("she says he's never hit her or threatened her")
    assert r.risk.level is None and r.risk.assertion == "negated", (r.risk.level, r.risk.kinds)


def test_a_denial_with_a_risk_outside_it_still_reads_the_risk() -> None:
    assert _read("denies SI but has been giving her things away").risk.level is not None


@pytest.mark.parametrize("text", ["says she's done with life", "'I'm so tired of being alive'", "sick of living, she said"])
def test_weary_of_being_alive_is_ideation(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "suicidal_ideation" in r.risk.kinds, (text, r.risk.kinds)


@pytest.mark.parametrize("text", ["sick of living with her parents", "tired of life in the city",
                                  "fed up with life at home, wants to move out"])
def test_weary_of_a_way_of_living_is_not(text: str) -> None:
    assert _read(text).risk.level is None, text


# --- a goodbye to the dead ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Client wants to say goodbye to her mum who died before she got to the hospital.",
    "never got to say goodbye to her late husband",
    "said goodbye at the graveside, tearful",
])
def test_a_goodbye_to_someone_who_died_is_grief_not_a_farewell(text: str) -> None:
    assert _read(text).risk.level is None, text


@pytest.mark.parametrize("text", [
    "has been saying goodbye to friends, gave her dog to her sister",
    "said goodbye to everyone at work on Friday, very calm",
])
def test_a_goodbye_to_the_living_stays_a_warning_sign(text: str) -> None:
    assert _read(text).risk.level == "possible_risk", text
