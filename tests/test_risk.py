"""The risk screen: what the text says about the client's safety, with negation, scope and
third parties handled; and the safety-first answer it triggers."""

from __future__ import annotations

import re

import pytest

from assistant.signals import screen_risk as screen
from assistant.signals.check import frame_flags as check_text
from assistant.signals.types import RISK_DESCRIPTIONS as CATEGORIES

# -- positives -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("She reports SI since the argument with her husband.", "suicidal_ideation"),
        ("Pt endorses SI.", "suicidal_ideation"),
        ("She is suicidal.", "suicidal_ideation"),
        ("She says she wants to die.", "suicidal_ideation"),
        ("She wants to kill herself.", "suicidal_ideation"),
        ("She wishes she could disappear.", "suicidal_ideation"),
        ("He said his family would be better off without him.", "warning_signs"),  # burden: ask directly
        ("She has been stockpiling pills.", "suicide_plan"),
        ("He bought a gun last week.", "suicide_plan"),
        ("She has a plan to overdose.", "suicide_plan"),
        ("She cut herself on Saturday.", "self_harm"),
        ("She has been cutting again.", "self_harm"),
        ("He burns himself with cigarettes.", "self_harm"),
        ("She has thoughts of harming the baby.", "harm_to_others"),
        ("He wants to kill his boss.", "harm_to_others"),
        ("Her husband hits her.", "ipv"),
        ("She is afraid for her life at home.", "ipv"),
        ("She has been hearing voices.", "psychosis"),
        ("He believes the neighbours are watching him through the TV.", "psychosis"),
        ("She hasn't slept in 3 days, racing thoughts.", "mania"),
        ("He is talking fast with pressured speech and went on a spending spree.", "mania"),
        ("She came to session drunk.", "intoxication"),
        ("He was drunk at the appointment.", "intoxication"),
        ("She smelled of alcohol today.", "intoxication"),
    ],
)
def test_positives(text: str, category: str) -> None:
    result = screen(text)
    assert result.is_risk, f"{text!r}: no risk found ({result.findings})"
    assert category in result.categories, f"{text!r}: {result.categories}"


def test_mania_both_signs_found() -> None:
    result = screen("She hasn't slept in 3 days, racing thoughts.")
    assert result.categories == ["mania"]
    assert any("racing thoughts" in f.span for f in result.present)


def test_plan_and_ideation_both_reported() -> None:
    result = screen("She wants to die and has been stockpiling pills.")
    assert {"suicidal_ideation", "suicide_plan"} <= set(result.categories)
    assert "suicidal thoughts" in result.describe()


# -- negation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "denies SI",
        "Denies SI/HI.",
        "SI: denied",
        "SI - denied",
        "no self-harm",
        "No self-harm since March.",
        "not suicidal",
        "She is not suicidal.",
        "denies SI, HI, or self-harm",
        "She denies suicidal ideation.",
        "Negative for SI and HI.",
        "SI/HI: none",
    ],
)
def test_negations_are_not_risk(text: str) -> None:
    result = screen(text)
    assert not result.is_risk, f"{text!r}: {result.present}"
    assert result.present == []
    assert result.findings, f"{text!r}: the mention should still be recorded (as negated)"
    assert all(f.negated for f in result.findings)


# -- scope: a negation does not reach past "but", "reports", a full stop ----------------------


def test_denial_does_not_cover_later_self_harm() -> None:
    result = screen("denies SI but cut herself last night")
    assert result.is_risk
    assert result.categories == ["self_harm"]
    si = [f for f in result.findings if f.category == "suicidal_ideation"]
    assert si and all(f.negated for f in si)
    sh = [f for f in result.findings if f.category == "self_harm"]
    assert sh and not any(f.negated for f in sh)


def test_no_si_reports_self_harm() -> None:
    result = screen("No SI, reports self-harm")
    assert result.is_risk
    assert "self_harm" in result.categories
    assert "suicidal_ideation" not in result.categories
    assert any(f.category == "suicidal_ideation" and f.negated for f in result.findings)


def test_negation_stops_at_the_sentence() -> None:
    result = screen("Denies HI. She says she wants to die.")
    assert "suicidal_ideation" in result.categories and "harm_to_others" not in result.categories


# -- third parties ---------------------------------------------------------------------------


def test_other_persons_suicidality_is_not_client_risk() -> None:
    result = screen("her sister is suicidal")
    assert not result.is_risk
    assert result.present == []
    assert any(f.third_party for f in result.findings)


def test_informant_report_about_the_client_is_client_risk() -> None:
    result = screen("her husband says she wants to die")
    assert result.is_risk
    assert "suicidal_ideation" in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "her brother killed himself last year",
        "Her father died by suicide when she was 12.",
        "Her best friend took her own life in May.",
    ],
)
def test_completed_suicide_of_another_is_bereavement_not_risk(text: str) -> None:
    result = screen(text)
    assert not result.is_risk
    assert result.present == []
    assert result.bereavement_by_suicide, f"{text!r}: should be recorded as bereavement by suicide"


