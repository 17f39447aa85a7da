"""``ipt eval``: run the real pipeline over the cases, grade, compare with the baseline, report."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..assistant import Assistant
from ..config import Settings
from ..errors import EndpointError, InputError
from .cases import CaseSet, NextStepCase, NoteCase, load_cases
from .graders import Check, grade_answer, grade_note, retrieval_metrics

SUITES = ("next_step", "notes")
#: The case ids a committed replay run covers (``evals/recorded_cases.txt``).
RECORDED_CASES = "recorded_cases.txt"


def evals_dir() -> Path:
    """``IPT_EVALS_DIR``, else the checkout's ``evals/``, else the copy installed with the package
    (``assistant/_evals``: a non-editable ``pip install .`` ships the cases, baselines and recordings)."""
    env = os.environ.get("IPT_EVALS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2] / "evals"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parents[1] / "_evals"


#: Offline and replay runs are CPU-bound in one process: on 2 cores one worker was measured faster
#: and leaner than four (threads contend for the GIL and onnxruntime's pool). Model runs wait on I/O.
LOCAL_MODES = ("offline", "replay")


def default_concurrency(mode: str) -> int:
    return 1 if mode in LOCAL_MODES else 4


@dataclass
class CaseResult:
    suite: str
    case_id: str
    verdict: str  # pass | fail | error
    checks: list[dict[str, Any]]
    input: dict[str, Any]
    output: str = ""
    mode: str = ""
    retrieved: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    judge: dict[str, Any] | None = None
    duration_ms: float = 0.0
    change: str = ""  # regressed | fixed | new | same | ""


@dataclass
class RunResult:
    mode: str
    model: str | None
    results: list[CaseResult]
    metrics: dict[str, Any]
    seconds: float
    catalog_hash: str
    comparison: dict[str, Any] = field(default_factory=dict)

    def suite_stats(self) -> dict[str, dict[str, Any]]:
        stats: dict[str, dict[str, Any]] = {}
        for suite in SUITES:
            rs = [r for r in self.results if r.suite == suite]
            if not rs:
                continue
            passed = sum(r.verdict == "pass" for r in rs)
            stats[suite] = {"total": len(rs), "passed": passed, "failed": sum(r.verdict == "fail" for r in rs),
                            "errors": sum(r.verdict == "error" for r in rs), "pass_rate": round(passed / len(rs), 4)}
        return stats


def _verdict(checks: list[Check], judge: dict[str, Any] | None) -> str:
    ok = all(c.passed for c in checks)
    if judge and judge.get("verdict") == "fail":
        ok = False
    return "pass" if ok else "fail"


def _endpoint_failed(flags: list[Any], model_run: bool) -> None:
    """In a model run, an endpoint failure is an error for the case: grading the offline
    fallback would report a dead endpoint as a passing model."""
    failed = next((f.message for f in flags if f.code == "endpoint_error"), None)
    if model_run and failed:
        raise EndpointError(failed, kind="endpoint")


def run_case(assistant: Assistant, case: NextStepCase | NoteCase, judge: Callable[..., dict] | None) -> CaseResult:
    t0 = time.perf_counter()
    cat = assistant.catalog
    model_run = assistant.model is not None
    try:
        if isinstance(case, NextStepCase):
            ans = assistant.ask(case.question, session=case.session, total_sessions=case.of or 16, focal_area=case.focus)
            _endpoint_failed(ans.flags, model_run)
            checks = grade_answer(case, ans, cat)
            verdict_judge = judge("answer", case, ans.answer, ans) if judge else None
            return CaseResult("next_step", case.id, _verdict(checks, verdict_judge), [asdict(c) for c in checks],
                              {"question": case.question, "session": case.session, "of": case.of, "focus": case.focus},
                              ans.answer, ans.mode, ans.retrieved, ans.techniques,
                              [f.model_dump() for f in ans.flags], None, verdict_judge,
                              round((time.perf_counter() - t0) * 1000, 1))
        note = assistant.draft_note(case.bullets, format=case.format, session=case.session,
                                    total_sessions=case.of, focal_area=case.focus)
        _endpoint_failed(note.flags, model_run)
        checks = grade_note(case, note, cat, model_run=model_run)
        verdict_judge = judge("note", case, note.text, note) if judge else None
        return CaseResult("notes", case.id, _verdict(checks, verdict_judge), [asdict(c) for c in checks],
                          {"bullets": case.bullets, "format": case.format, "session": case.session, "of": case.of,
                           "focus": case.focus}, note.text, note.mode, [], note.techniques,
                          [f.model_dump() for f in note.flags], None, verdict_judge,
                          round((time.perf_counter() - t0) * 1000, 1))
    except Exception as exc:  # noqa: BLE001 - one broken case must not stop the run
        suite = "next_step" if isinstance(case, NextStepCase) else "notes"
        message = str(exc) if isinstance(exc, (EndpointError, InputError)) else f"{type(exc).__name__}: {exc}"
        return CaseResult(suite, case.id, "error", [], {"id": case.id}, "", "", error=message,
                          duration_ms=round((time.perf_counter() - t0) * 1000, 1))


class Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled
        self.failed = 0

    def tick(self, result: CaseResult) -> None:
        self.done += 1
        self.failed += result.verdict != "pass"
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        sys.stderr.write(f"\ript: [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}  failing: {self.failed} ")
        sys.stderr.flush()
        if self.done == self.total:
            sys.stderr.write("\n")


def build_assistant(mode: str, settings: Settings, recordings: Path) -> Assistant:
    from .recordings import RecordingModel, recorded_models

    if mode == "offline":
        return Assistant(settings, offline=True)
    base = Assistant(settings)
    if mode in ("live", "record") and base.model is None:
        raise InputError(f"--mode {mode} needs a model endpoint (IPT_BASE_URL / IPT_API_KEY / IPT_MODEL)")
    if mode == "live":
        return base
    cat_hash = base.catalog.content_hash
    if mode == "record":
        base.model = RecordingModel(base.model, recordings, cat_hash, "record")
        return base
    name = settings.model
    if not name:
        models = recorded_models(recordings)
        if len(models) != 1:
            raise InputError(f"--mode replay: name the recorded model with --model (recordings hold: {', '.join(models) or 'none'})")
        name = models[0]
    replay = Assistant(settings.model_copy(update={"offline": True}), model=None)
    replay.model = RecordingModel(None, recordings, cat_hash, "replay", name=name)
    return replay


def run_suite(assistant: Assistant, cases: CaseSet, suite: str, *, concurrency: int = 4, judge: Any = None,
              progress: bool = False, mode: str = "offline") -> RunResult:
    items: list[NextStepCase | NoteCase] = []
    if suite in ("next_step", "all"):
        items += cases.next_step
    if suite in ("notes", "all"):
        items += cases.notes
    t0 = time.perf_counter()
    _ = assistant.retriever.index  # build or open the index once, before the threads start
    bar = Progress(len(items), progress)
    results: list[CaseResult] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for r in pool.map(lambda c: run_case(assistant, c, judge), items):
            results.append(r)
            bar.tick(r)
    by_id = {c.id: c for c in cases.next_step}
    pairs = [(r.techniques, by_id[r.case_id].expect.techniques_any) for r in results
             if r.suite == "next_step" and r.verdict != "error" and by_id[r.case_id].expect.techniques_any]
    # Retrieval is measured on next_step cases that name expected techniques; a run with none
    # (e.g. --suite notes) has no retrieval metrics at all, rather than zeros.
    metrics = {"retrieval": retrieval_metrics(pairs, k=3)} if pairs else {}
    model = getattr(assistant.model, "name", None)
    return RunResult(mode, model, results, metrics, round(time.perf_counter() - t0, 2), assistant.catalog.content_hash)


# -- baselines -------------------------------------------------------------------------------
def baseline_payload(run: RunResult) -> dict[str, Any]:
    return {
        "mode": run.mode, "model": run.model, "catalog_hash": run.catalog_hash,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "suites": run.suite_stats(), "metrics": run.metrics,
        "cases": {r.case_id: {"suite": r.suite, "verdict": r.verdict,
                              "checks": {c["name"]: c["passed"] for c in r.checks}} for r in run.results},
    }


def compare(run: RunResult, baseline: dict[str, Any] | None) -> dict[str, Any]:
    """Mark each result's change and decide whether the run regressed.

    Each case is counted once: ``regressed`` (passed in the baseline, fails now), ``fixed``,
    ``new`` (not in the baseline; ``new_failing`` names those of them that fail) or unchanged.
    A failing new case still fails the run, but it is not also counted as a regression."""
    if baseline is None:
        failing = [r.case_id for r in run.results if r.verdict != "pass"]
        for r in run.results:
            r.change = "new"
        return {"baseline": None, "regressed": [], "fixed": [], "new": [r.case_id for r in run.results],
                "new_failing": failing, "removed": [], "suite_drops": {}, "regression": bool(failing)}
    old = baseline.get("cases", {})
    regressed, fixed, new, new_failing = [], [], [], []
    for r in run.results:
        prev = old.get(r.case_id)
        if prev is None:
            r.change = "new"
            new.append(r.case_id)
            if r.verdict != "pass":
                new_failing.append(r.case_id)
        elif prev["verdict"] == "pass" and r.verdict != "pass":
            r.change = "regressed"
            regressed.append(r.case_id)
        elif prev["verdict"] != "pass" and r.verdict == "pass":
            r.change = "fixed"
            fixed.append(r.case_id)
        else:
            r.change = "same"
    ran_suites = {r.suite for r in run.results}
    removed = [cid for cid, v in old.items() if v.get("suite") in ran_suites and cid not in {r.case_id for r in run.results}]
    drops = {}
    for suite, stats in run.suite_stats().items():
        before = baseline.get("suites", {}).get(suite, {}).get("pass_rate")
        if before is not None and stats["pass_rate"] < before:
            drops[suite] = {"baseline": before, "now": stats["pass_rate"]}
    return {"baseline": baseline.get("created"), "regressed": regressed, "fixed": fixed, "new": new,
            "new_failing": new_failing, "removed": removed, "suite_drops": drops,
            "regression": bool(regressed or new_failing or drops)}


def summary_line(run: RunResult) -> str:
    parts = [f"{s}: {v['passed']}/{v['total']} pass" + (f", {v['errors']} error" if v["errors"] else "")
             for s, v in run.suite_stats().items()]
    m = run.metrics.get("retrieval", {})
    if m.get("n"):
        parts.append(f"recall@3 {m['recall_at_k']:.2f}, MRR {m['mrr']:.2f}")
    c = run.comparison
    if c:
        if c.get("baseline") is None:
            parts.append("no baseline (any failure fails the run)")
        else:
            failing_new = len(c.get("new_failing", []))
            parts.append(f"vs baseline: {len(c['regressed'])} regressed, {len(c['fixed'])} fixed, "
                         f"{len(c['new'])} new{f' ({failing_new} failing)' if failing_new else ''}, "
                         f"{len(c['removed'])} removed")
    verdict = "REGRESSION" if c.get("regression") else "OK"
    return f"ipt eval [{run.mode}{'/' + run.model if run.model else ''}] {verdict} — " + "; ".join(parts) + f" ({run.seconds}s)"


def mode_hint(run: RunResult, settings: Settings) -> str | None:
    """One line of advice when cases had no recording, worded for what this user can do: re-recording
    needs a model endpoint, which an offline user does not have."""
    missing = sum(1 for r in run.results if r.verdict == "error" and (r.error or "").startswith("no recording"))
    if not missing:
        return None
    what = f"{missing} case(s) have no recording that matches today's knowledge base, prompts and case text"
    if settings.llm_configured:
        return (f"{what}: re-record them against your endpoint with `ipt eval --mode record --ids FILE`, "
                "or grade the offline pipeline with `ipt eval`.")
    return (f"{what}. Without a model endpoint they cannot be re-recorded here; `ipt eval` (offline mode) "
            "grades the offline pipeline instead.")


def _select(cases: CaseSet, keep: Callable[[str], bool]) -> CaseSet:
    return cases.model_copy(update={"next_step": [c for c in cases.next_step if keep(c.id)],
                                    "notes": [c for c in cases.notes if keep(c.id)]})


def _read_ids(path: str) -> set[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"--ids {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"--ids {path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"--ids {path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"--ids {path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return {line.split("#")[0].strip() for line in text.splitlines()}


def default_report_dir(settings: Settings) -> Path:
    """Reports quote the cases' inputs: by default they go to the user's data dir, not ./reports."""
    return Path(settings.data_dir) / "reports"


def default_recordings_dir(mode: str, settings: Settings) -> Path:
    """``record`` writes to the data dir (recordings hold whole prompts); ``replay`` reads the
    committed recordings."""
    return Path(settings.data_dir) / "recordings" if mode == "record" else evals_dir() / "recordings"


def check_report_dir(folder: Path) -> Path:
    """Fail before the run (exit 2, one line) if the reports could not be written."""
    from .recordings import make_private_dir

    if folder.exists() and not folder.is_dir():
        raise InputError(f"--report-dir {folder}: is a file, not a folder")
    try:
        make_private_dir(folder)
    except OSError as exc:
        raise InputError(f"--report-dir {folder}: cannot be created ({exc.strerror or type(exc).__name__})") from None
    probe = folder / f".ipt-write-check-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"--report-dir {folder}: not writable ({exc.strerror or type(exc).__name__})") from None
    return folder


def main(args: argparse.Namespace, settings: Settings) -> int:
    if args.suite == "signals":  # labelled snippets, offline, no cases or recordings involved
        from .signal_suite import main as signals_main

        return signals_main(args)
    if args.suite == "factcheck":  # the notes fact check on labelled drafts, the parser on labelled bullets
        from .factcheck_suite import suite_main as factcheck_main

        return factcheck_main(args)
    if args.suite == "situations":  # labelled situation phrasings through the offline composer
        from .situations import suite_main

        return suite_main(args)
    from .judge import make_judge
    from .report import write_reports

    root = evals_dir()
    report_dir = check_report_dir(Path(args.report_dir) if args.report_dir else default_report_dir(settings))
    cases = load_cases(Path(args.cases) if args.cases else root / "cases")
    ids_file = getattr(args, "ids", None)
    if ids_file is None and args.mode == "replay" and not args.cases and (root / RECORDED_CASES).is_file():
        # Replay can only re-grade what was recorded: by default, the recorded cases.
        ids_file = str(root / RECORDED_CASES)
        if not args.json:
            sys.stderr.write(f"ipt: eval: replaying the recorded cases listed in {ids_file} (--ids FILE for others)\n")
    if ids_file:
        args.ids = ids_file
        wanted = _read_ids(args.ids)
        wanted.discard("")
        unknown = wanted - {c.id for c in [*cases.next_step, *cases.notes]}
        if unknown:
            raise InputError(f"{args.ids}: unknown case ids: {', '.join(sorted(unknown))}")
        cases = _select(cases, lambda cid: cid in wanted)
    if args.filter:
        cases = _select(cases, lambda cid: args.filter in cid)
    recordings = Path(args.recordings) if args.recordings else default_recordings_dir(args.mode, settings)
    assistant = build_assistant(args.mode, settings, recordings)
    judge = make_judge(settings) if args.judge else None
    if args.judge and judge is None:
        sys.stderr.write("ipt: eval: --judge ignored: no judge endpoint configured (IPT_JUDGE_BASE_URL / IPT_JUDGE_MODEL)\n")
    progress = not args.no_progress and not args.json and sys.stderr.isatty()
    concurrency = args.concurrency if getattr(args, "concurrency", None) else default_concurrency(args.mode)
    run = run_suite(assistant, cases, args.suite, concurrency=concurrency, judge=judge, progress=progress,
                    mode=args.mode)
    baseline_name = "replay" if args.mode == "record" else args.mode
    baseline_path = Path(args.baseline) if args.baseline else root / "baselines" / f"{baseline_name}.json"
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path.exists() else None
    run.comparison = compare(run, baseline)
    try:
        paths = write_reports(run, report_dir)
    except OSError as exc:
        raise InputError(f"--report-dir {report_dir}: cannot write the reports ({exc.strerror or type(exc).__name__})") from None
    if args.bless:
        baseline_path.parent.mkdir(parents=True, exist_ok=True)
        baseline_path.write_text(json.dumps(baseline_payload(run), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    line = summary_line(run)
    hint = mode_hint(run, settings)
    if args.json:
        payload = {"summary": line, "suites": run.suite_stats(), "metrics": run.metrics,
                   "comparison": run.comparison, "reports": {k: str(v) for k, v in paths.items()}}
        if hint:
            payload["hint"] = hint
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        for r in run.results:
            if r.verdict != "pass":
                why = r.error or "; ".join(c["reason"] for c in r.checks if not c["passed"])
                sys.stdout.write(f"  {r.verdict.upper():5} {r.suite}/{r.case_id}{' [' + r.change + ']' if r.change in ('regressed',) else ''}: {why}\n")
        sys.stdout.write(line + "\n")
        if hint:
            sys.stdout.write(hint + "\n")
        sys.stdout.write(f"reports: {paths['html']}  {paths['json']}  {paths['junit']}\n")
        if args.bless:
            sys.stdout.write(f"baseline written: {baseline_path}\n")
    if args.bless:
        return 0
    return 1 if run.comparison.get("regression") else 0
