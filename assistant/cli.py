"""The ``ipt`` command line. Heavy modules are imported inside each command so that
``ipt --help`` stays instant. Errors become one-line messages and exit codes:
0 success, 1 failure (or eval regression), 2 bad input, 3 broken knowledge base."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, NoReturn, Sequence

FORMATS = ("soap", "dap", "birp", "girp")
FOCUS_HELP = "focal area: grief | role_dispute | role_transition | interpersonal_deficits (e.g. --focus grief)"
EVAL_MODES = ("offline", "live", "replay", "record")


class UsageError(Exception):
    """A command line argparse rejects; reported like every other error (one line, or JSON)."""

    exit_code = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one ``ipt:`` line (or a JSON error under ``--json``),
    not the usage block (``ipt CMD --help`` shows that)."""

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        where = self.prog.removeprefix("ipt").strip()
        raise UsageError(f"{where + ': ' if where else ''}{message} (see `{self.prog} --help`)")


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON (errors too: one object on stdout)")
    p.add_argument("--offline", action="store_true", help="grounded offline mode even if an endpoint is configured")
    p.add_argument("-m", "--model", help="model name (overrides IPT_MODEL), e.g. -m gpt-4o-mini")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (overrides IPT_BASE_URL)")
    p.add_argument("--timeout", metavar="SECONDS",
                   help="deadline for one model request, all included (default 30; checked like IPT_TIMEOUT)")


