"""``ipt chat``: a multi-turn terminal conversation that keeps the case.

Commands: ``/session N``, ``/of M``, ``/focus AREA`` (``/focus none`` clears),
``/format soap|dap|birp|girp``, ``/note`` (then paste bullets, end with a blank
line), ``/case``, ``/reset``, ``/help``, ``/quit``. Notes are drafted only after
``/note``: a bullet line typed at the prompt gets a hint, not a note. Small talk
("hello", "thanks") gets a short reply without a search. History sent to the model
is trimmed to a token budget, oldest turns first.

Offline, a follow-up that names no focal area of its own ("what should I say when she
brings it up again?") is searched together with the question that set the topic, so
the case (session, focus, risk) and the topic carry over; the focus then stays
"inferred" in the answers as in ``/case``.

On a terminal: line editing and history (prompt_toolkit; history in memory unless
``--history``), answers rendered as markdown, a status line while working, Ctrl-C
cancels the answer in progress (not the chat), Ctrl-D leaves.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .assistant import Assistant
from .config import Settings
from .errors import EndpointError, InputError, IPTError
from .llm import Message, OpenAICompatibleModel
from .models import Answer, Flag, Note
from .phase import parse_session_mention
from .planning import normalise_focus, plan_question
from .tokens import count_messages

HISTORY_TOKENS = 3000
HELP = """Commands:
  /session N     set the session number          /of M        set the course length
  /focus AREA    grief | role_dispute | role_transition | interpersonal_deficits | none
  /format F      note format: soap | dap | birp | girp
  /note          draft a progress note: paste the bullets, end with an empty line
  /case          show the case                   /reset       forget the case and the conversation
  /help          this help                       /quit        leave (or Ctrl-D)
Anything else is a question about the case. Ctrl-C cancels an answer in progress."""
_BULLET = re.compile(r"^\s*[-*•]\s+\S")
BULLET_HINT = ("That looks like a note bullet. To draft a note, type /note and paste the bullets "
               "(end with an empty line); to ask, write a question.")
_SMALL_TALK = re.compile(
    r"^\s*(?:(?P<hello>h(?:i|ello|ey)(?:\s+there)?|good\s+(?:morning|afternoon|evening))|"
    r"(?P<thanks>thanks?(?:\s+you)?(?:\s+(?:so|very)\s+much)?|thank\s+you(?:\s+(?:so|very)\s+much)?|"
    r"cheers|ta|great,?\s+thanks|ok(?:ay)?,?\s+thanks)|"
    r"(?P<bye>bye|goodbye|see\s+you))\s*[.!]*\s*$", re.IGNORECASE)
SMALL_TALK_REPLIES = {
    "hello": "Hello. Ask about a case, e.g. \"Session 5: she keeps fighting with her husband. What next?\" (/help lists the commands.)",
    "thanks": "You're welcome.",
    "bye": "Goodbye. (/quit or Ctrl-D leaves the chat.)",
}
#: CLI option hints in shared messages, as chat's own commands.
_CLI_HINT = re.compile(r"`?--(focus|session|of)\b( (?:AREA|N|M))?`?")
#: A follow-up is searched together with the question that set the topic, up to this many characters.
FOLLOW_UP_CHARS = 4000


def small_talk(line: str) -> str | None:
    """A short reply for a greeting, thanks or goodbye; None for anything else."""
    m = _SMALL_TALK.match(line)
    if not m:
        return None
    return SMALL_TALK_REPLIES[next(k for k, v in m.groupdict().items() if v)]


#: What the history keeps of an answer, in words (see :func:`brief_answer`).
BRIEF_WORDS = 120
#: Lines of an answer the history leaves out: banners and checks, the case header, sources, flags.
_NOT_BRIEF = re.compile(r"^\s*(?:>|\*\*Session \d|Sources:|\[[a-z_]+\]\s)")


def brief_answer(text: str, max_words: int = BRIEF_WORDS) -> str:
    """What the chat's history keeps of an answer for the next turn's model call: its prose, without the
    banners, the case header (the case travels in the system prompt), the sources and the flags, cut
    to ``max_words`` words. Small models copy a long earlier answer back, and read every token of it
    on every turn; the clinician's screen still shows the whole answer."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not _NOT_BRIEF.match(ln)]
    kept: list[str] = []
    count = 0
    for ln in lines:
        n = len(ln.split())
        if count + n > max_words:
            rest = max_words - count
            if rest > 5:
                kept.append(" ".join(ln.split()[:rest]) + " …")
            break
        kept.append(ln)
        count += n
    return "\n".join(kept)


