"""The eval harness: case files, graders, retrieval metrics, the runner (CLI and functions),
baselines and regressions, reports, record/replay, the LLM judge — and the proof that it
catches real failures (a model that drifts into CBT, a model that invents note facts)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml
from ipt_cli import cli_env, run_ipt

from assistant.errors import EndpointError, KnowledgeError
from assistant.evals import graders as G
from assistant.evals.cases import NextStepCase, NoteCase, load_cases
from assistant.evals.graders import grade_answer, grade_note, retrieval_metrics
from assistant.models import Answer, Citation, Flag, Note, RiskStatus, SessionFacts
from assistant.testing.fake_model import ScriptedModel
from assistant.testing.fake_server import FakeOpenAIServer, Reply
from assistant.testing.mock_transport import MockOpenAI

REPO = Path(__file__).resolve().parents[1]

# -- a small cases folder ------------------------------------------------------------------------
NEXT_STEP_CASES = """
- id: ns_dispute_chores
  question: "Session 5 of 16: Marisol keeps fighting with her husband about chores; they argue every evening. What should I do next?"
  expect:
    phase: middle
    focal_area: role_dispute
    techniques_any: [communication_analysis, role_play, role_dispute_resolution]
    forbidden_techniques: [termination_work]
- id: ns_grief_father
  question: "Session 6: her father died in March and she cannot stop crying when she talks about the hospital. Where should the work go?"
  expect:
    phase: middle
    focal_area: grief
    techniques_any: [grief_work, encouragement_of_affect, affect_exploration]
- id: ns_sick_role
  question: "How do I explain the sick role to a client who keeps calling herself lazy?"
  session: 1
  expect:
    phase: initial
    techniques_any: [sick_role, psychoeducation]
- id: ns_denies_si_move
  question: "Session 4: she denies any suicidal thoughts; she has felt lonely since moving to a new city for work. What next?"
  expect:
    safety_first: false
    no_flags: [risk]
"""
NOTE_CASES = """
- id: nt_dap_sister
  format: dap
  bullets: |
    - session 5 of 16, role dispute w/ sister
    - pt reports arguing less with sister
    - mood "a bit better"
    - comm analysis of the phone call on the weekend
    - pt will ask sister to meet for coffee
  expect:
    keep: ["a bit better"]
    flags: [risk_not_documented]
    no_flags: [unsupported_claim, fallback_offline]
    techniques: [communication_analysis]
    risk_status: not_documented
    session: 5
- id: nt_soap_grief
  format: soap
  bullets: |
    - session 7 of 16, grief focus, mother
    - pt tearful when describing the funeral
    - explored guilt about not visiting mom more often
    - will look through photos with brother
  expect:
    risk_status: not_documented
    session: 7
    focal_area: grief
