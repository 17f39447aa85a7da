"""Faithful paraphrases found flagged in round 40 (a new writer's read half), written as categories with phrasings of my
own: a diagnosis written out where the bullets give its initials (or the other way round), the reporting verb "admit",
"the incident" referring back to an event the bullets record, and "access" in a statement of means. Each is paired with
an invention of the same shape that must still be flagged."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog


def _checked(bullets: str, draft: str, fmt: str = "dap"):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format=fmt)


def _unsupported(note) -> list[str]:  # noqa: ANN001
    return [f.span or "" for f in note.flags if f.code == "unsupported_claim"]


@pytest.mark.parametrize("bullets, sentence", [
    ("S1 of 16\nexplained IPT model, gave dx of MDD and sick role", "She was given a diagnosis of major depressive disorder."),
    ("S2 of 16\nPTSD dx by GP 2022, flashbacks stable", "He has a diagnosis of post-traumatic stress disorder from 2022."),
])
def test_a_diagnosis_in_initials_or_written_out_is_the_same_diagnosis(bullets: str, sentence: str) -> None:
    note = _checked(bullets, f"Data: {sentence}\nAssessment: Initial phase.\nPlan: Continue.")
    assert not [u for u in _unsupported(note) if "disorder" in u.lower() or u.upper() in ("GAD", "PTSD", "MDD")], note.flags


def test_a_diagnosis_the_bullets_never_gave_is_still_flagged() -> None:
    note = _checked("S1 of 16\nexplained IPT model, gave dx of MDD and sick role",
                    "Data: She was given a diagnosis of MDD.\nAssessment: She also meets criteria for PTSD.\nPlan: Continue.")
    assert any("PTSD" in u for u in _unsupported(note)), note.flags


_INCIDENT = ("s11 RD w/ partner\npt says partner threw her phone at the wall Fri, kids in the house\n"
             "safeguarding referral made today with her consent\nadmits she didn't tell her mum")
_SCRATCHING = ("s4/16 RT: separation\nSH: scratching arms when overwhelmed, no wounds needing tx\n"
               "passive SI: 'if it gets worse I don't want to be around' - no plan/intent")


def _flagged(note) -> bool:  # noqa: ANN001
    return bool(_unsupported(note)) or any(f.code == "fallback_offline" for f in note.flags)


@pytest.mark.parametrize("bullets, draft", [
    # "admitted" reports; "the incident" refers back to the event the bullets record
    (_INCIDENT, "Data: She reported that her partner threw her phone at the wall on Friday while the children were in the "
                "house. She admitted she had not told her mother.\nAssessment: The children were in the house during the "
                "incident.\nPlan: A safeguarding referral was made today with her consent."),
    # "requiring" for "needing", "her condition worsens" for "it gets worse"
    (_SCRATCHING, "Data: She scratches her arms when overwhelmed, with no wounds requiring treatment. She described passive "
                  "suicidal ideation: if her condition worsens she does not want to be around; she has no plan or "
                  "intent.\nAssessment: Risk is documented as above.\nPlan: Continue role transition work."),
])
def test_paraphrase_words_retell_what_the_bullets_record(bullets: str, draft: str) -> None:
    note = _checked(bullets, draft)
    assert not _unsupported(note), note.flags


@pytest.mark.parametrize("bullets, draft", [
    (_INCIDENT, "Data: Her partner threw her phone at the wall on Friday.\nAssessment: There was a second incident at her "
                "sister's flat on Sunday.\nPlan: A safeguarding referral was made today."),
    (_SCRATCHING, "Data: She scratches her arms when overwhelmed. Last month one wound required stitches at the "
                  "hospital.\nAssessment: Risk is documented as above.\nPlan: Continue."),
])
def test_the_same_words_with_a_new_fact_are_still_flagged(bullets: str, draft: str) -> None:
    assert _flagged(_checked(bullets, draft))


def test_a_reduced_appetite_in_a_list_of_symptoms_is_a_state_not_a_change() -> None:
    bullets = "S1 of 16\nsx: poor sleep ~4hrs, appetite down, crying in car\nexplained IPT model"
    state = _checked(bullets, "Data: He reports sleeping about four hours, a reduced appetite and crying in the car.\n"
                              "Assessment: Initial phase.\nPlan: Continue.")
    assert not [f for f in state.flags if f.code == "unsupported_claim" and "reduc" in (f.span or "")], state.flags
    # the same form over a noun no line says is down: a change claimed in disguise
    change = _checked("S5 of 16\nstill drinking wine most nights\nrole play re sister",
                      "Data: She drinks wine most nights, with a reduced intake.\nAssessment: Middle phase.\nPlan: Continue.")
    assert any(f.code in ("unsupported_claim", "fallback_offline") for f in change.flags), change.flags
