"""Forms found in round 35 (the gaps left at the end of round 34, then phrasings of my own): risk stated in one part
of a sentence whose other part dates a life event ("lost his job in March and is now saying he wants to end it");
an injury in brackets after a denial that the meaning reads with near certainty though the risk gate is only close
("Denies SI/SH (a few scratches on her wrist from Tuesday)"); another person who speaks in the first person with a
name or a setting word beside the relation ("group member R disclosed 'I want to die'"). Each pair differs in the
one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


# --- risk in one part of a sentence, after a dated event ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "lost his job in March and is now saying he wants to end it",
    "Husband left in 2022 and since last month she's been saying she wants to be dead",
    "retired in the spring, and now talks about not wanting to wake up",
])
def test_risk_after_a_dated_life_event_is_current(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and r.risk.assertion == "present", (text, r.risk.kinds, r.risk.assertion)


@pytest.mark.parametrize("text", [
    "lost his job in March and her brother is now saying he wants to end it",
    "her brother lost his job in March and is now saying he wants to end it",
])
def test_the_same_words_of_someone_else_are_not_the_clients(text: str) -> None:
    assert _read(text).risk.level is None, text


def test_a_part_that_reads_no_risk_adds_none() -> None:
    assert _read("lost his job in March and is now looking for work in the evenings").risk.level is None


# --- an injury in brackets after a denial, read with near certainty -------------------------------------------------

@pytest.mark.parametrize("text", [
    "Denies SI/SH (a few scratches on her wrist from Tuesday)",
    "denies SH (new scratches on forearm since Sat)",
])
def test_an_injury_dated_lately_in_brackets_after_a_denial_is_present(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and "self_harm" in r.risk.kinds, (text, r.risk.assertion)


def test_a_bracket_with_an_old_scar_leaves_the_denial() -> None:
    assert _read("Denies SI/SH (old scars on her wrist from 2015)").risk.level is None


# --- another person speaking in the first person -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "group member R disclosed 'I want to die'",
    "her work colleague said 'I want to die'",
    "a colleague texted 'I can't do this anymore, I want to die'",
    "another member, Jo, said 'I've been cutting again'",
])
def test_another_persons_first_person_words_are_theirs(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "other_person", (text, r.risk.assertion)


@pytest.mark.parametrize("text", [
    "In group she disclosed 'I want to die'",
    "told her colleague 'I want to die'",
])
def test_the_clients_own_words_to_others_stay_hers(text: str) -> None:
    assert _read(text).risk.level == "risk", text


# --- a list of denied screens leaves the reader nothing to read past ------------------------------------------------

@pytest.mark.parametrize("text", [
    "SI -ve / HI -ve / no DV disclosed when seen alone",
    "SI neg, HI neg, SH neg - all asked directly",
])
def test_a_list_of_negative_screens_is_denied(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.assertion)


def test_a_denial_with_words_of_its_own_after_it_is_still_read() -> None:
    assert _read("denies SI/SH, said she's been feeling like a burden to everyone").risk.level is not None


# --- wanting in the negative, any form of the verb ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["she's not wanting to live anymore", "keeps talking about not wanting to wake up"])
def test_not_wanting_to_live_is_ideation(text: str) -> None:
    assert "suicidal_ideation" in _read(text).risk.kinds, text


@pytest.mark.parametrize("text", ["never wanted to live anywhere else", "she's not wanting to live with her mum now"])
def test_not_wanting_to_live_somewhere_is_not(text: str) -> None:
    assert _read(text).risk.level is None, text


# --- a fixed belief, an impostor ------------------------------------------------------------------------------------

def test_a_relative_replaced_by_an_impostor_is_psychosis() -> None:
    r = _read("fixed belief her husband is an impostor who 'looks exactly like him'")
    assert "psychosis" in r.risk.kinds and "psychosis" in r.stabilise_first


def test_feeling_like_an_impostor_is_not() -> None:
    r = _read("she has impostor syndrome at work and feels like an imposter")
    assert r.risk.level is None and not r.stabilise_first


# --- out of frame: the client's request, the clinician's own no -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Team suggested a mindfulness group for him; I'm declining for now and keeping to weekly IPT. Sound?",
    "Should I have her keep a log of her thoughts? Actually no - I'll ask about the week's interactions instead. "
    "But what if she brings one in anyway?",
    "Does the empty chair fit IPT? I'm guessing no, so role play it is.",
])
def test_the_clinicians_own_no_declines_the_method(text: str) -> None:
    assert _read(text).request.out_of_frame == [], text


def test_thinking_well_of_a_method_is_not_declining_it() -> None:
    assert "exposure" in _read("I think she'd benefit from exposure for the lifts - start next week?").request.out_of_frame


# --- a loss likened to a death --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "She was made redundant by email. She says it feels like a death. Grief?",
    "Youngest left for uni in Sept and she says the house is 'like a tomb'. Grief? transition?",
])
def test_a_loss_likened_to_a_death_is_not_grief(text: str) -> None:
    assert read_text(text, catalog=get_catalog()).focal.primary != "grief", text


def test_a_death_named_then_the_clinicians_question_is_grief() -> None:
    assert read_text("Her husband died in May. Grief?", catalog=get_catalog()).focal.primary == "grief"


# --- the notes: "(-)" before the items, a name given with its relation, an abbreviation glossed by a name -----------

def _status(bullets: str) -> str:
    from assistant.notes.drafting import draft_note

    return draft_note(bullets, get_catalog(), None, format="soap").facts.risk.status


@pytest.mark.parametrize("text, negated", [
    ("(-) SI/HI today", True), ("(-) SI", True), ("SI/HI (-)", True), ("SH (-) passive SI daily", False),
    ("(-) HI, (-) SI", True), ("SI (+), (-) HI", False), ("SH (-), passive SI daily", False),
])
def test_a_minus_in_brackets_opening_a_line_denies_what_follows(text: str, negated: bool) -> None:
    r = _read(text)
    assert (r.risk.level is None) is negated, (text, r.risk.level)


def test_a_friend_named_then_named_again_is_the_friend() -> None:
    bullets = ("- 6/12 role dispute w friend Becca\n- Becca 'always talking about killing herself' - pt worried\n"
               "- own: no thoughts of suicide\n- HW: tell Becca she can't call after 11pm")
    assert _status(bullets) == "denied"


def test_the_client_named_after_the_friend_keeps_her_risk() -> None:
    r = _read("friend Becca. Becca says pt has been talking about wanting to die")
    assert r.risk.level is not None and r.risk.assertion == "present"


@pytest.mark.parametrize("text", ["trip to HI (Hawaii) postponed - wife blames his work", "SH (Sarah Harris) joins group next wk"])
def test_an_abbreviation_glossed_by_a_name_is_not_a_risk_word(text: str) -> None:
    assert _read(text).risk.level is None, text


@pytest.mark.parametrize("text", ["SH (cut L arm Fri)", "HI (Towards ex) - says he'd 'sort him out'"])
def test_an_abbreviation_glossed_by_what_happened_is(text: str) -> None:
    assert _read(text).risk.level is not None, text


# --- the fact check: paragraphs as sections, a decision after a doubt, taking something up ------------------------

def _checked(bullets: str, draft: str, fmt: str):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format=fmt)


BULLETS = ("- s12/16 - grief (husband Ken, d. 14 mo ago)\n- joined walking grp at library, went twice\n- GDS 6 (was 9)\n"
           "- said 'tired of it all' - didn't want to talk abt it further, agreed to return to it nxt wk\n"
           "- plan: cont walking grp")


def test_one_paragraph_per_section_is_checked_not_replaced() -> None:
    draft = ("Session 12 of 16, grief after the death of her husband Ken 14 months ago. GDS 6, down from 9.\n\n"
             "She has started attending a walking group at the library and has been twice.\n\n"
             "She will continue with the walking group.")
    note = _checked(BULLETS, draft, "dap")
    assert note.mode == "llm" and not note.has_flag("fallback_offline")
    assert not [f for f in note.flags if f.code == "unsupported_claim"], note.flags
    four = draft + "\n\nShe also plans to move house."
    assert _checked(BULLETS, four, "dap").mode == "offline"  # four paragraphs for three sections: not guessed


def test_a_task_decided_after_a_doubt_is_supported_and_one_left_open_is_not() -> None:
    decided = BULLETS + "\n- letter to sister: didn't want to at first, agreed to write it this wk"
    draft = ("**Data**\nSession 12 of 16. GDS 6, down from 9.\n**Assessment**\nGrief after Ken's death.\n"
             "**Plan**\nShe agreed to write the letter to her sister this week.")
    assert not [f for f in _checked(decided, draft, "dap").flags if f.code == "unsupported_claim"]
    undecided = BULLETS + "\n- letter to sister: didn't want to at first, will think about writing it"
    assert [f for f in _checked(undecided, draft, "dap").flags if f.code == "unsupported_claim"]


# --- the group format, not another group ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, group", [
    ("Team suggested a mindfulness group for him; I'm declining for now", False),
    ("he says the group chat would be shocked at what he's planned", False),
    ("she feels terrified when her old friendship group is around", False),
    ("In group today she said the others really get her", True),
    ("her friendship group and the IPT group both help", True),
])
def test_the_group_format_is_not_another_kind_of_group(text: str, group: bool) -> None:
    assert ("group" in _read(text).request.adaptations) is group, text

