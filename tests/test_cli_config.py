"""Settings from the environment through pydantic-settings (issue 12, item 9): every IPT_* name and
behaviour kept: OPENAI_* fallbacks, blank values unset, whitespace trimmed, one ConfigError line
naming the variable, CLI overrides, no .env file, and ``Settings(...)`` never reading the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import EnvSettings, Settings
from assistant.errors import ConfigError


def test_defaults_with_nothing_set(ipt_data_dir: Path) -> None:
    s = Settings.from_env()
    assert (s.base_url, s.api_key, s.model, s.chroma_url, s.knowledge_dir) == (None, None, None, None, None)
    assert (s.timeout, s.max_retries, s.tools, s.offline) == (30.0, 2, "auto", False)
    assert s.data_dir == ipt_data_dir and not s.llm_configured


def test_every_variable_is_read(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IPT_BASE_URL", " http://127.0.0.1:8088/v1 ")
    monkeypatch.setenv("IPT_API_KEY", "local")
    monkeypatch.setenv("IPT_MODEL", "qwen")
    monkeypatch.setenv("IPT_TIMEOUT", "12.5")
    monkeypatch.setenv("IPT_MAX_RETRIES", "0")
    monkeypatch.setenv("IPT_CHROMA_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("IPT_KNOWLEDGE_DIR", "~/kb")
    monkeypatch.setenv("IPT_TOOLS", "OFF")
    monkeypatch.setenv("IPT_DATA_DIR", str(tmp_path / "d"))
    s = Settings.from_env()
    assert s.base_url == "http://127.0.0.1:8088/v1" and s.api_key == "local" and s.model == "qwen"
    assert s.timeout == 12.5 and s.max_retries == 0 and s.tools == "off"
    assert s.chroma_url == "http://127.0.0.1:8000" and s.knowledge_dir == Path("~/kb").expanduser()
    assert s.data_dir == tmp_path / "d" and s.request_budget == 12.5


def test_openai_fallbacks_and_blank_values(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://example.test/v1")
    monkeypatch.setenv("IPT_API_KEY", "   ")  # blank: falls back to OPENAI_API_KEY
    monkeypatch.setenv("IPT_BASE_URL", "")
    monkeypatch.setenv("IPT_MODEL", "m")
    monkeypatch.setenv("IPT_TIMEOUT", "  ")  # blank: the default
    s = Settings.from_env()
    assert s.api_key == "sk-openai" and s.base_url == "https://example.test/v1" and s.timeout == 30.0
    monkeypatch.setenv("IPT_API_KEY", "sk-ipt")
    assert Settings.from_env().api_key == "sk-ipt"  # IPT_* wins


def test_an_api_key_alone_means_openai_and_its_default_model(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    s = Settings.from_env()
    assert s.llm_configured and s.model == "gpt-4o-mini" and s.endpoint_host == "api.openai.com"
    assert "sk-x" not in repr(s) and "sk-x" not in str(s)


def test_base_url_without_model_is_an_error(monkeypatch) -> None:
    monkeypatch.setenv("IPT_BASE_URL", "http://127.0.0.1:9/v1")
    with pytest.raises(ConfigError, match="IPT_MODEL is not"):
        Settings.from_env()
    assert Settings.from_env(model="m").model == "m"  # a flag fills it in
    assert not Settings.from_env(offline=True).llm_configured


@pytest.mark.parametrize("name,value,message", [
    ("IPT_TIMEOUT", "soon", "IPT_TIMEOUT must be a number of seconds, got 'soon'"),
    ("IPT_TIMEOUT", "0", "IPT_TIMEOUT must be a positive number of seconds"),
    ("IPT_TIMEOUT", "inf", "IPT_TIMEOUT must be a positive number of seconds"),
    ("IPT_TIMEOUT", "99999", "IPT_TIMEOUT must be at most 3600 seconds"),
    ("IPT_MAX_RETRIES", "two", "IPT_MAX_RETRIES must be an integer, got 'two'"),
    ("IPT_MAX_RETRIES", "11", "IPT_MAX_RETRIES must be between 0 and 10, got 11"),
    ("IPT_TOOLS", "maybe", "IPT_TOOLS must be auto, on or off, got 'maybe'"),
])
def test_bad_values_are_one_config_error_naming_the_variable(monkeypatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        Settings.from_env()
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_cli_overrides_win_and_timeout_is_checked_alike(monkeypatch) -> None:
    monkeypatch.setenv("IPT_TIMEOUT", "5")
    monkeypatch.setenv("IPT_MODEL", "env-model")
    s = Settings.from_env(timeout="7", model="flag-model", base_url=None)
    assert s.timeout == 7.0 and s.model == "flag-model"
    with pytest.raises(ConfigError, match="^--timeout must be a number of seconds"):
        Settings.from_env(timeout="soon")


def test_names_are_case_sensitive_and_no_dotenv_is_read(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ipt_model", "lower-case")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("IPT_MODEL=from-dotenv\nIPT_API_KEY=sk-dotenv\n", encoding="utf-8")
    s = Settings.from_env()
    assert s.model is None and s.api_key is None
    assert EnvSettings().model is None


def test_settings_constructor_never_reads_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("IPT_MODEL", "env-model")
    monkeypatch.setenv("IPT_API_KEY", "sk-env")
    s = Settings(offline=True)
    assert s.model is None and s.api_key is None
