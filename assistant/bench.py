"""``ipt bench``: measure what the README promises. Numbers are measured here, never assumed.

Reports: the import floor (``python -c "import numpy, onnxruntime, tokenizers, yaml, pydantic"``),
``ipt --help`` and a cold ``ipt ask --json`` (with its peak RSS), interleaved round by round so that
a busy machine slows all three alike, min and p50 of each, and the cold ask as a multiple of the
floor; index build; warm offline ``ask``, retrieval and one query embedding, interleaved per
question over rounds of every fixture question (min-of-N per question, and all samples), with ask as a
multiple of the embedding; prompt tokens per LLM question vs stuffing the
whole catalog; recall@3 / MRR for hybrid vs BM25-only vs dense-only on the retrieval fixture;
offline note p50, fact-check time per note, invented-fact rate of offline notes, and the offline
eval suite's wall time (one worker).

``--scale N`` instead builds a synthetic knowledge base of about N times the shipped one's chunks
(technique variants: each technique copied under a new id and name, so every chunk's text is new and
is embedded) in a temp dir, in a fresh process, and reports ``chunks``, ``index_build_s``,
``retrieval_p50_ms``, ``ask_p50_ms`` and ``peak_rss_mb``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from .yamlfile import load_yaml

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"help_s": 0.2, "cold_ask_over_floor": 4.0, "cold_ask_rss_mb": 300, "index_build_s": 10.0,
           "ask_p50_ms": 15.0, "ask_over_embedding": 2.0, "retrieval_p50_ms": 10.0,
           "prompt_tokens_p50": 2500, "note_p50_ms": 30.0, "invented_fact_rate": 0.0, "eval_offline_s": 20.0,
           "recall_at_3": 0.9, "scale_retrieval_p50_ms": 20.0, "scale_peak_rss_mb": 600}
FLOOR_IMPORTS = "import numpy, onnxruntime, tokenizers, yaml, pydantic"
QUESTION = "Session 5: she keeps fighting with her husband about chores. What should I do next?"


def _p50(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _stats(values: list[float], digits: int = 3) -> dict[str, float]:
    return {"min": round(min(values), digits), "p50": round(statistics.median(values), digits), "n": len(values)}


def _timeit(fn: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None) -> list[float]:
    out = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


#: Runs argv, then prints its wall time, peak RSS and exit status. A child's peak-RSS record starts at
#: the size of the process it was started from (Linux keeps the high-water mark across exec), so the
#: measured command is started from this small launcher, not from the bench's own large process.
_LAUNCHER = r"""
import json, os, sys, tempfile, time
with tempfile.TemporaryFile() as err:
    null = os.open(os.devnull, os.O_RDWR)
    t0 = time.perf_counter()
    pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
                                       (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    err.seek(0)
    tail = err.read().decode("utf-8", "replace").strip()[-200:]
print(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status), "err": tail}))
"""


def _child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``argv``; (wall seconds, peak RSS in MB of that command alone). Raises if it fails."""
    proc = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *argv], env=env, capture_output=True, text=True)
    try:
        got = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"the bench launcher failed: {proc.stderr.strip()[-200:]}") from None
    if got["rc"] != 0:
        raise RuntimeError(f"{' '.join(argv[1:4])} failed: {got['err']}")
    return float(got["wall"]), got["rss_kb"] / 1024  # KB on Linux


def _cli(args: list[str], env: dict[str, str], repeat: int) -> list[float]:
    return [_child([sys.executable, "-m", "assistant.cli", *args], env)[0] for _ in range(repeat)]


def cold_start(env: dict[str, str], rounds: int) -> dict[str, Any]:
    """The import floor, ``ipt --help`` and a cold ``ipt ask --json``, interleaved round by round."""
    floor: list[float] = []
    helps: list[float] = []
    asks: list[float] = []
    rss: list[float] = []
    _child([sys.executable, "-m", "assistant.cli", "ask", QUESTION, "--json"], env)  # caches in place
    for _ in range(rounds):
        floor.append(_child([sys.executable, "-c", FLOOR_IMPORTS], env)[0])
        helps.append(_child([sys.executable, "-m", "assistant.cli", "--help"], env)[0])
        wall, peak = _child([sys.executable, "-m", "assistant.cli", "ask", QUESTION, "--json"], env)
        asks.append(wall)
        rss.append(peak)
    return {"import_floor_s": _stats(floor), "help_s": _stats(helps), "cold_ask_s": _stats(asks),
            "cold_ask_rss_mb": round(max(rss), 1),
            "cold_ask_over_floor": round(min(asks) / min(floor), 2)}


