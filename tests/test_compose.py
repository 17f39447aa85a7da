"""The offline composer: a direct answer first, short by default, phrases fitted to the person in the
question, steps that fit the phase, safety first with per-kind steps, the full view on request, and the
LLM prompt asking for the same structure."""

from __future__ import annotations

import re

import pytest

from assistant.evals.situations import lead_paragraph, next_steps, unfitting_relatives, words


def ask(a, q: str, **kw):  # type: ignore[no-untyped-def]
    return a.ask(q, **kw)


def test_short_answer_leads_with_the_situation(assistant_offline) -> None:
    ans = ask(assistant_offline, "Session 9 of 16: he wants his wife to join one of our sessions. Should I agree?")
    lead = lead_paragraph(ans.answer)
    assert lead.startswith("**A partner or relative joins a session (conjoint session).**")
    assert "agreed in advance" in lead
    # A frame redirect (when the signal layer sees an out-of-frame request) may add a paragraph.
    assert words(ans.answer) <= (450 if ans.has_flag("out_of_frame_request") else 300)
    assert "## Next steps" in ans.answer and "**Say:**" in ans.answer and "**Ask:**" in ans.answer
    assert ans.answer.count("**Watch for:**") == 1
    assert "situation:partner_joins_session" in ans.answer.splitlines()[-1]


def test_wording_fits_the_person(assistant_offline) -> None:
    ans = ask(assistant_offline, "Session 7: he keeps rowing with his wife about money. How do I rehearse the talk?")
    assert "your wife" in ans.answer
    assert not unfitting_relatives(ans.answer, ans.answer and "his wife", ["wife"])
    widow = ask(assistant_offline, "Session 6, grief: her husband died in March and she can't talk about him.")
    for word in ("father", "mother", "your wife", "sister", "brother"):
        assert word not in widow.answer.lower(), word


def test_they_when_the_question_names_nobody(assistant_offline) -> None:
    ans = ask(assistant_offline, "Session 8: my client keeps arguing at home. What should I do next?")
    assert not re.search(r"\byour (?:husband|wife|mother|father|sister|brother|son|daughter)\b", ans.answer)


def test_no_initial_phase_steps_later_in_the_course(assistant_offline) -> None:
    for q, session in [("Grief focus after her mother's death; what now?", 14),
                       ("Role dispute with his boss; what should this session do?", 8),
                       ("Transition after retirement; next steps?", 17)]:
        ans = ask(assistant_offline, q, session=session)
        assert ans.focal_area is not None
        for step in next_steps(ans.answer):
            assert not re.search(r"inventory|formulation|timeline|sick role|choos\w* the focal", step, re.I), (q, step)


def test_unknown_focal_area_gives_assessment_and_the_settling_question(assistant_offline) -> None:
    ans = ask(assistant_offline, "Session 2: what should I cover today?")
    assert ans.focal_area is None
    lead = lead_paragraph(ans.answer)
    assert lead.startswith("**In short:**") and "inventory" in lead
    assert "**Ask:**" in ans.answer
    ask_line = next(line for line in ans.answer.splitlines() if line.startswith("**Ask:**"))
    assert any(q in ask_line for q in ("months before", "lose anyone", "most like to be different", "on your mind"))


def test_different_questions_get_different_answers(assistant_offline) -> None:
    qs = ["Session 6: she is always late. What do I do?",
          "Session 6: she wants to stop her antidepressant. What do I do?",
          "Session 6: she asked me to tell her what to do about her job. What do I do?",
          "Session 6: she keeps fighting with her sister. What do I do?"]
    bodies = {"\n".join([lead_paragraph(a.answer), *next_steps(a.answer)]) for a in (ask(assistant_offline, q) for q in qs)}
    assert len(bodies) == len(qs)


def test_no_warning_is_printed_twice(assistant_offline) -> None:
    for q in ["Session 5: she keeps fighting with her husband about chores.",
              "Session 12 of 16, grief focus going well. Anything to raise?"]:
        for detail in ("short", "full"):
            text = ask(assistant_offline, q, detail=detail).answer
            lines = [re.sub(r"^[-*\d. ]+", "", l).strip() for l in text.splitlines() if len(l) > 40]
            assert len(lines) == len(set(lines)), q


