"""Holding the IPT frame: out-of-frame requests, poor fits, adaptations, and checking text."""

from __future__ import annotations

import pytest

from assistant.signals import screen_request
from assistant.signals.check import frame_flags as check_text


def _screen(text: str, catalog):  # type: ignore[no-untyped-def]
    return screen_request(text, catalog)  # the signal layer decides whether an interpersonal link exists


# -- out-of-frame requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,method",
    [
        ("Can I give her a thought record for her self-criticism?", "thought_records"),
        ("Should she keep a thought diary this week?", "thought_records"),
        ("Should I use cognitive restructuring for his hopelessness?", "cognitive_restructuring"),
        ("Should I challenge her negative thoughts about her husband?", "cognitive_restructuring"),
        ("How do I work on his automatic thoughts?", "cognitive_restructuring"),
        ("Should I build an exposure hierarchy for her social anxiety?", "exposure"),
        ("She dreamt about her mother; should I interpret her dream?", "dream_interpretation"),
        ("Is dream analysis useful here?", "dream_interpretation"),
        ("Should I interpret the transference when she gets angry with me?", "transference_interpretation"),
        ("Should I dig into her childhood to find the roots of this?", "childhood_exploration"),
        ("I want to explore his childhood more deeply.", "childhood_exploration"),
        ("Can I just tell her to think positive?", "positive_thinking"),
        ("Should I give him an activity schedule?", "behavioural_activation_schedule"),
    ],
)
def test_out_of_frame_requests_detected(catalog, text: str, method: str) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(text, catalog)
    assert method in screen.out_of_frame, screen
    assert screen.spans[method].lower() in text.lower()


def test_every_detected_method_is_described_in_the_knowledge_base(catalog) -> None:  # type: ignore[no-untyped-def]
    from assistant.signals.types import OUT_OF_FRAME

    described = {m.id for m in catalog.frame.out_of_frame}
    assert set(OUT_OF_FRAME) <= described
    for m in catalog.frame.out_of_frame:
        assert m.ipt_instead and m.techniques


