"""Paraphrases a clinician signs are kept, and the one-fact variant beside each is still caught: section
labels written inline, day names and shorthand spelled out, a client's words with glue shorthand written
out, the bullets' own risk grade framed, a focus named in a list or proposed but not yet taken up. Whose
act harm to others or a safeguarding concern is (the client's, or between other people)."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.drafting import check_sections
from assistant.notes.parse import parse_bullets
from assistant.notes.sanitise import sanitise
from assistant.signals import read_text
from assistant.signals.coref import aimed_at_client


def _flags(draft: str, bullets: str) -> list[str]:
    """The fact check as a model draft gets it: with the bullets' clauses and focal status."""
    facts = parse_bullets(bullets, get_catalog())
    return [p.span for p in check_sections({"Subjective": draft}, facts, bullets, get_catalog())]


SECTIONS = ("Subjective", "Objective", "Assessment", "Plan")


def test_a_section_label_with_its_text_on_the_same_line_is_a_heading() -> None:
    text, removed = sanitise("**Subjective:** Client is 28 weeks pregnant.\n**Objective:** EPDS 14.\n"
                             "**Assessment:** Transition.\n## Plan: review in 2 weeks", SECTIONS)
    assert removed == []
    assert "**Subjective**\nClient is 28 weeks pregnant." in text
    assert "**Plan**\nreview in 2 weeks" in text


def test_an_inline_label_the_format_lacks_is_not_made_a_heading() -> None:
    text, _ = sanitise("**Subjective**\nok\n**Note:** the client asked for a letter.", SECTIONS)
    assert "**Note:** the client asked for a letter." in text


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ("- partner now does 2am feed Sat/Sun", "Her partner now does the 2am feed on Saturdays and Sundays.", False),
    ("- partner now does 2am feed Sat/Sun", "Her partner now does the 2am feed on Saturdays and Wednesdays.", True),
    ("- she wants Pete to do Tue/Thu visits", "She wants Pete to do the Tuesday and Thursday visits.", False),
])
def test_day_names_in_shorthand_may_be_written_out(bullets: str, sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, bullets)) is flagged


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ('- said she\'s "been busy w kids", wants to continue', 'She said she has "been busy with kids."', False),
    ('- college started Mon, "oldest by 20 yrs"', 'He described himself as the "oldest by 20 years."', False),
    ('- college started Mon, "oldest by 20 yrs"', 'He described himself as the "oldest by 30 years."', True),
    ('- said she\'s "been busy w kids"', 'She said she has "been busy with work."', True),
])
def test_a_quote_may_spell_out_glue_shorthand_but_not_change_a_word(bullets: str, sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, bullets)) is flagged


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ("- s8 RT, 41F, MS dx 6 mo ago", "A 41-year-old woman with multiple sclerosis diagnosed six months ago.", False),
    ("- s8 RT, 41F, MS dx 6 mo ago", "A 41-year-old woman with diabetes diagnosed six months ago.", True),
])
def test_age_sex_and_condition_shorthand_may_be_spelled_out(bullets: str, sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, bullets)) is flagged


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ("- s6 grief\n- risk: low, no SI", "Risk assessed as low.", False),
    ("- s6 grief\n- no SI", "Risk assessed as low.", True),
    ("- s6 grief\n- risk: low, no SI", "Risk assessed as minimal.", True),
    ("- cut L forearm last wk; no SI\n- safety plan updated: remove blades", "The updated safety plan remains in place.", False),
    ("- cut L forearm last wk; no SI", "Safeguards remain in place.", True),
])
def test_framing_the_bullets_own_risk_grade_is_not_a_new_grade(bullets: str, sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, bullets)) is flagged


def test_a_dispute_the_bullets_name_in_shorthand_is_not_an_invented_focus() -> None:
    bullets = "- s5 PP, baby 4 mo, RT + some RD w partner re night feeds"
    assert _flags("The focus is role transition, with some dispute with her partner over night feeds.", bullets) == []
    assert _flags("The focus is role transition, with some grief over night feeds.", bullets)


@pytest.mark.parametrize("bullets,area,status", [
    ("- s3, 28 wks pregnant (1st), RT to motherhood, focus agreed today", "role_transition", "agreed"),
    ("- s6/12 - focus interpers deficits (agreed s3)", "interpersonal_deficits", "agreed"),
    ("- #8. row w/ sister at christening, sister = our focus (dispute)", "role_dispute", "agreed"),
    ("- focus agreed: transition (MS dx)", "role_transition", "agreed"),
    ("- floated role transition as focus, he wants to think abt it", "role_transition", "tentative"),
    ("- proposed grief as focus; she's unsure, will decide nxt wk", "grief", "tentative"),
    ("- suggested RT as focus, she agreed", "role_transition", "agreed"),
    ("- s3/16, grief vs RT - focus still tentative, leaning grief", "grief", "tentative"),
])
def test_the_focus_named_in_a_list_or_proposed(bullets: str, area: str, status: str) -> None:
    f = parse_bullets(bullets, get_catalog())
    assert (f.focal_area, f.focal_status) == (area, status)


