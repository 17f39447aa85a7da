"""Tool-calling chat agent over LangChain tools, for endpoints that support tool calls.

Tools: search the knowledge base, open a technique, phase guidance for session n,
draft a note. Support is detected once per (endpoint, model) with a probe request
(one attempt, within IPT_TIMEOUT) and cached in the data dir with an expiry: a
result for :data:`PROBE_TTL` seconds, a failed probe (endpoint down, slow, broken)
for :data:`PROBE_FAILURE_TTL` seconds, so a dead endpoint is not probed again by
every chat; ``IPT_TOOLS=on|off`` overrides. Without support the chat uses
retrieve-then-answer (:mod:`assistant.answer`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EndpointError
from .llm import Completion, OpenAICompatibleModel, classify, with_retries

if TYPE_CHECKING:  # pragma: no cover
    from .assistant import Assistant

log = logging.getLogger("assistant.agent")
MAX_STEPS = 5
#: How long a probe's answer (tools or no tools) is trusted, in seconds.
PROBE_TTL = 7 * 24 * 3600
#: How long a failed probe (no answer) stands, in seconds: the chat goes without tools meanwhile.
PROBE_FAILURE_TTL = 300


class ProbeFailed(EndpointError):
    """The tool probe got no usable answer; the result is cached briefly as 'no tools'."""


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


def detect_tool_support(model: OpenAICompatibleModel, data_dir: Path, mode: str = "auto",
                        *, now: float | None = None) -> bool:
    """Whether the endpoint returns tool calls for ``tool_choice="auto"``; cached per endpoint+model.

    A probe that gets no answer (timeout, connection, 5xx, garbage) raises :class:`ProbeFailed`
    once and is remembered for :data:`PROBE_FAILURE_TTL` seconds, during which this returns False
    without a request."""
    if mode == "on":
        return True
    if mode == "off":
        return False
    now = time.time() if now is None else now
    key = hashlib.sha256(f"{model.settings.base_url}|{model.name}".encode()).hexdigest()[:16]
    path = _cache_file(data_dir)
    entry = _read_cache(path).get(key)
    if isinstance(entry, dict) and isinstance(entry.get("checked"), (int, float)):
        ttl = PROBE_FAILURE_TTL if entry.get("tools") is None else PROBE_TTL
        if 0 <= now - entry["checked"] < ttl:
            return bool(entry.get("tools"))
    try:
        supported: bool | None = _probe(model)
        failure: EndpointError | None = None
    except EndpointError as err:
        supported, failure = None, err
    cache = _read_cache(path)  # re-read: another chat may have written meanwhile
    cache[key] = {"tools": supported, "checked": now}
    _write_cache(path, cache)
    if failure is not None:
        raise ProbeFailed(str(failure), kind=failure.kind, status=failure.status) from None
    return bool(supported)


def _probe(model: OpenAICompatibleModel) -> bool:
    """One request, no retries, within IPT_TIMEOUT. True/False when the endpoint answered
    (a 4xx refusing the tools is a clear 'no'); EndpointError when it did not."""
    from langchain_core.messages import HumanMessage
    from langchain_core.tools import tool

    from .llm import request_deadline

    @tool
    def get_time(city: str) -> str:
        """Return the current time in a city."""
        return "12:00"

    try:
        client = model.chat_client().bind_tools([get_time], tool_choice="auto")
        with request_deadline(model.settings.timeout):
            msg = client.invoke([HumanMessage(content="What time is it in Paris? Use the get_time tool.")],
                                max_tokens=64)
    except Exception as exc:  # noqa: BLE001
        err = classify(exc, model.host)
        log.info("tool probe failed: kind=%s status=%s", err.kind, err.status)
        if err.kind == "client":  # e.g. HTTP 400 "tools are not supported": a clear no
            return False
        raise err from None
    return bool(getattr(msg, "tool_calls", None))


@dataclass
class AgentResult:
    text: str
    opened: list[str] = field(default_factory=list)  # technique ids the model saw through tools
    tool_calls: list[str] = field(default_factory=list)
    completion: Completion | None = None


def build_tools(assistant: "Assistant", case: dict[str, Any], seen: list[str]) -> list[Any]:
    """LangChain tools bound to one assistant and the chat's case."""
    from langchain_core.tools import tool

    cat = assistant.catalog

    @tool
    def search_knowledge(query: str) -> str:
        """Search the IPT knowledge base (techniques, phases, focal areas, frame). Returns ids and summaries."""
        from .phase import phase_for

        phase = phase_for(case["session"], case["total"]).phase if case.get("session") else None
        hits = assistant.retriever.techniques(query, phase=phase, focal_area=case.get("focus"), k=5)
        for h in hits:
            if h.doc_id not in seen:
                seen.append(h.doc_id)
        return "\n".join(f"[{h.doc_id}] {h.title}: {cat.techniques[h.doc_id].summary}" for h in hits) or "no match"

    @tool
    def open_technique(technique_id: str) -> str:
        """Open one technique by id: how to do it, key phrases, follow-up questions, warnings."""
        t = cat.techniques.get(technique_id.strip())
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


def run_agent(assistant: "Assistant", model: OpenAICompatibleModel, messages: list[dict[str, str]],
              case: dict[str, Any]) -> AgentResult:
    """Let the model call tools until it answers (at most MAX_STEPS rounds)."""
    from langchain_core.messages import ToolMessage

    from .llm import to_langchain

    seen: list[str] = []
    tools = build_tools(assistant, case, seen)
    by_name = {t.name: t for t in tools}
    client = model.chat_client().bind_tools(tools, tool_choice="auto")
    history = to_langchain(messages)
    calls: list[str] = []
    t0 = time.perf_counter()
    prompt_tokens = completion_tokens = 0
    for _ in range(MAX_STEPS):
        def call() -> Completion:
            msg = client.invoke(history, temperature=0.2)
            history.append(msg)
            usage = getattr(msg, "usage_metadata", None) or {}
            return Completion(text=str(msg.content or ""), model=model.name,
                              prompt_tokens=int(usage.get("input_tokens") or 0),
                              completion_tokens=int(usage.get("output_tokens") or 0))

        completion = with_retries(call, model.policy, model.host)
        prompt_tokens += completion.prompt_tokens
        completion_tokens += completion.completion_tokens
        msg = history[-1]
        tool_calls = getattr(msg, "tool_calls", None) or []
        if not tool_calls:
            if not completion.text.strip():
                raise EndpointError(f"the model endpoint {model.host} returned an empty answer", kind="bad_response")
            completion.prompt_tokens, completion.completion_tokens = prompt_tokens, completion_tokens
            completion.latency_ms = (time.perf_counter() - t0) * 1000
            return AgentResult(completion.text, seen, calls, completion)
        for tc in tool_calls:
            name = tc.get("name", "")
            calls.append(name)
            fn = by_name.get(name)
            try:
                output = fn.invoke(tc.get("args") or {}) if fn else f"unknown tool {name!r}"
            except Exception as exc:  # noqa: BLE001 - a bad tool call is reported back to the model
                output = f"tool error: {type(exc).__name__}"
            history.append(ToolMessage(content=str(output), tool_call_id=tc.get("id") or name))
    raise EndpointError(f"the model at {model.host} kept calling tools without answering", kind="bad_response")
