"""Issue 9: notes by clause, prose by section, and a fact check of claims.

Parsing: every clause of the bullets goes to exactly one field and is represented in the note; the
session's kind, the focal area's status, measures, and done vs planned are read. Rendering: nothing the
template says goes beyond the facts (no IPT phase for a missed session, no crisis protocol for a
negative screen, a tentative focus is not written as agreed). Fact check: sentences and headings, after
Unicode normalisation, stand only when the bullets support them; risk the bullets document survives in
their words; model markdown is sanitised.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant import Assistant
from assistant.notes.factcheck import find_unsupported
from assistant.notes.parse import parse_bullets
from assistant.notes.render import FORMAT_SECTIONS
from assistant.notes.sanitise import sanitise
from assistant.testing.fake_model import ScriptedModel
FIXTURE_FILE = Path(__file__).resolve().parent / "fixtures" / "notes.yaml"

FIXTURES: list[dict[str, Any]] = yaml.safe_load(FIXTURE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def a() -> Assistant:
    return Assistant(offline=True)


def _in(clause: str, text: str) -> bool:
    return clause in text or clause[:1].upper() + clause[1:] in text


def _unlabelled(clause: str) -> str:
    return re.sub(r"^\s*(?:hw|homework|task|plan|goals?|next(?:\s+session)?|nxt|p|f/u)\s*(?:[:\-–—=>]|→)\s*", "",
                  clause, flags=re.I)


# -- parsing: every clause in one place ---------------------------------------------------------------
@pytest.mark.parametrize("fx", [pytest.param(fx, id=fx["id"]) for fx in FIXTURES])
def test_every_clause_is_in_the_note_once(fx: dict[str, Any], a: Assistant) -> None:
    note = a.draft_note(fx["bullets"], format=fx["format"], session=fx.get("session"),
                        total_sessions=fx.get("of"), focal_area=fx.get("focus"))
    f = note.facts
    assert f.clauses, "no clauses recorded"
    joined = " ".join(b for b in f.bullets)
    for clause, field in f.clauses:
        assert clause in joined, f"clause not verbatim: {clause!r}"
        if field == "frame":
            continue  # a bare session/focus statement: the frame line states it (checked below)
        text = clause if field == "risk" else _unlabelled(clause)
        holders = [name for name, body in note.sections.items() if _in(text, body)]
        assert holders, f"clause dropped ({field}): {clause!r}\n{note.text}"
        if field == "risk":  # the plan may echo the safety-plan status as a prompt; the risk lines sit in one place
            holders = [h for h in holders if h != "Plan"]
        assert len(holders) == 1, f"clause in {holders}: {clause!r}"
    if f.session is not None and f.session_kind != "missed":
        assert f"session {f.session}" in note.text.lower()


def test_clauses_split_at_semicolons_and_kinds_but_keep_tasks_whole(a: Assistant) -> None:
    f = parse_bullets("- s6/16, argued with Mark on Sunday; she went silent\n"
                      "- passive SI this week, no plan, safety plan reviewed, PHQ-9 15 (was 18)\n"
                      "- HW: tell Mark one thing she needs, calmly\n", a.catalog)
    texts = [c for c, _ in f.clauses]
    assert "she went silent" in texts and "argued with Mark on Sunday" in texts
    assert "HW: tell Mark one thing she needs, calmly" in texts
    assert ("passive SI this week, no plan, safety plan reviewed", "risk") in f.clauses
    assert f.measures == ["PHQ-9 15 (was 18)"]
    # "no" of "no plan" does not reach across the comma to the safety plan
    assert f.risk.status == "present" and f.risk.safety_plan_reviewed is True


def test_session_as_a_bare_fraction_at_the_start_of_a_line(a: Assistant) -> None:
    f = parse_bullets("- 9/16 pt tearful re mum\n- bereaved 6/12 ago\n", a.catalog)
    assert (f.session, f.total_sessions) == (9, 16)
    g = parse_bullets("- 6/12 postpartum, low mood\n", a.catalog)
    assert g.session is None


def test_a_name_that_is_a_word_is_not_a_future_tense(a: Assistant) -> None:
    f = parse_bullets("- s5/16 role dispute w/ partner Will\n- Will called his sister after the row\n"
                      "- comm analysis of the row\n", a.catalog)
    assert f.tasks == [] and f.interventions_planned == [] and f.plan == []
    assert ("Will called his sister after the row", "tasks") not in f.clauses


def test_a_scale_name_is_not_a_technique(a: Assistant) -> None:
    f = parse_bullets("- s4/16\n- BDI-II 24\n- thought record for the argument (CBT)\n", a.catalog)
    assert "interpersonal_inventory" not in f.techniques
    assert f.measures == ["BDI-II 24"]


# -- session kinds --------------------------------------------------------------------------------
def test_missed_session_gets_no_phase_and_no_intervention(a: Assistant) -> None:
    note = a.draft_note("- s9/16 - DNA\n- no call; texted, no reply\n- plan: send DNA letter, offer Tues slot\n",
                        format="dap")
    f = note.facts
    assert f.session_kind == "missed" and f.phase is None
    low = note.text.lower()
    assert "phase" not in low and "ipt interventions used" not in low and "ipt session" not in low
    assert "session 9 of 16 not held" in low
    assert note.has_flag("session_not_held") and not note.has_flag("no_interpersonal_task")


def test_non_ipt_work_is_stated_not_presented_as_ipt(a: Assistant) -> None:
    note = a.draft_note("- s7/16 role transition\n- EMDR processing of the crash memory today, not IPT\n"
                        "- SUDS 7 to 3\n- denies SI\n", format="birp")
    assert note.facts.session_kind == "non_ipt"
    assert note.has_flag("non_ipt_content")
    assert "phase" not in note.text.lower()
    assert "Work outside IPT, as documented: EMDR processing of the crash memory today" in note.sections["Intervention"]


@pytest.mark.parametrize("bullets,kind", [
    ("- s8/16, joint session with husband\n- comm analysis of the Sunday row\n", "joint"),
    ("- IPT-G session 5 of 12 (7 members)\n- shared her loss\n", "group"),
    ("- s8/16 role dispute\n- comm analysis of the Sunday row\n- pt asked about CBT; explained not IPT\n", "regular"),
    # the session's number with its fate on either side, and a cancelling call
    ("- missed sess 7 of 12\n- left a message, offered Thurs\n", "missed"),
    ("- S10/16 cancelled - she phoned in the morning\n- rebooked\n", "missed"),
    ("- client emailed to cancel, unwell\n- next appt Tues\n", "missed"),
    ("- s5/16 role dispute\n- S5: missed the bus, arrived 15 min late\n- comm analysis of the row\n", "regular"),
    # joint before the session's number; non-IPT as the session's label; work done at the client's request
    ("- joint s9 with partner (Ali)\n- each described the last row\n", "joint"),
    ("- session 6 - non-IPT: housing forms all session\n- IPT (grief) resumes s7\n", "non_ipt"),
    ("- s6/16 grief\n- sleep hygiene at his request, whole session\n", "non_ipt"),
    ("- s6/16 grief\n- pt requested sleep hygiene - explained IPT focus first\n", "regular"),
])
def test_session_kind(bullets: str, kind: str, a: Assistant) -> None:
    assert parse_bullets(bullets, a.catalog).session_kind == kind


# -- focal status, done vs planned, template text driven by facts ---------------------------------------
def test_tentative_focus_is_not_written_as_agreed(a: Assistant) -> None:
    note = a.draft_note("- s2/16 assessment\n- ?grief vs role transition, to confirm next wk\n- inventory begun\n",
                        format="soap")
    f = note.facts
    assert f.focal_status == "tentative"
    assert note.has_flag("focal_area_tentative")
    assert "not yet agreed" in note.text and "Work continues in the focal area" not in note.text
    assert "Focal area identified" not in note.text


def test_planned_step_goes_to_the_plan_not_done(a: Assistant) -> None:
    note = a.draft_note("- s6/16 role dispute w/ wife\n- comm analysis of the fight\n- role play next session\n"
                        "- denies SI\n", format="soap")
    assert note.facts.interventions_planned == ["role play next session"]
    assert "role_play" not in note.facts.techniques
    assert "role play next session" in note.sections["Plan"].lower()
    assert "role play" not in note.sections["Objective"].lower()


@pytest.mark.parametrize("line", ["home visit planned for Thurs with the duty team",
                                  "if no reply by Mon, discharge letter per policy",
                                  "GP to be contacted if she doesn't respond to the text"])
def test_a_step_that_waits_on_something_goes_to_the_plan(a: Assistant, line: str) -> None:
    note = a.draft_note("- s7/16 DNA, no contact\n- rang twice, VM left\n- " + line + "\n", format="soap")
    assert line.split()[0].lower() in note.sections["Plan"].lower(), note.sections
    assert line.split()[0].lower() not in note.sections["Objective"].lower()


def test_a_session_held_as_planned_is_not_a_plan(a: Assistant) -> None:
    assert parse_bullets("- s8/16, joint w/ wife (planned)\n- CA of the row\n", a.catalog).session_kind == "joint"


@pytest.mark.parametrize("line", ["decision analysis postponed to s9", "role play deferred as pt tired",
                                  "comm analysis put off until next time", "comm analysis parked until s10"])
def test_a_postponed_step_is_not_claimed_as_used(a: Assistant, line: str) -> None:
    note = a.draft_note(f"- s7/16 role dispute w/ sister\n- explored the Xmas row\n- {line}\n- PHQ-9 14\n", format="soap")
    assert note.facts.interventions_planned == [line]
    assert line in note.sections["Plan"]
    for tid in ("decision_analysis", "role_play", "communication_analysis"):
        assert tid not in note.facts.techniques


def test_ipt_postponed_for_other_work_is_still_non_ipt(a: Assistant) -> None:
    note = a.draft_note("- s5/16\n- IPT postponed - whole session on housing crisis\n- PHQ-9 19\n", format="dap")
    assert note.facts.session_kind == "non_ipt"


def test_a_second_statement_of_the_focus_keeps_its_words(a: Assistant) -> None:
    # the first mention says more and goes to its own field; the later "agreed focus: RT" is the frame line's words
    note = a.draft_note("- IPT s4/16 - RT, retired in June after 30 yrs at the council, misses the team\n"
                        "- agreed focus: RT\n- PHQ-9 13\n", format="dap")
    assert note.facts.focal_area == "role_transition"
    assert "agreed focus: RT" in note.text


def test_negative_screen_gets_no_crisis_protocol(a: Assistant) -> None:
    note = a.draft_note("- s6/16 grief\n- explored anger at dad\n- SI screen neg\n", format="soap")
    assert note.facts.risk.status == "denied"
    low = note.text.lower()
    assert "crisis" not in low and "risk documented" not in low and "safety first" not in low


def test_present_risk_prompts_the_clinician(a: Assistant) -> None:
    note = a.draft_note("- s6/16 grief\n- active SI w/ plan to overdose, has pills at home\n", format="dap")
    plan = note.sections["Plan"]
    assert note.facts.risk.status == "present"
    assert plan.startswith("Safety first: clinician to follow up")


@pytest.mark.parametrize("bullets,status", [
    ("- SI not asked - dad present\n", "not_assessed"),
    ("- risk assessment deferred to s3, pt too distressed\n", "not_assessed"),
    ("- ?passive SI - pt laughed it off\n", "possible"),
    ("- per husband, pt said we'd all be better off without her\n", "possible"),
    ("- physio for SI joint pain ran over\n- no SI/HI\n", "denied"),
    # an assessment of risk set for later is not one done today
    ("- safety qs next session when partner not in the room\n", "not_assessed"),
    ("- will screen for SH at s6\n- comm analysis of the row\n", "not_assessed"),
    # a feeling "to death" and "dying for" something are idioms; sick of living is not masked
    ("- worried to death about the hearing\n- dying for a night's sleep\n", "not_documented"),
    ("- scared to death of her husband when he drinks\n", "present"),  # a fear of someone is not the idiom
    # a denial dated to an earlier session does not answer for a session where risk was not asked
    ("- risk not reviewed today (ran late)\n- previous session: denied SI\n", "not_assessed"),
    ("- denied SI at s3\n- SI not revisited today\n", "not_assessed"),
    ("- denied SI\n", "denied"),
])
def test_risk_status_forms(bullets: str, status: str, a: Assistant) -> None:
    assert parse_bullets("- s5/16 role dispute\n" + bullets, a.catalog).risk.status == status


def test_given_values_that_disagree_with_the_bullets_raise_a_conflict(a: Assistant) -> None:
    note = a.draft_note("- s6/16 grief (mum)\n- explored guilt\n- denies SI\n", format="dap", session=7,
                        focal_area="role_dispute")
    msgs = [f.message for f in note.flags if f.code == "conflict"]
    assert any("session 7 was given but the bullets say session 6" in m for m in msgs)
    assert any("focal area role dispute was given but the bullets state grief" in m for m in msgs)
    same = a.draft_note("- s6/16 grief (mum)\n- explored guilt\n- denies SI\n", format="dap", session=6)
    assert not same.has_flag("conflict")


# -- the claim-level fact check ---------------------------------------------------------------------
BULLETS = """- s7/16 role dispute w/ husband (agreed)
- passive SI this wk, no plan or intent; safety plan reviewed
- comm analysis of the row about money
- PHQ-9 16
- HW: ask husband for 20 min to talk on Sunday
"""
DRAFT = """## Data
Session 7 of 16; the agreed focus is the role dispute with her husband. Communication analysis of the row about money was completed. PHQ-9 was 16. She reported passive suicidal ideation this week, with no plan or intent, and the safety plan was reviewed.

