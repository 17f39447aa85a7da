"""Progress notes from clinician bullets: parsing, the offline renderer, risk handling, flags,
the fact check against planted inventions (ScriptedModel and the real client over a fake
server), input errors, the ``ipt note`` command line, notes from pasted bullets in chat, and
privacy of errors.

The fixture (tests/fixtures/notes.yaml) holds realistic bullets with the facts a careful reader
would extract. The central requirement: the fact check finds zero unsupported claims in every
offline note (invented-fact rate 0).
"""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from ipt_cli import cli_env, run_ipt

from assistant import Assistant
from assistant.config import Settings
from assistant.errors import EndpointError, InputError
from assistant.models import Note
from assistant.notes.factcheck import find_unsupported
from assistant.notes.io import MAX_BULLETS_CHARS, decode_bullets, read_bullets
from assistant.notes.parse import parse_bullets
from assistant.notes.render import FORMAT_SECTIONS, RISK_NOT_DOCUMENTED
from assistant.testing.fake_model import ScriptedModel
from assistant.testing.fake_server import FakeOpenAIServer, Reply

REPO = Path(__file__).resolve().parent.parent
FIXTURE_FILE = Path(__file__).resolve().parent / "fixtures" / "notes.yaml"
FIXTURES: list[dict[str, Any]] = yaml.safe_load(FIXTURE_FILE.read_text(encoding="utf-8"))
BY_ID = {fx["id"]: fx for fx in FIXTURES}
#: Where each format puts the clinical assessment (SOAP/DAP: Assessment; BIRP/GIRP: Response).
ASSESSMENT_SECTION = {"soap": "Assessment", "dap": "Assessment", "birp": "Response", "girp": "Response"}
NOTE_FIELDS = {"format", "sections", "text", "facts", "techniques", "flags", "mode", "model", "usage"}
DENIAL_WORD = re.compile(r"\bden(?:y|ies|ied|ying|ial)\b", re.I)
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def params(fixtures: list[dict[str, Any]] = FIXTURES) -> list[Any]:
    return [pytest.param(fx, id=fx["id"]) for fx in fixtures]


def cli_numbers(fx: dict[str, Any]) -> set[str]:
    """Numbers the clinician gave on the command line (allowed in the note besides the bullets)."""
    return {str(fx[k]) for k in ("session", "of") if fx.get(k) is not None}


@lru_cache(maxsize=None)
def _offline_note_cached(fx_id: str) -> Note:
    fx = BY_ID[fx_id]
    return Assistant(offline=True).draft_note(fx["bullets"], format=fx["format"], session=fx.get("session"),
                                              total_sessions=fx.get("of"), focal_area=fx.get("focus"))


def offline_note(fx: dict[str, Any]) -> Note:
    return _offline_note_cached(fx["id"])


def flag_codes(note: Note) -> list[str]:
    return [f.code for f in note.flags]


def unsupported_spans(note: Note) -> list[str]:
    return [f.span or "" for f in note.flags if f.code == "unsupported_claim"]


# -- the fixture itself ---------------------------------------------------------------------------------
def test_fixture_is_broad_enough() -> None:
    ids = [fx["id"] for fx in FIXTURES]
    assert len(ids) >= 24 and len(ids) == len(set(ids))
    assert {fx["format"] for fx in FIXTURES} == set(FORMAT_SECTIONS)
    risks = [fx["expect"]["risk"] for fx in FIXTURES]
    assert {"present", "denied", "not_documented"} <= set(risks)
    present = [fx["expect"] for fx in FIXTURES if fx["expect"]["risk"] == "present"]
    assert {"passive", "active"} <= {e.get("ideation") for e in present}
    assert {True, False, None} <= {e.get("safety_plan_reviewed", "unset") for e in present}
    assert any("self-harm" in fx["bullets"] or "cutting" in fx["bullets"] for fx in FIXTURES)
    text = "\n".join(fx["bullets"] for fx in FIXTURES)
    for shorthand in ("s. 11/16", "2nd session", "pt ", "w/", "hw", "comm analysis", "RP'd", "II done",
                      "inventory done", "gave sick role", "psychoed", "mood 4/10", "PHQ-9 14",
                      "denies SI/HI", "SI: denied", "no SI"):
        assert shorthand in text, shorthand
    assert {0, 1} <= {fx["expect"]["tasks"] for fx in FIXTURES}
    assert any(fx["expect"]["session"] is None for fx in FIXTURES)
    for fx in FIXTURES:
        assert fx["expect"]["keep"], fx["id"]