def _case(p: argparse.ArgumentParser, of_default: int | None) -> None:
    p.add_argument("--session", type=int, metavar="N", help="session number")
    p.add_argument("--of", type=int, metavar="M", default=of_default, dest="total",
                   help=f"course length in sessions (default {of_default or 'from the bullets, else 16'})")
    p.add_argument("--focus", metavar="AREA", help=FOCUS_HELP)


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="ipt",
        description="IPT Assistant: grounded next-step answers, fact-checked progress notes and eval "
                    "regressions for Interpersonal Psychotherapy. Runs offline unless IPT_BASE_URL / "
                    "IPT_API_KEY / IPT_MODEL (or OPENAI_*) point it at a model; `ipt config` shows what is used.",
        epilog=_examples('ipt ask - --session 5 --of 16        # type the question, then Ctrl-D',
                         "ipt chat --focus role_dispute", "ipt note bullets.txt --format soap --out note.md",
                         "ipt techniques role_play", "ipt config"),
        formatter_class=raw,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help='answer "what do I do next?" for a case', formatter_class=raw,
                         epilog=_examples("ipt ask - --session 5 --of 16 < question.txt",
                                          'ipt ask "what do I do in the first session?" --long',
                                          "ipt ask - --focus grief --json -m gpt-4o-mini"))
    ask.add_argument("question", help="the question (use - to read it from stdin)")
    ask.add_argument("--long", action="store_true",
                     help="the full view: phase summary, ranked techniques with how-to, session structure")
    _case(ask, 16)
    _common(ask)

    chat = sub.add_parser("chat", help="multi-turn conversation that keeps the case (/session, /focus, /note, /help)",
                          formatter_class=raw,
                          description="A conversation that keeps the case. Inside: /help, /session N, /of M,\n"
                                      "/focus AREA, /note (paste bullets, end with an empty line), /case, /reset,\n"
                                      "/quit. Ctrl-C cancels the answer in progress, Ctrl-D leaves. Line history\n"
                                      "is kept in memory only, unless --history is given.",
                          epilog=_examples("ipt chat --session 5 --focus role_dispute", "ipt chat --history",
                                           "ipt chat --json < turns.txt      # one JSON object per line"))
    _case(chat, 16)
    chat.add_argument("--no-tools", action="store_true", help="never use tool calling, even if the endpoint supports it")
    chat.add_argument("--history", action="store_true",
                      help="keep line history across sessions in chat-history in the data dir (mode 0600; it holds "
                           "what you type, i.e. patient text). Default: in memory only, gone when chat ends")
    _common(chat)

    note = sub.add_parser("note", help="draft a progress note (SOAP, DAP, BIRP, GIRP) from bullet points",
                          formatter_class=raw,
                          epilog=_examples("ipt note bullets.txt --format soap --out note.md",
                                           "ipt note - --format birp --session 6 --of 16   # paste, then Ctrl-D"))
    note.add_argument("file", nargs="?", default="-", help="bullets file, or - for stdin (default)")
    note.add_argument("--format", default="dap", type=str.lower, choices=FORMATS, metavar="FORMAT",
                      help="note format: soap | dap | birp | girp (default dap), e.g. --format soap")
    _case(note, None)
    note.add_argument("--out", metavar="PATH", help="write the note here (atomically)")
    note.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    _common(note)

    tech = sub.add_parser("techniques", help="list the technique catalog, or show one technique", formatter_class=raw,
                          epilog=_examples("ipt techniques --phase middle --focus grief", "ipt techniques role_play"))
    tech.add_argument("id", nargs="?", help="a technique id to show in full, e.g. role_play")
    tech.add_argument("--phase", metavar="PHASE",
                      help="only techniques used in this phase: initial | middle | termination | maintenance")
    tech.add_argument("--focus", metavar="AREA", help="only techniques for this focal area")
    tech.add_argument("--json", action="store_true", help="print as JSON")

    index = sub.add_parser("index", help="rebuild the search index now (it also rebuilds itself when stale)")
    index.add_argument("--json", action="store_true", help="print as JSON")

    config = sub.add_parser("config", aliases=["doctor"],
                            help="show the resolved endpoint, model, data dir, index state, knowledge hash and "
                                 "versions (never a key)")
    config.add_argument("-m", "--model", help="model name (overrides IPT_MODEL)")
    config.add_argument("--base-url", help="OpenAI-compatible endpoint (overrides IPT_BASE_URL)")
    config.add_argument("--offline", action="store_true", help="as if --offline were given")
    config.add_argument("--json", action="store_true", help="print as JSON")

    ev = sub.add_parser("eval", help="run the eval suites against a baseline", formatter_class=raw,
                        epilog=_examples("ipt eval                              # offline, vs evals/baselines/offline.json",
                                         "ipt eval --suite notes --json",
                                         "ipt eval --mode replay -m qwen2.5-coder-1.5b-instruct",
                                         "ipt eval --mode record --ids failing.txt"))
    ev.add_argument("--suite", choices=("next_step", "notes", "all", "signals", "situations", "factcheck"), default="all",
                    metavar="SUITE",
                    help="next_step | notes | all | signals | situations | factcheck (default all). next_step and notes cases (all = both); signals: the signal layer on labelled snippets; "
                         "situations: which IPT situation leads the answer, length, fit, phase; factcheck: the notes fact check on "
                         "labelled model drafts and the note parser on labelled bullet sets")
    ev.add_argument("--mode", choices=EVAL_MODES, default="offline", metavar="MODE",
                    help="offline: the grounded offline pipeline (default, no model); live: the configured model; "
                         "record: the model, storing each call; replay: the stored calls, no model")
    ev.add_argument("--concurrency", type=int, default=None, metavar="N",
                    help="cases run at once (default 1 for offline and replay runs, 4 for model runs)")
    ev.add_argument("--baseline", metavar="PATH", help="baseline file (default evals/baselines/<mode>.json)")
    ev.add_argument("--bless", action="store_true", help="write this run as the new baseline")
    ev.add_argument("--report-dir", metavar="DIR",
                    help="where to write HTML, JSON and JUnit reports (default: reports/ in the data dir)")
    ev.add_argument("--cases", metavar="DIR", help="cases folder (default evals/cases)")
    ev.add_argument("--recordings", metavar="DIR",
                    help="recordings folder (default: record writes to recordings/ in the data dir; "
                         "replay reads the committed evals/recordings)")
    ev.add_argument("--judge", action="store_true", help="also run the LLM judge (needs IPT_JUDGE_* or the endpoint)")
    ev.add_argument("--filter", metavar="TEXT", help="only cases whose id contains TEXT")
    ev.add_argument("--ids", metavar="FILE", help="only the case ids listed in FILE (one per line, # comments); "
                                                  "--mode replay defaults to evals/recorded_cases.txt")
    ev.add_argument("--no-progress", action="store_true", help="no progress bar")
    _common(ev)

    bench = sub.add_parser("bench", help="measure latency, index build, token use and retrieval quality")
    bench.add_argument("--json", action="store_true", help="print as JSON")
    bench.add_argument("--repeat", type=int, default=5,
                       help="interleaved rounds over the fixture's questions for the warm measurements (min of N)")
    bench.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the cold-start measurements")
    bench.add_argument("--scale", type=int, default=None, metavar="N",
                       help="instead: a synthetic knowledge base N times larger, in a temp dir (e.g. --scale 50)")
    return parser


