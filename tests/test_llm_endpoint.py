"""The real client path (OpenAICompatibleModel over langchain_openai.ChatOpenAI) against a fake
OpenAI-compatible server on 127.0.0.1: answers, streaming, retries, timeouts, malformed bodies,
fallback to the grounded offline answer, citation and frame checks, and privacy of errors."""

from __future__ import annotations

import email.utils
import logging
import os
import re
import socket
import time

import pytest

from assistant import Assistant
from assistant.config import Settings
from assistant.llm import OpenAICompatibleModel
from assistant.testing.fake_server import FakeOpenAIServer, Reply

ROLE_DISPUTE_Q = ("Session 5 of 16: Marisol keeps fighting with her husband about chores; "
                  "they argue every evening. What should I do next?")
OFFLINE_MARK = "Grounded offline answer"
_CONTEXT_TECHNIQUE = re.compile(r"^\[([a-z][a-z_]+)\] ", re.MULTILINE)
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def llm_data_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One data dir for the whole session, its search index built once.

    Reuses the suite's session ``ipt_data_dir`` (tests/conftest.py) when there is one, so the
    index is not built twice; otherwise makes its own under pytest's tmp dir.
    """
    try:
        path = request.getfixturevalue("ipt_data_dir")
    except pytest.FixtureLookupError:
        path = tmp_path_factory.mktemp("ipt-data")
    Assistant(Settings(offline=True, data_dir=path)).retriever.index  # builds it if missing or stale
    return path


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, llm_data_dir):
    """No OPENAI_*/IPT_* from the outside world, no proxies: tests only talk to 127.0.0.1."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "IPT_")):
            monkeypatch.delenv(name, raising=False)
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("IPT_DATA_DIR", str(llm_data_dir))
    return llm_data_dir


@pytest.fixture
def server():
    with FakeOpenAIServer() as srv:
        yield srv
    assert not srv.handler_errors, f"the test's handler failed: {srv.handler_errors!r}"


class Sleeps(list):
    """Records the back-off waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_assistant(base_url: str, *, timeout: float = 7.0, max_retries: int = 2,
                   retry_cap: float = 20.0) -> tuple[Assistant, Sleeps]:
    settings = Settings(base_url=base_url, api_key="test", model="fake-model", timeout=timeout,
                        max_retries=max_retries, retry_cap=retry_cap)
    assistant = Assistant(settings)
    assert isinstance(assistant.model, OpenAICompatibleModel)
    sleeps = Sleeps()
    assistant.model.policy.sleep = sleeps
    return assistant, sleeps


def context_techniques(body: dict) -> list[str]:
    """Technique ids the prompt's CONTEXT section offered the model, in order."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return _CONTEXT_TECHNIQUE.findall(user)


