"""The probe's pooled heads, with a fake probe whose probabilities the test sets: the current-risk
backstop (a clause that reads as the client's current risk when no kind's probe fired, or when the
clause's shape alone scoped it away) and the pooled out-of-frame head (a request no method's own probe
caught). What the real probe reads is measured by ``ipt eval --suite signals``; these tests pin the
decisions taken on its numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from assistant.signals import analyse, read_text, screen_risk
from assistant.signals import probe as probe_module
from assistant.signals.detect import FRAME_FALLBACK
from assistant.signals.probe import FRAME_ANY, RISK_ANY, RISK_CURRENT
from assistant.signals.semantic import get_bank, threshold


@dataclass
class FakeProbe:
    """Every clause gets the same probabilities: ``probs`` for the categories named, 0.01 otherwise."""

    probs: dict[str, float] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return [*get_bank().index, RISK_ANY, RISK_CURRENT, FRAME_ANY]

    def predict(self, vectors: np.ndarray, texts: list[str]) -> dict[str, np.ndarray]:
        return {c: np.full(len(texts), self.probs.get(c, 0.01), dtype=np.float32) for c in self.categories}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeProbe:
    """The probe's decisions alone: the fine-tuned reader (tests/test_signals_reader.py) is switched off."""
    from assistant.signals import reader as reader_module

    probe = FakeProbe()
    monkeypatch.setattr(probe_module, "get_probe", lambda: probe)
    monkeypatch.setattr(reader_module, "get_reader", lambda: None)
    return probe


def _above(cat: str, key: str = "fire") -> float:
    return min(0.99, threshold(cat)[key] + 0.05)


def test_the_backstop_asks_directly_when_no_kind_fires(fake: FakeProbe) -> None:
    text = "she spent the afternoon at the top of the car park looking down"
    assert not screen_risk(text).is_risk  # nothing fires: no risk
    fake.probs = {RISK_CURRENT: _above(RISK_CURRENT), "suicide_plan": 0.2}
    risk = screen_risk(text)
    assert risk.level == "possible_risk"  # ask directly, never stated
    assert risk.kinds == ["suicide_plan"]  # the most likely kind
    assert any(s.evidence == f"probe:{RISK_CURRENT}" for s in risk.present)


def test_the_backstop_stays_quiet_below_its_threshold(fake: FakeProbe) -> None:
    fake.probs = {RISK_CURRENT: threshold(RISK_CURRENT)["fire"] - 0.05, "suicide_plan": 0.2}
    assert not screen_risk("she spent the afternoon at the top of the car park looking down").is_risk


def test_the_backstop_reopens_a_clause_scoped_away_by_its_shape(fake: FakeProbe) -> None:
    """A meaning-level finding that the clause's modifiers scoped as a whole (here a condition) comes
    back at the possible level when the clause reads as the client's current risk."""
    text = "what if she says she has had enough of all of it?"
    fake.probs = {RISK_ANY: _above(RISK_ANY), "suicidal_ideation": _above("suicidal_ideation")}
    assert screen_risk(text).assertion == "hypothetical"
    fake.probs[RISK_CURRENT] = _above(RISK_CURRENT)
    risk = screen_risk(text)
    assert risk.level == "possible_risk" and risk.assertion == "present"


@pytest.mark.parametrize("text, assertion", [
    ("denies suicidal thoughts, intent or plan", "negated"),
    ("her brother told her he has been thinking of killing himself", "other_person"),
])
def test_an_explicit_terms_own_scope_stands(fake: FakeProbe, text: str, assertion: str) -> None:
    """Denied is never present, and someone else's stays theirs: the backstop does not override the
    scope of an explicit term, however the clause reads as a whole."""
    fake.probs = {RISK_ANY: 0.99, RISK_CURRENT: 0.99, "suicidal_ideation": 0.99}
    risk = screen_risk(text)
    assert not risk.is_risk and risk.assertion == assertion


def test_the_pooled_frame_head_names_the_most_likely_method(fake: FakeProbe) -> None:
    text = "could we try something quite different in the next session"
    fallback = FRAME_FALLBACK
    fake.probs = {FRAME_ANY: _above(FRAME_ANY), "childhood_exploration": fallback + 0.05, "exposure": fallback - 0.1}
    assert read_text(text).request.out_of_frame == ["childhood_exploration"]
    fake.probs["childhood_exploration"] = fallback - 0.05  # no method likely enough: nothing is named
    assert read_text(text).request.out_of_frame == []
    fake.probs = {FRAME_ANY: threshold(FRAME_ANY)["fire"] - 0.05, "childhood_exploration": fallback + 0.05}
    assert read_text(text).request.out_of_frame == []  # below the pooled head's threshold


def test_heads_are_not_categories_of_their_own(fake: FakeProbe) -> None:
    fake.probs = {RISK_ANY: 0.99, FRAME_ANY: 0.99, RISK_CURRENT: 0.2}
    cats = {s.category for s in analyse("what should we work on in session five?").items}
    assert not cats & {RISK_ANY, RISK_CURRENT, FRAME_ANY}