# -- parsing --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fx", params())
def test_parse_bullets_extracts_the_facts(fx: dict[str, Any], catalog) -> None:
    exp = fx["expect"]
    f = parse_bullets(fx["bullets"], catalog, session=fx.get("session"), total_sessions=fx.get("of"),
                      focal_area=fx.get("focus"))
    got: dict[str, Any] = {"session": f.session, "total_sessions": f.total_sessions, "phase": f.phase,
                           "techniques": sorted(f.techniques), "risk": f.risk.status,
                           "tasks": 1 if f.tasks else 0}
    want: dict[str, Any] = {"session": exp["session"], "total_sessions": exp["total_sessions"],
                            "phase": exp["phase"], "techniques": sorted(exp["techniques"]), "risk": exp["risk"],
                            "tasks": exp["tasks"]}
    for key in ("ideation", "plan", "safety_plan_reviewed"):
        if key in exp:
            got[key] = getattr(f.risk, key)
            want[key] = exp[key]
    if exp["focal_area"] is not None:
        got["focal"] = (f.focal_area, f.focal_area_source)
        want["focal"] = (exp["focal_area"], exp["focal_source"])
    else:
        # Not stated: unknown, or an inference that is fair and labelled as one.
        ok = exp.get("focal_inferred_ok", [])
        got["focal"] = "ok" if f.focal_area is None or (f.focal_area in ok and f.focal_area_source == "inferred") \
            else (f.focal_area, f.focal_area_source)
        want["focal"] = "ok"
    assert got == want
    assert f.bullets and all(b in fx["bullets"] for b in f.bullets)


# -- the offline note -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fx", params())
def test_offline_note_keeps_the_clinicians_words(fx: dict[str, Any]) -> None:
    note = offline_note(fx)
    assert note.mode == "offline" and note.model is None
    # Verbatim, except that a clause opening a sentence may have its first letter capitalised.
    missing = [k for k in fx["expect"]["keep"] if k not in note.text and k[:1].upper() + k[1:] not in note.text]
    assert not missing, f"dropped or reworded: {missing}\n{note.text}"


@pytest.mark.parametrize("fx", params())
def test_offline_note_has_exactly_the_format_sections_in_order(fx: dict[str, Any]) -> None:
    note = offline_note(fx)
    wanted = list(FORMAT_SECTIONS[fx["format"]])
    assert note.format == fx["format"]
    assert list(note.sections) == wanted
    assert all(v.strip() for v in note.sections.values())
    headings = re.findall(r"^## (.+)$", note.text, re.M)
    assert headings == wanted
    assert note.text.startswith(f"# IPT progress note ({fx['format'].upper()})")


@pytest.mark.parametrize("fx", params())
def test_offline_note_speaks_ipt(fx: dict[str, Any], catalog) -> None:
    exp = fx["expect"]
    note = offline_note(fx)
    low = note.text.lower()
    if exp["session"] is not None:
        if exp["phase"] == "maintenance":  # past the acute course: "session 18 of 16" is not asked for
            assert f"ipt session {exp['session']}" in low
        else:
            course = f" of {exp['total_sessions']}" if exp["total_sessions"] else " (course length not documented)"
            assert f"ipt session {exp['session']}{course}" in low
        assert f"{exp['phase']} phase" in low
    else:
        assert "session number not documented" in low
    f = note.facts
    if f.focal_area:
        area = catalog.focal_areas[f.focal_area].name.split(" (")[0].lower()
        assert f"focal area: {area}" in low
        if f.focal_area_source == "inferred":
            assert "inferred from the bullets; confirm" in low
    else:
        assert "focal area not documented" in low
    for tid in exp["techniques"]:
        assert catalog.techniques[tid].name.lower() in low, tid
    if not exp["techniques"] and not f.interventions:
        assert "no ipt interventions were documented" in low


@pytest.mark.parametrize("fx", params())
def test_offline_note_has_zero_unsupported_claims(fx: dict[str, Any], catalog) -> None:
    """Invented-fact rate 0: everything the offline note states is supported by the bullets."""
    note = offline_note(fx)
    # The same claim-level check a model draft gets: entities, risk, focal status, content grounding.
    problems = find_unsupported("\n".join(note.sections.values()), fx["bullets"], catalog,
                                allowed_numbers=cli_numbers(fx), clauses=[c for c, _ in note.facts.clauses],
                                focal=(note.facts.focal_area, note.facts.focal_status))
    assert problems == [], [(p.kind, p.span, p.sentence) for p in problems]
    assert "unsupported_claim" not in flag_codes(note)


