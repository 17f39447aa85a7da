"""The chat agent: LangChain 1.x ``create_agent`` over the knowledge-base tools, for the servers people run.

Tools: search the knowledge base, open a technique, phase guidance for session n, draft a note.

Servers differ in how they do tool calls, so the agent runs in one of two modes:

* ``native``: the server returns ``tool_calls`` (OpenAI, vLLM, llama.cpp with a function-calling chat
  format). The history goes back in the standard form, with ``content: ""`` (never null) beside the calls.
* ``text``: the server returns no ``tool_calls`` but the model writes the call as text (``{"name": ...,
  "arguments": ...}``, a ``<tool_call>`` block, doubled braces; llama.cpp's default Qwen template). The
  tools are described in the system prompt instead of the request, calls are parsed from the text and
  validated against the tool schemas (:func:`parse_text_tool_calls`), and the history is sent as plain
  text (the call as the model wrote it, the result as a ``<tool_response>`` user turn), which every chat
  template can render.

:class:`IPTAgentMiddleware` does both, and also keeps the step budget (the last allowed step is asked to
answer without tools, so a turn ends after at most :data:`MAX_STEPS` model calls; LangChain's
``ModelCallLimitMiddleware`` is the backstop), sends ``max_tokens`` on every step, retries only what a retry
can change (:func:`assistant.llm.with_retries`, within IPT_TIMEOUT per attempt), reports progress (which
tool, then the answer) and counts the true number of model calls. The agent's answer is then checked by
the same code as ``ask`` (in :mod:`assistant.chat`): written not copied, not truncated, not a pseudo tool
call, citations only of ids the tools returned, the frame, and safety first.

Which mode an endpoint needs is probed once (one request, no retries) and cached in the data dir, keyed by
endpoint, model and the server's identity (its ``/models`` entry and ``Server`` header), with an expiry:
:data:`PROBE_TTL` for an answer, :data:`PROBE_FAILURE_TTL` for a failed probe. A verdict found wrong at run
time (the server wrote a call as text where native calls were expected) is corrected for the rest of the
turn and in the cache. ``IPT_TOOLS=on|off`` overrides the probe (``on`` = native). Without tools, and when
the agent's answer cannot be used, the chat falls back to retrieve-then-answer (:mod:`assistant.answer`).

LangChain is imported only on these model paths, never at start-up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import EndpointError
from .llm import Completion, classify, with_retries

if TYPE_CHECKING:  # pragma: no cover
    from .assistant import Assistant

log = logging.getLogger("assistant.agent")
#: Model calls per chat turn, tool steps and the answer together.
MAX_STEPS = 4
#: How long a probe's answer (native or text tool calls) is trusted, in seconds.
PROBE_TTL = 7 * 24 * 3600
#: How long a failed probe (no answer) stands, in seconds: the chat goes without tools meanwhile.
PROBE_FAILURE_TTL = 300
NATIVE, TEXT, OFF = "native", "text", "off"

Progress = Callable[[str, dict[str, Any]], None]


class ProbeFailed(EndpointError):
    """The tool probe got no usable answer; the result is cached briefly as 'no tools'."""


# -- text tool calls -----------------------------------------------------------------------------------
_TOOL_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|tool_call|tool)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def _json_objects(text: str) -> list[Any]:
    """Every top-level JSON value (object or array) found in ``text``, left to right."""
    decoder = json.JSONDecoder()
    out: list[Any] = []
    i = 0
    while i < len(text):
        j = min((k for k in (text.find("{", i), text.find("[", i)) if k >= 0), default=-1)
        if j < 0:
            break
        try:
            value, end = decoder.raw_decode(text, j)
        except ValueError:
            i = j + 1
            continue
        out.append(value)
        i = end
    return out


def _undouble(text: str) -> str:
    """``{{"name": ...}}`` (a template's escaped braces, copied by the model) -> ``{"name": ...}``."""
    return text.replace("{{", "{").replace("}}", "}")


def _as_call(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("function"), dict):  # {"type": "function", "function": {...}}
        value = value["function"]
    name = value.get("name") or value.get("tool") or value.get("tool_name")
    if not isinstance(name, str):
        return None
    args = next((value[k] for k in ("arguments", "args", "parameters", "input") if k in value), {})
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            return None
    return name, args


_FUNCTION_STYLE = re.compile(r"^[\s*_`>#-]*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*?)\)[\s*_`.]*(?:$|\n)", re.DOTALL)
_KEY_VALUE = re.compile(r"""["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*[:=]\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^,]+)""")


def _function_style_call(text: str, tools: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A call written like code on the reply's first line, e.g. ``**search_knowledge("her husband")**`` or
    ``search_knowledge(query="...")`` or ``Search_knowledge("query": "...")`` (what a small model writes
    when it has seen the JSON format but falls back on function syntax). Only the first line counts, so a
    call quoted inside an answer is not taken for one."""
    m = _FUNCTION_STYLE.match(text.strip() + "\n")
    if not m:
        return None
    name = next((n for n in tools if n.lower() == m.group(1).lower()), None)
    if name is None:
        return None
    inner = m.group(2).strip()
    try:  # "key": "value", ... as a JSON object
        value = json.loads("{" + inner + "}")
        if isinstance(value, dict):
            return name, value
    except ValueError:
        pass
    pairs = {k: v.strip() for k, v in _KEY_VALUE.findall(inner)}
    if pairs:
        return name, {k: (v[1:-1] if len(v) > 1 and v[0] == v[-1] and v[0] in "\"'" else v) for k, v in pairs.items()}
    if len(inner) > 1 and inner[0] == inner[-1] and inner[0] in "\"'":  # one positional argument
        fields = list(getattr(getattr(tools[name], "args_schema", None), "model_fields", {}) or [])
        if fields:
            return name, {fields[0]: inner[1:-1]}
    return None


def parse_text_tool_calls(text: str, tools: dict[str, Any]) -> list[dict[str, Any]]:
    """Tool calls the model wrote as text, validated against ``tools`` (name -> LangChain tool).

    Accepts ``<tool_call>`` blocks, fenced or bare JSON objects (or arrays of them) with ``name`` and
    ``arguments``/``parameters``, OpenAI-style ``{"function": {...}}`` objects, JSON-string arguments,
    doubled braces, and a call in function syntax on the reply's first line (``search_knowledge("...")``).
    A call is kept only if its name is a tool and its arguments validate against that tool's schema
    (coerced, e.g. ``"5"`` -> 5); anything else yields no call. Returns LangChain ``ToolCall`` dicts."""
    if not text:
        return []
    if "{" not in text and "[" not in text or text.lstrip(" *_`>#-")[:1].isalpha():
        call = _function_style_call(text, tools)
        if call is not None:
            checked = validate_args(tools[call[0]], call[1])
            if checked is not None:
                return [{"name": call[0], "args": checked, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}]
        if "{" not in text and "[" not in text:
            return []
    sources = [m.group(1) for m in _TOOL_BLOCK.finditer(text)] or [m.group(1) for m in _FENCE.finditer(text)] or [text]
    calls: list[dict[str, Any]] = []
    for source in sources:
        values = _json_objects(source) or _json_objects(_undouble(source))
        if values and all(_as_call(v) is None for v in (values[0] if isinstance(values[0], list) else values)):
            values = _json_objects(_undouble(source)) or values
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                call = _as_call(item)
                if call is None:
                    continue
                name, args = call
                tool = tools.get(name)
                if tool is None or not isinstance(args, dict):
                    continue
                checked = validate_args(tool, args)
                if checked is None:
                    continue
                calls.append({"name": name, "args": checked, "id": f"call_{uuid.uuid4().hex[:12]}",
                              "type": "tool_call"})
    return calls


def validate_args(tool: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    """``args`` validated (and coerced) by the tool's schema; None when they do not fit it."""
    schema = getattr(tool, "args_schema", None)
    if schema is None or not hasattr(schema, "model_validate"):
        return dict(args)
    try:
        model = schema.model_validate(args)
    except Exception:  # noqa: BLE001 - pydantic ValidationError: the call does not fit the tool
        return None
    return {k: v for k, v in model.model_dump().items() if k in args or v is not None}


def tool_instructions(tools: list[Any]) -> str:
    """The text-mode tool section of the system prompt: each tool, its arguments, and the call format."""
    lines = ["", "TOOLS. To call a tool, reply with only this line and nothing else:",
             '<tool_call>{"name": "<tool name>", "arguments": {<arguments as JSON>}}</tool_call>',
             "The tool's result comes back in a <tool_response> message. Call one tool at a time. When you "
             "have what you need, reply with the answer itself (no JSON, no tool call).", "Available tools:"]
    for t in tools:
        props = (getattr(t, "args", None) or {})
        args = ", ".join(f'"{k}": {v.get("type", "string")}' for k, v in props.items())
        lines.append(f"- {t.name}({args}): {t.description.strip().splitlines()[0]}")
    return "\n".join(lines)


def _call_text(call: dict[str, Any]) -> str:
    return "<tool_call>" + json.dumps({"name": call["name"], "arguments": call.get("args") or {}},
                                      ensure_ascii=False) + "</tool_call>"


def text_history(messages: list[Any]) -> list[Any]:
    """Messages with tool calls and tool results as plain text (for servers without native tool calls)."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    out: list[Any] = []
    names: dict[str, str] = {}
    for m in messages:
        if isinstance(m, AIMessage) and m.tool_calls:
            for c in m.tool_calls:
                names[c.get("id") or ""] = c["name"]
            out.append(AIMessage(content="\n".join(_call_text(c) for c in m.tool_calls)))
        elif isinstance(m, ToolMessage):
            name = names.get(m.tool_call_id, "tool")
            out.append(HumanMessage(content=f'<tool_response name="{name}">\n{m.content}\n</tool_response>'))
        else:
            out.append(m)
    return out


# -- the middleware --------------------------------------------------------------------------------------
@dataclass
class StepLog:
    """What happened in one turn: per model call, and the tool calls made."""

    calls: int = 0  # model calls, retries included
    steps: int = 0  # model steps (each may take several calls)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    tool_calls: list[str] = field(default_factory=list)
    text_calls: int = 0  # tool calls parsed from text
    code_calls: list[str] = field(default_factory=list)  # calls the code made for a model that made none
    stopped: list[str] = field(default_factory=list)  # the stream guard's stop reasons, per stopped step
    mode_switched: bool = False


def with_answer_hint(messages: list[Any], hint: str) -> list[Any]:
    """``messages`` with ``hint`` (how to write the answer) after the last tool result, where a small
    model reads it last. The system prompt stays the same on every step, so servers that cache the
    prompt's prefix (llama.cpp) do not read it again."""
    from langchain_core.messages import HumanMessage, ToolMessage

    if not hint:
        return messages
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        m = out[i]
        if isinstance(m, ToolMessage):
            out[i] = ToolMessage(content=f"{m.content}\n\n{hint}", tool_call_id=m.tool_call_id, name=m.name)
            break
        if isinstance(m, HumanMessage) and str(m.content).startswith("<tool_response"):
            out[i] = HumanMessage(content=f"{m.content}\n\n{hint}")
            break
        if not isinstance(m, (ToolMessage, HumanMessage)) and not getattr(m, "tool_calls", None):
            break
    return out


FIRST_CALL_NUDGE = "(Reply with one tool call first: search the knowledge base for this question.)"


def with_first_call_nudge(messages: list[Any]) -> list[Any]:
    """Text mode, before any tool call in the turn: the clinician's question ends with a reminder to call
    a tool first (small models otherwise answer from the conversation so far, ungrounded)."""
    from langchain_core.messages import HumanMessage

    out = list(messages)
    if out and isinstance(out[-1], HumanMessage) and not str(out[-1].content).startswith("<tool_response"):
        out[-1] = HumanMessage(content=f"{out[-1].content}\n\n{FIRST_CALL_NUDGE}")
    return out


def make_middleware(mode: str, tools: list[Any], model: Any, log_: StepLog, system: str,
                    on_progress: Progress | None = None, max_steps: int = MAX_STEPS, answer_hint: str = "",
                    question: str = "") -> Any:
    """An ``AgentMiddleware`` instance for one turn (see the module doc). Imported lazily."""
    from langchain.agents.middleware import AgentMiddleware, ModelResponse
    from langchain_core.messages import AIMessage, SystemMessage

    from .llm import guarded
    from .written import STOP_CALL, STOP_REASONS, StreamGuard

    by_name = {t.name: t for t in tools}
    state = {"mode": mode}

    def note(kind: str, **data: Any) -> None:
        if on_progress is not None:
            try:
                on_progress(kind, data)
            except Exception:  # noqa: BLE001 - a display problem must not end the turn
                log.debug("progress callback failed")

    class IPTAgentMiddleware(AgentMiddleware):  # type: ignore[misc]
        """Case prompt, text tool calls, step budget, retries and progress (one turn)."""

        def wrap_model_call(self, request: Any, handler: Any) -> Any:
            step = log_.steps + 1
            last = step >= max_steps
            prompt = system
            overrides: dict[str, Any] = {}
            hint = answer_hint
            if last:
                hint += ("\nYou have used all your tool calls: answer now from what the tools returned, with "
                         "no tool call.")
            messages = with_answer_hint(list(request.messages), hint.strip())
            before_first_call = not (log_.tool_calls or log_.code_calls) and not last
            if state["mode"] == TEXT:
                messages = text_history(messages)
                overrides["tools"] = []
                # On every step, before the case (which changes between turns): the prompt's prefix stays
                # the same, so a server that caches it reads it once.
                head, sep, case = prompt.rpartition("\nCurrent case:")
                prompt = (head + "\n" + tool_instructions(tools) + "\n" + sep + case) if sep else \
                    prompt + "\n" + tool_instructions(tools)
                if before_first_call:
                    messages = with_first_call_nudge(messages)
            elif last:
                overrides["tools"] = []
            overrides["messages"] = messages
            overrides["system_message"] = SystemMessage(content=prompt)
            req = request.override(**overrides)
            note("step", step=step, mode=state["mode"])
            box: dict[str, Any] = {}
            # A streamed step (text mode) is watched: a loop or a pasted context is cut off; before the
            # first tool call, the step ends as soon as a call is written, or when none has come by then.
            expect_call = state["mode"] == TEXT and before_first_call
            guard = StreamGuard(prompt + "\n" + "\n".join(str(m.content) for m in messages),
                                find_call=(lambda text: parse_text_tool_calls(text, by_name)) if expect_call else None)

            def call() -> Completion:
                with guarded(guard):
                    box["response"] = handler(req)
                return Completion(text="", model=getattr(model, "name", ""))

            try:
                done = with_retries(call, model.policy, model.host)
            except EndpointError as err:
                log_.calls += int(getattr(err, "attempts", 1) or 1)
                raise
            log_.calls += done.attempts
            log_.steps = step
            response = box["response"]
            result = list(response.result)
            ai = next((m for m in reversed(result) if isinstance(m, AIMessage)), None)
            if ai is None:
                return response
            usage = getattr(ai, "usage_metadata", None) or {}
            log_.prompt_tokens += int(usage.get("input_tokens") or 0)
            log_.completion_tokens += int(usage.get("output_tokens") or 0)
            log_.finish_reason = (getattr(ai, "response_metadata", None) or {}).get("finish_reason")
            if log_.finish_reason in STOP_REASONS:  # stopped by the guard (read back from a replayed step too)
                log_.stopped.append(log_.finish_reason)
            calls = [c for c in (ai.tool_calls or []) if c.get("name") in by_name]
            text = ai.content if isinstance(ai.content, str) else ""
            if not calls and not last:
                calls = parse_text_tool_calls(text, by_name)
                if calls:
                    log_.text_calls += len(calls)
                    if state["mode"] == NATIVE:  # the verdict was wrong for this server: text from now on
                        state["mode"] = TEXT
                        log_.mode_switched = True
            if last:
                calls = []
            if calls and log_.finish_reason == STOP_CALL:
                log_.finish_reason = "tool_calls"
            if calls:
                for c in calls:
                    log_.tool_calls.append(c["name"])
                    note("tool", name=c["name"], args=c.get("args") or {})
            elif expect_call and question.strip():
                # Text mode, and the model wrote no call where its first one belongs: the code makes the
                # search it should have made. The next step then reads only the results (the prompt's
                # prefix is cached), where a retrieve-then-answer call would read a whole new prompt.
                calls = [{"name": "search_knowledge", "args": {"query": question.strip()[:300]},
                          "id": f"code_{uuid.uuid4().hex[:12]}", "type": "tool_call"}]
                log_.code_calls.append("search_knowledge")
                note("tool", name="search_knowledge", args=calls[0]["args"])
            if calls:
                new = AIMessage(content="", tool_calls=calls, id=ai.id, response_metadata=ai.response_metadata,
                                usage_metadata=ai.usage_metadata)
            else:
                note("answer", step=step)
                new = AIMessage(content=text, id=ai.id, response_metadata=ai.response_metadata,
                                usage_metadata=ai.usage_metadata)
            result[result.index(ai)] = new
            return ModelResponse(result=result, structured_response=response.structured_response)

    return IPTAgentMiddleware()


# -- tools ---------------------------------------------------------------------------------------------
def build_tools(assistant: "Assistant", case: dict[str, Any], seen: list[str]) -> list[Any]:
    """LangChain tools bound to one assistant and the chat's case; ``seen`` collects the technique ids
    the tools returned (the only ids the answer may cite)."""
    from langchain_core.tools import tool

    cat = assistant.catalog

    def _phase() -> str | None:
        from .phase import phase_for

        return phase_for(case["session"], case["total"]).phase if case.get("session") else None

    @tool
    def search_knowledge(query: str) -> str:
        """Search the IPT knowledge base (techniques, phases, focal areas, frame). Returns ids and summaries."""
        hits = assistant.retriever.techniques(query, phase=_phase(), focal_area=case.get("focus"), k=5)
        for h in hits:
            if h.doc_id not in seen:
                seen.append(h.doc_id)
        return "\n".join(f"[{h.doc_id}] {h.title}: {cat.techniques[h.doc_id].summary}" for h in hits) or "no match"

    @tool
    def open_technique(technique_id: str) -> str:
        """Open one technique by id: how to do it, key phrases, follow-up questions, warnings."""
        t = cat.techniques.get(technique_id.strip().strip("[]"))
        if t is None:
            return f"unknown id {technique_id!r}; valid ids: {', '.join(cat.techniques)}"
        if t.id not in seen:
            seen.append(t.id)
        return "\n".join([f"[{t.id}] {t.name}: {t.summary}", "How: " + " ".join(t.how_to),
                          "Say: " + " | ".join(t.key_phrases), "Ask: " + " | ".join(t.follow_up_questions),
                          "Warnings: " + " ".join(t.warnings)])

    @tool
    def phase_guidance(session: int, total_sessions: int = 16) -> str:
        """IPT phase guidance (goals, tasks, what to avoid) for session n of a course."""
        from .phase import phase_for

        info = phase_for(session, total_sessions)
        g = cat.phases[info.phase]
        return (f"Session {session} of {total_sessions}: {g.name} (sessions {info.ranges[info.phase]}). "
                f"{g.summary} Tasks: " + " ".join(g.tasks[:6]) + " Avoid: " + " ".join(g.avoid[:3]))

    @tool
    def draft_progress_note(bullets: str, note_format: str = "dap") -> str:
        """Draft a progress note (soap, dap, birp or girp) from the clinician's bullet points, fact-checked."""
        note = assistant.draft_note(bullets, format=note_format, session=case.get("session"),
                                    total_sessions=case.get("total"), focal_area=case.get("focus"))
        flags = "; ".join(f"{f.code}: {f.message}" for f in note.flags)
        return note.text + (f"\nFlags: {flags}" if flags else "")

    return [search_knowledge, open_technique, phase_guidance, draft_progress_note]


# -- the run -------------------------------------------------------------------------------------------
@dataclass
class AgentResult:
    text: str
    opened: list[str] = field(default_factory=list)  # technique ids the tools returned
    tool_calls: list[str] = field(default_factory=list)
    completion: Completion | None = None
    tool_text: str = ""  # everything the tools returned (for the copy check)
    steps: StepLog = field(default_factory=StepLog)
    mode: str = NATIVE


def agent_chat_model(model: Any, max_tokens: int, stream: bool = False) -> Any:
    """The LangChain chat model the agent drives: the model's own hook, else its ``ChatOpenAI``.

    ``stream=False`` (native tool calls): not streamed, since llama.cpp's function-calling format returns
    tool calls only when not streamed. ``stream=True`` (text mode): streamed and gathered, so that a step
    abandoned at the deadline closes its stream, which stops the server generating for nobody."""
    hook = getattr(model, "agent_chat_model", None)
    if hook is not None:
        return hook(max_tokens, stream)
    if stream:
        return model.chat_client(max_tokens=max_tokens, streaming=True, temperature=0.2)
    return model.chat_client(max_tokens=max_tokens, disable_streaming=True, temperature=0.2)


def run_agent(assistant: "Assistant", model: Any, messages: list[dict[str, str]], case: dict[str, Any],
              *, mode: str = NATIVE, on_progress: Progress | None = None, max_steps: int = MAX_STEPS,
              max_tokens: int | None = None) -> AgentResult:
    """One chat turn through ``create_agent``: the model calls tools until it answers (at most
    ``max_steps`` model calls). Raises EndpointError when the endpoint fails."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelCallLimitMiddleware
    from langchain_core.messages import AIMessage, ToolMessage

    from .llm import to_langchain

    seen: list[str] = []
    tools = build_tools(assistant, case, seen)
    steps = StepLog()
    system = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
    rest = messages[1:] if system else messages
    question = rest[-1]["content"] if rest and rest[-1]["role"] == "user" else ""
    tokens = max_tokens or getattr(getattr(model, "settings", None), "max_answer_tokens", 900)
    from .prompts import CHAT_AGENT_ANSWER, load_prompt

    hint = load_prompt(CHAT_AGENT_ANSWER).text.strip()
    agent = create_agent(
        agent_chat_model(model, tokens, stream=mode == TEXT), tools, system_prompt=system or None,
        middleware=[ModelCallLimitMiddleware(run_limit=max_steps + 1, exit_behavior="end"),
                    make_middleware(mode, tools, model, steps, system, on_progress, max_steps, hint,
                                    question)])
    t0 = time.perf_counter()
    try:
        state = agent.invoke({"messages": to_langchain(rest)},
                             config={"recursion_limit": 4 * max_steps + 4})
    except EndpointError:
        raise
    except Exception as exc:  # noqa: BLE001 - SDK, transport or graph errors become endpoint errors
        if getattr(exc, "_ipt_passthrough", False):
            raise
        err = classify(exc, getattr(model, "host", "endpoint"))
        err.attempts = steps.calls  # type: ignore[attr-defined]
        raise err from None
    out = state["messages"]
    final = next((m for m in reversed(out) if isinstance(m, AIMessage)), None)
    text = final.content if final is not None and isinstance(final.content, str) else ""
    if not text.strip():
        err = EndpointError(f"the model endpoint {getattr(model, 'host', 'endpoint')} returned an empty answer",
                            kind="bad_response")
        err.attempts = steps.calls  # type: ignore[attr-defined]
        raise err
    tool_text = "\n".join(str(m.content) for m in out if isinstance(m, ToolMessage))
    completion = Completion(text=text, model=getattr(model, "name", ""), prompt_tokens=steps.prompt_tokens,
                            completion_tokens=steps.completion_tokens,
                            latency_ms=(time.perf_counter() - t0) * 1000, attempts=steps.calls,
                            finish_reason=steps.finish_reason)
    return AgentResult(text, seen, list(steps.tool_calls), completion, tool_text, steps,
                       TEXT if steps.mode_switched else mode)


# -- tool-support detection ------------------------------------------------------------------------------
def _cache_file(data_dir: Path) -> Path:
    return data_dir / "tool_support.json"


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, cache: dict[str, Any]) -> None:
    """Best effort, atomic (a half-written cache must not poison the next chat)."""
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def server_identity(model: Any) -> str:
    """What the server says it is: its ``/models`` entry for this model and its ``Server`` header
    (one short request, best effort: '' when it cannot be read)."""
    settings = getattr(model, "settings", None)
    base = (getattr(settings, "base_url", None) or "https://api.openai.com/v1").rstrip("/")
    try:
        from .llm import request_deadline

        with request_deadline(min(5.0, float(getattr(settings, "timeout", 5.0) or 5.0))):
            response = model.http_client.get(f"{base}/models", headers={
                "Authorization": f"Bearer {getattr(settings, 'api_key', None) or 'not-needed'}"})
        data = response.json().get("data") or []
        entry = next((m for m in data if isinstance(m, dict) and m.get("id") == getattr(model, "name", None)), None)
        entry = entry or {"models": sorted(str(m.get("id")) for m in data if isinstance(m, dict))[:50]}
        return json.dumps({"server": response.headers.get("server", ""), "model": entry}, sort_keys=True)
    except Exception:  # noqa: BLE001 - identity is a refinement of the key, never a failure
        return ""


def cache_key(model: Any, identity: str) -> str:
    settings = getattr(model, "settings", None)
    raw = f"{getattr(settings, 'base_url', None)}|{getattr(model, 'name', None)}|{identity}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def tool_mode(model: Any, data_dir: Path, setting: str = "auto", *, now: float | None = None) -> str:
    """``native``, ``text`` or ``off`` for this endpoint + model + server; probed once and cached.

    A probe that gets no answer (timeout, connection, 5xx, garbage) raises :class:`ProbeFailed` once and
    is remembered for :data:`PROBE_FAILURE_TTL` seconds, during which this returns ``off``."""
    fixed = getattr(model, "fixed_tool_mode", None)
    if fixed:
        return str(fixed)
    if setting == "on":
        return NATIVE
    if setting == "off":
        return OFF
    now = time.time() if now is None else now
    key = cache_key(model, server_identity(model))
    path = _cache_file(data_dir)
    entry = _read_cache(path).get(key)
    if isinstance(entry, dict) and isinstance(entry.get("checked"), (int, float)):
        verdict = entry.get("mode")
        ttl = PROBE_FAILURE_TTL if verdict is None else PROBE_TTL
        if 0 <= now - entry["checked"] < ttl:
            return str(verdict or OFF)
    try:
        verdict: str | None = _probe(model)
        failure: EndpointError | None = None
    except EndpointError as err:
        verdict, failure = None, err
    remember(data_dir, key, verdict, now)
    if failure is not None:
        raise ProbeFailed(str(failure), kind=failure.kind, status=failure.status) from None
    return verdict or OFF


def remember(data_dir: Path, key: str, verdict: str | None, now: float | None = None) -> None:
    path = _cache_file(data_dir)
    cache = _read_cache(path)  # re-read: another chat may have written meanwhile
    cache[key] = {"mode": verdict, "tools": verdict == NATIVE if verdict else None,
                  "checked": time.time() if now is None else now}
    _write_cache(path, cache)


def correct_verdict(model: Any, data_dir: Path, verdict: str) -> None:
    """Store a verdict learnt at run time (e.g. native expected, text found)."""
    remember(data_dir, cache_key(model, server_identity(model)), verdict)


def detect_tool_support(model: Any, data_dir: Path, mode: str = "auto", *, now: float | None = None) -> bool:
    """Whether the endpoint returns native tool calls (see :func:`tool_mode`)."""
    return tool_mode(model, data_dir, mode, now=now) == NATIVE


def _probe(model: Any) -> str:
    """One request, no retries, within IPT_TIMEOUT, with one tool offered both natively and in the
    text format of :func:`tool_instructions`: ``native`` when the server returns tool calls, ``text``
    when the model writes a valid call as text, ``off`` when it does neither (or a 4xx refuses the
    tools). EndpointError when the endpoint did not answer."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_core.tools import tool

    from .llm import request_deadline

    @tool
    def get_time(city: str) -> str:
        """Return the current time in a city."""
        return "12:00"

    question = [SystemMessage(content="You can call tools." + tool_instructions([get_time])),
                HumanMessage(content="What time is it in Paris? Use the get_time tool.")]
    try:
        client = model.chat_client(disable_streaming=True).bind_tools([get_time], tool_choice="auto")
        with request_deadline(model.settings.timeout):
            msg = client.invoke(question, max_tokens=64)
    except Exception as exc:  # noqa: BLE001
        err = classify(exc, model.host)
        log.info("tool probe failed: kind=%s status=%s", err.kind, err.status)
        if err.kind == "client":  # e.g. HTTP 400 "tools are not supported": a clear no
            return OFF
        raise err from None
    if getattr(msg, "tool_calls", None):
        return NATIVE
    text = msg.content if isinstance(msg.content, str) else ""
    return TEXT if parse_text_tool_calls(text, {"get_time": get_time}) else OFF
