"""Configuration from the environment (12-factor); CLI flags override.

=====================  =============================================  ==========================
variable               meaning                                        default
=====================  =============================================  ==========================
IPT_BASE_URL           OpenAI-compatible endpoint (…/v1)              OPENAI_BASE_URL, else none
IPT_API_KEY            key for that endpoint                          OPENAI_API_KEY
IPT_MODEL              model name                                     gpt-4o-mini for api.openai.com
IPT_TIMEOUT            deadline in seconds for one model request      30
                       (connect, wait, read, stream: all included)
IPT_MAX_RETRIES        retries on 429/5xx/connection errors           2
                       (a call's total budget, waits included, is
                       IPT_TIMEOUT x (IPT_MAX_RETRIES + 1))
IPT_DATA_DIR           index and caches                               $XDG_DATA_HOME/ipt-assistant
IPT_CHROMA_URL         Chroma server instead of the embedded store    none
IPT_KNOWLEDGE_DIR      knowledge base folder                          the repo's knowledge/
IPT_TOOLS              tool calling in chat: auto | on | off          auto
=====================  =============================================  ==========================

With no base URL *and* no API key the assistant runs in grounded offline mode.
An API key alone means the official OpenAI endpoint.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, Field

from .errors import ConfigError

OPENAI_DEFAULT_MODEL = "gpt-4o-mini"


#: Limits shared by IPT_TIMEOUT and ``--timeout`` (seconds).
MAX_TIMEOUT = 3600.0
#: Limit shared by IPT_MAX_RETRIES (a retry storm helps nobody).
MAX_RETRIES = 10


def _usable_home(value: str | None) -> Path | None:
    """``value`` as a home folder, or None when it is empty, relative or the filesystem root."""
    if not value or not value.strip():
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() or path == Path(path.anchor):
        return None
    return path


def default_data_dir() -> Path:
    """The data dir: ``IPT_DATA_DIR``, else ``$XDG_DATA_HOME/ipt-assistant``, else
    ``~/.local/share/ipt-assistant``. Never the filesystem root: with no usable home
    (``HOME=''`` or ``HOME=/``) and no ``IPT_DATA_DIR`` it raises :class:`ConfigError`."""
    env = os.environ.get("IPT_DATA_DIR")
    if env is not None and env.strip():
        path = Path(env.strip()).expanduser()
        if path == Path(path.anchor) and path.is_absolute():
            raise ConfigError(f"IPT_DATA_DIR is the filesystem root ({path}); name a folder of its own")
        return path
    xdg = _usable_home(os.environ.get("XDG_DATA_HOME"))
    if xdg is not None:
        return xdg / "ipt-assistant"
    home = _usable_home(os.environ.get("HOME"))
    if home is None:
        try:
            import pwd

            home = _usable_home(pwd.getpwuid(os.getuid()).pw_dir)
        except (ImportError, KeyError, OSError):  # pragma: no cover - no passwd entry
            home = None
    if home is None:
        raise ConfigError("no usable home folder for the data dir (HOME is empty or /): "
                          "set IPT_DATA_DIR to a writable folder")
    return home / ".local" / "share" / "ipt-assistant"


def check_timeout(raw: object, name: str) -> float:
    """A model deadline in seconds, validated the same way for IPT_TIMEOUT and ``--timeout``."""
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number of seconds, got {str(raw)[:40]!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive number of seconds, got {str(raw)[:40]!r}")
    if value > MAX_TIMEOUT:
        raise ConfigError(f"{name} must be at most {MAX_TIMEOUT:.0f} seconds, got {str(raw)[:40]!r}")
    return value


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value and value.strip():
            return value.strip()
    return None


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return check_timeout(raw.strip(), name)


class Settings(BaseModel):
    """Resolved settings for one run."""

    base_url: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    model: str | None = None
    timeout: float = 30.0
    max_retries: int = 2
    retry_cap: float = 20.0
    data_dir: Path = Field(default_factory=default_data_dir)
    chroma_url: str | None = None
    knowledge_dir: Path | None = None
    tools: Literal["auto", "on", "off"] = "auto"
    offline: bool = False
    context_tokens: int = 1600
    max_answer_tokens: int = 900

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Read the environment, then apply non-None ``overrides`` (CLI flags)."""
        tools = (_env("IPT_TOOLS") or "auto").lower()
        if tools not in {"auto", "on", "off"}:
            raise ConfigError(f"IPT_TOOLS must be auto, on or off, got {tools!r}")
        retries_raw = _env("IPT_MAX_RETRIES")
        try:
            retries = int(retries_raw) if retries_raw else 2
        except ValueError:
            raise ConfigError(f"IPT_MAX_RETRIES must be an integer, got {retries_raw[:40]!r}") from None
        if not 0 <= retries <= MAX_RETRIES:
            raise ConfigError(f"IPT_MAX_RETRIES must be between 0 and {MAX_RETRIES}, got {retries}")
        if overrides.get("timeout") is not None:
            overrides = {**overrides, "timeout": check_timeout(overrides["timeout"], "--timeout")}
        kd = _env("IPT_KNOWLEDGE_DIR")
        values: dict[str, object] = {
            "base_url": _env("IPT_BASE_URL", "OPENAI_BASE_URL"),
            "api_key": _env("IPT_API_KEY", "OPENAI_API_KEY"),
            "model": _env("IPT_MODEL"),
            "timeout": _float_env("IPT_TIMEOUT", 30.0),
            "max_retries": retries,
            "data_dir": default_data_dir(),
            "chroma_url": _env("IPT_CHROMA_URL"),
            "knowledge_dir": Path(kd).expanduser() if kd else None,
            "tools": tools,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.llm_configured and not settings.model:
            if settings.base_url is None or "api.openai.com" in (settings.base_url or ""):
                settings = settings.model_copy(update={"model": OPENAI_DEFAULT_MODEL})
            else:
                raise ConfigError("IPT_BASE_URL is set but IPT_MODEL is not: name the model to use")
        return settings

    @property
    def request_budget(self) -> float:
        """Seconds one model call may take in all: every attempt and every wait between them."""
        return self.timeout * (self.max_retries + 1)

    @property
    def llm_configured(self) -> bool:
        """True when a model endpoint is configured and offline mode was not forced."""
        return not self.offline and bool(self.base_url or self.api_key)

    @property
    def endpoint_host(self) -> str:
        """Host of the endpoint, safe to show in messages (no key, no path)."""
        if not self.base_url:
            return "api.openai.com"
        parsed = urlparse(self.base_url)
        return parsed.netloc or self.base_url

    @property
    def is_local_endpoint(self) -> bool:
        host = urlparse(self.base_url or "").hostname or ""
        return host in {"127.0.0.1", "localhost", "::1"}