def warm_latency(assistant: Any, questions: list[str], rounds: int) -> dict[str, Any]:
    """``rounds`` rounds over every question; per question, interleaved: one query embedding, one
    retrieval (with its embedding), one ask. Each measure is reported over all samples (p50, p95, min)
    and as min-of-N: per question the fastest of its ``rounds`` runs (what the code costs, without the
    scheduler's noise), then the median over questions. The ask's multiple of one embedding is taken on
    the min-of-N medians; the all-samples ratio is reported beside it."""
    r = assistant.retriever
    encoder = r.index.embeddings.encoder
    samples: dict[str, list[list[float]]] = {k: [[] for _ in questions] for k in ("embed", "retrieval", "ask")}
    for q in questions:  # warm every cache first
        assistant.ask(q)
    from .signals.reader import get_reader

    reader = get_reader()

    def forget() -> None:  # the encoder's and the signal reader's memory of texts they have read
        encoder.clear_cache()
        if reader is not None:
            reader.clear_cache()
    for _ in range(max(1, rounds)):
        for i, q in enumerate(questions):
            # The memory of texts seen is emptied before each call: every call embeds (and reads).
            samples["embed"][i] += _timeit(lambda q=q: encoder.encode([q]), 1, encoder.clear_cache)
            samples["retrieval"][i] += _timeit(lambda q=q: r.techniques(q, phase="middle", focal_area=None, k=5), 1,
                                               encoder.clear_cache)
            samples["ask"][i] += _timeit(lambda q=q: assistant.ask(q), 1, forget)
    out: dict[str, Any] = {"questions": len(questions), "rounds": max(1, rounds)}
    for name, per_q in samples.items():
        every = sorted(x for xs in per_q for x in xs)
        out[f"{name}_ms"] = {**_stats(every), "p50_min_of_n": round(statistics.median(min(xs) for xs in per_q), 3)}
        out[f"{name}_p95_ms"] = round(every[int(0.95 * (len(every) - 1))], 3)
    ask, embed = out["ask_ms"], out["embed_ms"]
    out["ask_over_embedding"] = round(ask["p50_min_of_n"] / embed["p50_min_of_n"], 2)
    out["ask_over_embedding_all_samples"] = round(ask["p50"] / embed["p50"], 2)
    return out


def _fixture_path() -> Path:
    source = REPO / "tests" / "fixtures" / "retrieval.yaml"
    return source if source.exists() else Path(__file__).parent / "_fixtures" / "retrieval.yaml"


def load_fixture() -> list[dict[str, Any]]:
    path = _fixture_path()
    return load_yaml(path.read_text(encoding="utf-8")) if path.exists() else []


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


def run(repeat: int = 5, rounds: int = 5) -> dict[str, Any]:
    from .answer import build_messages
    from .assistant import Assistant
    from .context import stuffed_catalog_tokens
    from .embeddings import get_encoder
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
        # The measured processes read bytecode, as an installed package's do (pip compiles it), also where
        # PYTHONDONTWRITEBYTECODE is set (as on this project's machines): the warm-up run writes it here.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        os.environ["IPT_DATA_DIR"] = tmp
        for k in [k for k in os.environ if k.startswith(("IPT_BASE", "IPT_API", "IPT_MODEL", "OPENAI_"))]:
            del os.environ[k]

        t0 = time.perf_counter()
        assistant = Assistant(offline=True)
        build_s = assistant.rebuild_index()
        results["first_open_incl_build_s"] = round(time.perf_counter() - t0, 2)
        results["index_build_s"] = round(build_s, 2)
        results["index_chunks"] = len(assistant.retriever.chunks)

        cold = cold_start(env, rounds)
        results.update(cold)
        results["help_p50_s"] = cold["help_s"]["p50"]

        fixture = load_fixture()
        questions = [f["question"] for f in fixture] or [QUESTION]
        warm = warm_latency(assistant, questions, repeat)
        results["warm"] = warm
        results["embed_p50_ms"] = warm["embed_ms"]["p50_min_of_n"]
        results["ask_p50_ms"] = warm["ask_ms"]["p50_min_of_n"]
        results["ask_p95_ms"] = warm["ask_p95_ms"]
        results["retrieval_p50_ms"] = warm["retrieval_ms"]["p50_min_of_n"]
        results["ask_over_embedding"] = warm["ask_over_embedding"]
        results["cold_ask_over_embedding"] = round(cold["cold_ask_s"]["min"] * 1000 / warm["embed_ms"]["min"], 1)
        r = assistant.retriever

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
        forget = get_encoder().clear_cache  # each timed note as the first in its process
        for case in cases.notes:
            note_ms += _timeit(lambda c=case: assistant.draft_note(c.bullets, format=c.format, session=c.session,
                                                                   total_sessions=c.of, focal_area=c.focus), 3, forget)
            note = assistant.draft_note(case.bullets, format=case.format, session=case.session,
                                        total_sessions=case.of, focal_area=case.focus)
            allowed = {str(n) for n in (case.session, case.of) if n is not None}
            body = "\n".join(note.sections.values())
            forget()
            t0 = time.perf_counter()
            problems = find_unsupported(body, case.bullets, cat, allowed_numbers=allowed)
            check_ms.append((time.perf_counter() - t0) * 1000)
            invented += len(problems)
        results["notes"] = {"n": len(cases.notes), "note_p50_ms": _p50(note_ms) if note_ms else None,
                            "factcheck_p50_ms": _p50(check_ms) if check_ms else None,
                            "invented_facts": invented,
                            "invented_fact_rate": round(invented / max(1, len(cases.notes)), 4)}

        t0 = time.perf_counter()
        run_ = run_suite(Assistant(offline=True), cases, "all", concurrency=1)
        results["eval_offline"] = {"seconds": round(time.perf_counter() - t0, 2), "cases": len(run_.results),
                                   "suites": run_.suite_stats()}
    return results