def chat_hints(text: str) -> str:
    """Hints written for the command line (``--focus AREA``) in chat's own words (``/focus AREA``)."""
    return _CLI_HINT.sub(lambda m: f"/{m.group(1)}{m.group(2) or ''}", text)


@dataclass
class Turn:
    kind: str  # answer | note | command | reply | hint | quit
    text: str
    answer: Answer | None = None
    note: Note | None = None
    streamed: bool = False  # the model's text was already printed as it arrived


@dataclass
class ChatSession:
    assistant: Assistant
    session: int | None = None
    total: int = 16
    focus: str | None = None
    note_format: str = "dap"
    use_tools: bool = True
    history_tokens: int = HISTORY_TOKENS
    history: list[Message] = field(default_factory=list)
    focus_inferred: bool = False
    topic: str | None = None  # the question that set the topic (offline follow-ups are searched with it)
    topic_risk: bool = False  # that question raised risk: its follow-ups keep the safety-first context
    _tools: bool | None = None  # the endpoint returns native tool calls
    _tool_mode: str | None = None  # native | text | off (see assistant.agent)
    last_tool_calls: list[str] = field(default_factory=list)  # the tools the agent called in the last turn
    last_code_calls: list[str] = field(default_factory=list)  # calls the code made for it (it made none)
    last_stops: list[str] = field(default_factory=list)  # replies the stream guard cut off, and why
    _probe_error: EndpointError | None = None

    @property
    def case(self) -> dict[str, Any]:
        return {"session": self.session, "total": self.total, "focus": self.focus}

    def describe_case(self) -> str:
        s = f"session {self.session} of {self.total}" if self.session else f"session not set (course of {self.total})"
        f = self.focus or "not set"
        if self.focus and self.focus_inferred:
            f += " (inferred)"
        return f"Case: {s}; focal area: {f}; note format: {self.note_format}; mode: {self.assistant.mode}"

    # -- commands -------------------------------------------------------------------------
    def command(self, line: str) -> Turn:
        name, _, arg = line[1:].strip().partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in {"quit", "exit", "q"}:
            return Turn("quit", "Goodbye.")
        if name == "help":
            return Turn("command", HELP)
        if name == "reset":
            self.session, self.total, self.focus, self.focus_inferred = None, 16, None, False
            self.topic, self.topic_risk = None, False
            self.history.clear()
            return Turn("command", "Case and conversation cleared. " + self.describe_case())
        if name == "case":
            return Turn("command", self.describe_case())
        if name in {"session", "of"}:
            if not arg.isdigit() or int(arg) < 1 or int(arg) > 60:
                raise InputError(f"/{name} needs a number between 1 and 60")
            if name == "session":
                self.session = int(arg)
            else:
                self.total = int(arg)
            return Turn("command", self.describe_case())
        if name == "focus":
            self.focus = None if arg.lower() in {"", "none", "clear"} else normalise_focus(arg)
            self.focus_inferred = False
            return Turn("command", self.describe_case())
        if name == "format":
            if arg.lower() not in {"soap", "dap", "birp", "girp"}:
                raise InputError("/format needs soap, dap, birp or girp")
            self.note_format = arg.lower()
            return Turn("command", self.describe_case())
        raise InputError(f"unknown command /{name} (try /help)")

    # -- turns ----------------------------------------------------------------------------
    def note(self, bullets: str) -> Turn:
        note = self.assistant.draft_note(bullets, format=self.note_format, session=self.session,
                                         total_sessions=self.total if self.session else None, focal_area=self.focus)
        flags = "\n".join(f"[{f.code}] {f.message}" for f in note.flags)
        return Turn("note", note.text + (f"\n{flags}" if flags else ""), note=note)

    def ask(self, text: str, on_token: Any = None) -> Turn:
        from .phase import MAX_TOTAL

        mentioned, total, _ = parse_session_mention(text)
        # A number out of range is refused for this turn only: it must not stick in the case.
        if mentioned is not None and mentioned > MAX_TOTAL:
            raise InputError(f"session {mentioned} is out of range (1-{MAX_TOTAL}); the case is unchanged")
        if total is not None and not 1 <= total <= MAX_TOTAL:
            raise InputError(f"a course of {total} sessions is out of range (1-{MAX_TOTAL}); the case is unchanged")
        if mentioned and mentioned > 0:
            self.session = mentioned
        if total:
            self.total = total
        seen: list[str] = []

        def tap(piece: str) -> None:
            seen.append(piece)
            on_token(piece)

        if self.assistant.model is None:
            answer = self._offline_answer(text)
        else:
            answer = self._answer(text, tap if on_token else None)
            if self.focus_inferred and answer.focal_area == self.focus and answer.focal_area_source == "given":
                # inferred earlier in this chat, as /case says: the answer's header says so too
                answer.focal_area_source = "inferred"
                answer.answer = answer.answer.replace(" (given)", " (inferred earlier in this chat)", 1)
        if answer.focal_area and (self.focus is None or self.focus_inferred):
            self.focus, self.focus_inferred = answer.focal_area, True
        answer.flags = [f.model_copy(update={"message": chat_hints(f.message)}) for f in answer.flags]
        answer.answer = chat_hints(answer.answer)
        self._remember(text, answer.answer)
        streamed = bool(seen) and answer.mode == "llm"
        if streamed:  # only the checks and sources remain to be shown
            tail = [answer.answer.rstrip().splitlines()[-1]] + [f"[{f.code}] {f.message}" for f in answer.flags]
            return Turn("answer", "\n".join(tail), answer=answer, streamed=True)
        if seen:  # model text was shown, then the call failed: disown it before the fallback
            from .answer import fallback_notice

            return Turn("answer", fallback_notice(len(seen), answer) + answer.answer, answer=answer)
        return Turn("answer", answer.answer, answer=answer)

    def _offline_answer(self, text: str) -> Answer:
        """The grounded offline answer, with the conversation's case and topic.

        A focus set with /focus (or --focus) is given; an inferred one is not passed on as if given:
        a follow-up without a focus of its own is searched together with the question that set the
        topic, so it is inferred again from the same words, and /case and the answer agree. A
        follow-up after a risk question keeps the safety-first context."""
        a = self.assistant
        given = None if self.focus_inferred else self.focus
        ask = lambda q: a.ask(q, session=self.session, total_sessions=self.total, focal_area=given)  # noqa: E731
        answer = ask(text)
        own_risk = any(f.code == "risk" for f in answer.flags)
        own_topic = answer.focal_area_source == "inferred" or own_risk or (given is not None and len(text.split()) > 15)
        if self.topic and (not own_topic or (self.topic_risk and not own_risk)):
            room = max(0, FOLLOW_UP_CHARS - len(text) - 1)
            if room:
                answer = ask(f"{self.topic[-room:]}\n{text}")
        else:
            self.topic, self.topic_risk = text, own_risk
        if answer.focal_area is None and self.focus_inferred and self.focus:
            answer = a.ask(text, session=self.session, total_sessions=self.total, focal_area=self.focus)
            answer.focal_area_source = "inferred"
        return answer

    def _answer(self, text: str, on_token: Any) -> Answer:
        a = self.assistant
        model = a.model
        agentic = model is not None and (isinstance(model, OpenAICompatibleModel) or hasattr(model, "agent_chat_model"))
        mode = self._tool_support(model) if agentic and self.use_tools else "off"
        if self._probe_error is not None:  # the endpoint just failed the probe: no second full timeout
            err, self._probe_error = self._probe_error, None
            from .answer import offline_answer

            plan = plan_question(text, a.retriever, a.catalog, session=self.session, total_sessions=self.total,
                                 focal_area=self.focus)
            flag = Flag(code="endpoint_error", message=f"{err} — showing the grounded offline answer instead.")
            ans = offline_answer(plan, a.catalog, extra_flags=[flag],
                                 note=f"The model endpoint failed ({err}); this is the grounded offline answer.")
            ans.model = model.name if model is not None else None
            ans.usage.model_calls = int(getattr(err, "attempts", 1) or 1)
            return ans
        if model is None:
            return a.ask(text, session=self.session, total_sessions=self.total, focal_area=self.focus)
        plan = plan_question(text, a.retriever, a.catalog, session=self.session, total_sessions=self.total,
                             focal_area=self.focus)
        spent = 0  # model calls of an agent run whose answer could not be used
        self.last_tool_calls, self.last_code_calls, self.last_stops = [], [], []
        if mode != "off" and not plan.safety_first:  # risk: code's safety-first answer, never the agent's
            ans, spent = self._agent_answer(plan, model, mode, on_token)
            if ans is not None:
                return ans
        from .answer import llm_answer

        ans = llm_answer(plan, a.catalog, model, budget=a.settings.context_tokens,
                         max_tokens=a.settings.max_answer_tokens, on_token=on_token, history=self.trimmed_history())
        ans.usage.model_calls += spent
        return ans

    def _tool_support(self, model: Any) -> str:
        """The agent mode for this endpoint: native | text | off (probed once per endpoint, model and
        server, cached); a failed probe is remembered."""
        if self._tool_mode is None:
            from .agent import tool_mode

            try:
                self._tool_mode = tool_mode(model, self.assistant.settings.data_dir, self.assistant.settings.tools)
            except EndpointError as err:
                self._tool_mode = "off"
                if err.kind in {"timeout", "connection"}:
                    self._probe_error = err
            self._tools = self._tool_mode == "native"
        return self._tool_mode

    def _agent_answer(self, plan: Any, model: Any, mode: str, on_token: Any) -> tuple[Answer | None, int]:
        """One turn through the agent, checked like ``ask``, and the model calls it made; no answer when
        the model's rests on no tool result (the caller then retrieves and answers). Shows progress (each tool, then the answer) through
        ``on_token``."""
        from .agent import TEXT, correct_verdict, run_agent
        from .answer import checked_answer, offline_answer, preamble_lines, rejected_answer
        from .prompts import CHAT_AGENT_SYSTEM, load_prompt
        from .written import check_written

        a = self.assistant
        started = time.perf_counter()
        # The agent sees the last exchange only: the case travels in the system prompt, and small models
        # answer an earlier question when given several (and read every token of them, every turn).
        history = self.trimmed_history()[-2:]
        case = self.describe_case()
        if mode == TEXT and history:
            # Servers without native tool calls run small local models, which paste their previous answer
            # back (measured: 3 of 5 recorded turns). They get the previous question only, in the case.
            case += f"; the clinician's previous question: {history[0]['content'][:300]}"
            history = []
        system = load_prompt(CHAT_AGENT_SYSTEM).render(case=case)
        messages = [{"role": "system", "content": system}, *history, {"role": "user", "content": plan.question}]
        shown: list[str] = []

        def progress(kind: str, data: dict[str, Any]) -> None:
            if on_token is None:
                return
            if kind == "tool":
                args = ", ".join(f"{v}" for v in data.get("args", {}).values())[:80]
                line = f"… {data['name']}({args})\n"
            elif kind == "answer":
                line = "… writing the answer\n"
            else:
                return
            shown.append(line)
            on_token(line)

        try:
            result = run_agent(a, model, messages, self.case, mode=mode, on_progress=progress,
                               max_tokens=a.settings.max_answer_tokens)
        except EndpointError as err:
            flag = Flag(code="endpoint_error", message=f"{err} — showing the grounded offline answer instead.")
            ans = offline_answer(plan, a.catalog, extra_flags=[flag], note=f"The model endpoint failed ({err}).")
            ans.model = model.name
            ans.usage.model_calls = int(getattr(err, "attempts", 0) or 0)
            return ans, ans.usage.model_calls
        self.last_tool_calls = list(result.tool_calls)
        self.last_code_calls, self.last_stops = list(result.steps.code_calls), list(result.steps.stopped)
        if result.mode != mode:  # the server wrote tool calls as text: remember for this endpoint
            self._tool_mode, self._tools = result.mode, result.mode == "native"
            correct_verdict(model, a.settings.data_dir, result.mode)
        completion = result.completion
        assert completion is not None
        written = check_written(completion.text, result.tool_text, completion.finish_reason)
        if not written.ok:  # copied, truncated or a pseudo tool call: never shown as an answer
            return rejected_answer(plan, a.catalog, completion, written, started,
                                   model_calls=completion.attempts), completion.attempts
        if not result.opened:  # no tool returned an id: nothing grounds the answer
            return None, completion.attempts
        ans = checked_answer(plan, a.catalog, completion, result.opened, preamble_lines(plan, a.catalog),
                             count_messages(messages), 0, started)
        if on_token is not None and shown:  # progress was shown: the checked answer follows it
            body = ans.answer.rstrip().splitlines()[:-1]
            on_token("\n" + "\n".join(body).rstrip() + "\n")
        ans.usage.model_calls = completion.attempts
        return ans, completion.attempts

    def _remember(self, question: str, answer: str) -> None:
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": brief_answer(answer)}]

    def trimmed_history(self) -> list[Message]:
        """The most recent turns that fit the history budget (whole user/assistant pairs)."""
        kept: list[Message] = []
        for i in range(len(self.history) - 2, -1, -2):
            pair = self.history[i : i + 2]
            if count_messages(kept + pair) > self.history_tokens:
                break
            kept = pair + kept
        return kept


