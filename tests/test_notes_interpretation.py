"""Content grounding with its claim probe, severity bands checked against the published cut-offs, and the
note vocabulary's lemmas: a faithful draft's formulation stands, an invented fact does not."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.catalog import get_catalog
from assistant.notes.factcheck import find_unsupported, grounding_candidates, split_sentences
from assistant.notes.interpretation import features, get_claim_probe
from assistant.notes.parse import parse_bullets
from assistant.notes.scales import change_supported, directions, mask_verified, scale_names, verified_bands

DISPUTE = ("- s7/16 role dispute w/ partner re housework\n- pt says he 'never notices' what she does\n"
           "- CA of Sunday row: she went quiet for hours then shouted\n- PHQ-9 16 (was 19 at s1)\n"
           "- HW: ask for one specific thing, calmly")


def _flags(sentence: str, bullets: str = DISPUTE) -> list[str]:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    return [p.span for p in find_unsupported(sentence, bullets, get_catalog(), clauses=clauses)]


def _candidate(sentence: str, bullets: str = DISPUTE) -> bool:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    return bool(grounding_candidates(split_sentences(sentence), bullets, clauses, get_catalog()))


#: Formulation sentences for DISPUTE, written for this test (not in any training set), each with words the
#: bullets lack and too far from any one clause for grounding alone.
FORMULATIONS = [
    "Her silence followed by an outburst seems to leave her needs unspoken and unmet, which sustains the impasse.",
    "This cycle of withdrawal and outburst appears to keep both partners' expectations hidden from each other.",
    "Going quiet for hours may be her way of avoiding a conflict she expects to lose.",
    "Her sense of being unseen in the relationship appears central to the dispute.",
    "The mismatch lies in who is expected to carry the household load.",
    "Her resentment seems to build silently until it spills over.",
    "Naming her expectations aloud would make the non-reciprocal pattern visible to both of them.",
]


def test_the_probe_lets_some_formulations_stand_that_grounding_alone_would_flag() -> None:
    assert all(_candidate(s) for s in FORMULATIONS), "not a test of the probe: grounding alone lets one stand"
    standing = [s for s in FORMULATIONS if not _flags(s)]
    # Measured when written: 3 of 7 stand (the probe clears about 0.6 of such sentences out of fold); the
    # rest are still flagged, the price of keeping 0.98 of invented facts flagged.
    assert len(standing) >= 3, standing


@pytest.mark.parametrize("sentence", [
    "She has started drinking wine most evenings to cope with the tension.",
    "Her partner moved out after the row and is staying with his brother.",
    "She was diagnosed with an eating disorder as a teenager.",
    "She has been waking at dawn with chest pains and headaches.",
])
def test_an_invented_fact_is_still_flagged(sentence: str) -> None:
    assert _flags(sentence)


def test_the_probe_never_lifts_a_sentence_about_risk() -> None:
    bullets = "- s5/16 grief, mum d. March\n- passive SI 'wouldn't mind not waking up', no plan\n- PHQ-9 17"
    sentence = "Her passive suicidal thoughts reflect an unresolved attachment that leaves her adrift."
    assert _candidate(sentence, bullets)
    assert _flags(sentence, bullets)


def test_the_shipped_probe_reads_the_features_this_code_makes() -> None:
    probe = get_claim_probe()
    assert probe is not None
    bullets = DISPUTE
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    found = grounding_candidates(["She has started drinking wine most evenings."], bullets, clauses, get_catalog())
    x = features([s for s, _, _ in found], [sup for _, sup, _ in found])
    assert x.shape[1] == probe.W.shape[0] and 0.0 < probe.threshold < 1.0
    assert np.all((probe.probability([s for s, _, _ in found], [sup for _, sup, _ in found]) >= 0))


@pytest.mark.parametrize("sentence,ok", [
    ("Her PHQ-9 of 16 falls in the moderately severe range.", True),
    ("Her PHQ-9 falls in the moderately severe range.", True),
    ("Moderately severe depressive symptoms persist.", True),
    ("Her PHQ-9 of 16 is in the moderate range.", False),  # 16 is moderately severe
    ("Her PHQ-9 falls in the severe range.", False),
    ("Her mood is in the mild range.", False),  # no scale graded
])
def test_a_band_stands_only_when_the_documented_score_lies_in_it(sentence: str, ok: bool) -> None:
    assert bool(verified_bands(sentence, DISPUTE)) is ok
    assert (_flags(sentence) == []) is ok


def test_each_band_is_paired_with_the_scale_it_grades() -> None:
    src = "- PHQ-9 14, GAD-7 16"
    assert mask_verified("Anxiety is in the severe range and depressive symptoms are moderate.", src).split() == \
        ["Anxiety", "is", "in", "the", "and", "depressive", "symptoms", "are", "."]
    assert not verified_bands("Anxiety is in the moderate range and depressive symptoms are severe.", src)
    assert not verified_bands("EPDS 15 is in the moderate range.", "- EPDS 15")  # no published bands


def test_a_change_word_stands_when_the_scores_moved_that_way() -> None:
    assert directions("- PHQ-9 8 (was 16 at s1)") == {"down"}
    assert directions("- GAD-7 15 (from 9)") == {"up"}
    assert directions("- PHQ-9 14, GAD-7 16") == set()
    assert change_supported("improvement", "PHQ-9 has fallen to 8, consistent with improvement.", "- PHQ-9 8 (was 16)")
    assert not change_supported("improvement", "PHQ-9 is 8, an improvement.", "- PHQ-9 8")
    assert not change_supported("worse", "Her PHQ-9 score is worse.", "- PHQ-9 8 (was 16)")
    assert _flags("Her PHQ-9 has come down from 19 to 16, a modest improvement.") == []
    assert _flags("Her PHQ-9 of 16 shows she is much worse.")


def test_a_scale_written_in_full_for_the_bullets_shorthand_is_not_a_new_number() -> None:
    assert scale_names("PHQ-9: 15.", "- PHQ 15") == [(0, 5)]
    assert _flags("PHQ-9: 15.", "- s6/16 RT after leaving the army\n- PHQ 15") == []
    assert _flags("PHQ-9: 15.", "- s6/16 RT after leaving the army\n- PHQ 14")


@pytest.mark.parametrize("bullets,sentence", [
    ("- s4/16 spoke to her sister about the will", "She has spoken with her sister about the will."),
    ("- s9/16 grief\n- safety plan done, passive SI, no plan", "A safety plan was completed."),
    ("- s3/16 perinatal\n- EPDS 19, item 10 = 1\n- passive SI, no plan", "Item 10 (self-harm) scored 1."),
    ("- s3/16 pn depression\n- thinks baby 'better off without me', no plan or intent",
     "She thinks the baby would be better off without her, with no plan or intent."),
])
def test_the_bullets_facts_in_other_words_stand(bullets: str, sentence: str) -> None:
    assert _flags(sentence, bullets) == []


def test_a_risk_grade_with_a_number_of_its_own_is_still_flagged() -> None:
    bullets = "- s3/16 grief\n- passive SI, no plan"
    assert _flags("Suicide risk was scored 3 out of 10.", bullets)


VIOLENCE = ("- s5/16 RD w/ husband\n- he pushed her into the wall Sat, bruised arm\n- pt scared of him when he drinks\n"
            "- PHQ-9 15")


@pytest.mark.parametrize("sentence", [
    "She feels things have calmed down at home since the weekend.",
    "She thinks it was a one-off and that he is unlikely to do it again.",
    "The situation at home now feels settled to her.",
])
def test_a_minimisation_without_a_risk_word_is_flagged_when_the_bullets_document_risk(sentence: str) -> None:
    assert _candidate(sentence, VIOLENCE)
    assert _flags(sentence, VIOLENCE)


def test_a_technique_the_bullets_do_not_name_is_a_claim_however_it_is_framed() -> None:
    sentence = "Rehearsing the request in role play seems to have given her words for what she needs."
    assert _candidate(sentence)
    assert _flags(sentence)
    # a state, not an intervention: "mourning" names no grief work done
    grief = "- s6/16 RT after retirement\n- misses the staffroom, 'I was somebody there'\n- PHQ-9 12"
    assert _flags("He is mourning the identity the staffroom gave him.", grief) == []


def test_a_negation_on_the_bullet_before_does_not_negate_a_technique() -> None:
    from assistant.naming import match_techniques

    text = "- coworker cancelled lunch, pt didn't reply for 3 days\n- comm analysis: what pt assumed vs what she said"
    assert "communication_analysis" in match_techniques(text, get_catalog())
    assert "communication_analysis" not in match_techniques("- did not do comm analysis today", get_catalog())


@pytest.mark.parametrize("bullets,sentence", [
    ("- s3 RT\n- partner pushed her into a door frame\n- IDVA referral made in session",
     "With her agreement a referral to an Independent Domestic Violence Advisor was made in session."),
    ("- s3 RT\n- partner pushed her into a door frame\n- DASH done: 11 yes", "Completed the DASH risk checklist."),
    ("- s2\n- SI active, no plan, intent 2/10\n- safety plan made", "She rated her intent at 2/10."),
    ("- s5 RD w/ brother\n- re brother: \"I felt like I could kill him\"; no intent, no plan, no access",
     "He said, \"I felt like I could kill him,\" with no intent or plan."),
    ("- s12/16 grief\n- PHQ-9 13 (was 16)\n- memories work", "Depressive symptoms have reduced from moderately severe to moderate."),
    ("- s2 IPT (21yo)\n- inventory started", "Twenty-one-year-old client seen for session 2."),
])
def test_risk_and_rating_facts_in_the_models_words_stand(bullets: str, sentence: str) -> None:
    assert _flags(sentence, bullets) == []


@pytest.mark.parametrize("sentence", [
    "The burning was a response to one difficult evening.",  # a minimisation that names no risk word
    "These urges are only occasional now.",
    "There is no ongoing concern for her safety.",
])
def test_a_minimisation_that_refers_back_to_documented_self_harm_is_flagged(sentence: str) -> None:
    bullets = "- s10 RD flatmates\n- SH: burned inner wrist w/ lighter x2 this wk\n- SH urges daily\n- denies SI"
    assert _flags(sentence, bullets)


@pytest.mark.parametrize("bullets,sentence", [
    ("- Session #10/12 RD w/ supervisor Dana\n- HR set up mediation 11/14", "HR has set up a mediation for November 14."),
    ("- Sess 12 of 12\n- PHQ-9 8 (s1 20); GAD-7 7", "PHQ-9 was 8 (mild), down from 20 (severe) at session 1."),
    ("- Sess 12 of 12\n- PHQ-9 8 (s1 20); GAD-7 7", "She moved from severe to mild depressive symptoms."),
    ("- Perinatal IPT group wk 3/8\n- EPDS 13 (wk 1: 16)", "Her EPDS has fallen by three points but remains at a level consistent "
                                                           "with probable depression."),
    ("- Sess 11 of 16, carer for wife, Alzheimer's dx 2023", "His wife was diagnosed with Alzheimer's disease in 2023."),
    ("- s5 grief\n- SI: fleeting thoughts last wk \"I want to be with her\" - no plan, no intent, hasn't sought means",
     "She reported fleeting thoughts last week of wanting \"to be with her,\" with no plan, no intent, and no attempt "
     "to seek means."),
    ("- IPT-A sess 4\n- item 9 = 1 \"sometimes wish I could just disappear\"",
     "She said she \"sometimes wish[es] I could just disappear.\""),
])
def test_more_of_the_bullets_facts_in_a_models_words_stand(bullets: str, sentence: str) -> None:
    assert _flags(sentence, bullets) == []


@pytest.mark.parametrize("bullets,sentence", [
    ("- Session #10/12 RD w/ supervisor Dana\n- mood 4/10", "She saw Dana on April 10."),  # a rating is not a date
    ("- Sess 12 of 12\n- PHQ-9 8 (s1 20)", "PHQ-9 was 8 (moderate)."),
    ("- EPDS 11", "Her EPDS indicates probable depression."),  # 11 is possible, not probable (13 or more)
    ("- s5 of 12\n- inventory completed. focus still undecided - transition vs dispute w/ manager",
     "Following the inventory, the client chose role transition as the focal area."),
])
def test_a_wrong_date_band_or_agreement_is_still_flagged(bullets: str, sentence: str) -> None:
    from assistant.notes.drafting import check_sections

    facts = parse_bullets(bullets, get_catalog())
    assert check_sections({"Assessment": sentence}, facts, bullets, get_catalog())
