"""The model boundary: one small interface, one real implementation over any
OpenAI-compatible endpoint (through ``langchain-openai``'s ``ChatOpenAI``).

Timeouts and retries are ours, not the SDK's: the client is built with
``max_retries=0`` and the configured timeout; :func:`with_retries` retries 429,
5xx and connection failures with exponential backoff, honouring ``Retry-After``
up to a cap, and never retries another 4xx. Errors become
:class:`~assistant.errors.EndpointError` with a message that carries the status
and host only, never patient text.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from .config import Settings
from .errors import EndpointError

log = logging.getLogger("assistant.llm")

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


@dataclass
class Completion:
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    attempts: int = 1


class ChatModel(Protocol):
    """What the assistant needs from a model."""

    name: str

    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion: ...


@dataclass
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    cap: float = 20.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


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


def classify(exc: BaseException, host: str) -> EndpointError:
    """Map an SDK exception to an EndpointError with a safe message."""
    import httpx
    import openai

    if isinstance(exc, EndpointError):
        return exc
    if isinstance(exc, openai.APITimeoutError) or isinstance(exc, httpx.TimeoutException):
        return EndpointError(f"the model endpoint {host} did not answer in time", kind="timeout")
    if isinstance(exc, openai.APIConnectionError) or isinstance(exc, httpx.TransportError):
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


def with_retries(call: Callable[[], Completion], policy: RetryPolicy, host: str) -> Completion:
    """Run ``call``; retry retryable failures with backoff. Raises EndpointError."""
    attempt = 0
    while True:
        attempt += 1
        try:
            result = call()
            result.attempts = attempt
            return result
        except Exception as exc:  # noqa: BLE001 - classified below
            err = classify(exc, host)
            retryable = err.kind in RETRYABLE and not getattr(exc, "_ipt_partial", False)
            if not retryable or attempt > policy.max_retries:
                if attempt > 1:
                    err.args = (f"{err.args[0]} after {attempt} attempts",)
                log.warning("model call failed: kind=%s status=%s attempts=%d", err.kind, err.status, attempt)
                raise err from None
            delay = policy.base_delay * (2 ** (attempt - 1)) * (1 + 0.25 * random.random())
            hinted = _retry_after(exc)
            if hinted is not None:
                if hinted > policy.cap:
                    log.warning("model call failed: kind=%s status=%s attempts=%d (Retry-After %.0fs over cap)",
                                err.kind, err.status, attempt, hinted)
                    raise EndpointError(
                        f"{err.args[0]}; it asks to wait {hinted:.0f}s, more than the {policy.cap:.0f}s cap",
                        kind=err.kind, status=err.status) from None
                delay = max(delay, hinted)
            delay = min(delay, policy.cap)
            log.info("retrying model call: kind=%s status=%s wait=%.2fs", err.kind, err.status, delay)
            policy.sleep(delay)


class OpenAICompatibleModel:
    """Any OpenAI-compatible chat endpoint, via ``langchain_openai.ChatOpenAI``."""

    def __init__(self, settings: Settings, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.name = settings.model or "unknown"
        self.host = settings.endpoint_host
        self.policy = policy or RetryPolicy(max_retries=settings.max_retries, cap=settings.retry_cap)
        self._client: Any = None

    def chat_client(self, **extra: Any) -> Any:
        """A configured ``ChatOpenAI`` (imported lazily: langchain is slow to import)."""
        from langchain_openai import ChatOpenAI

        kwargs: dict[str, Any] = {
            "model": self.settings.model,
            "api_key": self.settings.api_key or "not-needed",
            "timeout": self.settings.timeout,
            "max_retries": 0,
            "stream_usage": True,
        }
        if self.settings.base_url:
            kwargs["base_url"] = self.settings.base_url
        kwargs.update(extra)
        return ChatOpenAI(**kwargs)

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

        def call() -> Completion:
            t0 = time.perf_counter()
            if on_token is None:
                msg = self.client.invoke(lc_messages, **params)
                text = _content_text(msg)
                usage = getattr(msg, "usage_metadata", None) or {}
            else:
                text, usage = self._stream(lc_messages, params, on_token)
            if not text.strip():
                raise EndpointError(f"the model endpoint {self.host} returned an empty answer", kind="bad_response")
            return Completion(text=text, model=self.name,
                              prompt_tokens=int(usage.get("input_tokens") or 0),
                              completion_tokens=int(usage.get("output_tokens") or 0),
                              latency_ms=(time.perf_counter() - t0) * 1000)

        return with_retries(call, self.policy, self.host)

    def _stream(self, lc_messages: list[Any], params: dict[str, Any],
                on_token: Callable[[str], None]) -> tuple[str, dict[str, Any]]:
        parts: list[str] = []
        usage: dict[str, Any] = {}
        try:
            for chunk in self.client.stream(lc_messages, **params):
                piece = _content_text(chunk)
                if piece:
                    parts.append(piece)
                    on_token(piece)
                if getattr(chunk, "usage_metadata", None):
                    usage = dict(chunk.usage_metadata)
        except Exception as exc:
            if parts:
                # Tokens were already shown: do not retry and duplicate them.
                exc._ipt_partial = True  # type: ignore[attr-defined]
            raise
        return "".join(parts), usage


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
