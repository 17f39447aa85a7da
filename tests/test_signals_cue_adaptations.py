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
