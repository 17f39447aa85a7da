"""Fault injection at the command line: no tracebacks (exit 2, one line), no silent acceptance,
numeric options checked alike in ask, note and chat, and no patient text left on disk after a
signal. Most probes run ``assistant.cli.main`` in-process (fast); the ones about real processes
(bytes in argv and on stdin, signals) run ``python -m assistant.cli``."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ipt_cli import cli_env

from assistant.cli import main

REPO = Path(__file__).resolve().parents[1]
BULLETS = "- s. 6/16 role dispute w/ husband Tomas\n- mood 4/10\n- role-played asking Marisol's husband for help\n"


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line(err: str) -> None:
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("ipt: "), err
    assert "Traceback" not in err and "Marisol" not in err and "Tomas" not in err


def run_cli(args: list[str | bytes], data_dir: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=cli_env(data_dir), cwd=REPO,
                          input=stdin, capture_output=True, timeout=90)


@pytest.fixture
def bullets(tmp_path: Path) -> Path:
    path = tmp_path / "bullets.txt"
    path.write_text(BULLETS, encoding="utf-8")
    return path


# -- numeric options: the same rules everywhere ----------------------------------------------------------
@pytest.mark.parametrize("option,value", [("--of", "0"), ("--of", "-3"), ("--of", "999"),
                                          ("--session", "0"), ("--session", "999"), ("--session", "-1")])
def test_numeric_options_are_checked_alike_in_ask_note_and_chat(capsys, bullets: Path, option: str, value: str):
    messages = set()
    for cmd in (["ask", "what next?"], ["note", str(bullets)], ["chat"]):
        rc, out, err = run_main([*cmd, option, value], capsys)
        assert rc == 2, (cmd, err)
        assert_one_line(err)
        assert out == ""
        messages.add(err)
    assert len(messages) == 1, messages  # the same message in all three commands


@pytest.mark.parametrize("argv", [
    ["bench", "--repeat", "0"],
    ["bench", "--repeat", "-5"],
    ["eval", "--concurrency", "0"],
], ids=["bench-repeat-0", "bench-repeat-negative", "eval-concurrency-0"])
def test_other_numeric_options_fail_fast(capsys, argv: list[str]):
    t0 = time.perf_counter()
    rc, _, err = run_main(argv, capsys)
    assert rc == 2 and time.perf_counter() - t0 < 1.0
    assert_one_line(err)


# -- eval inputs and outputs ----------------------------------------------------------------------------
def test_eval_ids_missing_file(capsys, tmp_path: Path):
    rc, _, err = run_main(["eval", "--ids", str(tmp_path / "nope.txt"), "--report-dir", str(tmp_path / "r")], capsys)
    assert rc == 2 and "no such file" in err
    assert_one_line(err)


@pytest.mark.parametrize("kind", ["under-a-file", "is-a-file", "proc"])
def test_eval_unwritable_report_dir_fails_before_running(capsys, tmp_path: Path, kind: str):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    target = {"under-a-file": blocker / "reports", "is-a-file": blocker, "proc": Path("/proc/self/fdinfo/r")}[kind]
    t0 = time.perf_counter()
    rc, _, err = run_main(["eval", "--report-dir", str(target), "--filter", "ns_"], capsys)
    assert rc == 2, err
    assert time.perf_counter() - t0 < 2  # before the run, not after it
    assert_one_line(err)
    assert str(target) in err


# -- note --out -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("out", ["", "newdir/", "DIR", "/proc/self/fdinfo/note.md"])
def test_note_out_refuses_what_it_cannot_write(capsys, bullets: Path, tmp_path: Path, monkeypatch, out: str):
    monkeypatch.chdir(tmp_path)
    if out == "DIR":
        (tmp_path / "existing").mkdir()
        out = "existing"
    before = sorted(p.name for p in tmp_path.iterdir())
    rc, stdout, err = run_main(["note", str(bullets), "--out", out], capsys)
    assert rc == 2, err
    assert stdout == ""  # nothing printed instead
    assert_one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created


def test_note_out_on_a_full_disk_is_one_line_and_leaves_nothing(capsys, bullets: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "note.md"
    rc, _, err = run_main(["note", str(bullets), "--out", str(out)], capsys)
    assert rc == 2 and "No space left on device" in err
    assert_one_line(err)
    assert list(tmp_path.iterdir()) == [bullets]


def test_note_out_writes_a_private_file(capsys, bullets: Path, tmp_path: Path):
    out = tmp_path / "note.md"
    rc, _, err = run_main(["note", str(bullets), "--out", str(out)], capsys)
    assert rc == 0, err
    assert "Tomas" in out.read_text(encoding="utf-8")
    assert stat_mode(out) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bullets.txt", "note.md"]


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- bytes that are not UTF-8 ----------------------------------------------------------------------------
def test_invalid_utf8_in_the_question_argument(ipt_data_dir: Path):
    proc = run_cli([b"ask", b"session 5: Marisol \xff\xfe fights with her husband"], ipt_data_dir)
    assert proc.returncode == 2
    assert_one_line(proc.stderr.decode("utf-8", "replace"))


def test_invalid_utf8_in_a_chat_line_costs_that_line_only(ipt_data_dir: Path):
    lines = b"/session 5\nMarisol \xff\xfe says\n/case\n/quit\n"
    proc = run_cli(["chat"], ipt_data_dir, stdin=lines)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "ipt: that line is not valid UTF-8 text; it was ignored" in out
    assert "Case: session 5 of 16" in out.split("ignored", 1)[1]  # the session went on
    assert "Traceback" not in proc.stderr.decode()


def test_an_out_of_range_session_in_chat_does_not_stick(capsys):
    import io

    from assistant.chat import run_chat
    from assistant.config import Settings

    stdin = io.StringIO("/session 5\nIn session 99 she fought with her husband again.\n"
                        "What should I do next about the fights with her husband?\n/case\n/quit\n")
    out = io.StringIO()
    assert run_chat(Settings(offline=True), stdin=stdin, stdout=out) == 0
    text = out.getvalue()
    assert "ipt: session 99 is out of range (1-60); the case is unchanged" in text
    assert "Case: session 5 of 16" in text.rsplit("ipt: session 99", 1)[1]
    assert text.count("Grounded offline answer") == 1  # the next turn was answered


# -- signals: no patient text left on disk -----------------------------------------------------------------
_SLOW_WRITE = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    real_fsync(fd)
    time.sleep(30)          # the temp file now holds the whole note: the signal lands here
os.fsync = slow_fsync
from assistant.cli import main
sys.exit(main(["note", sys.argv[1], "--out", sys.argv[2]]))
"""