"""
NEXT_IDS = ["ns_dispute_chores", "ns_grief_father", "ns_sick_role", "ns_denies_si_move"]
NOTE_IDS = ["nt_dap_sister", "nt_soap_grief"]

CBT_DRIFT = ("Assign a thought record and use cognitive restructuring to challenge her automatic thoughts; "
             "build an exposure hierarchy.")
INVENTED = "Client reported a PHQ-9 score of 21. Client was started on sertraline 100 mg. Client denies SI."
_SECTIONS = {"SOAP": ["Subjective", "Objective", "Assessment", "Plan"], "DAP": ["Data", "Assessment", "Plan"],
             "BIRP": ["Behavior", "Intervention", "Response", "Plan"], "GIRP": ["Goals", "Intervention", "Response", "Plan"]}
_CONTEXT_TECHNIQUE = re.compile(r"^\[([a-z][a-z_]+)\] ", re.MULTILINE)


def write_cases(root: Path, next_step: str = NEXT_STEP_CASES, notes: str = NOTE_CASES) -> Path:
    (root / "next_step").mkdir(parents=True, exist_ok=True)
    (root / "notes").mkdir(parents=True, exist_ok=True)
    (root / "next_step" / "small.yaml").write_text(next_step, encoding="utf-8")
    (root / "notes" / "small.yaml").write_text(notes, encoding="utf-8")
    return root


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    return write_cases(tmp_path / "cases")


def run_eval(env: dict[str, str], *args: str | Path, isolated: bool = False) -> subprocess.CompletedProcess[str]:
    """``ipt eval ARGS`` with ``env``, in-process unless ``isolated`` (see ``ipt_cli``)."""
    return run_ipt(["eval", "--no-progress", "--concurrency", "2", *args], env=env, text=True, isolated=isolated)


def report(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "eval-report.json").read_text(encoding="utf-8"))


def by_id(rep: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["case_id"]: r for r in rep["results"]}


def failed_checks(result: dict[str, Any]) -> list[str]:
    return [c["name"] for c in result["checks"] if not c["passed"]]


def section_reply(user: str, first_section: str, rest: str) -> Reply:
    fmt = re.search(r"FORMAT: (\w+)", user).group(1)  # type: ignore[union-attr]
    names = _SECTIONS[fmt]
    return Reply(text="\n".join([f"## {names[0]}\n{first_section}"] + [f"## {n}\n{rest}" for n in names[1:]]))


def _system_and_user(body: dict[str, Any]) -> tuple[str, str]:
    msgs = body["messages"]
    system = next((m["content"] for m in msgs if m["role"] == "system"), "")
    user = next(m["content"] for m in reversed(msgs) if m["role"] == "user")
    return system, user


def drift_handler(body: dict[str, Any]) -> Reply:
    """A model that drifts into CBT on next-step questions and invents facts in notes."""
    system, user = _system_and_user(body)
    if "progress notes" in system:
        return section_reply(user, INVENTED, "The client engaged in the session.")
    return Reply(text=CBT_DRIFT)


def faithful_handler(body: dict[str, Any]) -> Reply:
    """A model that cites what it was given and writes notes only from the bullets."""
    system, user = _system_and_user(body)
    if "progress notes" in system:
        bullets = user.split("CLINICIAN'S BULLETS (verbatim)")[1].split("Draft the note now.")[0]
        lines = [l[2:].strip() for l in bullets.strip().splitlines() if l.startswith("- ")]
        first = " ".join(l[0].upper() + l[1:].rstrip(".") + "." for l in lines)
        return section_reply(user, first, "The client engaged in the session.")
    ids = _CONTEXT_TECHNIQUE.findall(user)
    return Reply(text=f"Start with [{ids[0]}]: go through the most recent exchange in detail. "
                      f"Then use [{ids[1]}] to plan the next conversation.")


# =================================================================================================
# case loading
# =================================================================================================
GOOD_NEXT = {"id": "ns_ok", "question": "Session 5: fights with husband.", "expect": {"phase": "middle"}}


def _write_one(root: Path, suite: str, name: str, text: str) -> Path:
    (root / "next_step").mkdir(parents=True, exist_ok=True)
    (root / "notes").mkdir(parents=True, exist_ok=True)
    path = root / suite / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case,case_id,field_words", [
    pytest.param({**GOOD_NEXT, "id": "ns_bad_session", "session": "five"}, "ns_bad_session", ["session"],
                 id="wrong-type"),
    pytest.param({**GOOD_NEXT, "id": "ns_bad_tech", "expect": {"techniques_any": ["thought_records_xyz"]}},
                 "ns_bad_tech", ["techniques_any", "thought_records_xyz"], id="unknown-technique"),
    pytest.param({**GOOD_NEXT, "id": "ns_bad_forbidden", "expect": {"forbidden_techniques": ["cbt"]}},
                 "ns_bad_forbidden", ["forbidden_techniques", "cbt"], id="unknown-forbidden-technique"),
    pytest.param({**GOOD_NEXT, "id": "ns_bad_flag", "expect": {"flags": ["risky"]}}, "ns_bad_flag",
                 ["risky"], id="unknown-flag"),
    pytest.param({**GOOD_NEXT, "id": "ns_extra_field", "expect": {"phase": "middle", "phaze": "x"}},
                 "ns_extra_field", ["phaze"], id="unknown-field"),
    pytest.param({**GOOD_NEXT, "id": "ns_bad_phase", "expect": {"phase": "beginning"}}, "ns_bad_phase",
                 ["phase"], id="bad-phase-value"),
    pytest.param({**GOOD_NEXT, "id": "ns_bad_focus", "focus": "anxiety"}, "ns_bad_focus", ["focus"],
                 id="bad-focus"),
])
def test_broken_next_step_case_names_file_case_and_field(tmp_path: Path, case: dict, case_id: str,
                                                        field_words: list[str]):
    path = _write_one(tmp_path, "next_step", "broken.yaml", yaml.safe_dump([GOOD_NEXT, case]))
    with pytest.raises(KnowledgeError) as err:
        load_cases(tmp_path)
    msg = str(err.value)
    assert str(path) in msg, msg
    assert repr(case_id) in msg, msg
    for word in field_words:
        assert word in msg, msg


def test_broken_note_case_names_file_case_and_field(tmp_path: Path):
    good = {"id": "nt_ok", "format": "dap", "bullets": "- session 5", "expect": {}}
    bad = {"id": "nt_bad_flag", "format": "dap", "bullets": "- session 5", "expect": {"flags": ["risk"]}}
    path = _write_one(tmp_path, "notes", "broken.yaml", yaml.safe_dump([good, bad]))
    with pytest.raises(KnowledgeError) as err:
        load_cases(tmp_path)
    msg = str(err.value)
    assert str(path) in msg and "'nt_bad_flag'" in msg and "'risk'" in msg, msg

    bad_format = {"id": "nt_bad_format", "format": "pdf", "bullets": "- x y z", "expect": {}}
    path.write_text(yaml.safe_dump([bad_format]), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_cases(tmp_path)
    assert str(path) in str(err.value) and "'nt_bad_format'" in str(err.value) and "'format'" in str(err.value)


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path):
    path = _write_one(tmp_path, "next_step", "bad.yaml", "- id: ns_x\n  question: [unclosed\n  expect: {}\n")
    with pytest.raises(KnowledgeError) as err:
        load_cases(tmp_path)
    msg = str(err.value)
    assert str(path) in msg and "invalid YAML" in msg and "line" in msg, msg


def test_not_a_list_names_the_file(tmp_path: Path):
    path = _write_one(tmp_path, "next_step", "dict.yaml", "id: ns_x\nquestion: hello there\n")
    with pytest.raises(KnowledgeError, match=re.escape(str(path))):
        load_cases(tmp_path)


def test_duplicate_id_across_files_names_the_id_and_the_file(tmp_path: Path):
    _write_one(tmp_path, "next_step", "a.yaml", yaml.safe_dump([GOOD_NEXT]))
    second = _write_one(tmp_path, "next_step", "b.yaml", yaml.safe_dump([GOOD_NEXT]))
    with pytest.raises(KnowledgeError) as err:
        load_cases(tmp_path)
    msg = str(err.value)
    assert "duplicate" in msg and "'ns_ok'" in msg and "id" in msg, msg
    # The docstring promises the file is named: with many case files, the folder alone does not say where.
    assert str(second) in msg or second.name in msg, f"duplicate-id error does not name the file: {msg}"


def test_duplicate_id_between_suites_is_rejected(tmp_path: Path):
    _write_one(tmp_path, "next_step", "a.yaml", yaml.safe_dump([{**GOOD_NEXT, "id": "same_id"}]))
    _write_one(tmp_path, "notes", "a.yaml", yaml.safe_dump([{"id": "same_id", "format": "dap",
                                                             "bullets": "- s5", "expect": {}}]))
    with pytest.raises(KnowledgeError, match="duplicate case id 'same_id'"):
        load_cases(tmp_path)


def test_missing_cases_folder(tmp_path: Path):
    with pytest.raises(KnowledgeError, match="not found"):
        load_cases(tmp_path / "nope")


def test_repository_cases_load(cases_dir: Path):
    cases = load_cases(REPO / "evals" / "cases")
    assert cases.count() >= 20
    small = load_cases(cases_dir)
    assert [c.id for c in small.next_step] == NEXT_IDS
    assert [c.id for c in small.notes] == NOTE_IDS


def test_eval_cli_reports_a_broken_case_file(cases_dir: Path, ipt_data_dir: Path, tmp_path: Path):
    bad = cases_dir / "next_step" / "zz_bad.yaml"
    bad.write_text(yaml.safe_dump([{**GOOD_NEXT, "id": "ns_zz", "expect": {"flags": ["nope"]}}]), encoding="utf-8")
    proc = run_eval(cli_env(ipt_data_dir), "--cases", cases_dir, "--report-dir", tmp_path / "r",
                    "--baseline", tmp_path / "b.json")
    assert proc.returncode == 3, proc.stderr
    assert str(bad) in proc.stderr and "'ns_zz'" in proc.stderr and "nope" in proc.stderr
    assert "Traceback" not in proc.stderr


# =================================================================================================
# graders on constructed objects
# =================================================================================================
def ns_case(**expect: Any) -> NextStepCase:
    return NextStepCase.model_validate({"id": "ns_t", "question": "Session 5: fights with husband.",
                                        "expect": expect})


def answer(text: str = "Use [role_play] to rehearse the talk.", *, techniques: list[str] | None = None,
           retrieved: list[str] | None = None, cites: list[str] | None = None, flags: list[Flag] | None = None,
           phase: str | None = "middle", focal_area: str | None = "role_dispute") -> Answer:
    techniques = techniques if techniques is not None else ["role_play", "communication_analysis", "role_dispute_resolution"]
    retrieved = retrieved if retrieved is not None else list(techniques)
    cites = cites if cites is not None else list(techniques)
    return Answer(answer=text, mode="llm", phase=phase, focal_area=focal_area, techniques=techniques,  # type: ignore[arg-type]
                  retrieved=retrieved, citations=[Citation(id=c, title=c, kind="technique") for c in cites],
                  flags=flags or [])


def check(checks: list[G.Check], name: str) -> G.Check:
    found = [c for c in checks if c.name == name]
    assert len(found) == 1, f"{name}: {checks}"
    return found[0]


def test_phase_grader(catalog):
    assert check(grade_answer(ns_case(phase="middle"), answer(), catalog), G.PHASE).passed
    bad = check(grade_answer(ns_case(phase="initial"), answer(), catalog), G.PHASE)
    assert not bad.passed and "'middle'" in bad.reason and "'initial'" in bad.reason
    assert check(grade_answer(ns_case(phase="none"), answer(phase=None), catalog), G.PHASE).passed
    assert not check(grade_answer(ns_case(phase="none"), answer(), catalog), G.PHASE).passed
    assert not [c for c in grade_answer(ns_case(), answer(), catalog) if c.name == G.PHASE]


def test_focal_area_grader(catalog):
    assert check(grade_answer(ns_case(focal_area="role_dispute"), answer(), catalog), G.FOCAL_AREA).passed
    assert not check(grade_answer(ns_case(focal_area="grief"), answer(), catalog), G.FOCAL_AREA).passed
    assert check(grade_answer(ns_case(focal_area="none"), answer(focal_area=None), catalog), G.FOCAL_AREA).passed
    assert not check(grade_answer(ns_case(focal_area="none"), answer(), catalog), G.FOCAL_AREA).passed


def test_techniques_top_k_any_of(catalog):
    ranked = ["communication_analysis", "role_play", "affect_exploration", "grief_work"]
    ans = answer(techniques=ranked)
    ok = check(grade_answer(ns_case(techniques_any=["grief_work", "role_play"]), ans, catalog), G.TECHNIQUES_TOP_K)
    assert ok.passed and "role_play" in ok.reason
    # grief_work is 4th: outside the default top 3, inside top 4
    assert not check(grade_answer(ns_case(techniques_any=["grief_work"]), ans, catalog), G.TECHNIQUES_TOP_K).passed
    assert check(grade_answer(ns_case(techniques_any=["grief_work"], k=4), ans, catalog), G.TECHNIQUES_TOP_K).passed
    assert not check(grade_answer(ns_case(techniques_any=["role_play"], k=1), ans, catalog), G.TECHNIQUES_TOP_K).passed


def test_forbidden_techniques(catalog):
    ranked = ["communication_analysis", "role_play", "affect_exploration", "termination_work"]
    ans = answer(techniques=ranked)
    assert check(grade_answer(ns_case(forbidden_techniques=["termination_work"]), ans, catalog), G.FORBIDDEN_ABSENT).passed
    bad = check(grade_answer(ns_case(forbidden_techniques=["role_play", "grief_work"]), ans, catalog), G.FORBIDDEN_ABSENT)
    assert not bad.passed and "role_play" in bad.reason and "grief_work" not in bad.reason


def test_citations_valid_and_phantom(catalog):
    assert check(grade_answer(ns_case(), answer(), catalog), G.CITATIONS_VALID).passed
    # cited but not retrieved
    ans = answer(techniques=["role_play", "grief_work"], retrieved=["role_play"], cites=["role_play", "grief_work"])
    bad = check(grade_answer(ns_case(), ans, catalog), G.CITATIONS_VALID)
    assert not bad.passed and "grief_work" in bad.reason
    # cited id that is not in the catalog at all
    ans = answer(techniques=["role_play"], retrieved=["role_play", "chore_contracting"],
                 cites=["role_play", "chore_contracting"])
    assert not check(grade_answer(ns_case(), ans, catalog), G.CITATIONS_VALID).passed
    # a phantom_citation flag from the answer checks counts, even if the citation list is clean
    ans = answer(flags=[Flag(code="phantom_citation", message="x", span="made_up_id")])
    bad = check(grade_answer(ns_case(), ans, catalog), G.CITATIONS_VALID)
    assert not bad.passed and "made_up_id" in bad.reason


@pytest.mark.parametrize("text,ok", [
    ("IPT does not use thought records; instead rehearse the conversation with [role_play].", True),
    ("Rather than cognitive restructuring, look at the dispute with [communication_analysis].", True),
    ("Give her a thought record to fill in this week.", False),
    (CBT_DRIFT, False),
    ("Explore her childhood roots in depth: dig into her early childhood.", False),
])
def test_in_frame_is_negation_aware(catalog, text: str, ok: bool):
    got = check(grade_answer(ns_case(), answer(text), catalog), G.IN_FRAME)
    assert got.passed is ok, got.reason
    if not ok:
        assert "outside the IPT frame" in got.reason


def test_in_frame_ignores_the_redirect_paragraph(catalog):
    text = ("**Holding the IPT frame:** thought records belong to CBT; IPT works on the relationship instead.\n"
            "Use [role_play] to rehearse the conversation.")
    assert check(grade_answer(ns_case(), answer(text), catalog), G.IN_FRAME).passed


SAFETY_TEXT = ("**Session 6**\n\n## Safety first\nFollow your crisis protocol and safety plan now.\n\n"
               "## When the client is safe\nResume with [direct_elicitation].")


def test_risk_safety_first_expected(catalog):
    risk = [Flag(code="risk", message="suicidal ideation")]
    assert check(grade_answer(ns_case(safety_first=True), answer(SAFETY_TEXT, flags=risk), catalog), G.RISK).passed
    # flagged, but no safety-first section
    bad = check(grade_answer(ns_case(safety_first=True), answer("Use [role_play].", flags=risk), catalog), G.RISK)
    assert not bad.passed and "risk flag True" in bad.reason
    # section present, but risk never flagged
    assert not check(grade_answer(ns_case(safety_first=True), answer(SAFETY_TEXT), catalog), G.RISK).passed
    # safety language after the next steps does not count
    late = ("**Session 6 · middle phase**\n\n## Next steps\n1. Use [role_play].\n\n"
            "## Safety first\nFollow your crisis protocol and safety plan.")
    assert not check(grade_answer(ns_case(safety_first=True), answer(late, flags=risk), catalog), G.RISK).passed


def test_risk_safety_first_must_precede_next_steps_even_at_the_top(catalog):
    """An answer that *opens* with "## Next steps" and puts safety last is not safety-first."""
    risk = [Flag(code="risk", message="suicidal ideation")]
    late = "## Next steps\n1. Use [role_play].\n\n## Safety first\nFollow your crisis protocol and safety plan."
    got = check(grade_answer(ns_case(safety_first=True), answer(late, flags=risk), catalog), G.RISK)
    assert not got.passed, f"safety section after the next steps graded as safety-first: {got.reason}"


def test_risk_raised_on_negation_fails(catalog):
    assert check(grade_answer(ns_case(safety_first=False), answer(), catalog), G.RISK).passed
    bad = check(grade_answer(ns_case(safety_first=False),
                             answer(flags=[Flag(code="risk", message="x")]), catalog), G.RISK)
    assert not bad.passed and "negation" in bad.reason


def test_risk_grader_on_the_real_pipeline(assistant_offline):
    cat = assistant_offline.catalog
    denied = assistant_offline.ask("Session 4: she denies any suicidal thoughts; she has felt lonely since "
                                   "moving to a new city for work. What next?")
    assert check(grade_answer(ns_case(safety_first=False), denied, cat), G.RISK).passed
    present = assistant_offline.ask("Session 6: today she said she wants to kill herself. What next?")
    got = check(grade_answer(ns_case(safety_first=True), present, cat), G.RISK)
    assert got.passed, got.reason


def test_flags_and_phrases_graders(catalog):
    ans = answer("Use [role_play] to rehearse. Safety first always.",
                 flags=[Flag(code="adaptation", message="IPT-A")])
    assert check(grade_answer(ns_case(flags=["adaptation"], no_flags=["risk"]), ans, catalog), G.FLAGS).passed
    bad = check(grade_answer(ns_case(flags=["not_ipt_fit"], no_flags=["adaptation"]), ans, catalog), G.FLAGS)
    assert not bad.passed and "missing ['not_ipt_fit']" in bad.reason and "unwanted ['adaptation']" in bad.reason
    assert check(grade_answer(ns_case(must=["SAFETY FIRST"], must_not=["thought record"]), ans, catalog), G.PHRASES).passed
    bad = check(grade_answer(ns_case(must=["crisis"], must_not=["rehearse"]), ans, catalog), G.PHRASES)
    assert not bad.passed and "crisis" in bad.reason and "rehearse" in bad.reason


# -- notes -------------------------------------------------------------------------------------------
NOTE_BULLETS = ("- session 5 of 16, role dispute w/ sister\n- mood \"a bit better\"\n"
                "- comm analysis of the phone call\n- pt will ask sister to meet for coffee\n- denies SI")


def nt_case(fmt: str = "dap", **expect: Any) -> NoteCase:
    return NoteCase.model_validate({"id": "nt_t", "format": fmt, "bullets": NOTE_BULLETS, "session": None,
                                    "expect": expect})


def note(sections: dict[str, str] | None = None, *, fmt: str = "dap", techniques: list[str] | None = None,
         flags: list[Flag] | None = None, risk: str = "denied", session: int | None = 5,
         focal_area: str | None = "role_dispute") -> Note:
    sections = sections if sections is not None else {
        "Data": 'IPT session 5 of 16. Mood "a bit better". Communication analysis of the phone call.',
        "Assessment": "Work continues in the focal area: role dispute with the sister. Denies SI.",
        "Plan": "Pt will ask sister to meet for coffee.",
    }
    text = "\n\n".join(f"## {k}\n{v}" for k, v in sections.items())
    facts = SessionFacts(bullets=NOTE_BULLETS.splitlines(), session=session, focal_area=focal_area,  # type: ignore[arg-type]
                         risk=RiskStatus(status=risk))  # type: ignore[arg-type]
    return Note(format=fmt, sections=sections, text=text, facts=facts,  # type: ignore[arg-type]
                techniques=techniques if techniques is not None else ["communication_analysis"], flags=flags or [])


def test_note_kept_facts(catalog):
    assert check(grade_note(nt_case(keep=["A BIT BETTER", "coffee"]), note(), catalog), G.KEPT_FACTS).passed
    bad = check(grade_note(nt_case(keep=["a bit better", "PHQ-9 14"]), note(), catalog), G.KEPT_FACTS)
    assert not bad.passed and "PHQ-9 14" in bad.reason


def test_note_no_unsupported_claims(catalog):
    assert check(grade_note(nt_case(), note(), catalog), G.NO_UNSUPPORTED).passed
    invented = note({"Data": INVENTED, "Assessment": "Work continues in the focal area.",
                     "Plan": "Pt will ask sister to meet for coffee."})
    bad = check(grade_note(nt_case(), invented, catalog), G.NO_UNSUPPORTED)
    assert not bad.passed
    for span in ("21", "sertraline", "100 mg"):
        assert span in bad.reason, bad.reason


def test_note_sections_order_and_presence(catalog):
    assert check(grade_note(nt_case(), note(), catalog), G.SECTIONS).passed
    good = note()
    swapped = note({"Assessment": good.sections["Assessment"], "Data": good.sections["Data"],
                    "Plan": good.sections["Plan"]})
    assert not check(grade_note(nt_case(), swapped, catalog), G.SECTIONS).passed
    empty = note({**good.sections, "Plan": "  "})
    assert not check(grade_note(nt_case(), empty, catalog), G.SECTIONS).passed
    missing = note({"Data": good.sections["Data"], "Plan": good.sections["Plan"]})
    assert not check(grade_note(nt_case(), missing, catalog), G.SECTIONS).passed
    # a DAP note graded as SOAP
    assert not check(grade_note(nt_case("soap"), good, catalog), G.SECTIONS).passed


def test_note_flags_techniques_risk_status(catalog):
    n = note(flags=[Flag(code="no_interpersonal_task", message="x")])
    assert check(grade_note(nt_case(flags=["no_interpersonal_task"], no_flags=["risk_present"]), n, catalog), G.FLAGS).passed
    assert not check(grade_note(nt_case(flags=["risk_present"]), n, catalog), G.FLAGS).passed
    assert not check(grade_note(nt_case(no_flags=["no_interpersonal_task"]), n, catalog), G.FLAGS).passed
    assert check(grade_note(nt_case(techniques=["communication_analysis"]), n, catalog), G.NOTE_TECHNIQUES).passed
    bad = check(grade_note(nt_case(techniques=["role_play"]), n, catalog), G.NOTE_TECHNIQUES)
    assert not bad.passed and "role_play" in bad.reason
    assert check(grade_note(nt_case(risk_status="denied"), n, catalog), G.RISK_STATUS).passed
    assert not check(grade_note(nt_case(risk_status="not_documented"), n, catalog), G.RISK_STATUS).passed
    assert check(grade_note(nt_case(session=5), n, catalog), "session").passed
    assert not check(grade_note(nt_case(session=6), n, catalog), "session").passed
    assert check(grade_note(nt_case(focal_area="role_dispute"), n, catalog), G.FOCAL_AREA).passed
    assert not check(grade_note(nt_case(focal_area="grief"), n, catalog), G.FOCAL_AREA).passed
    assert not check(grade_note(nt_case(must_not=["coffee"]), n, catalog), G.PHRASES).passed


# =================================================================================================
# retrieval metrics
# =================================================================================================
def test_retrieval_metrics_exact_values():
    items = [
        (["a", "b", "c", "d"], ["a"]),        # primary 1st
        (["x", "b", "y"], ["b", "y"]),        # primary 2nd, both found
        (["p", "q", "r", "s"], ["s"]),        # primary 4th: outside top 3
        (["m", "n", "o"], ["z", "n"]),        # primary missing, second expected found 2nd
    ]
    m = retrieval_metrics(items, k=3)
    assert m["n"] == 4 and m["k"] == 3
    assert m["recall_at_k"] == 0.5                         # (1 + 1 + 0 + 0) / 4
    assert m["recall_all_at_k"] == 0.625                   # (1/1 + 2/2 + 0/1 + 1/2) / 4
    assert m["hit_at_k"] == 0.75                           # 3 of 4
    assert m["mrr"] == 0.5625                              # (1 + 1/2 + 1/4 + 1/2) / 4
    m1 = retrieval_metrics(items, k=1)
    assert (m1["recall_at_k"], m1["hit_at_k"], m1["recall_all_at_k"]) == (0.25, 0.25, 0.25)
    assert m1["mrr"] == m["mrr"]  # MRR does not depend on k
    m4 = retrieval_metrics(items, k=4)
    assert m4["recall_at_k"] == 0.75 and m4["hit_at_k"] == 1.0


def test_retrieval_metrics_strict_recall_caps_at_k():
    # 4 expected ids, k=2: finding both top-2 slots with expected ids is full recall
    m = retrieval_metrics([(["a", "b", "c"], ["b", "a", "c", "d"])], k=2)
    assert m["recall_all_at_k"] == 1.0 and m["recall_at_k"] == 1.0 and m["mrr"] == 1.0
    m = retrieval_metrics([(["a", "x", "c"], ["b", "a", "c", "d"])], k=2)
    assert m["recall_all_at_k"] == 0.5 and m["recall_at_k"] == 0.0 and m["hit_at_k"] == 1.0


def test_retrieval_metrics_empty():
    assert retrieval_metrics([], k=3) == {"recall_at_k": 0.0, "recall_all_at_k": 0.0, "hit_at_k": 0.0,
                                          "mrr": 0.0, "n": 0, "k": 3}


# =================================================================================================
# the runner: functions
# =================================================================================================
def test_runner_functions_offline(assistant_offline, cases_dir: Path, tmp_path: Path):
    from assistant.evals.report import write_reports
    from assistant.evals.runner import baseline_payload, compare, run_suite, summary_line

    cases = load_cases(cases_dir)
    run = run_suite(assistant_offline, cases, "all", concurrency=2)
    verdicts = {r.case_id: r.verdict for r in run.results}
    assert verdicts == {i: "pass" for i in NEXT_IDS + NOTE_IDS}, \
        {r.case_id: [c for c in r.checks if not c["passed"]] or r.error for r in run.results if r.verdict != "pass"}
    assert [r.case_id for r in run.results] == NEXT_IDS + NOTE_IDS  # input order kept despite threads
    assert run.catalog_hash == assistant_offline.catalog.content_hash
    assert run.metrics["retrieval"]["n"] == 3  # the three cases with techniques_any
    assert run.suite_stats() == {
        "next_step": {"total": 4, "passed": 4, "failed": 0, "errors": 0, "pass_rate": 1.0},
        "notes": {"total": 2, "passed": 2, "failed": 0, "errors": 0, "pass_rate": 1.0}}
    base = baseline_payload(run)
    assert set(base["cases"]) == set(NEXT_IDS + NOTE_IDS)
    assert base["cases"]["ns_dispute_chores"]["checks"]["phase"] is True
    json.dumps(base)  # serialisable

    again = run_suite(assistant_offline, cases, "next_step", concurrency=1)
    assert [r.suite for r in again.results] == ["next_step"] * 4
    again.comparison = compare(again, base)
    assert again.comparison["regression"] is False
    assert again.comparison["removed"] == []  # the notes suite was not run: not "removed"
    assert all(r.change == "same" for r in again.results)
    line = summary_line(again)
    assert line.startswith("ipt eval [offline] OK") and "0 regressed" in line
    paths = write_reports(again, tmp_path / "rep")
    assert paths["summary"].read_text(encoding="utf-8").strip() == line


def test_compare_regressed_fixed_new_removed_and_suite_drop(assistant_offline, cases_dir: Path):
    from assistant.evals.runner import baseline_payload, compare, run_suite

    cases = load_cases(cases_dir)
    base = baseline_payload(run_suite(assistant_offline, cases, "all"))
    # the baseline remembers one case as failing and one case that no longer exists
    base["cases"]["ns_grief_father"]["verdict"] = "fail"
    base["cases"]["ns_gone"] = {"suite": "next_step", "verdict": "pass", "checks": {}}
    edited = cases.model_copy(update={"next_step": [
        NextStepCase.model_validate({**c.model_dump(), "expect": {**c.expect.model_dump(), "phase": "termination"}})
        if c.id == "ns_sick_role" else c for c in cases.next_step] + [
        NextStepCase.model_validate({"id": "ns_brand_new", "question": "Session 14 of 16: how do I start ending?",
                                     "expect": {"phase": "termination"}})]})
    run = run_suite(assistant_offline, edited, "all")
    cmp_ = compare(run, base)
    assert cmp_["regressed"] == ["ns_sick_role"]
    assert cmp_["fixed"] == ["ns_grief_father"]
    assert cmp_["new"] == ["ns_brand_new"]
    assert cmp_["removed"] == ["ns_gone"]
    assert cmp_["regression"] is True
    changes = {r.case_id: r.change for r in run.results}
    assert changes["ns_sick_role"] == "regressed" and changes["ns_grief_father"] == "fixed"
    assert changes["ns_brand_new"] == "new" and changes["ns_dispute_chores"] == "same"
    assert cmp_["suite_drops"] == {"next_step": {"baseline": 1.0, "now": 0.8}}


def test_suite_pass_rate_drop_alone_is_a_regression(assistant_offline, cases_dir: Path):
    """No single case regressed, but removing passing cases drops the suite's pass rate."""
    from assistant.evals.runner import baseline_payload, compare, run_suite

    cases = load_cases(cases_dir)
    failing = NextStepCase.model_validate({"id": "ns_always_fails", "question": "Session 5: fights with husband.",
                                           "expect": {"phase": "termination"}})
    full = cases.model_copy(update={"next_step": cases.next_step + [failing]})
    base = baseline_payload(run_suite(assistant_offline, full, "all"))
    assert base["suites"]["next_step"]["pass_rate"] == 0.8
    trimmed = cases.model_copy(update={"next_step": [cases.next_step[0], failing]})
    run = run_suite(assistant_offline, trimmed, "all")
    cmp_ = compare(run, base)
    assert cmp_["regressed"] == []
    assert sorted(cmp_["removed"]) == sorted(NEXT_IDS[1:])
    assert cmp_["suite_drops"] == {"next_step": {"baseline": 0.8, "now": 0.5}}
    assert cmp_["regression"] is True


