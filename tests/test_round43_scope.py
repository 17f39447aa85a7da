"""Categories found in round 43 (new writers' read halves, then phrasings of my own), each with the control that keeps
the other reading: a relative named as the subject of an inverted question ("Is the daughter's self-harm my
responsibility?"); a field of its own answered no ("plan no."); indifference to what may happen to oneself; past
violence by an ex beside a current partner; and, in notes, the session a line opens with rather than one it refers
back to, a plan or goal line kept whole and in its place, a ratio that is not a score, a group's work as its
interventions, and the fact check reading a quotation's own words."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.drafting import draft_note
from assistant.signals import read_text
from assistant.testing.fake_model import ScriptedModel


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


# --- a relative as the subject of an inverted question ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Is the daughter's self-harm my responsibility?",
    "Is her daughter's self-harm my fault?",
    "Does her son still cut himself?",
    "Has her brother attempted suicide before, and does it matter?",
])
def test_a_relative_opening_a_question_owns_the_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "Is she suicidal?",
    "Is my client's self-harm my fault?",
    "Does she still cut herself?",
])
def test_the_client_opening_a_question_keeps_the_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None, (text, r.risk.level, r.risk.kinds)


# --- a field of its own answered no -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["SI: no. plan no.", "intent - nil", "access to means: none"])
def test_a_field_of_its_own_answered_no_is_a_denial(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", ["Plan: yes", "SI yes, plan yes, intent no", "intent: Y"])
def test_a_field_answered_yes_is_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level == "risk", (text, r.risk.level, r.risk.kinds)


# --- indifference to what may happen to oneself -----------------------------------------------------------------------

def test_indifference_to_what_may_happen_to_oneself_is_ideation() -> None:
    r = _read("he wouldn't care if something happened to him")
    assert "suicidal_ideation" in r.risk.kinds, (r.risk.level, r.risk.kinds)


def test_indifference_to_what_may_happen_to_a_relative_is_not() -> None:
    r = _read("She wouldn't care if something happened to her mum")
    assert "suicidal_ideation" not in r.risk.kinds, (r.risk.level, r.risk.kinds)


# --- notes: the session at hand, plans and goals kept whole, ratios, a group's work -------------------------------------

def _note(bullets: str, fmt: str = "soap"):  # noqa: ANN202 - a Note
    return draft_note(bullets, get_catalog(), None, format=fmt)


def test_the_session_a_line_opens_with_is_the_session() -> None:
    note = _note("DNA 13/16 - 2nd DNA (also missed s11)\nrang pt, 'totally forgot'\nrebooked thurs")
    assert note.facts.session == 13, note.facts.session
    assert "Session 11" not in note.text


def test_a_session_referred_back_to_is_not_the_session() -> None:
    note = _note("PHQ 13 (was 20 at s1), s9 today\nrole dispute w/ sister, communication analysis of Sunday's row")
    assert note.facts.session == 9, note.facts.session


def test_a_plan_stated_mid_line_keeps_what_its_dash_adds() -> None:
    note = _note("DNA s13\nrebooked thurs; plan to start termination phase then - ending + relapse signs")
    assert "ending + relapse signs" in note.sections["Plan"], note.text
    assert "ending + relapse signs" not in note.sections["Subjective"], note.text


def test_a_next_time_line_is_a_plan_not_work_done() -> None:
    bullets = ("s12/16 - transition: new mum (baby Ava 5 mo)\nworked on new role: what she's gained, what lost\n"
               "next time: risk first, then begin termination prep")
    note = _note(bullets, "dap")
    assert "risk first, then begin termination prep" in note.sections["Plan"], note.text
    assert "termination work" not in note.sections["Data"].lower(), note.text


def test_a_goal_for_the_week_is_the_task() -> None:
    bullets = "s6/16 role transition, new mum\nworked on what she's lost and gained\ngoal: 1 baby group this wk"
    note = _note(bullets, "dap")
    assert "No interpersonal task was documented" not in note.text, note.text
    assert "1 baby group this wk" in note.sections["Plan"], note.text
    assert "no_interpersonal_task" not in {f.code for f in note.flags}


def test_a_treatment_goal_is_not_a_task() -> None:
    bullets = "s6/16 role transition, new mum\nworked on what she's lost and gained\ngoal: feel less alone as a mum"
    note = _note(bullets, "dap")
    assert "no_interpersonal_task" in {f.code for f in note.flags}


def test_a_ratio_beside_initials_is_not_a_measure() -> None:
    note = _note("IPT grp s7 of 12 - note for pt LR\nspoke to LR 1:1 after grp\nPHQ-9 18", "girp")
    assert "Measures: spoke" not in note.text, note.text
    assert "PHQ-9 18" in note.text


def test_a_groups_role_play_is_its_intervention() -> None:
    bullets = "IPT grp s7 of 12 - note for pt LR\nin grp: LR role played telling her dad she's moving in w/ partner\nPHQ-9 18"
    note = _note(bullets, "girp")
    assert "role played telling her dad" in note.sections["Intervention"], note.text
    assert note.facts.session_kind == "group"


# --- the fact check reads a quotation's own words ----------------------------------------------------------------------

_BULLETS_MAYA = ("sess 7 RD - w/ co-parent re school choice\nagreed: 'what do I actually want for Maya' = focus\n"
                 "risk not reviewed (time) - phone check tmrw 10am\nHW: list 3 non-negotiables")


def _checked(bullets: str, draft: str, fmt: str):  # noqa: ANN202 - a Note
    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format=fmt)


def test_a_name_that_closes_a_quotation_is_the_bullets_name() -> None:
    draft = ("Goal: Address the role dispute with the co-parent over school choice, using the agreed question "
             "'what do I actually want for Maya' as the focus.\nIntervention: Risk was not reviewed because of time.\n"
             "Response: Not documented.\nPlan: A phone check is booked for 10 a.m. tomorrow. Homework is to list "
             "three non-negotiables.")
    note = _checked(_BULLETS_MAYA, draft, "girp")
    assert not [f for f in note.flags if f.code == "unsupported_claim"], [(f.span, f.message) for f in note.flags]


def test_a_name_the_bullets_never_wrote_is_still_caught() -> None:
    draft = ("Goal: Address the role dispute with the co-parent over school choice, using the agreed question "
             "'what do I actually want for Maya' as the focus.\nIntervention: Her sister Sophie joined for part of "
             "the session.\nResponse: Not documented.\nPlan: A phone check is booked for 10 a.m. tomorrow.")
    note = _checked(_BULLETS_MAYA, draft, "girp")
    assert any(f.code == "unsupported_claim" and f.span == "Sophie" for f in note.flags), [(f.span, f.message) for f in note.flags]


_BULLETS_INTENT = ("unscheduled call (btw S9-S10) - not IPT sess\npt rang 16:20 v distressed after partner ended relationship\n"
                   "SI w/ plan: tablets stockpiled at home (approx 30 paracetamol); intent 'don't know'\n"
                   "crisis team referral made 16:50\nnext: IPT S10 Thurs as planned")


def test_the_clients_quoted_answer_is_not_an_invented_denial() -> None:
    draft = ("Behaviour: This was an unscheduled phone contact between sessions 9 and 10, not an IPT session. The client "
             "described suicidal ideation with a plan and has stockpiled tablets at home, about 30 paracetamol; asked "
             "about intent, the client said 'don't know'.\nIntervention: A crisis team referral was made at 16:50.\n"
             "Response: Not documented.\nPlan: IPT session 10 will go ahead on Thursday as planned.")
    note = _checked(_BULLETS_INTENT, draft, "birp")
    assert not [f for f in note.flags if f.code == "unsupported_claim"], [(f.span, f.message) for f in note.flags]


def test_a_denial_of_intent_the_bullets_never_wrote_is_still_caught() -> None:
    draft = ("Behaviour: This was an unscheduled phone contact between sessions 9 and 10, not an IPT session. The client "
             "described suicidal ideation with a plan and has stockpiled tablets at home, about 30 paracetamol. "
             "She has no intention of acting on it.\nIntervention: A crisis team referral was made at 16:50.\n"
             "Response: Not documented.\nPlan: IPT session 10 will go ahead on Thursday as planned.")
    note = _checked(_BULLETS_INTENT, draft, "birp")
    assert any(f.code == "unsupported_claim" for f in note.flags), [(f.span, f.message) for f in note.flags]


def test_risk_that_could_not_be_assessed_at_a_missed_session_is_supported() -> None:
    bullets = ("S8 - DNA\nno call/no show\nphoned x2 11:10 + 11:40, VM left\nlast sess (S7) passive SI no plan, safety plan "
               "in place\ncheck-in call tmrw")
    draft = ("Data: The client did not attend session 8. The therapist telephoned twice, at 11:10 and 11:40, and left a "
             "voicemail. At session 7 the client reported passive suicidal ideation without a plan, and a safety plan is "
             "in place.\nAssessment: With no contact today, current risk could not be assessed.\nPlan: The therapist will "
             "make a check-in call tomorrow.")
    note = _checked(bullets, draft, "dap")
    assert not [f for f in note.flags if f.code == "unsupported_claim"], [(f.span, f.message) for f in note.flags]


# --- past violence by an ex beside a current partner --------------------------------------------------------------------

def test_past_violence_by_an_ex_beside_a_supportive_partner_is_history() -> None:
    r = _read("32/40, DV with ex (2019), current partner supportive; anxious about the birth")
    assert "ipv" not in r.risk.kinds, (r.risk.level, r.risk.kinds)


def test_past_violence_by_the_partner_she_is_still_with_is_asked_about() -> None:
    r = _read("husband hit her in 2019, they're still together")
    assert "ipv" in r.risk.kinds, (r.risk.level, r.risk.kinds)


# --- the therapy's ending is not an ending of one's life ----------------------------------------------------------------

@pytest.mark.parametrize("bullets", [
    "DNA s13\nrebooked thurs; plan to start termination phase then - ending + relapse signs",
    "s14/16\nprepare for the ending, feelings about ending therapy",
])
def test_the_therapys_ending_is_not_risk(bullets: str) -> None:
    assert _note(bullets).facts.risk.status == "not_documented"


@pytest.mark.parametrize("bullets", ["s14/16\nthinking about ending it all", "s14/16\nshe has been talking about ending things"])
def test_ending_ones_life_is_still_risk(bullets: str) -> None:
    assert _note(bullets).facts.risk.status in ("present", "possible")
