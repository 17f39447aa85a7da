"""The chat agent (LangChain ``create_agent``) against the servers people run, on a local fake server:
native tool calls, tool calls written as text, the step budget, max_tokens on every step, no retry that
cannot help, the cached tool-mode verdict, true usage after a fallback, and the written/copied/truncated
checks shared with ``ask``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.agent import MAX_STEPS, NATIVE, OFF, TEXT, build_tools, parse_text_tool_calls, tool_mode
from assistant.chat import ChatSession
from assistant.config import Settings
from assistant.llm import OpenAICompatibleModel
from assistant.testing.fake_server import FakeOpenAIServer, Reply
from assistant.written import check_written, copied_share, looks_like_tool_call

DISPUTE = "Session 5 of 16: she keeps fighting with her husband about chores; they argue every evening."
ANSWER = ("Her fights about chores are a role dispute in renegotiation: work on how they argue, not on who is "
          "right.\n\n**Next steps**\n1. Go through last night's argument line by line with her "
          "[communication_analysis].\n2. Rehearse how she will ask him for help on Sunday [role_play].\n\n"
          "**You could say:** \"What did you want him to understand when you said that?\"\n"
          "**Ask:** \"What happened right before the argument started?\"\n**Watch for:** taking sides.")


def _tools(assistant_offline: Assistant) -> dict[str, Any]:
    return {t.name: t for t in build_tools(assistant_offline, {"session": 5, "total": 16, "focus": None}, [])}


# -- parsing tool calls written as text ---------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    '{"name": "search_knowledge", "arguments": {"query": "role dispute chores"}}',
    '<tool_call>\n{"name": "search_knowledge", "arguments": {"query": "role dispute chores"}}\n</tool_call>',
    '{{"name": "search_knowledge", "arguments": {{"query": "role dispute chores"}}}}',
    'I will search first.\n```json\n{"name": "search_knowledge", "parameters": {"query": "role dispute chores"}}\n```',
    '{"type": "function", "function": {"name": "search_knowledge", "arguments": "{\\"query\\": \\"role dispute chores\\"}"}}',
    '<tool_call>{"name": "search_knowledge", "arguments": {"query": "role dispute chores"}}',  # unclosed block
], ids=["bare", "block", "doubled-braces", "fenced-parameters", "openai-string-args", "unclosed"])
def test_text_tool_calls_are_parsed(assistant_offline: Assistant, text: str):
    calls = parse_text_tool_calls(text, _tools(assistant_offline))
    assert [(c["name"], c["args"]) for c in calls] == [("search_knowledge", {"query": "role dispute chores"})]
    assert calls[0]["id"].startswith("call_") and calls[0]["type"] == "tool_call"


@pytest.mark.parametrize("text,query", [  # written by Qwen2.5-Coder-1.5B in the recorded chat
    ('**search_knowledge("She says it is all his fault")**\n\nThe IPT knowledge base returns the following '
     'information:\n\n- **Technique:** [role_play]', "She says it is all his fault"),
    ('**Search_knowledge("query": "should I give her a thought record?")**\n\n**Tool response:** [thought_record]',
     "should I give her a thought record?"),
    ('search_knowledge(query="role dispute chores")', "role dispute chores"),
], ids=["bold-positional", "capitalised-json-pairs", "keyword"])
def test_function_style_calls_on_the_first_line_are_parsed(assistant_offline: Assistant, text: str, query: str):
    (call,) = parse_text_tool_calls(text, _tools(assistant_offline))
    assert call["name"] == "search_knowledge" and call["args"] == {"query": query}
    assert looks_like_tool_call(text)


def test_function_syntax_inside_an_answer_is_not_a_call(assistant_offline: Assistant):
    tools = _tools(assistant_offline)
    assert parse_text_tool_calls('**Next steps:** [clarification]\n1. [open_technique("role_play")] rehearse', tools) == []
    assert parse_text_tool_calls('I would use search_knowledge("x") here.', tools) == []
    assert parse_text_tool_calls('draft_everything("x")', tools) == []  # not a tool
    assert parse_text_tool_calls('phase_guidance(session="five")', tools) == []  # fails the schema
    assert parse_text_tool_calls("phase_guidance(session=5, total_sessions=12)", tools)[0]["args"] == {
        "session": 5, "total_sessions": 12}


def test_text_tool_calls_are_validated_against_the_schemas(assistant_offline: Assistant):
    tools = _tools(assistant_offline)
    assert parse_text_tool_calls('{"name": "delete_everything", "arguments": {}}', tools) == []
    assert parse_text_tool_calls('{"name": "phase_guidance", "arguments": {"session": "five"}}', tools) == []
    assert parse_text_tool_calls('{"name": "search_knowledge", "arguments": {}}', tools) == []  # query required
    (call,) = parse_text_tool_calls('{"name": "phase_guidance", "arguments": {"session": "5"}}', tools)
    assert call["args"]["session"] == 5  # coerced by the schema
    assert parse_text_tool_calls("Use [role_play] next; no call here.", tools) == []
    two = parse_text_tool_calls('[{"name": "open_technique", "arguments": {"technique_id": "role_play"}}, '
                                '{"name": "open_technique", "arguments": {"technique_id": "communication_analysis"}}]',
                                tools)
    assert [c["args"]["technique_id"] for c in two] == ["role_play", "communication_analysis"]


# -- the written check ---------------------------------------------------------------------------------------
def test_copied_share_and_labels():
    context = ("[role_play] Role Play. Rehearse a difficult conversation with the clinician playing the other "
               "person.\n  Method: Agree the scene. Play the other person realistically. Debrief after.")
    copied = "[role_play] Role Play. Rehearse a difficult conversation with the clinician playing the other person."
    assert copied_share(copied, context) > 0.9
    assert copied_share(ANSWER, context) < 0.1
    assert check_written(copied, context, "stop").copied
    assert check_written(ANSWER, context, "stop").ok
    label_copy = "how: agree the scene\nsay: tell me more\n[phase:middle] Middle phase\nask: what happened"
    assert check_written(label_copy, "", "stop").copied  # three or more context labels, whatever the overlap
    truncated = check_written(ANSWER, context, "length")
    assert truncated.truncated and not truncated.ok and [f.code for f in truncated.flags()] == ["truncated"]


@pytest.mark.parametrize("text,pseudo", [
    ('{"name": "search_knowledge", "arguments": {"query": "x"}}', True),
    ('<tool_call>{"name": "open_technique"}</tool_call>', True),
    ('```json\n{"answer": "use role play"}\n```', True),
    ("[1, 2, 3]", True),
    (ANSWER, False),
    ("Use [role_play] {gently}.", False),
])
def test_pseudo_tool_calls_and_json_blobs(text: str, pseudo: bool):
    assert looks_like_tool_call(text) is pseudo


# -- ask: copied or truncated answers are never shown -------------------------------------------------------
def _ask(server: FakeOpenAIServer, **kw: Any) -> Any:
    settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", max_retries=0, **kw)
    return Assistant(settings).ask(DISPUTE)


def test_ask_falls_back_when_the_model_copies_the_context():
    def copy_context(body: dict) -> Reply:
        user = body["messages"][-1]["content"]
        context = user.split("CONTEXT", 1)[1].split("CLINICIAN'S QUESTION", 1)[0]
        return Reply(text=context.strip())

    with FakeOpenAIServer(copy_context) as server:
        ans = _ask(server)
    assert ans.mode == "offline" and ans.has_flag("copied_context")
    assert ans.answer.startswith("> The model copied the context")
    assert ans.model == "fake-model" and ans.usage.model_calls == 1


def test_ask_falls_back_when_the_answer_hit_the_token_limit():
    with FakeOpenAIServer(lambda body: Reply(text=ANSWER[:200], finish="length")) as server:
        ans = _ask(server)
    assert ans.mode == "offline" and ans.has_flag("truncated") and ANSWER[:200] not in ans.answer
    # the limit was sent, under both names (llama-cpp-python reads max_tokens only)
    body = server.requests[0]
    assert body["max_tokens"] == 900 and body.get("max_completion_tokens") in (None, 900)


def test_ask_shows_a_written_answer():
    with FakeOpenAIServer(lambda body: Reply(text=ANSWER)) as server:
        ans = _ask(server)
    assert ans.mode == "llm" and not ans.has_flag("copied_context") and "**Next steps**" in ans.answer


# -- retries ------------------------------------------------------------------------------------------------
def test_500_is_not_retried_but_503_is():
    with FakeOpenAIServer(lambda body: Reply(status=500, text="template failed")) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", max_retries=2)
        a = Assistant(settings)
        a.model.policy.sleep = lambda s: None  # type: ignore[union-attr]
        ans = a.ask(DISPUTE)
    assert len(server.requests) == 1 and ans.has_flag("endpoint_error") and ans.usage.model_calls == 1
    with FakeOpenAIServer(lambda body: Reply(status=503)) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", max_retries=2)
        a = Assistant(settings)
        a.model.policy.sleep = lambda s: None  # type: ignore[union-attr]
        ans = a.ask(DISPUTE)
    assert len(server.requests) == 3 and ans.usage.model_calls == 3  # usage counts every call made


# -- the agent: native tool calls --------------------------------------------------------------------------
def _chat(server: FakeOpenAIServer, tools: str = "on", **kw: Any) -> ChatSession:
    settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools=tools,
                        max_retries=0, **kw)
    return ChatSession(Assistant(settings))


def test_native_agent_sends_empty_content_and_max_tokens_and_shows_progress():
    def handler(body: dict) -> Reply:
        if not any(m.get("role") == "tool" for m in body["messages"]):
            return Reply(tool_calls=[{"name": "search_knowledge", "arguments": {"query": "role dispute chores"}}])
        return Reply(text=ANSWER)

    shown: list[str] = []
    with FakeOpenAIServer(handler) as server:
        turn = _chat(server).ask(DISPUTE, on_token=shown.append)
    assert not server.handler_errors
    ans = turn.answer
    assert ans is not None and ans.mode == "llm" and len(server.requests) == 2
    assert all(r["max_tokens"] == 900 for r in server.requests)
    assert not any(r.get("stream") for r in server.requests)  # native tool calls: not streamed
    call_msg = next(m for m in server.requests[1]["messages"] if m.get("tool_calls"))
    assert call_msg["content"] == ""  # never null: llama.cpp templates fail on it
    assert set(ans.retrieved) <= {"communication_analysis", "role_play", *ans.retrieved} and ans.retrieved
    assert not ans.has_flag("phantom_citation") and ans.usage.model_calls == 2
    text = "".join(shown)
    assert text.index("… search_knowledge(role dispute chores)") < text.index("… writing the answer") < text.index("**Next steps**")
    assert turn.streamed


def test_citations_must_be_ids_the_tools_returned():
    def handler(body: dict) -> Reply:
        if not any(m.get("role") == "tool" for m in body["messages"]):
            return Reply(tool_calls=[{"name": "open_technique", "arguments": {"technique_id": "role_play"}}])
        return Reply(text=ANSWER)  # cites communication_analysis too, which no tool returned

    with FakeOpenAIServer(handler) as server:
        ans = _chat(server).ask(DISPUTE).answer
    assert ans is not None and ans.mode == "llm" and ans.retrieved == ["role_play"]
    assert [f.span for f in ans.flags if f.code == "phantom_citation"] == ["communication_analysis"]


def test_step_budget_ends_a_runaway_tool_loop_and_a_pseudo_call_is_never_shown():
    def handler(body: dict) -> Reply:
        if body.get("tools"):
            return Reply(tool_calls=[{"name": "search_knowledge", "arguments": {"query": "more"}}])
        return Reply(text='{"name": "search_knowledge", "arguments": {"query": "even more"}}')

    with FakeOpenAIServer(handler) as server:
        ans = _chat(server).ask(DISPUTE).answer
    assert len(server.requests) == MAX_STEPS
    assert not server.requests[-1].get("tools")  # the last step is asked to answer without tools
    assert ans is not None and ans.mode == "offline" and ans.has_flag("pseudo_tool_call")
    assert '"arguments"' not in ans.answer and ans.usage.model_calls == MAX_STEPS


def test_an_agent_answer_that_copies_the_tool_output_is_replaced():
    def handler(body: dict) -> Reply:
        tool = [m for m in body["messages"] if m.get("role") == "tool"]
        if not tool:
            return Reply(tool_calls=[{"name": "open_technique", "arguments": {"technique_id": "role_play"}}])
        return Reply(text=tool[0]["content"])

    with FakeOpenAIServer(handler) as server:
        ans = _chat(server).ask(DISPUTE).answer
    assert ans is not None and ans.mode == "offline" and ans.has_flag("copied_context")


def test_risk_turns_never_go_through_the_agent():
    with FakeOpenAIServer(lambda body: Reply(text=ANSWER)) as server:
        ans = _chat(server).ask("Session 6: she said she wants to kill herself and has pills saved up. "
                                "How do I keep working on the dispute?").answer
    assert ans is not None and "risk" in {f.code for f in ans.flags}
    assert not any(r.get("tools") for r in server.requests)
    assert "## Safety first" in ans.answer


# -- the agent: tool calls written as text -----------------------------------------------------------------
def _text_server_handler(body: dict) -> Reply:
    """A server like llama.cpp with Qwen's default template: never returns tool_calls."""
    msgs = body["messages"]
    if any(m.get("role") == "tool" or m.get("tool_calls") for m in msgs):
        return Reply(status=500, text="template cannot render tool messages")
    if "get_time" in msgs[0].get("content", ""):  # the probe
        return Reply(text='<tool_call>\n{"name": "get_time", "arguments": {"city": "Paris"}}\n</tool_call>')
    if not any("<tool_response" in (m.get("content") or "") for m in msgs if m["role"] != "system"):
        return Reply(text='{{"name": "search_knowledge", "arguments": {{"query": "role dispute chores"}}}}')
    return Reply(text=ANSWER)


