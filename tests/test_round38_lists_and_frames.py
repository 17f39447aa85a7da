"""Forms found in round 38 (new writers' read halves, then phrasings of my own): a denial said after a list reaches
back over the list only, not over a clause of its own before it; a wish whose object is a negation ("wishes she didn't
exist") is no denial; a form's boxes left empty; a negative subject ("no one has ever been hurt"); a clinician unsure
whether a question was asked; a question about a topic in general (teaching, a distinction, the warning signs); the
client saying someone's suicide speaks for her too; a condition that ends where the client's statement begins; anxiety
by its signs; and
methods outside the frame by their structure. In the notes: a session label with a colon. Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _current(text: str) -> bool:
    return _read(text).risk.level is not None


# --- a denial after a list ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Wants to be dead most days, SH and HI both denied",
    "thinks about not being here most nights, SI/SH/HI denied",
    "hopes she won't wake up tomorrow, HI denied",
])
def test_a_denial_after_a_list_leaves_the_clause_before_it(text: str) -> None:
    assert _current(text), text


@pytest.mark.parametrize("text", [
    "SI, SH and HI denied",
    "Thoughts of hurting others or herself both denied",
    "[ ] SI [ ] SH [ ] HI - nothing ticked",
])
def test_a_list_denied_together_is_denied(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.kinds, r.risk.assertion)


# --- a wish for a negation ------------------------------------------------------------------------------------------

def test_a_wished_negation_denies_nothing() -> None:
    assert _current("wishes she could just not exist, no SH")
    assert not _current("denies wishing she didn't exist")


def test_hoping_he_will_not_hit_her_again_is_partner_violence() -> None:
    assert "ipv" in _read("hopes he won't hit her again when he's back").risk.kinds


# --- negative subjects, unsure whether asked -------------------------------------------------------------------------

def test_no_one_hurt_denies_violence() -> None:
    assert not _current("they row a lot but no one has ever been hurt")
    assert _current("they row a lot and he has hit her twice")


def test_unsure_whether_asked_is_not_assessed() -> None:
    r = _read("can't remember if I asked about self-harm last week")
    assert r.risk.level is None and r.risk.assertion == "not_assessed", r.risk.assertion
    assert _current("not sure I asked - but she says she's been cutting")


# --- a question about a topic in general ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "for teaching purposes: how would you separate normal grief yearning from suicidal thinking?",
    "what are the main warning signs of self-harm in teens?",
    "how do I tell rumination from suicidal thinking?",
    "what's the best way to phrase the suicide question with older adults?",
])
def test_a_question_about_a_topic_in_general_is_no_current_risk(text: str) -> None:
    r = _read(text)  # (the suicide question named is a screen: no assertion of risk at all)
    assert r.risk.level is None and r.risk.assertion in ("hypothetical", None), (text, r.risk.assertion)


@pytest.mark.parametrize("text", [
    "how do you tell her mother she has been cutting?",
    "she keeps saying she wants to die - what are the warning signs I should look for?",
    "asked the suicide question - she said yes, most days",
])
def test_a_question_about_this_client_keeps_her_risk(text: str) -> None:
    assert _current(text), text


# --- someone's suicide, the client's own words ----------------------------------------------------------------------

def test_someones_suicide_then_the_client_thinking_the_same_way() -> None:
    assert _current("her dad killed himself when she was 12; she feels the same some days")
    assert _current("brother died by suicide last year - pt says she gets it now")
    assert not _current("dad died by suicide 2015, she is coping well, no SI")


# --- a condition ends where the client's statement begins -----------------------------------------------------------

def test_a_condition_ends_at_a_statement_with_its_subject_left_out() -> None:
    assert _current("drinks from waking, shakes if she stops, says she wants to die")
    assert not _current("what if he says he'll hurt her, says she'd never leave?")


# --- anxiety by its signs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "has to go back and re-check the hair straighteners 15 times, late for work most days",
    "heart racing and a feeling of doom out of the blue, several times a week",
])
def test_anxiety_by_its_signs(text: str) -> None:
    assert "anxiety_without_interpersonal_trigger" in _read(text).stabilise_first, text


def test_checking_a_partners_messages_is_not_a_compulsion() -> None:
    assert "anxiety_without_interpersonal_trigger" not in _read("checks his phone 50 times a day for her texts").stabilise_first


# --- methods by their structure -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, method", [
    ("HW: five-column form - event / hot thought / feeling %, go over it next time", "thought_records"),
    ("plan: Socratic questioning to dispute 'nobody likes me'", "cognitive_restructuring"),
    ("she asked me what the recurring dream about her dad means - said we'd look at it next week", "dream_interpretation"),
    ("going to name that she relates to me the way she relates to her father", "transference_interpretation"),
    ("HW: notice the thoughts as they float past, 10 min sitting practice", "mindfulness_training"),
])
def test_methods_by_their_structure(text: str, method: str) -> None:
    assert method in _read(text).request.out_of_frame, (text, _read(text).request.out_of_frame)


def test_a_dispute_with_someone_is_no_method() -> None:
    assert _read("she disputes the bill with the landlord").request.out_of_frame == []


# --- notes -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, number", [("Session: 7/16", 7), ("Session #: 4 / 16", 4), ("Session no. 6/16", 6)])
def test_a_session_label_with_a_colon(line: str, number: int) -> None:
    from assistant.notes.parse import _session_mention

    assert _session_mention(line)[:2] == (number, 16)


def test_a_client_sent_elsewhere_is_no_request() -> None:
    assert _read("GP referred pt to a yoga and meditation class at the leisure centre").request.out_of_frame == []
    assert "thought_records" in _read("pt to keep a thought diary this week").request.out_of_frame


@pytest.mark.parametrize("line, words", [
    ("- crisis plan agreed + copy given, safety plan written together", "safety plan written together"),
    ("- safety plan drafted w pt, GP to be told", "safety plan drafted w pt"),
])
def test_the_safety_plan_is_stated_in_the_bullets_words(line: str, words: str) -> None:
    from assistant.notes.drafting import draft_note

    bullets = "- s6/16 RT (new baby)\n- pt says she wishes she could disappear for good, no plan\n" + line
    note = draft_note(bullets, get_catalog(), None, format="soap")
    assert note.facts.risk.status == "present"
    assessment = note.sections["Assessment"]
    assert words in assessment and "safety plan reviewed" not in note.text.lower(), assessment
    assert words not in note.sections["Plan"]  # done this session: not restated in the plan


def test_two_letter_days_ground_the_days_written_out() -> None:
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    bullets = "joint sess w wife - s7, role dispute\nboth agreed trial: pt does bedtime Tu/Th\nnext: review trial"
    draft = ("S: Session seven was a joint session with his wife about the role dispute.\nO: Seen jointly with his wife."
             "\nA: Both agreed to a trial in which he does bedtime on Tuesdays and Thursdays.\nP: The next session will "
             "review the trial.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="soap")
    assert note.mode == "llm" and not note.has_flag("unsupported_claim"), [f.span for f in note.flags]
    planted = draft.replace("Tuesdays and Thursdays", "Mondays and Fridays")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[planted]), format="soap")
    assert "Mondays" not in note.text


def _offline(bullets: str, fmt: str = "birp"):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note

    return draft_note(bullets, get_catalog(), None, format=fmt)


def test_a_single_quoted_answer_is_not_split_at_its_commas() -> None:
    note = _offline("s9/16 RD\nasked re self-harm -> 'no, not since uni, it's not me anymore'\nPHQ-9 10")
    assert "'no, not since uni, it's not me anymore'" in note.text, note.text


def test_a_step_for_the_next_sess_is_planned_not_done() -> None:
    note = _offline("s11/16 RT\nrole play: asking manager for flexible hours\nbegin ending work next sess")
    assert "begin ending work next sess" in note.sections["Plan"]
    assert "begin ending work next sess" not in note.sections["Intervention"]


def test_a_line_labelled_as_the_sessions_work_is_an_intervention() -> None:
    note = _offline("Session 5/16\nFocus: role transition - agreed\nWork done: losses and gains of leaving the army\n"
                    "HW: call old mate Dave")
    assert "losses and gains of leaving the army" in note.sections["Intervention"]
    assert not note.sections["Response"].startswith("Agreed")
