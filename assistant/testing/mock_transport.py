"""An in-process OpenAI-compatible endpoint on ``httpx.MockTransport``, for tests where a real socket
is not the point (no port, no thread, no server to stop).

It answers like :class:`~assistant.testing.fake_server.FakeOpenAIServer` and takes the same
:class:`~assistant.testing.fake_server.Reply` scripts (text, tool calls, status and headers, raw
bytes, usage, streamed or not, ``finish``, ``stream_cut``, ``stream_done``), and records the same
``requests``, ``request_headers``, ``paths`` and ``handler_errors``. What needs real time or a real
connection (``delay``, ``drip``, ``chunk_delay``, ``stall``) stays with the 127.0.0.1 server and
the fault tests that use it.

While the context is open, every model the assistant builds gets an HTTP client on this transport
(``assistant.llm.build_http_client`` is swapped), so the real SDK, LangChain and our retry, stream
and check code all run; only the socket is gone::

    with MockOpenAI(handler) as endpoint:
        settings = Settings(base_url=endpoint.base_url, api_key="test", model="fake-model")
        ...
        assert len(endpoint.requests) == 1
"""

from __future__ import annotations

import json
from typing import Any

from .fake_server import (_ERROR_KINDS, DEFAULT_MODEL, Handler, Reply, ReplyScript, _normalise_tool_calls,
                          completion_body, stream_events)

__all__ = ["MockOpenAI"]


class MockOpenAI(ReplyScript):
    """A scripted OpenAI-compatible endpoint, in process. Use as a context manager."""

    #: Never contacted: with the transport swapped in no connection is made (port 9 refuses if it were).
    base_url = "http://127.0.0.1:9/v1"

    def __init__(self, handler: Handler | None = None, *, models: tuple[str, ...] = (DEFAULT_MODEL,),
                 server_header: str = "FakeOpenAI/1.0", owned_by: str = "fake") -> None:
        self._init_script(handler, models, server_header, owned_by)
        self._saved: Any = None

    # -- lifecycle: swap the HTTP client factory -------------------------------------------------
    def __enter__(self) -> "MockOpenAI":
        from .. import llm

        self._saved = llm.build_http_client
        llm.build_http_client = self.http_client  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        from .. import llm

        if self._saved is not None:
            llm.build_http_client = self._saved  # type: ignore[assignment]
            self._saved = None

    def http_client(self, timeout: float | None = None) -> Any:
        """An HTTP client of the SDK's httpx flavour whose transport is this endpoint."""
        from ..llm import http_modules

        hx, _ = http_modules()
        return hx.Client(transport=hx.MockTransport(self._handle), timeout=timeout, trust_env=False)

    # -- the transport ----------------------------------------------------------------------------------
    def _handle(self, request: Any) -> Any:
        from ..llm import http_modules

        hx, _ = http_modules()
        path = request.url.path.rstrip("/")
        method = request.method
        if method == "GET":
            with self._lock:
                self.paths.append((method, path))
            if path in ("/v1/models", "/models"):
                data = [{"id": m, "object": "model", "created": 0, "owned_by": self.owned_by} for m in self.models]
                return self._json(hx, 200, {"object": "list", "data": data})
            return self._error(hx, 404, f"unknown path {path}", {})
        raw = request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if path not in ("/v1/chat/completions", "/chat/completions"):
            with self._lock:
                self.paths.append((method, path))
            return self._error(hx, 404, f"unknown path {path}", {})
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError:
            self._record(method, path, {"_invalid_json": raw.decode("utf-8", "replace")}, headers)
            return self._error(hx, 400, "request body is not valid JSON", {})
        self._record(method, path, body, headers)
        try:
            reply = self._next_reply(body)
        except Exception as exc:  # noqa: BLE001 - a broken handler is a 500, as in the server
            with self._lock:
                self.handler_errors.append(exc)
            reply = Reply(status=500, text=f"MockOpenAI handler failed: {type(exc).__name__}: {exc}")
        return self._answer(hx, body, reply)

    def _record(self, method: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.paths.append((method, path))
            self.requests.append(body)
            self.request_headers.append(headers)

    def _answer(self, hx: Any, body: dict[str, Any], reply: Reply) -> Any:
        if reply.raw is not None:
            head = {"content-type": reply.headers.get("Content-Type", "application/json"), **reply.headers}
            return hx.Response(reply.status, headers=self._headers(head), content=reply.raw)
        if reply.status >= 300:
            return self._error(hx, reply.status, reply.text, reply.headers)
        model = str(body.get("model") or DEFAULT_MODEL)
        calls = _normalise_tool_calls(reply.tool_calls) if reply.tool_calls else None
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            head = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", **reply.headers}
            return hx.Response(reply.status, headers=self._headers(head),
                               content=self._stream(model, reply, calls, include_usage))
        return self._json(hx, reply.status, self._completion(model, reply, calls), reply.headers)

    def _completion(self, model: str, reply: Reply, calls: list[dict[str, Any]] | None) -> dict[str, Any]:
        return completion_body(model, reply, calls)

    def _stream(self, model: str, reply: Reply, calls: list[dict[str, Any]] | None, include_usage: bool) -> bytes:
        events = [e for e in stream_events(model, reply, calls, include_usage) if not isinstance(e, float)]
        cut = reply.stream_cut is not None
        data = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
        if reply.stream_done and not cut:
            data += b"data: [DONE]\n\n"
        return data

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {"server": self.server_header, **headers}

    def _json(self, hx: Any, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        head = {"content-type": "application/json", **(headers or {})}
        return hx.Response(status, headers=self._headers(head), content=json.dumps(payload).encode())

    def _error(self, hx: Any, status: int, message: str, headers: dict[str, str]) -> Any:
        kind, code = _ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
        return self._json(hx, status, {"error": {"message": message or "error", "type": kind, "param": None,
                                                 "code": code}}, headers)