## Assessment
{assessment}

## Plan
Homework: ask her husband for 20 minutes to talk on Sunday.
"""


def _draft(assessment: str, a: Assistant):
    from assistant.notes.drafting import draft_note

    return draft_note(BULLETS, a.catalog, ScriptedModel(replies=[DRAFT.format(assessment=assessment)]), format="dap")


def test_a_faithful_paraphrase_is_kept(a: Assistant) -> None:
    note = _draft("The dispute is being worked on through communication analysis.", a)
    assert note.mode == "llm", [f.span for f in note.flags]
    assert not note.has_flag("unsupported_claim")


@pytest.mark.parametrize("planted", [
    "Her husband visited his mother at the weekend, which upset her.",  # event
    "She has a past history of an eating disorder in her teens.",  # history
    "She reports feeling much calmer since last session.",  # improvement in words
    "She has been drinking wine most evenings.",  # substance
    "She also had an argument with her landlord about the rent.",  # event with a new person
    "The passive ideation has settled and risk is now low.",  # risk minimised and graded
    "The dark thoughts have passed and are no longer a worry.",  # risk resolved, paraphrased
])
def test_planted_inventions_are_removed(planted: str, a: Assistant) -> None:
    note = _draft("The dispute is being worked on through communication analysis. " + planted, a)
    assert planted not in note.text, note.text
    assert note.has_flag("unsupported_claim")
    # documented risk always appears, in the bullets' words
    assert "passive SI this wk, no plan or intent" in note.text


def test_lookalike_letters_and_zero_width_do_not_hide_a_risk_grade(a: Assistant) -> None:
    planted = "Suicide r\u0456sk is l\u200bow."  # Cyrillic i, zero-width space
    problems = find_unsupported(DRAFT.format(assessment=planted), BULLETS, a.catalog,
                                clauses=[c for c, _ in parse_bullets(BULLETS, a.catalog).clauses])
    assert any(p.sentence == planted for p in problems), problems


def test_heading_text_is_checked(a: Assistant) -> None:
    draft = DRAFT.format(assessment="Work on the dispute continues.").replace(
        "## Plan", "## Plan after her overdose in March")
    problems = find_unsupported(draft, BULLETS, a.catalog,
                                clauses=[c for c, _ in parse_bullets(BULLETS, a.catalog).clauses])
    assert any("overdose" in p.sentence for p in problems)


def test_model_markdown_is_sanitised() -> None:
    text = ("## Data\nSee ![scan](https://evil.example/x.png) and [the guide](https://evil.example/g) "
            "<b>now</b><script>alert(1)</script>.\n## Extra thoughts\nA section of its own.\n"
            "## Assessment\nOk.\n## Plan\nNext week. Visit www.example.com\n")
    clean, removed = sanitise(text, FORMAT_SECTIONS["dap"])
    assert "http" not in clean and "www." not in clean and "<" not in clean and "![" not in clean
    assert "Extra thoughts" not in clean and "A section of its own" not in clean
    assert "the guide" in clean and "now" in clean
    assert set(removed) == {"html", "image", "link", "section"}


def test_sanitised_draft_is_flagged(a: Assistant) -> None:
    from assistant.notes.drafting import draft_note

    draft = DRAFT.format(assessment="Work on the dispute continues.") + "\n## Sources\n[1](https://x.example)\n"
    note = draft_note(BULLETS, a.catalog, ScriptedModel(replies=[draft]), format="dap")
    assert note.has_flag("markdown_sanitised")
    assert "Sources" not in note.text and "x.example" not in note.text


# -- the optional entailment judge ------------------------------------------------------------------
def test_judge_removes_the_sentences_it_finds_unsupported(a: Assistant) -> None:
    from assistant.notes.drafting import draft_note

    kept = "The dispute is being worked on through communication analysis."
    judge = ScriptedModel(name="judge", replies=['{"unsupported": [5], "reason": "x"}'])
    note = draft_note(BULLETS, a.catalog, ScriptedModel(replies=[DRAFT.format(assessment=kept)]), format="dap",
                      judge=judge)
    numbered = judge.last_user
    fifth = next(line for line in numbered.splitlines() if line.startswith("5. "))[3:]
    assert fifth not in note.text and "claim (judge)" in " ".join(f.message for f in note.flags)
    assert "- s7/16 role dispute w/ husband (agreed)" in numbered  # the judge sees the bullets


def test_a_failing_judge_leaves_the_code_check_standing(a: Assistant) -> None:
    from assistant.errors import EndpointError
    from assistant.notes.drafting import draft_note

    judge = ScriptedModel(name="judge", replies=[EndpointError("judge down", kind="connection")])
    note = draft_note(BULLETS, a.catalog, ScriptedModel(replies=[DRAFT.format(assessment="Work continues.")]),
                      format="dap", judge=judge)
    assert note.mode == "llm" and note.has_flag("judge_error")
    bad = draft_note(BULLETS, a.catalog, ScriptedModel(replies=[DRAFT.format(assessment="Work continues.")]),
                     format="dap", judge=ScriptedModel(name="judge", replies=["I think it is fine."]))
    assert bad.has_flag("judge_error")


def test_chat_session_and_focus_that_contradict_the_bullets_raise_a_conflict() -> None:
    import io
    import json

    from assistant.chat import run_chat
    from assistant.config import Settings

    stdin = io.StringIO("/session 7\n/focus role_dispute\n/note\n- s6/16 grief (mum)\n- explored guilt\n"
                        "- denies SI\n\n/quit\n")
    out = io.StringIO()
    assert run_chat(Settings(offline=True), as_json=True, stdin=stdin, stdout=out) == 0
    notes = [json.loads(x)["note"] for x in out.getvalue().splitlines() if json.loads(x).get("kind") == "note"]
    assert len(notes) == 1
    conflicts = [f["message"] for f in notes[0]["flags"] if f["code"] == "conflict"]
    assert any("session 7 was given but the bullets say session 6" in c for c in conflicts)
    assert any("bullets state grief" in c for c in conflicts)


def test_the_fact_check_is_safe_across_threads(a: Assistant) -> None:
    """Eval workers check drafts in parallel threads: the stemmer must not share state between them."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.notes.claims import content_stems

    texts = [f"She reported arguing repeatedly with her manager about {w} and feeling undermined" for w in
             ("rotas", "holidays", "overtime", "training", "appraisals", "deadlines", "meetings", "emails")] * 100
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(content_stems, texts))
    assert all(r == content_stems(t) for r, t in zip(results, texts))


