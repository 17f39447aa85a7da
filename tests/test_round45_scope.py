"""Categories taken in round 45 (the new writers' read halves), each with the control that keeps the other reading: a
partner's violence reported by a relative of the possessive's gender is the relative's ("my sister says her bf hits
her"); a partner named in forum shorthand owns their violence ("DH's aggression"); a plan and an intent denied in a
list with no connective ("no plan no intent"); a screen answered for every item at once ("C-SSRS - all no"); a check
that was done, named as a noun ("brief check on phone: SI/HI neg"); a risk section left blank; something other than
the session cancelled. In notes, the same through the bullets' risk status and session kind."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.drafting import draft_note
from assistant.notes.kinds import session_kind_cue
from assistant.signals import read_text
from assistant.signals.answers import answer


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _facts(bullets: str):  # noqa: ANN202 - SessionFacts
    return draft_note(bullets, get_catalog(), None, format="soap").facts


def _flagged(draft: str, bullets: str) -> list[tuple[str, str]]:
    """(kind, span) of each problem the fact check finds in ``draft`` against ``bullets``."""
    from assistant.notes.factcheck import find_unsupported

    return [(p.kind, p.span) for p in find_unsupported(draft, bullets, get_catalog())]


_NO_PLAN_DRAFT = "S: She reported passive thoughts of death. She reported no plan and no intent.\nO: PHQ-9 17."
_MARKED_DRAFT = "A: Her mood has dipped, with a marked rise in depressive symptoms on the PHQ-9."


# --- a partner's violence reported by a relative ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "my sister says her bf hits her",
    "Pt's brother told her his wife slaps him when she's been drinking",
    "her sister reckons her husband pushed her down the stairs",
])
def test_a_relatives_report_of_their_own_partners_violence_is_theirs(text: str) -> None:
    r = _read(text)
    assert "ipv" not in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "pt says her bf hits her",
    "her son says her husband hits her",          # the son cannot own "her husband": the client's
    "her mum told her her boyfriend has hit her",  # the one told may own it: safety errs towards asking
])
def test_a_partners_violence_reported_about_the_client_stays_hers(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "ipv" in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", ["DH's aggression is escalating", "her DP's violence got worse over xmas"])
def test_a_partner_in_shorthand_owns_their_violence(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "ipv" in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


def test_a_doctors_aggression_is_not_partner_violence() -> None:
    assert "ipv" not in _read("the GP's aggression in the appointment upset her").risk.kinds


# --- a plan and an intent denied in a bare list ------------------------------------------------------------------------

def test_no_plan_no_intent_is_a_denial_of_both() -> None:
    r = _read("passive SI, no plan no intent")
    assert any(s.category == "suicide_plan" and s.assertion == "negated" for s in r.signals.items)


def test_a_plan_stated_beside_no_intent_is_a_plan() -> None:
    r = _read("has a plan no intent to act on it yet")
    assert r.risk.level == "risk" and "suicide_plan" in r.risk.kinds


def test_a_draft_that_writes_out_no_plan_no_intent_keeps_its_sentence() -> None:
    bullets = "s7/16 grief\npassive SI - 'wish i cld go to sleep n not wake up', no plan no intent\nPHQ9 17"
    assert not [k for k, _ in _flagged(_NO_PLAN_DRAFT, bullets) if k == "risk statement"]


def test_a_draft_denying_a_plan_the_bullets_state_is_flagged() -> None:
    bullets = "s7/16 grief\npassive SI, has a plan (tablets), no intent\nPHQ9 17"
    assert [k for k, _ in _flagged(_NO_PLAN_DRAFT, bullets) if k == "risk statement"]


# --- a screen answered for every item at once -------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["all no", "all negative", "all answered no", "both items no"])
def test_an_answer_for_every_item_is_no(text: str) -> None:
    assert answer(text) == "negated"


@pytest.mark.parametrize("text", ["all day", "all normal", "all no but one"])
def test_other_all_phrases_are_no_answer(text: str) -> None:
    assert answer(text) is None


def test_a_screen_with_all_items_no_is_denied_in_the_note() -> None:
    assert _facts("- sess 2, grief likely focus\n- C-SSRS screen - all no\n- PHQ-9 = 20").risk.status == "denied"


# --- a check done, named as a noun -------------------------------------------------------------------------------------

def test_a_brief_check_on_the_phone_answered_no_is_a_denial() -> None:
    assert _facts("- s7/16 DNA - rang pt\n- brief check on phone: SI/HI neg, PHQ9 11").risk.status == "denied"


def test_a_check_still_to_do_is_not_assessed() -> None:
    assert _facts("- s7/16, role dispute\n- PHQ9 11\n- check on her re SI next wk").risk.status == "not_assessed"


# --- a risk section left blank ---------------------------------------------------------------------------------------

def test_a_risk_section_left_blank_is_not_assessed() -> None:
    bullets = ("- not an IPT session - housing form w/ pt\n- risk section left blank - their team will do it\n"
               "- IPT resumes next wk")
    assert _facts(bullets).risk.status == "not_assessed"


def test_a_blank_line_of_homework_is_not_a_risk_status() -> None:
    assert _facts("- s4/16 role transition\n- thought record left blank, not pushed\n- PHQ9 12").risk.status \
        == "not_documented"


# --- something other than the session cancelled --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "daughter cancelled grandson's bday visit; pt 'crushed'",
    "friend cancelled their trip at the last minute",
    "the cancellation of the wedding hit her hard",
])
def test_something_else_cancelled_is_not_a_missed_session(text: str) -> None:
    assert session_kind_cue(text, in_session_work=False) is None


@pytest.mark.parametrize("text", [
    "pt cancelled - unwell", "cancelled by text 9am", "cancelled her appt", "S5 cancelled", "late cancellation",
    "cancelled w/ 24h notice", "Cancelled.",
])
def test_the_session_cancelled_is_missed(text: str) -> None:
    assert session_kind_cue(text, in_session_work=False) == "missed"


# --- a method taken up in the next sentence ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Client came in wanting to work out what last night's dream meant. Should I go with it?",
    "She brought in a dream about her dad drowning. Should I explore that?",
])
def test_a_dream_the_next_sentence_takes_up_is_a_dream_request(text: str) -> None:
    assert "dream_interpretation" in _read(text).request.out_of_frame


@pytest.mark.parametrize("text", [
    "She told me she dreamt about her mum last week.",
    "Client keeps wanting to talk about her childhood. I don't really want to go down that road -- how do I redirect?",
    "She had a nightmare about the crash again, wanting to sleep with the light on",
])
def test_a_method_only_told_or_turned_down_is_no_request(text: str) -> None:
    assert not _read(text).request.out_of_frame


# --- probing about a risk is a question still to ask -------------------------------------------------------------------

def test_probing_about_dv_is_a_question_not_a_finding() -> None:
    r = _read("She says he has never touched her. Do I keep probing about DV?")
    assert not [s for s in r.signals.items if s.category == "ipv" and s.source == "lexicon" and s.present]


def test_a_probe_done_and_answered_no_is_a_denial() -> None:
    r = _read("probed re SI - denies")
    assert any(s.category == "suicidal_ideation" and s.assertion == "negated" for s in r.signals.items)


# --- a condition said to be supposed ------------------------------------------------------------------------------------

def test_a_hypothetical_threat_discussed_is_not_current() -> None:
    r = _read("Hypothetically discussed what she'd do if her brother's voices ever told him to hurt her")
    assert r.risk.level is None, (r.risk.level, r.risk.kinds)


def test_a_threat_with_its_own_condition_is_current() -> None:
    r = _read("her brother told her he'd hurt her if she ever tells anyone")
    assert r.risk.level is not None and "harm_to_others" in r.risk.kinds, (r.risk.level, r.risk.kinds)


# --- words quoted from a film or a song ----------------------------------------------------------------------------------

def test_words_quoted_from_a_film_are_the_films() -> None:
    r = _read("quoted 'I just want to disappear' from a film she watched w her daughter - laughing")
    assert r.risk.level is None, (r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "she said 'I just want to disappear' like in that film",
    "wants to die, she told me in the car on the way home from a film",
])
def test_the_clients_own_words_beside_a_film_are_hers(text: str) -> None:
    assert _read(text).risk.level == "risk"


# --- a change given as a ratio, or as a noun -------------------------------------------------------------------------

def test_halved_stands_when_the_score_halved() -> None:
    from assistant.notes.scales import change_supported

    assert change_supported("halved", "His PHQ score has halved since intake.", "phq 8 (from 16 at intake)")


def test_halved_is_unsupported_when_the_score_fell_less() -> None:
    from assistant.notes.scales import change_supported

    assert not change_supported("halved", "His PHQ score has halved since intake.", "phq 12 (from 16 at intake)")


@pytest.mark.parametrize(("earlier", "flagged"), [(12, False), (16, True)])
def test_a_marked_rise_stands_only_for_a_large_rise_in_the_score(earlier: int, flagged: bool) -> None:
    bullets = f"S12 - RD w/ son\nPHQ9 18 (was {earlier} s10)\nexplored what she wants from him"
    assert (("claim", "marked") in _flagged(_MARKED_DRAFT, bullets)) is flagged


# --- other physical acts against the client, in plain words --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "her husband burned her arm with an iron",
    "he dragged her by the hair across the kitchen",
    "DH bit her arm during the row",
])
def test_a_partners_physical_act_in_plain_words_is_partner_violence(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "ipv" in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", ["she burnt her toast again this morning", "Partner burns himself when they argue"])
def test_the_same_verbs_not_against_her_are_not_partner_violence(text: str) -> None:
    r = _read(text)
    assert "ipv" not in r.risk.kinds or r.risk.level != "risk", (text, r.risk.level, r.risk.kinds)


# --- the clinician's next step, contracted or promised -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["I'll check by phone tommorow", "agreed I'd write supporting letter", "we'll revisit the inventory"])
def test_the_clinicians_contracted_future_is_planned(text: str) -> None:
    from assistant.notes.kinds import planned

    assert planned(text)


@pytest.mark.parametrize("text", ["role-played what she'll say to her mum", "practised 'I'll call you back'", "said I'd been worried"])
def test_the_clients_future_in_rehearsal_is_work_done(text: str) -> None:
    from assistant.notes.kinds import planned

    assert not planned(text)
