"""The stream guard: a small model's loop, pasted context or babble after a tool call is cut off while it
streams (the stream is closed, so a local server stops generating), and the chat agent makes the first
search itself when the model writes no call, instead of a second full prompt."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.chat import ChatSession, brief_answer
from assistant.config import Settings
from assistant.testing.fake_server import FakeOpenAIServer, Reply
from assistant.written import (STOP_CALL, STOP_COPY, STOP_NO_CALL, STOP_REPEAT, StreamGuard, check_written,
                               repeats_itself)

DISPUTE = "Session 5 of 16: she keeps fighting with her husband about chores; they argue every evening."
ANSWER = ("Her fights about chores are a role dispute in renegotiation: work on how they argue, not on who is "
          "right.\n\n**Next steps**\n1. Go through last night's argument line by line with her "
          "[communication_analysis].\n2. Rehearse how she will ask him for help on Sunday [role_play].\n\n"
          "**You could say:** \"What did you want him to understand when you said that?\"\n"
          "**Ask:** \"What happened right before the argument started?\"\n**Watch for:** taking sides.")
OTHER_ANSWER = ("When she blames him entirely, stay curious rather than agreeing or correcting: ask for the last time "
                "it happened and what each of them said [communication_analysis].\n\n**Next steps**\n1. Explore "
                "what she hoped he would do differently [clarification].\n2. Help her put that into one request "
                "she can make this week [role_play].\n\n**You could say:** \"What would you like him to "
                "understand?\"\n**Ask:** \"What did you say next?\"\n**Watch for:** siding with her.")
LOOP_BLOCK = ("**Next steps:** [role_dispute_resolution] Next session: {n}. **You could say:** \"I want to help you "
              "understand how your relationships are affecting each other, and I want to make sure that we are "
              "both working together to improve them.\" **Ask:** \"What do you think is causing these problems?\"\n\n")
LOOP = "".join(LOOP_BLOCK.format(n=n) for n in range(6, 30))
SOURCE = ("Communication analysis: take one recent argument and go through it exchange by exchange, asking what "
          "the client said, what she meant, what the other person heard and how each of them felt afterwards, "
          "so that the pattern of ambiguous or indirect communication becomes visible and can be changed; then "
          "look for the point where the exchange went wrong and what she could have said instead at that point.")


def _feed(guard: StreamGuard, text: str, size: int = 5) -> tuple[str | None, int]:
    """Feed ``text`` in pieces of ``size`` characters; (reason, characters fed when it stopped)."""
    for i in range(0, len(text), size):
        if guard.feed(text[i:i + size]):
            return guard.reason, i + size
    return None, len(text)


# -- the guard on its own --------------------------------------------------------------------------------
def test_a_loop_is_stopped_within_its_second_round():
    reason, at = _feed(StreamGuard(), LOOP)
    assert reason == STOP_REPEAT and at < 2 * len(LOOP_BLOCK.format(n=6)) + 20


def test_a_written_answer_is_never_stopped():
    assert _feed(StreamGuard(SOURCE), ANSWER) == (None, len(ANSWER))
    # quoting one phrase of the sources is what an answer should do; it is not a paste
    quoting = ANSWER + " As the technique puts it, go through it exchange by exchange, asking what the client said."
    assert _feed(StreamGuard(SOURCE), quoting)[0] is None


def test_a_pasted_source_is_stopped():
    reason, at = _feed(StreamGuard("Some other context.\n" + SOURCE), "Here is what to do. " + SOURCE)
    assert reason == STOP_COPY and at < len(SOURCE)


def test_a_tool_call_is_awaited_then_the_stream_ends():
    found = lambda text: "}}" in text  # noqa: E731 - stands in for parse_text_tool_calls
    call = '{"name": "search_knowledge", "arguments": {"query": "chores"}}'
    reason, at = _feed(StreamGuard(find_call=found), call + "\n\nNow the answer: " + ANSWER)
    assert reason == STOP_CALL and at <= len(call) + 5
    reason, at = _feed(StreamGuard(find_call=found), ANSWER + "\n" + SOURCE)
    assert reason == STOP_NO_CALL and 600 <= at <= 610


def test_words_split_across_pieces_count_once():
    guard = StreamGuard()
    assert _feed(guard, ANSWER, size=1) == (None, len(ANSWER))
    assert guard.feed(" again") is None


def test_check_written_flags_a_reply_that_repeats_itself():
    assert repeats_itself(LOOP) and not repeats_itself(ANSWER)
    check = check_written(LOOP[:900], "", "stop")
    assert not check.ok and check.repeated and "repetitive" in {f.code for f in check.flags()}
    assert check_written(ANSWER, "", STOP_REPEAT).repeated  # stopped by the guard while streaming
    assert check_written(ANSWER, "", STOP_COPY).copied
    assert check_written(ANSWER, "", "stop").ok


# -- through a real socket: the stream is closed early -------------------------------------------------
def _settings(server: FakeOpenAIServer, **kw: Any) -> Settings:
    return Settings(base_url=server.base_url, api_key="test", model="fake-model", max_retries=0, **kw)


def test_a_streamed_loop_is_cut_off_and_replaced():
    # 600 chunks, 10 ms apart: the guard stops the stream within the loop's second round
    reply = Reply(text=LOOP, pieces=600, chunk_delay=0.01, finish="length")
    with FakeOpenAIServer(lambda body: reply) as server:
        shown: list[str] = []
        ans = Assistant(_settings(server)).ask(DISPUTE, on_token=shown.append)
        deadline = time.monotonic() + 10
        while not server.dropped and time.monotonic() < deadline:  # the server's next write fails
            time.sleep(0.05)
        assert server.dropped == 1  # the connection was closed: a real server stops generating
    assert ans.mode == "offline" and ans.has_flag("repetitive") and not ans.has_flag("truncated")
    assert len(shown) < 120  # of 600 pieces
    assert "I want to help you understand" not in ans.answer


def test_a_loop_is_cut_off_when_nothing_is_shown_too():
    # `ipt ask --json` and evals show nothing while the model writes: the reply is streamed all the same
    reply = Reply(text=LOOP, pieces=600, chunk_delay=0.01, finish="length")
    with FakeOpenAIServer(lambda body: reply) as server:
        ans = Assistant(_settings(server)).ask(DISPUTE)
        deadline = time.monotonic() + 10
        while not server.dropped and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.dropped == 1 and server.requests[0]["stream"] is True
    assert ans.mode == "offline" and ans.has_flag("repetitive")


def test_a_recorded_loop_is_caught_after_the_fact():
    from assistant.testing.fake_model import ScriptedModel

    model = ScriptedModel().enqueue(LOOP[:1500])  # a replay stands in like this: no stream to watch
    ans = Assistant(Settings(offline=True), model=model).ask(DISPUTE)
    assert ans.mode == "offline" and ans.has_flag("repetitive")


# -- the chat agent in text mode ------------------------------------------------------------------------
def _text_server(step_one: str, answer: str = ANSWER, pieces: int = 4):
    """llama.cpp with Qwen's default template: no tool_calls, no tool role; the probe answers as text."""
    def handler(body: dict) -> Reply:
        msgs = body["messages"]
        if "get_time" in msgs[0].get("content", ""):
            return Reply(text='<tool_call>\n{"name": "get_time", "arguments": {"city": "Paris"}}\n</tool_call>')
        if not any("<tool_response" in (m.get("content") or "") for m in msgs if m["role"] != "system"):
            return Reply(text=step_one, pieces=pieces)
        return Reply(text=answer)
    return handler