def test_text_mode_agent_parses_calls_and_sends_the_history_as_text(ipt_data_dir: Path):
    shown: list[str] = []
    with FakeOpenAIServer(_text_server_handler) as server:
        chat = _chat(server, tools="auto")
        turn = chat.ask(DISPUTE, on_token=shown.append)
    assert not server.handler_errors
    assert chat._tool_mode == TEXT
    probe, first, second = server.requests
    assert probe["tools"][0]["function"]["name"] == "get_time"
    assert "tools" not in first and "TOOLS." in first["messages"][0]["content"]
    assert "search_knowledge(\"query\": string)" in first["messages"][0]["content"]
    system = first["messages"][0]["content"]
    assert system.index("TOOLS.") < system.index("Current case:")  # the part that changes between turns last
    assert first["messages"][-1]["content"].endswith("(Reply with one tool call first: search the knowledge base "
                                                     "for this question.)")
    assert first["stream"] is True and second["stream"] is True  # an abandoned step closes its stream
    assert second["messages"][0]["content"] == system  # the same prefix on every step
    roles = [m["role"] for m in second["messages"]]
    assert "tool" not in roles and not any(m.get("tool_calls") for m in second["messages"])
    assert second["messages"][-1]["role"] == "user" and second["messages"][-1]["content"].startswith(
        '<tool_response name="search_knowledge">')
    assert second["messages"][-2] == {"role": "assistant", "content": '<tool_call>{"name": "search_knowledge", '
                                      '"arguments": {"query": "role dispute chores"}}</tool_call>'}
    ans = turn.answer
    assert ans is not None and ans.mode == "llm" and ans.usage.model_calls == 2
    assert "… search_knowledge(role dispute chores)" in "".join(shown)


