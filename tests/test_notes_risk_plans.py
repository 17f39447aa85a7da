"""Faithful sentences about documented risk that are not risk claims of their own: a plan to review the risk
named with others ("self-harm and suicidal thoughts will be reviewed at session 9"), a suicide screen's item
reported beside partner violence, a denial that ends where a new predicate starts, the bullets' "re" for "of",
and harming oneself told from harming others. Also the sections a model names in other usual spellings
("## Goal" for GIRP's Goals). Phrasings here are the test author's, not copied from the eval sets."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.drafting import draft_note, split_sections
from assistant.notes.factcheck import find_unsupported
from assistant.notes.parse import parse_bullets
from assistant.signals import analyse
from assistant.testing.fake_model import ScriptedModel

URGES = ("- S10/16; 41M; role dispute with brother (agreed)\n- PHQ-9 15 (s6 18)\n"
         "- urges to burn arm w/ lighter twice this wk; did not act; went for a run instead\n"
         "- passive SI most days, no plan, no intent\n- safety plan reviewed\n- HW: call brother Sun")
CONTROL = ("- s5/16; 31F; role transition to parenthood, baby 5 mo\n- EPDS 14 (s1 17); item 10 = 0; denies SI\n"
           "- partner reads her messages, keeps the bank card - pt 'walks on eggshells'\n"
           "- DV helpline number given; pt saved it under a work contact\n- HW: baby group Weds")


def _risk_problems(draft: str, bullets: str) -> list[str]:
    f = parse_bullets(bullets, get_catalog())
    return [p.span for p in find_unsupported(draft, bullets, get_catalog(), clauses=[c for c, _ in f.clauses],
                                             focal=(f.focal_area, f.focal_status)) if p.kind == "risk statement"]


@pytest.mark.parametrize("sentence", [
    "Self-harm urges and suicidal thoughts will be reviewed at session 11.",
    "His urges to self-harm and the safety plan will be revisited at every session.",
])
def test_a_plan_to_review_risks_named_together_claims_nothing(sentence: str) -> None:
    assert _risk_problems(sentence, URGES) == []


def test_a_plan_to_review_with_a_clause_of_its_own_is_still_read() -> None:
    # "and he says ..." starts a new clause: what it says is a claim, not the plan's subject
    assert _risk_problems("Suicidal thoughts and he says they have stopped will be reviewed at session 11.", URGES)


def test_a_suicide_screen_item_is_not_contradicted_by_partner_violence() -> None:
    assert _risk_problems("Item 10 of the EPDS was scored 0 and she denied suicidal ideation.", CONTROL) == []
    # ... but a denial of the violence documented beside it still is ("partner violence" without "intimate")
    assert _risk_problems("She denies any partner violence.", CONTROL)


def test_a_denial_ends_where_a_new_predicate_starts() -> None:
    found = analyse("She reported no suicidal ideation and said her last act of self-harm was six years ago.",
                    reader=False)
    assert {s.assertion for s in found.items if s.category == "self_harm" and s.source == "lexicon"} == {"historical"}


@pytest.mark.parametrize("text, kinds", [
    ("no thoughts re harming the baby", {"harm_to_others"}),
    ("thoughts of hurting herself when alone", {"self_harm"}),
    ("denies thoughts of harming self or baby", {"self_harm", "harm_to_others"}),
    ("no thoughts of harming themselves and will stay with a friend", {"self_harm"}),
])
def test_harming_oneself_is_told_from_harming_others(text: str, kinds: set[str]) -> None:
    found = analyse(text, reader=False)
    assert {s.category for s in found.items if s.source == "lexicon" and s.family == "risk"} == kinds


@pytest.mark.parametrize("fmt, headings", [
    ("girp", ["Goal", "Intervention", "Response", "Plan"]),
    ("birp", ["Behaviour", "Interventions", "Response", "Plan"]),
])
def test_a_section_in_another_usual_spelling_is_the_formats_section(fmt: str, headings: list[str]) -> None:
    text = "\n\n".join(f"## {h}\nText for {h.lower()}." for h in headings)
    sections = split_sections(text, fmt)
    assert sections is not None and len(sections) == 4
    bullets = "- S3/16, grief (mother d. March), focus agreed\n- PHQ-9 12\n- timeline of the illness started\n- risk: denies SI"
    draft = ("## Goal\nSession 3 of 16; the agreed focus is grief after her mother's death.\n\n## Intervention\n"
             "We started a timeline of the illness.\n\n## Response\nPHQ-9 was 12. She denies suicidal ideation.\n\n"
             "## Plan\nContinue the timeline next session.")
    note = draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format="girp")
    assert note.mode == "llm" and not note.has_flag("fallback_offline")


@pytest.mark.parametrize("sentence", [
    "The aim of the work is to support her mourning while keeping her safe.",
    "Her coping strategies (ice, ringing a friend) helped her ride out the urges.",
    "Risk was not reviewed today; it must be reviewed next session and the PHQ-9 should be completed then.",
])
def test_a_softener_that_states_an_aim_names_a_tool_or_plans_a_step_grades_nothing(sentence: str) -> None:
    assert _risk_problems(sentence, URGES) == []


@pytest.mark.parametrize("sentence", [
    "She has kept herself safe and the urges are manageable.",
    "His risk is low and he is coping well.",
])
def test_the_same_words_that_grade_risk_still_do(sentence: str) -> None:
    assert _risk_problems(sentence, URGES)


def test_a_count_in_shorthand_grounds_occasions_and_ipv_grounds_intimate() -> None:
    from assistant.notes.claims import Grounding

    bullets = "- urges to burn arm x3 this wk\n- IPV screen done: partner pushed her Sat"
    g = Grounding(bullets, bullets.splitlines())
    support = g.check(["She had urges to burn her arm on three occasions this week.",
                       "An intimate partner violence screen was done."])
    assert [s.ungrounded for s in support] == [(), ()]
