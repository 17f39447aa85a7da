"""Reading bullets and writing notes safely: clear errors, nothing half-written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..errors import InputError

MAX_BULLETS_CHARS = 20_000


def check_bullets(text: str) -> str:
    """Validate bullet text; returns it unchanged or raises InputError (never echoing the content)."""
    if not isinstance(text, str):
        raise InputError("bullets must be text")
    if "\x00" in text:
        raise InputError("the bullets look like binary data, not text")
    if not text.strip():
        raise InputError("the bullets are empty")
    if len(text) > MAX_BULLETS_CHARS:
        raise InputError(f"the bullets are too long ({len(text)} characters; the limit is {MAX_BULLETS_CHARS})")
    return text


def decode_bullets(data: bytes, source: str) -> str:
    if b"\x00" in data:
        raise InputError(f"{source} looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8") from None
    return check_bullets(text)


def read_bullets(path: str) -> str:
    """Bullets from a file or ``-`` (stdin)."""
    if path == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no bullets given: pass a file or pipe them on stdin")
        data = sys.stdin.buffer.read(MAX_BULLETS_CHARS * 4 + 1)
        return decode_bullets(data, "stdin")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if not p.is_file():
        raise InputError(f"{path}: not a regular file")
    if p.stat().st_size > MAX_BULLETS_CHARS * 4:
        raise InputError(f"{path}: too large for bullets (limit {MAX_BULLETS_CHARS} characters)")
    return decode_bullets(p.read_bytes(), path)


def check_out_path(path: str, *, force: bool) -> Path:
    """Fail early (before any model call) if ``path`` cannot be written."""
    p = Path(path)
    if p.exists() and not force:
        raise InputError(f"{path} already exists; use --force to overwrite it")
    if p.exists() and not p.is_file():
        raise InputError(f"{path} is not a regular file")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{parent}: directory does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{parent}: directory is not writable")
    return p


def write_atomic(path: str, text: str, *, force: bool = False) -> None:
    """Write via a temp file in the same folder, then rename. Without ``force`` an existing
    file is never replaced, even if it appeared while we were working."""
    p = check_out_path(path, force=force)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=str(p.parent or "."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, p)
        else:
            try:
                os.link(tmp, p)  # fails if p exists: no overwrite race
            except FileExistsError:
                raise InputError(f"{path} already exists; use --force to overwrite it") from None
            except OSError:
                if p.exists():
                    raise InputError(f"{path} already exists; use --force to overwrite it") from None
                os.replace(tmp, p)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
