"""Session number -> IPT phase, decided by code; session mentions parsed from free text."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.phase import DEFAULT_TOTAL, MAX_TOTAL, parse_session_mention, phase_bounds, phase_for

ORDER = {"initial": 0, "middle": 1, "termination": 2, "maintenance": 3}


# -- the standard 16-session course ----------------------------------------------------------


@pytest.mark.parametrize(
    "session,phase",
    [(1, "initial"), (2, "initial"), (3, "initial"),
     (4, "middle"), (5, "middle"), (8, "middle"), (11, "middle"), (12, "middle"),
     (13, "termination"), (14, "termination"), (15, "termination"), (16, "termination"),
     (17, "maintenance"), (18, "maintenance"), (24, "maintenance"), (MAX_TOTAL, "maintenance")],
)
def test_sixteen_session_course(session: int, phase: str) -> None:
    info = phase_for(session, 16)
    assert info.phase == phase
    assert info.session == session and info.total == 16


def test_default_course_is_sixteen() -> None:
    assert DEFAULT_TOTAL == 16
    assert phase_for(3).phase == "initial"
    assert phase_for(4).phase == "middle"
    assert phase_for(13).phase == "termination"
    assert phase_for(17).phase == "maintenance"


def test_sixteen_session_ranges_match_the_knowledge_base(catalog) -> None:  # type: ignore[no-untyped-def]
    info = phase_for(6, 16)
    assert info.ranges["initial"] == "1-3" == catalog.phases["initial"].sessions
    assert info.ranges["middle"] == "4-12" == catalog.phases["middle"].sessions
    assert info.ranges["termination"] == "13-16" == catalog.phases["termination"].sessions
    assert phase_bounds(16) == (3, 13)


def test_sessions_left_and_raising_the_ending() -> None:
    assert phase_for(16, 16).sessions_left == 0
    assert phase_for(13, 16).sessions_left == 3
    assert phase_for(20, 16).sessions_left == 0
    # The ending is named a few sessions before the termination phase, not first in session 13.
    assert not phase_for(10, 16).raise_termination
    assert phase_for(11, 16).raise_termination
    assert phase_for(13, 16).raise_termination
    assert not phase_for(17, 16).raise_termination


# -- a 12-session course ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "session,phase",
    [(1, "initial"), (3, "initial"), (4, "middle"), (9, "middle"),
     (10, "termination"), (12, "termination"), (13, "maintenance")],
)
def test_twelve_session_course(session: int, phase: str) -> None:
    assert phase_for(session, 12).phase == phase


def test_twelve_session_ranges() -> None:
    info = phase_for(5, 12)
    assert info.ranges == {"initial": "1-3", "middle": "4-9", "termination": "10-12", "maintenance": "after 12"}


# -- any course length ----------------------------------------------------------------------


@pytest.mark.parametrize("total", range(1, MAX_TOTAL + 1))
def test_other_lengths_are_monotone_and_cover_every_session(total: int) -> None:
    phases = [phase_for(s, total).phase for s in range(1, total + 1)]
    assert len(phases) == total
    assert all(p in ("initial", "middle", "termination") for p in phases)
    assert [ORDER[p] for p in phases] == sorted(ORDER[p] for p in phases), phases
    assert phases[0] == "initial"
    if total >= 2:
        assert phases[-1] == "termination"
    if total >= 3:
        assert {"initial", "middle", "termination"} <= set(phases)
    assert phase_for(total + 1, total).phase == "maintenance"
    # The ranges the answer prints agree with the phase of every session.
    info = phase_for(1, total)
    for s, p in enumerate(phases, 1):
        lo, _, hi = info.ranges[p].partition("-")
        assert int(lo) <= s <= int(hi or lo), (total, s, p, info.ranges)


@pytest.mark.parametrize("total", range(8, MAX_TOTAL + 1))
def test_longer_courses_keep_ipt_proportions(total: int) -> None:
    initial_end, termination_start = phase_bounds(total)
    middle = termination_start - initial_end - 1
    termination = total - termination_start + 1
    assert middle > initial_end and middle > termination  # the middle phase is the bulk of the work
    assert termination >= 2


@pytest.mark.parametrize(
    "session,total",
    [(0, 16), (-1, 16), (-5, 12), (1, 0), (1, -16), (1, MAX_TOTAL + 1), (5, 100)],
)
def test_invalid_inputs_raise_input_error(session: int, total: int) -> None:
    with pytest.raises(InputError):
        phase_for(session, total)


def test_phase_bounds_rejects_an_empty_course() -> None:
    with pytest.raises(InputError):
        phase_bounds(0)


def test_input_error_exit_code() -> None:
    assert InputError("x").exit_code == 2


# -- parsing session mentions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,session,total",
    [
        ("session 6 of 16", 6, 16),
        ("Session 6 of 16: she argued with her husband again", 6, 16),
        ("s. 11/16", 11, 16),
        ("S5", 5, None),
        ("In S5 she cried about her mother", 5, None),
        ("Session 5: she keeps fighting with her sister", 5, None),
        ("2nd session", 2, None),
        ("This was our 2nd session and she was quiet", 2, None),
        ("third session", 3, None),
        ("Third session with a new client", 3, None),
        ("last session", -1, None),
        ("final session tomorrow", -1, None),
        ("session 4 of a 12-session course", 4, 12),
        ("It is session 10; a 12-session course", 10, 12),
    ],
)
def test_parse_session_mention(text: str, session: int, total: int | None) -> None:
    got_session, got_total, matched = parse_session_mention(text)
    assert (got_session, got_total) == (session, total)
    assert matched and matched.lower() in text.lower()


def test_course_length_without_a_session() -> None:
    session, total, matched = parse_session_mention("She is in a 12-session course of IPT")
    assert session is None and total == 12 and matched is None
    assert parse_session_mention("12-session course")[:2] == (None, 12)


@pytest.mark.parametrize(
    "text",
    [
        "it's 2 weeks",
        "It's 2 weeks since the funeral",
        "she's 3 months postpartum",
        "has 3 kids",
        "She has 3 kids and a husband who works nights",
        "she is 35 and lonely",
        "We met 5 times last year",
        "Her mother died 6 weeks ago",
        "",
    ],
)
def test_no_session_in_ordinary_numbers(text: str) -> None:
    session, total, matched = parse_session_mention(text)
    assert session is None, f"{text!r} parsed as session {session} from {matched!r}"
    assert matched is None


# -- the phase reaches the answer -----------------------------------------------------------


def test_course_length_in_the_question_sets_the_phase(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    # Session 10 of a 12-session course is termination (10-12), not middle as in a 16-session course.
    ans = assistant_offline.ask("Session 10 of 12: she keeps arguing with her husband about money.")
    assert ans.session == 10
    assert ans.total_sessions == 12
    assert ans.phase == "termination"


def test_explicit_session_and_total_win(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("She keeps arguing with her husband about money.", session=4, total_sessions=12)
    assert (ans.session, ans.total_sessions, ans.phase) == (4, 12, "middle")


def test_last_session_maps_to_the_final_session(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Last session coming up; she argues with her husband. How do I end?")
    assert ans.session == 16 and ans.phase == "termination"


@pytest.mark.parametrize("session", [0, -3, MAX_TOTAL + 1])
def test_ask_rejects_bad_session_numbers(assistant_offline, session: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        assistant_offline.ask("She keeps arguing with her husband.", session=session)


@pytest.mark.parametrize("text,expected", [
    # IPT is weekly: a week of the course opening the text, or with the course length, is its session
    ("Wk 6, dispute with her partner.", (6, None)),
    ("week 5 of 12 - grief, she's cancelled twice", (5, 12)),
    ("6 weeks postpartum, wk 3 of 16 IPT", (3, 16)),
    # ... not a week of something else, nor a pregnancy's weeks
    ("She is in week 2 of her new job and hates it.", (None, None)),
    ("wk 24/40, low mood since the scan", (None, None)),
    ("baby is 3 weeks old", (None, None)),
])
def test_a_week_of_the_course_is_its_session(text: str, expected: tuple) -> None:
    assert parse_session_mention(text)[:2] == expected
