"""Categories taken in round 44 (the last round's open misses, then the new writers' read halves), each with the control
that keeps the other reading: a parent's thoughts of an act against a child in the act's plain words; a partner's
violence named as theirs, and a relative's partner's as the relative's; a goodbye in writing to one's family, and one
to the dead as grief work; being past caring what becomes of oneself; fear of a partner with no act named as possible
risk; a screen's negative result restated in a parenthesis; and the rest of a relative's clause that keeps their
possessor ("Pt's son (22) ..."). In notes, the same through the bullets' risk status."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.drafting import draft_note
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _status(bullets: str) -> str:
    return draft_note(bullets, get_catalog(), None, format="soap").facts.risk.status


# --- thoughts of an act against a child, in the act's plain words -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "I've thought about putting a pillow over him, just so it stops",
    "keeps picturing holding him under the bath water",
    "images in her head of throwing the baby down the stairs, horrified by them",
    "pictures in her head of pressing a cushion over bubs face when he won't settle",
])
def test_thoughts_of_an_act_against_a_child_are_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and {"harm_to_others", "safeguarding"} <= set(r.risk.kinds), \
        (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "thinking about dropping him off at nursery early so she can rest",
    "loves picturing holding him when he was a newborn",
    "thought about throwing her a party for her first birthday",
])
def test_everyday_acts_with_the_same_verbs_are_not(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


def test_thoughts_of_an_act_against_a_child_asked_and_denied_are_denied() -> None:
    r = read_text("denies any thoughts of putting a pillow over the baby's face", catalog=get_catalog())
    assert r.risk.level is None


def test_a_mothers_thought_of_smothering_her_baby_is_documented_risk_in_the_note() -> None:
    bullets = "- s5/16, role transition\n- I've thought about putting a pillow over him, just so it stops\n- EPDS 17"
    assert _status(bullets) == "present"


# --- a partner's violence named as theirs -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Her husband's violence is getting worse",
    "the boyfriend's rages are worse since he lost his job",
    "Husband’s escalating violence",
])
def test_a_partners_violence_named_as_theirs_is_partner_violence(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "ipv" in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "Her sister's husband's violence is getting worse",
    "her friend's boyfriend's abuse has her worried",
])
def test_a_relatives_partners_violence_is_the_relatives(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


def test_a_partners_violence_is_documented_risk_in_the_note() -> None:
    assert _status("- s7/16\n- Her husband's violence is getting worse\n- PHQ-9 18") == "present"


def test_a_relatives_partners_violence_is_not_the_clients_in_the_note() -> None:
    assert _status("- s7/16\n- client's sister's husband's violence getting worse, client worried for her") \
        == "not_documented"


# --- a goodbye in writing ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "wrote goodbye letters to her kids",
    "has written farewell messages for each of the family and won't say why",
])
def test_a_goodbye_in_writing_to_the_family_is_a_warning_sign(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", [
    "grief work: goodbye letter to dad (d. 2023) read aloud in session",
    "mum died in March; wrote a goodbye letter to her mum as homework",
    "Is writing a goodbye letter to the person who died an IPT technique?",
])
def test_a_goodbye_letter_to_the_dead_is_grief_work(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


def test_goodbye_letters_to_the_kids_stay_a_sign_beside_a_death() -> None:
    r = _read("mum died in March; she has since written goodbye letters to both her kids")
    assert r.risk.level is not None


# --- past caring what becomes of oneself ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["she's past caring what becomes of her",
                                  "he's beyond caring what happens to him now, stopped eating"])
def test_past_caring_what_becomes_of_oneself_is_ideation(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "suicidal_ideation" in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text", ["past caring what the neighbours think",
                                  "she is past caring what happens to her son's old stuff"])
def test_past_caring_about_other_things_is_not(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None, (text, r.risk.level, r.risk.kinds)


# --- fear of a partner with no act named ------------------------------------------------------------------------------

def test_fear_of_a_partner_with_no_act_is_possible_risk_in_the_note() -> None:
    assert _status("- s5/16\n- walks on eggshells around partner re the return to work\n- PHQ-9 14") == "possible"


def test_fear_of_a_partner_beside_an_act_is_risk_in_the_note() -> None:
    bullets = "- s5/16\n- walks on eggshells around partner\n- he pushed her into the door last wk"
    assert _status(bullets) == "present"


# --- a screen's negative result restated ------------------------------------------------------------------------------

def test_a_screens_negative_result_restated_in_a_parenthesis_is_a_denial() -> None:
    bullets = "- Grp 4 of 10, grief group\n- C-SSRS screener at start of grp: negative (all no)\n- HW: one memory"
    assert _status(bullets) == "denied"


def test_a_screens_result_with_a_finding_in_the_parenthesis_is_not_a_denial() -> None:
    bullets = "- s4/16\n- C-SSRS screener at start: negative (but passive SI most nights)"
    assert _status(bullets) != "denied"


# --- a relative's clause keeps its possessor --------------------------------------------------------------------------

def test_a_relatives_belief_after_their_glossed_name_is_theirs() -> None:
    r = _read("Pt's son (22) stopped sleeping, thinks he's the messiah; pt exhausted caring for him.")
    assert r.risk.level is None, (r.risk.level, r.risk.kinds)


def test_the_clients_own_belief_is_still_hers() -> None:
    r = _read("Pt (22) stopped sleeping, thinks she's the messiah")
    assert r.risk.level is not None


# --- a pregnancy lost is a death for grief ----------------------------------------------------------------------------

def test_a_lost_pregnancy_is_a_death_for_grief() -> None:
    r = _read("Lost the pregnancy at 11 wks in Jan; DP has 'moved on', she hasn't; growing distance between them.")
    assert r.focal.primary == "grief", r.focal


def test_losing_the_pregnancy_weight_is_no_death() -> None:
    r = _read("she is losing the pregnancy weight slowly and feels better about going out")
    assert r.focal.primary != "grief", r.focal


# --- the session's work keeps what a dash adds to it ------------------------------------------------------------------

def _note(bullets: str):  # noqa: ANN202 - a Note
    return draft_note(bullets, get_catalog(), None, format="soap")


def test_the_sessions_work_keeps_what_a_dash_adds_to_it() -> None:
    note = _note("- s9/16, grief (dad d. Mar)\n- reviewed relationship w dad - good and not so good bits\n- HW: photo box")
    body = " ".join(note.text.split()).lower()
    assert "reviewed relationship w dad - good and not so good bits" in body
    assert "reviewed relationship w dad" not in note.sections.get("Plan", "").lower()


def test_risk_a_dash_adds_to_the_work_is_still_read_as_risk() -> None:
    note = _note("- s9/16, grief\n- explored the anniversary - passive SI most nights this wk")
    assert note.facts.risk.status == "present"
    assert "passive SI most nights" in note.sections.get("Assessment", "") + note.sections.get("Subjective", "") \
        + note.sections.get("Objective", "")


def test_a_plan_a_dash_adds_stays_in_the_plan() -> None:
    note = _note("- s9/16, grief\n- reviewed relationship w dad - continue next session")
    assert "continue next session" in note.sections.get("Plan", "").lower()


# --- a follow-up set a few days on is planned -------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["review in 3 days (phone)", "f/u call in a couple of days"])
def test_a_follow_up_set_a_few_days_on_is_in_the_plan(line: str) -> None:
    note = _note(f"- s6/16, role transition\n- explored loss of work identity\n- {line}")
    assert line.lower() in " ".join(note.sections.get("Plan", "").split()).lower(), note.sections


@pytest.mark.parametrize("line", ["reviewed in 3 days by the crisis team", "sleep improved in 3 wks"])
def test_a_follow_up_done_or_had_is_not_planned(line: str) -> None:
    note = _note(f"- s6/16, role transition\n- explored loss of work identity\n- {line}")
    assert line.lower() not in " ".join(note.sections.get("Plan", "").split()).lower(), note.sections


# --- a parent's thoughts of harming their baby get the perinatal steps ------------------------------------------------

def test_a_new_mothers_thoughts_of_harming_her_baby_get_the_perinatal_steps(assistant_offline) -> None:
    text = assistant_offline.ask("Session 5, role transition. 6 weeks postnatal, she told me today: I've thought about "
                                 "putting a pillow over him, just so it stops. What do I do next?").answer
    safety = text.split("## Safety first", 1)[1]
    assert "perinatal mental health team" in safety and "postpartum psychosis" in safety
    assert "duty-to-warn" not in safety and "police" not in safety
    assert "your baby" in safety  # the direct question is about the baby


def test_thoughts_of_harming_an_adult_keep_the_general_steps(assistant_offline) -> None:
    text = assistant_offline.ask("He says he has thoughts of stabbing his brother when they argue. Session 6, role "
                                 "dispute. What next?").answer
    safety = text.split("## Safety first", 1)[1]
    assert "duty-to-warn" in safety and "perinatal" not in safety


# --- the client's own role in a gloss after them ----------------------------------------------------------------------

def test_a_role_in_the_clients_gloss_is_the_client() -> None:
    from assistant.signals import analyse

    items = [s for s in analyse("Pt (mum of 3) says she has thoughts of ending it", reader=False).items
             if s.family == "risk"]
    assert items and all(s.assertion == "present" for s in items)


def test_a_relative_after_the_clients_gloss_is_still_the_relative() -> None:
    r = _read("Pt (F, 40) says her dad self-harms")
    assert r.risk.level is None