@pytest.mark.parametrize("fx", params())
def test_offline_note_flags_follow_the_facts(fx: dict[str, Any]) -> None:
    exp = fx["expect"]
    codes = flag_codes(offline_note(fx))
    assert ("risk_present" in codes) == (exp["risk"] == "present")
    assert ("risk_not_documented" in codes) == (exp["risk"] == "not_documented")
    assert ("no_interpersonal_task" in codes) == (exp["tasks"] == 0)
    assert ("session_number_unknown" in codes) == (exp["session"] is None)
    if exp["focal_area"] is not None:
        assert "focal_area_unknown" not in codes and "focal_area_inferred" not in codes
    else:
        assert ("focal_area_unknown" in codes) != ("focal_area_inferred" in codes)


# -- risk -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fx", params([fx for fx in FIXTURES if fx["expect"]["risk"] == "not_documented"]))
def test_risk_not_documented_is_said_and_never_denied(fx: dict[str, Any]) -> None:
    note = offline_note(fx)
    assert "risk_not_documented" in flag_codes(note)
    assert "Risk was not documented in the session bullets" in note.sections[ASSESSMENT_SECTION[fx["format"]]]
    assert not DENIAL_WORD.search(note.text), note.text


@pytest.mark.parametrize("fmt", list(FORMAT_SECTIONS))
def test_risk_not_documented_in_every_format(fmt: str, assistant_offline) -> None:
    note = assistant_offline.draft_note("- session 6 of 16, role dispute w/ partner\n- comm analysis of the fight\n"
                                        "- hw: ask partner for 10 minutes to talk on Sunday", format=fmt)
    assert note.facts.risk.status == "not_documented"
    assert "risk_not_documented" in flag_codes(note)
    assert RISK_NOT_DOCUMENTED in note.text
    assert not DENIAL_WORD.search(note.text)
    assert "risk assessment" in note.sections["Plan"].lower()


@pytest.mark.parametrize("fx", params([fx for fx in FIXTURES if fx["expect"]["risk"] == "denied"]))
def test_risk_denied_keeps_the_clinicians_denial_wording(fx: dict[str, Any]) -> None:
    note = offline_note(fx)
    denial = note.facts.risk.denial_text
    # The denial clauses, each exactly as the clinician wrote it.
    assert denial and all(part in fx["bullets"] for part in denial.split("; "))
    section = note.sections[ASSESSMENT_SECTION[fx["format"]]]
    assert denial.rstrip(".;") in section
    codes = flag_codes(note)
    assert "risk_present" not in codes and "risk_not_documented" not in codes
    assert RISK_NOT_DOCUMENTED not in note.text


@pytest.mark.parametrize("wording", ["denies SI/HI", "SI: denied", "no SI", "denies suicidal ideation", "SI/HI: denied"])
def test_each_denial_wording_appears_as_written(wording: str, assistant_offline) -> None:
    note = assistant_offline.draft_note(f"- s. 5/16, FA grief\n- explored feelings about the funeral\n- {wording}",
                                        format="dap")
    assert note.facts.risk.status == "denied"
    assert wording in note.sections["Assessment"]
    assert not note.has_flag("risk_not_documented")


def _safety_plan_phrase(reviewed: bool | None) -> str:
    return {True: "safety plan reviewed", False: "safety plan not reviewed", None: "not documented"}[reviewed]


def _plan_phrase(reviewed: bool | None) -> str:
    """The plan points to the status the assessment states in the bullets' words; it does not restate it as done."""
    return "safety plan status not documented" if reviewed is None else "safety plan as documented in the assessment"


