"""The model boundary: one small interface, one real implementation over any
OpenAI-compatible endpoint (through ``langchain-openai``'s ``ChatOpenAI``).

Timeouts and retries are ours, not the SDK's: the client is built with
``max_retries=0``; :func:`with_retries` retries 429, 502/503/504 and connection failures
with exponential backoff, honouring ``Retry-After`` up to a cap, and never
retries another 4xx, a 500/501 (the same request fails the same way) or a timeout. Errors become
:class:`~assistant.errors.EndpointError` with a message that carries the status
and host only, never patient text.

Deadlines. ``IPT_TIMEOUT`` is a deadline for one whole request: connecting,
waiting, reading the headers and every byte of the body or stream. httpx's own
timeouts are per read (an endpoint that sends a byte every 2 s never trips a
5 s read timeout), so the HTTP client handed to the SDK is ours: its network
backend gives every socket connect, read and write only the time left before
the deadline (:func:`request_deadline`, a context variable), and its transport
re-checks the deadline between body chunks and caps the body's size. A whole
call, retries and waits included, ends within ``timeout x (max_retries + 1)``
seconds (:attr:`~assistant.config.Settings.request_budget`).

Replies are complete and bounded: a stream that ends without a finish reason
is an endpoint error (never a model answer), and a reply over
:data:`MAX_REPLY_CHARS` characters (or :data:`MAX_RESPONSE_BYTES` bytes on the
wire) is cut off and reported as one.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import email.utils
import functools
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol

from .config import Settings
from .errors import EndpointError

log = logging.getLogger("assistant.llm")

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}

#: The longest model reply accepted, in characters (a 900-token answer is about 4,000).
MAX_REPLY_CHARS = 20_000
#: The largest HTTP response body read from the endpoint, in bytes (streams carry JSON overhead).
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
#: Third-party loggers that would log request bodies (patient text) at DEBUG level.
THIRD_PARTY_LOGGERS = ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "langchain", "langchain_core",
                       "langchain_openai", "langsmith", "chromadb", "urllib3", "hpack", "anyio")


# -- deadlines -------------------------------------------------------------------------------------
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("ipt_request_deadline", default=None)


@contextlib.contextmanager
def request_deadline(seconds: float | None) -> Iterator[None]:
    """Every HTTP request made by our client inside this block ends by ``seconds`` from now
    (or an enclosing, earlier deadline)."""
    if seconds is None:
        yield
        return
    when = time.monotonic() + max(0.0, seconds)
    outer = _DEADLINE.get()
    token = _DEADLINE.set(when if outer is None else min(outer, when))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds until the current request deadline; None when there is none."""
    when = _DEADLINE.get()
    return None if when is None else when - time.monotonic()


class ReplyTooLarge(Exception):
    """The endpoint sent more than we accept (bytes on the wire or characters of text)."""


@functools.lru_cache(maxsize=1)
def http_modules() -> tuple[Any, Any]:
    """``(httpx, httpcore)`` as used by the installed ``openai`` SDK: ``httpx2``/``httpcore2``
    for openai>=3, else the classic ``httpx``/``httpcore``."""
    import openai

    match = re.match(r"\D*(\d+)", str(getattr(openai, "__version__", "")))
    if match and int(match.group(1)) >= 3:
        try:
            import httpcore2
            import httpx2

            return httpx2, httpcore2
        except ImportError:  # pragma: no cover - openai>=3 depends on httpx2
            pass
    import httpcore
    import httpx

    return httpx, httpcore


def _capped(timeout: float | None, exc_type: type[Exception]) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise exc_type("the request deadline has passed")
    return left if timeout is None else min(timeout, left)


