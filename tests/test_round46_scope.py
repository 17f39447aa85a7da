"""Categories taken in round 46, each with the control that keeps the other reading. In a model draft, a denial of
acting in other words than the bullets' ("has not acted on the thoughts" for "hasn't done anything"), "never" for a
denial that reaches back over the client's life ("no prior attempts"), and an attempt denied only where the bullets
deny one. In the signal layer, psychosis where the line says the experience is real or known by the client not to be;
a sudden calm after a crisis; relapse-prevention warning signs; "all denied"; a person's empty chair at the table. In
the notes, a session given by its ordinal in shorthand."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _flagged(draft: str, bullets: str) -> list[tuple[str, str]]:
    """(kind, span) of each problem the fact check finds in ``draft`` against ``bullets``, with the bullets' lines as
    the clauses content grounding reads (as ``ipt note`` passes them)."""
    from assistant.notes.factcheck import find_unsupported

    lines = [x for x in bullets.splitlines() if x.strip()]
    return [(p.kind, p.span) for p in find_unsupported(draft, bullets, get_catalog(), clauses=lines)]


# --- a denial of acting, in the draft's words ------------------------------------------------------------------------

_SI = "s8 RD w husband\nSI - thoughts of taking all her tablets, no intent stated\n"


@pytest.mark.parametrize("denial", ["hasn't done anything", "hasnt done anything", "not acted on them", "no attempts"])
def test_a_denial_of_acting_supports_the_drafts_in_other_words(denial: str) -> None:
    draft = "She has had thoughts of taking all her tablets, with no intent stated. She has not acted on the thoughts."
    assert not [k for k in _flagged(draft, _SI + denial) if k[0] == "risk statement"]


@pytest.mark.parametrize("other", ["hasn't told anyone", "no plan", "safety plan reviewed"])
def test_a_denial_of_acting_is_flagged_where_the_bullets_deny_no_act(other: str) -> None:
    draft = "She has had thoughts of taking all her tablets, with no intent stated. She has not acted on the thoughts."
    assert ("risk statement", "not") in _flagged(draft, _SI + other)


def test_never_stands_for_a_denial_over_the_clients_life() -> None:
    bullets = _SI + "no prior attempts"
    assert _flagged("She has never made an attempt.", bullets) == []
    assert _flagged("She has never made a suicide attempt.", bullets) == []


def test_never_made_an_attempt_is_flagged_beside_only_a_plan_denied() -> None:
    assert _flagged("She has never made an attempt.", _SI + "no plan")
    flagged = _flagged("She has never made a suicide attempt.", _SI + "no plan")
    assert ("risk statement", "suicide attempt") in flagged, flagged


def test_never_is_a_claim_where_the_bullets_deny_only_now() -> None:
    flagged = _flagged("She has never had thoughts like these.", "s8 RD w husband\nno SI today")
    assert any(span == "never" for _, span in flagged), flagged


# --- psychosis: an experience said to be real, or known by the client not to be ---------------------------------------

@pytest.mark.parametrize("text", [
    "Client believes her husband is having an affair - she found texts and he's admitted it. Is her checking his phone "
    "all the time something I treat as paranoia?",
    "'Hearing voices' turned out to be the neighbours' toddler through the party wall at 5am. Sleep broken.",
    "Hears the neighbours arguing through the wall every night - thin walls, it's keeping her awake.",
    "She says she sometimes hears her late husband call her name as she's dozing off and finds it comforting.",
    "talks about 'the voices in my head' telling her she's useless - clarified: her own self-critical thoughts, not "
    "heard as external",
])
def test_an_experience_that_is_real_or_known_not_to_be_is_not_psychosis(text: str) -> None:
    r = _read(text)
    assert "psychosis" not in r.risk.kinds, (text, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "convinced the neighbours talk about her through the wall",
    "hears voices telling her to kill herself",
    "says her husband has been replaced by an impostor, found 'proof' in his texts, insists it's true",
    "dx psychosis confirmed, voices daily",
    'Says the radio sometimes "seems to be about her" but laughed and said she knows it isn\'t.',
])
def test_psychosis_stands_where_nothing_explains_it_away(text: str) -> None:
    r = _read(text)
    assert "psychosis" in r.risk.kinds, (text, r.risk.kinds)


# --- sudden calm after a crisis; relapse-prevention warning signs ------------------------------------------------------

@pytest.mark.parametrize("text", [
    "v calm & settled today, 'sorted everything out', after 3 wks of crisis - odd",
    "seemed oddly at peace today, after a terrible month",
    "sudden calm noted by her sister",
])
def test_a_sudden_calm_after_a_crisis_is_a_warning_sign(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None, (text, r.risk.level)


@pytest.mark.parametrize("text", [
    "calmer after the crisis team visit, slept 7h",
    "calmer today, sleeping better since the row was resolved",
    "identified warning signs for future: stopping going out, not answering phone",
    "relapse prevention: early warning signs - withdrawing, not eating",
])
def test_calm_that_has_a_reason_and_relapse_signs_are_no_risk_now(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


def test_relapse_signs_do_not_hide_a_warning_sign_beside_them() -> None:
    r = _read("gave away her dog and said goodbye to her sister - warning signs?")
    assert r.risk.level is not None


# --- a group's check-in denied by all; a literal empty chair ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "check-in round incl. safety q's: all denied thoughts of self-harm or suicide",
    "both denied any thoughts of harming the baby",
    "SI/SH/HI all denied",
])
def test_all_denied_denies_what_follows_or_precedes(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.level, r.risk.assertion)


def test_a_persons_empty_chair_at_the_table_is_no_method_done() -> None:
    f = _facts("s13 - termination phase, grief (husband Pete d. 2023)\n- talked abt Pete's empty chair at the meal, cried "
               "but 'a good cry'\n- reviewed progress: PHQ-9 8 vs 19 at start")
    assert f.session_kind == "regular"


def test_the_empty_chair_done_is_a_method_from_outside_ipt() -> None:
    assert _facts("s9 grief\n- empty chair w/ her dad, v tearful").session_kind == "non_ipt"


@pytest.mark.parametrize("text", ["try the empty chair with her dad", "Could I use an empty chair exercise for her grief?"])
def test_the_empty_chair_proposed_is_out_of_frame(text: str) -> None:
    assert "empty_chair" in _read(text).request.out_of_frame


# --- in notes: a session by its ordinal in shorthand -------------------------------------------

def _facts(bullets: str):  # noqa: ANN202 - SessionFacts
    from assistant.notes.drafting import draft_note

    return draft_note(bullets, get_catalog(), None, format="soap").facts


def test_a_session_by_its_ordinal_in_shorthand() -> None:
    assert _facts("2nd sesh. initial phase\n- talked abt kids + ex").session == 2


# --- a relationship said to be good is evidence against a dispute, friends against deficits ----------------------------

def _focal(text: str) -> set[str | None]:
    r = _read(text)
    return {r.focal.primary, r.focal.secondary}


@pytest.mark.parametrize("text", [
    "kids safe - no safeguarding concerns per HV; partner supportive. 6 wks pp",
    "Moved in with girlfriend 2 months ago; low about losing her independence, no conflict between them.",
    "I screened for IPV and she says she feels safe at home and her partner is supportive. Do I repeat that later?",
])
def test_a_relationship_said_to_be_good_points_to_no_dispute(text: str) -> None:
    assert "role_dispute" not in _focal(text), (text, _focal(text))


@pytest.mark.parametrize("text", [
    "rows with husband most nights about money, he says she's never satisfied",
    "her sister is supportive but she and her mum haven't spoken since the funeral row",
])
def test_a_relationship_in_conflict_still_points_to_a_dispute(text: str) -> None:
    assert "role_dispute" in _focal(text), (text, _focal(text))


def test_plenty_of_friends_points_away_from_deficits() -> None:
    assert "interpersonal_deficits" not in _focal(
        "He's always had plenty of friends; started a new job in a new city in May.")


def test_no_close_friends_still_points_to_deficits() -> None:
    assert "interpersonal_deficits" in _focal("He's 38, never had close friends, never had a partner. Works nights.")


def test_risk_not_assessed_with_only_a_plan_to_screen_quotes_nothing_empty() -> None:
    from assistant.notes.drafting import draft_note

    note = draft_note("2nd sesh. initial phase\n- to screen next wk (C-SSRS) - ran out of time\n- PHQ-9 18", get_catalog(),
                      None, format="soap")
    assert "Risk not assessed this session." in note.text
    assert "as documented: ." not in note.text
    assert "To screen next wk (C-SSRS)" in note.text


# --- in a model draft: a risk of a state now softened; amounts and places in shorthand --------------------------------

_HYPO = ("s8 - pt v different today: talking fast, hard to interrupt\nsleeping 3 hrs/night x5 nights, says she's 'never felt "
         "better'\nspent £2k on clothes + booked flight to NYC\nsame day referral to psychiatry for ?hypomania")


def test_elevated_mood_explained_away_is_flagged() -> None:
    assert _flagged("Her elevated mood is most likely a normal response to finally feeling better.", _HYPO)


def test_elevated_mood_reported_as_documented_stands() -> None:
    assert _flagged("She was referred to psychiatry the same day for possible hypomania.", _HYPO) == []


def test_an_amount_in_thousands_and_a_city_in_shorthand_stand_written_out() -> None:
    assert _flagged("She spent £2,000 on clothes and booked a flight to New York.", _HYPO) == []
    assert ("number", "3,000") in _flagged("She spent £3,000 on clothes.", _HYPO)


# --- PTSD now: the event's date and a negation that is the avoidance -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Sexual assault 3 yrs ago (stranger) - nightmares, startles easily, can't bear partner touching her",
    "asylum seeker, detention + torture hx, startles at uniforms, daily intrusive memories, zones out",
    "Since the motorway crash in spring she has nightmares every night, won't drive or even be a passenger",
    "Since the crash in August she has nightmares most nights, can't be a passenger, and gets flashbacks at brakes.",
])
def test_trauma_symptoms_now_after_a_dated_event_are_a_presentation_now(text: str) -> None:
    assert "trauma_focused_needed" in _read(text).stabilise_first, text


@pytest.mark.parametrize("text", [
    "PTSD after the war, treated 2010, well since",
    "Sexual assault 3 yrs ago - had nightmares for a while after, none now",
    "no flashbacks since the crash, driving again",
    "car crash 2012 - talks about it easily, no nightmares, drives daily",
    "Client's partner is a veteran with PTSD - nightmares, snappy when startled",
])
def test_trauma_over_denied_or_someone_elses_is_not(text: str) -> None:
    assert "trauma_focused_needed" not in _read(text).stabilise_first, text


def test_a_passenger_who_died_is_someone_else() -> None:
    assert _read("a passenger died in the crash she caused and she keeps seeing his face").risk.assertion == "other_person"
