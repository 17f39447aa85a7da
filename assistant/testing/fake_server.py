"""A tiny OpenAI-compatible HTTP server on 127.0.0.1, for tests (stdlib only).

It speaks just enough of the Chat Completions API for a real client
(``openai`` / ``langchain_openai.ChatOpenAI``) to talk to it:

* ``POST /v1/chat/completions``: non-streamed (a ``chat.completion`` with usage) and
  streamed (``"stream": true``: server-sent ``chat.completion.chunk`` events, the text
  split into several chunks, a usage chunk when ``stream_options.include_usage`` is
  set, then ``data: [DONE]``); tool calls in both modes.
* ``GET /v1/models``: a model list.

Each reply is scripted with :class:`Reply`: queued with :meth:`FakeOpenAIServer.enqueue`
(used first, in order), else decided by the ``handler`` from the parsed request body::

    with FakeOpenAIServer() as server:
        server.enqueue(Reply(status=429, headers={"Retry-After": "0"}), Reply(text="Hello"))
        settings = Settings(base_url=server.base_url, api_key="test", model="fake-model")
        ...
        assert len(server.requests) == 2

A ``Reply`` with a non-2xx ``status`` answers with an OpenAI-style error body;
``delay`` sleeps first (to trigger client timeouts); ``raw`` sends exact bytes.

Faults, for the fault-injection tests:

* ``drip``: send the response body one byte every ``drip`` seconds (``drip_headers``: the
  status line and headers too), the slow endpoint that defeats per-read timeouts;
* ``chunk_delay``: in a stream, wait this long before each event;
* ``stream_cut``: in a stream, close the connection after this many content chunks, with no
  finish reason and no ``[DONE]`` (``stream_done=False`` alone drops just the ``[DONE]``;
  ``finish=None`` drops just the finish reason);
* ``stall``: in a stream, wait this long after the content, before the finish reason;
* ``pieces``: in a stream, the text is sent in this many content chunks (a model's tokens: use many).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

__all__ = ["FakeOpenAIServer", "Reply", "echo_handler", "text_handler"]

DEFAULT_MODEL = "fake-model"

_ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    408: ("timeout_error", None),
    409: ("conflict_error", None),
    413: ("invalid_request_error", "request_too_large"),
    422: ("invalid_request_error", None),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


@dataclass
class Reply:
    """One scripted response."""

    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None
    tool_calls: list[dict[str, Any]] | None = None
    prompt_tokens: int = 11
    completion_tokens: int = 7
    drip: float = 0.0
    drip_headers: bool = False
    chunk_delay: float = 0.0
    stream_cut: int | None = None
    stream_done: bool = True
    finish: str | None = "stop"
    stall: float = 0.0
    pieces: int = 4  # a streamed text is sent in this many content chunks (at spaces when possible)


Handler = Callable[[dict[str, Any]], "Reply | str"]


def echo_handler(body: dict[str, Any]) -> Reply:
    """Answer with the content of the last user message (handy to see what was sent)."""
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return Reply(text=str(content or ""))
    return Reply(text="")


def text_handler(text: str) -> Handler:
    """A handler that always answers ``text``."""
    return lambda body: Reply(text=text)


def _split(text: str, pieces: int = 4) -> list[str]:
    """Split ``text`` into up to ``pieces`` non-empty chunks (at spaces when possible)."""
    if not text:
        return []
    words = text.split(" ")
    if len(words) >= pieces:
        size = -(-len(words) // pieces)
        groups = [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
        return [g + (" " if i < len(groups) - 1 else "") for i, g in enumerate(groups)]
    size = max(1, -(-len(text) // pieces))
    return [text[i:i + size] for i in range(0, len(text), size)]


def _normalise_tool_calls(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accept OpenAI-format tool calls, or the short form ``{"name": ..., "arguments": dict|str}``."""
    out: list[dict[str, Any]] = []
    for i, call in enumerate(calls):
        fn = call.get("function") or {"name": call.get("name"), "arguments": call.get("arguments", {})}
        args = fn.get("arguments", "")
        if not isinstance(args, str):
            args = json.dumps(args)
        out.append({"id": call.get("id") or f"call_{i}_{uuid.uuid4().hex[:8]}",
                    "type": call.get("type", "function"),
                    "function": {"name": fn.get("name"), "arguments": args}})
    return out


def usage_of(reply: Reply) -> dict[str, int]:
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}


