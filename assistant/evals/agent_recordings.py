"""Record and replay ``ipt chat`` turns through the agent, so a real model's conversation is re-graded
without the model (in CI, with no network).

A transcript (one JSON file) holds the case, and for each turn the clinician's line, every model step the
turn made (agent steps: the messages sent, the tools offered and the model's message back; or a plain
``complete`` call for retrieve-then-answer) and what was shown (mode, flags, tools called, seconds).

Replay answers each step from the transcript *in order*, so the product's own code (retrieval, the tools,
the agent loop, the checks) runs again for real and only the model is stood in for. A turn's outcome that
differs from the recorded one is a regression (see ``tests/test_recorded_chat.py``).

Record (the model must be running)::

    IPT_BASE_URL=... IPT_MODEL=... python -m assistant.evals.agent_recordings record \\
        --out evals/recordings/<model>/chat/transcript.json --session 5 "line one" "line two" ...

Transcripts hold whole prompts: record only made-up cases into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import EndpointError
from ..llm import Completion, Message, RetryPolicy
from .recordings import MissingRecording, write_private


@dataclass
class ChatRecorder:
    """Stands in for the model of a chat: ``record`` calls ``inner`` and keeps each step; ``replay``
    answers each step from ``steps`` in order. Has the hooks the agent looks for (``agent_chat_model``,
    ``fixed_tool_mode``, ``policy``, ``host``)."""

    inner: Any
    mode: str  # record | replay
    name: str = ""
    fixed_tool_mode: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    host: str = "recorded"
    max_answer_tokens: int = 900

    def __post_init__(self) -> None:
        if self.inner is not None:
            self.name = self.name or self.inner.name
            self.host = getattr(self.inner, "host", self.host)
            self.policy = self.inner.policy
            self.settings = self.inner.settings
        else:  # retries as recorded: a recorded failure followed by a success is retried again, without waits
            self.policy = RetryPolicy(max_retries=10, base_delay=0.0, sleep=lambda seconds: None)
        self._cursor = 0

    # -- replay cursor -------------------------------------------------------------------------------
    def _next(self, kind: str) -> dict[str, Any]:
        if self._cursor >= len(self.steps):
            raise MissingRecording(f"{kind}-step-{self._cursor}")
        step = self.steps[self._cursor]
        if step.get("kind") != kind:
            raise MissingRecording(f"{kind}-step-{self._cursor}-is-{step.get('kind')}")
        self._cursor += 1
        return step

    @property
    def replayed_all(self) -> bool:
        return self._cursor == len(self.steps)

    # -- retrieve-then-answer ------------------------------------------------------------------------
    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        if self.mode == "replay":
            r = self._next("complete")["response"]
            if "error" in r:
                raise EndpointError(r["error"]["message"], kind=r["error"].get("kind", "error"))
            if on_token:
                on_token(r["text"])
            return Completion(text=r["text"], model=self.name, prompt_tokens=r.get("prompt_tokens", 0),
                              completion_tokens=r.get("completion_tokens", 0), latency_ms=r.get("latency_ms", 0.0),
                              finish_reason=r.get("finish_reason"))
        step: dict[str, Any] = {"kind": "complete", "messages": messages, "max_tokens": max_tokens}
        try:
            c = self.inner.complete(messages, max_tokens=max_tokens, temperature=temperature, on_token=on_token)
        except EndpointError as err:
            step["response"] = {"error": {"message": str(err), "kind": err.kind}}
            self.steps.append(step)
            raise
        step["response"] = {"text": c.text, "prompt_tokens": c.prompt_tokens, "completion_tokens": c.completion_tokens,
                            "latency_ms": round(c.latency_ms, 1), "finish_reason": c.finish_reason}
        self.steps.append(step)
        return c

    # -- agent steps -----------------------------------------------------------------------------------
    def agent_chat_model(self, max_tokens: int, stream: bool = False) -> Any:
        inner = None
        if self.mode == "record":
            from ..agent import agent_chat_model

            inner = agent_chat_model(self.inner, max_tokens, stream)
        return _step_model_class()(recorder=self, inner=inner, max_tokens=max_tokens)


def _step_model_class() -> type:
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, messages_from_dict, messages_to_dict
    from langchain_core.outputs import ChatGeneration, ChatResult
    from langchain_core.utils.function_calling import convert_to_openai_tool

    class StepModel(BaseChatModel):
        """One agent step per call: through the real model (record) or from the transcript (replay)."""

        recorder: Any = None
        inner: Any = None
        max_tokens: int = 900

        @property
        def _llm_type(self) -> str:
            return "ipt-recorded"

        def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
            formatted = [convert_to_openai_tool(t) for t in tools]
            extra = {"tool_choice": tool_choice} if tool_choice else {}
            return self.bind(tools=formatted, **extra, **kwargs)

        def _generate(self, messages: list[Any], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
            rec = self.recorder
            if rec.mode == "replay":
                step = rec._next("agent")
                r = step["response"]
                if "error" in r:
                    raise EndpointError(r["error"]["message"], kind=r["error"].get("kind", "error"))
                (msg,) = messages_from_dict([r["message"]])
                return ChatResult(generations=[ChatGeneration(message=msg)])
            tools = kwargs.get("tools") or []
            step = {"kind": "agent", "messages": messages_to_dict(messages),
                    "tools": [t["function"]["name"] for t in tools], "max_tokens": self.max_tokens}
            t0 = time.perf_counter()
            try:
                msg = self.inner.invoke(messages, stop=stop, **kwargs)
            except Exception as exc:  # noqa: BLE001 - recorded as the error the product saw
                from ..llm import classify

                err = classify(exc, rec.host)
                step["response"] = {"error": {"message": str(err), "kind": err.kind}}
                rec.steps.append(step)
                raise
            if not isinstance(msg, AIMessage):
                msg = AIMessage(content=str(getattr(msg, "content", msg)))
            step["response"] = {"message": messages_to_dict([msg])[0],
                                "seconds": round(time.perf_counter() - t0, 1)}
            rec.steps.append(step)
            return ChatResult(generations=[ChatGeneration(message=msg)])

    return StepModel


# -- transcripts -------------------------------------------------------------------------------------------
def turn_outcome(turn: Any, chat: Any) -> dict[str, Any]:
    """What a turn showed, in a form that can be compared between record and replay: the answer's mode,
    flags, first techniques and model calls, the tools the agent called (native or parsed from text), the
    calls the code made for it, and the replies the stream guard stopped. ``answered_after_tool`` counts
    the model's own calls only."""
    ans = turn.answer
    out: dict[str, Any] = {"kind": turn.kind}
    if ans is not None:
        out.update(mode=ans.mode, flags=sorted({f.code for f in ans.flags}), techniques=ans.techniques[:3],
                   model_calls=ans.usage.model_calls)
    out["tool_calls"] = list(chat.last_tool_calls)
    out["code_calls"] = list(chat.last_code_calls)
    out["stopped"] = list(chat.last_stops)
    out["answered_after_tool"] = bool(ans is not None and ans.mode == "llm" and chat.last_tool_calls)
    return out