@pytest.mark.parametrize("bullet", ["nxt wk: cont. mourning the lost role / work identity",
                                    "reviewed sleep, incl. early waking and naps",
                                    "s6/16 grief, mum d. Feb", "husband d. 8mo ago (MI)"])
def test_a_shortening_with_a_point_does_not_end_the_clause(bullet: str) -> None:
    from assistant.notes.clauses import _sentence_pieces

    assert _sentence_pieces(bullet) == [bullet]
    assert len(_sentence_pieces("SI denied. cont. grief work")) == 2  # a real sentence end still splits


@pytest.mark.parametrize("fmt", ["soap", "dap", "birp", "girp"])
def test_a_goal_line_is_in_the_note_in_every_format(fmt: str, a: Assistant) -> None:
    from assistant.notes.drafting import draft_note

    note = draft_note("- uni counselling s5/8\n- ID focus (agreed)\n- goal: sit w/ classmates at next lecture",
                      a.catalog, None, format=fmt)
    assert "sit w/ classmates at next lecture" in note.text  # BIRP, with no goals section, had dropped it


def test_a_next_line_in_shorthand_goes_to_the_plan(a: Assistant) -> None:
    from assistant.notes.drafting import draft_note

    note = draft_note("- S4/16. Grief focus (mother d. Aug)\n- reconstructed last months w/ mum\n"
                      "- nxt: explore ambivalence, who else knew mum", a.catalog, None, format="soap")
    assert "explore ambivalence" in note.sections["Plan"].lower()
    assert "ambivalence" not in note.sections["Subjective"].lower()  # not written as the client's report