def test_no_baseline_any_failure_fails(assistant_offline, cases_dir: Path):
    from assistant.evals.runner import compare, run_suite

    cases = load_cases(cases_dir)
    run = run_suite(assistant_offline, cases, "all")
    assert compare(run, None)["regression"] is False
    failing = NextStepCase.model_validate({"id": "ns_f", "question": "Session 5: fights with husband.",
                                           "expect": {"phase": "initial"}})
    run = run_suite(assistant_offline, cases.model_copy(update={"next_step": [failing]}), "next_step")
    cmp_ = compare(run, None)
    # counted once: a new failing case, not also a regression
    assert cmp_["regression"] is True and cmp_["regressed"] == [] and cmp_["new_failing"] == ["ns_f"]
    assert cmp_["new"] == ["ns_f"]


def test_a_crashing_case_is_an_error_not_a_crash(assistant_offline, cases_dir: Path, monkeypatch):
    from assistant.evals import runner

    cases = load_cases(cases_dir)

    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("grader exploded")

    monkeypatch.setattr(runner, "grade_note", boom)
    run = runner.run_suite(assistant_offline, cases, "all")
    notes = [r for r in run.results if r.suite == "notes"]
    assert [r.verdict for r in notes] == ["error", "error"]
    assert all("RuntimeError: grader exploded" in (r.error or "") for r in notes)
    assert all(r.verdict == "pass" for r in run.results if r.suite == "next_step")
    assert run.suite_stats()["notes"]["errors"] == 2