def test_violence_towards_the_client_counts_even_with_a_named_perpetrator() -> None:
    # "her husband" is the perpetrator, not a third party whose risk is irrelevant.
    result = screen("Her husband hits her when he drinks.")
    assert result.is_risk and result.categories == ["ipv"]


# -- uncertainty is not a denial -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "not sure if she is suicidal",
        "I'm not sure if she is suicidal.",
        "Unclear whether she has SI.",
    ],
)
def test_uncertainty_counts_as_risk(text: str) -> None:
    result = screen(text)
    assert result.is_risk
    assert "suicidal_ideation" in result.categories


# -- ordinary text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Session 6: she keeps fighting with her husband about money.",
        "She retired in January and feels useless.",
        "She is lonely and finds it hard to make friends.",
        "What do I do after a suicide risk assessment came back clear?",
    ],
)
def test_ordinary_questions_have_no_risk(text: str) -> None:
    assert not screen(text).is_risk


def test_screen_never_scores() -> None:
    # The screen reports what the text says: kinds, and whether risk is stated or only possible
    # (a prompt to ask directly). It has no score and grades nothing.
    result = screen("She wants to die and has been stockpiling pills.")
    assert set(result.categories) <= set(CATEGORIES)
    assert result.level == "risk"
    assert not hasattr(result, "score") and not hasattr(result, "severity")


# -- end to end: the safety-first answer -----------------------------------------------------

_SCORING_WORDS = re.compile(r"\b(?:low|moderate|medium|high|imminent)\s+risk\b", re.IGNORECASE)
_AS_JUDGEMENT = re.compile(
    r"\b(?:is|at|as|presents?\s+as)\s+(?:a\s+)?(?:low|moderate|medium|high|imminent)\s+risk\b", re.IGNORECASE
)

RISK_QUESTIONS = [
    "Session 6: she says she wants to die and has been stockpiling pills. What next?",
    "Session 8: she cut herself after a fight with her husband. Should we role play the conversation?",
    "Session 4: her husband hits her; can we practise confronting him about the chores?",
    "Session 10: she hasn't slept in 3 days, racing thoughts, and is fighting with her boss.",
    # past violence by the husband she is still with, told by a pronoun in the next sentence (twelfth round)
    "session 7, role dispute with her husband. He strangled her once years ago and she says she still asks his "
    "permission before seeing friends. Can we role play telling him she wants more freedom?",
]


@pytest.mark.parametrize("question", RISK_QUESTIONS)
def test_risk_question_gets_a_safety_first_answer(assistant_offline, question: str) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask(question)
    assert ans.has_flag("risk")
    text = ans.answer
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings and headings[0] == "## Safety first", headings
    safety_at = text.index("## Safety first")
    # No technique is presented before the safety section.
    for tid in ans.techniques:
        assert f"`{tid}`" not in text[:safety_at], tid
    assert "## Next steps" not in text
    low = text.lower()
    assert "crisis protocol" in low
    assert "safety plan" in low
    # The tool never grades risk; the clinician does.
    assert not _AS_JUDGEMENT.search(text), _AS_JUDGEMENT.search(text)
    assert not re.search(r"\b(?:low|high)\s+risk\b", text, re.IGNORECASE)
    assert not [f for f in check_text(text, assistant_offline.catalog) if "scores risk" in f.message]
    assert not ans.has_flag("frame_violation")


def test_suicidal_risk_answer_asks_directly(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask(RISK_QUESTIONS[0])
    assert ans.techniques[0] == "direct_elicitation"
    assert any(c.id == "safety_first" and c.kind == "frame" for c in ans.citations)
    assert any(c.id == "acute_suicidal_risk" for c in ans.citations)
    # The risk flag quotes what the question said, so the clinician sees why.
    flag = next(f for f in ans.flags if f.code == "risk")
    assert flag.span and flag.span.lower() in RISK_QUESTIONS[0].lower()


def test_violence_answer_puts_safety_before_any_confrontation(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask(RISK_QUESTIONS[2])
    assert ans.has_flag("risk")
    assert any(c.id == "domestic_violence" for c in ans.citations)
    text = ans.answer
    # Role play of the confrontation must not be offered before safety.
    if "`role_play`" in text:
        assert text.index("`role_play`") > text.index("## Safety first")


def test_negated_risk_is_an_ordinary_answer(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 6, denies SI, fighting with husband about money")
    assert not ans.has_flag("risk")
    assert "## Safety first" not in ans.answer
    assert "## Next steps" in ans.answer
    assert ans.phase == "middle"
    assert ans.focal_area == "role_dispute"
    assert not any(c.id == "safety_first" for c in ans.citations)


def test_bereavement_by_suicide_is_noted_without_a_risk_flag(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 3: her brother killed himself last year and she cannot stop crying.")
    assert not ans.has_flag("risk")
    assert "## Safety first" not in ans.answer
    # People bereaved by suicide carry raised risk; the answer prompts the clinician to ask directly.
    assert "bereavement by suicide" in ans.answer.lower()


def test_third_party_risk_is_an_ordinary_answer(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 7: her sister is suicidal and she argues with her mother about it.")
    assert not ans.has_flag("risk")
    assert "## Safety first" not in ans.answer
