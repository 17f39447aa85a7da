"""The in-process endpoint (``httpx.MockTransport``) used where a real socket is not the point:
the real SDK, LangChain, retries, streaming and checks run, and no connection is ever opened."""

from __future__ import annotations

import socket

import pytest

from assistant import Assistant
from assistant.config import Settings
from assistant.testing.fake_server import Reply
from assistant.testing.mock_transport import MockOpenAI

QUESTION = "Session 5 of 16: she keeps fighting with her husband about chores. What next?"


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to connect anywhere fails the test."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"a socket was opened to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def _cite(body: dict) -> Reply:
    import re

    user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
    ids = re.findall(r"^\[([a-z][a-z_]+)\] ", user, re.M)
    return Reply(text=f"Go through last night's argument step by step with [{ids[0]}].")


def _settings(endpoint: MockOpenAI, **kw: object) -> Settings:
    return Settings(base_url=endpoint.base_url, api_key="test", model="fake-model", **kw)  # type: ignore[arg-type]


def test_streamed_answer_without_a_socket(no_sockets: list[object], assistant_offline) -> None:
    pieces: list[str] = []
    with MockOpenAI(_cite) as endpoint:
        a = Assistant(_settings(endpoint))
        ans = a.ask(QUESTION, on_token=pieces.append)
    assert no_sockets == [] and not endpoint.handler_errors
    assert ans.mode == "llm" and not ans.has_flag("endpoint_error")
    streamed = "".join(pieces)  # the model's text arrived in several pieces, through the real SDK
    assert len(pieces) > 2 and "Go through last night's argument step by step with [" in streamed
    assert len(endpoint.requests) == 1 and endpoint.requests[0]["stream"] is True
    assert endpoint.request_headers[0]["authorization"] == "Bearer test"


def test_retry_then_success_and_errors_fall_back(no_sockets: list[object], assistant_offline) -> None:
    with MockOpenAI(_cite) as endpoint:
        endpoint.enqueue(Reply(status=503, text="overloaded", headers={"Retry-After": "0"}))
        ans = Assistant(_settings(endpoint, max_retries=1)).ask(QUESTION)
        assert ans.mode == "llm" and len(endpoint.requests) == 2  # one retry, then the answer
        endpoint.enqueue(Reply(status=401, text="bad key"))
        fallback = Assistant(_settings(endpoint, max_retries=1)).ask(QUESTION)
    assert no_sockets == []
    assert fallback.mode == "offline" and fallback.has_flag("endpoint_error")
    assert len(endpoint.requests) == 3  # a 401 is not retried


def test_a_cut_stream_is_an_endpoint_error(no_sockets: list[object], assistant_offline) -> None:
    with MockOpenAI(lambda body: Reply(text="Go through the argument with [role_play] now please", stream_cut=2)) as ep:
        ans = Assistant(_settings(ep, max_retries=0)).ask(QUESTION, on_token=lambda piece: None)
    assert ans.mode == "offline" and ans.has_flag("endpoint_error")


def test_the_transport_is_restored_after_the_block() -> None:
    from assistant import llm

    original = llm.build_http_client
    with MockOpenAI() as endpoint:
        assert llm.build_http_client == endpoint.http_client
    assert llm.build_http_client is original
