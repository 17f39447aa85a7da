"""Risk statements in a draft, scoped to what they are about (the fifteenth round): a grading word grades
the noun it stands before; safety work the bullets record may be called completed; a review planned in
the passive is a plan to ask; a denial in the bullets' own time scope stands beside documented risk; a
scale item's own description is not a report of risk. And in the signal layer: screens joined to words by
a slash, and a screen's label followed by "denies". Phrasings are the test author's own; each pair differs
in one fact."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.factcheck import find_unsupported
from assistant.notes.parse import parse_bullets
from assistant.notes.scales import mask_items
from assistant.signals import analyse


def _risk_flags(draft: str, bullets: str) -> list[str]:
    return [p.span for p in find_unsupported(draft, bullets, get_catalog()) if p.kind == "risk statement"]


def _lexical(text: str) -> list[tuple[str, str]]:
    return sorted({(s.category, s.assertion) for s in analyse(text, reader=False).items
                   if s.family == "risk" and s.source == "lexicon"})


# --- signal layer -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("denies SI/thoughts of hurting the baby", [("harm_to_others", "negated"), ("suicidal_ideation", "negated")]),
    ("Denies SI/plan/intent", [("suicidal_ideation", "negated"), ("suicide_plan", "negated")]),
    ("SI denies; SH denies", [("self_harm", "negated"), ("suicidal_ideation", "negated")]),
    ("SH denied", [("self_harm", "negated")]),
    # the report of someone else that the client denies is still a report: ask directly
    ("her sister says she has been cutting, which she denies", [("self_harm", "present")]),
    # a list's own statement keeps its verb
    ("no SI, self-harming again since Friday", [("self_harm", "present"), ("suicidal_ideation", "negated")]),
    ("w/SI most evenings", [("suicidal_ideation", "present")]),
])
def test_screens_by_slash_and_trailing_denial(text: str, expected: list[tuple[str, str]]) -> None:
    assert _lexical(text) == expected


def test_a_run_of_screens_is_one_finding_per_screen() -> None:
    found = [(s.category, s.text) for s in analyse("SI/HI: none", reader=False).items if s.source == "lexicon"]
    assert sorted(found) == [("harm_to_others", "SI/HI"), ("suicidal_ideation", "SI/HI")]


def test_a_labelled_denial_is_read_as_denied_in_the_notes() -> None:
    bullets = "- s6 role dispute w/ partner\n- SI denies; SH denies\n- plan: try the request"
    assert parse_bullets(bullets, get_catalog()).risk.status == "denied"


# --- a grading word grades the noun it stands before -------------------------------------------------

BURNS = ("- s4/16, interpersonal deficits (agreed)\n- burned forearm w/ lighter x2 this wk after nights alone\n"
         "- no SI; PHQ-9 21\n- safety plan updated - ring brother")


@pytest.mark.parametrize("sentence", [
    "The burns followed nights alone, which links isolation to his low mood and his urge to self-harm.",
    "Her high depression scores sit beside the burning this week.",
])
def test_a_grading_word_before_another_noun_grades_that_noun(sentence: str) -> None:
    assert _risk_flags(sentence, BURNS) == []


@pytest.mark.parametrize("sentence", [
    "His urge to self-harm was low this week.",
    "He is at low risk of burning himself again.",
    "He described only fleeting urges to burn himself.",
    "The self-harm urges have no longer been troubling him.",
])
def test_a_grading_word_about_the_risk_is_still_unsupported(sentence: str) -> None:
    assert _risk_flags(sentence, BURNS)


# --- safety work recorded as done ---------------------------------------------------------------------

@pytest.mark.parametrize("bullets", [
    "- s3, role transition\n- passive SI, no plan\n- safety plan w/ client + partner: crisis line, remove pills",
    "- s3, role transition\n- passive SI, no plan\n- safety planning: code word w/ sister; crisis no. given",
])
def test_safety_work_the_bullets_record_may_be_called_completed(bullets: str) -> None:
    assert _risk_flags("A safety plan was completed with her.", bullets) == []


@pytest.mark.parametrize("bullets", [
    "- s3, role transition\n- passive SI, no plan\n- plan: safety plan next session",
    "- s3, role transition\n- passive SI, no plan\n- safety plan not done, ran out of time",
])
def test_safety_work_planned_or_not_done_is_not_completed(bullets: str) -> None:
    assert "completed" in _risk_flags("A safety plan was completed with her.", bullets)


# --- a review planned in the passive ------------------------------------------------------------------

PASSIVE = "- s2/12 IPT-A, 15\n- 'wish I could not wake up' - passive SI, no plan\n- plan: SI review each sess; SH review next wk"


@pytest.mark.parametrize("sentence", [
    "Suicidal ideation will be reviewed at every session.",
    "Self-harm will be reviewed next week.",
])
def test_a_review_planned_in_the_passive_claims_nothing(sentence: str) -> None:
    assert _risk_flags(sentence, PASSIVE) == []


def test_a_passive_review_after_a_claim_of_its_own_is_still_checked() -> None:
    assert _risk_flags("Her suicidal ideation has resolved and will be reviewed next session.", PASSIVE)


# --- a denial in the bullets' own time scope ------------------------------------------------------------

MISSED = ("- no-show s8/16\n- s7: passive SI, no plan\n- called 4pm, answered; overslept. Denies current SI\n"
          "- rescheduled Thurs")


def test_a_denial_in_the_bullets_own_scope_stands_beside_earlier_risk() -> None:
    assert _risk_flags("He denied current suicidal ideation.", MISSED) == []


def test_a_denial_without_that_scope_still_contradicts_the_documented_risk() -> None:
    assert _risk_flags("He denied suicidal ideation.", MISSED)


HISTORY = "- s8, role dispute\n- active SI since the hearing, intent 4/10\n- no prior attempts\n- HTT referral agreed"


def test_a_denial_of_past_attempts_stands_when_the_bullets_deny_them() -> None:
    assert _risk_flags("She has no previous suicide attempts.", HISTORY) == []


def test_a_denial_of_current_ideation_still_contradicts_it() -> None:
    assert _risk_flags("She currently denies suicidal ideation.", HISTORY)


# --- a scale item's own description -------------------------------------------------------------------

EPDS = "- perinatal, IPT S4/12\n- EPDS 14; item 10 = 0\n- grief focus agreed (mum d. Aug)"


@pytest.mark.parametrize("sentence", [
    "Item 10 (thoughts of self-harm) scored 0.",
    "Her EPDS was 14; item 10, on thoughts of harming herself, was scored 0.",
    "Item 10, which asks about thoughts of self-harm, was scored 0.",
])
def test_an_items_description_beside_its_documented_score_is_not_a_risk_report(sentence: str) -> None:
    assert _risk_flags(sentence, EPDS) == []


@pytest.mark.parametrize("sentence", [
    "Item 3 (thoughts of self-harm) scored 0.",  # not the item the bullets score
    "Item 10 (she cut her arm on Friday) scored 0.",  # not the item's own words
    "Item 10 scored 0, but she reports thoughts of self-harm.",
])
def test_anything_else_beside_an_item_is_still_checked(sentence: str) -> None:
    assert _risk_flags(sentence, EPDS)


def test_the_mask_keeps_the_sentence_length() -> None:
    sentence = "Item 10 (thoughts of self-harm) scored 0."
    masked = mask_items(sentence, EPDS)
    assert len(masked) == len(sentence) and "self-harm" not in masked


def test_a_scale_named_in_full_is_the_scale_the_bullets_name() -> None:
    sentence = "Her Edinburgh Postnatal Depression Scale score was 14."
    spans = [p.span for p in find_unsupported(sentence, EPDS, get_catalog(),
                                               clauses=["EPDS 14", "item 10 = 0", "grief focus agreed (mum d. Aug)"])]
    assert spans == []
    assert find_unsupported("Her Geriatric Depression Scale score was 14.", EPDS, get_catalog(),
                            clauses=["EPDS 14", "item 10 = 0"])


# --- words a note may use for a coded age and sex ----------------------------------------------------------

def test_a_coded_age_and_sex_grounds_the_word_for_the_person() -> None:
    from assistant.notes.claims import Grounding

    assert "girl" not in Grounding("- 14F, IPT-A s2/12", []).check(["She is a girl of 14."])[0].ungrounded
    assert "girl" in Grounding("- 14M, IPT-A s2/12", []).check(["She is a girl of 14."])[0].ungrounded


# --- a sentence that retells a risk bullet in words of its own --------------------------------------------

THREAT = ("- s7, role dispute w/ ex-partner\n- pt sent ex text: \"you'll regret this, I know where you live\"\n"
          "- ex has reported to police\n- pt denies intent to harm ex; no weapons\n- SI denies; SH denies")


def test_a_softened_retelling_of_a_documented_threat_is_not_lifted_as_interpretation() -> None:
    bullets = THREAT
    f = parse_bullets(bullets, get_catalog())
    problems = find_unsupported("The message was sent in a moment of frustration and he has had no further "
                                "contact with her.", bullets, get_catalog(), clauses=[c for c, _ in f.clauses],
                                source_signals=f._signals)
    assert problems


# --- the words a formulation is worded in ----------------------------------------------------------------

ALLOTMENT = "- s6/16 grief (husband d. March)\n- avoids the allotment he kept\n- PHQ-9 15\n- passive SI, no plan"


def test_the_words_of_a_formulation_are_not_new_facts() -> None:
    from assistant.notes.claims import Grounding

    support = Grounding(ALLOTMENT, []).check(["Avoiding the allotment fits the grief formulation, in the context of "
                                              "a significant loss."])[0]
    assert support.ungrounded == ()


def test_a_method_named_in_words_close_to_the_vocabulary_is_still_new() -> None:
    from assistant.notes.claims import Grounding

    support = Grounding(ALLOTMENT, []).check(["We completed a behavioural activation schedule."])[0]
    assert "activ" in support.ungrounded


def test_a_significant_grade_on_risk_still_needs_the_bullets_words() -> None:
    # (flagged as an unsupported claim of severity; until the twenty-eighth round a rule for "X is a <model>" had also
    # read "is a" as denying the ideation, a risk statement by accident)
    flags = find_unsupported("His passive suicidal ideation is a significant concern.", ALLOTMENT, get_catalog())
    assert any(p.span == "significant" for p in flags)
    assert _risk_flags("Passive suicidal ideation sits beside significant depressive symptoms.", ALLOTMENT) == []


# --- a negative screen item, and what a draft may say of it (writer x's read half) ----------------------------

SCREEN = "- IPT sess 4/16, perinatal\n- EPDS 15 today (18 at intake)\n- EPDS item 10 = 0\n- misses her work"


@pytest.mark.parametrize("text,expected", [
    ("EPDS item 10 = 0", "negated"),
    ("q9 = 0", "negated"),
    ("q9 = 2", "present"),
])
def test_a_screen_items_score_is_its_result(text: str, expected: str) -> None:
    found = [s.assertion for s in analyse(text, reader=False).items if s.category == "risk_screen"]
    assert expected in found


def test_a_draft_may_report_the_negative_item_but_not_turn_it_into_a_denial() -> None:
    assert _risk_flags("She endorsed no thoughts of self-harm on item 10.", SCREEN) == []
    assert _risk_flags("She denies suicidal ideation.", SCREEN)


def test_a_scores_grade_is_not_a_grade_of_risk() -> None:
    assert _risk_flags("Her EPDS score has come down since intake but remains elevated, and she endorsed no "
                       "thoughts of self-harm on item 10.", SCREEN) == []


CSSRS = ("- Navy vet, IPT sess 4/12\n- C-SSRS: + passive wish to be dead past month; no method, no intent, no behavior\n"
         "- safety plan updated")


def test_a_specific_denial_the_bullets_make_in_their_words_stands() -> None:
    assert _risk_flags("He reported no method, no intent and no suicidal behaviour.", CSSRS) == []
    assert _risk_flags("He denies suicidal thoughts.", CSSRS)


@pytest.mark.parametrize("sentence", [
    "Item 9, which asks about thoughts of being better off dead or of hurting oneself, was scored 0.",
    "A phone session tomorrow takes the place of the missed one; we agreed it in place of a visit.",
])
def test_idioms_of_the_softeners_are_not_softeners(sentence: str) -> None:
    bullets = "- brief IPT, sess 3 of 8\n- PHQ-9 = 12, q9 = 0\n- passive SI last month, none now\n- visit missed"
    assert _risk_flags(sentence, bullets) == []


def test_risk_words_naming_a_check_are_not_a_report() -> None:
    bullets = "- s4, postpartum\n- EPDS 15\n- SI/SH screen neg, no thoughts harm baby"
    assert _risk_flags("Suicide and self-harm screening completed.", bullets) == []
    assert _risk_flags("She reports thoughts of self-harm.", bullets)


# --- thoughts of death, assessed for plan and intent, are documented ideation -------------------------------

@pytest.mark.parametrize("line,expected", [
    ("- reports thoughts that baby 'would be better off without me', no plan, no intent", "present"),
    ("- said the kids 'would be better off without me'", "possible"),
    ("- looked up how many paracetamol is too many, no intent stated; not explored", "possible"),
])
def test_thoughts_assessed_for_plan_and_intent_are_present(line: str, expected: str) -> None:
    bullets = f"- s5/16 IPT perinatal\n{line}\n- focus agreed: role transition"
    assert parse_bullets(bullets, get_catalog()).risk.status == expected


@pytest.mark.parametrize("text,expected", [
    ("On questioning: has thought about hitting him, no plan, no weapons", [("harm_to_others", "negated"),
                                                                          ("harm_to_others", "present")]),
    ("had thoughts of punching her boss", [("harm_to_others", "present")]),
    ("no thoughts of hitting him", [("harm_to_others", "negated")]),
    ("thinking about hitting the gym more", []),
    ("she's been thinking about hurting her little brother", [("harm_to_others", "present")]),
])
def test_thoughts_of_violence_to_a_person(text: str, expected: list[tuple[str, str]]) -> None:
    assert _lexical(text) == expected


def test_a_draft_is_kept_when_its_removals_are_few_sentences_with_several_problems_each() -> None:
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    bullets = "- s6/16 role dispute w/ sister (agreed)\n- PHQ-9 12\n- comm analysis of Sunday's call\n- HW: ask sister to meet"
    # one invented sentence with four problems (a day, a number, a name, a place): one removal, not four
    draft = ("## Subjective\nShe reports a dispute with her sister. On Tuesday she met Gemma 3 times in Leeds.\n"
             "## Objective\nPHQ-9 12.\n## Assessment\nThe role dispute continues.\n"
             "## Plan\nAsk her sister to meet.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="soap")
    assert note.mode == "llm" and note.has_flag("unsupported_claim")
    assert "Gemma" not in note.text and "dispute with her sister" in note.text


def test_a_sentence_with_an_items_description_is_still_grounded_as_a_whole() -> None:
    bullets = "- perinatal, IPT S4/12\n- EPDS 14; item 10 = 0\n- grief focus agreed (mum d. Aug)"
    f = parse_bullets(bullets, get_catalog())
    problems = find_unsupported("Item 10 (thoughts of self-harm) scored 0, and she has started a new job at the "
                                "garden centre.", bullets, get_catalog(), clauses=[c for c, _ in f.clauses],
                                source_signals=f._signals)
    assert any(p.kind == "claim" for p in problems)


# --- the seventeenth round ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    # a stated intention to hurt a person is harm to others in so many words
    ("said he's going to 'smash his brother's face in' if he turns up again", [("harm_to_others", "present")]),
    ("says she'll glass her ex if she sees him in the pub", [("harm_to_others", "present")]),  # a conditional threat is a threat
    ("threatened to stab her neighbour over the fence", [("harm_to_others", "present")]),
    # ... an object that is not a person is not
    ("going to smash this exam, then hit the gym", []),
])
def test_a_stated_threat_to_a_person(text: str, expected: list[tuple[str, str]]) -> None:
    assert [x for x in _lexical(text) if x[0] == "harm_to_others"] == expected


@pytest.mark.parametrize("bullets,line,in_risk", [
    # restricting the means of harm is risk management and belongs with the risk lines
    ("- s6/16 grief (son)\n- pills now handed to her husband to keep; she agreed\n- denies SI today",
     "pills now handed to her husband to keep", True),
    ("- s9/16 RD\n- firearms kept at his brother's since the row\n- denies SI, HI",
     "firearms kept at his brother's since the row", True),
    # ... starting a medication is not
    ("- s6/16 grief (son)\n- put on sertraline by GP last week\n- denies SI today",
     "put on sertraline by GP last week", False),
])
def test_restricting_the_means_of_harm_is_a_risk_line(bullets: str, line: str, in_risk: bool) -> None:
    assert (line in parse_bullets(bullets, get_catalog()).risk.details) is in_risk


@pytest.mark.parametrize("bullets, status", [
    # A screen's item scored in a clause of its own is the screen's result.
    ("- s3/12 perinatal\n- EPDS 16; item 10 = 0", "denied"),
    ("- s3/12 perinatal\n- EPDS 16; q10 = 1 (hardly ever)", "present"),
    ("- s5/16 grief\n- PHQ-9 19; item 9 = 0", "denied"),
])
def test_a_scored_screen_item_is_its_result(bullets: str, status: str) -> None:
    assert parse_bullets(bullets, get_catalog()).risk.status == status
