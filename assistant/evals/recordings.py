"""Record/replay cache of model calls, so stored outputs can be re-graded without the model.

A call's key hashes the model name, the messages, the parameters, the prompt
templates' hash and the catalog hash; editing a prompt, or knowledge the model
is given, therefore misses the cache instead of replaying a stale answer. In
replay, a recording whose model, messages, parameters and prompt templates are
all the same as the call's answers it even when the knowledge base has changed
elsewhere since (its catalog hash differs): the model's whole input was the same,
so its answer is not stale, and an edit to knowledge no recorded case is given
(a safety step for another kind of risk) does not void the recorded run. One JSON
file per call under ``<recordings>/<model>/``.

A recording holds the whole prompt, i.e. the case's (or, in a live run, the
clinician's) text: ``ipt eval --mode record`` writes to ``recordings/`` in the
user's data dir by default, never into the package, with files 0600 and folders
0700. Replay reads the committed ``evals/recordings/`` unless given a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import EndpointError
from ..llm import ChatModel, Completion, Message
from ..prompts import ANSWER_SYSTEM, ANSWER_USER, NOTE_SYSTEM, NOTE_USER, prompt_hash


def model_slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "model"


def call_key(model: str, messages: list[Message], params: dict, prompts: str, catalog: str) -> str:
    blob = json.dumps({"model": model, "messages": messages, "params": params, "prompts": prompts,
                       "catalog": catalog}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def input_key(model: str, messages: list[Message], params: dict, prompts: str) -> str:
    """What the model was given: a call's key without the catalog hash."""
    return call_key(model, messages, params, prompts, "")


class MissingRecording(EndpointError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no recording for this call (key {key[:12]}): the recordings predate a change to the "
                         "knowledge base, prompts or case", kind="missing_recording")


@dataclass
class RecordingModel:
    """Wraps a model: ``record`` calls through and stores; ``replay`` answers only from the store."""

    inner: ChatModel | None
    folder: Path
    catalog_hash: str
    mode: str  # record | replay
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or (self.inner.name if self.inner else "replay")
        self.folder = self.folder / model_slug(self.name)
        self.prompts = prompt_hash(ANSWER_SYSTEM, ANSWER_USER, NOTE_SYSTEM, NOTE_USER)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        #: Replayed from a recording made with another knowledge base, the model's input being the same.
        self.same_input = 0
        self._by_input: dict[str, Path] | None = None

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def complete(self, messages: list[Message], *, max_tokens: int = 900, temperature: float = 0.2,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        params = {"max_tokens": max_tokens, "temperature": temperature}
        key = call_key(self.name, messages, params, self.prompts, self.catalog_hash)
        path = self._path(key)
        if path.exists():
            with self._lock:
                self.hits += 1
            return self._replayed(json.loads(path.read_text(encoding="utf-8")))
        if self.mode == "replay" or self.inner is None:
            same = self._same_input(input_key(self.name, messages, params, self.prompts))
            if same is not None:
                with self._lock:
                    self.hits += 1
                    self.same_input += 1
                return self._replayed(json.loads(same.read_text(encoding="utf-8")))
        with self._lock:
            self.misses += 1
        if self.mode == "replay" or self.inner is None:
            raise MissingRecording(key)
        t0 = time.perf_counter()
        try:
            c = self.inner.complete(messages, max_tokens=max_tokens, temperature=temperature, on_token=on_token)
            response: dict = {"text": c.text, "prompt_tokens": c.prompt_tokens, "completion_tokens": c.completion_tokens,
                              "latency_ms": round((time.perf_counter() - t0) * 1000, 1),
                              "finish_reason": c.finish_reason}
        except EndpointError as err:
            response = {"error": {"message": str(err), "kind": err.kind}}
            self._write(path, key, messages, params, response)
            raise
        self._write(path, key, messages, params, response)
        return c

    @staticmethod
    def _replayed(data: dict) -> Completion:
        r = data["response"]
        if "error" in r:
            raise EndpointError(r["error"]["message"], kind=r["error"].get("kind", "error"))
        return Completion(text=r["text"], model=data["model"], prompt_tokens=r.get("prompt_tokens", 0),
                          completion_tokens=r.get("completion_tokens", 0), latency_ms=r.get("latency_ms", 0.0),
                          finish_reason=r.get("finish_reason"))

    def _same_input(self, key: str) -> Path | None:
        """The recording whose model, messages, parameters and prompt templates hash to ``key`` (any catalog)."""
        with self._lock:
            if self._by_input is None:
                self._by_input = {}
                for f in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
                    try:
                        d = json.loads(f.read_text(encoding="utf-8"))
                        k = input_key(d["model"], d["messages"], d["params"], d["prompt_hash"])
                    except (OSError, ValueError, KeyError, TypeError):
                        continue
                    self._by_input.setdefault(k, f)
            return self._by_input.get(key)

    def _write(self, path: Path, key: str, messages: list[Message], params: dict, response: dict) -> None:
        record = {"key": key, "model": self.name, "params": params, "prompt_hash": self.prompts,
                  "catalog_hash": self.catalog_hash, "messages": messages, "response": response,
                  "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        write_private(path, json.dumps(record, indent=1, ensure_ascii=False))


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and parents) with mode 0700 for the folders this creates."""
    missing = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        missing.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        try:
            os.chmod(created, 0o700)
        except OSError:
            pass


def write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to ``path`` with mode 0600 (it may hold patient text)."""
    make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def recorded_models(folder: Path) -> list[str]:
    """Model names that have recordings in ``folder``."""
    if not folder.is_dir():
        return []
    names = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        first = next(sub.glob("*.json"), None)
        if first:
            names.append(json.loads(first.read_text(encoding="utf-8")).get("model", sub.name))
    return names
