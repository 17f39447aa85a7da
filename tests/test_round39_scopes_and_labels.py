"""Forms found in round 39 (new writers' read halves, then phrasings of my own): the overall judgement
denied ("nil risk"); UK forms' HTS/HTO and crossed boxes before their items; a stated sobriety answers the reader's intoxication; a scale's range ("0-10") is
no zero score; methods outside the frame by their structure, and a note's line that opens with what was done. In the
notes: a group's session label, a done step that names a referral, goals in the plural, IPT set
aside, and risk dated to an earlier session denied today. Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _current(text: str) -> bool:
    return _read(text).risk.level is not None


def _offline(bullets: str, fmt: str = "soap"):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note

    return draft_note(bullets, get_catalog(), None, format=fmt)


# --- the overall judgement denied, UK screen shorthand ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["nil risk", "no current risk to self or others", "No risk issues today."])
def test_risk_denied_before_the_word_is_a_negative_screen(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.assertion)


def test_no_risk_of_something_else_is_no_screen() -> None:
    found = _read("no risk of losing the flat now the rent is paid").signals.items
    assert not any(s.category == "risk_screen" for s in found), found
    assert any(s.category == "risk_screen" for s in _read("no risk identified").signals.items)


@pytest.mark.parametrize("text", ["SI/HTO screen negative", "HTS/HTO: nil", "HTO denied"])
def test_harm_to_self_and_others_as_forms_write_them(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.kinds)


def test_hto_alone_is_harm_to_others() -> None:
    assert "harm_to_others" in _read("HTO - thoughts of hurting the neighbour, no plan").risk.kinds


# --- sobriety, a scale's range ---------------------------------------------------------------------------------------

def test_a_stated_sobriety_answers_intoxication() -> None:
    sober = _read("wakes needing a drink to steady the shakes, cans hidden under the bed; clear-headed and coherent today")
    assert sober.risk.level is None and "severe_substance_dependence" in sober.request.not_fit
    drunk = _read("wakes needing a drink to steady the shakes, slurring and unsteady in session today")
    assert drunk.risk.level is not None and "intoxication" in drunk.risk.kinds


def test_clear_headed_denies_intoxication_and_not_clear_headed_states_it() -> None:
    r = _read("clear headed in session today though drinks 2 bottles of red a night")
    assert r.risk.level is None and "severe_substance_dependence" in r.request.not_fit
    assert "intoxication" in _read("far from clear-headed today - slurring, unsteady on her feet").risk.kinds


def test_sober_for_years_is_no_sobriety_today() -> None:
    r = _read("sober 3 yrs after years of heavy drinking; Sat her ex turned up drunk at the door shouting he'd 'deal with her'")
    assert r.risk.level is not None


@pytest.mark.parametrize("text", ["Risk: ✗ SI ✗ SH ✗ HTO. Sleeping ok.", "✗ SI ✗ SH ✗ HI", "SI ✗ SH ✗ HI ✗"])
def test_crossed_boxes_before_or_after_their_items(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.kinds)


def test_a_crossed_box_answers_only_its_own_item() -> None:
    assert "self_harm" in _read("✗ SI ✓ SH (cut L arm Fri)").risk.kinds


def test_a_scales_range_is_no_zero_score() -> None:
    assert _read("- pt to keep a mood diary rated 0-10 with what she was thinking").request.out_of_frame == ["thought_records"]
    assert _read("PHQ-9 item 9 - 0").risk.assertion == "negated"


# --- methods by their structure --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, method", [
    ("Should I look at the evidence for/against her belief that she's a failure?", "cognitive_restructuring"),
    ("can I check with him whether it's really true that nobody at work likes him?", "cognitive_restructuring"),
    ("thinking of having her re-rate the belief after we list what supports it", "cognitive_restructuring"),
    ("I want to point out his anger at his mother is being displaced onto me", "transference_interpretation"),
    ("could she plan out her days - swim at 9, lunch with a friend at 1?", "behavioural_activation_schedule"),
    ("get him to write down every time he thinks he's useless, and what set it off", "thought_records"),
    ("would alternating left-right hand taps while she recalls the crash be ok?", "emdr"),
])
def test_methods_by_their_structure(text: str, method: str) -> None:
    assert method in _read(text).request.out_of_frame, (text, _read(text).request.out_of_frame)


def test_a_line_that_opens_with_what_was_done_reports_the_method() -> None:
    assert "cognitive_restructuring" in _read("- disputed his belief he is worthless, evidence for/against").request.out_of_frame
    assert _read("- referred for EMDR by the GP").request.out_of_frame == []


# --- the notes -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, number", [("grp wk 5 of 12", 5), ("IPT grp #7", 7), ("Group week 3/12", 3)])
def test_a_groups_session_label(line: str, number: int) -> None:
    note = _offline(f"{line}\nmembers shared losses since retiring\nHW: phone one old colleague")
    assert note.facts.session == number and note.facts.session_kind == "group", (note.facts.session, note.facts.session_kind)


def test_a_referral_already_sent_is_done_not_planned() -> None:
    note = _offline("assessment for perinatal team (not IPT)\nEPDS 14, item 10 scored 0\nreferral sent today")
    assert "referral sent today" not in note.sections["Plan"].lower(), note.sections["Plan"]
    assert "referral sent today" in note.text.lower()


def test_two_goals_are_goals() -> None:
    note = _offline("s4/16 RT\ngoals: (1) ask sister for one evening a week (2) rejoin the running club", fmt="dap")
    assert "Goals, as documented: (1) ask sister" in note.text, note.text
    assert "Goal, as documented: ring" in _offline("s4/16 RT\ngoal: ring her old manager", fmt="dap").text


def test_ipt_set_aside_is_work_outside_ipt() -> None:
    note = _offline("IPT set aside today - landlord served notice\nwhole session on the housing form w/ C")
    assert note.facts.session_kind == "non_ipt"


def test_risk_from_an_earlier_session_denied_today() -> None:
    note = _offline("S14/16 grief\ndenies SI today. last passive SI reported S8\nPHQ-9 7")
    assert note.facts.risk.status == "denied"
    assert "last passive si reported s8" in note.text.lower()  # the earlier risk kept, in the bullets' words
    still = _offline("S14/16 grief\npassive SI again this week\nlast passive SI reported S8\nPHQ-9 7")
    assert still.facts.risk.status == "present"


# --- estrangement said as a death, a death said as "taken" ---------------------------------

def test_estrangement_said_as_a_death_is_no_grief() -> None:
    r = _read("hasn't spoken to her son since the row at Christmas - 'he's dead to me now'")
    assert r.focal.primary != "grief" and r.risk.level is None, r.focal.primary


def test_a_death_said_as_taken() -> None:
    assert _read("since her da was taken she hasn't been back to the club").focal.primary == "grief"
    assert _read("since her son was taken into care she hasn't been back to the club").focal.primary != "grief"


def test_client_s_as_client_is() -> None:
    assert "ipt_a" in _read("my client's in year 10 and she's been left out since she moved schools").request.adaptations
    assert "ipt_a" not in _read("my client's son is in year 10 and has been left out since he moved schools").request.adaptations


# --- the fact check: two earlier scores given together -----------------------------

def _checked(bullets: str, draft: str):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="dap")


def test_two_earlier_scores_given_together() -> None:
    from assistant.notes.scales import directions, documented

    src = "PHQ-9 11, GAD-7 12 (both down from 17/15 at S1)"
    assert documented(src)["PHQ-9"].readings == ((11, 17),) and documented(src)["GAD-7"].readings == ((12, 15),)
    assert directions(src) == {"down"}  # (GAD-7's own "7" is no earlier PHQ-9 score)


# --- an infant in the bed of a carer who has been drinking; the dead "lost" at a time ---------------------------------

def test_co_sleeping_after_drinking_is_a_child_at_risk() -> None:
    assert "safeguarding" in _read("has most of a bottle of wine each night and then co-sleeps with the 6wk old").risk.kinds
    assert not _current("co-sleeping with the baby; no alcohol, no meds")


def test_someone_lost_at_a_time_is_a_death() -> None:
    assert _read("'we lost her last spring,' he said quietly, then talked about work").focal.primary == "grief"
    assert _read("she lost her temper at work last spring and has been off since").focal.primary != "grief"


def test_a_session_of_therapy_states_a_fact_of_one_client() -> None:
    from assistant.signals.detect import _ONE_PERSON

    assert _ONE_PERSON.match("Session 4 of IPT for a role dispute with her mother")
    assert _ONE_PERSON.match("s3 of her therapy, very flat")
    assert not _ONE_PERSON.match("Session planning for next week")
