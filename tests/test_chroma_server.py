"""IPT_CHROMA_URL: the index lives on a Chroma server (one started here on 127.0.0.1)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.config import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists():
        pytest.skip("the chroma server command is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the chroma server did not start")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_index_is_built_on_the_server_and_answers_come_from_it(chroma_url: str, seeded_data_dir) -> None:
    tmp_path = seeded_data_dir("data")
    settings = Settings.from_env(offline=True).model_copy(update={"chroma_url": chroma_url, "data_dir": tmp_path})
    a = Assistant(settings, offline=True)
    index = a.retriever.index
    assert index.built, "first use builds the collection on the server"
    assert index.collection.count() == len(a.retriever.chunks)
    assert not (tmp_path / "chroma").exists(), "no embedded store when a server URL is set"
    ans = a.ask("she has not stopped crying since her father died in May", session=6)
    assert ans.focal_area == "grief" and "grief_work" in ans.techniques[:3]

    again = Assistant(settings, offline=True).retriever.index
    assert not again.built, "an up-to-date collection on the server is reused, not rebuilt"
