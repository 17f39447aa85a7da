"""In-process fakes implementing :class:`assistant.llm.ChatModel`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import EndpointError
from ..llm import Completion, Message


@dataclass
class ScriptedModel:
    """Answers with queued replies, in order; records every request in ``history``.

    A queued ``EndpointError`` is raised instead of answered (to script failures).
    """

    name: str = "scripted-fake"
    replies: list[str | EndpointError] = field(default_factory=list)
    history: list[list[Message]] = field(default_factory=list)
    default: str | None = None

    def enqueue(self, *replies: str | EndpointError) -> "ScriptedModel":
        self.replies.extend(replies)
        return self

    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        self.history.append([dict(m) for m in messages])
        if self.replies:
            reply = self.replies.pop(0)
        elif self.default is not None:
            reply = self.default
        else:
            raise AssertionError("ScriptedModel: no reply queued")
        if isinstance(reply, EndpointError):
            raise reply
        if on_token:
            for word in reply.split(" "):
                on_token(word + " ")
        return Completion(text=reply, model=self.name, prompt_tokens=sum(len(m["content"]) // 4 for m in messages),
                          completion_tokens=len(reply) // 4)

    @property
    def last_user(self) -> str:
        return next(m["content"] for m in reversed(self.history[-1]) if m["role"] == "user")


@dataclass
class FunctionModel:
    """Answers by calling ``fn(messages) -> str`` (like pydantic-ai's FunctionModel)."""

    fn: Callable[[list[Message]], str]
    name: str = "function-fake"
    history: list[list[Message]] = field(default_factory=list)

    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        self.history.append([dict(m) for m in messages])
        text = self.fn(messages)
        if on_token:
            on_token(text)
        return Completion(text=text, model=self.name)
