"""Faithful paraphrases found flagged in round 41 (a new writer's read half), written as categories with phrasings of my
own: a risk the bullets give as history retold with the session it was reported at, the reporting verb "replied"; and a
denial of harm to others the bullets never wrote, and a meeting they never had, which must still be flagged.
Each is paired with an invention of the same shape that must still be flagged."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog


def _checked(bullets: str, draft: str, fmt: str = "dap"):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format=fmt)


def _unsupported(note) -> list[str]:  # noqa: ANN001
    return [f.span or "" for f in note.flags if f.code == "unsupported_claim"]


def test_a_denial_of_harm_to_others_the_bullets_never_wrote_is_flagged() -> None:
    note = _checked("S6 RT: new baby, 3 mo pp\nEPDS 14\nrisk: denies thoughts of self-harm",
                    "Data: She denies any thoughts of harming others.\nAssessment: Transition.\nPlan: Review.")
    assert _unsupported(note), note.flags


_HISTORY = ("S9 RD w/ sister\ncalled pt, spoke 10 min\nasked re safety (hx passive SI at S4): 'no, nothing like that'\n"
            "rebooked Thurs")


@pytest.mark.parametrize("sentence", [
    "Given the passive suicidal ideation she reported at session 4, the therapist asked about her safety.",
    "Because of her previous passive suicidal ideation, the therapist checked on her safety.",
])
def test_a_risk_the_bullets_give_as_history_retold_as_past_stands(sentence: str) -> None:
    note = _checked(_HISTORY, f"Data: {sentence} She said, 'No, nothing like that.'\nPlan: Rebooked for Thursday.")
    assert not any("suicid" in u.lower() for u in _unsupported(note)), note.flags


def test_the_same_risk_reported_as_current_is_flagged() -> None:
    note = _checked(_HISTORY, "Data: She reports passive suicidal ideation this week.\nPlan: Rebooked for Thursday.")
    assert _unsupported(note) or note.mode != "llm", note.flags


def test_a_reply_stands() -> None:
    bullets = "S12 phone contact\nasked re mood: 'up and down'\nrebooked Thurs"
    note = _checked(bullets, "Data: Asked about her mood, she replied that it was 'up and down'.\nPlan: Rebooked for Thursday.")
    assert not _unsupported(note), note.flags


def test_a_meeting_the_bullets_never_had_is_flagged() -> None:
    note = _checked("S10 RD w/ manager\nmanager moved pt's project w/o telling her\nrole played opening line",
                    "Data: Her manager moved her project without telling her. She later confronted him at the "
                    "Christmas party in front of the whole department.\nPlan: Continue.")
    assert _unsupported(note) or note.mode != "llm", note.flags
