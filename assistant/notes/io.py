"""Reading bullets and writing notes safely: clear errors, nothing half-written, no
patient text left behind.

A note is written to a hidden temp file next to its target (mode 0600), then linked or
renamed into place. The temp file is removed on success, on any error, and on SIGTERM or
SIGHUP (the CLI turns those into an exception so ``finally`` runs). Against SIGKILL and
power loss, each write is registered in ``<data dir>/pending-writes/``; the next ``ipt``
start removes the temp files of writers that are no longer running.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
from pathlib import Path

from ..errors import InputError

PENDING = "pending-writes"
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.ipt-(?P<pid>\d+)-[0-9a-f]+\.tmp$")

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
    if not path or not path.strip():
        raise InputError("--out needs a file name")
    if "\x00" in path:
        raise InputError("--out is not a valid file name")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("--out is not valid UTF-8") from None
    p = Path(path)
    try:
        if path.endswith(("/", os.sep)) or p.is_dir():
            raise InputError(f"{path} is a folder; --out needs a file name")
        if p.exists() and not force:
            raise InputError(f"{path} already exists; use --force to overwrite it")
        if p.exists() and not p.is_file():
            raise InputError(f"{path} is not a regular file")
        parent = p.parent if str(p.parent) else Path(".")
        if not parent.is_dir():
            raise InputError(f"{parent}: directory does not exist")
        if not os.access(parent, os.W_OK):
            raise InputError(f"{parent}: directory is not writable")
    except OSError as exc:  # e.g. a name too long for the filesystem
        raise InputError(f"{path}: cannot be used for the note ({exc.strerror or type(exc).__name__})") from None
    return p


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def _stale(temp: Path) -> bool:
    """True for one of our temp files whose writer is no longer running."""
    m = _TEMP_NAME.match(temp.name)
    return bool(m) and int(m.group("pid")) != os.getpid() and not _pid_alive(int(m.group("pid")))


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove our temp files in ``folder`` whose writer is gone; returns them."""
    removed = []
    with contextlib.suppress(OSError):
        for temp in folder.glob(".*.ipt-*.tmp"):
            if _stale(temp):
                with contextlib.suppress(OSError):
                    temp.unlink()
                    removed.append(temp)
    return removed


def clean_stale_writes(data_dir: Path) -> list[Path]:
    """Remove the temp files of registered writes whose process is gone (killed mid-write)."""
    removed: list[Path] = []
    folder = Path(data_dir) / PENDING
    if not folder.is_dir():
        return removed
    for marker in folder.glob("*.path"):
        try:
            pid = int(marker.name.split("-", 1)[0])
        except ValueError:
            continue
        if pid == os.getpid() or _pid_alive(pid):
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            temp = Path(marker.read_text(encoding="utf-8").strip())
            if _TEMP_NAME.match(temp.name) and (temp.is_file() or temp.is_symlink()):
                temp.unlink()
                removed.append(temp)
        with contextlib.suppress(OSError):
            marker.unlink()
    return removed


@contextlib.contextmanager
def _registered(temp: Path):  # type: ignore[no-untyped-def]
    """Note ``temp`` in the data dir while it exists (best effort: no data dir, no marker)."""
    marker: Path | None = None
    try:
        from ..config import default_data_dir

        folder = default_data_dir() / PENDING
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        marker = folder / f"{os.getpid()}-{secrets.token_hex(4)}.path"
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(str(temp.resolve()))
    except Exception:  # noqa: BLE001 - the registry is a safety net, never a reason to fail
        marker = None
    try:
        yield
    finally:
        if marker is not None:
            with contextlib.suppress(OSError):
                marker.unlink()


def write_atomic(path: str, text: str, *, force: bool = False) -> None:
    """Write via a temp file in the same folder, then rename. Without ``force`` an existing
    file is never replaced, even if it appeared while we were working. Any OS failure (a
    read-only or full disk, /proc) is one :class:`InputError` naming the path."""
    p = check_out_path(path, force=force)
    folder = p.parent if str(p.parent) else Path(".")
    clean_stale_temps(folder)
    tmp = folder / f".{p.name}.ipt-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        with _registered(tmp):
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
                with contextlib.suppress(OSError):
                    if os.path.lexists(tmp):
                        os.unlink(tmp)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the note ({exc.strerror or type(exc).__name__})") from None