def run_chat(settings: Settings, *, session: int | None = None, total: int | None = 16, focus: str | None = None,
             use_tools: bool = True, as_json: bool = False, stdin: IO[str] | None = None,
             stdout: IO[str] | None = None, keep_history: bool = False, reader: Any = None) -> int:
    """The REPL. Reads lines until /quit, Ctrl-D or end of input.

    On a terminal (stdin and stdout both), lines are read with prompt_toolkit (editing, history in
    memory, or in ``chat-history`` in the data dir with ``keep_history``) and answers are rendered;
    otherwise lines are read plainly and written plainly. With ``as_json`` every line written is one
    JSON object (errors too). ``reader`` (tests) replaces the line reader: a callable
    ``(prompt) -> str`` raising EOFError at the end and KeyboardInterrupt for Ctrl-C."""
    from .terminal import MarkdownStream, is_terminal, print_markdown, status

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if hasattr(stdin, "reconfigure"):  # a bad byte must cost one line, not the session
        try:
            stdin.reconfigure(errors="surrogateescape")
        except (ValueError, OSError):
            pass
    chat = ChatSession(Assistant(settings), session=session, total=total or 16, focus=normalise_focus(focus),
                       use_tools=use_tools)
    interactive = stdin.isatty() if hasattr(stdin, "isatty") else False
    rich_out = not as_json and is_terminal(stdout)
    if reader is None:
        reader = _line_reader(stdin, stdout, interactive, settings, keep_history)

    def say(text: str) -> None:
        stdout.write(text.rstrip() + "\n")
        stdout.flush()

    def emit(turn: Turn) -> None:
        if as_json:
            payload: dict[str, Any] = {"kind": turn.kind, "text": turn.text, "case": chat.case}
            if turn.answer:
                payload["answer"] = turn.answer.model_dump(mode="json")
            if turn.note:
                payload["note"] = turn.note.model_dump(mode="json")
            say(json.dumps(payload, ensure_ascii=False))
        elif turn.kind in {"answer", "note"} and not turn.streamed:
            print_markdown(turn.text, stdout, rich_ok=rich_out)
        else:
            say(turn.text)

    def error(message: str, code: str = "bad_input") -> None:
        if as_json:
            say(json.dumps({"kind": "error", "error": {"code": code, "message": " ".join(message.split())},
                            "case": chat.case}, ensure_ascii=False))
        else:
            say(f"ipt: {message}")

    def safely(fn: Any) -> Any:
        try:
            return fn()
        except IPTError as exc:
            error(str(exc), _code(exc))
            return None

    def answer_turn(work: Any, message: str) -> None:
        """Run one answer or note with a status line; Ctrl-C cancels it and the chat goes on."""
        out = MarkdownStream(stdout) if rich_out else None
        with status(message, sys.stderr, enabled=not as_json) as busy:

            def stream(piece: str) -> None:
                if out is not None:
                    out.feed(piece)
                else:
                    stdout.write(piece)
                    stdout.flush()

            try:
                turn = safely(lambda: work(None if as_json else busy.stop_on_first(stream)))
            except KeyboardInterrupt:
                busy.stop()
                if out is not None:
                    out.close()
                error("cancelled; the chat goes on (Ctrl-D or /quit leaves)", "cancelled")
                return
            finally:
                if out is not None:
                    out.close()
        if turn is not None:
            emit(turn)

    if not as_json:
        label = "grounded offline mode" if chat.assistant.model is None else f"model {chat.assistant.model.name}"
        say(f"IPT Assistant chat ({label}). /help for commands, /quit or Ctrl-D to leave.\n{chat.describe_case()}")

    pending: list[str] = []
    collecting = False
    hinted = False
    while True:
        try:
            line = reader("... " if collecting else "ipt> ")
        except EOFError:
            if pending:
                bullets = "\n".join(pending)
                answer_turn(lambda _stream: chat.note(bullets), "Drafting the note…")
            return 0
        except KeyboardInterrupt:  # Ctrl-C at the prompt: drop the line (and a half-pasted note)
            if collecting:
                pending, collecting = [], False
                error("note cancelled", "cancelled")
            continue
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            error("that line is not valid UTF-8 text; it was ignored")
            continue
        if collecting:
            if line.strip() and line.strip() != ".":
                pending.append(line)
                continue
            collecting = False
            bullets, pending = "\n".join(pending), []
            if bullets.strip():
                answer_turn(lambda _stream: chat.note(bullets), "Drafting the note…")
            continue
        if not line.strip():
            continue
        if line.startswith("/"):
            if line.strip().split()[0].lower() == "/note":
                collecting = True
                if not as_json:
                    say(f"Paste the bullets ({chat.note_format.upper()}); finish with an empty line.")
                continue
            turn = safely(lambda: chat.command(line))
            if turn is None:
                continue
            emit(turn)
            if turn.kind == "quit":
                return 0
            continue
        if _BULLET.match(line):
            if not hinted:  # once per run of bullet lines, not once per line of a paste
                emit(Turn("hint", BULLET_HINT))
            hinted = True
            continue
        hinted = False
        reply = small_talk(line)
        if reply is not None:
            emit(Turn("reply", reply))
            continue
        answer_turn(lambda stream: chat.ask(line, on_token=stream), _status_text(chat))