def test_a_native_verdict_is_corrected_when_the_server_writes_text(ipt_data_dir: Path):
    with FakeOpenAIServer(_text_server_handler) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="auto", max_retries=0)
        model = OpenAICompatibleModel(settings)
        from assistant.agent import cache_key, remember, server_identity

        remember(settings.data_dir, cache_key(model, server_identity(model)), NATIVE)  # a stale verdict
        chat = ChatSession(Assistant(settings))
        ans = chat.ask(DISPUTE).answer
        assert ans is not None and ans.mode == "llm" and chat._tool_mode == TEXT
        assert not any(m.get("role") == "tool" for r in server.requests for m in r["messages"])
        assert tool_mode(model, settings.data_dir) == TEXT  # corrected in the cache, no new probe
        assert not any("get_time" in json.dumps(r) for r in server.requests)


# -- the verdict's key: endpoint, model and server identity ---------------------------------------------------
def test_tool_mode_is_keyed_by_server_identity_and_expires(tmp_path: Path):
    from assistant.agent import PROBE_TTL

    with FakeOpenAIServer(lambda body: Reply(tool_calls=[{"name": "get_time", "arguments": {"city": "Paris"}}])) as server:
        model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="fake-model"))
        assert tool_mode(model, tmp_path, now=1000.0) == NATIVE
        assert tool_mode(model, tmp_path, now=1001.0) == NATIVE
        assert sum(1 for r in server.requests) == 1
        server.handler = lambda body: Reply(text="It is noon.")
        server.server_header = "llama-cpp-python/0.3.36 chatml"  # another server behind the same URL
        assert tool_mode(model, tmp_path, now=1002.0) == OFF
        assert len(server.requests) == 2
        server.server_header = "FakeOpenAI/1.0"
        server.handler = lambda body: Reply(text="It is noon.")
        assert tool_mode(model, tmp_path, now=1003.0) == NATIVE  # the first server's verdict, still valid
        assert tool_mode(model, tmp_path, now=1000.0 + PROBE_TTL + 1) == OFF  # expired: probed again
        assert len(server.requests) == 3


