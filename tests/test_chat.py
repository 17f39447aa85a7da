"""``ipt chat``: commands, the case kept across turns, history trimmed to a token budget,
retrieve-then-answer without tool support, the tool-calling agent with it, and the cached
tool-support probe."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.chat import HELP, ChatSession, brief_answer, run_chat
from assistant.config import Settings
from assistant.errors import InputError
from assistant.testing.fake_server import FakeOpenAIServer, Reply
from assistant.testing.mock_transport import MockOpenAI
from assistant.tokens import count_messages

DISPUTE = "Session 5 of 16: she keeps fighting with her husband about chores; they argue every evening."
FOLLOW_UP = "What should I say when she brings it up again?"


def chat_lines(*lines: str, settings: Settings | None = None, as_json: bool = False, **kw: Any) -> tuple[int, list[str]]:
    out = io.StringIO()
    rc = run_chat(settings or Settings(offline=True), stdin=io.StringIO("".join(l + "\n" for l in lines)),
                  stdout=out, as_json=as_json, **kw)
    return rc, out.getvalue().splitlines()


# -- commands ---------------------------------------------------------------------------------------
def test_commands_in_the_repl():
    rc, out = chat_lines("/session 5", "/of 12", "/focus grief", "/format soap", "/case", "/bogus", "/session x",
                         "/help", "/reset", "/case", "/quit", "this line is never read")
    assert rc == 0
    text = "\n".join(out)
    assert out[0].startswith("IPT Assistant chat (grounded offline mode)")
    assert "Case: session 5 of 16; focal area: not set; note format: dap; mode: offline" in out
    assert "Case: session 5 of 12; focal area: not set; note format: dap; mode: offline" in out
    assert "Case: session 5 of 12; focal area: grief; note format: dap; mode: offline" in out
    assert out.count("Case: session 5 of 12; focal area: grief; note format: soap; mode: offline") == 2  # /format, /case
    # unknown command and bad argument: one line each, and the loop goes on
    assert out.count("ipt: unknown command /bogus (try /help)") == 1
    assert "ipt: /session needs a number between 1 and 60" in out
    assert HELP in text
    assert any(l.startswith("Case and conversation cleared. Case: session not set (course of 16); focal area: not set")
               for l in out)
    assert out[-2] == "Case: session not set (course of 16); focal area: not set; note format: soap; mode: offline"
    assert out[-1] == "Goodbye."
    assert "never read" not in text


@pytest.mark.parametrize("line", ["/exit", "/q", "/QUIT"])
def test_quit_aliases(line: str):
    rc, out = chat_lines(line, "/case")
    assert rc == 0 and out[-1] == "Goodbye."


def test_end_of_input_ends_the_chat():
    rc, out = chat_lines("/session 3")
    assert rc == 0 and out[-1].startswith("Case: session 3 of 16")


def test_command_methods_directly(assistant_offline):
    chat = ChatSession(assistant_offline)
    assert chat.command("/session 7").kind == "command" and chat.session == 7
    chat.command("/of 20")
    assert chat.total == 20
    chat.command("/focus role dispute")
    assert chat.focus == "role_dispute" and not chat.focus_inferred
    chat.command("/focus none")
    assert chat.focus is None
    chat.command("/format GIRP")
    assert chat.note_format == "girp"
    for bad in ("/session 0", "/session 61", "/of", "/format pdf", "/frobnicate"):
        with pytest.raises(InputError):
            chat.command(bad)
    assert chat.case == {"session": 7, "total": 20, "focus": None}
    chat.history += [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert chat.command("/reset").kind == "command"
    assert chat.case == {"session": None, "total": 16, "focus": None} and chat.history == []
    assert chat.command("/quit").kind == "quit"


def test_json_mode_emits_one_object_per_turn():
    rc, out = chat_lines("/session 5", DISPUTE, "/quit", as_json=True)
    assert rc == 0
    objs = [json.loads(l) for l in out]
    assert [o["kind"] for o in objs] == ["command", "answer", "quit"]
    assert objs[1]["answer"]["phase"] == "middle" and objs[1]["case"]["focus"] == "role_dispute"


def test_note_after_slash_note_drafts_a_note():
    rc, out = chat_lines("/format soap", "/note", "- session 5 of 16, role dispute w/ sister", "- mood \"a bit better\"",
                         "- pt will ask sister to meet for coffee", "", "/quit")
    text = "\n".join(out)
    assert "## Subjective" in text and "## Plan" in text and "a bit better" in text
    assert "[risk_not_documented]" in text


def test_bullets_without_slash_note_get_one_hint_not_a_note():
    """A line starting with "- " no longer switches to note drafting silently: one hint per pasted run."""
    from assistant.chat import BULLET_HINT

    rc, out = chat_lines("/format soap", "- session 5 of 16, role dispute w/ sister", "- mood \"a bit better\"",
                         "- pt will ask sister to meet for coffee", "", "/quit")
    text = "\n".join(out)
    assert rc == 0 and "## Subjective" not in text and "Grounded offline answer" not in text
    assert out.count(BULLET_HINT) == 1 and "/note" in BULLET_HINT


# -- the case across turns --------------------------------------------------------------------------
def test_case_is_kept_across_turns_and_inferred_focus_sticks(assistant_offline):
    chat = ChatSession(assistant_offline)
    t1 = chat.ask(DISPUTE)
    assert t1.answer is not None and t1.answer.focal_area == "role_dispute"
    assert chat.case == {"session": 5, "total": 16, "focus": "role_dispute"}
    assert chat.focus_inferred and "(inferred)" in chat.describe_case()
    t2 = chat.ask(FOLLOW_UP)  # names neither the session nor the area
    assert t2.answer is not None
    assert t2.answer.session == 5 and t2.answer.phase == "middle"
    assert t2.answer.focal_area == "role_dispute"
    assert chat.case == {"session": 5, "total": 16, "focus": "role_dispute"}
    assert [m["role"] for m in chat.history] == ["user", "assistant", "user", "assistant"]
    assert chat.history[0]["content"] == DISPUTE and chat.history[2]["content"] == FOLLOW_UP


def test_session_mention_updates_the_case(assistant_offline):
    chat = ChatSession(assistant_offline, session=3, focus="grief")
    chat.ask("Now it's session 9 of 12 and she has started going to the widows' group.")
    assert chat.session == 9 and chat.total == 12
    assert chat.focus == "grief" and not chat.focus_inferred  # a focus the clinician set is kept
    t = chat.ask(FOLLOW_UP)
    assert t.answer.session == 9 and t.answer.total_sessions == 12 and t.answer.focal_area == "grief"  # type: ignore[union-attr]


def test_focus_set_by_command_wins_over_inference(assistant_offline):
    chat = ChatSession(assistant_offline)
    chat.command("/focus role transition")
    t = chat.ask(DISPUTE)
    assert chat.focus == "role_transition"
    assert t.answer.focal_area == "role_transition"  # type: ignore[union-attr]


def test_repl_keeps_the_case_between_lines():
    rc, out = chat_lines(DISPUTE, FOLLOW_UP, "/case", "/quit")
    assert "Case: session 5 of 16; focal area: role_dispute (inferred); note format: dap; mode: offline" in out


# -- history budget ---------------------------------------------------------------------------------
def test_history_is_trimmed_to_the_budget_in_whole_pairs(assistant_offline):
    chat = ChatSession(assistant_offline, history_tokens=300)
    for i in range(6):
        chat.history += [{"role": "user", "content": f"question {i} " + "about the dispute " * 20},
                         {"role": "assistant", "content": f"answer {i} " + "use role play " * 25}]
    kept = chat.trimmed_history()
    assert kept, "nothing kept"
    assert count_messages(kept) <= 300
    assert len(kept) % 2 == 0
    assert [m["role"] for m in kept] == ["user", "assistant"] * (len(kept) // 2)
    assert kept == chat.history[-len(kept):]  # the newest turns, in order
    assert len(kept) < len(chat.history)
    # one more pair would not fit
    assert count_messages(chat.history[-len(kept) - 2:]) > 300
    assert kept[-1]["content"].startswith("answer 5")
    chat.history_tokens = 10  # smaller than one pair: nothing is sent
    assert chat.trimmed_history() == []
    chat.history_tokens = 100_000
    assert chat.trimmed_history() == chat.history


# -- LLM mode without tools: retrieve-then-answer, with history --------------------------------------
def _answer_handler(body: dict) -> Reply:
    import re

    if body.get("tools"):
        return Reply(text="I would rather not call tools.")  # a probe gets no tool_calls
    user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
    ids = re.findall(r"^\[([a-z][a-z_]+)\] ", user, re.M)
    return Reply(text=f"Go through last night's argument step by step with [{ids[0]}].")


@pytest.mark.parametrize("tools", ["off", "auto"])
def test_llm_chat_without_tool_support_sends_history(tools: str):
    with MockOpenAI(_answer_handler) as server:  # in process: no socket needed
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools=tools)
        chat = ChatSession(Assistant(settings))
        t1 = chat.ask(DISPUTE)
        t2 = chat.ask(FOLLOW_UP)
    assert not server.handler_errors
    chats = [r for r in server.requests if not r.get("tools")]
    probes = [r for r in server.requests if r.get("tools")]
    assert len(probes) == (1 if tools == "auto" else 0)
    assert chat._tools is False
    assert len(chats) == 2
    for t in (t1, t2):
        assert t.answer is not None and t.answer.mode == "llm"
        assert not t.answer.has_flag("phantom_citation") and not t.answer.has_flag("endpoint_error")
    first, second = chats
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]
    assert second["messages"][1]["content"] == DISPUTE
    assert second["messages"][2]["content"] == brief_answer(t1.text)  # its prose, no header or sources
    assert "Sources:" not in second["messages"][2]["content"] and "**Session" not in second["messages"][2]["content"]
    assert FOLLOW_UP in second["messages"][3]["content"] and "CONTEXT" in second["messages"][3]["content"]
    assert t2.answer.session == 5 and t2.answer.focal_area == "role_dispute"  # type: ignore[union-attr]


def test_llm_chat_history_respects_the_budget():
    with MockOpenAI(_answer_handler) as server:  # in process: no socket needed
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="off")
        chat = ChatSession(Assistant(settings), history_tokens=10)  # too small for any pair
        chat.ask(DISPUTE)
        chat.ask(FOLLOW_UP)
    assert [m["role"] for m in server.requests[-1]["messages"]] == ["system", "user"]


def test_no_tools_flag_skips_the_probe():
    with MockOpenAI(_answer_handler) as server:  # in process: no socket needed
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="auto")
        rc, out = chat_lines(DISPUTE, "/quit", settings=settings, use_tools=False)
    assert rc == 0 and not any(r.get("tools") for r in server.requests)
    assert out[0] == "IPT Assistant chat (model fake-model). /help for commands, /quit or Ctrl-D to leave."


# -- LLM mode with tools: the agent -----------------------------------------------------------------
def _agent_handler(body: dict) -> Reply:
    msgs = body["messages"]
    if not any(m.get("role") == "tool" for m in msgs):
        return Reply(tool_calls=[{"name": "open_technique", "arguments": {"technique_id": "role_play"}}])
    return Reply(text="Rehearse the next conversation with [role_play]: you play her husband, she asks for help "
                      "with the evening chores.")


def test_agent_path_runs_the_tool_and_cites_it():
    with FakeOpenAIServer(_agent_handler) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="on")
        chat = ChatSession(Assistant(settings))
        turn = chat.ask(DISPUTE)
    assert not server.handler_errors
    ans = turn.answer
    assert ans is not None and ans.mode == "llm"
    assert len(server.requests) == 2
    first, second = server.requests
    assert {t["function"]["name"] for t in first["tools"]} == {"search_knowledge", "open_technique",
                                                              "phase_guidance", "draft_progress_note"}
    assert first["messages"][0]["role"] == "system" and "Current case: Case: session 5 of 16" in first["messages"][0]["content"]
    tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
    assert len(tool_msgs) == 1 and tool_msgs[0]["content"].startswith("[role_play] Role Play:")
    assert "role_play" in ans.techniques and ans.techniques[0] == "role_play"
    assert "role_play" in ans.retrieved
    assert [c.id for c in ans.citations if c.kind == "technique"][0] == "role_play"
    codes = {f.code for f in ans.flags}
    assert "phantom_citation" not in codes and "citation_missing" not in codes and "endpoint_error" not in codes
    assert "[role_play]" in ans.answer
    assert chat.history[-1]["content"] == brief_answer(ans.answer)


def test_agent_unknown_technique_is_reported_back_to_the_model():
    def handler(body: dict) -> Reply:
        if not body.get("tools"):  # retrieve-then-answer
            return Reply(text="Stay with the dispute and use [communication_analysis] on last night's argument.")
        tool = [m for m in body["messages"] if m.get("role") == "tool"]
        if not tool:
            return Reply(tool_calls=[{"name": "open_technique", "arguments": {"technique_id": "thought_records"}}])
        assert "unknown id 'thought_records'" in tool[0]["content"]
        return Reply(text="Stay with the dispute and use [communication_analysis] on last night's argument.")

    with FakeOpenAIServer(handler) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="on")
        ans = ChatSession(Assistant(settings)).ask(DISPUTE).answer
    assert not server.handler_errors
    assert ans is not None and ans.mode == "llm"
    # no tool returned an id, so nothing grounds the agent's answer: the chat retrieved and asked again
    assert len(server.requests) == 3 and not server.requests[2].get("tools")
    assert ans.usage.model_calls == 3
    assert "communication_analysis" in ans.retrieved and not ans.has_flag("phantom_citation")


def test_agent_endpoint_failure_falls_back_to_offline():
    with FakeOpenAIServer(lambda body: Reply(status=400, text="tools not supported")) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="on", max_retries=0)
        ans = ChatSession(Assistant(settings)).ask(DISPUTE).answer
    assert ans is not None and ans.mode == "offline" and ans.has_flag("endpoint_error")


# -- tool-support detection --------------------------------------------------------------------------
def test_detect_tool_support_is_probed_once_and_cached(tmp_path: Path):
    from assistant.agent import detect_tool_support
    from assistant.llm import OpenAICompatibleModel

    def handler(body: dict) -> Reply:
        return Reply(tool_calls=[{"name": "get_time", "arguments": {"city": "Paris"}}])

    with FakeOpenAIServer(handler) as server:
        model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="fake-model"))
        assert detect_tool_support(model, tmp_path) is True
        assert len(server.requests) == 1 and server.requests[0]["tools"][0]["function"]["name"] == "get_time"
        cache = json.loads((tmp_path / "tool_support.json").read_text())
        assert [entry["tools"] for entry in cache.values()] == [True]
        assert detect_tool_support(model, tmp_path) is True
        assert len(server.requests) == 1  # second call: from the cache, no request
        # overrides never probe
        assert detect_tool_support(model, tmp_path, "off") is False
        assert detect_tool_support(model, tmp_path / "other", "on") is True
        assert len(server.requests) == 1
        # a different model on the same endpoint is probed separately
        other = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="other-model"))
        assert detect_tool_support(other, tmp_path) is True
        assert len(server.requests) == 2
        assert len(json.loads((tmp_path / "tool_support.json").read_text())) == 2


def test_detect_tool_support_negative_and_rejected_probes_are_cached(tmp_path: Path):
    from assistant.agent import detect_tool_support
    from assistant.llm import OpenAICompatibleModel

    with FakeOpenAIServer(lambda body: Reply(text="It is noon in Paris.")) as server:
        model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="fake-model"))
        assert detect_tool_support(model, tmp_path) is False
        assert detect_tool_support(model, tmp_path) is False
        assert len(server.requests) == 1
    with FakeOpenAIServer(lambda body: Reply(status=400, text="tools are not supported")) as server:
        model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="fake-model"))
        assert detect_tool_support(model, tmp_path / "b") is False
        assert detect_tool_support(model, tmp_path / "b") is False
        assert len(server.requests) == 1


def test_chat_probe_uses_the_data_dir_cache(tmp_path: Path, ipt_data_dir: Path):
    calls: list[str] = []

    def handler(body: dict) -> Reply:
        if body.get("tools") and body["tools"][0]["function"]["name"] == "get_time":
            calls.append("probe")
            return Reply(tool_calls=[{"name": "get_time", "arguments": {"city": "Paris"}}])
        return _agent_handler(body)

    with FakeOpenAIServer(handler) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", tools="auto")
        first = ChatSession(Assistant(settings)).ask(DISPUTE).answer
        second = ChatSession(Assistant(settings)).ask(DISPUTE).answer  # a new chat: probe result from disk
    assert not server.handler_errors
    assert calls == ["probe"]
    for ans in (first, second):
        assert ans is not None and ans.mode == "llm" and ans.techniques[0] == "role_play"
    assert (settings.data_dir / "tool_support.json").exists()