def record_chat(settings: Any, lines: list[str], out: Path, *, session: int | None = None, total: int = 16,
                focus: str | None = None, note: str = "") -> dict[str, Any]:
    """Run ``lines`` as chat turns against the configured model and write the transcript to ``out``."""
    from ..assistant import Assistant
    from ..chat import ChatSession
    from ..llm import make_model

    inner = make_model(settings)
    if inner is None:
        raise SystemExit("record needs a model endpoint (IPT_BASE_URL / IPT_MODEL)")
    assistant = Assistant(settings)
    recorder = ChatRecorder(inner, "record")
    assistant.model = recorder  # type: ignore[assignment]
    chat = ChatSession(assistant, session=session, total=total, focus=focus)
    from ..agent import tool_mode

    mode = tool_mode(inner, settings.data_dir, settings.tools)  # probed with the real model, not recorded
    recorder.fixed_tool_mode = mode
    turns = []
    for line in lines:
        start = len(recorder.steps)
        t0 = time.perf_counter()
        shown: list[str] = []
        turn = chat.ask(line, on_token=shown.append)
        seconds = round(time.perf_counter() - t0, 1)
        steps = recorder.steps[start:]
        outcome = turn_outcome(turn, chat)
        turns.append({"input": line, "steps": steps, "seconds": seconds, "outcome": outcome,
                      "shown": (turn.answer.answer if turn.answer else turn.text)})
        sys.stderr.write(f"turn {len(turns)}: {seconds}s {json.dumps(outcome)}\n")
    data = {"model": inner.name, "tool_mode": mode, "note": note, "case": {"session": session, "total": total,
            "focus": focus}, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "turns": turns}
    write_private(out, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return data


def replay_chat(data: dict[str, Any]) -> list[tuple[dict[str, Any], Any, dict[str, Any]]]:
    """Replay a transcript: for each turn, ``(recorded turn, replayed Turn, replayed outcome)``."""
    from ..assistant import Assistant
    from ..chat import ChatSession
    from ..config import Settings

    settings = Settings.from_env(offline=True)
    assistant = Assistant(settings.model_copy(update={"tools": "on"}), model=None)
    case = data["case"]
    out = []
    chat: ChatSession | None = None
    for rec_turn in data["turns"]:
        recorder = ChatRecorder(None, "replay", name=data["model"], fixed_tool_mode=data["tool_mode"],
                                steps=rec_turn["steps"])
        assistant.model = recorder  # type: ignore[assignment]
        if chat is None:
            chat = ChatSession(assistant, session=case.get("session"), total=case.get("total") or 16,
                               focus=case.get("focus"))
        chat._tool_mode = None
        turn = chat.ask(rec_turn["input"], on_token=lambda piece: None)
        out.append((rec_turn, turn, turn_outcome(turn, chat) | {"replayed_all": recorder.replayed_all}))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.evals.agent_recordings")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record", help="record chat turns against the configured model")
    r.add_argument("--out", required=True)
    r.add_argument("--session", type=int)
    r.add_argument("--of", type=int, default=16)
    r.add_argument("--focus")
    r.add_argument("--note", default="")
    r.add_argument("lines", nargs="+")
    s = sub.add_parser("replay", help="replay a transcript and print each turn's outcome")
    s.add_argument("transcript")
    f = sub.add_parser("refresh", help="re-derive each turn's outcome by replay (after the outcome format "
                       "changed); refuses when the replay disagrees with what was shown live")
    f.add_argument("transcript")
    args = p.parse_args(argv)
    if args.cmd == "refresh":
        path = Path(args.transcript)
        data = json.loads(path.read_text(encoding="utf-8"))
        for rec_turn, _turn, outcome in replay_chat(data):
            live = rec_turn["outcome"]
            for key in ("mode", "flags", "model_calls"):
                if key in live and live[key] != outcome.get(key):
                    sys.stderr.write(f"refresh: {key} differs from the live run: {live[key]!r} vs {outcome.get(key)!r}\n")
                    return 1
            outcome.pop("replayed_all", None)
            rec_turn["outcome"] = outcome
        write_private(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return 0
    if args.cmd == "record":
        from ..config import Settings

        record_chat(Settings.from_env(), args.lines, Path(args.out), session=args.session, total=args.of,
                    focus=args.focus, note=args.note)
        return 0
    data = json.loads(Path(args.transcript).read_text(encoding="utf-8"))
    same = True
    for rec_turn, _turn, outcome in replay_chat(data):
        recorded = rec_turn["outcome"]
        ok = all(outcome.get(k) == recorded.get(k) for k in recorded)
        same &= ok
        sys.stdout.write(f"{'same' if ok else 'CHANGED'}  {rec_turn['seconds']:>6}s  {json.dumps(outcome)}\n")
    return 0 if same else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