@pytest.mark.parametrize("fx", params([fx for fx in FIXTURES if fx["expect"]["risk"] == "present"]))
def test_risk_present_is_surfaced_in_assessment_and_plan(fx: dict[str, Any]) -> None:
    exp = fx["expect"]
    note = offline_note(fx)
    assert "risk_present" in flag_codes(note)
    assessment = note.sections[ASSESSMENT_SECTION[fx["format"]]]
    plan = note.sections["Plan"]
    risk_lines = note.facts.risk.details
    assert risk_lines and any(line in assessment for line in risk_lines if line in fx["bullets"])
    assert re.search(r"\brisk\b", plan, re.I) and re.search(r"\bsafety\b", plan, re.I)
    if "safety_plan_reviewed" in exp:
        phrase = _safety_plan_phrase(exp["safety_plan_reviewed"])
        assert phrase in assessment.lower() and _plan_phrase(exp["safety_plan_reviewed"]) in plan.lower()
        if exp["safety_plan_reviewed"] is None:
            # Never invented: no "reviewed" claim when the bullets do not say.
            assert "safety plan reviewed" not in note.text.lower()
            assert "safety plan not reviewed" not in note.text.lower()


@pytest.mark.parametrize("line,reviewed", [
    ("- safety plan reviewed and updated", True),
    ("- safety plan not reviewed - out of time", False),
    ("", None),
])
@pytest.mark.parametrize("fmt", ["soap", "birp"])
def test_safety_plan_status_is_as_written(line: str, reviewed: bool | None, fmt: str, assistant_offline) -> None:
    bullets = "- s. 7/16, FA role transition (retired in June)\n- pt reports passive SI, no plan, no intent\n" \
              "- explored feelings about retirement\n" + line
    note = assistant_offline.draft_note(bullets, format=fmt)
    assert note.facts.risk.status == "present"
    assert note.facts.risk.safety_plan_reviewed is reviewed
    phrase = _safety_plan_phrase(reviewed)
    assert phrase in note.sections[ASSESSMENT_SECTION[fmt]].lower()
    assert _plan_phrase(reviewed) in note.sections["Plan"].lower()
    assert "passive SI" in note.sections[ASSESSMENT_SECTION[fmt]]


# -- flags ----------------------------------------------------------------------------------------------
def test_flags_for_what_is_missing(assistant_offline) -> None:
    note = assistant_offline.draft_note("- pt talked about feeling low\n- explored feelings\n- no SI", format="soap")
    codes = flag_codes(note)
    assert "no_interpersonal_task" in codes
    assert "session_number_unknown" in codes
    assert "focal_area_unknown" in codes or "focal_area_inferred" in codes
    assert "session number not documented" in note.text
    assert "No interpersonal task was documented" in note.sections["Plan"]


def test_no_missing_flags_when_all_is_documented(assistant_offline) -> None:
    note = assistant_offline.draft_note("- s. 6/16, FA: role dispute w/ wife\n- comm analysis of the fight\n- denies SI\n"
                                        "- hw: ask wife to talk for 10 minutes on Sunday", format="dap")
    codes = flag_codes(note)
    for code in ("no_interpersonal_task", "session_number_unknown", "focal_area_unknown", "focal_area_inferred",
                 "risk_not_documented", "risk_present"):
        assert code not in codes


def test_cli_arguments_win_and_stop_the_missing_flags(assistant_offline) -> None:
    note = assistant_offline.draft_note("- pt talked about feeling low\n- explored feelings\n- no SI", format="dap",
                                        session=4, total_sessions=12, focal_area="grief")
    assert (note.facts.session, note.facts.total_sessions, note.facts.phase) == (4, 12, "middle")
    assert (note.facts.focal_area, note.facts.focal_area_source) == ("grief", "given")
    codes = flag_codes(note)
    assert "session_number_unknown" not in codes and "focal_area_unknown" not in codes
    assert "IPT session 4 of 12, middle phase" in note.text


# -- fact check against a model draft ------------------------------------------------------------------
BASE_BULLETS = """- s. 11/16, FA role dispute w/ husband
- pt reports mood 4/10, sleeping poorly
- comm analysis of the argument about chores
- RP'd asking husband for help w/ bedtime routine
- hw: ask husband to split the dishes this week
"""
FAITHFUL_DAP = """## Data
IPT session 11 of 16, middle phase. Focal area: role dispute with husband. The client reported mood 4/10 and was sleeping poorly. Communication analysis of the argument about chores was completed. The client role-played asking husband for help with the bedtime routine.

## Assessment
Work continues in the role dispute focal area. Risk was not documented in the session bullets; clinician to complete.

## Plan
Interpersonal task: ask husband to split the dishes this week. Continue IPT next session.
"""


def _with(sentence: str, after: str = "was sleeping poorly.") -> str:
    assert after in FAITHFUL_DAP
    return FAITHFUL_DAP.replace(after, after + " " + sentence, 1)


