"""``ipt chat``: a multi-turn terminal conversation that keeps the case.

Commands: ``/session N``, ``/of M``, ``/focus AREA`` (``/focus none`` clears),
``/format soap|dap|birp|girp``, ``/note`` (then paste bullets, end with a blank
line), ``/case``, ``/reset``, ``/help``, ``/quit``. Bullets pasted straight into the
conversation (lines starting with ``-``, ``*`` or ``•``) are drafted as a note.
History sent to the model is trimmed to a token budget, oldest turns first.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass, field
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
  /note          paste bullets for a progress note, end with an empty line
  /case          show the case                   /reset       forget the case and the conversation
  /help          this help                       /quit        leave
Paste bullet lines (starting with -, * or •) to draft a note from them."""
_BULLET = re.compile(r"^\s*[-*•]\s+\S")


@dataclass
class Turn:
    kind: str  # answer | note | command | quit
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
    _tools: bool | None = None
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

        answer = self._answer(text, tap if on_token else None)
        if answer.focal_area and (self.focus is None):
            self.focus, self.focus_inferred = answer.focal_area, True
        self._remember(text, answer.answer)
        streamed = bool(seen) and answer.mode == "llm"
        if streamed:  # only the checks and sources remain to be shown
            tail = [answer.answer.rstrip().splitlines()[-1]] + [f"[{f.code}] {f.message}" for f in answer.flags]
            return Turn("answer", "\n".join(tail), answer=answer, streamed=True)
        if seen:  # model text was shown, then the call failed: disown it before the fallback
            return Turn("answer", "\n\n[endpoint_error] The model's text above is incomplete or unchecked: discard it. "
                        "The grounded offline answer follows.\n\n" + answer.answer, answer=answer)
        return Turn("answer", answer.answer, answer=answer)

    def _answer(self, text: str, on_token: Any) -> Answer:
        a = self.assistant
        model = a.model
        if isinstance(model, OpenAICompatibleModel) and self.use_tools:
            self._tool_support(model)  # probed once per endpoint+model (cached); a failed probe is remembered
        if self._probe_error is not None:  # the endpoint just failed the probe: no second full timeout
            err, self._probe_error = self._probe_error, None
            from .answer import offline_answer

            plan = plan_question(text, a.retriever, a.catalog, session=self.session, total_sessions=self.total,
                                 focal_area=self.focus)
            flag = Flag(code="endpoint_error", message=f"{err} — showing the grounded offline answer instead.")
            ans = offline_answer(plan, a.catalog, extra_flags=[flag],
                                 note=f"The model endpoint failed ({err}); this is the grounded offline answer.")
            ans.model = model.name if model is not None else None
            return ans
        if isinstance(model, OpenAICompatibleModel) and self.use_tools and self._tools:
            plan = plan_question(text, a.retriever, a.catalog, session=self.session, total_sessions=self.total,
                                 focal_area=self.focus)
            if not plan.safety_first:
                try:
                    return self._agent_answer(plan, model)
                except EndpointError as err:
                    from .answer import offline_answer

                    flag = Flag(code="endpoint_error", message=f"{err} — showing the grounded offline answer instead.")
                    return offline_answer(plan, a.catalog, extra_flags=[flag], note=f"The model endpoint failed ({err}).")
        if model is None:
            return a.ask(text, session=self.session, total_sessions=self.total, focal_area=self.focus)
        from .answer import llm_answer

        plan = plan_question(text, a.retriever, a.catalog, session=self.session, total_sessions=self.total,
                             focal_area=self.focus)
        return llm_answer(plan, a.catalog, model, budget=a.settings.context_tokens,
                          max_tokens=a.settings.max_answer_tokens, on_token=on_token, history=self.trimmed_history())

    def _tool_support(self, model: OpenAICompatibleModel) -> bool:
        if self._tools is None:
            from .agent import detect_tool_support

            try:
                self._tools = detect_tool_support(model, self.assistant.settings.data_dir, self.assistant.settings.tools)
            except EndpointError as err:
                self._tools = False
                if err.kind in {"timeout", "connection"}:
                    self._probe_error = err
        return self._tools

    def _agent_answer(self, plan: Any, model: OpenAICompatibleModel) -> Answer:
        from .agent import run_agent
        from .answer import checked_answer, preamble_lines
        from .prompts import CHAT_AGENT_SYSTEM, load_prompt

        started = time.perf_counter()
        system = load_prompt(CHAT_AGENT_SYSTEM).render(case=self.describe_case())
        messages = [{"role": "system", "content": system}, *self.trimmed_history(), {"role": "user", "content": plan.question}]
        result = run_agent(self.assistant, model, messages, self.case)
        assert result.completion is not None
        retrieved = result.opened or plan.techniques
        return checked_answer(plan, self.assistant.catalog, result.completion, retrieved, preamble_lines(plan, self.assistant.catalog),
                              count_messages(messages), 0, started)

    def _remember(self, question: str, answer: str) -> None:
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]

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
             stdout: IO[str] | None = None) -> int:
    """The REPL. Reads lines from ``stdin`` until /quit or end of input."""
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
        else:
            say(turn.text)

    if not as_json:
        label = "grounded offline mode" if chat.assistant.model is None else f"model {chat.assistant.model.name}"
        say(f"IPT Assistant chat ({label}). /help for commands, /quit to leave.\n{chat.describe_case()}")
    def stream(piece: str) -> None:
        stdout.write(piece)
        stdout.flush()

    pending: list[str] = []
    collecting = False
    while True:
        if interactive:
            stdout.write("... " if collecting else "ipt> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            if pending:
                _safe(lambda: emit(chat.note("\n".join(pending))), say)
            return 0
        line = line.rstrip("\n")
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            say("ipt: that line is not valid UTF-8 text; it was ignored")
            continue
        if collecting or (_BULLET.match(line) and not line.startswith("/")):
            if line.strip() and line.strip() != ".":
                pending.append(line)
                collecting = True
                continue
            collecting = False
            bullets, pending = "\n".join(pending), []
            if bullets.strip():
                _safe(lambda: emit(chat.note(bullets)), say)
            continue
        if not line.strip():
            continue
        if line.startswith("/"):
            if line.strip().split()[0].lower() == "/note":
                collecting = True
                if not as_json:
                    say(f"Paste the bullets ({chat.note_format.upper()}); finish with an empty line.")
                continue
            turn = _safe(lambda: chat.command(line), say)
            if turn is None:
                continue
            emit(turn)
            if turn.kind == "quit":
                return 0
            continue
        _safe(lambda: emit(chat.ask(line, on_token=None if as_json else stream)), say)


def _safe(fn: Any, say: Any) -> Any:
    try:
        return fn()
    except IPTError as exc:
        say(f"ipt: {exc}")
        return None
