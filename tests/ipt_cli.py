"""Run the ``ipt`` command line from a test: in this process by default, in a child process on request.

A child Python costs about a second of imports per call (numpy, onnxruntime, the ONNX session, the NLP
stack), which made command-line tests most of the suite's time. ``main(argv)`` is written to run in-process
(it restores logging and signal handlers when it returns), so most tests call it here with the
environment, working folder and standard streams swapped for the call. Tests about what only a fresh
process shows (cold imports, loggers configured from the environment at import time, signals sent to
the process, what third-party code writes to the real stderr) pass ``isolated=True``.

Both forms return a :class:`subprocess.CompletedProcess` with ``returncode``, ``stdout`` and ``stderr``
(bytes, or str with ``text=True``).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

REPO = Path(__file__).resolve().parents[1]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment minus IPT_*/OPENAI_*/proxies, plus the data dir and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_")) and k not in PROXY_VARS}
    env.update(IPT_DATA_DIR=str(data_dir), NO_PROXY="127.0.0.1,localhost", PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def run_ipt(args: Sequence[Any], *, env: dict[str, str], stdin: bytes | str | None = None, cwd: Path = REPO,
            text: bool = False, isolated: bool = False, timeout: float = 180) -> subprocess.CompletedProcess:
    """``ipt ARGS`` with exactly ``env`` as its environment, ``cwd`` as its folder and ``stdin`` as input."""
    argv = [str(a) for a in args]
    data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    if isolated:
        proc = subprocess.run([sys.executable, "-m", "assistant.cli", *argv], input=data, capture_output=True,
                              env=env, cwd=cwd, timeout=timeout)
    else:
        proc = _in_process(argv, env, data, cwd)
    if text:
        return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                           proc.stderr.decode("utf-8", "replace"))
    return proc


class _Stream(io.TextIOWrapper):
    """A text stream over bytes that, like a pipe, is not a terminal."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8", errors="strict", newline=None, write_through=True)

    def value(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()  # type: ignore[attr-defined]


def _in_process(argv: list[str], env: dict[str, str], data: bytes, cwd: Path) -> subprocess.CompletedProcess:
    from assistant.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    stdin, stdout, stderr = _Stream(data), _Stream(), _Stream()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's --help, or a command that exits
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return subprocess.CompletedProcess(["ipt", *argv], code, stdout.value(), stderr.value())
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