# (planted text, spans that must be flagged, the draft)
PLANTED = [
    pytest.param("PHQ-9 score was 18", ["18"], _with("Her PHQ-9 score was 18 today."), id="invented_phq9"),
    pytest.param("sertraline 50 mg", ["sertraline", "50 mg"], _with("She takes sertraline 50 mg daily."),
                 id="medication_and_dose"),
    pytest.param("Client denies SI.", ["denies SI"], _with("Client denies SI."), id="denies_si_when_not_documented"),
    pytest.param("mood 6/10", ["6/10"], FAITHFUL_DAP.replace("mood 4/10", "mood 6/10"), id="changed_mood_rating"),
    pytest.param("50-minute session", ["50"], _with("This was a 50-minute session."), id="invented_session_length"),
    pytest.param("her sister Lucia", ["Lucia"], _with("She also talked about her sister Lucia."), id="invented_name"),
    pytest.param('"I am invisible in my own home"', ['"I am invisible in my own home"'],
                 _with('The client said "I am invisible in my own home".'), id="invented_quote"),
    pytest.param("on Tuesday", ["Tuesday"], _with("The argument happened on Tuesday."), id="invented_weekday"),
    pytest.param("on March 3", ["March"], _with("The argument happened on March 3."), id="invented_date"),
]


def test_faithful_model_draft_passes_in_llm_mode() -> None:
    model = ScriptedModel().enqueue(FAITHFUL_DAP)
    note = Assistant(model=model).draft_note(BASE_BULLETS, format="dap")
    assert note.mode == "llm" and note.model == "scripted-fake"
    assert "unsupported_claim" not in flag_codes(note), [(f.span, f.message) for f in note.flags]
    assert "fallback_offline" not in flag_codes(note)
    assert list(note.sections) == list(FORMAT_SECTIONS["dap"])
    assert "Communication analysis of the argument about chores was completed." in note.sections["Data"]
    assert "_Draft for clinician review — model draft" in note.text
    assert "risk_not_documented" in flag_codes(note)
    assert len(model.history) == 1 and "comm analysis of the argument about chores" in model.last_user


@pytest.mark.parametrize("planted,spans,draft", PLANTED)
def test_fact_check_catches_planted_inventions(planted: str, spans: list[str], draft: str, catalog) -> None:
    assert planted in draft and planted not in BASE_BULLETS
    note = Assistant(model=ScriptedModel().enqueue(draft)).draft_note(BASE_BULLETS, format="dap")
    flagged = unsupported_spans(note)
    for span in spans:
        assert span in flagged, f"{span!r} not flagged; flagged: {flagged}"
    assert planted not in note.text, note.text
    for span in spans:
        assert span not in note.text, note.text
    if note.mode == "offline":
        assert "fallback_offline" in flag_codes(note)
    else:
        assert "fallback_offline" not in flag_codes(note)
        assert list(note.sections) == list(FORMAT_SECTIONS["dap"])
    # Whatever came back is itself clean.
    assert find_unsupported("\n".join(note.sections.values()), BASE_BULLETS, catalog) == []


def test_invented_denial_falls_back_to_the_offline_note() -> None:
    note = Assistant(model=ScriptedModel().enqueue(_with("Client denies SI."))).draft_note(BASE_BULLETS, format="dap")
    assert note.mode == "offline"
    assert "fallback_offline" in flag_codes(note) and "risk_not_documented" in flag_codes(note)
    assert not DENIAL_WORD.search(note.text)
    assert RISK_NOT_DOCUMENTED in note.text


def test_draft_missing_a_section_falls_back_offline() -> None:
    draft = FAITHFUL_DAP.split("## Assessment")[0] + "## Plan\nContinue IPT next session.\n"
    model = ScriptedModel().enqueue(draft)
    note = Assistant(model=model).draft_note(BASE_BULLETS, format="dap")
    assert note.mode == "offline"
    assert "fallback_offline" in flag_codes(note)
    assert list(note.sections) == list(FORMAT_SECTIONS["dap"])
    offline = Assistant(offline=True).draft_note(BASE_BULLETS, format="dap")
    assert note.sections == offline.sections


