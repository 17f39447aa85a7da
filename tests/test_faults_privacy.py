"""Patient text stays out of logs (ours and third-party: httpx, openai, langchain, chromadb ...),
out of stray files, and out of the package: eval recordings and reports go to the user's data
dir with mode 0600, while replay still reads the committed recordings CI needs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from ipt_cli import cli_env, run_ipt

from assistant import Assistant
from assistant.config import Settings
from assistant.testing.fake_server import FakeOpenAIServer, Reply

REPO = Path(__file__).resolve().parents[1]
MARK = "Zephyrine"  # a name that appears nowhere in the package
QUESTION = f"Session 5 of 16: {MARK} keeps fighting with her husband about chores. What next?"
BULLETS = f"- s. 6/16 role dispute w/ husband\n- {MARK} mood 4/10\n- role-played asking for help\n- task: ask him to split chores\n"
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
THIRD_PARTY = ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "langchain", "langchain_core",
               "langchain_openai", "chromadb", "urllib3")


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> list[str]:
        out = []
        for r in self.records:
            text = r.getMessage()
            if r.exc_info:
                text += logging.Formatter().formatException(r.exc_info)
            out.append(f"{r.name}: {text}")
        return out


@pytest.fixture
def everything_logged():
    """The root logger and every third-party logger at DEBUG, all captured."""
    root = logging.getLogger()
    handler = Capture()
    saved = {name: logging.getLogger(name).level for name in ("", *THIRD_PARTY)}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _answer_handler(body: dict) -> Reply:
    if body.get("tools") and body["tools"][0]["function"]["name"] == "get_time":
        return Reply(tool_calls=[{"name": "get_time", "arguments": {"city": "Paris"}}])
    if body.get("tools") and not any(m.get("role") == "tool" for m in body["messages"]):
        return Reply(tool_calls=[{"name": "search_knowledge", "arguments": {"query": "chores dispute"}}])
    # The patient's name comes back in the answer (it must not reach any log); the answer is written, not a
    # copy of the context (which the copy check would replace).
    return Reply(text=f"For {MARK}: explore what each of them expected about the chores with "
                      f"[role_dispute_resolution], then ask her what she would like to say to him this week.")


def test_no_patient_text_in_any_log(everything_logged: Capture, ipt_data_dir: Path, tmp_path: Path):
    from assistant.chat import ChatSession

    calls = {"n": 0}

    def handler(body: dict) -> Reply:
        calls["n"] += 1
        if calls["n"] == 3:  # one failure whose error body echoes the prompt back
            return Reply(status=500, text="bad request: " + json.dumps(body)[-300:])
        return _answer_handler(body)

    with FakeOpenAIServer(handler) as server:
        settings = Settings(base_url=server.base_url, api_key="sk-test", model="fake-model", timeout=5,
                            max_retries=0, data_dir=ipt_data_dir)
        a = Assistant(settings)
        assert a.ask(QUESTION).mode == "llm"
        a.ask(QUESTION, on_token=lambda piece: None)
        failed = a.ask(QUESTION)  # the 500
        assert failed.mode == "offline"
        a.draft_note(BULLETS, format="soap")
        chat = ChatSession(Assistant(settings.model_copy(update={"tools": "auto"})))
        chat.ask(QUESTION)
        chat.ask(f"And if {MARK} refuses?")
        Assistant(settings.model_copy(update={"offline": True})).ask(QUESTION)
        # What older SDKs (openai<3) and HTTP libraries do at DEBUG: log the request, prompt included.
        logging.getLogger("openai._base_client").debug("Request options: %s", {"messages": [QUESTION]})
        logging.getLogger("httpcore.http11").debug("send_request_body.started body=%s", QUESTION)
        logging.getLogger("langchain_core.callbacks.manager").debug("prompt: %s", QUESTION)
    texts = everything_logged.texts()
    assert any(t.startswith(("httpx", "httpx2")) for t in texts), "third-party logs were not captured at all"
    assert any(t.startswith("assistant.") for t in texts)
    leaked = [t for t in texts if MARK in t or "keeps fighting with her husband" in t]
    assert not leaked, leaked[:3]


@pytest.fixture
def data_copy(assistant_offline, ipt_data_dir: Path, tmp_path: Path) -> Path:
    """A fresh data dir holding a copy of the session's built index (no rebuild in each test)."""
    import shutil

    _ = assistant_offline.retriever.index
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(ipt_data_dir / "chroma", data / "chroma")
    return data


