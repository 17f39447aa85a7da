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

The variables are read by pydantic-settings (:class:`EnvSettings`: one field per variable, the
``OPENAI_*`` fallbacks, blank values ignored); :meth:`Settings.from_env` checks
them, applies the CLI flags and resolves the defaults. ``Settings(...)`` itself never reads the
environment (tests and library callers pass what they mean). ``ipt config`` prints the result,
never the key.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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


def _blank_is_unset(value: object) -> object:
    """Surrounding whitespace dropped; a blank value counts as unset (the shell's ``VAR=``)."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class EnvSettings(BaseSettings):
    """The environment as pydantic-settings reads it: ``IPT_*`` names (``OPENAI_BASE_URL`` and
    ``OPENAI_API_KEY`` as fallbacks), case-sensitive, blank or whitespace-only values ignored, no
    ``.env`` file. Each bad value is one :class:`ConfigError` line naming the variable."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    # IPT_* first; a blank IPT_* value falls back to the OPENAI_* one (hence four fields, not aliases).
    ipt_base_url: str | None = Field(None, validation_alias="IPT_BASE_URL")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    ipt_api_key: str | None = Field(None, validation_alias="IPT_API_KEY", repr=False)
    openai_api_key: str | None = Field(None, validation_alias="OPENAI_API_KEY", repr=False)
    model: str | None = Field(None, validation_alias="IPT_MODEL")
    timeout: float = Field(30.0, validation_alias="IPT_TIMEOUT")
    max_retries: int = Field(2, validation_alias="IPT_MAX_RETRIES")
    chroma_url: str | None = Field(None, validation_alias="IPT_CHROMA_URL")
    knowledge_dir: Path | None = Field(None, validation_alias="IPT_KNOWLEDGE_DIR")
    tools: Literal["auto", "on", "off"] = Field("auto", validation_alias="IPT_TOOLS")

    @field_validator("ipt_base_url", "openai_base_url", "ipt_api_key", "openai_api_key", "model", "chroma_url",
                     mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return _blank_is_unset(value)

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, value: object) -> float:
        value = _blank_is_unset(value)
        return 30.0 if value is None else check_timeout(value, "IPT_TIMEOUT")

    @field_validator("max_retries", mode="before")
    @classmethod
    def _retries(cls, value: object) -> int:
        value = _blank_is_unset(value)
        if value is None:
            return 2
        try:
            retries = int(str(value))
        except ValueError:
            raise ConfigError(f"IPT_MAX_RETRIES must be an integer, got {str(value)[:40]!r}") from None
        if not 0 <= retries <= MAX_RETRIES:
            raise ConfigError(f"IPT_MAX_RETRIES must be between 0 and {MAX_RETRIES}, got {retries}")
        return retries

    @field_validator("tools", mode="before")
    @classmethod
    def _tools(cls, value: object) -> str:
        tools = str(_blank_is_unset(value) or "auto").lower()
        if tools not in {"auto", "on", "off"}:
            raise ConfigError(f"IPT_TOOLS must be auto, on or off, got {tools!r}")
        return tools

    @field_validator("knowledge_dir", mode="before")
    @classmethod
    def _folder(cls, value: object) -> object:
        value = _blank_is_unset(value)
        return Path(str(value)).expanduser() if value else None


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
        """Read the environment (:class:`EnvSettings`), then apply non-None ``overrides`` (CLI flags)."""
        env = EnvSettings()
        if overrides.get("timeout") is not None:
            overrides = {**overrides, "timeout": check_timeout(overrides["timeout"], "--timeout")}
        values: dict[str, object] = {
            "base_url": env.ipt_base_url or env.openai_base_url, "api_key": env.ipt_api_key or env.openai_api_key,
            "model": env.model, "timeout": env.timeout, "max_retries": env.max_retries, "data_dir": default_data_dir(),
            "chroma_url": env.chroma_url, "knowledge_dir": env.knowledge_dir, "tools": env.tools,
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
