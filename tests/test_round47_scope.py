"""Categories taken in round 47, each with the control that keeps the other reading. In the signal layer: a relation
alone in brackets glosses the event before it, not what follows; a relation's name set off in commas; the subject of a
clause under a verb of knowing holds that clause only; a source of an unusual experience named ("turned out her manager was calling", "it
was her cousin"), and what keeps psychosis even so; PTSD symptoms in everyday words. In the notes: an attempt denied
in plain words, "never" for a denial reaching back with "prev" or "ever", severity said of its subject, what is said to
be in place, an assessment still to be done, a denial of now in the bullets' words, and a relation's overdose retold."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _flagged(draft: str, bullets: str) -> list[tuple[str, str]]:
    """(kind, span) of each problem the fact check finds in ``draft`` against ``bullets`` (the bullets' lines as the
    clauses, as ``ipt note`` passes them)."""
    from assistant.notes.factcheck import find_unsupported

    lines = [x for x in bullets.splitlines() if x.strip()]
    return [(p.kind, p.span) for p in find_unsupported(draft, bullets, get_catalog(), clauses=lines)]


# --- trauma: the event's people are not the one with the symptoms -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "DV hx 2019 (ex), wakes screaming most nights, jumps when the door goes",
    "RTA 2021, wakes up sweating most nights, on edge in the car",
])
def test_trauma_symptoms_in_everyday_words_after_a_dated_event_are_the_clients(text: str) -> None:
    assert "trauma_focused_needed" in _read(text).stabilise_first, text


@pytest.mark.parametrize("text", [
    "her son was in a crash last yr - nightmares, won't get in a car",
    "assault in 2015, used to wake screaming, well since",
    "Pt's brother has PTSD from Afghanistan - flashbacks, drinks to sleep",
])
def test_someone_elses_trauma_or_trauma_over_is_not_the_clients(text: str) -> None:
    assert "trauma_focused_needed" not in _read(text).stabilise_first, text


def test_a_relation_named_in_commas_still_holds_its_clause() -> None:
    r = _read("Grief focus after his best friend, Dan, died of an overdose in December.")
    assert r.risk.level is None or "suicide_plan" not in r.risk.kinds, r.risk


def test_a_relation_that_knows_of_someone_elses_act_leaves_the_client_after_the_break() -> None:
    r = _read("worried her son is cutting - found blades in his room")
    assert "self_harm" not in r.risk.kinds or r.risk.assertion == "other_person", r.risk


# --- psychosis: the source named ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "'hears her name called' at work - turned out her manager was calling from the next office",
    "says she heard someone call her name in Tesco - it was her cousin, waving at her",
])
def test_an_experience_whose_source_is_named_is_not_psychosis(text: str) -> None:
    assert "psychosis" not in _read(text).risk.kinds, text


@pytest.mark.parametrize("text", [
    "hearing voices again, turned out she'd stopped her meds",
    "hears a voice telling her she's evil - says it was the devil",
    "heard her name called in an empty flat - it was a voice she didn't recognise",
])
def test_a_source_that_explains_nothing_keeps_psychosis(text: str) -> None:
    assert "psychosis" in _read(text).risk.kinds, text


# --- notes: an attempt denied in plain words -----------------------------------------------------------------------------

_PASSIVE = "s8 RD w husband\nSI - passive, wishes she wouldn't wake up, no plan\n"


@pytest.mark.parametrize("draft", ["She has never tried to end her life.", "She has never attempted suicide.",
                                   "She has never made a suicide attempt."])
def test_an_attempt_denied_in_plain_words_stands_for_the_bullets_prev_attempts(draft: str) -> None:
    assert _flagged(draft, _PASSIVE + "nil prev attempts") == []


@pytest.mark.parametrize("draft", ["She has never tried to end her life.", "She has never attempted suicide."])
def test_an_attempt_denied_is_flagged_where_the_bullets_deny_only_a_plan(draft: str) -> None:
    assert any(kind == "risk statement" for kind, _ in _flagged(draft, "s8 RD w husband\nSI - passive\nno plan")), draft


def test_ideation_denied_still_contradicts_ideation_documented() -> None:
    assert _flagged("She has no suicidal thoughts.", _PASSIVE + "nil prev attempts")


def test_ever_later_in_a_denial_grounds_never() -> None:
    bullets = "S10 RD w partner\nLee shouted + threw a mug at wall, didnt hit her. no physical harm to pt ever per pt"
    assert not [s for _, s in _flagged("She says Lee has never physically harmed her.", bullets) if s == "never"]
    flagged = _flagged("Lee has never hit her.", "S10 RD w partner\nLee shouted today, no harm today")
    assert any("never" in s for _, s in flagged), flagged


# --- notes: severity, what is in place, an assessment to come, a denial of now -------------------------------------------

def test_severity_said_of_its_subject_needs_a_score_in_the_clinical_range() -> None:
    assert _flagged("Her depressive symptoms remain significant.", "s8\nPHQ-9 18\nlow mood") == []
    assert ("claim", "significant") in _flagged("Her depressive symptoms remain significant.", "s8\nPHQ-9 7\nlow mood")
    assert ("claim", "significant") in _flagged("She has made significant progress.", "s8\nPHQ-9 18\nlow mood")
    coordinated = "Her depressive symptoms have come down a little since intake but remain significant."
    assert _flagged(coordinated, "s5\nPHQ-9 18 (was 21 at intake)") == []
    assert ("claim", "significant") in _flagged(coordinated, "s5\nPHQ-9 7 (was 21 at intake)")
    assert ("claim", "significant") in _flagged("Her symptoms have come down and her progress is significant.",
                                                "s5\nPHQ-9 18 (was 21 at intake)")


def test_in_place_needs_what_is_in_place_named_in_the_bullets() -> None:
    assert _flagged("Protective factors are in place.", "s8\nSI - passive\nprotective: kids, sister nearby") == []
    assert ("risk statement", "in place") in _flagged("A safety plan is in place.", "s8\nSI - passive\nprotective: kids")


def test_an_assessment_still_to_be_done_grades_nothing() -> None:
    bullets = "s2\nrisk - NOT asked (ran over), priority next sess"
    assert not [k for k in _flagged("Risk to be assessed as a priority next session.", bullets) if k[0] == "risk statement"]
    assert ("risk statement", "assessed as") in _flagged("Risk was assessed as low.", "s8\nSI - passive\nno plan")


def test_no_current_urges_for_the_bullets_no_urges_this_week() -> None:
    bullets = "IPT-A s6\nSH: last cut 5 wks ago, no urges this wk per pt, no SI"
    assert not [k for k in _flagged("No current self-harm urges reported.", bullets) if k[0] == "risk statement"]
    assert [k for k in _flagged("No current self-harm urges reported.", "s6\nSH: cut 2 days ago, urges daily")
            if k[0] == "risk statement"]


def test_a_relations_overdose_retold_is_not_the_clients_risk() -> None:
    bullets = "S7/16 grief - best friend (Dan) died overdose Dec\nSI/SH: denies"
    draft = "Session 7 of 16, with a grief focus after his best friend, Dan, died of an overdose in December."
    assert not [k for k in _flagged(draft, bullets) if k[0] == "risk statement"]


# --- notes: a session as "sesh N", deficits as "int deficits" ------------------------------------------------------------

def _facts(bullets: str):  # noqa: ANN202 - SessionFacts
    from assistant.notes.parse import parse_bullets

    return parse_bullets(bullets, get_catalog())


def test_sesh_and_its_number_is_the_session() -> None:
    assert _facts("sesh 5 - grief (baby lost at 22wks, Feb)\n- v upset").session == 5
    assert _facts("she has a sesh with her GP on the 5th\n- low mood").session is None


def test_int_deficits_after_the_session_is_the_agreed_focus() -> None:
    f = _facts("4/16 - int deficits\n- talked about school")
    assert (f.focal_area, f.focal_status) == ("interpersonal_deficits", "agreed")


def test_a_focus_said_to_have_been_changed_needs_the_bullets_to_change_it() -> None:
    from assistant.notes.factcheck import find_unsupported

    bullets = "sess 5/16, grief - twin brother (Mark) d. cancer 1y ago\nplan: consider telling mum how she felt"
    lines = bullets.splitlines()
    for draft in ("The focal area has now been changed to a role dispute with her mother.",
                  "The focus was changed to a role dispute."):
        found = find_unsupported(draft, bullets, get_catalog(), clauses=lines, focal=("grief", "agreed"))
        assert ("focal area", "role dispute") in [(p.kind, p.span) for p in found], draft
    kept = find_unsupported("The focus has now been changed to grief.", bullets, get_catalog(), clauses=lines,
                            focal=("grief", "agreed"))
    assert not [p for p in kept if p.kind == "focal area"]


def test_eased_and_lifted_stand_for_scores_that_fell_only() -> None:
    fell, rose = "sess 9 RT\nPHQ9 16 (was 20)", "sess 9 RT\nPHQ9 20 (was 16)"
    for draft in ("His depressive symptoms have eased.", "His mood has lifted."):
        assert _flagged(draft, fell) == [], draft
        assert _flagged(draft, rose), draft
        assert _flagged(draft, "sess 9 RT\nlow mood"), draft
    assert _flagged("His mood has deteriorated.", rose) == []
    assert _flagged("His mood has deteriorated.", fell)


def test_noticeably_is_a_size_the_scores_must_bear_out() -> None:
    small = "Goal: RT - moving to UK (S3/16)\nPHQ-9 16 (S1 17), GAD-7 13\nSI denied"
    assert ("claim", "noticeably") in _flagged("Her mood has lifted noticeably since the last session.", small)
    assert _flagged("Her mood has lifted noticeably.", "s8\nPHQ-9 8 (was 19 at intake)") == []
