"""Adaptations the knowledge base carries beyond the six the signals eval labels (dysthymia, BPD, IPC,
brief/telephone IPT, psychotic depression) are flagged from the catalog's cue words and reach the answer."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.signals import screen_request


@pytest.mark.parametrize("question,adaptation", [
    ("My client has had persistent depressive disorder since her twenties; session 5, what next?", "dysthymia"),
    ("Client with borderline personality disorder, role dispute with her mother, session 6", "bpd"),
    ("I'm offering interpersonal counselling in a GP practice, third session, what now?", "ipc"),
    ("Doing telephone IPT with a farmer, session 4, grief for his wife", "brief_telephone"),
    ("Psychotic depression with delusional guilt, stable on medication, session 2", "psychotic_depression"),
])
def test_catalog_cue_adaptations_are_flagged(question: str, adaptation: str, catalog) -> None:
    assert adaptation in screen_request(question, catalog).adaptations


def test_the_adaptation_reaches_the_offline_answer() -> None:
    ans = Assistant(offline=True).ask("My client has dysthymia, low-grade depression for 12 years; she is 45. "
                                      "Session 5, what next?")
    assert "Adaptation — IPT for Dysthymia" in ans.answer


@pytest.mark.parametrize("text,perinatal", [
    # the client's own baby, named as the one a finding is about, places her in the perinatal period
    ("no thoughts of harming baby; however pt hears baby's \"voice\" telling her she's a bad mother", True),
    ("pt says she sometimes forgets to feed the baby when she's really low", True),
    ("no thoughts of hurting baby, bonding well", True),  # a denial of harm is no denial of the perinatal period
    ("Her baby died at 5 weeks old, cot death. Session 3, and she says everyone tells her to move on.", True),
    # ... not a relation's baby, a father's, or "baby" before a thing
    ("her sister's baby was born last week and she can't stop crying about her own miscarriage years ago", False),
    ("Dad of a 6-month-old, he says he rows with his partner over the night feeds", False),
    ("gave away old baby clothes to a friend who's expecting, felt good", False),
])
def test_the_clients_own_baby_places_her_in_the_perinatal_period(text: str, perinatal: bool, catalog) -> None:
    assert ("perinatal" in screen_request(text, catalog).adaptations) is perinatal


@pytest.mark.parametrize("text,ipsrt", [
    ("Mood 6/10 (last wk 4/10). Sleep a bit better.", False),
    ("no evidence of mania or hypomania; sleeping 7-8h", False),
    ("hx OD x2 (2015, 2017); screen today negative; stable", False),
    ("Bipolar I, euthymic on lithium; working on regular bedtimes and his social rhythm", True),
])
def test_sleep_and_mood_lines_are_not_bipolar_disorder(text: str, ipsrt: bool, catalog) -> None:
    assert ("ipsrt" in screen_request(text, catalog).adaptations) is ipsrt


def test_the_shipped_thresholds_keep_the_pipeline_floors() -> None:
    import importlib.util
    from pathlib import Path

    from assistant.signals.semantic import threshold

    path = Path(__file__).resolve().parents[1] / "scripts" / "train_signals.py"
    spec = importlib.util.spec_from_file_location("train_signals", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.PIPELINE_FLOORS
    for category, floor in module.PIPELINE_FLOORS.items():
        assert threshold(category)["fire"] >= floor, category
