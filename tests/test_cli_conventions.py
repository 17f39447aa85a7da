"""CLI conventions (issue 12, items 5 and 7): JSON errors under --json, ``ipt config``, ``-m``,
choices and examples in --help, user-facing synonyms in ``ipt techniques``, a start-up that
imports no rendering or settings library, markdown rendered only on a terminal, and a status
line only on a terminal."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import build_parser, display_synonyms, main

REPO = Path(__file__).resolve().parents[1]
PATIENT = "Session 4: Maria cried about Tomas all session"


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


# -- errors are JSON under --json ----------------------------------------------------------------------
@pytest.mark.parametrize("argv,code,exit_code", [
    (["ask", "", "--json"], "bad_input", 2),
    (["ask", PATIENT, "--session", "0", "--json"], "bad_input", 2),
    (["ask", PATIENT, "--focus", "nonsense", "--json"], "bad_input", 2),
    (["note", "-", "--format", "pdf", "--json"], "bad_usage", 2),
    (["ask", PATIENT, "--session", "six", "--json"], "bad_usage", 2),
    (["techniques", "no_such_technique", "--json"], "bad_input", 2),
    (["eval", "--ids", "/nonexistent/ids.txt", "--json"], "bad_input", 2),
])
def test_errors_are_one_json_object_under_json(argv: list[str], code: str, exit_code: int, capsys) -> None:
    rc, out, err = run_main(argv, capsys)
    assert rc == exit_code
    lines = out.splitlines()
    assert len(lines) == 1, out
    obj = json.loads(lines[0])
    assert set(obj) == {"error"} and obj["error"]["code"] == code and obj["error"]["exit_code"] == exit_code
    message = obj["error"]["message"]
    assert message and "\n" not in message
    assert "Maria" not in out + err and "Tomas" not in out + err
    # stderr keeps its one ipt: line for people
    assert [l for l in err.splitlines() if l.strip()] == [f"ipt: {message}"]


def test_errors_without_json_stay_off_stdout(capsys) -> None:
    rc, out, err = run_main(["note", "-", "--format", "pdf"], capsys)
    assert rc == 2 and out == ""
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("ipt: note: argument --format: invalid choice: 'pdf'")


def test_json_error_from_a_subprocess_is_parseable(ipt_data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
    env.update(IPT_DATA_DIR=str(ipt_data_dir), IPT_TIMEOUT="soon")
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", PATIENT, "--json"], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=120)
    assert proc.returncode == 2
    err = json.loads(proc.stdout)["error"]
    assert err["code"] == "bad_config" and err["message"].startswith("IPT_TIMEOUT must be a number of seconds")


# -- -m, choices and examples ----------------------------------------------------------------------------
def test_m_is_short_for_model() -> None:
    parser = build_parser()
    for cmd in (["ask", "q"], ["chat"], ["note"], ["eval"], ["config"]):
        assert parser.parse_args([*cmd, "-m", "some-model"]).model == "some-model"


def test_help_shows_choices_and_examples(capsys) -> None:
    parser = build_parser()
    texts = {}
    for cmd in ("note", "eval", "ask", "chat"):
        with pytest.raises(SystemExit):
            parser.parse_args([cmd, "--help"])
        texts[cmd] = capsys.readouterr().out
    assert "soap | dap | birp | girp" in texts["note"] and "examples:" in texts["note"]
    for mode in ("offline:", "live:", "record:", "replay:"):
        assert mode in texts["eval"]
    assert "next_step | notes | all | signals | situations" in texts["eval"]
    assert "-m MODEL, --model MODEL" in texts["ask"] and "examples:" in texts["ask"]
    assert "--history" in texts["chat"] and "in memory" in texts["chat"]
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    assert "ipt config" in capsys.readouterr().out


def test_note_format_is_case_insensitive() -> None:
    assert build_parser().parse_args(["note", "-", "--format", "SOAP"]).format == "soap"


def test_help_imports_no_heavy_library() -> None:
    """``ipt --help`` stays fast: the parser and help text need no rich, prompt_toolkit or pydantic."""
    code = ("import sys; from assistant.cli import build_parser; build_parser().format_help(); "
            "print(sorted(m for m in ('rich', 'prompt_toolkit', 'pydantic', 'pydantic_settings', 'numpy') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# -- ipt config ------------------------------------------------------------------------------------------
def test_config_shows_the_resolved_settings_and_never_the_key(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("IPT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IPT_API_KEY", "sk-very-secret-key")
    monkeypatch.setenv("IPT_BASE_URL", "http://user:hunter2@127.0.0.1:9/v1?api-key=qsecret")
    monkeypatch.setenv("IPT_MODEL", "local-model")
    rc, out, err = run_main(["config", "--json"], capsys)
    assert rc == 0, err
    info = json.loads(out)
    assert info["mode"] == "llm" and info["model"] == "local-model"
    assert info["endpoint"] == "http://127.0.0.1:9/v1"
    assert info["api_key"] == "set"
    assert info["data_dir"] == str(tmp_path / "data")
    assert info["index"].startswith("not built")
    assert len(info["knowledge_hash"]) == 16
    assert info["versions"]["python"] == sys.version.split()[0]
    assert {"ipt-assistant", "rich", "prompt_toolkit", "pydantic-settings", "chromadb"} <= set(info["versions"])
    for secret in ("sk-very-secret-key", "hunter2", "qsecret"):
        assert secret not in out + err
    rc, plain, err = run_main(["config"], capsys)
    assert rc == 0 and "local-model" in plain and "sk-very" not in plain + err and "hunter2" not in plain
    # -m and --offline apply as in every other command
    rc, out, _ = run_main(["doctor", "--json", "-m", "other-model"], capsys)
    assert json.loads(out)["model"] == "other-model"
    rc, out, _ = run_main(["config", "--json", "--offline"], capsys)
    assert json.loads(out)["mode"] == "offline" and json.loads(out)["endpoint"] is None


def test_config_reports_the_index_state(assistant_offline, ipt_data_dir: Path, capsys, tmp_path: Path) -> None:
    assistant_offline.ask("Session 5: she keeps fighting with her husband about chores.")  # the index exists
    rc, out, _ = run_main(["config", "--json"], capsys)
    info = json.loads(out)
    assert info["mode"] == "offline" and info["api_key"] == "not set"
    assert info["index"].startswith("built for this knowledge"), info["index"]
    # the same index, seen from a knowledge base with another hash, is stale
    from assistant.cli import _index_state
    from assistant.config import Settings

    settings = Settings.from_env()
    assert _index_state(settings, info["knowledge_hash"]).startswith("built for this knowledge")
    assert _index_state(settings, "0" * 16).startswith("stale: built for knowledge " + info["knowledge_hash"])
    corrupt = tmp_path / "corrupt"
    (corrupt / "chroma").mkdir(parents=True)
    (corrupt / "chroma" / "chroma.sqlite3").write_bytes(b"not a database")
    assert _index_state(settings.model_copy(update={"data_dir": corrupt}), "x").startswith("unreadable")


# -- ipt techniques: user-facing synonyms --------------------------------------------------------------
def test_techniques_show_user_facing_synonyms_only(catalog, capsys) -> None:
    rp = catalog.techniques["role_play"]
    assert "rp" in [s.lower() for s in rp.synonyms]  # the parser's shorthand is in the catalog ...
    shown = display_synonyms(rp.name, rp.synonyms)
    assert "role rehearsal" in shown
    for hidden in ("rp", "role-played", "rehearsed the conversation", "switched roles"):
        assert hidden not in shown
    ca = catalog.techniques["communication_analysis"]
    assert not {"CA", "comm analysis", "went through the fight"} & set(display_synonyms(ca.name, ca.synonyms))
    rc, out, _ = run_main(["techniques", "role_play"], capsys)  # ... but not shown to users
    also = next(l for l in out.splitlines() if "Also called" in l)
    assert "rp" not in also.replace("rehearsal", "").split(", ") and "role-played" not in also
    assert "**" in out  # piped: markdown as it is, not rendered


# -- terminal rendering and status ----------------------------------------------------------------------
class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


MARKDOWN = ("## Next steps\n\n**In short:** " + "Ask about the most recent argument with her husband and " * 6 +
            "then `role_play` it.\n\n1. First step\n2. Second step\n")


def test_markdown_is_rendered_and_wrapped_on_a_terminal(monkeypatch) -> None:
    from assistant.terminal import print_markdown

    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.delenv("IPT_PLAIN", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    tty = FakeTTY()
    print_markdown(MARKDOWN, tty)
    text = tty.getvalue()
    assert "**" not in text and "## " not in text and "`" not in text
    assert "In short:" in text and "Next steps" in text
    import re

    visible = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert max(len(l) for l in visible.splitlines()) <= 60
    assert len(visible.splitlines()) > 5  # the long paragraph was wrapped


def test_markdown_is_plain_when_piped_or_turned_off(monkeypatch) -> None:
    from assistant.terminal import print_markdown

    pipe = io.StringIO()
    print_markdown(MARKDOWN, pipe)
    assert pipe.getvalue() == MARKDOWN
    monkeypatch.setenv("IPT_PLAIN", "1")
    tty = FakeTTY()
    print_markdown(MARKDOWN, tty)
    assert tty.getvalue() == MARKDOWN


def test_status_line_only_on_a_terminal_and_retries_update_it(monkeypatch) -> None:
    from assistant.terminal import status

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("IPT_PLAIN", raising=False)
    pipe = io.StringIO()
    with status("Searching the knowledge base…", pipe) as s:
        assert not s.active
    assert pipe.getvalue() == ""

    tty = FakeTTY()
    with status("Asking the model…", tty) as s:
        assert s.active
        logging.getLogger("assistant.llm").info("retrying model call: kind=%s status=%s wait=%.2fs", "server", 503, 2.4)
        assert s.message == "The model endpoint did not answer; retrying in 2 s…"
        shown: list[str] = []
        stream = s.stop_on_first(shown.append)
        stream("first token")  # the status line goes before the first token is printed
        assert not s.active and shown == ["first token"]
    drawn = tty.getvalue()
    assert "retrying in 2 s" in drawn and drawn.endswith("\x1b[2K")  # drawn, then the line is cleared


def test_markdown_stream_passes_text_through_when_piped() -> None:
    from assistant.terminal import MarkdownStream

    pipe = io.StringIO()
    out = MarkdownStream(pipe)
    for piece in ("**Bold", "** and ", "more"):
        out.feed(piece)
    out.close()
    assert pipe.getvalue() == "**Bold** and more" and not out.rendered


def test_markdown_stream_renders_on_a_terminal(monkeypatch) -> None:
    from assistant.terminal import MarkdownStream

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("IPT_PLAIN", raising=False)
    tty = FakeTTY()
    out = MarkdownStream(tty)
    for piece in ("Use **role", " play** on the ", "argument."):
        out.feed(piece)
    out.close()
    final = tty.getvalue().split("\x1b[2K")[-1]  # Live redraws in place; the last frame stays on screen
    assert out.rendered and "role play" in final and "**" not in final and "argument." in final


def _cite(body: dict):  # type: ignore[no-untyped-def]
    from assistant.testing.fake_server import Reply

    import re

    user = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
    first_id = re.findall(r"^\[([a-z][a-z_]+)\] ", user, re.M)[0]
    return Reply(text=f"**Next:** go through last night's argument with [{first_id}].")


@pytest.mark.parametrize("tty", [False, True])
def test_ask_streams_a_model_answer_rendered_only_on_a_terminal(tty: bool, monkeypatch, assistant_offline,
                                                                capsys) -> None:
    from assistant.testing.mock_transport import MockOpenAI

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("IPT_PLAIN", raising=False)
    out = FakeTTY() if tty else io.StringIO()
    with MockOpenAI(_cite) as endpoint:
        monkeypatch.setenv("IPT_BASE_URL", endpoint.base_url)
        monkeypatch.setenv("IPT_API_KEY", "test")
        monkeypatch.setenv("IPT_MODEL", "fake-model")
        monkeypatch.setenv("IPT_TOOLS", "off")
        monkeypatch.setattr(sys, "stdout", out)
        rc = main(["ask", "Session 5 of 16: she keeps fighting with her husband about chores. What next?"])
    assert rc == 0 and len(endpoint.requests) == 1
    text = out.getvalue()
    if tty:
        assert "go through last night's argument" in text and "**Next:**" not in text and "Sources:" in text
        assert "`" not in text.split("Sources:")[-1]  # the sources line is rendered too
    else:
        assert "**Next:** go through last night's argument with [" in text and "\x1b[" not in text
        assert "\nSources: `" in text


def test_index_built_by_another_embedder_or_version_is_stale(tmp_path: Path) -> None:
    import sqlite3

    from assistant.cli import _index_state
    from assistant.config import Settings

    db_dir = tmp_path / "chroma"
    db_dir.mkdir()
    con = sqlite3.connect(db_dir / "chroma.sqlite3")
    con.executescript("CREATE TABLE collections (id TEXT, name TEXT);"
                      "CREATE TABLE collection_metadata (collection_id TEXT, key TEXT, str_value TEXT);"
                      "INSERT INTO collections VALUES ('c1', 'ipt_knowledge');")
    from assistant import embeddings
    from assistant.index import INDEX_VERSION

    current = f"{embeddings.MODEL_ID}:{embeddings.MAX_TOKENS}"
    rows = [("c1", "content_hash", "abc"), ("c1", "embedder", current), ("c1", "index_version", INDEX_VERSION)]
    con.executemany("INSERT INTO collection_metadata VALUES (?, ?, ?)", rows)
    con.commit()
    settings = Settings(offline=True, data_dir=tmp_path)
    assert _index_state(settings, "abc").startswith("built for this knowledge")
    con.execute("UPDATE collection_metadata SET str_value = 'old-model:128' WHERE key = 'embedder'")
    con.commit()
    con.close()
    assert _index_state(settings, "abc").startswith("stale: built with old-model:128")
