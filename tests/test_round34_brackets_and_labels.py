"""Forms found in round 34 (gaps left at the end of round 33, then phrasings of my own): an act dated lately in
brackets after a denied item ("denies SI, SH (superficial cuts to L thigh Fri)"); a risk question written "q'd"; a
draft's sections as "D)" or as names in capitals on lines of their own. Each pair differs in the one fact that
decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.sanitise import label_sections
from assistant.signals import read_text

DAP = ("Data", "Assessment", "Plan")


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


# --- an act dated lately, in brackets after a denial -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "denies SI, SH (superficial cuts to L thigh Fri)",
    "denies SI/SH (burn marks on hand from last night)",
    "denies SH (cut 2 days ago)",
    "Denies SI, SH (scratching yesterday, 'not a big deal')",
    "denies SH (fresh marks on wrist this wk)",
])
def test_an_act_dated_lately_in_brackets_after_a_denial_is_present(text: str) -> None:
    r = _read(text)
    assert r.risk.level == "risk" and "self_harm" in r.risk.kinds


@pytest.mark.parametrize("text", [
    "denies SI, SH (asked alone Fri)",  # how the answer was had
    "denies SI, SH (last episode 2019)",  # a date long past
    "denies SI, HI (seen by GP Fri)",  # an event that is not the item's
    "denies SI (discussed w/ mum today)",
])
def test_a_bracket_that_tells_no_act_of_the_item_leaves_the_denial(text: str) -> None:
    assert _read(text).risk.level is None


# --- "q'd": the question, then its answer ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["SI q'd, denies", "SI/SH q'd, both denied", "SI: q'd, denies", "q'd re SI - denies"])
def test_a_question_written_qd_then_no_is_a_denial(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated"


def test_a_question_written_qd_then_yes_is_stated() -> None:
    assert _read("SI q'd, endorses passive").risk.level == "risk"


# --- section labels ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "D) Client said x.\nA) Mood low.\nP) Next wk.",
    "DATA\nClient said x.\nASSESSMENT\nMood low.\nPLAN\nNext wk.",
])
def test_sections_as_bracketed_letters_or_capital_names_are_sections(text: str) -> None:
    out = label_sections(text, DAP)
    assert out is not None and [x for x in out.splitlines() if x.startswith("**")] == [f"**{s}**" for s in DAP]


@pytest.mark.parametrize("text", [
    "D\nClient said x.\nA\nMood low.\nP\nNext wk.",  # a bare letter on its own line is text, not a label
    "DATA\nClient said x.\nPLAN\nNext wk.",  # a section missing
    "Client said x. A) mood low.\nPlan) next week",
])
def test_letters_alone_or_sections_missing_are_not_labels(text: str) -> None:
    assert label_sections(text, DAP) is None


# --- an answer that says "current", "never", "nothing given away" ------------------------------------------------------

@pytest.mark.parametrize("text", ["SI asked — denies current", "SI asked, denies current", "SI: no. HI: no. SH: never.",
                                  "Denied any plans, means or preparation; no goodbyes, nothing given away."])
def test_answers_in_other_words_are_denials(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated"


@pytest.mark.parametrize("text", ["SI asked, denies current plan but has thoughts daily", "SI: never acted on it",
                                  "SH: never, SI: passive"])
def test_what_the_answer_does_not_cover_stays_present(text: str) -> None:
    assert _read(text).risk.level == "risk"


def test_another_group_member_is_someone_else() -> None:
    assert _read("another member said 'I wanted to die last week'").risk.level is None


# --- stabilise first: dependence by withdrawal ------------------------------------------------------------------

def test_going_without_a_drink_is_withdrawal_not_a_denial() -> None:
    assert "severe_substance_dependence" in _read(
        "~1L vodka daily, shakes & sweats by 10am without a drink, had a fit last time he stopped.").stabilise_first


# --- out of frame: an instruction to the client, declined ----------------------------------------------------------

def test_an_instruction_to_the_client_is_a_request() -> None:
    oof = _read("Tell him to swap every negative thought about the redundancy for a positive one.").request.out_of_frame
    assert "positive_thinking" in oof


def test_an_instruction_the_clinician_declines_is_not_a_request() -> None:
    assert _read("He asked me to just tell him to 'think positive'. I said that's not really how we work and we looked at "
                 "what happened with his son instead. ok?").request.out_of_frame == []


def test_a_focus_named_with_an_aside_is_named() -> None:
    from assistant.signals.screens import named_focus

    assert named_focus("Focus (clinician-named): grief for the loss of his health after the stroke.") == "grief"
    assert named_focus("Focus (agreed s3): role dispute") == "role_dispute"


def test_exasperation_at_a_named_relative_is_an_idiom() -> None:
    assert _read("'I could strangle my sister sometimes' — affectionate, laughing about her nicking clothes.").risk.level is None
    assert _read("I could strangle my husband, he hits me when he drinks").risk.level == "risk"


# --- notes: someone else's report, a denial dated to an earlier time -------------------------------------------------

def _status(bullets: str) -> str:
    from assistant.notes.drafting import draft_note

    return draft_note(bullets, get_catalog(), None, format="soap").facts.risk.status


def test_the_clients_denial_does_not_answer_what_someone_else_reports() -> None:
    base = ("- Joint session w/ wife (Claire), S8/16, role dispute re his drinking\n"
            "- Claire: \"he's been searching how many co-codamol would kill you, I saw it on the iPad\"\n"
            "- pt says it was \"just curiosity\", denies SI\n- PHQ-9 17")
    assert _status(base) == "possible"
    # the same words as the client's own line, then his denial: the denial answers it
    own = base.replace("Claire: \"he's been searching how many co-codamol would kill you, I saw it on the iPad\"",
                       "asked about the iPad search history (co-codamol doses): says it was for his mum's prescription")
    assert _status(own) != "possible"


@pytest.mark.parametrize("text, speaker", [("Claire: 'he hasn't slept in days'", True), ("Wife: 'he hasn't slept'", True),
                                           ("Pt: 'I'm fine'", False), ("Plan: 'call her mum'", False)])
def test_a_speakers_line_is_collateral_when_the_speaker_is_someone_else(text: str, speaker: bool) -> None:
    from assistant.notes.risk import collateral

    assert collateral(text, "- joint session with wife (Claire)\n- " + text) is speaker


def test_a_denial_dated_to_an_earlier_time_does_not_answer_for_today() -> None:
    bullets = ("- S6 DNA, no msg\n- called x2, voicemail\n- unable to assess risk, no contact; last PHQ-9 (S5) 12, no SI then\n"
               "- texted new appt Tues 3pm")
    assert _status(bullets) == "not_assessed"


# --- stockpiling and indifference to one's fate in plain words -----------------------------------------------------------

@pytest.mark.parametrize("text", ["hasn't decided when yet, but has the tablets saved", "keeping a stash of her mum's old pills",
                                  "saving her tablets for a bad night", "put some tablets aside just in case"])
def test_tablets_saved_up_are_a_preparation(text: str) -> None:
    r = _read(text)
    assert r.risk.level == "risk" and "suicide_plan" in r.risk.kinds


@pytest.mark.parametrize("text", ["collecting her tablets from the pharmacy", "it doesn't matter what happens to me at work"])
def test_tablets_fetched_or_a_shrug_at_work_are_not_risk(text: str) -> None:
    assert _read(text).risk.level is None


def test_indifference_to_what_happens_to_oneself_is_a_warning_sign() -> None:
    assert _read("\"doesn't matter what happens to me anymore\"").risk.level == "possible_risk"
    assert _status("- S4, role dispute w/ partner\n- \"doesn't matter what happens to me anymore\"\n- PHQ-9 19") == "possible"


# --- a date does not reach a predicate in the present; someone had or seen doing an act -----------------------------------

@pytest.mark.parametrize("text", ["had a baby last year and wants to die", "had a baby last year and now wants to die",
                                  "moved house last year and wants to die"])
def test_a_new_predicate_in_the_present_after_a_date_is_now(text: str) -> None:
    assert _read(text).risk.level == "risk"


@pytest.mark.parametrize("text", ["overdosed last year and was admitted for a week", "took an overdose in 2019 and was sectioned"])
def test_a_new_predicate_in_the_past_stays_in_the_past(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "historical"


@pytest.mark.parametrize("text", ["Drama she was watching had a character take an overdose — set her off crying, 'it was "
                                  "just so sad'.", "saw her brother cut himself last year"])
def test_someone_had_or_seen_doing_an_act_does_it(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "other_person"


# --- stabilise first in plain words: drink taken before the session, a day's cans, a phobia by its name ------------------

@pytest.mark.parametrize("text, kind", [
    ("She's clearly had a few — can barely stand — and says she's only here 'because I promised you'.", "intoxication"),
    ("Client has been on 8-10 cans of strong cider a day for years, LFTs deranged.", "severe_substance_dependence"),
    ("He's got emetophobia — won't eat out, carries sick bags everywhere — and his mood's actually OK.",
     "anxiety_without_interpersonal_trigger"),
])
def test_presentations_in_plain_words(text: str, kind: str) -> None:
    assert kind in _read(text).stabilise_first


def test_records_silent_on_risk_leave_it_not_assessed() -> None:
    r = _read("New referral, notes say nothing at all about risk and he's in tomorrow. What do I need to cover?")
    assert r.risk.level is None and r.risk.assertion == "not_assessed"
    assert _read("She says nothing about SI but her mum found pills hidden").risk.level == "risk"


# --- the fact check: a draft in capitals, a clipped word ----------------------------------------------------------------

def test_a_faithful_draft_with_section_names_in_capitals_is_checked_and_a_clipped_word_is_grounded() -> None:
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    bullets = ("- S5/16 IPT, grief (brother)\n- PHQ-9 23\n- C-SSRS: active SI w/ method (hanging), no prep behaviour\n"
               "- rang crisis team in session; same-day assessment 4pm\n- HW: none")
    draft = ("BEHAVIOR\nSession 5 of 16 of IPT for grief following her brother's death. PHQ-9 23.\n"
             "INTERVENTION\nThe therapist rang the crisis team in session; a same-day assessment was arranged for 4 pm.\n"
             "RESPONSE\nThe C-SSRS showed active suicidal ideation with a method (hanging), with no preparatory behaviour.\n"
             "PLAN\nNo homework set.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="birp")
    assert note.mode == "llm" and not note.has_flag("fallback_offline")
    assert not [f for f in note.flags if f.code == "unsupported_claim"]
    invented = draft.replace("No homework set.", "No homework set. She has been drinking heavily since the funeral.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[invented]), format="birp")
    assert "drinking heavily" not in note.text


def test_a_source_named_with_per_is_not_a_report_the_denial_leaves_open() -> None:
    bullets = ("- session 6/16, role transition (retirement)\n- started meds last week per GP, some nausea\n"
               "- sleep improving, mood 5/10\n- no SI\n- plan: call former colleague re volunteering")
    assert _status(bullets) == "denied"