def test_the_code_searches_when_the_model_writes_no_call(ipt_data_dir: Path):
    shown: list[str] = []
    with FakeOpenAIServer(_text_server(ANSWER)) as server:  # step one answers at once, ungrounded
        chat = ChatSession(Assistant(_settings(server, tools="auto")))
        turn = chat.ask(DISPUTE, on_token=shown.append)
    probe, first, second = server.requests  # no retrieve-then-answer call: the same prompt, continued
    ans = turn.answer
    assert ans is not None and ans.mode == "llm" and ans.usage.model_calls == 2
    assert chat.last_tool_calls == [] and chat.last_code_calls == ["search_knowledge"]
    assert second["messages"][0] == first["messages"][0]  # the cached prefix
    assert second["messages"][-1]["content"].startswith('<tool_response name="search_knowledge">')
    assert DISPUTE in second["messages"][-2]["content"]  # the code searched with the question
    assert "… search_knowledge(" in "".join(shown)


def test_babble_after_a_written_call_is_not_waited_for(ipt_data_dir: Path):
    call = '{"name": "search_knowledge", "arguments": {"query": "role dispute chores"}}'
    with FakeOpenAIServer(_text_server(call + "\n\n" + ANSWER * 3, pieces=200)) as server:
        chat = ChatSession(Assistant(_settings(server, tools="auto")))
        ans = chat.ask(DISPUTE).answer
    assert ans is not None and ans.mode == "llm"
    assert chat.last_tool_calls == ["search_knowledge"] and chat.last_code_calls == []
    assert chat.last_stops == [STOP_CALL]
    second = server.requests[-1]
    assert second["messages"][-2]["content"] == f"<tool_call>{call}</tool_call>"


def test_text_mode_gets_the_previous_question_not_the_previous_answer(ipt_data_dir: Path):
    with FakeOpenAIServer(_text_server(ANSWER)) as server:
        chat = ChatSession(Assistant(_settings(server, tools="auto")))
        chat.ask(DISPUTE)
        pasted = chat.history[-1]["content"] + "\n" + SOURCE  # step one pastes the last answer back all the same
        server.handler = _text_server(pasted, answer=OTHER_ANSWER, pieces=300)
        n = len(server.requests)
        ans = chat.ask("What could I say when she says it is all his fault?").answer
    assert ans is not None and ans.mode == "llm"
    assert chat.last_code_calls == ["search_knowledge"] and chat.last_stops == [STOP_NO_CALL]  # at 600 chars
    first = server.requests[n]
    assert [m["role"] for m in first["messages"]] == ["system", "user"]  # no earlier answer to paste
    assert "the clinician's previous question: " + DISPUTE in first["messages"][0]["content"]


def test_a_pasted_earlier_answer_is_cut_off_in_retrieve_then_answer():
    with FakeOpenAIServer(lambda body: Reply(text=ANSWER)) as server:
        chat = ChatSession(Assistant(_settings(server, tools="off")))
        chat.ask(DISPUTE)
        server.handler = lambda body: Reply(text="So: " + body["messages"][2]["content"], pieces=300)
        ans = chat.ask("What could I say when she says it is all his fault?", on_token=lambda piece: None).answer
    assert ans is not None and ans.mode == "offline" and ans.has_flag("copied_context")


# -- what the history keeps ---------------------------------------------------------------------------------
def test_the_history_keeps_the_answer_brief():
    shown = ("> ⚠ **Frame check:** recommends Thought records\n\n**Session 5 of 16 · middle phase**\n\n"
             + ANSWER + "\n\n" + "More words here. " * 100 + "\n\nSources: `role_play`")
    brief = brief_answer(shown)
    assert brief.startswith("Her fights about chores") and "Frame check" not in brief
    assert "Session 5 of 16" not in brief and "Sources:" not in brief
    assert len(brief.split()) <= 121 and brief.endswith("…")
    assert brief_answer(ANSWER) == ANSWER.replace("\n\n", "\n")