@pytest.mark.parametrize(
    "text",
    [
        "Session 5: she keeps fighting with her husband about chores. What next?",
        "How do I link her mood to the argument with her sister?",
        "Should I role play the conversation with her boss?",
        "She told me about a dream, but I kept the focus on her husband.",
    ],
)
def test_in_frame_requests_pass(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _screen(text, catalog).out_of_frame == []


# -- presentations that are not an IPT fit -----------------------------------------------------


def test_panic_without_interpersonal_trigger_is_not_a_fit(catalog) -> None:  # type: ignore[no-untyped-def]
    screen = _screen("She has panic attacks out of the blue. What should I do?", catalog)
    assert "anxiety_without_interpersonal_trigger" in screen.not_fit


@pytest.mark.parametrize(
    "text",
    [
        "She has had panic attacks since her divorce.",
        "Panic attacks started after her husband moved out.",
        "She has panic attacks after every fight with her mother.",
    ],
)
def test_panic_with_interpersonal_trigger_is_not_flagged(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    assert "anxiety_without_interpersonal_trigger" not in _screen(text, catalog).not_fit


def test_negated_panic_is_not_flagged(catalog) -> None:  # type: ignore[no-untyped-def]
    assert _screen("No panic attacks; she just feels flat.", catalog).not_fit == []


def test_ptsd_needs_trauma_focused_work(catalog) -> None:  # type: ignore[no-untyped-def]
    screen = _screen("She has flashbacks of the assault every night.", catalog)
    assert "trauma_focused_needed" in screen.not_fit


# -- adaptations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,adaptation",
    [
        ("A teen who argues with her mother every night.", "ipt_a"),
        ("My adolescent client fights with her parents.", "ipt_a"),
        ("She is a 15-year-old with depression after fights with her parents.", "ipt_a"),
        ("She is 6 weeks postpartum and fighting with her husband.", "perinatal"),
        ("She is pregnant and lonely since the move.", "perinatal"),
        ("He has bipolar disorder and had a fight with his boss.", "ipsrt"),
        ("She is on lithium and her sleep-wake schedule is chaotic.", "ipsrt"),
    ],
)
def test_adaptations_detected(catalog, text: str, adaptation: str) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(text, catalog)
    assert adaptation in screen.adaptations, screen


def test_no_adaptation_for_an_ordinary_adult_case(catalog) -> None:  # type: ignore[no-untyped-def]
    assert _screen("She is 42 and keeps fighting with her husband about chores.", catalog).adaptations == []


# -- checking generated text -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Give her a thought record.",
        "Give her a thought record to fill in after each fight.",
        "Next, challenge her negative thoughts about her boss.",
        "Build an exposure hierarchy for the social situations she avoids.",
        "Interpret her dream about her mother.",
    ],
)
def test_check_text_flags_recommendations(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    flags = check_text(text, catalog)
    assert flags and all(f.code == "frame_violation" for f in flags)


@pytest.mark.parametrize(
    "text",
    [
        "IPT does not use thought records.",
        "Rather than cognitive restructuring, link her self-criticism to the fight with her boss.",
        "Instead of thought records, trace the mood change to the exchange with her boss.",
        "Avoid thought records; they belong to CBT.",
        "Thought records are not part of IPT; ask what happened with her boss instead.",
        "Link the change in her mood to the argument and plan a conversation with her boss.",
    ],
)
def test_check_text_passes_negation_and_contrast(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    assert check_text(text, catalog) == []


@pytest.mark.parametrize(
    "text",
    ["She is at low risk.", "She is low risk, so continue the role play.", "Risk level: moderate.",
     "He presents as high risk."],
)
def test_check_text_flags_risk_scoring(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    flags = check_text(text, catalog)
    assert any(f.code == "frame_violation" and "risk" in f.message for f in flags), flags


def test_check_text_flags_diagnosing_the_client(catalog) -> None:  # type: ignore[no-untyped-def]
    assert check_text("The client has bipolar disorder.", catalog)


# -- end to end --------------------------------------------------------------------------------

THOUGHT_RECORD_Q = "Session 6: can I give her a thought record for her self-criticism after fights with her boss?"


def test_thought_record_request_is_redirected(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask(THOUGHT_RECORD_Q)
    assert ans.has_flag("out_of_frame_request")
    flag = next(f for f in ans.flags if f.code == "out_of_frame_request")
    assert flag.span and "thought record" in flag.span.lower()
    text = ans.answer
    assert "What IPT does instead" in text
    assert "not part of IPT" in text
    # IPT's alternative: trace the mood to the interpersonal exchange.
    assert "linking_affect_to_events" in ans.techniques[:3] or "communication_analysis" in ans.techniques[:3]
    assert ans.focal_area == "role_dispute"
    assert ans.phase == "middle"
    assert any(c.id == "thought_records" and c.kind == "frame" for c in ans.citations)
    # The answer's own text raises no frame violation.
    assert not ans.has_flag("frame_violation")
    own = "\n".join(l for l in text.splitlines() if not l.startswith("**Holding the IPT frame"))
    assert check_text(own, assistant_offline.catalog) == []


@pytest.mark.parametrize(
    "question",
    [
        "Session 2: she is lonely after the divorce.",
        "Session 5: she retired in January and feels useless.",
        "Session 7: since she had a baby she feels she has lost herself.",
        "Session 9: she keeps fighting with her husband about chores.",
        "Session 4: her mother died in March and she can't stop crying.",
        "Session 6: he has no friends and has always been alone.",
        "Session 14: how do I prepare her for the end of treatment?",
    ],
)
def test_grounded_answers_hold_the_frame(assistant_offline, question: str) -> None:  # type: ignore[no-untyped-def]
    # Offline answers are composed from the knowledge base; they must never trip the frame check.
    ans = assistant_offline.ask(question)
    violations = [f for f in ans.flags if f.code == "frame_violation"]
    assert violations == [], violations


def test_not_fit_reaches_the_answer(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 2: she has panic attacks out of the blue. What next?")
    assert ans.has_flag("not_ipt_fit")
    assert "Is IPT the right fit?" in ans.answer
    # Referring on for CBT with exposure / ERP is the right advice when IPT is not a fit;
    # the answer's own referral must not be reported as a frame violation.
    assert not ans.has_flag("frame_violation"), [f.span for f in ans.flags if f.code == "frame_violation"]


def test_adaptation_reaches_the_answer(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 3: she is 6 weeks postpartum and fighting with her husband.")
    assert ans.has_flag("adaptation")
    assert "Adaptation" in ans.answer