def test_endpoint_error_gives_the_offline_note() -> None:
    model = ScriptedModel().enqueue(EndpointError("the model endpoint example.test failed (HTTP 500)", kind="server",
                                                  status=500))
    note = Assistant(model=model).draft_note(BASE_BULLETS, format="soap")
    assert note.mode == "offline"
    assert "endpoint_error" in flag_codes(note)
    offline = Assistant(offline=True).draft_note(BASE_BULLETS, format="soap")
    assert note.sections == offline.sections and note.text == offline.text


# -- the real client over a fake OpenAI-compatible server ------------------------------------------------
@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _server_assistant(server: FakeOpenAIServer, data_dir: Path, **kw: Any) -> Assistant:
    settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", timeout=10.0,
                        data_dir=data_dir, **{"max_retries": 0, **kw})
    return Assistant(settings)


def test_real_client_draft_with_invented_dose_is_cleaned(no_proxy: None, ipt_data_dir: Path) -> None:
    draft = _with("She takes sertraline 50 mg daily.")
    with FakeOpenAIServer(lambda body: Reply(text=draft)) as server:
        note = _server_assistant(server, ipt_data_dir).draft_note(BASE_BULLETS, format="dap")
        assert len(server.requests) == 1
        assert "comm analysis of the argument about chores" in json.dumps(server.requests[0])
    assert not server.handler_errors
    assert "50 mg" in unsupported_spans(note)
    assert "sertraline" not in note.text.lower() and "50 mg" not in note.text
    assert note.model == "fake-model"


# -- input errors -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bullets", [
    pytest.param("", id="empty"),
    pytest.param("   \n\t \n", id="whitespace"),
    pytest.param("- " + "x" * (MAX_BULLETS_CHARS + 1), id="too_long"),
    pytest.param("- mood 4/10\x00\x01\x02", id="nul_bytes"),
])
def test_bad_bullets_raise_input_error(bullets: str, assistant_offline) -> None:
    with pytest.raises(InputError):
        assistant_offline.draft_note(bullets, format="dap")


def test_bad_bullets_never_reach_the_model() -> None:
    model = ScriptedModel(default=FAITHFUL_DAP)
    for bad in ("", "  \n ", "x" * (MAX_BULLETS_CHARS + 1), "a\x00b"):
        with pytest.raises(InputError):
            Assistant(model=model).draft_note(bad, format="dap")
    with pytest.raises(InputError):
        Assistant(model=model).draft_note(BASE_BULLETS, format="narrative")
    assert model.history == []


def test_unknown_format_is_an_input_error(assistant_offline) -> None:
    with pytest.raises(InputError, match="format"):
        assistant_offline.draft_note(BASE_BULLETS, format="soapy")


def test_input_error_messages_do_not_echo_the_bullets() -> None:
    with pytest.raises(InputError) as info:
        decode_bullets("- Maria reports mood 4/10 \xe9".encode("latin-1"), "bullets.txt")
    assert "Maria" not in str(info.value) and "UTF-8" in str(info.value)
    with pytest.raises(InputError) as info:
        decode_bullets(b"- Maria \x00 reports", "bullets.txt")
    assert "Maria" not in str(info.value)


def test_read_bullets_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_bullets(str(tmp_path / "nope.txt"))


