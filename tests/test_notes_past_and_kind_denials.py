"""A past risk the bullets say is absent now, a self-harm denial the bullets never made, and contact shorthand
(round 29: a fresh writer's read drafts). Each pair differs in the one fact that decides the check."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.factcheck import find_unsupported


def _flags(draft: str, bullets: str) -> list[str]:
    return [p.span for p in find_unsupported(draft, bullets, get_catalog())]


PAST_NONE_NOW = "- S15/16, 70F, grief (husb 2y) - nearly done\n- SI hx only (pre-tx), none now\n- next sess final"
PAST_ONLY = "- S15/16, 70F, grief (husb 2y) - nearly done\n- SI hx only (pre-tx)\n- next sess final"


def test_a_past_risk_absent_now_supports_saying_both() -> None:
    assert _flags("She had suicidal ideation before treatment and has none now.", PAST_NONE_NOW) == []


def test_a_past_risk_alone_does_not_support_a_denial_now() -> None:
    assert _flags("She had suicidal ideation before treatment and has none now.", PAST_ONLY)


PASSIVE_SI = ("- S4/16 M 52, grief - wife d. 7 mo (cancer)\n- PHQ9 19\n"
              "- SI: 'I'd join her if I could', passive, no plan, no intent")


@pytest.mark.parametrize("bullets,flagged", [
    # a plan or intent denied beside stated ideation denies nothing of self-harm
    (PASSIVE_SI, True),
    ("- S4/16 grief\n- PHQ9 19\n- Risk: nil", False),
    ("- S4/16 grief\n- PHQ9 19\n- denies SI/SH", False),
])
def test_a_self_harm_denial_needs_a_denial_that_covers_it(bullets: str, flagged: bool) -> None:
    assert bool(_flags("He denied any self-harm.", bullets)) is flagged


def test_contact_shorthand_supports_its_words() -> None:
    bullets = "- pt dna sess 7, no call\n- rang x2, VM left, txt sent\n- will offer sess 7 next Thurs"
    assert _flags("The clinician phoned twice, left a voicemail and sent a text message.", bullets) == []


@pytest.mark.parametrize("clause,kind", [
    ("IPT grp (postnatal) sess 4/8", "group"),
    ("grp members shared similar - pt nodded", "group"),
    ("joint mtg pt (14M) + mum, S7/12 IPT-A", "joint"),
    # an acronym that is also a word counts only in capitals
    ("Denies intent to act on voices but distressed ++", None),
    ("did ACT defusion exercise for the voice", "non_ipt"),
])
def test_a_sessions_kind_in_shorthand(clause: str, kind: str | None) -> None:
    from assistant.notes.kinds import session_kind_cue

    assert session_kind_cue(clause, in_session_work=False) == kind
