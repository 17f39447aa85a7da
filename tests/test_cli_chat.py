"""``ipt chat`` as a terminal program (issue 12, item 6): line editing and history, Ctrl-C and
Ctrl-D, small talk, notes only through /note, chat's own hints, /case agreeing with the answers,
offline follow-ups that keep the case and topic, and JSON lines only under --json."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any, Callable

import pytest

from assistant.chat import BULLET_HINT, ChatSession, chat_hints, history_file, prompt_reader, run_chat, small_talk
from assistant.config import Settings

DISPUTE = "Session 5 of 16: she keeps fighting with her husband about chores; they argue every evening."
FOLLOW_UP = "What should I say when she brings it up again?"
RISK = "Session 5: she told me she has thoughts of suicide after the fight with her husband."


def chat(*lines: str, as_json: bool = False, reader: Callable[[str], str] | None = None,
         **kw: Any) -> tuple[int, list[str]]:
    out = io.StringIO()
    rc = run_chat(Settings(offline=True), stdin=io.StringIO("".join(l + "\n" for l in lines)), stdout=out,
                  as_json=as_json, reader=reader, **kw)
    return rc, out.getvalue().splitlines()


def scripted(*events: str | type[BaseException]) -> Callable[[str], str]:
    """A line reader that returns lines and raises KeyboardInterrupt / EOFError where scripted."""
    queue = list(events)

    def read(prompt: str) -> str:
        if not queue:
            raise EOFError
        event = queue.pop(0)
        if isinstance(event, str):
            return event
        raise event

    return read


# -- small talk ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("line,reply", [("hello", "Hello."), ("Hi there!", "Hello."), ("thanks", "You're welcome."),
                                        ("Thank you very much.", "You're welcome."), ("bye", "Goodbye.")])
def test_small_talk_gets_a_short_reply(line: str, reply: str) -> None:
    text = small_talk(line)
    assert text is not None and text.startswith(reply) and len(text) < 200


@pytest.mark.parametrize("line", ["hello, her mother died last month", "thanks to her sister she is sleeping better",
                                  "hi, session 5: what next?", "what does the hello phase mean"])
def test_questions_are_not_small_talk(line: str) -> None:
    assert small_talk(line) is None


def test_small_talk_runs_no_search(monkeypatch) -> None:
    from assistant.assistant import Assistant

    def no_search(*a: Any, **k: Any) -> Any:
        raise AssertionError("small talk must not reach retrieval")

    monkeypatch.setattr(Assistant, "ask", no_search)
    monkeypatch.setattr(ChatSession, "ask", no_search)
    rc, out = chat("hello", "thanks", "/quit")
    assert rc == 0
    assert out[2].startswith("Hello.") and out[3] == "You're welcome." and out[-1] == "Goodbye."
    assert sum(len(l) for l in out[2:4]) < 300


# -- notes only through /note ------------------------------------------------------------------------------
def test_a_bullet_line_gets_a_hint_and_no_note(monkeypatch) -> None:
    def no_note(*a: Any, **k: Any) -> Any:
        raise AssertionError("no note without /note")

    monkeypatch.setattr(ChatSession, "note", no_note)
    rc, out = chat("- mood 4/10", "- role-played asking for help", "* pt will call her sister", "/quit")
    assert rc == 0 and out.count(BULLET_HINT) == 1


def test_slash_note_then_paste_drafts_the_note() -> None:
    rc, out = chat("/note", "- s 5/16 role dispute w/ husband", "- mood 4/10", "", "/quit")
    text = "\n".join(out)
    assert "# IPT progress note (DAP)" in text and "mood 4/10" in text and BULLET_HINT not in text


# -- hints in chat's own words ---------------------------------------------------------------------------------
def test_hints_name_chat_commands_not_cli_flags() -> None:
    assert chat_hints("the interpersonal inventory decides it (--focus AREA).") == \
        "the interpersonal inventory decides it (/focus AREA)."
    assert chat_hints("give it (`--focus AREA`) for steps") == "give it (/focus AREA) for steps"
    assert chat_hints("phase-specific advice needs it (--session N).") == "phase-specific advice needs it (/session N)."
    rc, out = chat("My client feels low and I am not sure where to start.", "/quit")
    text = "\n".join(out)
    assert "--focus" not in text and "--session" not in text


def test_answer_flags_in_chat_use_chat_commands(assistant_offline) -> None:
    answer = ChatSession(assistant_offline).ask("Session 7: my client feels low and I am not sure what to do.").answer
    unknown = next(f for f in answer.flags if f.code == "focal_area_unknown")
    assert "(/focus AREA)" in unknown.message and "--focus" not in unknown.message


def test_json_answer_flags_use_chat_commands_too() -> None:
    rc, out = chat("My client feels low and I am not sure where to start.", "/quit", as_json=True)
    answer = json.loads(out[0])["answer"]
    messages = " ".join(f["message"] for f in answer["flags"])
    assert "--focus" not in messages and "--session" not in messages and "/session N" in messages


# -- /case agrees with the answers; follow-ups keep the case and topic -------------------------------------------
def test_inferred_focus_is_inferred_in_case_and_answers(assistant_offline) -> None:
    c = ChatSession(assistant_offline)
    first = c.ask(DISPUTE).answer
    second = c.ask(FOLLOW_UP).answer
    assert first.focal_area == second.focal_area == "role_dispute"
    assert first.focal_area_source == second.focal_area_source == "inferred"
    assert "(inferred)" in c.describe_case()
    assert "(given)" not in second.answer
    c.command("/focus grief")
    third = c.ask(FOLLOW_UP).answer
    assert third.focal_area == "grief" and third.focal_area_source == "given" and "(inferred)" not in c.describe_case()


def test_offline_follow_up_carries_the_topic_into_retrieval(assistant_offline) -> None:
    alone = ChatSession(assistant_offline).ask(FOLLOW_UP).answer  # control: no conversation
    assert alone.focal_area is None
    c = ChatSession(assistant_offline)
    c.ask(DISPUTE)
    follow = c.ask(FOLLOW_UP).answer
    assert follow.focal_area == "role_dispute" and follow.session == 5 and follow.phase == "middle"
    assert set(follow.techniques[:5]) != set(alone.techniques[:5])
    assert c.history[-2]["content"] == FOLLOW_UP  # what the clinician typed is remembered, not the search text


def test_offline_follow_up_keeps_the_risk_context(assistant_offline) -> None:
    alone = ChatSession(assistant_offline).ask(FOLLOW_UP).answer
    assert not any(f.code == "risk" for f in alone.flags)
    c = ChatSession(assistant_offline)
    first = c.ask(RISK).answer
    assert any(f.code == "risk" for f in first.flags)
    follow = c.ask(FOLLOW_UP).answer
    assert any(f.code == "risk" for f in follow.flags)
    c.command("/reset")
    assert not any(f.code == "risk" for f in c.ask(FOLLOW_UP).answer.flags)


def test_a_new_topic_replaces_the_old_one(assistant_offline) -> None:
    c = ChatSession(assistant_offline)
    c.ask(DISPUTE)
    new = c.ask("Different client: her mother died three months ago and she cannot stop crying.").answer
    assert new.focal_area == "grief" and c.focus == "grief" and c.focus_inferred


# -- Ctrl-C, Ctrl-D, line reading ---------------------------------------------------------------------------------
def test_ctrl_c_cancels_the_answer_not_the_session(monkeypatch) -> None:
    calls: list[str] = []
    original = ChatSession.ask

    def interrupted_once(self: ChatSession, text: str, on_token: Any = None) -> Any:
        calls.append(text)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return original(self, text, on_token=on_token)

    monkeypatch.setattr(ChatSession, "ask", interrupted_once)
    rc, out = chat(reader=scripted(DISPUTE, DISPUTE, "/case", "/quit"))
    assert rc == 0
    assert any("cancelled" in l for l in out)
    assert any("Grounded offline answer" in l for l in out)  # the second question was answered
    assert out[-1] == "Goodbye." and len(calls) == 2


def test_ctrl_c_at_the_prompt_and_ctrl_d_to_leave() -> None:
    rc, out = chat(reader=scripted(KeyboardInterrupt, "/session 4", "/note", "- mood 4/10", KeyboardInterrupt,
                                   "/case", EOFError, "/session 9"))
    assert rc == 0
    assert any(l.startswith("Case: session 4 of 16") for l in out)
    assert "ipt: note cancelled" in out  # Ctrl-C while pasting drops the half-pasted note
    assert not any("progress note" in l for l in out)
    assert not any("session 9" in l for l in out)  # Ctrl-D ended the chat


def test_prompt_toolkit_reader_edits_and_keeps_history_in_memory(tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe:
        read = prompt_reader(None, input=pipe, output=DummyOutput())
        pipe.send_text("helo\x1b[D\x1b[Dl\r")  # left arrow twice, insert: editing, not escape codes
        assert read("ipt> ") == "hello"
        pipe.send_text("\x1b[A\r")  # up arrow recalls the previous line
        assert read("ipt> ") == "hello"
        pipe.send_text("half a line\x03")  # Ctrl-C drops the line being typed
        with pytest.raises(KeyboardInterrupt):
            read("ipt> ")
        pipe.send_text("\x04")  # Ctrl-D on an empty line
        with pytest.raises(EOFError):
            read("ipt> ")
    assert list(tmp_path.iterdir()) == []  # nothing written by default


def test_history_file_is_opt_in_and_private(tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    settings = Settings(offline=True, data_dir=tmp_path / "data")
    path = history_file(settings)
    assert path == tmp_path / "data" / "chat-history"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with create_pipe_input() as pipe:
        read = prompt_reader(path, input=pipe, output=DummyOutput())
        pipe.send_text("what next for session 5?\r")
        assert read("ipt> ") == "what next for session 5?"
    assert "what next for session 5?" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- --json: JSON lines only ----------------------------------------------------------------------------------------
def test_chat_json_emits_only_json_lines() -> None:
    rc, out = chat("hello", "/bogus", "/session x", "- a bullet", "/note", "- mood 4/10", "", DISPUTE, "\udcff bad",
                   "/quit", as_json=True)
    assert rc == 0
    objs = [json.loads(l) for l in out]  # every line is one JSON object
    kinds = [o["kind"] for o in objs]
    assert kinds == ["reply", "error", "error", "hint", "note", "answer", "error", "quit"]
    assert objs[1]["error"]["code"] == "bad_input" and "unknown command /bogus" in objs[1]["error"]["message"]
    assert all("case" in o for o in objs)


def test_model_answers_agree_with_case_on_an_inferred_focus() -> None:
    """With a model, the inferred focus is passed on to the next turn; the answer still says inferred."""
    import re

    from assistant import Assistant
    from assistant.testing.fake_server import Reply
    from assistant.testing.mock_transport import MockOpenAI

    def cite(body: dict) -> Reply:
        user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
        first_id = re.findall(r"^\[([a-z_]+)\] ", user, re.M)[0]
        return Reply(text=f"Go through the argument with [{first_id}].")

    with MockOpenAI(cite) as endpoint:
        settings = Settings(base_url=endpoint.base_url, api_key="test", model="fake-model", tools="off")
        c = ChatSession(Assistant(settings))
        first = c.ask(DISPUTE).answer
        second = c.ask(FOLLOW_UP).answer
    assert first.mode == second.mode == "llm"
    assert first.focal_area_source == second.focal_area_source == "inferred" and "(inferred)" in c.describe_case()
    assert "(given)" not in second.answer and "inferred earlier in this chat" in second.answer
