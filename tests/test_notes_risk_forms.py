"""Risk status from the forms a fourth writer's bullet sets used (writer-f, 3 December 2026): screens
named with the word "screen", checks left out, a result after a dash, an item with a result of its own
in a list of denials, a wish to be with the dead, a denial that answers only its own kind, and someone
else's risk in a relative clause. Each pair differs in one fact."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.factcheck import find_unsupported
from assistant.notes.parse import parse_bullets
from assistant.signals import analyse


def _status(bullets: str) -> str:
    return parse_bullets(bullets, get_catalog()).risk.status


@pytest.mark.parametrize("bullets,status", [
    # a screen named "... screen" takes the result after it
    ("- s4/16 RD\n- suicide screen: negative", "denied"),
    ("- s4/16 RD\n- suicide screen: passive SI, no plan", "present"),
    ("- s4/16 RD\n- SI screen negative", "denied"),
    # a check left out is not assessed; "missed work" is not a check
    ("- s4\n- safety q's skipped today, ran out of time", "not_assessed"),
    ("- s4\n- pt missed the risk screen (interpreter late)", "not_assessed"),
    ("- s4\n- P's risk not individually reviewed in group - check in 1:1 next wk", "not_assessed"),
    ("- s4\n- skipped meals this wk, passive SI", "present"),
    # a result after a dash, a screen item scored 0 or above
    ("- PHQ-9 10, item 9 - 0", "denied"),
    ("- PHQ-9 10, item 9 - 2", "present"),
    ("- SI - no", "denied"),
    ("- passive SI - no plan", "present"),
    ("- asked re suicidal thoughts - \"no, never, I've got the kids\"", "denied"),
    # an item with a result of its own in a list of denials
    ("- SI/HI neg, SH: cut arm", "present"),
    ("- SI/HI neg, SH: none", "denied"),
    ("- SI neg / SH: scratching arms w/ compass most nights", "present"),
])
def test_screen_results_and_checks_left_out(bullets: str, status: str) -> None:
    assert _status(bullets) == status


@pytest.mark.parametrize("bullets,status", [
    ('- Session 4 of 16, Grief focus agreed (dad d. Jan, cancer)\n- keeps saying she "just wants to be with Dad again"',
     "possible"),
    ("- s3 grief, husband passed in Aug\n- wishes she could join him", "possible"),
    ("- s3 grief, grandad passed away last month\n- she'd love to be with Grandad again", "possible"),
    # no death in the bullets, or a living person named: an ordinary wish
    ("- s5 RD with sister\n- wants to see her sister again soon", "not_documented"),
    ("- s3 grief (wife died)\n- wants to be with her son more", "not_documented"),
])
def test_a_wish_to_be_with_someone_again_needs_a_death(bullets: str, status: str) -> None:
    assert _status(bullets) == status


def test_a_denial_answers_its_own_kind_only() -> None:
    head = "- 10/16. ID focus (agreed)\n- PHQ-9 14\n"
    described = head + "- disclosed she's been banging her head on the wall when alone, hides the bruises\n- denies SI"
    assert _status(described) in ("possible", "present")
    threat = head + "- said if neighbor blocks his truck again he'll \"put him in the hospital\", keeps a bat by the door\n" \
        "- denies SI"
    assert _status(threat) in ("possible", "present")
    # the same denial with nothing else described stands
    assert _status(head + "- talked about her week at work\n- denies SI") == "denied"


@pytest.mark.parametrize("text,assertion", [
    ("worried about her flatmate who self-harms", "other_person"),
    ("her flatmate self-harms", "other_person"),
    ("worried about her flatmate; she self-harms", "present"),
])
def test_a_relation_is_the_subject_of_its_own_relative_clause(text: str, assertion: str) -> None:
    found = {s.assertion for s in analyse(text).items if s.category == "self_harm" and s.source == "lexicon"}
    assert found == {assertion}, (text, found)


@pytest.mark.parametrize("bullets,flagged", [
    ("- 15/16 ID\n- SI neg\n- next: final session", False),
    ("- 15/16 ID\n- SI neg, SH: cut forearm Sat\n- next: final session", True),
    ("- 15/16 ID\n- talked about the walking group\n- next: final session", True),
])
def test_a_negative_screen_in_the_draft_needs_the_bullets_denial(bullets: str, flagged: bool) -> None:
    spans = [p.span for p in find_unsupported("Suicide screen negative.", bullets, get_catalog())]
    assert bool(spans) == flagged, spans


@pytest.mark.parametrize("bullets,session,kind", [
    ("- #6, PHQ-9 18\n- talked about the move", 6, "regular"),
    ("- #1 priority is sleep\n- PHQ-9 18", None, "regular"),
    ("- IPT group, wk 9 of 12\n- M quiet throughout", 9, "group"),
    ("- s5 - joint w/ mum first 25 min, then seen alone\n- PHQ-A 16", 5, "joint"),
    # a later session's kind, and someone else's task, are not this session's
    ("- wk 3 IPT-A, seen alone\n- plan to bring mom in for joint sess wk 5", 3, "regular"),
    ("- s8, RT\n- he agreed to see GP tomorrow re meds review", 8, "regular"),
    ("- s8, RT\n- meds review done in session, then RT work", 8, "non_ipt"),
])
def test_session_number_and_kind_forms(bullets: str, session: int | None, kind: str) -> None:
    facts = parse_bullets(bullets, get_catalog())
    assert (facts.session, facts.session_kind) == (session, kind)


@pytest.mark.parametrize("line,status", [
    ('- has texted a few old friends this wk "to say goodbye properly", tying up loose ends', "possible"),
    ('- has written a will this week + arranged for neighbour to take the cat "just in case"', "possible"),
    # stated in explicit words, it is documented risk
    ("- has written a will this week; passive SI, no plan", "present"),
])
def test_warning_sign_language_read_by_meaning_is_possible_risk(line: str, status: str) -> None:
    assert _status("- s6/16 RT (redundancy), agreed\n" + line + "\n- HW: update CV") == status


def test_a_risk_question_planned_for_later_goes_to_the_plan_and_asserts_nothing() -> None:
    bullets = ("- s5/16 RD w/ husband (agreed)\n- explored the last row\n- hinted at feeling hopeless, didn't get to "
               "ask directly\n- ask directly re SI nxt wk\n- HW: one calm conversation")
    facts = parse_bullets(bullets, get_catalog())
    assert ("ask directly re SI nxt wk", "plan") in facts.clauses
    assert facts.risk.status == "not_assessed"
    # the same line as a clinician's question is a question, not a plan
    assert {s.assertion for s in analyse("ask directly re SI nxt wk").items if s.category == "suicidal_ideation"
            and s.source == "lexicon"} == {"not_assessed"}
    assert {s.assertion for s in analyse("asked directly re SI: 'yes, most days'").items
            if s.category == "suicidal_ideation" and s.source == "lexicon"} != {"not_assessed"}


@pytest.mark.parametrize("line,where", [
    ("crisis team referral made in session", "interventions"),
    ("taxi home arranged, partner phoned", "interventions"),
    ("refer to IAPT step 3 if no change", "plan"),
    ("next appt booked for Tues", "plan"),
    ("early intervention referral to go today", "plan"),
])
def test_an_action_reported_done_is_not_the_plan(line: str, where: str) -> None:
    facts = parse_bullets("- s7/16 RT (agreed)\n- explored the move\n- " + line, get_catalog())
    assert dict(facts.clauses).get(line) == where, facts.clauses


@pytest.mark.parametrize("bullets,flagged", [
    ("- 10/16 RT\n- SI? - pt changed subject; not fully assessed, revisit next wk", False),
    ("- 10/16 RT\n- talked about the bus pass", True),
])
def test_a_draft_may_plan_to_ask_about_a_risk_the_bullets_raise(bullets: str, flagged: bool) -> None:
    spans = [p.span for p in find_unsupported("Revisit the suicide risk questions next session.", bullets,
                                              get_catalog())]
    assert bool(spans) == flagged, spans


_DOCUMENTED = "- s6/16 RD\n- passive SI most days, no plan\n- HW: one honest conversation"
_IN_OTHER_WORDS = "- s6/16 RD\n- denies SI\n- took 20 paracetamol on Sunday, didn't tell anyone\n- HW: one honest conversation"
_NOT_ASKED = "- s6/16 RD\n- SI not asked, ran out of time\n- HW: one honest conversation"


@pytest.mark.parametrize("bullets", [_DOCUMENTED, _IN_OTHER_WORDS, _NOT_ASKED])
@pytest.mark.parametrize("sentence", [
    "There is no need to revisit suicidal ideation next session.",
    "Not going to ask about self-harm again.",
    "Risk questions were not needed this week.",
    "Suicide screen negative today.",
])
def test_a_risk_question_declared_unneeded_or_a_negative_screen_is_never_supported(bullets: str, sentence: str) -> None:
    assert find_unsupported(sentence, bullets, get_catalog())


@pytest.mark.parametrize("bullets", [_DOCUMENTED, _NOT_ASKED])
def test_a_plan_to_ask_is_supported_where_the_bullets_raise_the_risk(bullets: str) -> None:
    assert not find_unsupported("Will check suicidal ideation next session.", bullets, get_catalog())


def test_a_plan_to_ask_that_also_says_the_risk_was_not_assessed_needs_the_bullets_to_say_so() -> None:
    sentence = "Will review suicidal ideation next session as it was not assessed today."
    assert find_unsupported(sentence, _DOCUMENTED, get_catalog())
    assert not find_unsupported("Will review suicidal ideation next session.", _DOCUMENTED, get_catalog())


@pytest.mark.parametrize("bullets,status", [
    # a question asked and answered yes is stated risk, not a prompt to ask
    ("- s9 grief (mum)\n- asked directly about SI - yes, pictures being dead most days, no plan", "present"),
    ("- s9 grief (mum)\n- asked directly about SI - no, \"never, I've got the dog\"", "denied"),
    # "can't" / "cannot" see the point, and "without" before a person, which negates nothing
    ("- s6 grief\n- says he can't see the point in living without his wife", "present"),
    ("- s6 grief\n- cannot see the point of going on since she died", "present"),
    ("- s6 grief\n- managing the shopping without her sister now", "not_documented"),
])
def test_answers_and_negation_look_alikes(bullets: str, status: str) -> None:
    assert _status(bullets) == status


# The clinician acting on risk, read by meaning (notes/responses.yaml): a risk described in plain words, read
# below the sure level, is documented risk when the bullets show the clinician acting on it in words the
# listed forms do not cover; a routine task or a safety plan merely reviewed is not acting on it.
@pytest.mark.parametrize("described", [
    "- stood on the bridge on Sat night 'thinking about it', then walked home",
    "- said he'd 'put his neighbour in hospital' if the hedge row goes on, keeps a crowbar by the door",
])
@pytest.mark.parametrize("response,status", [
    ("- same-day review with psych arranged, she agreed", "present"),
    ("- SP done, copy given", "present"),
    ("- HW: ring her sister about the weekend", "possible"),
    ("- safety plan reviewed, no changes needed", "possible"),
])
def test_acting_on_a_described_risk_by_meaning_documents_it(described: str, response: str, status: str) -> None:
    assert _status(f"- 7/16 role dispute w partner\n{described}\n{response}") == status


def test_the_shipped_response_vectors_match_responses_yaml() -> None:
    from assistant.notes.risk import SHIPPED, _read_responses

    assert SHIPPED.with_suffix(".sha").read_text().strip() == _read_responses()[2], "run python -m assistant.notes.risk"


@pytest.mark.parametrize("line,reviewed", [
    ("- SP done, copy given", True),
    ("- safety plan updated with mum", True),
    ("- SP not done - next session", False),
    ("- HW: tell SP (sister) about the row", None),  # initials, not a plan
])
def test_a_safety_plan_on_a_line_of_its_own_is_its_status(line: str, reviewed: bool | None) -> None:
    facts = parse_bullets(f"- s6/16 RD\n- passive SI most evenings, no plan\n{line}", get_catalog())
    assert facts.risk.safety_plan_reviewed is reviewed


@pytest.mark.parametrize("bullets,status", [
    # an injury to one's own body in plain words, with a denial of another kind beside it
    ("- s11/16 deficits\n- cut her forearm Tues after a row, superficial\n- no SI, no intent to die", "present"),
    ("- s6\n- burnt his thigh with a lighter last wk\n- denies SI", "present"),
    ("- s6\n- cut her hair short, 'new start'\n- denies SI", "denied"),
    # a risk check that could not be completed is not assessed
    ("- Sess 15/16\n- fire alarm, session cut short\n- Risk + PHQ not completed due to evacuation", "not_assessed"),
    ("- s8\n- couldn't get to the risk questions, pt left early", "not_assessed"),
])
def test_self_injury_in_plain_words_and_checks_not_completed(bullets: str, status: str) -> None:
    assert _status(bullets) == status


@pytest.mark.parametrize("bullets,area,status", [
    ("- Sess 10/16 deficits\n- PHQ 22\n- discussed reconnecting with sister Ann", "interpersonal_deficits", "agreed"),
    ("- DNA session 6 (of 12)\n- focus remains dispute w/ sister re care of dad", "role_dispute", "agreed"),
    ("- no-show\n- was due to be session 5 of 12\n- Focus had been RT (leaving the army)", "role_transition", "agreed"),
    ("- 9th session of 16\n- IPT: RD w/ husband, barely touched", "role_dispute", "agreed"),
    ("- s3. Proposed deficits as focus, she'll think about it", "interpersonal_deficits", "tentative"),
    # not a focus: an identity card, shorthand mid-sentence
    ("- s5\n- lost her photo ID at the station", None, "unknown"),
])
def test_a_focus_stated_in_other_forms(bullets: str, area: str | None, status: str) -> None:
    facts = parse_bullets(bullets, get_catalog())
    assert (facts.focal_status, facts.focal_area if area else None) == (status, area)


@pytest.mark.parametrize("bullets,kind", [
    ("- sess 13 of 16. RT (redundancy)\n- no IPT work today - whole session on risk", "non_ipt"),
    ("- S7. Used today for sleep hygiene at her request — not IPT\n- RT focus resumes next wk", "non_ipt"),
    ("- s7 RT\n- IPT going well, no IPT-specific homework set", "regular"),
    ("- s7 RT\n- she asked for CBT instead; explained IPT's focus", "regular"),
    ("- s7 RT\n- actually people at work were kind; acted on the plan", "regular"),  # "ACT", "PE" are whole words
])
def test_a_session_that_says_it_was_not_ipt(bullets: str, kind: str) -> None:
    assert parse_bullets(bullets, get_catalog()).session_kind == kind


@pytest.mark.parametrize("bullets,status", [
    # perceived burdensomeness is a warning sign: ask directly
    ("- Session 3 of 12\n- 'Everyone'd be better off without me dragging them down.'\n- PHQ-9 19", "possible"),
    ("- s5 RD\n- said the kids \"would be better off without me messing things up\"", "possible"),
    # with ideation stated, or in its own words, it is risk
    ("- s5 RD\n- better off without me, wishes she was dead, no plan", "present"),
    ("- s5 RD\n- says she'd be 'better off dead'", "present"),
])
def test_a_burden_statement_is_a_warning_sign_not_stated_ideation(bullets: str, status: str) -> None:
    assert _status(bullets) == status


def test_a_burden_statement_still_puts_safety_first_in_ask() -> None:
    from assistant.evals.signal_suite import predict

    assert predict("My client keeps saying her kids would be better off without her. What next?").risk != "none"


def test_risk_earlier_in_treatment_is_history_not_current() -> None:
    bullets = "- Sess 12 of 12 (final)\n- SI: none since s6 (passive SI earlier in tx), screen neg today\n- PHQ-9 8 (s1 20)"
    assert _status(bullets) == "denied"
    assert _status("- Sess 12 of 12\n- passive SI this wk, no plan\n- PHQ-9 8 (s1 20)") == "present"


@pytest.mark.parametrize("bullets,status", [
    ("- IPT group wk 9/12\n- didn't check in w/ him about mood/risk separately - group ran over, will ring tmrw", "not_assessed"),
    ("- s1/16 assessment\n- she said \"I've been writing letters to people, just in case\" -- didn't explain, I ran out of time\n"
     "- next: risk assessment first thing", "possible"),
    ("- s1/16 assessment\n- SI not asked, I ran out of time\n- next: risk assessment first thing", "not_assessed"),
])
def test_a_sign_left_unexplored_is_still_a_sign(bullets: str, status: str) -> None:
    from assistant.catalog import get_catalog
    from assistant.notes.parse import parse_bullets

    assert parse_bullets(bullets, get_catalog()).risk.status == status


@pytest.mark.parametrize("bullets,status", [
    # a denial whose list runs past six words still denies every item in it
    ("- sess 5/16\n- asked directly today - says no thoughts of ending her life or hurting herself at the moment\n"
     "- role play: chatting w/ a teammate", "denied"),
    # a safety label with its result is a screen's negative answer
    ("- S8/16 joint w/ husband\n- Safety: nil - screened her privately before joint part\n- comm analysis of the 'you never' loop",
     "denied"),
    # the answer to a question asked, given by both people in a joint session (it had read as a sign to ask about)
    ("- joint S8/16 w/ partner\n- asked separately re violence at home: both deny any\n- pt also denies thoughts of suicide\n"
     "- plan: trial rota 2 wks", "denied"),
    # an overdose of something harmless is a figure of speech
    ("- S11/16 ID\n- weekend: 'overdosed on box sets' Sat, went to pub quiz Sun\n- HW: text Dan re Thurs", "not_documented"),
    # letters kept for the children for later are a farewell to ask about
    ("- s3/12 7 wks postpartum\n- has written a letter to each of the kids 'for when they're older', changed the subject\n"
     "- HW: ask re mums group", "possible"),
])
def test_risk_status_in_more_of_clinicians_forms(bullets: str, status: str) -> None:
    assert _status(bullets) == status, bullets