def _status_text(chat: ChatSession) -> str:
    from .terminal import index_message

    model = chat.assistant.model
    if model is None:
        return index_message(chat.assistant.settings)
    return f"Asking {model.name}…"


def _code(exc: IPTError) -> str:
    if isinstance(exc, EndpointError):
        return "endpoint_error"
    if isinstance(exc, InputError):
        return "bad_input"
    return "error"


def _line_reader(stdin: IO[str], stdout: IO[str], interactive: bool, settings: Settings,
                 keep_history: bool) -> Any:
    """``(prompt) -> line``: prompt_toolkit on a terminal, else plain lines from ``stdin``."""
    if interactive and stdin is sys.stdin and stdout is sys.stdout and stdout.isatty():
        try:
            return prompt_reader(history_file(settings) if keep_history else None)
        except ImportError:  # pragma: no cover - prompt_toolkit is a dependency
            pass

    def read(prompt: str) -> str:
        if interactive:
            stdout.write(prompt)
            stdout.flush()
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read


def history_file(settings: Settings) -> Path:
    """``chat-history`` in the data dir, created with mode 0600 (it holds what the clinician types)."""
    import os

    from .index import ensure_data_dir

    folder = ensure_data_dir(Path(settings.data_dir))
    path = folder / "chat-history"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def prompt_reader(history: Path | None = None, **session_kw: Any) -> Any:
    """A prompt_toolkit line reader: arrow keys, editing, Ctrl-R search, history (in memory unless
    ``history`` names a file). Ctrl-C raises KeyboardInterrupt, Ctrl-D on an empty line EOFError."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    session: Any = PromptSession(history=FileHistory(str(history)) if history else InMemoryHistory(),
                                 enable_history_search=True, **session_kw)

    def read(prompt: str) -> str:
        return session.prompt(prompt)

    return read