def completion_body(model: str, reply: Reply, calls: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A non-streamed chat completion, as an OpenAI-compatible server returns it."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text if (reply.text or not calls) else None}
    if calls:
        message["tool_calls"] = calls
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message, "logprobs": None,
                                         "finish_reason": "tool_calls" if calls else reply.finish}],
            "usage": usage_of(reply)}


def stream_events(model: str, reply: Reply, calls: list[dict[str, Any]] | None,
                  include_usage: bool) -> list[dict[str, Any] | float]:
    """The chunks of a streamed completion, in order; a float is a pause of that many seconds
    (``reply.stall``) before the final chunk. A ``stream_cut`` reply stops after that many text pieces."""
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

    def chunk(delta: dict[str, Any] | None, finish: str | None = None, usage: dict | None = None) -> dict:
        out: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                               "choices": [] if delta is None else
                               [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        if include_usage:
            out["usage"] = usage
        return out

    pieces = _split(reply.text, reply.pieces)
    cut = reply.stream_cut is not None
    if cut:
        pieces = pieces[: reply.stream_cut]
    events: list[dict[str, Any] | float] = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": piece}) for piece in pieces]
    for i, call in enumerate([] if cut else (calls or [])):
        events.append(chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                             "function": {"name": call["function"]["name"], "arguments": ""}}]}))
        for piece in _split(call["function"]["arguments"], 2):
            events.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    if not cut:
        if reply.stall:
            events.append(float(reply.stall))
        events.append(chunk({}, "tool_calls" if calls else reply.finish))
        if include_usage:
            events.append(chunk(None, usage=usage_of(reply)))
    return events


class ReplyScript:
    """Queued replies, then the handler: the scripting both fakes share (``_lock``, ``_queue`` and
    ``handler`` are set by the class that mixes it in)."""

    def _init_script(self, handler: Handler | None, models: tuple[str, ...], server_header: str,
                     owned_by: str) -> None:
        self.handler = handler
        self.models = models
        #: What the server says it is (the ``Server`` header and ``owned_by`` in ``/v1/models``): change
        #: them to stand for another server or chat format behind the same URL.
        self.server_header = server_header
        self.owned_by = owned_by
        self.requests: list[dict[str, Any]] = []
        #: Headers of each chat completion request (lower-cased names), parallel to ``requests``.
        self.request_headers: list[dict[str, str]] = []
        #: Every ``(method, path)`` received, chat completions and others.
        self.paths: list[tuple[str, str]] = []
        #: Exceptions raised by ``handler`` (each answered as HTTP 500); check it in tests.
        self.handler_errors: list[BaseException] = []
        #: How many replies the client stopped reading before their end (it closed the connection).
        self.dropped = 0
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()

    def enqueue(self, *replies: Reply | str) -> Any:
        with self._lock:
            self._queue.extend(r if isinstance(r, Reply) else Reply(text=r) for r in replies)
        return self

    @property
    def pending(self) -> int:
        """Queued replies not used yet."""
        with self._lock:
            return len(self._queue)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.handler is not None:
            reply = self.handler(body)
            return reply if isinstance(reply, Reply) else Reply(text=str(reply))
        return Reply(status=500, text=f"{type(self).__name__}: no reply queued and no handler")