def test_langchain_is_not_imported_by_the_cli_help():
    import subprocess
    import sys

    code = ("import sys, assistant.cli\n"
            "try:\n    assistant.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('langchain', 'langgraph', 'langchain_core')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]"


# -- recorded chat turns: record against a server, replay without it --------------------------------------------
def test_a_chat_recorded_against_a_server_replays_without_it(tmp_path: Path):
    from assistant.evals.agent_recordings import record_chat, replay_chat

    out = tmp_path / "chat" / "transcript.json"
    with FakeOpenAIServer(_text_server_handler) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="auto",
                            max_retries=0)  # the session's data dir: its index is already built
        data = record_chat(settings, [DISPUTE, "What should I say when she brings it up again?"], out, session=5)
        recorded_requests = len(server.requests)
    assert out.stat().st_mode & 0o777 == 0o600
    assert data["tool_mode"] == TEXT and len(data["turns"]) == 2
    first = data["turns"][0]
    assert first["outcome"]["mode"] == "llm" and first["outcome"]["tool_calls"] == ["search_knowledge"]
    assert first["outcome"]["answered_after_tool"]
    assert [s["kind"] for s in first["steps"]] == ["agent", "agent"]
    assert recorded_requests == 1 + sum(len(t["steps"]) for t in data["turns"])  # the probe, then each step

    # replay: no server at all; the product's code runs again, only the model is stood in for
    replayed = replay_chat(json.loads(out.read_text()))
    for rec_turn, turn, outcome in replayed:
        assert outcome["replayed_all"]
        assert {k: outcome[k] for k in rec_turn["outcome"]} == rec_turn["outcome"]
        assert turn.answer is not None and turn.answer.answer == rec_turn["shown"]