def user_content(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def flag(answer, code: str):
    found = [f for f in answer.flags if f.code == code]
    assert found, f"no {code!r} flag in {[f.code for f in answer.flags]}"
    return found[0]


def assert_offline_fallback(answer, *, message_part: str):
    assert answer.mode == "offline"
    assert OFFLINE_MARK in answer.answer
    err = flag(answer, "endpoint_error")
    assert message_part in err.message, err.message
    assert "showing the grounded offline answer" in err.message
    assert answer.model == "fake-model"
    assert answer.techniques == answer.retrieved  # offline order is the retrieval order
    return err


# -- the happy path -------------------------------------------------------------------------------
def test_plain_answer_in_llm_mode(server: FakeOpenAIServer):
    picked: list[str] = []

    def handler(body: dict) -> Reply:
        offered = context_techniques(body)
        # Cite the two best retrieved techniques in the reverse of the retrieval order.
        picked[:] = [offered[1], offered[0]]
        return Reply(text=f"Work on the expectations first with [{picked[0]}], then look at how they talk "
                          f"with [{picked[1]}]. Agree a small between-session task.",
                     prompt_tokens=123, completion_tokens=45)

    server.handler = handler
    assistant, sleeps = make_assistant(server.base_url, timeout=7.0)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.mode == "llm"
    assert ans.model == "fake-model"
    assert "Agree a small between-session task." in ans.answer
    assert f"[{picked[0]}]" in ans.answer
    assert OFFLINE_MARK not in ans.answer
    assert ans.usage.prompt_tokens == 123
    assert ans.usage.completion_tokens == 45
    assert ans.usage.total_tokens == 168
    assert ans.usage.model_calls == 1
    # cited ids first, in citation order, then the rest of the retrieval
    assert picked == [ans.retrieved[1], ans.retrieved[0]]
    assert ans.techniques[:2] == picked
    assert sorted(ans.techniques) == sorted(ans.retrieved)
    assert [c.id for c in ans.citations if c.kind == "technique"] == ans.techniques
    codes = {f.code for f in ans.flags}
    assert not codes & {"citation_missing", "phantom_citation", "frame_violation", "endpoint_error"}

    # exactly one request: no SDK retries, no retries of ours
    assert len(server.requests) == 1
    assert sleeps == []
    body = server.requests[0]
    headers = server.request_headers[0]
    assert body["model"] == "fake-model"
    assert body.get("stream") is True  # streamed even with nothing to show: the guard watches every reply
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    prompt = user_content(body)
    assert ROLE_DISPUTE_Q in prompt
    assert "CONTEXT" in prompt
    for tid in ans.retrieved[:2]:
        assert f"[{tid}]" in prompt  # the two best techniques are always packed
    assert 900 in (body.get("max_tokens"), body.get("max_completion_tokens"))
    assert headers.get("authorization") == "Bearer test"
    # our timeout reaches the SDK, and the SDK does not retry on its own
    assert float(headers["x-stainless-read-timeout"]) == pytest.approx(7.0)
    assert headers["x-stainless-retry-count"] == "0"
    assert assistant.model.client.max_retries == 0


def test_streamed_answer_arrives_in_pieces(server: FakeOpenAIServer):
    text = ("Stay with the dispute: ask what each of them expects about the chores and where "
            "those expectations differ, using [{tid}]. Then role-play the next conversation.")
    server.handler = lambda body: Reply(text=text.format(tid=context_techniques(body)[0]),
                                        prompt_tokens=50, completion_tokens=30)
    assistant, _ = make_assistant(server.base_url)
    tokens: list[str] = []
    ans = assistant.ask(ROLE_DISPUTE_Q, on_token=tokens.append)

    expected = text.format(tid=ans.retrieved[0])
    assert ans.mode == "llm"
    streamed = [t for t in tokens[1:] if t]  # tokens[0] is the orientation preamble
    assert len(streamed) >= 3, tokens
    assert "".join(streamed) == expected
    assert expected in "".join(tokens)
    assert expected in ans.answer
    assert ans.usage.completion_tokens == 30
    assert ans.usage.prompt_tokens == 50
    assert len(server.requests) == 1
    body = server.requests[0]
    assert body["stream"] is True
    assert body.get("stream_options", {}).get("include_usage") is True


# -- retries ----------------------------------------------------------------------------------------
def test_429_with_retry_after_zero_is_retried_then_succeeds(server: FakeOpenAIServer):
    server.enqueue(Reply(status=429, text="Rate limit reached", headers={"Retry-After": "0"}))
    server.handler = lambda body: Reply(text=f"Use [{context_techniques(body)[0]}] now.")
    assistant, sleeps = make_assistant(server.base_url, max_retries=2)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.mode == "llm"
    assert not ans.has_flag("endpoint_error")
    assert f"Use [{ans.retrieved[0]}] now." in ans.answer
    assert len(server.requests) == 2
    assert ans.usage.model_calls == 2
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 20.0
    assert server.requests[0]["messages"] == server.requests[1]["messages"]


def test_429_retry_after_is_honoured_as_minimum_wait(server: FakeOpenAIServer):
    server.enqueue(Reply(status=429, headers={"Retry-After": "3"}), Reply(text="Explore the dispute."))
    assistant, sleeps = make_assistant(server.base_url, max_retries=2, retry_cap=10)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert ans.mode == "llm"
    assert len(server.requests) == 2
    assert sleeps and 3.0 <= sleeps[0] <= 10.0


def test_429_retry_after_http_date_is_honoured(server: FakeOpenAIServer):
    when = email.utils.formatdate(time.time() + 8, usegmt=True)
    server.enqueue(Reply(status=429, headers={"Retry-After": when}), Reply(text="Explore the dispute."))
    assistant, sleeps = make_assistant(server.base_url, max_retries=1, retry_cap=20)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert ans.mode == "llm"
    assert len(server.requests) == 2
    assert sleeps and 4.0 <= sleeps[0] <= 8.0


def test_429_unparsable_retry_after_is_ignored_not_fatal(server: FakeOpenAIServer):
    """A Retry-After that is neither seconds nor an HTTP date must not crash ask()."""
    server.enqueue(Reply(status=429, headers={"Retry-After": "soon"}), Reply(text="Explore the dispute."))
    assistant, sleeps = make_assistant(server.base_url, max_retries=1)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert ans.mode == "llm"
    assert len(server.requests) == 2
    assert len(sleeps) == 1


def test_429_retry_after_over_cap_gives_up_at_once(server: FakeOpenAIServer):
    server.enqueue(Reply(status=429, text="Rate limit reached", headers={"Retry-After": "999"}))
    server.handler = lambda body: Reply(text="should never be asked")
    assistant, sleeps = make_assistant(server.base_url, max_retries=3, retry_cap=5)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    err = assert_offline_fallback(ans, message_part="HTTP 429")
    assert "999" in err.message and "cap" in err.message
    assert len(server.requests) == 1
    assert sleeps == []


def test_a_500_is_not_retried(server: FakeOpenAIServer):
    """The same request fails the same way (a template that cannot render it): no retry, no wait."""
    server.handler = lambda body: Reply(status=500, text="upstream exploded")
    assistant, sleeps = make_assistant(server.base_url, max_retries=2)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert_offline_fallback(ans, message_part="HTTP 500")
    assert len(server.requests) == 1 and sleeps == []
    assert ans.usage.model_calls == 1


def test_repeated_503_falls_back_to_offline(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(status=503, text="overloaded")
    assistant, sleeps = make_assistant(server.base_url, max_retries=2)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    err = assert_offline_fallback(ans, message_part="HTTP 503")
    assert "after 3 attempts" in err.message
    assert len(server.requests) == 2 + 1
    assert len(sleeps) == 2
    assert sleeps[1] > sleeps[0]  # exponential back-off
    assert ans.answer.startswith("> The model endpoint failed")


@pytest.mark.parametrize("max_retries", [0, 1])
def test_500_attempts_follow_max_retries(server: FakeOpenAIServer, max_retries: int):
    server.handler = lambda body: Reply(status=503)
    assistant, _ = make_assistant(server.base_url, max_retries=max_retries)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert_offline_fallback(ans, message_part="HTTP 503")
    assert len(server.requests) == max_retries + 1


def test_400_is_not_retried(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(status=400, text="max_tokens is too large")
    assistant, sleeps = make_assistant(server.base_url, max_retries=3)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    err = assert_offline_fallback(ans, message_part="HTTP 400")
    assert "rejected the request" in err.message
    assert len(server.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("status,part", [(401, "refused the API key"), (404, "does not know this model")])
def test_auth_and_not_found_are_not_retried(server: FakeOpenAIServer, status: int, part: str):
    server.handler = lambda body: Reply(status=status)
    assistant, _ = make_assistant(server.base_url, max_retries=3)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert_offline_fallback(ans, message_part=part)
    assert len(server.requests) == 1


# -- transport failures -----------------------------------------------------------------------------
def test_timeout_falls_back_quickly(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(text="too late", delay=2)
    assistant, _ = make_assistant(server.base_url, timeout=0.5, max_retries=2)
    model = assistant.model
    real_complete = model.complete
    model_seconds: list[float] = []

    def timed_complete(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_complete(*args, **kwargs)
        finally:
            model_seconds.append(time.perf_counter() - t0)

    model.complete = timed_complete
    t0 = time.perf_counter()
    ans = assistant.ask(ROLE_DISPUTE_Q)
    elapsed = time.perf_counter() - t0

    assert_offline_fallback(ans, message_part="did not answer in time")
    assert model_seconds and model_seconds[0] < 1.5, \
        f"model call took {model_seconds}s: the client did not honour the 0.5s timeout"
    assert elapsed < 5
    assert len(server.requests) == 1  # a timeout is not retried (only 429, 5xx, connection)


def test_malformed_body_falls_back(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(raw=b"not json", status=200)
    assistant, sleeps = make_assistant(server.base_url, max_retries=2)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert_offline_fallback(ans, message_part="malformed response")
    assert len(server.requests) == 1  # a bad body is not retried
    assert sleeps == []


def test_json_without_choices_falls_back(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(raw=b'{"object": "chat.completion", "model": "fake-model"}')
    assistant, _ = make_assistant(server.base_url)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert_offline_fallback(ans, message_part="malformed response")


@pytest.mark.parametrize("stream", [False, True])
def test_empty_content_falls_back(server: FakeOpenAIServer, stream: bool):
    server.handler = lambda body: Reply(text="")
    assistant, _ = make_assistant(server.base_url)
    tokens: list[str] = []
    ans = assistant.ask(ROLE_DISPUTE_Q, on_token=tokens.append if stream else None)
    assert_offline_fallback(ans, message_part="empty answer")
    assert len(server.requests) == 1
    assert server.requests[0].get("stream") is True  # shown or not, the reply is streamed past the guard


def test_connection_refused_falls_back():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assistant, sleeps = make_assistant(f"http://127.0.0.1:{port}/v1", timeout=2, max_retries=1)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    err = assert_offline_fallback(ans, message_part="cannot reach the model endpoint")
    assert f"127.0.0.1:{port}" in err.message
    assert len(sleeps) == 1  # connection failures are retried


def test_stopped_server_refuses(server: FakeOpenAIServer):
    url = server.base_url
    server.stop()
    assistant, _ = make_assistant(url, timeout=2, max_retries=0)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert_offline_fallback(ans, message_part="cannot reach")


# -- what the model wrote is checked --------------------------------------------------------------
def test_uncited_answer_is_flagged(server: FakeOpenAIServer):
    server.enqueue(Reply(text="Explore what each of them expects about the chores and agree on one task."))
    assistant, _ = make_assistant(server.base_url)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.mode == "llm"
    assert flag(ans, "citation_missing")
    assert not ans.has_flag("phantom_citation")
    assert ans.techniques == ans.retrieved


def test_phantom_citation_is_flagged(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(
        text=f"Start with [{context_techniques(body)[0]}]. Then help her mourn the marriage with [grief_work].")
    assistant, _ = make_assistant(server.base_url)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.focal_area == "role_dispute"
    assert "grief_work" not in ans.retrieved
    assert ans.mode == "llm"
    phantom = flag(ans, "phantom_citation")
    assert phantom.span == "grief_work"
    assert "grief_work" not in ans.techniques
    assert ans.techniques[0] == ans.retrieved[0]
    assert not ans.has_flag("citation_missing")


def test_unknown_id_shaped_citation_is_phantom(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(text=f"Use [{context_techniques(body)[0]}] and [chore_contracting].")
    assistant, _ = make_assistant(server.base_url)
    ans = assistant.ask(ROLE_DISPUTE_Q)
    assert [f.span for f in ans.flags if f.code == "phantom_citation"] == ["chore_contracting"]


def test_frame_drift_is_flagged_and_shown(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(
        text=f"Use [{context_techniques(body)[0]}]. Give her a thought record to challenge her automatic thoughts.")
    assistant, _ = make_assistant(server.base_url)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.mode == "llm"
    violations = [f for f in ans.flags if f.code == "frame_violation"]
    assert violations
    assert any("thought record" in (f.span or "").lower() for f in violations)
    assert "Frame check" in ans.answer
    assert ans.answer.index("Frame check") < ans.answer.index("Give her a thought record")


def test_negated_out_of_frame_method_is_not_flagged(server: FakeOpenAIServer):
    server.handler = lambda body: Reply(
        text=(f"IPT does not use thought records; instead, look at the expectations in the dispute "
              f"with [{context_techniques(body)[0]}]."))
    assistant, _ = make_assistant(server.base_url)
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.mode == "llm"
    assert not ans.has_flag("frame_violation")
    assert "Frame check" not in ans.answer


# -- privacy ----------------------------------------------------------------------------------------
def _echo_error(status: int, **kw):
    """An endpoint whose error message repeats the prompt back (some servers do)."""
    return lambda body: Reply(status=status, text="bad request: " + user_content(body)[-400:], **kw)


@pytest.mark.parametrize("handler,settings", [
    pytest.param(_echo_error(400), {}, id="400-echo"),
    pytest.param(_echo_error(500), {"max_retries": 1}, id="500-echo"),
    pytest.param(_echo_error(429, headers={"Retry-After": "999"}), {"retry_cap": 1}, id="429-over-cap"),
    pytest.param(lambda body: Reply(raw=("<html>" + user_content(body) + "</html>").encode()), {}, id="malformed"),
    pytest.param(lambda body: Reply(text=user_content(body), delay=1.5), {"timeout": 0.3}, id="timeout"),
    pytest.param(lambda body: Reply(text=""), {}, id="empty"),
])
def test_errors_never_carry_patient_text(server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture,
                                         handler, settings):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="assistant")
    server.handler = handler
    assistant, _ = make_assistant(server.base_url, **{"max_retries": 0, **settings})
    ans = assistant.ask(ROLE_DISPUTE_Q)

    assert ans.mode == "offline"
    assert flag(ans, "endpoint_error")
    for f in ans.flags:
        assert "Marisol" not in f.message, (f.code, f.message)
    note = ans.answer.splitlines()[0]
    assert note.startswith("> The model endpoint failed") and "Marisol" not in note
    # The failure notice (the quoted block) never carries the question; the offline answer below it may
    # address the people the clinician named, as any offline answer does.
    notice = "\n".join(line for line in ans.answer.splitlines() if line.startswith(">"))
    assert "Marisol" not in notice
    assert caplog.records, "expected the failure to be logged"
    for record in caplog.records:
        assert "Marisol" not in record.getMessage(), (record.name, record.getMessage())
    assert "Marisol" in user_content(server.requests[0])  # the question did reach the model


# -- the fake server itself -------------------------------------------------------------------------
def test_fake_server_tool_calls_and_models(server: FakeOpenAIServer):
    import openai
    from langchain_core.tools import tool

    @tool
    def lookup_technique(technique_id: str) -> str:
        """Look up a technique."""
        return technique_id

    model = OpenAICompatibleModel(Settings(base_url=server.base_url, api_key="test", model="fake-model", timeout=5))
    client = model.chat_client().bind_tools([lookup_technique])
    server.enqueue(
        Reply(tool_calls=[{"name": "lookup_technique", "arguments": {"technique_id": "role_play"}}]),
        Reply(tool_calls=[{"id": "call_s", "type": "function",
                           "function": {"name": "lookup_technique", "arguments": '{"technique_id": "grief_work"}'}}]),
    )
    msg = client.invoke("which technique?")
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [("lookup_technique", {"technique_id": "role_play"})]
    acc = None
    for chunk in client.stream("which technique?"):
        acc = chunk if acc is None else acc + chunk
    assert acc is not None
    assert [(c["id"], c["args"]) for c in acc.tool_calls] == [("call_s", {"technique_id": "grief_work"})]
    assert acc.usage_metadata["output_tokens"] == 7
    assert server.requests[0]["tools"][0]["function"]["name"] == "lookup_technique"

    models = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0).models.list()
    assert [m.id for m in models.data] == ["fake-model"]


def test_fake_server_stops_fast_with_a_delayed_request_in_flight():
    import threading
    import urllib.error
    import urllib.request

    srv = FakeOpenAIServer(handler=lambda body: Reply(text="late", delay=30)).start()
    url = srv.base_url + "/chat/completions"
    outcome: list[object] = []

    def call() -> None:
        req = urllib.request.Request(url, data=b'{"model": "m", "messages": []}',
                                     headers={"Content-Type": "application/json"})
        try:
            outcome.append(urllib.request.urlopen(req, timeout=10).read())
        except Exception as exc:  # noqa: BLE001
            outcome.append(exc)

    t = threading.Thread(target=call, daemon=True)
    t.start()
    deadline = time.time() + 5
    while not srv.requests and time.time() < deadline:
        time.sleep(0.01)
    assert srv.requests
    t0 = time.perf_counter()
    srv.stop()
    assert time.perf_counter() - t0 < 1.0
    t.join(timeout=5)
    assert outcome and isinstance(outcome[0], Exception)
