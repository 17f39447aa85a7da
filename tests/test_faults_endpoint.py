"""Fault injection at the model boundary, against fake OpenAI-compatible servers on 127.0.0.1.

IPT_TIMEOUT is a deadline for the whole request (a server that sends a byte every so often
does not keep the request alive), a call's total time is bounded across retries, a stream
without a finish reason is an endpoint error (never a model answer), replies are capped in
size, the tool probe is cached with an expiry (failures briefly), and every stderr line the
CLI writes starts with ``ipt:``. Every test is bounded in time with small timeouts.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
from ipt_cli import cli_env, run_ipt

from assistant import Assistant
from assistant.config import Settings
from assistant.errors import EndpointError
from assistant.llm import MAX_REPLY_CHARS, OpenAICompatibleModel, RetryPolicy, with_retries
from assistant.testing.fake_server import FakeOpenAIServer, Reply

REPO = Path(__file__).resolve().parents[1]
QUESTION = "Session 5 of 16: Marisol keeps fighting with her husband about chores. What next?"
OFFLINE_MARK = "Grounded offline answer"


@pytest.fixture
def server():
    with FakeOpenAIServer() as srv:
        yield srv
    assert not srv.handler_errors, srv.handler_errors


@pytest.fixture(scope="module")
def warm(ipt_data_dir: Path) -> Path:
    """Build (or reuse) the session's index and load the planner once, so that timings below
    measure the endpoint only."""
    Assistant(Settings(offline=True, data_dir=ipt_data_dir)).ask(QUESTION)
    # and one model call that answers at once: the model path's first imports (the SDK, its HTTP client)
    # would otherwise count against the first deadline measured below
    with FakeOpenAIServer(lambda body: Reply(text=text_reply(body))) as srv:
        assistant_for(srv.base_url).ask(QUESTION)
    return ipt_data_dir


def assistant_for(url: str, **kw) -> Assistant:
    """An assistant on ``url``; ``a.model.seconds`` records how long each model call took."""
    settings = Settings(base_url=url, api_key="test", model="fake-model", **{"timeout": 1.0, "max_retries": 1, **kw})
    a = Assistant(settings)
    assert isinstance(a.model, OpenAICompatibleModel)
    a.model.policy.sleep = lambda s: time.sleep(min(s, 0.05))  # keep back-off short in tests
    model = a.model
    real = model.complete
    model.seconds = []  # type: ignore[attr-defined]

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            model.seconds.append(time.perf_counter() - t0)  # type: ignore[attr-defined]

    model.complete = timed  # type: ignore[method-assign]
    return a


def endpoint_flag(answer) -> str:
    flags = [f.message for f in answer.flags if f.code == "endpoint_error"]
    assert flags, [f.code for f in answer.flags]
    return flags[0]


def assert_fallback(answer, part: str) -> None:
    assert answer.mode == "offline"
    assert OFFLINE_MARK in answer.answer
    message = endpoint_flag(answer)
    assert part in message, message
    assert "Marisol" not in message


def text_reply(body: dict) -> str:
    return "Explore both sides' expectations with [role_dispute_resolution]. Then rehearse with [role_play]."


# -- deadlines ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_dripping_endpoint_ends_at_the_deadline(server: FakeOpenAIServer, warm: Path, stream: bool, where: str):
    """One byte every 0.3 s never trips a per-read timeout; the 1 s deadline still ends it."""
    server.handler = lambda body: Reply(text=text_reply(body), drip=0.3, drip_headers=where == "headers")
    a = assistant_for(server.base_url, timeout=1.0, max_retries=1)
    tokens: list[str] = []
    ans = a.ask(QUESTION, on_token=tokens.append if stream else None)
    assert_fallback(ans, "did not answer in time")
    (elapsed,) = a.model.seconds
    assert elapsed < 2.0, f"took {elapsed:.1f}s with a 1s deadline"
    assert len(server.requests) == 1  # a timeout is not retried


def test_a_stalled_stream_ends_at_the_deadline(server: FakeOpenAIServer, warm: Path):
    server.handler = lambda body: Reply(text=text_reply(body), stall=10)
    a = assistant_for(server.base_url, timeout=1.0)
    ans = a.ask(QUESTION, on_token=lambda piece: None)
    assert a.model.seconds[0] < 2.0
    assert_fallback(ans, "did not answer in time")


def test_slow_failures_stay_within_the_total_budget(server: FakeOpenAIServer, warm: Path):
    """Each attempt answers 503 after 0.7 s: with timeout 1 s and 2 retries the budget is 3 s."""
    server.handler = lambda body: Reply(status=503, delay=0.7)
    a = assistant_for(server.base_url, timeout=1.0, max_retries=2)
    a.model.policy.sleep = time.sleep  # real waits: they count against the budget
    a.model.policy.base_delay = 0.6
    ans = a.ask(QUESTION)
    (elapsed,) = a.model.seconds
    assert_fallback(ans, "HTTP 503")
    assert elapsed <= 3.0 + 0.5, elapsed
    assert 2 <= len(server.requests) <= 3


def test_the_retry_budget_stops_retries_that_would_overrun():
    clock = [0.0]
    calls: list[float] = []

    def call():
        calls.append(clock[0])
        clock[0] += 0.9  # each failed attempt takes 0.9 s
        raise EndpointError("the model endpoint h failed (HTTP 503)", kind="server", status=503)

    def sleep(s: float) -> None:
        clock[0] += s

    policy = RetryPolicy(max_retries=5, base_delay=0.5, timeout=1.0, sleep=sleep, clock=lambda: clock[0])
    with pytest.raises(EndpointError) as info:
        with_retries(call, policy, "h")
    assert clock[0] <= policy.total_budget
    assert policy.total_budget == pytest.approx(6.0)
    assert "time budget" in str(info.value) and "IPT_TIMEOUT" in str(info.value)
    assert 2 <= len(calls) < 6


def test_each_attempt_gets_only_what_is_left_of_the_budget():
    from assistant.llm import time_left

    seen: list[float] = []

    def call():
        left = time_left()
        assert left is not None
        seen.append(left)
        raise EndpointError("x", kind="connection")

    policy = RetryPolicy(max_retries=1, timeout=0.5, budget=0.8, sleep=lambda s: time.sleep(0.2))
    with pytest.raises(EndpointError):
        with_retries(call, policy, "h")
    assert seen[0] == pytest.approx(0.5, abs=0.05)
    assert len(seen) == 1 or seen[1] <= 0.5


# -- complete streams ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reply", [
    pytest.param(dict(stream_cut=2), id="cut-no-finish-no-done"),
    pytest.param(dict(finish=None), id="done-but-no-finish"),
])
def test_a_stream_without_a_finish_reason_is_never_a_model_answer(server: FakeOpenAIServer, warm: Path, reply):
    server.handler = lambda body: Reply(text=text_reply(body) + " And more words to come.", **reply)
    a = assistant_for(server.base_url)
    tokens: list[str] = []
    ans = a.ask(QUESTION, on_token=tokens.append)
    assert_fallback(ans, "ended the stream before the answer was complete")
    assert len(tokens) > 1  # some text had streamed: no retry, no duplicate
    assert len(server.requests) == 1


def test_a_stream_with_a_finish_reason_but_no_done_is_accepted(server: FakeOpenAIServer, warm: Path):
    server.handler = lambda body: Reply(text=text_reply(body), stream_done=False)
    ans = assistant_for(server.base_url).ask(QUESTION, on_token=lambda p: None)
    assert ans.mode == "llm" and not ans.has_flag("endpoint_error")


# -- size caps ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_huge_reply_is_cut_off_and_flagged(server: FakeOpenAIServer, warm: Path, stream: bool):
    big = "word " * 1_000_000  # 5 MB
    server.handler = lambda body: Reply(text=big)
    a = assistant_for(server.base_url, timeout=5.0)
    shown: list[str] = []
    ans = a.ask(QUESTION, on_token=shown.append if stream else None)
    assert_fallback(ans, "cut off")
    assert sum(len(p) for p in shown) <= MAX_REPLY_CHARS + 5_000  # the preamble plus at most the cap
    assert len(ans.answer) < 50_000


def test_a_reply_just_under_the_cap_is_kept(server: FakeOpenAIServer, warm: Path):
    text = "Use [role_play]. " + "x" * (MAX_REPLY_CHARS - 100)
    server.handler = lambda body: Reply(text=text)
    ans = assistant_for(server.base_url).ask(QUESTION)
    assert ans.mode == "llm"


# -- the ordinary failures still give the labelled fallback --------------------------------------------------
@pytest.mark.parametrize("reply,part", [
    (Reply(status=429, text="slow down", headers={"Retry-After": "0"}), "HTTP 429"),
    (Reply(status=429, text="slow down"), "HTTP 429"),
    (Reply(status=500), "HTTP 500"),
    (Reply(status=401), "refused the API key"),
    (Reply(raw=b"{not json"), "malformed"),
    (Reply(raw=b"<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}), "malformed"),
    (Reply(raw=b'{"choices": [{"message": {"content": "\xff\xfe bad"}}]}'), "malformed"),
], ids=["429-retry-after", "429", "500", "401", "invalid-json", "html", "non-utf8"])
def test_ordinary_failures_fall_back_with_a_label(server: FakeOpenAIServer, warm: Path, reply: Reply, part: str):
    server.handler = lambda body: reply
    a = assistant_for(server.base_url, max_retries=1)
    ans = a.ask(QUESTION)
    assert a.model.seconds[0] < 3
    assert_fallback(ans, part)


def test_connection_refused_falls_back(warm: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ans = assistant_for(f"http://127.0.0.1:{port}/v1").ask(QUESTION)
    assert_fallback(ans, "cannot reach")


# -- the tool probe ------------------------------------------------------------------------------------------
def test_a_dead_endpoint_costs_one_timeout_in_chat_not_two(warm: Path, tmp_path: Path):
    from assistant.chat import ChatSession

    with FakeOpenAIServer(lambda body: Reply(text="late", delay=5)) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", timeout=0.8,
                            max_retries=0, data_dir=warm, tools="auto")
        t0 = time.perf_counter()
        turn = ChatSession(Assistant(settings)).ask(QUESTION)
        elapsed = time.perf_counter() - t0
        assert turn.answer is not None and turn.answer.mode == "offline"
        assert "did not answer in time" in endpoint_flag(turn.answer)
        assert len(server.requests) == 1  # the probe only: no second request, no second timeout
        assert elapsed < 2.6, f"{elapsed:.1f}s"  # one 0.8 s deadline plus planning, not two
        # a new chat within the failure TTL does not probe again: one request, for the answer
        ChatSession(Assistant(settings)).ask(QUESTION)
        assert len(server.requests) == 2
        assert not any(r.get("tools") for r in server.requests[1:])


def test_probe_results_expire_and_failures_expire_sooner(tmp_path: Path):
    from assistant.agent import PROBE_FAILURE_TTL, PROBE_TTL, ProbeFailed, detect_tool_support

    replies = [Reply(raw=b"garbage"), Reply(tool_calls=[{"name": "get_time", "arguments": {"city": "Paris"}}])]
    with FakeOpenAIServer(lambda body: replies.pop(0) if replies else Reply(text="no tools today")) as server:
        model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="fake-model",
                                               timeout=2.0))
        now = 1_000_000.0
        with pytest.raises(ProbeFailed):  # a bad reply is a failure, not "no tools" forever
            detect_tool_support(model, tmp_path, now=now)
        assert detect_tool_support(model, tmp_path, now=now + 10) is False  # failure cached briefly
        assert len(server.requests) == 1
        assert detect_tool_support(model, tmp_path, now=now + PROBE_FAILURE_TTL + 1) is True  # probed again
        assert len(server.requests) == 2
        assert detect_tool_support(model, tmp_path, now=now + PROBE_TTL) is True  # cached
        assert len(server.requests) == 2
        assert detect_tool_support(model, tmp_path, now=now + PROBE_FAILURE_TTL + 2 + PROBE_TTL) is False
        assert len(server.requests) == 3  # expired: probed again
    cache = json.loads((tmp_path / "tool_support.json").read_text())
    assert all(set(v) == {"mode", "tools", "checked"} for v in cache.values())


def test_the_probe_is_bounded_by_the_deadline(tmp_path: Path):
    from assistant.agent import ProbeFailed, detect_tool_support

    with FakeOpenAIServer(lambda body: Reply(text="x", drip=0.3)) as server:
        model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="t", model="fake-model",
                                               timeout=0.7))
        t0 = time.perf_counter()
        with pytest.raises(ProbeFailed):
            detect_tool_support(model, tmp_path)
        assert time.perf_counter() - t0 < 1.5


# -- the command line: labelled fallback, one line, ipt: on every stderr line ----------------------------------
def run_cli(*args: str, env: dict[str, str], stdin: bytes | None = None,
            isolated: bool = False) -> subprocess.CompletedProcess:
    return run_ipt(args, env=env, stdin=stdin, isolated=isolated, timeout=60)


def assert_clean_stderr(err: bytes) -> list[str]:
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    lines = [l for l in text.splitlines() if l.strip()]
    assert all(l.startswith("ipt:") for l in lines), lines
    assert "Marisol" not in text
    return lines


@pytest.mark.parametrize("reply,json_mode", [
    (Reply(status=500, text="upstream Marisol exploded"), False),
    (Reply(text="Use [role_play] now and", stream_cut=3), False),
    (Reply(text="x", drip=0.4), True),
], ids=["500", "cut-stream", "drip-json"])
def test_cli_fallback_is_labelled_and_stderr_is_prefixed(warm: Path, reply: Reply, json_mode: bool):
    with FakeOpenAIServer(lambda body: reply) as server:
        env = cli_env(warm, IPT_BASE_URL=server.base_url, IPT_API_KEY="k", IPT_MODEL="fake-model",
                      IPT_TIMEOUT="1", IPT_MAX_RETRIES="0")
        t0 = time.perf_counter()
        # one case in a real child process: its whole stderr, third-party writers included, is checked
        proc = run_cli("ask", "-", *(["--json"] if json_mode else []), env=env, stdin=QUESTION.encode(),
                       isolated=reply.status == 500)
        elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 20
    assert_clean_stderr(proc.stderr)
    out = proc.stdout.decode()
    if json_mode:
        data = json.loads(out)
        assert data["mode"] == "offline" and any(f["code"] == "endpoint_error" for f in data["flags"])
    else:
        assert OFFLINE_MARK in out and "[endpoint_error]" in out
        if reply.stream_cut:
            assert "discard it" in out  # the partial text already shown is disowned
        else:  # only the case header was shown: nothing of the model's to disown
            assert "discard it" not in out and "[endpoint_error] No answer came from the model." in out


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "abc", "99999"])
def test_timeout_flag_and_variable_are_validated_alike(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path,
                                                       value: str):
    from assistant.cli import main

    bullets = tmp_path / "b.txt"
    bullets.write_text("- mood 4/10\n", encoding="utf-8")
    commands = (["ask", "q"], ["note", str(bullets)], ["chat"])
    for cmd in commands:
        assert main([*cmd, "--timeout", value]) == 2
    flag_errors = [l for l in capsys.readouterr().err.splitlines() if l]
    monkeypatch.setenv("IPT_TIMEOUT", value)
    for cmd in commands:
        assert main(cmd) == 2
    env_errors = [l for l in capsys.readouterr().err.splitlines() if l]
    assert len(flag_errors) == len(env_errors) == 3
    for flag_line, env_line in zip(flag_errors, env_errors):
        assert flag_line.startswith("ipt: --timeout must be") and env_line.startswith("ipt: IPT_TIMEOUT must be")
        assert flag_line.replace("--timeout", "X") == env_line.replace("IPT_TIMEOUT", "X")


def test_chat_disowns_a_cut_stream_before_the_fallback(warm: Path):
    import io

    from assistant.chat import run_chat

    with FakeOpenAIServer(lambda body: Reply(text=text_reply(body) + " and more to come", stream_cut=2)) as server:
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model", timeout=2.0,
                            data_dir=warm, tools="off")
        out = io.StringIO()
        run_chat(settings, stdin=io.StringIO(QUESTION + "\n/quit\n"), stdout=out)
    text = out.getvalue()
    cut = text.index("discard it")
    assert "Explore both sides" in text[:cut]  # the partial text was streamed first
    assert OFFLINE_MARK in text[cut:] and "no finish reason" in text[cut:]