def test_a_tentative_focus_with_no_statement_of_its_own_is_still_a_sentence() -> None:
    from assistant.notes.drafting import draft_note

    note = draft_note("- s3/16, grief vs RT (retired same month his wife died) - focus still tentative, leaning grief\n"
                      "- timeline of loss started", get_catalog(), None, format="soap")
    assert "None" not in note.text and "not yet agreed" in note.text


@pytest.mark.parametrize("clause,mods,ours", [
    ("dad of cl (16) threatened to 'break her legs' if she sees her boyfriend", ("other_person:dad",), True),
    ("partner hits the kids when drunk", ("other_person:partner",), True),
    ("older son (15) hits younger (8) regularly", ("other_person:son",), True),
    ("pt's colleague made threats vs manager - pt reported it", ("other_person:colleague",), False),
    ("her brother threatened their dad with a knife at Sunday lunch", ("other_person:brother",), False),
    ("Her older brother threatened their mum", ("other_person:brother (pronoun)",), True),
])
def test_a_relatives_act_is_the_clients_risk_when_aimed_at_the_client_or_a_child(clause: str, mods: tuple[str, ...],
                                                                                  ours: bool) -> None:
    assert aimed_at_client(clause, mods) is ours


@pytest.mark.parametrize("text,current", [
    ("Pt's son (24) has a knife and has threatened his father; pt frightened for husband.", False),
    ("US: my client's coworker made threats about bringing a gun to work and was fired.", False),
    ("dad of cl (16) threatened to 'break her legs' if she sees her boyfriend again", True),
    ("pt's new partner has a conviction for offences against children; he's moved in with pt and her 2 girls", True),
])
def test_harm_between_other_people_is_not_the_clients_current_risk(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current


@pytest.mark.parametrize("bullets,kind", [
    ("- Joint (w husband M) s8/16, focus role dispute (agreed)\n- both deny any violence", "joint"),
    ("- s5 RD, plan joint session w husband next wk", "regular"),
    ("- knee joint pain, s4 RT", "regular"),
    ("- Assmt/S1\n- PHQ-9 25\n- IPT deferred til more settled", "non_ipt"),
    ("- s2 RT\n- IPT to start next wk once focus agreed", "regular"),
])
def test_a_joint_session_in_brackets_and_ipt_set_aside(bullets: str, kind: str) -> None:
    assert parse_bullets(bullets, get_catalog()).session_kind == kind


@pytest.mark.parametrize("bullets,session", [
    ("- 2nd sess. Retired from teaching in June", 2),
    ("- 3rd appt. flatmate conflict keeps coming up", 3),
    ("- IPT-G wk 6/12\n- K disclosed in group she cut last night", 6),
    ("- 1st time she cried in session, RT", None),
])
def test_the_session_by_its_ordinal_or_after_the_programme(bullets: str, session: int | None) -> None:
    assert parse_bullets(bullets, get_catalog()).session == session


def test_work_deferred_is_not_a_risk_check_left_undone() -> None:
    f = parse_bullets("- s6 grief, PHQ-9 14\n- role play with sister deferred to next week", get_catalog())
    assert f.risk.status == "not_documented"
    assert parse_bullets("- s6 grief\n- risk assessment deferred, ran out of time", get_catalog()).risk.status == \
        "not_assessed"


# IPT's own words are not another method read by meaning below the sure level (notes/risk.py, FRAME_SURE);
# a method named is still non-IPT work. The pair differs in the work done.
@pytest.mark.parametrize("work,kind", [
    ("Cutting back on sugar, walking every day.", "regular"),  # the client's own change, not activity scheduling
    ("set a daily activity schedule: walk 10am, call sister 2pm", "non_ipt"),
    ("did a thought record on the running club: evidence for and against 'they'll reject me'", "non_ipt"),
])
def test_ipt_words_are_not_read_as_another_method(work: str, kind: str) -> None:
    assert parse_bullets(f"- IPT session 9/16 (ID)\n- {work}\n- PHQ-9 19", get_catalog()).session_kind == kind