def test_a_replay_that_runs_out_of_steps_is_not_a_pass(tmp_path: Path):
    from assistant.evals.agent_recordings import replay_chat

    data = {"model": "fake-model", "tool_mode": TEXT, "case": {"session": 5, "total": 16, "focus": None},
            "turns": [{"input": DISPUTE, "steps": [], "outcome": {"mode": "llm"}, "seconds": 1.0, "shown": ""}]}
    ((_, turn, outcome),) = replay_chat(data)
    assert outcome["mode"] == "offline" and "endpoint_error" in outcome["flags"]


# -- graders for model runs: written, not copied; complete ------------------------------------------------------
def _graded(assistant_offline: Assistant, text: str, *, mode: str = "llm", flags: tuple[str, ...] = (),
            model: str | None = "qwen") -> dict[str, bool]:
    from assistant.evals.cases import NextStepCase
    from assistant.evals.graders import grade_answer
    from assistant.models import Answer, Flag

    case = NextStepCase.model_validate({"id": "ns_graded", "question": DISPUTE, "expect": {}})
    ans = Answer(answer=text, mode=mode, model=model, retrieved=["role_play", "communication_analysis"],
                 flags=[Flag(code=c, message=c) for c in flags])
    return {c.name: c.passed for c in grade_answer(case, ans, assistant_offline.catalog)}


def test_written_and_complete_graders(assistant_offline: Assistant):
    cat = assistant_offline.catalog
    t = cat.techniques["role_play"]
    pasted = "\n".join([t.summary, *t.how_to, *t.key_phrases])
    header, sources = "**Session 5 of 16 · middle phase**", "Sources: `role_play`"
    written = _graded(assistant_offline, f"{header}\n\n{ANSWER}\n\n{sources}")
    assert written["written_not_copied"] and written["complete"]
    copied = _graded(assistant_offline, f"{header}\n\n{pasted}\n\n{sources}")
    assert not copied["written_not_copied"]
    assert not _graded(assistant_offline, f"{header}\n\n{ANSWER}\n\n{sources}", flags=("truncated",))["complete"]
    fallback = _graded(assistant_offline, "offline text", mode="offline", flags=("copied_context",))
    assert not fallback["written_not_copied"]
    # offline runs are not graded on it (the offline composer writes from the knowledge base by design)
    assert "written_not_copied" not in _graded(assistant_offline, pasted, mode="offline", model=None)