def _fmt(results: dict[str, Any]) -> str:
    rq = results.get("retrieval_quality", {})
    pt = results["prompt_tokens"]
    n = results["notes"]
    fl, hp, ca, w = results["import_floor_s"], results["help_s"], results["cold_ask_s"], results["warm"]
    lines = [
        f"machine: {results['machine']['cpus']} CPUs, Python {results['machine']['python']}",
        f"import floor            {fl['min']:.3f} s min, {fl['p50']:.3f} p50  ({FLOOR_IMPORTS[7:]})",
        f"ipt --help              {hp['min']:.3f} s min, {hp['p50']:.3f} p50  (target <= {TARGETS['help_s']})",
        f"cold ipt ask --json     {ca['min']:.3f} s min, {ca['p50']:.3f} p50  = {results['cold_ask_over_floor']}x the floor "
        f"(target <= {TARGETS['cold_ask_over_floor']}x); peak RSS {results['cold_ask_rss_mb']} MB "
        f"(target <= {TARGETS['cold_ask_rss_mb']})",
        f"index build             {results['index_build_s']:.2f} s   ({results['index_chunks']} chunks; target <= {TARGETS['index_build_s']})",
        f"warm measures: {w['questions']} questions x {w['rounds']} interleaved rounds; p50 over questions of each "
        f"question's min-of-{w['rounds']} (p50 over all samples in brackets)",
        f"query embedding         {w['embed_ms']['p50_min_of_n']:.1f} ms  ({w['embed_ms']['p50']:.1f})",
        f"warm ask (offline)      {results['ask_p50_ms']:.1f} ms  ({w['ask_ms']['p50']:.1f}; p95 {results['ask_p95_ms']:.1f}) = "
        f"{results['ask_over_embedding']}x one embedding ({w['ask_over_embedding_all_samples']}x); "
        f"target <= {TARGETS['ask_p50_ms']} ms and {TARGETS['ask_over_embedding']}x",
        f"retrieval               {results['retrieval_p50_ms']:.1f} ms  ({w['retrieval_ms']['p50']:.1f}; incl. the query "
        f"embedding; target <= {TARGETS['retrieval_p50_ms']})",
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


# -- --scale N ----------------------------------------------------------------------------------------
def synthetic_catalog(cat: Any, scale: int) -> Any:
    """The catalog plus enough technique variants for about ``scale`` times its chunks: each variant is
    a technique under a new id and name (``<id>_v<k>``, ``<name> variant <k>``, no synonyms), so all its
    chunks carry new text. Phases, focal areas, frame and situations stay as shipped."""
    from .chunks import build_chunks

    base = len(build_chunks(cat))
    per_technique = max(1, len(build_chunks(cat)) - len(build_chunks(dataclasses.replace(cat, techniques={}))))
    per_technique //= max(1, len(cat.techniques))
    variants = max(0, round((scale - 1) * base / per_technique))
    originals = list(cat.techniques.values())
    techniques = dict(cat.techniques)
    for i in range(variants):
        t = originals[i % len(originals)]
        k = i // len(originals) + 1
        techniques[f"{t.id}_v{k}"] = t.model_copy(update={"id": f"{t.id}_v{k}", "name": f"{t.name} variant {k}",
                                                          "synonyms": []})
    return dataclasses.replace(cat, techniques=techniques, content_hash=f"{cat.content_hash}-x{scale}")


def scale_worker(scale: int, repeat: int, data_dir: str) -> dict[str, Any]:
    """Runs in its own process (so that its peak RSS is its own): build, then measure warm latency."""
    import resource

    from .assistant import Assistant
    from .catalog import get_catalog
    from .retrieval import Retriever

    os.environ["IPT_DATA_DIR"] = data_dir
    cat = synthetic_catalog(get_catalog(), scale)

    class ScaledAssistant(Assistant):
        @property
        def catalog(self) -> Any:
            return cat

    t0 = time.perf_counter()
    retriever = Retriever(cat, Path(data_dir))
    bm25_s = time.perf_counter() - t0
    index = retriever.index
    build_s = time.perf_counter() - t0
    assistant = ScaledAssistant(offline=True)
    assistant._retriever = retriever
    questions = [f["question"] for f in load_fixture()] or [QUESTION]
    warm = warm_latency(assistant, questions, repeat)
    vecs = index.embeddings.encoder.encode(questions)
    search_ms: list[float] = []
    for _ in range(max(1, repeat)):
        for v, q in zip(vecs, questions):
            search_ms += _timeit(lambda q=q, v=v: retriever.techniques(q, phase="middle", k=5, query_vector=v), 1)
    t1 = time.perf_counter()
    reopened = Retriever(cat, Path(data_dir))
    _ = reopened.index
    reopen_s = time.perf_counter() - t1
    return {"scale": scale, "chunks": len(retriever.chunks), "techniques": len(cat.techniques),
            "index_build_s": round(build_s, 2), "bm25_build_s": round(bm25_s, 2),
            "reopen_s": round(reopen_s, 3), "search": "in-memory" if index._collection is None or
            len(retriever.chunks) <= index.IN_MEMORY_LIMIT else "hnsw",
            "embed_p50_ms": warm["embed_ms"]["p50"], "retrieval_p50_ms": warm["retrieval_ms"]["p50"],
            "retrieval_min_ms": warm["retrieval_ms"]["min"], "retrieval_no_embedding_p50_ms": _p50(search_ms),
            "ask_p50_ms": warm["ask_ms"]["p50"], "ask_min_ms": warm["ask_ms"]["min"], "warm": warm,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def run_scale(scale: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ipt-bench-scale-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
        env["IPT_DATA_DIR"] = tmp
        code = ("import json, sys\nfrom assistant.bench import scale_worker\n"
                f"print(json.dumps(scale_worker({int(scale)}, {int(repeat)}, sys.argv[1])))")
        proc = subprocess.run([sys.executable, "-c", code, tmp], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"bench --scale {scale} failed: {proc.stderr.strip()[-300:]}")
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    return out


def _fmt_scale(r: dict[str, Any]) -> str:
    return "\n".join([
        f"machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}",
        f"--scale {r['scale']}: {r['chunks']} chunks ({r['techniques']} techniques), search {r['search']}",
        f"index build             {r['index_build_s']:.2f} s (BM25 {r['bm25_build_s']:.2f} s; reopen {r['reopen_s']:.3f} s)",
        f"retrieval p50           {r['retrieval_p50_ms']:.1f} ms incl. the query embedding ({r['embed_p50_ms']:.1f} ms); "
        f"{r['retrieval_no_embedding_p50_ms']:.1f} ms without (target <= {TARGETS['scale_retrieval_p50_ms']})",
        f"warm ask p50 (offline)  {r['ask_p50_ms']:.1f} ms (min {r['ask_min_ms']:.1f})",
        f"peak RSS                {r['peak_rss_mb']:.0f} MB (target <= {TARGETS['scale_peak_rss_mb']})",
    ])


def main(args: argparse.Namespace) -> int:
    scale = getattr(args, "scale", None)
    if scale:
        results = run_scale(scale, repeat=args.repeat)
        sys.stdout.write(json.dumps(results, indent=2) + "\n" if args.json else _fmt_scale(results) + "\n")
        return 0
    results = run(repeat=args.repeat, rounds=getattr(args, "rounds", None) or 5)
    if args.json:
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
    else:
        sys.stdout.write(_fmt(results) + "\n")
    return 0
