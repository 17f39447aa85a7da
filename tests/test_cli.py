"""The ``ipt`` command line (offline: no IPT_/OPENAI_ variables), run in-process through ``main`` (see
``ipt_cli``); the answer contract and a broken knowledge base are also checked in a real child process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ipt_cli import cli_env, run_ipt

REPO = Path(__file__).resolve().parent.parent
PATIENT_TEXT = "Maria told me her husband Tomas shouted at her about the rent"


def _env(data_dir: Path) -> dict[str, str]:
    return cli_env(data_dir)


def ipt(*args: str, data_dir: Path, stdin: bytes | None = None, isolated: bool = False) -> subprocess.CompletedProcess[bytes]:
    return run_ipt(args, env=_env(data_dir), stdin=stdin, isolated=isolated)


def _one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8")
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("ipt: ")
    assert "Traceback" not in err
    return lines[0]


def test_help_exits_zero(ipt_data_dir: Path) -> None:
    proc = ipt("--help", data_dir=ipt_data_dir)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for command in ("ask", "techniques", "index"):
        assert command in out


def test_ask_help_exits_zero(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "--help", data_dir=ipt_data_dir)
    assert proc.returncode == 0
    assert "--session" in proc.stdout.decode() and "--focus" in proc.stdout.decode()


# -- ask ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ask_json(ipt_data_dir: Path) -> dict:
    proc = ipt("ask", "Session 5: she keeps fighting with her husband about chores. What next?", "--json",
               data_dir=ipt_data_dir, isolated=True)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout.decode("utf-8"))


def test_ask_json_has_the_answer_contract(ask_json: dict) -> None:
    data = ask_json
    for key in ("answer", "mode", "model", "session", "phase", "focal_area", "focal_area_source",
                "techniques", "citations", "flags", "usage"):
        assert key in data, key
    assert isinstance(data["answer"], str) and data["answer"].strip()
    assert data["mode"] == "offline"
    assert data["model"] is None
    assert data["session"] == 5
    assert data["phase"] == "middle"
    assert data["focal_area"] == "role_dispute"
    assert data["focal_area_source"] == "inferred"
    assert isinstance(data["techniques"], list) and data["techniques"]
    assert all(isinstance(t, str) for t in data["techniques"])
    assert data["citations"]
    for c in data["citations"]:
        assert {"id", "title", "kind"} <= set(c)
        assert c["kind"] in {"technique", "phase", "focal_area", "frame"}
    cited = {c["id"] for c in data["citations"] if c["kind"] == "technique"}
    assert set(data["techniques"]) <= cited
    assert isinstance(data["flags"], list)
    for f in data["flags"]:
        assert {"code", "message"} <= set(f)
    assert isinstance(data["usage"], dict)
    assert "latency_ms" in data["usage"]


def test_ask_plain_prints_markdown(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "Session 5: she keeps fighting with her husband about chores.", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")
    assert "## Next steps" in out
    assert "Session 5 of 16" in out


def test_ask_reads_the_question_from_stdin(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "-", "--json", data_dir=ipt_data_dir,
               stdin="Session 3: her mother died in March and she can’t stop crying.\n".encode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["session"] == 3
    assert data["phase"] == "initial"
    assert data["focal_area"] == "grief"


def test_ask_with_session_and_focus_options(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "She keeps fighting with her husband.", "--session", "14", "--focus", "role dispute",
               "--json", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["session"] == 14 and data["phase"] == "termination"
    assert data["focal_area"] == "role_dispute" and data["focal_area_source"] == "given"


# -- ask: bad input exits 2 with one line, and no patient text -----------------------------------


def test_empty_question_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "", data_dir=ipt_data_dir)
    assert proc.returncode == 2
    assert "empty" in _one_line_error(proc)
    assert proc.stdout == b""


def test_blank_stdin_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "-", data_dir=ipt_data_dir, stdin=b"   \n")
    assert proc.returncode == 2
    _one_line_error(proc)


def test_session_zero_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", PATIENT_TEXT, "--session", "0", data_dir=ipt_data_dir)
    assert proc.returncode == 2
    line = _one_line_error(proc)
    assert "session" in line
    assert "Maria" not in proc.stderr.decode() and "Tomas" not in proc.stderr.decode()


def test_unknown_focus_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", PATIENT_TEXT, "--focus", "nonsense", data_dir=ipt_data_dir)
    assert proc.returncode == 2
    line = _one_line_error(proc)
    assert "nonsense" in line
    assert "Maria" not in proc.stderr.decode() and "Tomas" not in proc.stderr.decode()


def test_non_utf8_stdin_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "-", data_dir=ipt_data_dir, stdin=b"Session 4: Maria \xff\xfe cried about Tomas")
    assert proc.returncode == 2
    line = _one_line_error(proc)
    assert "UTF-8" in line
    assert "Maria" not in proc.stderr.decode("utf-8", "replace")


def test_too_long_question_exits_2(ipt_data_dir: Path) -> None:
    question = (PATIENT_TEXT + ". ") * 200
    assert len(question) > 8000
    proc = ipt("ask", "-", data_dir=ipt_data_dir, stdin=question.encode("utf-8"))
    assert proc.returncode == 2
    line = _one_line_error(proc)
    assert "too long" in line
    assert "Maria" not in proc.stderr.decode() and "Tomas" not in proc.stderr.decode()
    assert proc.stdout == b""


def test_question_at_the_limit_is_accepted(ipt_data_dir: Path) -> None:
    base = "Session 5: she keeps fighting with her husband about chores. "
    question = (base * (8000 // len(base) + 1))[:8000]
    proc = ipt("ask", "-", "--json", data_dir=ipt_data_dir, stdin=question.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode()


def test_too_long_argv_question_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", "x" * 8001, data_dir=ipt_data_dir)
    assert proc.returncode == 2
    assert "x" * 50 not in proc.stderr.decode()


def test_bad_option_value_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("ask", PATIENT_TEXT, "--session", "six", data_dir=ipt_data_dir)
    assert proc.returncode == 2
    assert "Maria" not in proc.stderr.decode()


# -- techniques --------------------------------------------------------------------------------


def test_techniques_json_lists_24(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", "--json", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    items = json.loads(proc.stdout.decode("utf-8"))
    assert len(items) == 24
    assert len({t["id"] for t in items}) == 24
    assert "role_play" in {t["id"] for t in items}


def test_techniques_plain_lists_24(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", data_dir=ipt_data_dir)
    assert proc.returncode == 0
    assert "24 technique(s)" in proc.stdout.decode()


def test_techniques_filtered_by_phase(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", "--phase", "termination", "--json", data_dir=ipt_data_dir)
    assert proc.returncode == 0
    items = json.loads(proc.stdout.decode("utf-8"))
    assert items and all("termination" in t["phases"] for t in items)
    assert "termination_work" in {t["id"] for t in items}


def test_techniques_show_one(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", "role_play", data_dir=ipt_data_dir)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")
    assert "# Role Play (`role_play`)" in out
    for section in ("## When to use", "## Key phrases", "## Follow-up questions", "## Warnings"):
        assert section in out


def test_techniques_show_one_json(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", "role_play", "--json", data_dir=ipt_data_dir)
    assert proc.returncode == 0
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["id"] == "role_play" and len(data["key_phrases"]) >= 4


def test_techniques_unknown_id_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", "nope", data_dir=ipt_data_dir)
    assert proc.returncode == 2
    assert "nope" in _one_line_error(proc)


def test_techniques_unknown_phase_exits_2(ipt_data_dir: Path) -> None:
    proc = ipt("techniques", "--phase", "ending", data_dir=ipt_data_dir)
    assert proc.returncode == 2
    _one_line_error(proc)


# -- index -------------------------------------------------------------------------------------


def test_index_json_reports_chunks_and_seconds(tmp_path: Path, seeded_data_dir) -> None:
    # Its own data dir: a forced rebuild must not pull the shared index from under other tests.
    proc = ipt("index", "--json", data_dir=seeded_data_dir("data"))
    assert proc.returncode == 0, proc.stderr.decode()
    info = json.loads(proc.stdout.decode("utf-8"))
    assert isinstance(info["chunks"], int) and info["chunks"] > 24
    assert isinstance(info["seconds"], (int, float)) and info["seconds"] >= 0
    assert info["content_hash"]
    assert str(tmp_path / "data") in info["store"]


# -- a broken knowledge base exits 3 --------------------------------------------------------------


def test_broken_knowledge_base_exits_3(tmp_path: Path, knowledge_dir: Path) -> None:
    import shutil

    root = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir, root)
    path = root / "techniques" / "role_play.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("key_phrases:", "key_phrases: [\n", 1),
                    encoding="utf-8")
    env = _env(tmp_path / "data")
    env["IPT_KNOWLEDGE_DIR"] = str(root)
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "techniques"], capture_output=True, env=env,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 3
    line = _one_line_error(proc)
    assert "role_play.yaml" in line
