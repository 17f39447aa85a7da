"""Stabilise-first presentations in more forms, and the features that tell them from their look-alikes
(signals/presentations.py)."""

from __future__ import annotations

import pytest

from assistant.evals.signal_suite import predict
from assistant.signals.presentations import against, settle
from assistant.signals.types import Signal


@pytest.mark.parametrize("clause,feature", [
    ("bad dreams since the burglary a fortnight ago, fewer each week and fading", "fading"),
    ("jumpy on the motorway after the crash, but settling now", "settling"),
    # a core feature keeps the finding whatever else the clause says
    ("reliving the assault every night for months, easing only slightly", None),
    ("hypervigilant since the attack, avoids the bus, improving a little", None),
])
def test_symptoms_easing_after_an_event_argue_against_trauma_work(clause: str, feature: str | None) -> None:
    assert against("trauma_focused_needed", clause) == feature


def test_the_clients_risk_is_never_dropped_by_a_feature_against_it() -> None:
    mania = Signal("mania", 0, 10, "sleeping well", source="semantic", clause="buzzing with ideas, sleeping well")
    trauma = Signal("trauma_focused_needed", 0, 10, "nightmares", source="semantic",
                    clause="nightmares after the break-in, fading")
    explicit = Signal("trauma_focused_needed", 0, 4, "PTSD", source="lexicon", clause="PTSD, easing")
    assert settle([mania, trauma, explicit]) == [mania, explicit]


def test_easing_nightmares_are_not_a_presentation_to_stabilise_first() -> None:
    text = "Bad dreams for a fortnight after the car broke down on the motorway, now once a week and fading; sleeping better."
    assert "trauma_focused_needed" not in predict(text).stabilise_first


@pytest.mark.parametrize("text,dependent", [
    ("He snorts coke most days and wants to work on the break-up.", True),
    ("codeine misuse since the back surgery, getting it from two GPs", True),
    ("hooked on pregabalin, buying it off the street", True),
    # the client's son's addiction is his; a medicine taken as prescribed is no misuse
    ("Her son's heroin addiction is tearing the family apart.", False),
    ("No drug misuse; drinks 2-3 units a week.", False),
])
def test_a_drug_used_most_days_or_its_misuse_named_is_dependence(text: str, dependent: bool) -> None:
    assert ("severe_substance_dependence" in predict(text).stabilise_first) is dependent


@pytest.mark.parametrize("text,psychosis", [
    # voices as a clause's subject without a determiner, in clinicians' shorthand
    ("On clozapine now; voices quieter but still there most evenings.", True),
    ("AH ongoing - voices commenting on what she does.", True),
    # not the voices of people, nor voices denied
    ("The voices of her grandchildren on the phone keep her going.", False),
    ("No AH, voices denied.", False),
])
def test_voices_as_the_subject_of_a_clause_are_heard(text: str, psychosis: bool) -> None:
    assert ("psychosis" in predict(text).stabilise_first) is psychosis


@pytest.mark.parametrize("text,intoxicated", [
    ("Client is using heroin every day and has missed three of our last four sessions.", False),
    ("benzos + alcohol daily, blacked out 3x this month, lost job last wk", False),
    ("drinks every day, came in smelling of it today and slurring", True),
    ("she's been drinking daily and turned up to the session slurring", True),
])
def test_dependence_as_a_habit_is_not_intoxication_now(text: str, intoxicated: bool) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    p = predict(text, get_catalog())
    assert ("intoxication" in p.stabilise_first) is intoxicated
    assert intoxicated or "severe_substance_dependence" in p.stabilise_first


@pytest.mark.parametrize("text,fits", [
    ("calls himself 'a bit OCD' about his desk - likes it tidy, no distress, no rituals", True),
    ("She says 'I'm so OCD' about tidying.", True),
    ("diagnosed OCD, checks the locks 40 times a night, no relational trigger identified", False),
])
def test_the_everyday_figure_a_bit_ocd_is_not_the_disorder(text: str, fits: bool) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    got = predict(text, get_catalog()).stabilise_first
    assert ("anxiety_without_interpersonal_trigger" not in got) is fits