class FakeOpenAIServer(ReplyScript):
    """An OpenAI-compatible server on an ephemeral 127.0.0.1 port. Use as a context manager."""

    def __init__(self, handler: Handler | None = None, *, models: tuple[str, ...] = (DEFAULT_MODEL,),
                 server_header: str = "FakeOpenAI/1.0", owned_by: str = "fake") -> None:
        self._init_script(handler, models, server_header, owned_by)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "FakeOpenAIServer":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler_class(self))
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a delay
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _record(self, method: str, path: str, body: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self.paths.append((method, path))
            if body is not None:
                self.requests.append(body)
                self.request_headers.append(headers or {})

    def _sleep(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server stops first; True if stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


def _make_handler_class(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: no lingering keep-alive threads
        server_version = "FakeOpenAI/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def version_string(self) -> str:
            return server.server_header

        # -- routing ---------------------------------------------------------------------
        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].rstrip("/")
            server._record("GET", path)
            if path in ("/v1/models", "/models"):
                data = [{"id": m, "object": "model", "created": 0, "owned_by": server.owned_by} for m in server.models]
                self._send_json(200, {"object": "list", "data": data})
            else:
                self._send_error(404, f"unknown path {path}", {})

        def do_POST(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0].rstrip("/")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if path not in ("/v1/chat/completions", "/chat/completions"):
                server._record("POST", path)
                self._send_error(404, f"unknown path {path}", {})
                return
            try:
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("body is not an object")
            except ValueError:
                server._record("POST", path, {"_invalid_json": raw.decode("utf-8", "replace")},
                               {k.lower(): v for k, v in self.headers.items()})
                self._send_error(400, "request body is not valid JSON", {})
                return
            server._record("POST", path, body, {k.lower(): v for k, v in self.headers.items()})
            try:
                reply = server._next_reply(body)
            except Exception as exc:  # noqa: BLE001 - a broken handler is a 500, not a hang
                with server._lock:
                    server.handler_errors.append(exc)
                reply = Reply(status=500, text=f"FakeOpenAIServer handler failed: {type(exc).__name__}: {exc}")
            if server._sleep(reply.delay):
                return  # stopping: drop the connection
            try:
                self._answer(body, reply)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                with server._lock:  # the client gave up (timeout, or stopped reading a stream)
                    server.dropped += 1

        # -- answers ---------------------------------------------------------------------
        def _answer(self, body: dict[str, Any], reply: Reply) -> None:
            if reply.raw is not None:
                if reply.drip:
                    headers = {"Content-Type": "application/json", **reply.headers}
                    self._drip(reply.status, headers, reply.raw, reply.drip, reply.drip_headers)
                    return
                self._send_bytes(reply.status, reply.raw, reply.headers,
                                 reply.headers.get("Content-Type", "application/json"))
                return
            if reply.status >= 300:
                self._send_error(reply.status, reply.text, reply.headers)
                return
            model = str(body.get("model") or DEFAULT_MODEL)
            calls = _normalise_tool_calls(reply.tool_calls) if reply.tool_calls else None
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                self._stream(model, reply, calls, include_usage)
            elif reply.drip:
                body_bytes = json.dumps(self._completion(model, reply, calls)).encode()
                self._drip(reply.status, {"Content-Type": "application/json", **reply.headers}, body_bytes,
                           reply.drip, reply.drip_headers)
            else:
                self._send_json(reply.status, self._completion(model, reply, calls), reply.headers)

        def _completion(self, model: str, reply: Reply, calls: list[dict[str, Any]] | None) -> dict[str, Any]:
            return completion_body(model, reply, calls)

        def _stream(self, model: str, reply: Reply, calls: list[dict[str, Any]] | None,
                    include_usage: bool) -> None:
            events = stream_events(model, reply, calls, include_usage)
            cut = reply.stream_cut is not None
            lines = [e if isinstance(e, float) else b"data: " + json.dumps(e).encode() + b"\n\n" for e in events]
            if reply.stream_done and not cut:
                lines.append(b"data: [DONE]\n\n")
            head = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", **reply.headers}
            if reply.drip:
                body = b"".join(line for line in lines if isinstance(line, bytes))
                self._drip(reply.status, head, body, reply.drip, reply.drip_headers, length=False)
                return
            self.send_response(reply.status)
            for k, v in head.items():
                self.send_header(k, v)
            self.end_headers()
            for line in lines:
                if isinstance(line, float):
                    if server._sleep(line):
                        return
                    continue
                if reply.chunk_delay and server._sleep(reply.chunk_delay):
                    return
                self.wfile.write(line)
                self.wfile.flush()

        def _drip(self, status: int, headers: dict[str, str], body: bytes, every: float, drip_headers: bool,
                  length: bool = True) -> None:
            """Send the response one byte at a time (the body, or everything), ``every`` seconds apart."""
            head = [f"HTTP/1.0 {status} {self.responses.get(status, ('OK',))[0]}\r\n"]
            head += [f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() != "content-length"]
            if length:
                head.append(f"Content-Length: {len(body)}\r\n")
            raw_head = ("".join(head) + "\r\n").encode("latin-1")
            if not drip_headers:
                self.wfile.write(raw_head)
                self.wfile.flush()
                data = body
            else:
                data = raw_head + body
            for i in range(len(data)):
                if server._sleep(every):
                    return
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()

        # -- low level -------------------------------------------------------------------
        def _send_error(self, status: int, message: str, headers: dict[str, str]) -> None:
            kind, code = _ERROR_KINDS.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
            text = message or self.responses.get(status, ("error",))[0]
            self._send_json(status, {"error": {"message": text, "type": kind, "param": None, "code": code}}, headers)

        def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._send_bytes(status, json.dumps(payload).encode(), headers or {}, "application/json")

        def _send_bytes(self, status: int, data: bytes, headers: dict[str, str], content_type: str) -> None:
            self.send_response(status)
            if not any(k.lower() == "content-type" for k in headers):
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                if k.lower() != "content-length":
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

    return _Handler
