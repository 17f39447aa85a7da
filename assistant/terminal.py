"""Terminal output: markdown rendered with ``rich`` on a terminal, plain text everywhere else,
and a status line on stderr while slow work runs.

``rich`` is imported only when a terminal is really there, so ``ipt --help``, pipes, files and
``--json`` never pay for it. ``NO_COLOR`` is honoured by rich; ``IPT_PLAIN=1`` turns rendering
off altogether (plain markdown, as when piped).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import IO, Any, Callable, Iterator
from contextlib import contextmanager


def is_terminal(stream: IO[str] | None) -> bool:
    """True when ``stream`` is an interactive terminal and rendering is not turned off."""
    if stream is None or os.environ.get("IPT_PLAIN", "").strip() not in {"", "0"}:
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _console(stream: IO[str]) -> Any:
    from rich.console import Console

    # soft_wrap=False: rich wraps to the terminal's width (it reads it on every print).
    return Console(file=stream, highlight=False, emoji=False, soft_wrap=False)


def print_markdown(text: str, stream: IO[str] | None = None, *, rich_ok: bool = True) -> None:
    """Write ``text`` (markdown) to ``stream``: rendered and wrapped to the terminal's width on a
    terminal, unchanged otherwise (pipes, files, tests)."""
    stream = stream or sys.stdout
    if rich_ok and is_terminal(stream):
        from rich.markdown import Markdown

        _console(stream).print(Markdown(text, hyperlinks=False))
        return
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


def print_plain(text: str, stream: IO[str] | None = None) -> None:
    """Write ``text`` as it is, wrapped to the terminal's width on a terminal (no markup)."""
    stream = stream or sys.stdout
    if is_terminal(stream):
        from rich.text import Text

        _console(stream).print(Text(text))
        return
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


class Status:
    """A one-line status (spinner) on stderr, shown only when stderr is a terminal.

    ``update`` changes the text; ``stop`` removes the line (call it before anything is printed to
    stdout, e.g. on the first streamed token). Retries logged by ``assistant.llm`` update the
    text while the status is active ("retrying the model call ..."), so a retry is never silent.
    """

    def __init__(self, message: str, stream: IO[str] | None = None) -> None:
        self.message = message
        self.stream = stream or sys.stderr
        self._live: Any = None
        self._handler: logging.Handler | None = None
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self._live is not None

    def start(self) -> "Status":
        if not is_terminal(self.stream):
            return self
        from rich.console import Console

        console = Console(file=self.stream, highlight=False, emoji=False)
        self._live = console.status(self.message, spinner="dots")
        self._live.start()
        self._handler = _RetryHandler(self)
        for name in ("assistant.llm", "assistant.agent"):
            logging.getLogger(name).addHandler(self._handler)
        return self

    def update(self, message: str) -> None:
        with self._lock:
            self.message = message
            if self._live is not None:
                self._live.update(message)

    def stop(self) -> None:
        with self._lock:
            live, self._live = self._live, None
            if live is not None:
                live.stop()
            if self._handler is not None:
                for name in ("assistant.llm", "assistant.agent"):
                    logging.getLogger(name).removeHandler(self._handler)
                self._handler = None

    def __enter__(self) -> "Status":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop_on_first(self, fn: Callable[[str], None] | None) -> Callable[[str], None] | None:
        """Wrap a token callback so that the status line goes away before the first token."""
        if fn is None:
            return None

        def wrapped(piece: str) -> None:
            if self._live is not None:
                self.stop()
            fn(piece)

        return wrapped


class _RetryHandler(logging.Handler):
    """Turns the model layer's retry log records into status text (never the record's data)."""

    def __init__(self, status: Status) -> None:
        super().__init__(level=logging.INFO)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a status line must never break a run
            return
        if text.startswith("retrying"):
            wait = record.args[-1] if isinstance(record.args, tuple) and record.args else None
            after = f" in {wait:.0f} s" if isinstance(wait, (int, float)) else ""
            self.status.update(f"The model endpoint did not answer; retrying{after}…")


def _logger_passes_info(name: str) -> bool:
    return logging.getLogger(name).getEffectiveLevel() <= logging.INFO


@contextmanager
def status(message: str, stream: IO[str] | None = None, *, enabled: bool = True) -> Iterator[Status]:
    """``with status("Searching…") as s:`` shows a spinner on a terminal's stderr, nothing elsewhere
    (nor with ``enabled=False``, e.g. under ``--json``)."""
    s = Status(message, stream)
    if enabled:
        s.start()
    # The retry records are INFO: let them reach our handler while the status is shown.
    saved = {}
    if s.active:
        for name in ("assistant.llm", "assistant.agent"):
            lg = logging.getLogger(name)
            if not _logger_passes_info(name):
                saved[name] = lg.level
                lg.setLevel(logging.INFO)
    try:
        yield s
    finally:
        s.stop()
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def index_message(settings: Any) -> str:
    """The status text for work that may first build the search index."""
    try:
        from pathlib import Path

        built = getattr(settings, "chroma_url", None) or (Path(settings.data_dir) / "chroma").exists()
    except Exception:  # noqa: BLE001
        built = True
    if not built:
        return "Building the search index (first run only, a few seconds)…"
    return "Searching the knowledge base…"


class MarkdownStream:
    """Streamed model text: on a terminal, re-rendered as markdown while it arrives (rich
    ``Live``); elsewhere written through unchanged, piece by piece."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.text = ""
        self._live: Any = None
        self._tty = is_terminal(self.stream)
        self.rendered = False  # True once rich has drawn the text (it ends with a newline then)

    def feed(self, piece: str) -> None:
        self.text += piece
        if not self._tty:
            self.stream.write(piece)
            self.stream.flush()
            return
        from rich.markdown import Markdown

        if self._live is None:
            from rich.live import Live

            self._live = Live(Markdown(self.text, hyperlinks=False), console=_console(self.stream),
                              auto_refresh=False, vertical_overflow="visible", transient=False)
            self._live.start()
            self.rendered = True
        self._live.update(Markdown(self.text, hyperlinks=False), refresh=True)

    def close(self) -> None:
        """End the stream (the last rendering stays on screen)."""
        live, self._live = self._live, None
        if live is not None:
            live.stop()
