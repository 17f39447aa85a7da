"""``ipt eval`` messages and reports (issue 12, items 7 and 8): each case counted once, no retrieval
metrics for a suite without any, non-ASCII kept in --json, replay of the recorded cases by default
with advice that fits the user's mode, and an HTML report that filters by suite, status and check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.evals.cases import NextStepCase, load_cases
from assistant.evals.report import render_html
from assistant.evals.runner import compare, run_suite, summary_line

from test_evals import NEXT_IDS, NOTE_IDS, write_cases


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    return write_cases(tmp_path / "cases")


def test_notes_suite_reports_no_retrieval_metrics(assistant_offline, cases_dir: Path) -> None:
    cases = load_cases(cases_dir)
    notes = run_suite(assistant_offline, cases, "notes")
    assert notes.metrics == {}  # not recall 0.0: there was nothing to retrieve
    assert "recall@3" not in summary_line(notes)
    both = run_suite(assistant_offline, cases, "all")
    assert both.metrics["retrieval"]["n"] > 0 and "recall@3" in summary_line(both)


def test_a_new_failing_case_is_counted_once(assistant_offline, cases_dir: Path) -> None:
    from assistant.evals.runner import baseline_payload

    cases = load_cases(cases_dir)
    base = baseline_payload(run_suite(assistant_offline, cases, "all"))
    failing = NextStepCase.model_validate({"id": "ns_new_fails", "question": "Session 5: fights with husband.",
                                           "expect": {"phase": "termination"}})
    run = run_suite(assistant_offline, cases.model_copy(update={"next_step": cases.next_step + [failing]}), "all")
    cmp_ = compare(run, base)
    assert cmp_["new"] == ["ns_new_fails"] and cmp_["new_failing"] == ["ns_new_fails"]
    assert cmp_["regressed"] == [] and cmp_["regression"] is True
    run.comparison = cmp_
    line = summary_line(run)
    assert "0 regressed, 0 fixed, 1 new (1 failing), 0 removed" in line and "REGRESSION" in line


def test_eval_json_keeps_non_ascii(cases_dir: Path, tmp_path: Path, capsys) -> None:
    reports = tmp_path / "rapports-été"
    rc = main(["eval", "--suite", "notes", "--cases", str(cases_dir), "--report-dir", str(reports), "--json",
               "--no-progress", "--baseline", str(tmp_path / "none.json")])
    out = capsys.readouterr().out
    data = json.loads(out)
    assert rc == 0, out
    assert "—" in out and "été" in out and "\\u" not in out  # written as UTF-8, not escaped
    assert "retrieval" not in data["metrics"]
    assert data["suites"]["notes"]["total"] == len(NOTE_IDS)


def _evals_root(tmp_path: Path, recorded: list[str]) -> Path:
    root = tmp_path / "evals"
    write_cases(root / "cases")
    (root / "recorded_cases.txt").write_text("# recorded\n" + "\n".join(recorded) + "\n", encoding="utf-8")
    stale = root / "recordings" / "fake-model"
    stale.mkdir(parents=True)
    (stale / ("0" * 32 + ".json")).write_text(json.dumps({"model": "fake-model"}), encoding="utf-8")
    return root


def test_replay_defaults_to_the_recorded_cases_and_advice_fits_offline_users(tmp_path: Path, monkeypatch,
                                                                            capsys) -> None:
    recorded = NEXT_IDS[:2]
    monkeypatch.setenv("IPT_EVALS_DIR", str(_evals_root(tmp_path, recorded)))
    rc = main(["eval", "--mode", "replay", "--json", "--no-progress", "--report-dir", str(tmp_path / "r")])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert rc == 1
    assert sum(s["total"] for s in data["suites"].values()) == len(recorded)  # only what was recorded
    cmp_ = data["comparison"]
    assert cmp_["regressed"] == [] and sorted(cmp_["new_failing"]) == sorted(recorded)  # each case once
    hint = data["hint"]
    assert "2 case(s) have no recording" in hint and "Without a model endpoint" in hint and "`ipt eval`" in hint
    assert "record first" not in captured.out + captured.err
    results = json.loads((tmp_path / "r" / "eval-report.json").read_text(encoding="utf-8"))["results"]
    assert all(r["error"].startswith("no recording") and "record first" not in r["error"] for r in results)


def test_replay_advice_for_a_user_with_an_endpoint(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("IPT_EVALS_DIR", str(_evals_root(tmp_path, NEXT_IDS[:1])))
    monkeypatch.setenv("IPT_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("IPT_MODEL", "fake-model")
    rc = main(["eval", "--mode", "replay", "--no-progress", "--report-dir", str(tmp_path / "r")])
    captured = capsys.readouterr()
    assert rc == 1
    assert "replaying the recorded cases listed in" in captured.err
    assert "re-record them against your endpoint with `ipt eval --mode record --ids FILE`" in captured.out


def test_html_report_filters_by_suite_status_and_check(assistant_offline, cases_dir: Path) -> None:
    cases = load_cases(cases_dir)
    failing = NextStepCase.model_validate({"id": "ns_fails", "question": "Session 5: fights with husband.",
                                           "expect": {"phase": "termination"}})
    run = run_suite(assistant_offline, cases.model_copy(update={"next_step": cases.next_step + [failing]}), "all")
    run.comparison = compare(run, None)
    page = render_html(run, summary_line(run))

    def options(select_id: str) -> list[str]:
        block = re.search(rf"<select id='{select_id}'>(.*?)</select>", page).group(1)
        return re.findall(r"<option value='([^']*)'>", block)

    assert options("f-suite") == ["", "next_step", "notes"]
    assert {"pass", "fail", "new"} <= set(options("f-status"))
    assert "phase" in options("f-check")
    cases_html = re.findall(r"<details class='case (\w+)' data-suite='(\w+)' data-verdict='(\w+)' "
                            r"data-change='(\w*)' data-failed='([^']*)'", page)
    assert len(cases_html) == len(run.results)
    fails = [c for c in cases_html if c[2] == "fail"]
    assert fails and all("phase" in c[4].split() for c in fails if c[0] == "fail")
    assert "<script>" in page and "addEventListener('change'" in page
    assert "src=" not in page and "href=" not in page and "http" not in page.split("<script>")[1]  # no external assets


_DOM_STUB = """
var cases = %(cases)s.map(function(d){
  var cls = {};
  return {dataset: d, classList: {toggle: function(n, on){ cls[n] = on; }}, hidden: function(){ return !!cls.hidden; }};
});
var selects = {};
['f-suite','f-status','f-check'].forEach(function(id){
  selects[id] = {value: '', handlers: [], addEventListener: function(e, h){ this.handlers.push(h); }};
});
var shown = {textContent: ''};
var document = {querySelectorAll: function(){ return cases; },
                getElementById: function(id){ return id === 'f-shown' ? shown : selects[id]; }};
