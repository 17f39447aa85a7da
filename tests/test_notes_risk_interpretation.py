"""A faithful model sentence about documented risk may interpret it in words of its own; one that grades,
softens, recasts or denies the risk never stands on interpretation. Also: words for a change's size borne
out by the scores, a scale's published cut-off, a region written out from its postal code, an item written
out from "q9", a proposed focal area, and the formulation or a dispute's stage named without claiming work."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.claims import region_names
from assistant.notes.factcheck import find_unsupported, grounding_candidates, split_sentences
from assistant.notes.parse import parse_bullets
from assistant.notes.risk_lift import risk_liftable, softens_risk
from assistant.notes.scales import cutoff_numbers, large_changes, size_supported

SELF_HARM = ("- s5/12 IPT-A, role dispute w/ mum (agreed)\n- cut L forearm Weds night, 3 superficial cuts, "
             "first SH in 2 months; no SI, no intent to die - 'it just gets the feeling out'\n"
             "- alone in her room most evenings since the row\n- PHQ-A 17\n"
             "- safety plan updated (distraction box, text line)\n- plan: joint sess w/ mum S6")


def _problems(draft: str, bullets: str = SELF_HARM) -> list[tuple[str, str]]:
    f = parse_bullets(bullets, get_catalog())
    return [(p.kind, p.span) for p in find_unsupported(draft, bullets, get_catalog(), clauses=[c for c, _ in f.clauses],
                                                       focal=(f.focal_area, f.focal_status))]


def _risk_candidate(sentence: str, bullets: str = SELF_HARM) -> bool:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    found = grounding_candidates(split_sentences(sentence), bullets, clauses, get_catalog())
    return bool(found) and all(risk for _, _, risk in found)


@pytest.mark.parametrize("sentence", [
    "The search appears to have been curiosity rather than intent.",
    "The cutting was merely a way to let off steam.",
    "Her self-harm is of low severity.",
    "There is no access to sharps at home.",
    "These urges have eased over the past week.",
    "The self-harm is an understandable reaction to the row.",
])
def test_a_sentence_that_grades_softens_recasts_or_denies_risk_is_never_lifted(sentence: str) -> None:
    assert not risk_liftable(sentence)


@pytest.mark.parametrize("sentence", [
    "Her self-harm urges cluster at times when she is alone.",
    "The cutting followed evenings spent alone in her room.",
    "She feels afraid of him when he drinks.",
])
def test_a_sentence_that_only_interprets_risk_may_be_lifted(sentence: str) -> None:
    assert risk_liftable(sentence)


@pytest.mark.parametrize("sentence", [
    "Her self-harm urges cluster at times when she is alone, in keeping with the loss of her previous social world.",
    "The cutting appears tied to the isolation that followed the row, when she withdraws to her room.",
])
def test_an_interpretation_of_documented_self_harm_stands(sentence: str) -> None:
    assert _risk_candidate(sentence), "not a test of the lift: grounding alone lets it stand"
    assert _problems(sentence) == []


@pytest.mark.parametrize("sentence", [
    "The self-harm appears to reflect boredom rather than distress.",
    "Her cutting is just attention seeking.",
    "The cuts were of low severity and no longer a concern.",
])
def test_a_minimisation_of_documented_self_harm_is_still_flagged(sentence: str) -> None:
    assert _problems(sentence)


SCORES = "- s16/16 final session\n- PHQ-9 8 (19 at intake), GAD-7 6\n- HW: keep the Friday calls going"


def test_a_word_for_a_large_change_stands_when_the_scores_bear_it_out() -> None:
    src = SCORES.lower()
    assert large_changes(src) == {"down"}
    assert size_supported("substantial", "He has made substantial gains across treatment.", src)
    assert size_supported("marked", "There was a marked improvement in his PHQ-9.", src)
    assert not size_supported("substantial", "His mood has substantially worsened.", src)  # the wrong way
    assert not size_supported("significant", "He has significant depressive symptoms.", src)  # a severity
    small = "- PHQ-9 9 (12 at s4)"
    assert large_changes(small.lower()) == frozenset()  # 3 points, a quarter: not large
    assert not size_supported("substantial", "He has made substantial gains.", small.lower())
    assert _problems("He has made substantial gains across treatment, his PHQ-9 falling from 19 to 8.", SCORES) == []
    assert _problems("He has made substantial gains across treatment.", small)


def test_a_published_cut_off_of_a_scored_scale_is_not_an_invented_number() -> None:
    bullets = "- EPDS 20, q10 'hardly ever'\n- baby 3 months"
    sentence = "Her EPDS score was 20, well above the threshold of 13 for probable depression."
    assert [sentence[a:b] for a, b in cutoff_numbers(sentence, bullets.lower())] == ["13"]
    assert cutoff_numbers("Her EPDS score was 20, above the threshold of 15.", bullets.lower()) == []
    assert cutoff_numbers("Her PHQ-9 was above the threshold of 10.", bullets.lower()) == []  # a scale not scored
    assert not [p for p in _problems(sentence, bullets) if p[0] == "number"]
    assert [p for p in _problems("Her EPDS score was 20, well above the threshold of 15.", bullets) if p[0] == "number"]


def test_a_region_written_out_from_its_postal_code_after_a_place() -> None:
    assert region_names("software tester, Raleigh NC. focus deficits") == ["North Carolina"]
    assert region_names("youth clinic Portland, OR - River 16") == ["Oregon"]
    assert region_names("SI: denies. HI: denies") == []  # not after a place name
    bullets = "- S8/16 IPT, 38F software tester, Raleigh NC\n- focus interpersonal deficits\n- PHQ-9 13"
    assert not [p for p in _problems("She is a software tester in Raleigh, North Carolina.", bullets) if p[0] == "name"]
    assert [p for p in _problems("She is a software tester in Raleigh, South Carolina.", bullets) if p[0] == "name"]


def test_an_item_written_out_for_q_shorthand() -> None:
    bullets = "- brief IPT sess 3 of 8\n- PHQ-9 = 12 (moderate), q9 = 0\n- focal: deficits, tentatively agreed"
    assert not [p for p in _problems("On the PHQ-9, item 9 was scored 0.", bullets) if p[0] == "claim"]


def test_a_proposed_focal_area_is_not_presented_as_agreed() -> None:
    bullets = "- s2/16, new dad (baby 6 wks)\n- possible focus: role transition to fatherhood - to discuss\n- PHQ-9 14"
    assert not [p for p in _problems("The proposed focal area is role transition following the birth.", bullets)
                if p[0] == "focal area"]
    assert [p for p in _problems("The agreed focal area is role transition following the birth.", bullets)
            if p[0] == "focal area"]


DISPUTE = ("- s9/16 RD w/ husband re money (agreed)\n- disclosed the credit card debt to him on Sunday\n"
           "- made a budget together\n- PHQ-9 12 (was 13)")


def test_a_dispute_stage_or_a_reference_to_the_formulation_claims_no_work() -> None:
    for sentence in ("The couple appear to be moving into renegotiation.",
                     "Disclosing the debt fits the role dispute formulation."):
        assert not [p for p in _problems(sentence, DISPUTE) if p[0] == "claim" and "formul" not in p[1]], sentence
    # Work claimed is still a claim: the bullets name no role play and no communication analysis.
    assert _problems("Through role play she rehearsed voicing her worries to him calmly and without apology.", DISPUTE)
    assert _problems("Using communication analysis, we traced how the silence about money built up over months.",
                     DISPUTE)


def test_a_negation_the_bullets_wrote_is_theirs_not_a_denial() -> None:
    from assistant.notes.factcheck import _norm

    bullets = ("- s4/16, RD w/ boyfriend (agreed)\n- shoved her into wall Sat, bruise on arm\n"
               "- fearful when he drinks. No weapons in home per client. No SI")
    sentence = "She feels afraid of him when he drinks, and she reported that there are no weapons in the home."
    assert not risk_liftable(sentence)  # read alone, its "no" may be a denial
    assert risk_liftable(sentence, _norm(bullets))  # the bullets wrote "No weapons in home"
    assert not risk_liftable("There are no weapons in the home and no access to pills.", _norm(SELF_HARM))


def test_a_framing_word_is_no_minimisation_in_a_sentence_that_names_no_risk() -> None:
    sentence = "Disclosing the debt removed a major source of secrecy in the dispute."
    assert softens_risk(sentence)  # read as a sentence about risk, "removed" manages the risk
    assert not softens_risk(sentence, named=False)
    assert softens_risk("Things have settled at home since then.", named=False)
    assert softens_risk("It is unlikely he will come to the house.", named=False)


def test_the_better_of_two_areas_or_better_off_dead_is_no_change_claimed() -> None:
    from assistant.notes.change_words import unsupported_strict
    from assistant.notes.factcheck import _norm

    bullets = "- s3/16, 13M, moved to high school\n- focus: RT vs deficits - to decide\n- PHQ-A 12, q9 = 0"
    src, lines = _norm(bullets), bullets.splitlines()
    for sentence in ("We discussed which would be the better focal area.",
                     "He scored 0 on item 9, which asks about thoughts of being better off dead."):
        assert unsupported_strict(sentence, sentence, src, lines) == [], sentence
    assert unsupported_strict("His mood is better this week.", "His mood is better this week.", src, lines) == ["better"]
