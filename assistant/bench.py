"""``ipt bench``: measure what the README promises. Numbers are measured here, never assumed.

Reports: ``ipt --help`` wall time, cold ``ipt ask --json``, index build, warm offline
``ask`` p50, retrieval p50, prompt tokens per LLM question vs stuffing the whole
catalog, recall@3 / MRR for hybrid vs BM25-only vs dense-only on the retrieval
fixture, offline note p50, fact-check time per note, invented-fact rate of offline
notes, and the offline eval suite's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import yaml

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"help_s": 0.3, "cold_ask_s": 2.5, "index_build_s": 10.0, "ask_p50_ms": 20.0, "retrieval_p50_ms": 10.0,
           "prompt_tokens_p50": 2500, "note_p50_ms": 30.0, "invented_fact_rate": 0.0, "eval_offline_s": 20.0,
           "recall_at_3": 0.9}


def _p50(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _timeit(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _cli(args: list[str], env: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"ipt {' '.join(args[:1])} failed: {proc.stderr.strip()[:200]}")
    return times


def load_fixture() -> list[dict[str, Any]]:
    path = REPO / "tests" / "fixtures" / "retrieval.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []


def retrieval_quality(assistant: Any, fixture: list[dict[str, Any]]) -> dict[str, Any]:
    from .evals.graders import retrieval_metrics
    from .phase import phase_for
    from .planning import plan_question

    out: dict[str, Any] = {}
    r = assistant.retriever
    for mode in ("hybrid", "bm25", "dense"):
        pairs = []
        for item in fixture:
            phase = phase_for(item["session"]).phase if item.get("session") else None
            ranked = [h.doc_id for h in r.techniques(item["question"], phase=phase, focal_area=item.get("focus"), k=10, mode=mode)]
            pairs.append((ranked, item["expected"]))
        out[mode] = retrieval_metrics(pairs, k=3)
    pairs = []
    for item in fixture:
        plan = plan_question(item["question"], r, assistant.catalog, session=item.get("session"),
                             focal_area=item.get("focus"))
        pairs.append((plan.techniques, item["expected"]))
    out["pipeline"] = retrieval_metrics(pairs, k=3)
    return out


def run(repeat: int = 30) -> dict[str, Any]:
    from .assistant import Assistant
    from .answer import build_messages
    from .context import stuffed_catalog_tokens
    from .evals.cases import load_cases
    from .evals.runner import evals_dir, run_suite
    from .notes.factcheck import find_unsupported
    from .planning import plan_question
    from .prompts import ANSWER_SYSTEM, load_prompt
    from .tokens import count_tokens

    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory(prefix="ipt-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
        env["IPT_DATA_DIR"] = tmp
        os.environ["IPT_DATA_DIR"] = tmp
        for k in [k for k in os.environ if k.startswith(("IPT_BASE", "IPT_API", "IPT_MODEL", "OPENAI_"))]:
            del os.environ[k]

        results["help_s"] = round(statistics.median(_cli(["--help"], env, 7)), 3)

        t0 = time.perf_counter()
        assistant = Assistant(offline=True)
        build_s = assistant.rebuild_index()
        results["index_build_s"] = round(build_s, 2)
        results["index_chunks"] = len(assistant.retriever.chunks)
        results["first_open_incl_build_s"] = round(time.perf_counter() - t0, 2)

        q = "Session 5: she keeps fighting with her husband about chores. What should I do next?"
        results["cold_ask_s"] = round(statistics.median(_cli(["ask", q, "--json"], env, 5)), 3)

        fixture = load_fixture()
        questions = [f["question"] for f in fixture] or [q]
        assistant.ask(q)  # warm
        ask_ms = []
        for i in range(repeat):
            question = questions[i % len(questions)]
            ask_ms += _timeit(lambda q=question: assistant.ask(q), 1)
        results["ask_p50_ms"] = _p50(ask_ms)
        results["ask_p95_ms"] = round(sorted(ask_ms)[int(0.95 * (len(ask_ms) - 1))], 3)
        r = assistant.retriever
        ret_ms = []
        for i in range(repeat):
            question = questions[i % len(questions)]
            ret_ms += _timeit(lambda q=question: r.techniques(q, phase="middle", focal_area=None, k=5), 1)
        results["retrieval_p50_ms"] = _p50(ret_ms)

        cat = assistant.catalog
        tokens = []
        for question in questions:
            plan = plan_question(question, r, cat)
            messages, _, _ = build_messages(plan, cat, assistant.settings.context_tokens)
            tokens.append(sum(count_tokens(m["content"]) + 4 for m in messages) + 3)
        system = count_tokens(load_prompt(ANSWER_SYSTEM).text)
        raw_catalog = sum(count_tokens(p.read_text(encoding="utf-8")) for p in sorted((cat.root / "techniques").glob("*.yaml")))
        results["prompt_tokens"] = {"p50": int(statistics.median(tokens)), "max": max(tokens),
                                    "stuffed_catalog_yaml": raw_catalog + system + 60,
                                    "stuffed_catalog_compact": stuffed_catalog_tokens(cat) + system + 60}
        results["retrieval_quality"] = retrieval_quality(assistant, fixture) if fixture else {}

        cases = load_cases(evals_dir() / "cases")
        note_ms: list[float] = []
        check_ms: list[float] = []
        invented = 0
        for case in cases.notes:
            note_ms += _timeit(lambda c=case: assistant.draft_note(c.bullets, format=c.format, session=c.session,
                                                                   total_sessions=c.of, focal_area=c.focus), 3)
            note = assistant.draft_note(case.bullets, format=case.format, session=case.session,
                                        total_sessions=case.of, focal_area=case.focus)
            allowed = {str(n) for n in (case.session, case.of) if n is not None}
            body = "\n".join(note.sections.values())
            t0 = time.perf_counter()
            problems = find_unsupported(body, case.bullets, cat, allowed_numbers=allowed)
            check_ms.append((time.perf_counter() - t0) * 1000)
            invented += len(problems)
        results["notes"] = {"n": len(cases.notes), "note_p50_ms": _p50(note_ms) if note_ms else None,
                            "factcheck_p50_ms": _p50(check_ms) if check_ms else None,
                            "invented_facts": invented,
                            "invented_fact_rate": round(invented / max(1, len(cases.notes)), 4)}

        t0 = time.perf_counter()
        run_ = run_suite(Assistant(offline=True), cases, "all", concurrency=2)
        results["eval_offline"] = {"seconds": round(time.perf_counter() - t0, 2), "cases": len(run_.results),
                                   "suites": run_.suite_stats()}
    return results


def _fmt(results: dict[str, Any]) -> str:
    rq = results.get("retrieval_quality", {})
    pt = results["prompt_tokens"]
    n = results["notes"]
    lines = [
        f"machine: {results['machine']['cpus']} CPUs, Python {results['machine']['python']}",
        f"ipt --help              {results['help_s']:.3f} s   (target <= {TARGETS['help_s']})",
        f"cold ipt ask --json     {results['cold_ask_s']:.3f} s   (target <= {TARGETS['cold_ask_s']})",
        f"index build             {results['index_build_s']:.2f} s   ({results['index_chunks']} chunks; target <= {TARGETS['index_build_s']})",
        f"warm ask p50 (offline)  {results['ask_p50_ms']:.1f} ms  (p95 {results['ask_p95_ms']:.1f}; target <= {TARGETS['ask_p50_ms']})",
        f"retrieval p50           {results['retrieval_p50_ms']:.1f} ms  (target <= {TARGETS['retrieval_p50_ms']})",
        f"prompt tokens / question p50 {pt['p50']} (max {pt['max']}) vs whole catalog {pt['stuffed_catalog_yaml']} "
        f"(compact {pt['stuffed_catalog_compact']}); target <= {TARGETS['prompt_tokens_p50']}",
    ]
    for mode in ("pipeline", "hybrid", "bm25", "dense"):
        if mode in rq:
            m = rq[mode]
            lines.append(f"retrieval {mode:<8} recall@3 {m['recall_at_k']:.3f}  hit@3 {m['hit_at_k']:.3f}  MRR {m['mrr']:.3f}  (n={m['n']})")
    lines += [
        f"offline note p50        {n['note_p50_ms']} ms (target <= {TARGETS['note_p50_ms']}); fact check p50 {n['factcheck_p50_ms']} ms",
        f"invented facts in offline notes: {n['invented_facts']} over {n['n']} notes (rate {n['invented_fact_rate']})",
        f"offline eval suite      {results['eval_offline']['seconds']} s for {results['eval_offline']['cases']} cases "
        f"(target <= {TARGETS['eval_offline_s']})",
    ]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    results = run(repeat=args.repeat)
    if args.json:
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
    else:
        sys.stdout.write(_fmt(results) + "\n")
    return 0