def _start_slow_write(bullets: Path, out: Path, data_dir: Path) -> tuple[subprocess.Popen, Path]:
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, str(bullets), str(out)], cwd=REPO,
                            env=cli_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        temps = list(out.parent.glob(f".{out.name}.ipt-*.tmp"))
        if temps and temps[0].stat().st_size > 0:
            return proc, temps[0]
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the temp file never appeared: {proc.communicate()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_during_note_out_leaves_no_temp_file(bullets: Path, tmp_path: Path, ipt_data_dir: Path, sig):
    out = tmp_path / "notes" / "note.md"
    out.parent.mkdir()
    proc, temp = _start_slow_write(bullets, out, ipt_data_dir)
    assert "Tomas" in temp.read_text(encoding="utf-8")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + sig, err
    assert err.decode().strip() == f"ipt: stopped by {signal.Signals(sig).name}"
    assert list(out.parent.iterdir()) == []  # neither the temp file nor a half note
    assert not list((ipt_data_dir / "pending-writes").glob("*.path"))


def test_a_killed_writers_temp_file_is_removed_at_the_next_start(bullets: Path, tmp_path: Path, capsys):
    data = tmp_path / "data"
    out = tmp_path / "notes" / "note.md"
    out.parent.mkdir()
    proc, temp = _start_slow_write(bullets, out, data)
    proc.kill()  # SIGKILL: nothing can run
    proc.communicate(timeout=20)
    assert temp.exists() and len(list((data / "pending-writes").glob("*.path"))) == 1
    # the next start of any command cleans it up
    old = os.environ.get("IPT_DATA_DIR")
    os.environ["IPT_DATA_DIR"] = str(data)
    try:
        rc, _, _ = run_main(["techniques", "--json"], capsys)
    finally:
        if old is None:
            del os.environ["IPT_DATA_DIR"]
        else:
            os.environ["IPT_DATA_DIR"] = old
    assert rc == 0
    assert not temp.exists()
    assert not list((data / "pending-writes").glob("*.path"))


def test_stale_temp_files_next_to_the_target_are_removed(bullets: Path, tmp_path: Path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".note.md.ipt-{dead.pid}-abcd1234.tmp"
    stale.write_text("- Marisol's bullets")
    live = tmp_path / f".note.md.ipt-{os.getppid()}-abcd1234.tmp"  # a running writer's: kept
    live.write_text("in progress")
    rc, _, err = run_main(["note", str(bullets), "--out", str(tmp_path / "note.md")], capsys)
    assert rc == 0, err
    assert not stale.exists() and live.exists()