def _settings(args: argparse.Namespace) -> Any:
    from .config import Settings

    return Settings.from_env(model=getattr(args, "model", None), base_url=getattr(args, "base_url", None),
                             timeout=getattr(args, "timeout", None), offline=getattr(args, "offline", False) or None)


def _read_text_arg(value: str, what: str) -> str:
    from .errors import InputError

    if value != "-":
        if not _is_utf8(value):
            raise InputError(f"the {what} is not valid UTF-8 text")
        return value
    if sys.stdin is None:
        raise InputError(f"no {what} given: pass it on stdin")
    if sys.stdin.isatty():
        sys.stderr.write(f"ipt: type or paste the {what}, then press Ctrl-D\n")
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"the {what} on stdin is not UTF-8 text") from None


def _is_utf8(value: str) -> bool:
    """False for text decoded from invalid UTF-8 (argv keeps such bytes as lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_numbers(args: argparse.Namespace) -> None:
    """Numeric options, validated the same way in every command (exit 2, one line, before any work)."""
    from .config import check_timeout
    from .errors import InputError
    from .phase import MAX_TOTAL

    for opt, name in (("session", "--session"), ("total", "--of")):
        value = getattr(args, opt, None)
        if value is not None and not 1 <= value <= MAX_TOTAL:
            raise InputError(f"{name} must be between 1 and {MAX_TOTAL}, got {value}")
    if getattr(args, "timeout", None) is not None:
        args.timeout = check_timeout(args.timeout, "--timeout")
    for opt, name, high in (("repeat", "--repeat", 10_000), ("concurrency", "--concurrency", 64),
                            ("rounds", "--rounds", 1_000), ("scale", "--scale", 200)):
        value = getattr(args, opt, None)
        if value is not None and not 1 <= value <= high:
            raise InputError(f"{name} must be between 1 and {high}, got {value}")


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _work_message(settings: Any, model: Any) -> str:
    from .terminal import index_message

    first = index_message(settings)
    if model is None:
        return first
    asking = f"asking {model.name} via {settings.endpoint_host}…"
    return f"{first[:-1]}, then {asking}" if first.startswith("Building") else asking.capitalize()


def cmd_ask(args: argparse.Namespace) -> int:
    from .assistant import Assistant
    from .terminal import MarkdownStream, print_markdown, status

    question = _read_text_arg(args.question, "question")
    assistant = Assistant(_settings(args))
    streamed: list[str] = []
    out = MarkdownStream(sys.stdout)

    def on_token(piece: str) -> None:
        streamed.append(piece)
        out.feed(piece)

    stream = None if args.json or assistant.model is None else on_token
    if stream:
        sys.stderr.write(f"ipt: {assistant.model.name} via {assistant.settings.endpoint_host}\n")  # type: ignore[union-attr]
    with status(_work_message(assistant.settings, assistant.model), enabled=not args.json) as busy:
        try:
            answer = assistant.ask(question, session=args.session, total_sessions=args.total, focal_area=args.focus,
                                   on_token=busy.stop_on_first(stream),
                                   detail="full" if getattr(args, "long", False) else "short")
        finally:
            out.close()
    if args.json:
        _print_json(answer.model_dump(mode="json"))
        return 0
    if streamed and answer.mode == "llm":
        sys.stdout.write("\n" if out.rendered else "\n\n")
        _print_checks(answer.flags, answer.answer.rstrip().splitlines()[-1])
    else:
        if streamed:
            from .answer import fallback_notice

            sys.stdout.write(fallback_notice(len(streamed), answer))
        print_markdown(answer.answer, sys.stdout)
        _print_checks([f for f in answer.flags if f.code in {"endpoint_error", "frame_violation"}], None)
    return 0


def _print_checks(flags: list[Any], sources: str | None) -> None:
    """The sources line (markdown) and the check flags, rendered on a terminal, plain otherwise."""
    from .terminal import print_markdown, print_plain

    if sources:
        print_markdown(sources, sys.stdout)
    for f in flags:
        print_plain(f"[{f.code}] {f.message}", sys.stdout)


def cmd_techniques(args: argparse.Namespace) -> int:
    from .catalog import get_catalog
    from .errors import InputError
    from .planning import normalise_focus

    cat = get_catalog()
    if args.id:
        if args.id not in cat.techniques:
            raise InputError(f"unknown technique id {args.id!r} (see `ipt techniques`)")
        t = cat.techniques[args.id]
        if args.json:
            _print_json(t.model_dump())
            return 0
        out = [f"# {t.name} (`{t.id}`)", "", t.summary, "", f"**Purpose:** {t.purpose}", "",
               f"**Phases:** {', '.join(t.phases)} · **Focal areas:** {', '.join(t.focal_areas)}"]
        for title, items in (("When to use", t.when_to_use), ("How to do it", t.how_to),
                             ("Key phrases", t.key_phrases), ("Follow-up questions", t.follow_up_questions),
                             ("Warnings", t.warnings)):
            out += ["", f"## {title}"] + [f"- {i}" for i in items]
        also = display_synonyms(t.name, t.synonyms)
        out += [""] + ([f"**Also called:** {', '.join(also)}", ""] if also else [])
        out += [f"**References:** {'; '.join(t.references)}"]
        from .terminal import print_markdown

        print_markdown("\n".join(out), sys.stdout)
        return 0
    focus = normalise_focus(args.focus)
    if args.phase and args.phase not in cat.phases:
        raise InputError(f"unknown phase {args.phase!r}: use one of {', '.join(cat.phases)}")
    items = [t for t in cat.techniques.values()
             if (not args.phase or args.phase in t.phases) and (not focus or focus in t.focal_areas)]
    if args.json:
        _print_json([t.model_dump() for t in items])
        return 0
    width = max(len(t.id) for t in items) if items else 0
    for t in items:
        sys.stdout.write(f"{t.id:<{width}}  {t.name}  [{', '.join(t.phases)}]\n")
    sys.stdout.write(f"\n{len(items)} technique(s). `ipt techniques ID` shows one in full.\n")
    return 0


#: Words that open a note-writing phrase ("gave formulation", "went through the fight"): past
#: tense, how a clinician documents what was done, not another name for the technique.
_PAST = frozenset("gave went made took did told set got met saw brought thought sought held put kept led let "
                  "built began drew wrote spoke chose".split())


def display_synonyms(name: str, synonyms: Sequence[str]) -> list[str]:
    """The catalog synonyms a clinician would call the technique: not the note parser's shorthand
    ("rp", "CA"), not documentation phrases in the past tense ("role-played", "explored feelings",
    "gave formulation"), not the name again."""
    seen = {name.casefold()}
    name_words = [w.casefold() for w in name.replace("-", " ").split()]
    kept = []
    for syn in synonyms:
        words = syn.strip().split()
        if not words:
            continue
        first = words[0].casefold()
        head = first.split("-")[-1]
        last = words[-1].casefold()
        if len(syn.strip()) <= 3 or syn.isupper() or head.endswith("ed") or first in _PAST:
            continue
        if len(words) > 1 and (last.endswith("ed") or last in {"done", "given", "taken", "made"}):  # "formulation shared"
            continue
        if any(len(w) < len(n) and n.startswith(w) for w in (x.casefold() for x in words) for n in name_words):
            continue  # a clipped word ("comm analysis"): shorthand
        if syn.casefold() in seen:
            continue
        seen.add(syn.casefold())
        kept.append(syn.strip())
    return kept


def _index_state(settings: Any, content_hash: str) -> str:
    """The search index's state, read without opening chromadb (a read-only look at its sqlite)."""
    if settings.chroma_url:
        return "Chroma server (IPT_CHROMA_URL); checked on first use"
    db = settings.data_dir / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return "not built (built on first use, a few seconds)"
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)
        try:
            rows = con.execute("SELECT m.key, m.str_value FROM collection_metadata m JOIN collections c "
                               "ON c.id = m.collection_id WHERE c.name = 'ipt_knowledge'").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return "unreadable (rebuilt on next use)"
    meta = dict(rows)
    if not meta:
        return "not built (built on first use, a few seconds)"
    if meta.get("content_hash") != content_hash:
        return f"stale: built for knowledge {meta.get('content_hash')} (rebuilt on next use)"
    try:  # what this version would build: another embedder or chunking also means a rebuild
        from . import embeddings as _emb
        from .index import INDEX_VERSION

        embedder, version = f"{_emb.MODEL_ID}:{_emb.MAX_TOKENS}", INDEX_VERSION
    except (ImportError, AttributeError):  # pragma: no cover - names moved: compare the knowledge only
        embedder, version = meta.get("embedder"), meta.get("index_version")
    if meta.get("embedder") != embedder or meta.get("index_version") != version:
        return (f"stale: built with {meta.get('embedder')}, index version {meta.get('index_version')} "
                "(rebuilt on next use)")
    return f"built for this knowledge ({meta.get('embedder', 'unknown embedder')})"


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for dist in ("ipt-assistant", "openai", "langchain", "langchain-core", "langchain-openai", "chromadb",
                 "onnxruntime", "tokenizers", "numpy", "pydantic", "pydantic-settings", "rich", "prompt_toolkit"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _safe_url(url: str | None) -> str | None:
    """An endpoint URL without any user:password part or query (which could carry a key)."""
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", "")) or None


def cmd_config(args: argparse.Namespace) -> int:
    from .catalog import default_knowledge_dir, get_catalog

    settings = _settings(args)
    knowledge = settings.knowledge_dir or default_knowledge_dir()
    try:
        content_hash = get_catalog(settings.knowledge_dir).content_hash
    except Exception as exc:  # noqa: BLE001 - config must show what it can even with a broken knowledge base
        from .errors import IPTError

        content_hash = f"invalid ({_one_line(str(exc)) if isinstance(exc, IPTError) else type(exc).__name__})"
    llm = settings.llm_configured
    info = {
        "mode": "llm" if llm else "offline",
        "endpoint": (_safe_url(settings.base_url) or "https://api.openai.com/v1") if llm else None,
        "model": settings.model if llm else None,
        "api_key": "set" if settings.api_key else "not set",
        "timeout_s": settings.timeout, "max_retries": settings.max_retries, "tools": settings.tools,
        "data_dir": str(settings.data_dir),
        "chroma_url": _safe_url(settings.chroma_url),
        "knowledge_dir": str(knowledge),
        "knowledge_hash": content_hash,
        "index": _index_state(settings, content_hash),
        "versions": _versions(),
    }
    if args.json:
        _print_json(info)
        return 0
    rows = [("mode", "model endpoint" if llm else "grounded offline (no endpoint configured" +
             (", or --offline)" if settings.offline else ")"))]
    if llm:
        rows += [("endpoint", info["endpoint"]), ("model", info["model"])]
    rows += [("api key", info["api_key"]), ("timeout", f"{settings.timeout:g} s x {settings.max_retries + 1} attempts"),
             ("tools (chat)", settings.tools), ("data dir", info["data_dir"])]
    if info["chroma_url"]:
        rows.append(("chroma server", info["chroma_url"]))
    rows += [("knowledge", f"{knowledge} ({content_hash})"), ("index", info["index"]),
             ("versions", ", ".join(f"{k} {v}" for k, v in info["versions"].items()))]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        sys.stdout.write(f"{key:<{width}}  {value}\n")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from .assistant import Assistant
    from .terminal import status

    a = Assistant(_settings(args))
    with status("Building the search index…", enabled=not args.json):
        seconds = a.rebuild_index()
    info = {"chunks": len(a.retriever.chunks), "seconds": round(seconds, 2),
            "content_hash": a.catalog.content_hash,
            "store": a.settings.chroma_url or str(a.settings.data_dir / "chroma")}
    if args.json:
        _print_json(info)
    else:
        sys.stdout.write(f"Indexed {info['chunks']} chunks in {info['seconds']} s "
                         f"(knowledge {info['content_hash']}) -> {info['store']}\n")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from .notes.io import read_bullets, write_atomic, check_out_path
    from .assistant import Assistant
    from .errors import InputError

    from .terminal import print_markdown, status

    fmt = args.format.lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown note format {args.format!r}: use one of {', '.join(FORMATS)}")
    if args.out is not None:
        check_out_path(args.out, force=args.force)
    bullets = read_bullets(args.file)
    assistant = Assistant(_settings(args))
    message = "Drafting the note…" if assistant.model is None else f"Drafting the note with {assistant.model.name}…"
    with status(message, enabled=not args.json):
        note = assistant.draft_note(bullets, format=fmt, session=args.session, total_sessions=args.total,
                                    focal_area=args.focus)
    text = json.dumps(note.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n" if args.json else note.text
    if args.out is not None:
        write_atomic(args.out, text, force=args.force)
        sys.stderr.write(f"ipt: wrote {args.out}\n")
    elif args.json:
        sys.stdout.write(text)
    else:
        print_markdown(text, sys.stdout)
    if not args.json:
        for f in note.flags:
            sys.stderr.write(f"ipt: [{f.code}] {f.message}\n")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import run_chat

    return run_chat(_settings(args), session=args.session, total=args.total, focus=args.focus,
                    use_tools=not args.no_tools, as_json=args.json, keep_history=args.history)


def cmd_eval(args: argparse.Namespace) -> int:
    from .evals.runner import main as eval_main

    return eval_main(args, _settings(args))


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return bench_main(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ask": cmd_ask, "chat": cmd_chat, "note": cmd_note, "techniques": cmd_techniques,
    "index": cmd_index, "eval": cmd_eval, "bench": cmd_bench, "config": cmd_config, "doctor": cmd_config,
}

#: A stable code per kind of error, for ``--json`` consumers.
_ERROR_CODES = (("InputError", "bad_input"), ("ConfigError", "bad_config"), ("KnowledgeError", "broken_knowledge_base"),
                ("EndpointError", "endpoint_error"), ("UsageError", "bad_usage"))


def _error_code(exc: BaseException) -> str:
    names = {c.__name__ for c in type(exc).__mro__}
    return next((code for name, code in _ERROR_CODES if name in names), "error")


def _report_error(message: str, code: str, exit_code: int, as_json: bool) -> int:
    """One ``ipt:`` line on stderr; under ``--json`` also one JSON object on stdout. The message is
    already free of patient text (errors name options, files and endpoints, never the input)."""
    line = _one_line(message)
    sys.stderr.write(f"ipt: {line}\n")
    if as_json:
        try:
            sys.stdout.write(json.dumps({"error": {"code": code, "message": line, "exit_code": exit_code}},
                                        ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
    return exit_code


def _wants_json(argv: Sequence[str]) -> bool:
    return "--json" in list(argv)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return _report_error(str(exc), "bad_usage", 2, _wants_json(argv))
    as_json = bool(getattr(args, "json", False))
    if args.version:
        from . import __version__

        sys.stdout.write(f"ipt {__version__}\n")
        return 0
    if not args.command:
        parser.print_help()
        return 0
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    from .errors import IPTError, Terminated

    unlog = _setup_logging()
    restore = _handle_signals()
    try:
        _check_numbers(args)
        _clean_stale_writes()
        return COMMANDS[args.command](args)
    except IPTError as exc:
        return _report_error(str(exc), _error_code(exc), exc.exit_code, as_json)
    except KeyboardInterrupt:
        return _report_error("interrupted", "interrupted", 130, as_json)
    except Terminated as exc:
        import signal

        return _report_error(f"stopped by {signal.Signals(exc.signum).name}", "terminated", 128 + exc.signum, as_json)
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file or folder we could not use: say which, not a traceback
        if os.environ.get("IPT_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        return _report_error(f"{where}{exc.strerror or type(exc).__name__}", "os_error", 1, as_json)
    except Exception as exc:  # noqa: BLE001 - never a traceback (it could quote patient text)
        if os.environ.get("IPT_DEBUG"):
            raise
        return _report_error(f"unexpected error ({type(exc).__name__}); set IPT_DEBUG=1 to see the traceback",
                             "unexpected", 1, as_json)
    finally:
        restore()
        unlog()


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _PrefixFormatter:
    """Log records as ``ipt: message`` lines (every line of a multi-line message prefixed)."""

    def format(self, record: Any) -> str:  # noqa: A003 - logging's name
        import logging

        text = record.getMessage()
        if record.levelno >= logging.ERROR:
            text = f"error: {text}"
        return "\n".join(f"ipt: {line}" for line in text.splitlines() or [""])


def _setup_logging() -> Callable[[], None]:
    """Warnings and errors from us and our libraries go to stderr as ``ipt: ...`` lines; Python
    warnings too. Third-party loggers stay at INFO or above (at DEBUG they would log request bodies).
    Returns a function that undoes it (``main`` may run in-process, e.g. in tests)."""
    import logging

    class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
        def emit(self, record: logging.LogRecord) -> None:
            self.stream = sys.stderr  # whatever stderr is now (tests swap it)
            super().emit(record)

    root = logging.getLogger()
    handler = StderrHandler(sys.stderr)
    handler.setFormatter(_PrefixFormatter())  # type: ignore[arg-type]
    handler.setLevel(logging.WARNING)
    root.addHandler(handler)
    captured = getattr(logging, "_warnings_showwarning", None) is not None
    logging.captureWarnings(True)
    from .llm import quiet_third_party_logs

    quiet_third_party_logs()

    def undo() -> None:
        root.removeHandler(handler)
        if not captured:
            logging.captureWarnings(False)

    return undo


def _handle_signals() -> Callable[[], None]:
    """SIGTERM and SIGHUP raise :class:`~assistant.errors.Terminated`, so that ``finally`` blocks
    run (a note's temp file is removed) before the process exits. Returns a function that puts the
    previous handlers back."""
    import signal

    from .errors import Terminated

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(signum)

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            previous[sig] = signal.signal(sig, stop)
        except ValueError:  # not the main thread (main() called from a thread)
            pass

    def restore() -> None:
        for sig, handler in previous.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, TypeError):
                pass

    return restore


def _clean_stale_writes() -> None:
    """Remove temp files left by a note write that was killed (best effort, never fails)."""
    try:
        from .config import default_data_dir
        from .notes.io import clean_stale_writes

        clean_stale_writes(default_data_dir())
    except Exception:  # noqa: BLE001
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
