"""Forms found in round 33 (fresh writers' read halves, then phrasings of my own): a model draft whose sections are
plain labels ("S: ...", "Subjective: ..."); a risk topic written as a label, then the question, then its answer ("SI/SH:
asked, denies"); a denial read by meaning over words that deny only a plan and an intent; a scale's "score" and a goal
written as an imperative in a sentence about risk; how a denial was asked, in brackets after a list; a task called
"suicide"; a method declined once named and then carried by a follow-up question. Each pair differs in the one fact
that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.drafting import draft_note
from assistant.notes.factcheck import find_unsupported
from assistant.notes.sanitise import label_sections
from assistant.signals import analyse, read_text
from assistant.testing.fake_model import ScriptedModel

SOAP = ("Subjective", "Objective", "Assessment", "Plan")


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _lexicon_assertions(text: str) -> set[tuple[str, str]]:
    return {(s.category, s.assertion) for s in analyse(text, catalog=get_catalog(), reader=False).items
            if s.family == "risk" and s.source == "lexicon"}


# --- sections written as plain labels -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "S: Reports low mood.\nO: PHQ-9 14.\nA: Role dispute.\nP: Continue IPT.",
    "Subjective: Reports low mood.\nObjective: PHQ-9 14.\nAssessment: Role dispute.\nPlan: Continue IPT.",
    "SUBJECTIVE -\nReports low mood.\nOBJECTIVE -\nPHQ-9 14.\nASSESSMENT -\nRole dispute.\nPLAN -\nContinue IPT.",
    "**S:** Reports low mood.\n**O:** PHQ-9 14.\n**A:** Role dispute.\n**P:** Continue IPT.",
])
def test_sections_written_as_plain_labels_are_the_formats_sections(text: str) -> None:
    out = label_sections(text, SOAP)
    assert out is not None
    assert [line for line in out.splitlines() if line.startswith("**")] == [f"**{s}**" for s in SOAP]


@pytest.mark.parametrize("text", [
    "S: Reports low mood.\nA: Role dispute.\nP: Continue IPT.",  # a section missing
    "O: PHQ-9 14.\nS: Reports low mood.\nA: Role dispute.\nP: Continue IPT.",  # out of order
    "Reports low mood. A: she said she was fine.\nPlan: continue.",  # a label inside the text, not sections
])
def test_labels_that_are_not_the_formats_sections_in_order_are_text(text: str) -> None:
    assert label_sections(text, SOAP) is None


def test_a_faithful_draft_with_letter_labels_is_checked_not_replaced() -> None:
    bullets = "- s5/16 IPT, role dispute w/ sister re mum's care\n- PHQ-9 15\n- CA of Sunday's call\n- HW: ask sister for one visit"
    draft = ("S: Session 5 of 16 of IPT; the focus is the role dispute with her sister about their mother's care.\n"
             "O: PHQ-9 15.\nA: Communication analysis of Sunday's call.\nP: Homework: ask her sister for one visit.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="soap")
    assert note.mode == "llm" and not note.has_flag("fallback_offline")
    invented = draft.replace("O: PHQ-9 15.", "O: PHQ-9 15. She was drinking heavily at the weekend.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[invented]), format="soap")
    assert "drinking heavily" not in note.text


# --- a label, the question, then its answer -------------------------------------------------------------------------

@pytest.mark.parametrize("text,kinds,assertion", [
    ("SI/SH: asked, denies", {"suicidal_ideation", "self_harm"}, "negated"),
    ("HI - asked directly; says no", {"harm_to_others"}, "negated"),
    ("Suicidal thoughts: screened. Denied.", {"suicidal_ideation"}, "negated"),
    ("SI: asked, yes - passive, most evenings", {"suicidal_ideation"}, "present"),
    ("SI: asked, passive thoughts most days", {"suicidal_ideation"}, "present"),
])
def test_a_label_then_the_question_then_its_answer(text: str, kinds: set[str], assertion: str) -> None:
    assert {(k, assertion) for k in kinds} <= _lexicon_assertions(text), text


@pytest.mark.parametrize("text", ["SI/SH: asked", "SI: asked, declined to answer"])
def test_a_question_whose_answer_is_not_given_is_possible_risk(text: str) -> None:
    found = [s for s in analyse(text, catalog=get_catalog(), reader=False).items if s.source == "lexicon"]
    assert found and all(s.level == "possible_risk" and s.assertion == "present" for s in found), text


@pytest.mark.parametrize("line,status", [
    ("- SH/SI: asked, says no", "denied"),
    ("- SH/SI: asked, says yes - cut last night", "present"),
])
def test_the_notes_read_the_answer_in_the_same_bullet(line: str, status: str) -> None:
    bullets = f"- 13M, IPT-A s5/12, focal deficits\n- MFQ 27\n{line}\n- HW: ask Oli one question"
    note = draft_note(bullets, get_catalog(), None, format="soap")
    assert note.facts.risk.status == status


# --- the fact check -------------------------------------------------------------------------------------------------

def test_a_denial_of_thoughts_is_not_supported_by_no_plan_no_intent() -> None:
    bullets = ("- said 'sometimes I think about just driving off the road' - explored: fleeting, no plan, no intent; "
               "safety plan started")
    assert find_unsupported("He denied any thoughts of suicide or self-harm.", bullets, get_catalog())
    assert not find_unsupported("He reported no plan and no intent.", bullets, get_catalog())


@pytest.mark.parametrize("sentence,flagged", [
    ("She was upset about the rise in her PHQ-9 score, so the safety check was not completed today.", False),
    ("Her risk score was low, so the safety check was not completed today.", True),
])
def test_a_scales_score_in_a_sentence_about_risk_grades_nothing(sentence: str, flagged: bool) -> None:
    bullets = "- PHQ9 17 - up from 15\n- didn't get to the safety check today - pt upset re PHQ rise"
    assert bool(find_unsupported(sentence, bullets, get_catalog())) is flagged, sentence


@pytest.mark.parametrize("sentence,flagged", [
    ("Resolve the role dispute with her mother-in-law.", False),
    ("The aim is to improve communication with her husband.", False),
    ("The role dispute with her mother-in-law has resolved.", True),
    ("Communication with her husband has improved.", True),
])
def test_a_change_verb_as_an_aim_claims_no_change(sentence: str, flagged: bool) -> None:
    bullets = "- s6/16, role dispute w/ MIL who lives w/ them; husband 'stays out of it'\n- role play: asking husband to back her"
    clauses = [line.lstrip("- ") for line in bullets.splitlines()]
    found = [p for p in find_unsupported(sentence, bullets, get_catalog(), clauses=clauses)
             if p.span.lower().startswith(("resolv", "improv"))]
    assert bool(found) is flagged, sentence


# --- the signal layer -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,assertion", [
    ("denies SI, SH, HI (asked pt alone at end)", "harm_to_others", "negated"),
    ("denies SI, HI (checked with her on her own)", "harm_to_others", "negated"),
    ("denies SI, HI", "harm_to_others", "negated"),
])
def test_how_a_denial_was_asked_in_brackets_keeps_the_list_denied(text: str, kind: str, assertion: str) -> None:
    assert (kind, assertion) in _lexicon_assertions(text), text


@pytest.mark.parametrize("text,risk", [
    ("'this form is suicide, honestly, who writes these' - PIP form done in session", False),
    ("says the new rota is suicide and she'd rather be dead than keep going", True),
])
def test_a_task_called_suicide_is_an_idiom(text: str, risk: bool) -> None:
    found = [s for s in analyse(text, catalog=get_catalog(), reader=False).items
             if s.family == "risk" and s.present and s.level]
    assert bool(found) is risk, text


@pytest.mark.parametrize("text,asked", [
    ("I considered giving her a thought diary but decided against it - we'll stick with the inventory. "
     "Does that sound right?", False),
    ("I'm considering giving her a thought diary to track her moods. Does that sound right?", True),
    ("She did thought records with her last therapist and found them useful. Could we do some here?", True),
])
def test_a_method_declined_stays_declined_through_a_follow_up_question(text: str, asked: bool) -> None:
    assert bool(_read(text).request.out_of_frame) is asked, text


@pytest.mark.parametrize("text,method", [
    ("thinking of getting her to talk to her abusive ex as if he's in the room - tell him what he did", "empty_chair"),
    ("Her previous therapist did some eye-movement processing with her and it helped. Should I pick it back up?", "emdr"),
    ("He had thought records in CBT last year. Could we continue them here?", "thought_records"),
])
def test_a_method_in_other_words_or_taken_up_again_is_asked_for(text: str, method: str) -> None:
    assert method in _read(text).request.out_of_frame, text


@pytest.mark.parametrize("text", [
    "Her previous therapist did some eye-movement processing with her and it helped. She's doing well now.",
    "He had thought records in CBT last year and hated them.",
])
def test_a_method_of_past_therapy_is_not_asked_for_by_itself(text: str) -> None:
    assert not _read(text).request.out_of_frame, text


@pytest.mark.parametrize("line,status", [
    ('- "I never got to say goodbye to her" - cried', "not_assessed"),
    ("- denies SI when asked directly", "denied"),
])
def test_a_warning_sign_negated_is_no_denial(line: str, status: str) -> None:
    bullets = f"- s4/16, grief: wife d. abroad, couldn't travel to the funeral\n{line}\n- C-SSRS not completed - interpreter left"
    assert draft_note(bullets, get_catalog(), None, format="soap").facts.risk.status == status


def test_the_fact_check_reads_an_answer_in_the_next_clause_as_the_notes_do() -> None:
    bullets = "- 13M, IPT-A s5/12, focal deficits\n- SH/SI: asked, says no\n- HW: ask Oli one question"
    draft = ("S: Session 5 of 12 of IPT-A; the focal area is interpersonal deficits. When asked about self-harm and "
             "suicidal ideation, he said no.\nO: Not documented.\nA: Interpersonal deficits.\nP: Homework: ask Oli one question.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="soap")
    assert note.facts.risk.status == "denied"
    assert "he said no" in note.text and not any("risk statement" in f.message for f in note.flags), note.flags


@pytest.mark.parametrize("text,risk", [
    ("denies SI, SH (cut arm last night)", True),
    ("denies SI, SH (burnt wrist w/ lighter Tues)", True),
    ("denies SI but cut L forearm x2 this wk", True),
    ("denies SI, SH (last SH 2019)", False),
    ("denies SI, SH (hurt by his comments)", False),
    ("no SI/SH (active or passive)", False),
])
def test_an_act_told_after_a_denied_item_is_not_denied_with_it(text: str, risk: bool) -> None:
    assert bool(_read(text).risk.level) is risk, text