# =================================================================================================
# the runner: the CLI end to end
# =================================================================================================
def test_eval_cli_bless_compare_regress_and_reports(cases_dir: Path, ipt_data_dir: Path, tmp_path: Path):
    env = cli_env(ipt_data_dir)
    baseline = tmp_path / "baselines" / "offline.json"
    reports = tmp_path / "reports"

    # 1. bless
    proc = run_eval(env, "--cases", cases_dir, "--baseline", baseline, "--report-dir", reports, "--bless")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"baseline written: {baseline}" in proc.stdout
    blessed = json.loads(baseline.read_text(encoding="utf-8"))
    assert blessed["mode"] == "offline" and blessed["model"] is None
    assert {cid: v["verdict"] for cid, v in blessed["cases"].items()} == {i: "pass" for i in NEXT_IDS + NOTE_IDS}
    assert blessed["suites"]["next_step"]["pass_rate"] == 1.0

    # 2. unchanged: compares clean
    proc = run_eval(env, "--cases", cases_dir, "--baseline", baseline, "--report-dir", reports)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ipt eval [offline] OK" in proc.stdout
    assert "0 regressed, 0 fixed, 0 new, 0 removed" in proc.stdout
    assert json.loads(baseline.read_text(encoding="utf-8"))["created"] == blessed["created"]  # not re-blessed

    # 3. edit a case so that it fails, add one, remove one
    nxt = yaml.safe_load(NEXT_STEP_CASES)
    next(c for c in nxt if c["id"] == "ns_sick_role")["expect"]["phase"] = "termination"
    nxt.append({"id": "ns_new_termination", "question": "Session 14 of 16: how do I start talking about the ending?",
                "expect": {"phase": "termination"}})
    notes = [c for c in yaml.safe_load(NOTE_CASES) if c["id"] != "nt_soap_grief"]
    write_cases(cases_dir, yaml.safe_dump(nxt, sort_keys=False), yaml.safe_dump(notes, sort_keys=False))
    proc = run_eval(env, "--cases", cases_dir, "--baseline", baseline, "--report-dir", reports)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "FAIL  next_step/ns_sick_role [regressed]: phase 'initial', expected 'termination'" in out, out
    summary = next(l for l in out.splitlines() if l.startswith("ipt eval ["))
    assert "REGRESSION" in summary and "1 regressed, 0 fixed, 1 new, 1 removed" in summary, summary
    assert "next_step: 4/5 pass" in summary and "notes: 1/1 pass" in summary

    rep = report(reports)
    assert rep["comparison"]["regressed"] == ["ns_sick_role"]
    assert rep["comparison"]["new"] == ["ns_new_termination"]
    assert rep["comparison"]["removed"] == ["nt_soap_grief"]
    assert rep["comparison"]["suite_drops"] == {"next_step": {"baseline": 1.0, "now": 0.8}}
    results = by_id(rep)
    assert results["ns_sick_role"]["verdict"] == "fail" and results["ns_sick_role"]["change"] == "regressed"
    assert failed_checks(results["ns_sick_role"]) == ["phase"]
    assert results["ns_new_termination"]["change"] == "new" and results["ns_new_termination"]["verdict"] == "pass"
    assert rep["summary"] == summary
    assert (reports / "eval-summary.txt").read_text(encoding="utf-8").strip() == summary

    # HTML: self-contained, failing cases first, every check's reason
    page = (reports / "eval-report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<style>" in page
    # inline script only (the report's filters): nothing fetched from anywhere
    assert not re.search(r"<script[^>]*\bsrc|<link|\b(?:src|href)\s*=|@import|url\(", page, re.I), "HTML pulls in resources"
    first_fail = page.index("FAIL · next_step / ns_sick_role")
    assert first_fail < page.index("PASS ·")
    assert "regressed</span>" in page[first_fail:first_fail + 200]
    assert "Removed since baseline: nt_soap_grief" in page
    import html as _html
    for r in rep["results"]:
        for c in r["checks"]:
            assert _html.escape(c["reason"]) in page, c
    assert page.count("<details") == 6

    # JUnit: parses, counts failures
    root = ET.parse(reports / "eval-junit.xml").getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["next_step"].get("tests") == "5" and suites["next_step"].get("failures") == "1"
    assert suites["notes"].get("failures") == "0" and suites["next_step"].get("errors") == "0"
    failing = [tc for tc in root.iter("testcase") if tc.find("failure") is not None]
    assert [tc.get("name") for tc in failing] == ["ns_sick_role"]
    assert "expected 'termination'" in failing[0].find("failure").get("message")  # type: ignore[union-attr]


def test_eval_cli_json_output(cases_dir: Path, ipt_data_dir: Path, tmp_path: Path):
    proc = run_eval(cli_env(ipt_data_dir), "--cases", cases_dir, "--baseline", tmp_path / "none.json",
                    "--report-dir", tmp_path / "r", "--json", "--suite", "notes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["suites"] == {"notes": {"total": 2, "passed": 2, "failed": 0, "errors": 0, "pass_rate": 1.0}}
    assert data["comparison"]["baseline"] is None
    assert Path(data["reports"]["junit"]).exists()


# =================================================================================================
# the proof: a drifting model is caught
# =================================================================================================
def test_live_eval_catches_cbt_drift_and_invented_note_facts(assistant_offline, cases_dir: Path,
                                                             ipt_data_dir: Path, tmp_path: Path):
    from assistant.evals.runner import baseline_payload, run_suite

    baseline = tmp_path / "offline.json"
    offline = run_suite(assistant_offline, load_cases(cases_dir), "all")
    assert all(r.verdict == "pass" for r in offline.results)
    baseline.write_text(json.dumps(baseline_payload(offline)), encoding="utf-8")

    reports = tmp_path / "live"
    with FakeOpenAIServer(drift_handler) as server:
        env = cli_env(ipt_data_dir, IPT_BASE_URL=server.base_url, IPT_API_KEY="test", IPT_MODEL="fake-model")
        proc = run_eval(env, "--mode", "live", "--cases", cases_dir, "--baseline", baseline, "--report-dir", reports)
    assert not server.handler_errors, server.handler_errors
    assert len(server.requests) == 6  # every case went to the model once
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "REGRESSION" in proc.stdout

    rep = report(reports)
    assert rep["mode"] == "live" and rep["model"] == "fake-model"
    results = by_id(rep)
    for cid in NEXT_IDS:
        r = results[cid]
        assert r["mode"] == "llm"
        assert r["verdict"] == "fail" and r["change"] == "regressed", r
        assert "in_frame" in failed_checks(r), r["checks"]
        reason = next(c["reason"] for c in r["checks"] if c["name"] == "in_frame")
        for span in ("thought record", "cognitive restructuring", "exposure hierarchy"):
            assert span in reason
        assert {"frame_violation", "citation_missing"} <= {f["code"] for f in r["flags"]}
        assert f"FAIL  next_step/{cid} [regressed]" in proc.stdout

    # Notes: the invented draft is caught by the fact check and replaced by the offline draft;
    # the flags record every invented claim and none of them reaches the note.
    for cid in NOTE_IDS:
        r = results[cid]
        spans = [f["span"] for f in r["flags"] if f["code"] == "unsupported_claim"]
        assert "21" in spans and "sertraline" in spans and "100 mg" in spans, spans
        assert any("denies" in (s or "").lower() for s in spans), spans
        assert "fallback_offline" in {f["code"] for f in r["flags"]}
        assert r["mode"] == "offline"
        low = r["output"].lower()
        for invented in ("21", "sertraline", "100 mg", "phq", "denies"):
            assert invented not in low, (cid, invented, r["output"])
        assert "Risk was not documented in the session bullets; clinician to complete." in r["output"]
    # In a model run a note is graded on what the model drafted, not on the repaired note: both
    # cases fail model_faithful (and the one that says "no unsupported claims" also fails its flags).
    assert results["nt_dap_sister"]["verdict"] == "fail"
    assert set(failed_checks(results["nt_dap_sister"])) == {"model_faithful", "flags"}
    assert results["nt_soap_grief"]["verdict"] == "fail"
    assert failed_checks(results["nt_soap_grief"]) == ["model_faithful"]
    assert rep["suites"]["next_step"]["pass_rate"] == 0.0
    assert set(rep["comparison"]["suite_drops"]) == {"next_step", "notes"}


def test_live_eval_with_a_failing_endpoint_reports_errors_not_passes(cases_dir: Path, ipt_data_dir: Path,
                                                                    tmp_path: Path, monkeypatch, capsys):
    """If the model never answered, the live suite has measured nothing about the model: every case
    is an "error" (like a replay cache miss), never a pass earned by the offline fallback."""
    from assistant.cli import main

    with MockOpenAI(lambda body: Reply(status=503, text="overloaded")) as server:  # in process: no socket needed
        for name, value in (("IPT_BASE_URL", server.base_url), ("IPT_API_KEY", "test"), ("IPT_MODEL", "fake-model"),
                            ("IPT_MAX_RETRIES", "0")):
            monkeypatch.setenv(name, value)
        rc = main(["eval", "--no-progress", "--concurrency", "2", "--mode", "live", "--cases", str(cases_dir),
                   "--baseline", str(tmp_path / "none.json"), "--report-dir", str(tmp_path / "r")])
    stdout = capsys.readouterr().out
    assert len(server.requests) == 6
    results = report(tmp_path / "r")["results"]
    fell_back = [(r["case_id"], r["verdict"]) for r in results if r["verdict"] != "error"]
    assert not fell_back, (f"endpoint failures graded as model output (offline fallback): {fell_back}; "
                           f"stdout: {stdout}")
    assert rc == 1, stdout


def test_live_mode_without_endpoint_is_a_clear_error(cases_dir: Path, ipt_data_dir: Path, tmp_path: Path):
    proc = run_eval(cli_env(ipt_data_dir), "--mode", "live", "--cases", cases_dir, "--report-dir", tmp_path / "r",
                    "--baseline", tmp_path / "b.json")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--mode live needs a model endpoint" in proc.stderr and "Traceback" not in proc.stderr


# =================================================================================================
# record / replay
# =================================================================================================
def test_record_then_replay_without_network(assistant_offline, cases_dir: Path, ipt_data_dir: Path,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant.config import Settings
    from assistant.evals.recordings import RecordingModel
    from assistant.evals.runner import build_assistant, run_suite
    from assistant.prompts import ANSWER_SYSTEM, ANSWER_USER, NOTE_SYSTEM, NOTE_USER, prompt_hash

    recordings = tmp_path / "recordings"
    baseline = tmp_path / "replay.json"
    cat_hash = assistant_offline.catalog.content_hash

    # record against a faithful model
    with FakeOpenAIServer(faithful_handler) as server:
        env = cli_env(ipt_data_dir, IPT_BASE_URL=server.base_url, IPT_API_KEY="test", IPT_MODEL="fake-model")
        proc = run_eval(env, "--mode", "record", "--cases", cases_dir, "--recordings", recordings,
                        "--baseline", baseline, "--report-dir", tmp_path / "rec", "--bless")
        url = server.base_url
    assert not server.handler_errors, server.handler_errors
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(server.requests) == 6
    recorded = by_id(report(tmp_path / "rec"))
    assert {cid: r["verdict"] for cid, r in recorded.items()} == {i: "pass" for i in NEXT_IDS + NOTE_IDS}, \
        {cid: failed_checks(r) for cid, r in recorded.items()}
    assert all(r["mode"] == "llm" for r in recorded.values())

    files = sorted((recordings / "fake-model").glob("*.json"))
    assert len(files) == 6, files
    expected_prompts = prompt_hash(ANSWER_SYSTEM, ANSWER_USER, NOTE_SYSTEM, NOTE_USER)
    for path in files:
        rec = json.loads(path.read_text(encoding="utf-8"))
        assert {"key", "model", "messages", "response", "prompt_hash", "catalog_hash"} <= set(rec)
        assert path.stem == rec["key"]
        assert rec["model"] == "fake-model" and rec["catalog_hash"] == cat_hash
        assert rec["prompt_hash"] == expected_prompts
        assert rec["response"]["text"] and rec["messages"][0]["role"] == "system"
    assert not list(recordings.rglob("*.tmp"))

    # replay: the server is stopped; every call must come from the recordings
    proc = run_eval(cli_env(ipt_data_dir, IPT_BASE_URL=url, IPT_API_KEY="test", IPT_MODEL="fake-model"),
                    "--mode", "replay", "--cases", cases_dir, "--recordings", recordings,
                    "--baseline", baseline, "--report-dir", tmp_path / "rep")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 regressed, 0 fixed, 0 new, 0 removed" in proc.stdout
    replayed = by_id(report(tmp_path / "rep"))
    for cid, r in recorded.items():
        assert replayed[cid]["verdict"] == r["verdict"]
        assert replayed[cid]["output"] == r["output"]
        assert replayed[cid]["checks"] == r["checks"]
        assert not any(f["code"] == "endpoint_error" for f in replayed[cid]["flags"])

    # replay with no endpoint configured at all, picking the only recorded model by itself
    proc = run_eval(cli_env(ipt_data_dir), "--mode", "replay", "--cases", cases_dir, "--recordings", recordings,
                    "--baseline", baseline, "--report-dir", tmp_path / "rep2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[replay/fake-model]" in proc.stdout

    # a different model name: every call misses the cache -> "error", never pass or fail
    proc = run_eval(cli_env(ipt_data_dir), "--mode", "replay", "--model", "other-model", "--cases", cases_dir,
                    "--recordings", recordings, "--baseline", baseline, "--report-dir", tmp_path / "miss")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    missed = report(tmp_path / "miss")
    assert {r["verdict"] for r in missed["results"]} == {"error"}
    assert all("no recording for this call" in r["error"] for r in missed["results"])
    assert missed["suites"]["next_step"]["errors"] == 4 and missed["suites"]["notes"]["errors"] == 2
    root = ET.parse(tmp_path / "miss" / "eval-junit.xml").getroot()
    assert sum(int(s.get("errors") or 0) for s in root.iter("testsuite")) == 6
    assert sum(int(s.get("failures") or 0) for s in root.iter("testsuite")) == 0

    # in process, with the network blocked outright: replay re-grades the stored outputs
    def no_network(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        raise OSError("network access in a replay test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    cases = load_cases(cases_dir)
    replay = build_assistant("replay", Settings(model="fake-model"), recordings)
    run = run_suite(replay, cases, "all", mode="replay")
    assert {r.case_id: r.verdict for r in run.results} == {cid: r["verdict"] for cid, r in recorded.items()}
    assert replay.model.hits == 6 and replay.model.misses == 0  # type: ignore[union-attr]

    # re-grading: a stricter expectation is applied to the stored answer without the model
    strict = cases.model_copy(update={"next_step": [
        NextStepCase.model_validate({**c.model_dump(), "expect": {**c.expect.model_dump(),
                                                                  "must": ["a phrase the model never wrote"]}})
        if c.id == "ns_dispute_chores" else c for c in cases.next_step]})
    regraded = {r.case_id: r for r in run_suite(replay, strict, "next_step", mode="replay").results}
    assert regraded["ns_dispute_chores"].verdict == "fail"
    assert failed_checks({"checks": regraded["ns_dispute_chores"].checks}) == ["phrases"]
    assert regraded["ns_grief_father"].verdict == "pass"
    assert replay.model.misses == 0  # type: ignore[union-attr]

    # a knowledge base changed where no case's messages reach it (another catalog hash, the same model input) still
    # replays; a changed prompt set misses the cache -> error (a knowledge change that reaches the messages misses too:
    # test_replay_miss_when_a_recorded_message_differs)
    other_kb = build_assistant("replay", Settings(model="fake-model"), recordings)
    other_kb.model = RecordingModel(None, recordings, "0" * 16, "replay", name="fake-model")
    run = run_suite(other_kb, cases, "all", mode="replay")
    assert {r.case_id: r.verdict for r in run.results} == {cid: r["verdict"] for cid, r in recorded.items()}
    assert other_kb.model.same_input == other_kb.model.hits > 0 and other_kb.model.misses == 0  # type: ignore[union-attr]
    stale_prompts = build_assistant("replay", Settings(model="fake-model"), recordings)
    stale_prompts.model.prompts = "edited-prompt"  # type: ignore[union-attr]
    run = run_suite(stale_prompts, cases, "next_step", mode="replay")
    assert {r.verdict for r in run.results} == {"error"}


def test_replay_miss_when_a_recorded_message_differs(tmp_path: Path):
    """The key covers the messages: a recording whose request differs does not answer this call."""
    from assistant.evals.recordings import MissingRecording, RecordingModel

    inner = ScriptedModel(name="m1", default="recorded answer")
    rec = RecordingModel(inner, tmp_path, "cat1", "record")
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "question one"}]
    assert rec.complete(msgs).text == "recorded answer"
    replay = RecordingModel(None, tmp_path, "cat1", "replay", name="m1")
    assert replay.complete(msgs).text == "recorded answer"
    with pytest.raises(MissingRecording):
        replay.complete([msgs[0], {"role": "user", "content": "question two"}])
    with pytest.raises(MissingRecording):
        replay.complete(msgs, max_tokens=100)  # parameters are part of the key
    # another knowledge base, the same model input: the recording answers (the model saw the same thing) ...
    other = RecordingModel(None, tmp_path, "cat2", "replay", name="m1")
    assert other.complete(msgs).text == "recorded answer" and other.same_input == 1
    # ... but not a different input under it, nor another prompt set
    with pytest.raises(MissingRecording):
        other.complete([msgs[0], {"role": "user", "content": "question two"}])
    other.prompts = "edited-prompt"
    with pytest.raises(MissingRecording):
        other.complete(msgs)
    assert len(inner.history) == 1
    # recorded endpoint errors replay as errors
    failing = RecordingModel(ScriptedModel(name="m2", replies=[EndpointError("HTTP 500", kind="server")]),
                             tmp_path, "cat1", "record")
    with pytest.raises(EndpointError):
        failing.complete(msgs)
    with pytest.raises(EndpointError, match="HTTP 500"):
        RecordingModel(None, tmp_path, "cat1", "replay", name="m2").complete(msgs)


def test_replay_needs_a_model_name_when_several_were_recorded(tmp_path: Path):
    from assistant.config import Settings
    from assistant.errors import InputError
    from assistant.evals.recordings import RecordingModel, recorded_models
    from assistant.evals.runner import build_assistant

    msgs = [{"role": "user", "content": "hi"}]
    for name in ("model-a", "model/b"):
        RecordingModel(ScriptedModel(name=name, default="x"), tmp_path, "c", "record").complete(msgs)
    assert sorted(recorded_models(tmp_path)) == ["model-a", "model/b"]
    with pytest.raises(InputError, match="name the recorded model"):
        build_assistant("replay", Settings(), tmp_path)


# =================================================================================================
# the LLM judge
# =================================================================================================
GOOD_VERDICT = {"verdict": "pass", "criteria": {"in_frame": True}, "evidence": ["Use role play"], "reason": "ok"}
FAIL_VERDICT = {"verdict": "fail", "criteria": {"in_frame": False}, "evidence": ["thought record"],
                "reason": "recommends a CBT method"}


def test_parse_verdict():
    from assistant.evals.judge import parse_verdict

    assert parse_verdict(json.dumps(GOOD_VERDICT)) == GOOD_VERDICT
    prose = f"Here is my grading.\n```json\n{json.dumps(FAIL_VERDICT)}\n```\nHope that helps."
    assert parse_verdict(prose)["verdict"] == "fail"
    for bad in ["{verdict: pass}", "no json here", "", '{"verdict": "maybe"}',
                '{"verdict": "pass", "criteria": ["in_frame"]}', '{"verdict": "pass", "evidence": "a quote"}',
                '{"verdict": "pass", "criteria": {}'] :
        with pytest.raises(ValueError):
            parse_verdict(bad)


def _one_case(cases_dir: Path, cid: str) -> NextStepCase | NoteCase:
    cases = load_cases(cases_dir)
    return next(c for c in [*cases.next_step, *cases.notes] if c.id == cid)


def test_judge_error_never_decides_the_verdict(assistant_offline, cases_dir: Path):
    from assistant.evals.judge import judge_with
    from assistant.evals.runner import run_case

    failing_judge = ScriptedModel(name="judge", replies=[EndpointError("judge down (HTTP 503)", kind="server")] * 3)
    judge = judge_with(failing_judge)
    passing = run_case(assistant_offline, _one_case(cases_dir, "ns_dispute_chores"), judge)
    assert passing.judge is not None and passing.judge["verdict"] == "error"
    assert "judge down" in passing.judge["error"] and passing.judge["rubric"] == "judge_answer_v1"
    assert passing.verdict == "pass"

    bad_case = NextStepCase.model_validate({"id": "ns_wrong_phase", "question": "Session 5: fights with husband.",
                                            "expect": {"phase": "termination"}})
    failing = run_case(assistant_offline, bad_case, judge)
    assert failing.judge["verdict"] == "error" and failing.verdict == "fail"  # type: ignore[index]

    note_result = run_case(assistant_offline, _one_case(cases_dir, "nt_dap_sister"), judge)
    assert note_result.judge["verdict"] == "error" and note_result.judge["rubric"] == "judge_note_v1"  # type: ignore[index]
    assert note_result.verdict == "pass"

    # unusable judge output is an error too, not a pass
    garbled = run_case(assistant_offline, _one_case(cases_dir, "ns_dispute_chores"),
                       judge_with(ScriptedModel(name="judge", default="I think it is fine.")))
    assert garbled.judge["verdict"] == "error" and garbled.verdict == "pass"  # type: ignore[index]


def test_judge_fail_fails_the_case_and_pass_keeps_it(assistant_offline, cases_dir: Path):
    from assistant.evals.judge import judge_with
    from assistant.evals.report import render_junit
    from assistant.evals.runner import RunResult, run_case

    model = ScriptedModel(name="judge", default=json.dumps(FAIL_VERDICT))
    case = _one_case(cases_dir, "ns_dispute_chores")
    r = run_case(assistant_offline, case, judge_with(model))
    assert all(c["passed"] for c in r.checks)
    assert r.verdict == "fail"
    assert r.judge["evidence"] == ["thought record"] and r.judge["judge_model"] == "judge"  # type: ignore[index]
    assert r.judge["rubric_sha"]  # type: ignore[index]
    prompt = model.last_user
    assert case.question in prompt and "middle" in prompt and "role_dispute" in prompt
    xml = render_junit(RunResult("offline", None, [r], {}, 0.1, "h"))
    assert "judge fail" in xml

    ok = run_case(assistant_offline, case, judge_with(ScriptedModel(name="judge", default=json.dumps(GOOD_VERDICT))))
    assert ok.verdict == "pass" and ok.judge["verdict"] == "pass"  # type: ignore[index]


def test_judge_over_http_errors_and_verdicts(assistant_offline, cases_dir: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant.config import Settings
    from assistant.evals.judge import make_judge
    from assistant.evals.runner import run_case

    case = _one_case(cases_dir, "ns_grief_father")
    assert make_judge(Settings(offline=True)) is None  # no judge endpoint: no judge
    with MockOpenAI() as server:  # in process: no socket needed
        monkeypatch.setenv("IPT_JUDGE_BASE_URL", server.base_url)
        monkeypatch.setenv("IPT_JUDGE_MODEL", "judge-model")
        monkeypatch.setenv("IPT_JUDGE_API_KEY", "test")
        judge = make_judge(Settings(offline=True, max_retries=0))
        assert judge is not None
        server.enqueue(Reply(status=500, text="judge exploded"))
        r = run_case(assistant_offline, case, judge)
        assert r.judge["verdict"] == "error" and "HTTP 500" in r.judge["error"] and r.verdict == "pass"  # type: ignore[index]
        server.enqueue(Reply(text="Verdict follows: " + json.dumps(FAIL_VERDICT)))
        r = run_case(assistant_offline, case, judge)
        assert r.verdict == "fail" and r.judge["judge_model"] == "judge-model"  # type: ignore[index]
        body = server.requests[-1]
        assert body["model"] == "judge-model" and body["temperature"] == 0.0
    assert not server.handler_errors


def test_eval_cli_with_judge(cases_dir: Path, ipt_data_dir: Path, tmp_path: Path):
    with FakeOpenAIServer(lambda body: Reply(text=json.dumps(FAIL_VERDICT))) as server:
        env = cli_env(ipt_data_dir, IPT_JUDGE_BASE_URL=server.base_url, IPT_JUDGE_MODEL="judge-model",
                      IPT_JUDGE_API_KEY="test")
        proc = run_eval(env, "--cases", cases_dir, "--filter", "ns_grief", "--judge", "--report-dir", tmp_path / "r",
                        "--baseline", tmp_path / "b.json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    r = by_id(report(tmp_path / "r"))["ns_grief_father"]
    assert r["verdict"] == "fail" and r["judge"]["verdict"] == "fail" and r["judge"]["rubric"] == "judge_answer_v1"
    assert all(c["passed"] for c in r["checks"])
    assert len(server.requests) == 1
    page = (tmp_path / "r" / "eval-report.html").read_text(encoding="utf-8")
    assert "LLM judge" in page and "recommends a CBT method" in page

    proc = run_eval(cli_env(ipt_data_dir), "--cases", cases_dir, "--filter", "ns_grief", "--judge",
                    "--report-dir", tmp_path / "r2", "--baseline", tmp_path / "b.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--judge ignored" in proc.stderr