var location = {hash: '%(hash)s', pathname: '/r.html'};
var history = {replaceState: function(a, b, url){ history.url = url; }};
%(js)s
function pick(id, value){ selects[id].value = value; selects[id].handlers.forEach(function(h){ h(); }); }
var out = {initial: shown.textContent};
pick('f-suite', 'notes'); out.notes = cases.map(function(c){ return !c.hidden(); });
pick('f-suite', ''); pick('f-status', 'fail'); out.fail = cases.map(function(c){ return !c.hidden(); });
pick('f-status', ''); pick('f-check', 'phase'); out.phase = cases.map(function(c){ return !c.hidden(); });
out.url = history.url; out.shown = shown.textContent;
console.log(JSON.stringify(out));
"""


def test_report_filter_script_filters(tmp_path: Path) -> None:
    """The report's inline script, run in node against a minimal DOM: each filter shows the right cases."""
    import shutil
    import subprocess

    from assistant.evals.report import _JS

    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed")
    cases = [{"suite": "next_step", "verdict": "pass", "change": "same", "failed": ""},
             {"suite": "next_step", "verdict": "fail", "change": "regressed", "failed": "phase techniques_top_k"},
             {"suite": "notes", "verdict": "fail", "change": "new", "failed": "kept_facts"},
             {"suite": "notes", "verdict": "pass", "change": "new", "failed": ""}]
    script = tmp_path / "filter.js"
    script.write_text(_DOM_STUB % {"cases": json.dumps(cases), "hash": "#status=new", "js": _JS}, encoding="utf-8")
    proc = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["initial"] == "2 of 4 cases"  # the filter in the URL's # applied on load (status=new)
    assert out["notes"] == [False, False, True, True]  # suite=notes (status=new still set)
    assert out["fail"] == [False, True, True, False]
    assert out["phase"] == [False, True, False, False]
    assert out["url"] == "#check=phase" and out["shown"] == "1 of 4 cases"