def test_full_view_is_available(assistant_offline) -> None:
    q = "Session 5: she keeps fighting with her husband about chores. What should I do next?"
    short = ask(assistant_offline, q)
    full = ask(assistant_offline, q, detail="full")
    assert "## Techniques" in full.answer and "## This session" in full.answer
    assert words(full.answer) > words(short.answer)
    with pytest.raises(Exception):
        ask(assistant_offline, q, detail="verbose")


def test_ending_is_raised_near_the_end_of_the_middle_phase(assistant_offline) -> None:
    ans = ask(assistant_offline, "Role dispute with her sister; what should this session include?", session=11)
    assert "termination_work" in ans.answer and "remain after this one" in ans.answer


# -- safety first -------------------------------------------------------------------------------------


def test_risk_answer_is_safety_first_with_kind_steps(assistant_offline) -> None:
    ans = ask(assistant_offline, "Session 5, role dispute. She mentioned her husband shoves her when he's been "
                                 "drinking. Should I set her a task to confront him?")
    text = ans.answer
    assert ans.has_flag("risk")
    assert text.index("## Safety first") < text.find("## Next steps") if "## Next steps" in text else True
    assert "domestic-abuse services" in text  # the ipv steps, not the suicide checklist
    assert "stored tablets" not in text
    assert words(text) <= 450


def test_safety_steps_follow_the_kind(assistant_offline) -> None:
    from types import SimpleNamespace

    from assistant.compose import compose_safety

    cat = assistant_offline.catalog
    finding = SimpleNamespace(span="x", category="intoxication")
    risk = SimpleNamespace(present=[finding], categories=["intoxication"], is_risk=True,
                           describe=lambda: "intoxication", bereavement_by_suicide=[])
    plan = SimpleNamespace(risk=risk)
    text = "\n".join(compose_safety(plan, cat))
    assert "sober" in text and "What have you taken today" in text
    risk.categories = ["violence_at_home"]  # the old name for ipv
    text = "\n".join(compose_safety(plan, cat))
    assert "domestic-abuse" in text


# -- the model gets the same structure ------------------------------------------------------------------


def test_llm_context_carries_the_situation_and_the_prompt_asks_for_the_answer_first(assistant_offline) -> None:
    from assistant.answer import build_messages
    from assistant.planning import plan_question

    a = assistant_offline
    plan = plan_question("Session 9 of 16: she wants her husband to come to a session. Should I allow it?",
                         a.retriever, a.catalog)
    messages, _, _ = build_messages(plan, a.catalog, 1600)
    system, user = messages[0]["content"], messages[-1]["content"]
    assert "direct answer" in system.lower() and "2-4 sentences" in system
    assert "[situation:partner_joins_session]" in user and "Matched situation: partner_joins_session" in user
    assert "your husband" in user and "your mother" not in user
    assert user.rstrip().endswith(user.rstrip().splitlines()[-1])
    assert "Start with the direct answer" in user


@pytest.mark.parametrize("question", [
    "Session 6, grief work. She seems flatter this week. Do I need to ask about suicide?",
    "Should I be screening him for mania every session? Session 3, no focus yet.",
    # the topic in words no lexicon holds, read by meaning in a clause the risk gate alone would close
    "Session 6, role dispute. Should I be checking in with her about thoughts of ending things?",
    "Is it worth asking him whether he's had any dark thoughts about not being around? Session 4, grief.",
    "Session 7. Should I check whether she's been thinking of harming the baby?",
    "Session 9. Is it worth raising whether she's been thinking she'd be better off gone?",
])
def test_a_risk_not_yet_asked_about_prompts_asking_directly_without_claiming_risk(assistant_offline, question) -> None:
    ans = ask(assistant_offline, question)
    assert ans.has_flag("risk_unasked") and not ans.has_flag("risk")
    assert "**Not yet asked — ask directly:**" in ans.answer and "## Safety first" not in ans.answer
    assert ans.techniques[0] == "direct_elicitation"


def test_a_question_about_a_stated_event_is_still_risk(assistant_offline) -> None:
    ans = ask(assistant_offline, "Session 6. She took an overdose on Friday. How do I ask about the overdose?")
    assert ans.has_flag("risk") and not ans.has_flag("risk_unasked")
    assert "## Safety first" in ans.answer