def test_a_focus_statement_keeps_the_clinicians_words(a: Assistant) -> None:
    f = parse_bullets("- S4/12, grief focus. Son died 2yrs ago", a.catalog)
    assert (f.focal_area, f.focal_status, f.focal_statement) == ("grief", "agreed", "grief focus")
    assert parse_bullets("- S4/12, grief\n- son died 2yrs ago", a.catalog).focal_statement is None


@pytest.mark.parametrize("line", ["to review with supervisor", "rebook extra 30 min before final session", "revisit"])
def test_a_step_still_to_come_goes_to_the_plan(line: str, a: Assistant) -> None:
    f = parse_bullets(f"- s7/16 RD w/ partner\n- {line}", a.catalog)
    assert (line, "plan") in f.clauses


@pytest.mark.parametrize("bullet", ["asked about SI - denies", "asked re self-harm - never", "SI/HI - neg"])
def test_a_question_and_its_answer_stay_one_clause(bullet: str) -> None:
    from assistant.notes.clauses import split_clauses

    assert [c.text for c in split_clauses([bullet], lambda part: "text")] == [bullet]


@pytest.mark.parametrize("bullets,area", [
    # the focus shorthand after the client's age and sex is the focus, as after a session mention
    ("- s8/16 pt 30F RT (new mom 5mo + back to work)\n- EPDS 11", "role_transition"),
    ("- joint w/ pt's wife s7/16 -- pt 60M RT post-stroke\n- PHQ-9 16", "role_transition"),
    ("- s4/16 44 F RD w/ sister over mum's care", "role_dispute"),
])
def test_focus_shorthand_after_age_and_sex_is_agreed(bullets: str, area: str, a: Assistant) -> None:
    facts = parse_bullets(bullets, a.catalog)
    assert (facts.focal_area, facts.focal_status) == (area, "agreed")


@pytest.mark.parametrize("bullets,kind", [
    ("- cx 24h notice - pt's mom in hosp\n- s7 moved to next fri\n- no clinical contact", "missed"),
    ("- canx'd by pt this am, rebooked for Thurs", "missed"),
    ("- s5/16 RT, cx of last wk's sess discussed\n- worked on new role", "regular"),
])
def test_a_cancellation_in_shorthand(bullets: str, kind: str, a: Assistant) -> None:
    assert parse_bullets(bullets, a.catalog).session_kind == kind


@pytest.mark.parametrize("bullets,area,status", [
    # the focus stated after the session, with the course length in brackets or the therapy's name between
    ("- S7 (16) transition to retirement, agreed\n- reviewed HW: joined walking group", "role_transition", "agreed"),
    ("- Session 3 - IPT, dispute with sister (tentative, pt also mentions work stress)\n- BDI-II 24",
     "role_dispute", "tentative"),
])
def test_a_focus_stated_after_the_session_and_the_therapy(bullets: str, area: str, status: str) -> None:
    from assistant.catalog import get_catalog
    from assistant.notes.parse import parse_bullets

    facts = parse_bullets(bullets, get_catalog())
    assert (facts.focal_area, facts.focal_status) == (area, status)