def _files_with(folder: Path, needle: str) -> list[Path]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle.encode() in path.read_bytes():
                    hits.append(path)
            except OSError:
                pass
    return hits


#: Runs ``ipt`` commands in turn in one process, each with its own stdin; stops at the first failure.
_DRIVER = """
import io, json, sys
from assistant.cli import main
for argv, stdin in json.loads(sys.argv[1]):
    sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    if code:
        sys.exit(code)
    print("ran:", argv[0], flush=True)
"""


def test_cli_with_sdk_debug_logging_leaks_nothing_and_leaves_no_stray_files(data_copy: Path, tmp_path: Path):
    data = data_copy
    work = tmp_path / "work"
    work.mkdir()
    bullets = work / "bullets.txt"
    bullets.write_text(BULLETS, encoding="utf-8")
    with FakeOpenAIServer(_answer_handler) as server:
        env = cli_env(data, IPT_BASE_URL=server.base_url, IPT_API_KEY="sk-test", IPT_MODEL="fake-model",
                   IPT_TIMEOUT="10", OPENAI_LOG="debug", LANGCHAIN_VERBOSE="true")
        runs = [
            (["ask", "-"], QUESTION),
            (["ask", "-", "--json"], QUESTION),
            (["note", str(bullets), "--out", str(work / "note.md")], None),
            (["chat"], f"{QUESTION}\n/quit\n"),
        ]
        # One fresh process (the SDK reads OPENAI_LOG when it is imported) runs the four commands in turn:
        # its whole stderr, third-party writers included, is checked. One import instead of four.
        proc = subprocess.run([sys.executable, "-c", _DRIVER, json.dumps(runs)], cwd=work, env=env,
                              capture_output=True, timeout=90)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert proc.stdout.decode().count("ran:") == len(runs), proc.stdout.decode()[-2000:]
    assert MARK not in err, err[:2000]
    assert all(l.startswith("ipt:") for l in err.splitlines() if l.strip()), err[:2000]
    assert (work / "note.md").stat().st_mode & 0o777 == 0o600
    # the note is where it was asked to be; nothing else holds patient text
    assert _files_with(work, MARK) == [work / "note.md"] or sorted(_files_with(work, MARK)) == sorted(
        [work / "note.md", bullets])
    assert _files_with(data, MARK) == []


def test_eval_record_and_reports_go_to_the_data_dir_privately(data_copy: Path, tmp_path: Path):
    from assistant.evals.runner import evals_dir

    data = data_copy
    committed = evals_dir() / "recordings"
    before = sorted(p.name for p in committed.iterdir()) if committed.exists() else []
    with FakeOpenAIServer(_answer_handler) as server:
        env = cli_env(data, IPT_BASE_URL=server.base_url, IPT_API_KEY="sk-test", IPT_MODEL="fake-model",
                   IPT_TIMEOUT="10")
        proc = run_ipt(["eval", "--mode", "record", "--filter", "ns_pf_initial_grief_s1", "--no-progress"],
                       cwd=tmp_path, env=env)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    recorded = list((data / "recordings" / "fake-model").glob("*.json"))
    assert recorded
    for path in [*recorded, *(data / "reports").iterdir()]:
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert (data / "recordings").stat().st_mode & 0o777 == 0o700
    assert (data / "reports").stat().st_mode & 0o777 == 0o700
    assert sorted((data / "reports").iterdir()) and not (tmp_path / "reports").exists()
    after = sorted(p.name for p in committed.iterdir()) if committed.exists() else []
    assert after == before, "record wrote into the package's evals/recordings"


def test_replay_still_reads_the_committed_recordings(data_copy: Path):
    proc = run_ipt(["eval", "--mode", "replay", "--filter", "ns_pf_initial_grief_s1", "--no-progress", "--json"],
                   env=cli_env(data_copy))
    assert proc.returncode in (0, 1), proc.stderr.decode()
    report = json.loads(Path(json.loads(proc.stdout)["reports"]["json"]).read_text(encoding="utf-8"))
    assert report["model"] == "qwen2.5-coder-1.5b-instruct"
    (result,) = report["results"]
    # a pass or fail re-graded from the stored output; an error only when the prompts or knowledge changed
    # since the recording (then the key misses), never because the recordings were not found
    assert result["verdict"] in ("pass", "fail") or "no recording for this call" in (result["error"] or ""), result
    assert Path(json.loads(proc.stdout)["reports"]["json"]).is_relative_to(data_copy)