# -- the command line -----------------------------------------------------------------------------------
def ipt(*args: str, data_dir: Path, stdin: bytes = b"", extra_env: dict[str, str] | None = None,
        cwd: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    """``ipt ARGS``, in-process (see ``ipt_cli``)."""
    return run_ipt(args, env=cli_env(data_dir, **(extra_env or {})), stdin=stdin, cwd=cwd)


def _one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8")
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("ipt: ") and "Traceback" not in err
    return lines[0]


@pytest.fixture
def bullets_file(tmp_path: Path) -> Path:
    path = tmp_path / "bullets.txt"
    path.write_text(BY_ID["soap_dispute_s11_shorthand"]["bullets"], encoding="utf-8")
    return path


BAD_INPUTS = [
    pytest.param(b"", [], id="empty"),
    pytest.param(b"   \n\t\n  ", [], id="whitespace"),
    pytest.param(("- " + "a" * (MAX_BULLETS_CHARS + 10)).encode(), [], id="too_long"),
    pytest.param(b"- mood 4/10\n\x00\x00\x01binary", [], id="binary"),
    pytest.param("- Mar\u00eda reports mood 4/10 \u2013 se\u00f1ora".encode("latin-1", "replace"), [], id="latin1"),
    pytest.param(b"- mood 4/10\n- comm analysis", ["--format", "narrative"], id="unknown_format"),
    pytest.param(None, [], id="missing_file"),
]


@pytest.mark.parametrize("content,extra_args", BAD_INPUTS)
def test_cli_bad_input_exits_2_without_writing_or_calling_the_model(content: bytes | None, extra_args: list[str],
                                                                    tmp_path: Path, ipt_data_dir: Path) -> None:
    src = tmp_path / "in.txt"
    if content is not None:
        src.write_bytes(content)
    out = tmp_path / "note.md"
    with FakeOpenAIServer(lambda body: Reply(text=FAITHFUL_DAP)) as server:
        env = {"IPT_BASE_URL": server.base_url, "IPT_API_KEY": "test", "IPT_MODEL": "fake-model"}
        args = ["note", str(src), "--out", str(out)] + (extra_args or ["--format", "soap"])
        proc = ipt(*args, data_dir=ipt_data_dir, extra_env=env)
        assert proc.returncode == 2, proc.stderr.decode()
        line = _one_line_error(proc)
        assert server.requests == []
    assert not out.exists()
    assert list(tmp_path.iterdir()) == ([src] if content is not None else [])
    assert proc.stdout == b""
    assert "reports" not in line and "mood 4/10" not in line and "comm analysis" not in line


def test_cli_bad_stdin_exits_2(ipt_data_dir: Path) -> None:
    with FakeOpenAIServer(lambda body: Reply(text=FAITHFUL_DAP)) as server:
        env = {"IPT_BASE_URL": server.base_url, "IPT_API_KEY": "test", "IPT_MODEL": "fake-model"}
        proc = ipt("note", "-", "--format", "dap", data_dir=ipt_data_dir, stdin=b"  \n", extra_env=env)
        assert proc.returncode == 2
        _one_line_error(proc)
        assert server.requests == []


def test_cli_writes_the_note_atomically(bullets_file: Path, tmp_path: Path, ipt_data_dir: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "note.md"
    proc = ipt("note", str(bullets_file), "--format", "soap", "--out", str(out), data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# IPT progress note (SOAP)")
    assert re.findall(r"^## (.+)$", text, re.M) == list(FORMAT_SECTIONS["soap"])
    assert "denies SI/HI" in text and "mood 4/10" in text
    assert [p.name for p in outdir.iterdir()] == ["note.md"]  # no temp file left behind
    assert proc.stdout == b""
    assert f"wrote {out}" in proc.stderr.decode()


def test_cli_refuses_to_overwrite_without_force(bullets_file: Path, tmp_path: Path, ipt_data_dir: Path) -> None:
    out = tmp_path / "note.md"
    out.write_text("the clinician's signed note\n", encoding="utf-8")
    proc = ipt("note", str(bullets_file), "--format", "soap", "--out", str(out), data_dir=ipt_data_dir)
    assert proc.returncode == 2
    line = _one_line_error(proc)
    assert "--force" in line
    assert out.read_text(encoding="utf-8") == "the clinician's signed note\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bullets.txt", "note.md"]

    proc = ipt("note", str(bullets_file), "--format", "soap", "--out", str(out), "--force", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_text(encoding="utf-8").startswith("# IPT progress note (SOAP)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bullets.txt", "note.md"]


def test_cli_json_has_the_note_contract(bullets_file: Path, ipt_data_dir: Path) -> None:
    proc = ipt("note", str(bullets_file), "--format", "soap", "--json", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert set(data) == NOTE_FIELDS
    assert data["format"] == "soap" and data["mode"] == "offline" and data["model"] is None
    assert list(data["sections"]) == list(FORMAT_SECTIONS["soap"])
    assert data["text"].startswith("# IPT progress note (SOAP)")
    assert data["facts"]["session"] == 11 and data["facts"]["total_sessions"] == 16
    assert data["facts"]["focal_area"] == "role_dispute" and data["facts"]["risk"]["status"] == "denied"
    assert data["techniques"] == data["facts"]["techniques"]
    assert set(data["techniques"]) == {"communication_analysis", "role_play"}
    assert isinstance(data["flags"], list) and all({"code", "message", "span"} <= set(f) for f in data["flags"])
    assert {"prompt_tokens", "completion_tokens", "total_tokens", "model_calls", "latency_ms"} <= set(data["usage"])
    Note.model_validate(data)


def test_cli_json_to_out_file(bullets_file: Path, tmp_path: Path, ipt_data_dir: Path) -> None:
    out = tmp_path / "note.json"
    proc = ipt("note", str(bullets_file), "--format", "girp", "--json", "--out", str(out), data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == NOTE_FIELDS and list(data["sections"]) == list(FORMAT_SECTIONS["girp"])


def test_cli_reads_stdin(ipt_data_dir: Path) -> None:
    bullets = BY_ID["dap_dispute_sister_no_risk"]["bullets"].encode("utf-8")
    proc = ipt("note", "-", "--format", "dap", data_dir=ipt_data_dir, stdin=bullets)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")
    assert out.startswith("# IPT progress note (DAP)")
    assert "omm analysis of the phone call where sister hung up" in out  # first letter may be capitalised
    assert RISK_NOT_DOCUMENTED in out
    assert "[risk_not_documented]" in proc.stderr.decode()


def test_cli_session_and_focus_flags(bullets_file: Path, ipt_data_dir: Path) -> None:
    proc = ipt("note", str(bullets_file), "--format", "dap", "--session", "12", "--of", "20", "--focus",
               "role_dispute", "--json", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    facts = json.loads(proc.stdout)["facts"]
    assert (facts["session"], facts["total_sessions"], facts["phase"]) == (12, 20, "middle")
    assert (facts["focal_area"], facts["focal_area_source"]) == ("role_dispute", "given")


# -- chat -----------------------------------------------------------------------------------------------
def test_chat_drafts_a_note_from_pasted_bullets() -> None:
    from assistant.chat import run_chat

    pasted = BY_ID["soap_dispute_s11_shorthand"]["bullets"]
    stdin = io.StringIO("/format soap\n/note\n" + pasted + "\n\n/quit\n")  # notes only through /note
    stdout = io.StringIO()
    rc = run_chat(Settings(offline=True), as_json=True, stdin=stdin, stdout=stdout)
    assert rc == 0
    turns = [json.loads(line) for line in stdout.getvalue().splitlines() if line.strip()]
    notes = [t for t in turns if t["kind"] == "note"]
    assert len(notes) == 1
    note = notes[0]["note"]
    assert note["format"] == "soap" and note["mode"] == "offline"
    assert list(note["sections"]) == list(FORMAT_SECTIONS["soap"])
    assert "omm analysis of Sunday's argument about chores" in note["text"]  # first letter may be capitalised
    assert note["facts"]["session"] == 11
    assert turns[-1]["kind"] == "quit"


def test_chat_drafts_a_note_at_end_of_input() -> None:
    from assistant.chat import run_chat

    stdin = io.StringIO("/note\n- s. 4/16, role dispute w/ sister\n- comm analysis of the call\n- no SI\n")
    stdout = io.StringIO()
    assert run_chat(Settings(offline=True), as_json=True, stdin=stdin, stdout=stdout) == 0
    turns = [json.loads(line) for line in stdout.getvalue().splitlines() if line.strip()]
    assert [t["kind"] for t in turns] == ["note"]
    assert "no SI" in turns[0]["note"]["sections"]["Assessment"]


# -- privacy ----------------------------------------------------------------------------------------------
def test_failing_endpoint_never_leaks_the_patients_name(no_proxy: None, ipt_data_dir: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="assistant")
    bullets = ("- s. 6/16, FA role dispute w/ husband\n- Marisol reports mood 3/10 after fights with husband\n"
               "- comm analysis of Marisol's argument about money\n- denies SI\n"
               "- hw: Marisol will ask husband for a budget talk")
    # 503 is retried (a 500 is not: a retry cannot change it), so the patient's text is sent twice here.
    with FakeOpenAIServer(lambda body: Reply(status=503, text="upstream exploded")) as server:
        note = _server_assistant(server, ipt_data_dir, max_retries=1).draft_note(bullets, format="dap")
        assert len(server.requests) == 2
        assert "Marisol" in json.dumps(server.requests[0])  # the bullets did reach the model
    assert note.mode == "offline" and "endpoint_error" in flag_codes(note)
    for f in note.flags:
        assert "Marisol" not in f.message and "Marisol" not in (f.span or ""), (f.code, f.message, f.span)
    assert caplog.records, "expected the failure to be logged"
    for record in caplog.records:
        assert "Marisol" not in record.getMessage(), (record.name, record.getMessage())
    assert "Marisol" not in caplog.text
