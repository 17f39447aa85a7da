"""The ``ipt`` command line. Heavy modules are imported inside each command so that
``ipt --help`` stays instant. Errors become one-line messages and exit codes:
0 success, 1 failure (or eval regression), 2 bad input, 3 broken knowledge base."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Sequence

FORMATS = ("soap", "dap", "birp", "girp")
FOCUS_HELP = "focal area: grief | role_dispute | role_transition | interpersonal_deficits"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--offline", action="store_true", help="grounded offline mode even if an endpoint is configured")
    p.add_argument("--model", help="model name (overrides IPT_MODEL)")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (overrides IPT_BASE_URL)")
    p.add_argument("--timeout", metavar="SECONDS",
                   help="deadline for one model request, all included (default 30; checked like IPT_TIMEOUT)")


def _case(p: argparse.ArgumentParser, of_default: int | None) -> None:
    p.add_argument("--session", type=int, metavar="N", help="session number")
    p.add_argument("--of", type=int, metavar="M", default=of_default, dest="total",
                   help=f"course length in sessions (default {of_default or 'from the bullets, else 16'})")
    p.add_argument("--focus", metavar="AREA", help=FOCUS_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ipt",
        description="IPT Assistant: grounded next-step answers, fact-checked progress notes and eval "
                    "regressions for Interpersonal Psychotherapy. Runs offline unless IPT_BASE_URL / "
                    "IPT_API_KEY / IPT_MODEL (or OPENAI_*) point it at a model.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help='answer "what do I do next?" for a case')
    ask.add_argument("question", help="the question (use - to read it from stdin)")
    ask.add_argument("--long", action="store_true",
                     help="the full view: phase summary, ranked techniques with how-to, session structure")
    _case(ask, 16)
    _common(ask)

    chat = sub.add_parser("chat", help="multi-turn conversation that keeps the case (/session, /focus, /reset, /quit)")
    _case(chat, 16)
    chat.add_argument("--no-tools", action="store_true", help="never use tool calling, even if the endpoint supports it")
    _common(chat)

    note = sub.add_parser("note", help="draft a progress note (SOAP, DAP, BIRP, GIRP) from bullet points")
    note.add_argument("file", nargs="?", default="-", help="bullets file, or - for stdin (default)")
    note.add_argument("--format", default="dap", help="soap | dap | birp | girp (default dap)")
    _case(note, None)
    note.add_argument("--out", metavar="PATH", help="write the note here (atomically)")
    note.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    _common(note)

    tech = sub.add_parser("techniques", help="list the technique catalog, or show one technique")
    tech.add_argument("id", nargs="?", help="a technique id to show in full")
    tech.add_argument("--phase", help="only techniques used in this phase")
    tech.add_argument("--focus", metavar="AREA", help="only techniques for this focal area")
    tech.add_argument("--json", action="store_true", help="print as JSON")

    index = sub.add_parser("index", help="rebuild the search index now (it also rebuilds itself when stale)")
    index.add_argument("--json", action="store_true", help="print as JSON")

    ev = sub.add_parser("eval", help="run the eval suites against a baseline")
    ev.add_argument("--suite", choices=("next_step", "notes", "all", "signals", "situations"), default="all",
                    help="next_step and notes cases (all = both); signals: the signal layer on labelled snippets; "
                         "situations: which IPT situation leads the answer, length, fit, phase")
    ev.add_argument("--mode", choices=("offline", "live", "replay", "record"), default="offline")
    ev.add_argument("--concurrency", type=int, default=4)
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
    ev.add_argument("--ids", metavar="FILE", help="only the case ids listed in FILE (one per line, # comments)")
    ev.add_argument("--no-progress", action="store_true", help="no progress bar")
    _common(ev)

    bench = sub.add_parser("bench", help="measure latency, index build, token use and retrieval quality")
    bench.add_argument("--json", action="store_true", help="print as JSON")
    bench.add_argument("--repeat", type=int, default=30, help="timed repetitions for warm measurements")
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
    for opt, name, high in (("repeat", "--repeat", 10_000), ("concurrency", "--concurrency", 64)):
        value = getattr(args, opt, None)
        if value is not None and not 1 <= value <= high:
            raise InputError(f"{name} must be between 1 and {high}, got {value}")


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    question = _read_text_arg(args.question, "question")
    assistant = Assistant(_settings(args))
    streamed: list[str] = []

    def on_token(piece: str) -> None:
        streamed.append(piece)
        sys.stdout.write(piece)
        sys.stdout.flush()

    stream = None if args.json or assistant.model is None else on_token
    if stream:
        sys.stderr.write(f"ipt: {assistant.model.name} via {assistant.settings.endpoint_host}\n")  # type: ignore[union-attr]
    answer = assistant.ask(question, session=args.session, total_sessions=args.total, focal_area=args.focus,
                           on_token=stream, detail="full" if getattr(args, "long", False) else "short")
    if args.json:
        _print_json(answer.model_dump(mode="json"))
        return 0
    if streamed and answer.mode == "llm":
        sys.stdout.write("\n\n")
        _print_checks(answer.flags, answer.answer.rstrip().splitlines()[-1])
    else:
        if streamed:
            sys.stdout.write("\n\n[endpoint_error] The model's text above is incomplete or unchecked: discard it. "
                             "The grounded offline answer follows.\n\n")
        sys.stdout.write(answer.answer)
        _print_checks([f for f in answer.flags if f.code in {"endpoint_error", "frame_violation"}], None)
    return 0


def _print_checks(flags: list[Any], sources: str | None) -> None:
    if sources:
        sys.stdout.write(sources + "\n")
    for f in flags:
        sys.stdout.write(f"[{f.code}] {f.message}\n")


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
        out = [f"# {t.name} (`{t.id}`)", "", t.summary, "", f"**Purpose:** {t.purpose}",
               f"**Phases:** {', '.join(t.phases)} · **Focal areas:** {', '.join(t.focal_areas)}"]
        for title, items in (("When to use", t.when_to_use), ("How to do it", t.how_to),
                             ("Key phrases", t.key_phrases), ("Follow-up questions", t.follow_up_questions),
                             ("Warnings", t.warnings)):
            out += ["", f"## {title}"] + [f"- {i}" for i in items]
        out += ["", f"Also called: {', '.join(t.synonyms)}", f"References: {'; '.join(t.references)}"]
        sys.stdout.write("\n".join(out) + "\n")
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


def cmd_index(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    a = Assistant(_settings(args))
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

    fmt = args.format.lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown note format {args.format!r}: use one of {', '.join(FORMATS)}")
    if args.out is not None:
        check_out_path(args.out, force=args.force)
    bullets = read_bullets(args.file)
    assistant = Assistant(_settings(args))
    note = assistant.draft_note(bullets, format=fmt, session=args.session, total_sessions=args.total,
                                focal_area=args.focus)
    text = json.dumps(note.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n" if args.json else note.text
    if args.out is not None:
        write_atomic(args.out, text, force=args.force)
        sys.stderr.write(f"ipt: wrote {args.out}\n")
    else:
        sys.stdout.write(text)
    if not args.json:
        for f in note.flags:
            sys.stderr.write(f"ipt: [{f.code}] {f.message}\n")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import run_chat

    return run_chat(_settings(args), session=args.session, total=args.total, focus=args.focus,
                    use_tools=not args.no_tools, as_json=args.json)


def cmd_eval(args: argparse.Namespace) -> int:
    from .evals.runner import main as eval_main

    return eval_main(args, _settings(args))


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return bench_main(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ask": cmd_ask, "chat": cmd_chat, "note": cmd_note, "techniques": cmd_techniques,
    "index": cmd_index, "eval": cmd_eval, "bench": cmd_bench,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
        sys.stderr.write(f"ipt: {_one_line(str(exc))}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("ipt: interrupted\n")
        return 130
    except Terminated as exc:
        import signal

        sys.stderr.write(f"ipt: stopped by {signal.Signals(exc.signum).name}\n")
        return 128 + exc.signum
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file or folder we could not use: say which, not a traceback
        if os.environ.get("IPT_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"ipt: {where}{exc.strerror or type(exc).__name__}\n")
        return 1
    except Exception as exc:  # noqa: BLE001 - never a traceback (it could quote patient text)
        if os.environ.get("IPT_DEBUG"):
            raise
        sys.stderr.write(f"ipt: unexpected error ({type(exc).__name__}); set IPT_DEBUG=1 to see the traceback\n")
        return 1
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
