"""Risk questions answered after the question, checks left open, deaths by a cause, possessors, and scores
written with a word between the scale and the number (the fourteenth round: writers q, r and s). Phrasings
are the test author's own; each pair differs in one fact."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.parse import parse_bullets
from assistant.notes.scales import change_supported, documented, verified_bands
from assistant.signals import analyse
from assistant.signals.answers import answer


def _status(bullets: str) -> str:
    return parse_bullets(bullets, get_catalog()).risk.status


def _risk(text: str) -> list[tuple[str, str]]:
    return [(s.category, s.assertion) for s in analyse(text).items if s.family == "risk" and s.category != "risk_screen"]


@pytest.mark.parametrize("text,expected", [
    ("said no straight away", "negated"),
    ("a firm no", "negated"),
    ("denied both", "negated"),
    ("negative on all items", "negated"),
    ("yes, on and off", "present"),
    ("declined to answer", "not_assessed"),
    ("not today", "not_assessed"),
    ("no change since last week", None),
    ("no family support nearby", None),
    ("no but has thought about it", None),
    ("some thoughts, no plan", None),
])
def test_what_an_answer_says(text: str, expected: str | None) -> None:
    assert answer(text) == expected


@pytest.mark.parametrize("bullets,status", [
    # the answer is the next part of the line, after a dash or a colon
    ("- s6/16 RT\n- asked about thoughts of ending her life - a flat no, 'not with my girls'", "denied"),
    ("- s6/16 RT\n- asked about thoughts of ending her life - yes, most nights this week", "present"),
    ("- s6/16 RT\n- suicide screen w/ pt on her own: negative", "denied"),
    ("- s6/16 RT\n- suicide screen w/ pt on her own: passive SI most days", "present"),
    # a screen the client would not answer was not done; a question left unanswered stays open
    ("- s6/16 RT\n- C-SSRS - she declined to answer, will try again next week", "not_assessed"),
    ("- s6/16 RT\n- asked directly about suicidal thoughts - she would not answer", "possible"),
    # a line that says only that the check was not done continues the line's topic
    ("- s6/16 RT\n- risk unknown - not screened this time", "not_assessed"),
    ("- s6/16 RT\n- risk: passive SI - no plan", "present"),
])
def test_an_answer_after_the_question_decides(bullets: str, status: str) -> None:
    assert _status(bullets) == status


def test_a_death_by_a_cause_is_the_dead_persons() -> None:
    assert ("suicide_plan", "other_person") in _risk("she lost her younger brother to an overdose in the spring")
    assert ("suicide_plan", "present") in _risk("she took an overdose on Saturday night")


def test_a_possessor_owns_its_noun_not_the_next_subject() -> None:
    owned = _risk("after her flatmate's birthday drinks she scratched her arm with a razor")
    assert ("self_harm", "present") in owned
    assert ("self_harm", "other_person") in _risk("her flatmate's self-harm has got worse")


@pytest.mark.parametrize("bullets,readings", [
    ("- PHQ-9 (Sam) 16", ((16, None),)),
    ("- PHQ-9 over the phone 9 (14 at s2)", ((9, 14),)),
    ("- PHQ-9 item 9 = 0", ()),
    ("- PHQ-9 at intake 20, now 14", ()),
])
def test_a_score_after_a_bracket_or_words_of_how(bullets: str, readings: tuple) -> None:
    assert documented(bullets)["PHQ-9"].readings == readings


def test_a_band_is_verified_for_a_score_written_with_a_name_between() -> None:
    assert verified_bands("Sam's PHQ-9 was 16, in the moderately severe range.", "- PHQ-9 (Sam) 16")
    assert not verified_bands("Sam's PHQ-9 was 16, in the moderate range.", "- PHQ-9 (Sam) 16")


def test_a_change_in_mood_needs_every_score_to_move_that_way() -> None:
    assert change_supported("eased", "Her low mood has eased a little.", "- PHQ-9 9 (14 at s2)")
    assert not change_supported("eased", "Her low mood has eased a little.", "- PHQ-9 16 (14 at s2)")
    assert not change_supported("eased", "Her low mood has eased a little.", "- PHQ-9 9 (14 at s2), GAD-7 12 (8)")
    assert not change_supported("eased", "Work pressure has eased.", "- PHQ-9 9 (14 at s2)")


@pytest.mark.parametrize("bullets,area,status", [
    ("- S9/16 - interp. deficits (agreed wk 3)\n- PHQ-9 12", "interpersonal_deficits", "agreed"),
    ("- s9 RT - retired in June\n- PHQ-9 12", "role_transition", "agreed"),
    ("- IPT-G s5/12\n- Mo: RD w/ her sister re their dad's care", "role_dispute", "agreed"),
    ("- s2 role trans? to discuss\n- PHQ-9 12", "role_transition", "tentative"),
    ("- s9: lost her ID card at the bus stop\n- PHQ-9 12", None, "unknown"),
])
def test_a_focal_area_in_shorthand_or_abbreviated(bullets: str, area: str | None, status: str) -> None:
    facts = parse_bullets(bullets, get_catalog())
    assert (facts.focal_area, facts.focal_status) == (area, status)


@pytest.mark.parametrize("bullets,kind", [
    ("- phone call to rearrange times - not an IPT session\n- client ok", "non_ipt"),
    ("- s6/16 RT\n- gains and losses worksheet filled in together", "regular"),
    ("- s6/16 RT\n- CBT worksheet on catastrophising", "non_ipt"),
])
def test_what_the_session_was(bullets: str, kind: str) -> None:
    assert parse_bullets(bullets, get_catalog()).session_kind == kind


@pytest.mark.parametrize("text,expected", [
    ("- 61F, 5th of 12 sessions, role transition", (5, 12)),
    ("- today was the tenth of sixteen sessions", (10, 16)),
    ("- session seven of twelve, RD", (7, 12)),
    ("- she is the 3rd of 5 siblings", (None, None)),
])
def test_a_session_numbered_in_words_or_as_an_ordinal_of_the_course(text: str, expected: tuple) -> None:
    facts = parse_bullets(text, get_catalog())
    assert (facts.session, facts.total_sessions) == expected


@pytest.mark.parametrize("bullets,status", [
    ("- s5/16 RD\n- Q: any thoughts of harming yourself or ending things? A: no, never", "denied"),
    ("- s5/16 RD\n- Q: any thoughts of harming yourself or ending things? A: yes, most days", "present"),
    ("- s5/16 RD\n- thoughts of harming herself or the baby: denies both", "denied"),
    ("- s5/16 RD\n- thoughts of harming herself or the baby: most evenings", "present"),
    ("- s5/16 RD\n- I did ask, and she has had no thoughts of suicide", "denied"),
    ("- s5/16 RD\n- I didn't ask about thoughts of suicide today", "not_assessed"),
])
def test_question_and_answer_notation_and_a_bare_denial_after_a_colon(bullets: str, status: str) -> None:
    assert _status(bullets) == status


def test_a_title_case_name_of_a_therapy_is_not_a_persons_name() -> None:
    from assistant.notes.factcheck import find_unsupported

    bullets = "- s7/16 grief, friend Dennis d. March\n- PHQ-9 14\n- HW: visit the allotment"
    said = "This was session 7 of 16 of Interpersonal Psychotherapy, with grief as the focal area."
    invented = "This was session 7 of 16, and his neighbour Margaret came with him."
    names = lambda text: [u for u in find_unsupported(text, bullets, get_catalog()) if u.kind == "name"]
    assert not names(said)
    assert names(invented)


@pytest.mark.parametrize("text,assertion", [
    ("Screen: no thoughts of ending her life, future-focused", "negated"),
    ("C-SSRS: no wish to be dead, no active SI", "negated"),
    ("Safety screen: no concerns, SI: passive most nights", "present"),
    ("SI: no plan, passive thoughts most nights", "present"),
])
def test_a_labels_no_negates_its_own_object_only(text: str, assertion: str) -> None:
    found = [s for s in analyse(text, reader=False).items if s.category == "suicidal_ideation"]
    assert found and found[0].assertion == assertion


@pytest.mark.parametrize("clause,word,assertion", [
    ("9 years ago she was admitted after an overdose", "overdose", "historical"),
    ("Hx: decades ago, in her twenties, she heard voices", "heard voices", "historical"),
    ("9 years ago she took an overdose and now she is cutting again", "cutting", "present"),
    ("she says that 9 years ago she cut, and she is cutting again this week", "cutting again", "present"),
])
def test_a_time_that_opens_the_sentence_holds_its_subject_too(clause: str, word: str, assertion: str) -> None:
    from assistant.signals.assertion import assert_targets

    i = clause.index(word)
    assert assert_targets(clause, [(i, i + len(word), "self_harm")])[0].assertion == assertion


def test_a_kind_read_with_near_certainty_passes_a_gate_that_is_close() -> None:
    from assistant.evals.signal_suite import predict

    said = predict("No SH now (last cut 2020), but says she has started thinking about dying most days again.")
    assert said.risk != "none" and "suicidal_ideation" in said.risk_kinds
    assert predict("She's been killing it at work since the promotion.").risk == "none"


@pytest.mark.parametrize("text,asked", [
    ("Her old therapist had her do thought records every night. What would IPT do with the loneliness?", False),
    ("She asked whether we could try exposure for the panic. I said that's not what we do in IPT.", False),
    ("Her GP suggested a mindfulness app on the side - do I need to say anything about it?", False),
    ("Should I give her a thought record to fill in this week?", True),
    ("She wants to try the tapping and eye movement thing her last therapist did - should I?", True),
])
def test_a_method_declined_or_another_providers_is_not_asked_for(text: str, asked: bool) -> None:
    from assistant.evals.signal_suite import predict

    assert bool(predict(text).out_of_frame) == asked


@pytest.mark.parametrize("text,death", [
    ("Lost her husband (61) in a car crash in June; not sleeping", True),
    ("He lost his daughter to leukaemia last spring", True),
    ("pt's gran d. 2022, still sets a place for her", True),
    ("lost touch with her brother after the move", False),
    ("lost her job and her flat in the same month", False),
])
def test_losing_a_person_is_a_death(text: str, death: bool) -> None:
    found = [s for s in analyse(text).items if s.category == "death" and s.assertion != "negated"]
    assert bool(found) == death


def test_what_follows_a_qa_answer_is_not_part_of_the_question() -> None:
    assert _status("- s5/16 RD\n- Q: thoughts of harming yourself? A: no.\n- cutting again most nights") == "present"
    assert _status("- s5/16 RD\n- Q: thoughts of harming yourself? A: no. She has been cutting again most nights") == "present"


@pytest.mark.parametrize("bullets,status", [
    ("- s2/16; role transition - tentatively, to decide once the inventory is done\n- PHQ-9 14", "tentative"),
    ("- s2/16; role transition\n- PHQ-9 14\n- plan: finish inventory, agree focus next week", "tentative"),
    ("- s2/16; role transition\n- PHQ-9 14\n- plan: finish inventory", "agreed"),
    ("- s5/16; role transition (agreed s3)\n- PHQ-9 14\n- plan: review the focus agreed at s3", "agreed"),
])
def test_a_focus_left_open_after_it_is_named_is_tentative(bullets: str, status: str) -> None:
    assert parse_bullets(bullets, get_catalog()).focal_status == status


@pytest.mark.parametrize("bullets,kind", [
    ("- IPT-A group, session 5 of 12, 6 teens present\n- all denied SI", "group"),
    ("- IPT-A session 5 of 12\n- denies SI", "regular"),
])
def test_an_adapted_ipt_group_is_a_group(bullets: str, kind: str) -> None:
    assert parse_bullets(bullets, get_catalog()).session_kind == kind


@pytest.mark.parametrize("bullets,status", [
    ("- s4/16 RD\n- checked in re suicidal thoughts, pt shook her head", "denied"),
    ("- s4/16 RD\n- checked in re suicidal thoughts, says they come and go", "present"),
    ("- s4/16 RD\n- enquired re self-harm urges: firm denial", "denied"),
    ("- s4/16 RD\n- passive SI, shook her head when asked about a plan", "present"),
])
def test_a_nonverbal_or_noun_answer_answers_the_question(bullets: str, status: str) -> None:
    assert _status(bullets) == status
