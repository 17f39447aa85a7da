"""Forms found in round 31 (fresh writers' read halves, then phrasings of my own): intoxication seen in the room,
a relative found (a passive with its "was" left out), methods in plain words and a method declined by explaining
the model, re-experiencing that needs trauma-focused work, and in the notes
the forms of "not assessed", a "(non-IPT)" label, a group named with its theme and a session counted after
"IPT". Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.parse import parse_bullets
from assistant.phase import parse_session_mention
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


@pytest.mark.parametrize("text", [
    "Came in reeking of cider, struggling to follow what I said",
    "pupils like saucers and jaw going the whole hour",
    "Gurning and sweating in session, said he's 'fine'",
    "still wired from whatever she took last night, couldn't sit down",
])
def test_intoxication_seen_in_the_room_is_the_clients_current_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "intoxication" in r.risk.kinds, (text, r.risk)
    assert "intoxication" in r.stabilise_first, text


@pytest.mark.parametrize("text,now", [
    ("a bit tipsy on arrival, 'just one with lunch', chatty", True),
    ("Turned up to the session stoned, eyes red", True),
    ("Not drunk on arrival today, clear and engaged", False),
    ("She arrived high on adrenaline after the interview", False),
])
def test_a_state_named_for_the_session_is_intoxication_now(text: str, now: bool) -> None:
    assert ("intoxication" in _read(text).stabilise_first) is now, text


@pytest.mark.parametrize("text", [
    "The corridor reeks of weed most evenings, she says, and it keeps her awake",
    "Says the whole flat stinks of beer since her brother moved in",
])
def test_the_same_words_about_a_place_are_not_intoxication(text: str) -> None:
    r = _read(text)
    assert "intoxication" not in r.risk.kinds and "intoxication" not in r.stabilise_first, (text, r.risk)


@pytest.mark.parametrize("text,theirs", [
    ("Her eldest son found with a ligature in the shed on Sunday", True),
    ("Client's younger sister found unconscious in her flat last week", True),
    ("Her son found her with the ligature in the shed on Sunday", False),
])
def test_a_relative_found_is_the_one_it_happened_to_unless_they_found_the_client(text: str, theirs: bool) -> None:
    r = _read(text)
    if theirs:
        assert r.risk.level is None and r.risk.assertion == "other_person", (text, r.risk)
    else:
        assert r.risk.level is not None and r.risk.assertion == "present", (text, r.risk)


@pytest.mark.parametrize("text,method", [
    ("She wants the one where you follow the therapist's hand from side to side while thinking of the crash. Shall I?",
     "emdr"),
    ("Should I get him to rewrite that thought into something fairer before next week?", "cognitive_restructuring"),
    ("Would it help to list his worst thoughts each night and then challenge them with him?",
     "cognitive_restructuring"),
    ("Thinking of exploring her family of origin with her in detail - worth it?", "childhood_exploration"),
])
def test_methods_in_plain_words_are_out_of_frame(text: str, method: str) -> None:
    assert method in _read(text).request.out_of_frame, text


@pytest.mark.parametrize("text,current", [
    ("She said she'd never hurt herself, then asked how long it takes paracetamol to work", True),
    ("Denied SI, then talked about her holiday plans", False),
])
def test_a_denial_ends_where_a_later_predicate_begins(text: str, current: bool) -> None:
    r = _read(text)
    assert (r.risk.level is not None) is current, (text, r.risk)


def test_a_method_declined_by_explaining_the_model_is_not_a_request() -> None:
    asked = "She asked for a mood diary - should I give her one?"
    declined = "She asked for a mood diary - explained that IPT doesn't use them and we looked at the row instead"
    assert "thought_records" in _read(asked).request.out_of_frame
    assert "thought_records" not in _read(declined).request.out_of_frame


@pytest.mark.parametrize("text,needs", [
    ("Since the robbery in spring he relives it every day and wakes screaming most nights. IPT enough?", True),
    ("Four months on he still sees the car coming every time he closes his eyes, avoids the motorway", True),
    ("a few intrusive memories of the crash last month, lessening week on week, back at work", False),
    ("Intrusive memories of the argument with her sister keep coming back when she's in bed", False),
])
def test_re_experiencing_that_persists_needs_trauma_focused_work(text: str, needs: bool) -> None:
    assert ("trauma_focused_needed" in _read(text).stabilise_first) is needs, text


@pytest.mark.parametrize("line", [
    "- Asked about SI/SH: 'not going there today' - declined",
    "- Call cut off before the risk questions; rang back, no answer",
    "- Video froze at 40 min before we got to the risk questions; text sent",
])
def test_risk_not_assessed_in_other_words(line: str) -> None:
    facts = parse_bullets(f"- IPT s7/16, role dispute (agreed)\n- PHQ-9 14\n{line}\n- HW: note one repair attempt",
                          get_catalog())
    assert facts.risk.status == "not_assessed", (line, facts.risk)


def test_a_risk_that_has_declined_is_still_documented() -> None:
    facts = parse_bullets("- IPT s7/16\n- SI: declined since last wk, now fleeting\n- PHQ-9 12", get_catalog())
    assert facts.risk.status == "present", facts.risk


@pytest.mark.parametrize("bullets,kind", [
    ("- Medication review (non-IPT), GP-requested\n- sleeping 5h\n- denies SI", "non_ipt"),
    ("- Assessment for IPT (non-IPT)\n- low mood 3 mo\n- denies SI", "non_ipt"),
    ("- IPT perinatal group s4/8, 6 attended\n- shared first-week stories", "group"),
    ("- IPT s4/16, role dispute\n- asked for CBT - explained not part of IPT", "regular"),
])
def test_session_kind_from_a_label_in_brackets_and_a_group_named_with_its_theme(bullets: str, kind: str) -> None:
    assert parse_bullets(bullets, get_catalog()).session_kind == kind, bullets


@pytest.mark.parametrize("text,expected", [
    ("Student service, IPT 4/10, grief", (4, 10)),
    ("brief IPT 5 of 12 via home treatment", (5, 12)),
    ("IPT 16 sessions offered", (None, None)),
])
def test_a_session_counted_after_the_therapys_name(text: str, expected: tuple[int | None, int | None]) -> None:
    s, total, _ = parse_session_mention(text)
    assert (s, total) == expected, text