@functools.lru_cache(maxsize=4)
def _deadline_backend_class(hc: Any) -> type:
    """A network backend for ``hc`` (an httpcore module) whose every connect, read and write
    gets at most the time left before the current request deadline."""

    class DeadlineStream(hc.NetworkStream):  # type: ignore[misc, name-defined]
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _capped(timeout, hc.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _capped(timeout, hc.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:
            return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                        _capped(timeout, hc.ConnectTimeout)))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class DeadlineBackend(hc.NetworkBackend):  # type: ignore[misc, name-defined]
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None, socket_options: Any = None) -> Any:
            return DeadlineStream(self._inner.connect_tcp(host, port, _capped(timeout, hc.ConnectTimeout),
                                                          local_address, socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
            return DeadlineStream(self._inner.connect_unix_socket(path, _capped(timeout, hc.ConnectTimeout),
                                                                  socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return DeadlineBackend


def _arm(transport: Any, hc: Any) -> bool:
    """Give ``transport``'s connection pool the deadline backend; False if its layout is unknown
    (then the deadline is still checked between body chunks, by :class:`_DeadlineTransport`)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None:
        return False
    cls = _deadline_backend_class(hc)
    if not isinstance(backend, cls):
        pool._network_backend = cls(backend)
    return True


@functools.lru_cache(maxsize=4)
def _deadline_transport_class(hx: Any) -> type:
    class CappedBody(hx.SyncByteStream):  # type: ignore[misc, name-defined]
        def __init__(self, inner: Any, limit: int) -> None:
            self._inner = inner
            self._limit = limit

        def __iter__(self) -> Iterator[bytes]:
            total = 0
            for chunk in self._inner:
                total += len(chunk)
                if total > self._limit:
                    raise ReplyTooLarge(f"over {self._limit / 1048576:g} MiB")
                left = time_left()
                if left is not None and left <= 0:
                    raise hx.ReadTimeout("the request deadline has passed")
                yield chunk

        def close(self) -> None:
            self._inner.close()

    class DeadlineTransport(hx.BaseTransport):  # type: ignore[misc, name-defined]
        """Caps each request's timeouts to the deadline and its response body to a size."""

        def __init__(self, inner: Any, limit: int = MAX_RESPONSE_BYTES) -> None:
            self._inner = inner
            self._limit = limit

        def handle_request(self, request: Any) -> Any:
            left = time_left()
            if left is not None:
                if left <= 0:
                    raise hx.ConnectTimeout("the request deadline has passed", request=request)
                timeouts = dict(request.extensions.get("timeout") or {})
                request.extensions["timeout"] = {k: (left if v is None else min(v, left))
                                                 for k, v in (timeouts or dict.fromkeys(
                                                     ("connect", "read", "write", "pool"))).items()}
            response = self._inner.handle_request(request)
            return hx.Response(response.status_code, headers=response.headers,
                               stream=CappedBody(response.stream, self._limit), extensions=response.extensions)

        def close(self) -> None:
            self._inner.close()

    return DeadlineTransport


@functools.lru_cache(maxsize=1)
def ssl_context() -> Any:
    """One TLS context per process, as the SDK's HTTP library builds it by default (``SSL_CERT_FILE``,
    ``SSL_CERT_DIR`` or certifi's bundle). Building one reads the whole CA bundle, 20-40 ms: every HTTP
    client we hand the SDK shares this one."""
    hx, _ = http_modules()
    return hx.create_ssl_context()


def build_http_client(timeout: float) -> Any:
    """The HTTP client handed to the SDK: deadline-aware and size-capped (see the module doc)."""
    hx, hc = http_modules()
    wrap = _deadline_transport_class(hx)
    inner = hx.HTTPTransport(verify=ssl_context())
    _arm(inner, hc)
    client = hx.Client(transport=wrap(inner), verify=ssl_context(), timeout=timeout, follow_redirects=True)
    mounts = getattr(client, "_mounts", None)  # proxies from the environment
    if isinstance(mounts, dict):
        for key, mounted in list(mounts.items()):
            if mounted is not None and not isinstance(mounted, wrap):
                _arm(mounted, hc)
                mounts[key] = wrap(mounted)
    return client


_quiet_lock = threading.Lock()


def quiet_third_party_logs() -> None:
    """Keep third-party loggers at INFO or above: at DEBUG, HTTP and SDK libraries log request
    bodies, i.e. patient text. Called after those libraries are imported (openai configures its
    own level from ``OPENAI_LOG`` at import) and again before each model call."""
    with _quiet_lock:
        manager = logging.Logger.manager
        names = set(THIRD_PARTY_LOGGERS) | {n for n in list(manager.loggerDict)
                                            if n.split(".")[0] in THIRD_PARTY_LOGGERS}
        for name in names:
            logger = logging.getLogger(name)
            if name in THIRD_PARTY_LOGGERS:
                if logger.getEffectiveLevel() < logging.INFO:
                    logger.setLevel(logging.INFO)
            elif logger.level != logging.NOTSET and logger.level < logging.INFO:
                logger.setLevel(logging.INFO)


@dataclass
class Completion:
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    attempts: int = 1
    #: The endpoint's finish reason ("stop", "length", "tool_calls", ...); None when not reported.
    finish_reason: str | None = None


class ChatModel(Protocol):
    """What the assistant needs from a model."""

    name: str

    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion: ...


@dataclass
class RetryPolicy:
    """Retries, back-off and time limits for one model call.

    ``timeout`` is each attempt's deadline (connect to last byte); ``budget`` bounds the whole
    call, attempts and waits included (default ``timeout x (max_retries + 1)``). A retry whose wait
    would leave less than ``min(timeout, 1 s)`` of the budget is not made.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    cap: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    timeout: float | None = None
    budget: float | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    @property
    def total_budget(self) -> float | None:
        if self.budget is not None:
            return self.budget
        return None if self.timeout is None else self.timeout * (self.max_retries + 1)


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None  # unreadable: fall back to our own backoff
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, parsed.timestamp() - time.time())


def _transport_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(timeout types, other transport error types) of every loaded httpx/httpcore flavour."""
    import sys

    timeouts: list[type] = []
    transport: list[type] = []
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
        mod = sys.modules.get(name)
        if mod is None:
            continue
        for attr, bucket in (("TimeoutException", timeouts), ("TransportError", transport),
                             ("NetworkError", transport), ("ProtocolError", transport)):
            cls = getattr(mod, attr, None)
            if isinstance(cls, type):
                bucket.append(cls)
    return tuple(timeouts), tuple(transport)


def classify(exc: BaseException, host: str) -> EndpointError:
    """Map an SDK exception to an EndpointError with a safe message."""
    import openai

    if isinstance(exc, EndpointError):
        return exc
    if isinstance(exc, ReplyTooLarge):
        return EndpointError(f"the model endpoint {host} sent an oversized reply ({exc}); it was cut off",
                             kind="too_large")
    timeouts, transport = _transport_errors()
    if isinstance(exc, openai.APITimeoutError) or isinstance(exc, timeouts) or isinstance(exc, TimeoutError):
        return EndpointError(f"the model endpoint {host} did not answer in time", kind="timeout")
    if isinstance(exc, openai.APIConnectionError) or isinstance(exc, transport) or isinstance(exc, ConnectionError):
        return EndpointError(f"cannot reach the model endpoint {host}", kind="connection")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429:
            return EndpointError(f"the model endpoint {host} is rate limiting (HTTP 429)", kind="rate_limited", status=429)
        if status in (401, 403):
            return EndpointError(f"the model endpoint {host} refused the API key (HTTP {status})", kind="auth", status=status)
        if status == 404:
            return EndpointError(f"the model endpoint {host} does not know this model or path (HTTP 404)", kind="not_found", status=404)
        if status >= 500:
            return EndpointError(f"the model endpoint {host} failed (HTTP {status})", kind="server", status=status)
        return EndpointError(f"the model endpoint {host} rejected the request (HTTP {status})", kind="client", status=status)
    if isinstance(exc, (openai.APIResponseValidationError, ValueError, KeyError, TypeError, AttributeError)):
        return EndpointError(f"the model endpoint {host} returned a malformed response", kind="bad_response")
    return EndpointError(f"the model endpoint {host} failed ({type(exc).__name__})", kind="error")


RETRYABLE = frozenset({"rate_limited", "server", "connection"})
#: Server statuses a retry can change (overload, gateways, timeouts upstream). A 500 or 501 from the same
#: request is the server failing on *this* request (a template that cannot render it, a bug): retrying it
#: only repeats the failure and the wait.
RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504, 529})


def retryable(err: EndpointError) -> bool:
    """Whether a retry could change this failure."""
    if err.kind not in RETRYABLE:
        return False
    return err.status is None or err.status in RETRYABLE_STATUS


def with_retries(call: Callable[[], Completion], policy: RetryPolicy, host: str) -> Completion:
    """Run ``call``; retry retryable failures with backoff, within the policy's time budget.

    Each attempt runs under :func:`request_deadline` (the policy's ``timeout``, or less when the
    budget has less left). Raises EndpointError."""
    attempt = 0
    start = policy.clock()
    budget = policy.total_budget
    floor = min(policy.timeout, 1.0) if policy.timeout else 0.0
    while True:
        attempt += 1
        limit = policy.timeout
        if budget is not None:
            left = budget - (policy.clock() - start)
            limit = left if limit is None else min(limit, left)
        try:
            with request_deadline(limit):
                result = call()
            result.attempts = attempt
            return result
        except Exception as exc:  # noqa: BLE001 - classified below
            if getattr(exc, "_ipt_passthrough", False):
                raise
            err = classify(exc, host)
            if err.kind == "timeout" and limit is not None:
                err.args = (f"{err.args[0]} (deadline {limit:.3g}s)",)
            again = retryable(err) and not getattr(exc, "_ipt_partial", False)
            err.attempts = attempt  # type: ignore[attr-defined]  # usage reports the true number of calls
            if not again or attempt > policy.max_retries:
                if attempt > 1:
                    err.args = (f"{err.args[0]} after {attempt} attempts",)
                log.info("model call failed: kind=%s status=%s attempts=%d", err.kind, err.status, attempt)
                raise err from None
            delay = policy.base_delay * (2 ** (attempt - 1)) * (1 + 0.25 * random.random())
            hinted = _retry_after(exc)
            if hinted is not None:
                if hinted > policy.cap:
                    log.info("model call failed: kind=%s status=%s attempts=%d (Retry-After %.0fs over cap)",
                             err.kind, err.status, attempt, hinted)
                    capped = EndpointError(
                        f"{err.args[0]}; it asks to wait {hinted:.0f}s, more than the {policy.cap:.0f}s cap",
                        kind=err.kind, status=err.status)
                    capped.attempts = attempt  # type: ignore[attr-defined]
                    raise capped from None
                delay = max(delay, hinted)
            delay = min(delay, policy.cap)
            if budget is not None and (policy.clock() - start) + delay + floor > budget:
                log.info("model call failed: kind=%s status=%s attempts=%d (time budget spent)",
                         err.kind, err.status, attempt)
                spent = EndpointError(f"{err.args[0]}; gave up after {attempt} attempt(s): the {budget:.3g}s "
                                      "time budget (IPT_TIMEOUT x (IPT_MAX_RETRIES + 1)) is spent",
                                      kind=err.kind, status=err.status)
                spent.attempts = attempt  # type: ignore[attr-defined]
                raise spent from None
            log.info("retrying model call: kind=%s status=%s wait=%.2fs", err.kind, err.status, delay)
            policy.sleep(delay)


class OpenAICompatibleModel:
    """Any OpenAI-compatible chat endpoint, via ``langchain_openai.ChatOpenAI``."""

    def __init__(self, settings: Settings, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.name = settings.model or "unknown"
        self.host = settings.endpoint_host
        self.policy = policy or RetryPolicy(max_retries=settings.max_retries, cap=settings.retry_cap,
                                            timeout=settings.timeout)
        self._client: Any = None
        self._http: Any = None
        self._http_lock = threading.Lock()

    @property
    def http_client(self) -> Any:
        """One deadline-aware HTTP client per model (thread-safe, shared by every chat client)."""
        with self._http_lock:
            if self._http is None:
                self._http = build_http_client(self.settings.timeout)
            return self._http

    def chat_client(self, **extra: Any) -> Any:
        """A configured ``ChatOpenAI`` (imported lazily: langchain is slow to import), as
        :func:`chat_openai_class` amends it for servers other than OpenAI's."""
        ChatOpenAI = chat_openai_class()

        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "api_key": self.settings.api_key or "not-needed",
            "timeout": self.settings.timeout,
            "max_retries": 0,
            "stream_usage": True,
            "http_client": self.http_client,
            # Never used (every call is synchronous), but without it langchain-openai builds an async client
            # per endpoint, and with it a TLS context of its own.
            "http_async_client": http_modules()[0].AsyncClient(verify=ssl_context(), timeout=self.settings.timeout),
        }
        if self.settings.base_url:
            kwargs["base_url"] = self.settings.base_url
        if "http_socket_options" in getattr(ChatOpenAI, "model_fields", {}):
            # Our sync client is used; without this, langchain-openai builds an async one with its own
            # transport and warns about proxies whenever NO_PROXY is set.
            kwargs["http_socket_options"] = ()
        kwargs.update(extra)
        if self.settings.base_url and "openai.com" not in self.settings.base_url:
            kwargs.setdefault("model_kwargs", {})["ipt_legacy_max_tokens"] = True
        client = ChatOpenAI(**kwargs)
        quiet_third_party_logs()  # after the SDK's import, which reads OPENAI_LOG
        return client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self.chat_client()
        return self._client

    def _params(self, max_tokens: int, temperature: float) -> dict[str, Any]:
        params: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens}
        if self.settings.base_url and "openai.com" not in self.settings.base_url:
            # Many local servers only understand the legacy field name.
            params["extra_body"] = {"max_tokens": max_tokens}
        return params

    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        lc_messages = to_langchain(messages)
        params = self._params(max_tokens, temperature)
        _ = self.client  # built (imports and all) before the clock of the first attempt starts
        if on_token is None and _GUARD.get() is not None:
            on_token = _discard  # streamed all the same, so that the guard can stop a loop or a copy early

        def call() -> Completion:
            t0 = time.perf_counter()
            if on_token is None:
                msg = self.client.invoke(lc_messages, **params)
                text = _content_text(msg)
                usage = getattr(msg, "usage_metadata", None) or {}
                finish = (getattr(msg, "response_metadata", None) or {}).get("finish_reason")
                if len(text) > MAX_REPLY_CHARS:
                    raise self._too_large()
            else:
                text, usage, finish = self._stream(lc_messages, params, on_token)
            if not text.strip():
                raise EndpointError(f"the model endpoint {self.host} returned an empty answer", kind="bad_response")
            return Completion(text=text, model=self.name,
                              prompt_tokens=int(usage.get("input_tokens") or 0),
                              completion_tokens=int(usage.get("output_tokens") or 0),
                              latency_ms=(time.perf_counter() - t0) * 1000,
                              finish_reason=str(finish) if finish else None)

        return with_retries(call, self.policy, self.host)

    def _too_large(self) -> EndpointError:
        return EndpointError(f"the model endpoint {self.host} sent a reply over {MAX_REPLY_CHARS:,} characters; "
                             "it was cut off", kind="too_large")

    def _stream(self, lc_messages: list[Any], params: dict[str, Any],
                on_token: Callable[[str], None]) -> tuple[str, dict[str, Any], str | None]:
        """Stream the reply to ``on_token``. The stream must end with a finish reason: a stream
        that just stops (no finish reason, no ``[DONE]``) is an endpoint error, not an answer.

        The stream is closed in every case, also when it is abandoned (deadline, caller error, too
        large): closing the HTTP response drops the connection, which is how a server that supports
        it (llama.cpp's, vLLM's) learns to stop generating for a request nobody reads."""
        parts: list[str] = []
        size = 0
        usage: dict[str, Any] = {}
        finished: str | None = None
        stream = self.client.stream(lc_messages, **params)
        try:
            for chunk in stream:
                piece = _content_text(chunk)
                if piece:
                    if size + len(piece) > MAX_REPLY_CHARS:
                        raise self._too_large()
                    size += len(piece)
                    parts.append(piece)
                    try:
                        on_token(piece)
                    except Exception as exc:  # the caller's problem (e.g. a closed stdout), not the endpoint's
                        with contextlib.suppress(AttributeError, TypeError):
                            exc._ipt_passthrough = True  # type: ignore[attr-defined]
                        raise
                reason = (getattr(chunk, "response_metadata", None) or {}).get("finish_reason")
                if reason:
                    finished = str(reason)
                if getattr(chunk, "usage_metadata", None):
                    usage = dict(chunk.usage_metadata)
            if not finished and parts:
                raise EndpointError(f"the model endpoint {self.host} ended the stream before the answer was "
                                    "complete (no finish reason)", kind="incomplete")
        except BaseException as exc:
            if parts and isinstance(exc, Exception) and on_token is not _discard:
                # Tokens were already shown: do not retry and duplicate them.
                with contextlib.suppress(AttributeError, TypeError):
                    exc._ipt_partial = True  # type: ignore[attr-defined]
            raise
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        return "".join(parts), usage, finished


@functools.lru_cache(maxsize=1)
def chat_openai_class() -> type:
    """``ChatOpenAI`` with two fixes for the OpenAI-compatible servers people run locally:

    * an assistant message that carries tool calls is sent with ``content: ""``, never ``null``
      (llama.cpp's chat templates fail on null with HTTP 500);
    * ``max_tokens`` is sent under its legacy name as well as ``max_completion_tokens`` (which
      langchain-openai sends alone, and which llama-cpp-python ignores: no limit at all).
      Marked by the ``ipt_legacy_max_tokens`` model kwarg, which is removed from the payload.

    And one addition: a streamed reply is watched by the :class:`~assistant.written.StreamGuard` set with
    :func:`guarded` (if any). When it says stop, the stream is closed (the server stops generating) and
    the reply ends there, with the guard's reason as its ``finish_reason``."""
    from langchain_core.messages import AIMessageChunk
    from langchain_core.outputs import ChatGenerationChunk
    from langchain_openai import ChatOpenAI

    class IPTChatOpenAI(ChatOpenAI):  # type: ignore[misc, valid-type]
        def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            legacy = payload.pop("ipt_legacy_max_tokens", False)
            for message in payload.get("messages") or []:
                if isinstance(message, dict) and message.get("content") is None:
                    message["content"] = ""
            if legacy and "max_completion_tokens" in payload:
                payload.setdefault("max_tokens", payload["max_completion_tokens"])
            return payload

        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            guard = _GUARD.get()
            if guard is not None:
                guard.start()
            chunks = super()._stream(*args, **kwargs)
            try:
                for chunk in chunks:
                    yield chunk
                    if guard is not None and guard.feed(_content_text(chunk.message)):
                        meta = {"finish_reason": guard.reason}
                        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=meta),
                                                  generation_info=meta)
                        return
            finally:
                chunks.close()  # closes the HTTP response: the server stops generating for nobody

    return IPTChatOpenAI


def _discard(piece: str) -> None:
    """An ``on_token`` that shows nothing."""


#: The stream guard for model calls made in this context (see :func:`guarded`).
_GUARD: contextvars.ContextVar[Any] = contextvars.ContextVar("ipt_stream_guard", default=None)


@contextlib.contextmanager
def guarded(guard: Any) -> Iterator[Any]:
    """Streamed model replies inside this block are watched by ``guard`` (a
    :class:`~assistant.written.StreamGuard`) and stopped when it says so."""
    token = _GUARD.set(guard)
    try:
        yield guard
    finally:
        _GUARD.reset(token)


def _content_text(msg: Any) -> str:
    content = getattr(msg, "content", msg)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    if content is None:
        return ""
    raise TypeError("unexpected message content")


def to_langchain(messages: list[Message]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m["role"]](content=m["content"]) for m in messages]


def make_model(settings: Settings) -> ChatModel | None:
    """The configured model, or None for grounded offline mode."""
    if not settings.llm_configured:
        return None
    return OpenAICompatibleModel(settings)
