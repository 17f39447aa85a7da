#!/usr/bin/env python3
"""Measure issue 11's numbers with real processes and local fake endpoints (127.0.0.1 only).

    python scripts/fault_trials.py                 # everything: about 5 minutes on 2 cores
    python scripts/fault_trials.py --only race --trials 5

* race      first-run crashes: TRIALS x PARALLEL `ipt ask` started together on an empty data dir
* slow      an endpoint that sends one byte every 2 s, IPT_TIMEOUT=5, IPT_MAX_RETRIES=1:
            wall time of `ipt ask -` (streamed) and `ipt ask - --json`, and the labelled fallback
* stream    a stream cut before its finish reason: never shown as a model answer
* corrupt   a corrupt sqlite store: time for `ipt ask --json` to recover by itself
* signals   SIGTERM / SIGHUP / SIGKILL during `ipt note --out` (+ the next start): temp files left
* probes    the issue's probe list: tracebacks, exit codes, one-line errors

Prints a table and writes the figures as JSON to stdout's last line (``--json`` for JSON only).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.testing.fake_server import FakeOpenAIServer, Reply  # noqa: E402

QUESTION = "Session 5 of 16: Marisol keeps fighting with her husband about chores. What should I do next?"
BULLETS = "- s. 6/16 role dispute w/ husband Tomas\n- mood 4/10\n- role-played asking for help\n"


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPT_", "OPENAI_"))}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(name, None)
    env.update(IPT_DATA_DIR=str(data_dir), NO_PROXY="127.0.0.1,localhost", PYTHONPATH=str(REPO), **extra)
    return env


def ipt(args: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: float = 300,
        cwd: Path = REPO) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, input=stdin, cwd=cwd,
                          capture_output=True, timeout=timeout)
    return proc, time.perf_counter() - t0


def crashed(proc: subprocess.CompletedProcess | subprocess.Popen, err: bytes) -> bool:
    return proc.returncode != 0 or b"Traceback" in err


# -- race -------------------------------------------------------------------------------------------
def race(trials: int, parallel: int) -> dict:
    crashes = 0
    runs = 0
    seconds: list[float] = []
    for trial in range(trials):
        with tempfile.TemporaryDirectory(prefix="ipt-race-") as tmp:
            env = env_for(Path(tmp) / "data")
            t0 = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, "-m", "assistant.cli", "ask", QUESTION, "--json"], env=env,
                                      cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(parallel)]
            for p in procs:
                out, err = p.communicate(timeout=600)
                runs += 1
                bad = crashed(p, err)
                if not bad:
                    try:
                        bad = json.loads(out)["mode"] != "offline"
                    except (ValueError, KeyError):
                        bad = True
                if bad:
                    crashes += 1
                    sys.stderr.write(f"  trial {trial}: rc={p.returncode} {err.decode(errors='replace')[-300:]}\n")
            seconds.append(time.perf_counter() - t0)
        sys.stderr.write(f"  race trial {trial + 1}/{trials}: {crashes} crash(es) so far\n")
    return {"trials": trials, "parallel": parallel, "processes": runs, "crashes": crashes,
            "trial_seconds_max": round(max(seconds), 1)}


# -- slow endpoint --------------------------------------------------------------------------------------
def slow(data_dir: Path) -> dict:
    out: dict = {}
    with FakeOpenAIServer(lambda body: Reply(text="Use [role_play]. " * 20, drip=2.0)) as server:
        env = env_for(data_dir, IPT_BASE_URL=server.base_url, IPT_API_KEY="k", IPT_MODEL="fake-model",
                      IPT_TIMEOUT="5", IPT_MAX_RETRIES="1")
        for name, args in (("streamed", ["ask", "-"]), ("json", ["ask", "-", "--json"])):
            proc, secs = ipt(args, env, QUESTION.encode(), timeout=300)
            text = proc.stdout.decode(errors="replace")
            labelled = "Grounded offline answer" in text and "endpoint_error" in text and "did not answer in time" in text
            out[name] = {"seconds": round(secs, 2), "rc": proc.returncode, "fallback_labelled": labelled,
                         "traceback": b"Traceback" in proc.stderr}
    return out


def truncated_stream(data_dir: Path) -> dict:
    """A stream cut before its finish reason (streamed `ask`), and a JSON body cut mid-way (`--json`)."""
    cut_body = b'{"id": "c1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assi'

    def handler(body: dict) -> Reply:
        if body.get("stream"):
            return Reply(text="Use [role_play] and then " * 10, stream_cut=3)
        return Reply(raw=cut_body)

    with FakeOpenAIServer(handler) as server:
        env = env_for(data_dir, IPT_BASE_URL=server.base_url, IPT_API_KEY="k", IPT_MODEL="fake-model",
                      IPT_TIMEOUT="5")
        streamed, _ = ipt(["ask", "-"], env, QUESTION.encode())
        as_json, _ = ipt(["ask", "-", "--json"], env, QUESTION.encode())
    data = json.loads(as_json.stdout)
    text = streamed.stdout.decode(errors="replace")
    stream_ok = "discard it" in text and "Grounded offline answer" in text and "no finish reason" in text
    return {"shown_as_model_answer": not stream_ok or data["mode"] == "llm",
            "streamed_fallback_labelled": stream_ok, "json_mode": data["mode"],
            "json_flag": next((f["message"] for f in data["flags"] if f["code"] == "endpoint_error"), None)}


# -- corrupt store ----------------------------------------------------------------------------------------
def corrupt(tmp: Path) -> dict:
    data = tmp / "corrupt"
    env = env_for(data)
    proc, build = ipt(["index"], env)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"not a database " * 1000)
    proc, secs = ipt(["ask", QUESTION, "--json"], env)
    ok = proc.returncode == 0 and json.loads(proc.stdout)["mode"] == "offline"
    again, secs2 = ipt(["ask", QUESTION, "--json"], env)
    return {"recovered": ok and again.returncode == 0, "recovery_seconds": round(secs, 2),
            "index_build_seconds": round(build, 2), "next_ask_seconds": round(secs2, 2),
            "stderr": proc.stderr.decode(errors="replace").strip()}


# -- signals ---------------------------------------------------------------------------------------------
_SLOW_WRITE = """
import os, sys, time
real = os.fsync
def slow(fd):
    real(fd); time.sleep(60)
os.fsync = slow
from assistant.cli import main
sys.exit(main(["note", sys.argv[1], "--out", sys.argv[2]]))
"""


def signals(tmp: Path, data_dir: Path) -> dict:
    bullets = tmp / "bullets.txt"
    bullets.write_text(BULLETS, encoding="utf-8")
    results = {}
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
        folder = tmp / f"notes-{sig.name}"
        folder.mkdir()
        out = folder / "note.md"
        p = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, str(bullets), str(out)], cwd=REPO,
                             env=env_for(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 120
        while time.time() < deadline and not any(f.stat().st_size for f in folder.glob(".*.tmp")):
            time.sleep(0.05)
        p.send_signal(sig)
        p.communicate(timeout=30)
        left = [f.name for f in folder.iterdir()]
        ipt(["techniques", "--json"], env_for(data_dir))  # the next start
        after = [f.name for f in folder.iterdir()]
        results[sig.name] = {"exit": p.returncode, "left_at_exit": len(left), "left_after_next_start": len(after)}
    return results


# -- probe list ------------------------------------------------------------------------------------------
def probes(tmp: Path, data_dir: Path) -> dict:
    bullets = tmp / "b.txt"
    bullets.write_text(BULLETS, encoding="utf-8")
    blocker = tmp / "blocker"
    blocker.write_text("x")
    env = env_for(data_dir)
    cases = {
        "ask invalid UTF-8 argv": ([b"ask", b"session 5 \xff\xfe her husband"], None, 2),
        "chat invalid UTF-8 line": (["chat"], b"Marisol \xff\n/quit\n", 0),
        "eval --ids missing": (["eval", "--ids", str(tmp / "missing.txt")], None, 2),
        "eval --report-dir unwritable": (["eval", "--report-dir", str(blocker / "r")], None, 2),
        "bench --repeat 0": (["bench", "--repeat", "0"], None, 2),
        "note --out /proc": (["note", str(bullets), "--out", "/proc/self/fdinfo/n.md"], None, 2),
        "note --out newdir/": (["note", str(bullets), "--out", str(tmp / "newdir") + "/"], None, 2),
        "note --out ''": (["note", str(bullets), "--out", ""], None, 2),
        "ask --of 0": (["ask", "q", "--of", "0"], None, 2),
        "ask --of -3": (["ask", "q", "--of", "-3"], None, 2),
        "ask --of 999": (["ask", "q", "--of", "999"], None, 2),
        "note --session 999": (["note", str(bullets), "--session", "999"], None, 2),
        "chat --of 0": (["chat", "--of", "0"], b"/quit\n", 2),
        "ask --timeout 0": (["ask", "q", "--timeout", "0"], None, 2),
        "IPT_TIMEOUT=0": (["ask", "q"], None, 2),
        "read-only data dir": (["ask", "q"], None, 2),
        "uncreatable data dir": (["ask", "q"], None, 2),
    }
    rows = {}
    for name, (args, stdin, want) in cases.items():
        e = dict(env)
        if name == "IPT_TIMEOUT=0":
            e["IPT_TIMEOUT"] = "0"
        elif name == "read-only data dir":
            e["IPT_DATA_DIR"] = "/proc/self/fdinfo"
        elif name == "uncreatable data dir":
            e["IPT_DATA_DIR"] = str(blocker / "data")
        proc = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=e, input=stdin, cwd=tmp,
                              capture_output=True, timeout=120)
        err = proc.stderr.decode(errors="replace")
        lines = [l for l in err.splitlines() if l.strip()]
        rows[name] = {"rc": proc.returncode, "want": want, "traceback": "Traceback" in err,
                      "one_line": len(lines) <= 1 and all(l.startswith("ipt:") for l in lines),
                      "stderr": lines[0] if lines else ""}
    return {"cases": rows, "tracebacks": sum(r["traceback"] for r in rows.values()),
            "wrong_exit": [k for k, r in rows.items() if r["rc"] != r["want"]],
            "not_one_line": [k for k, r in rows.items() if not r["one_line"]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--only", choices=("race", "slow", "stream", "corrupt", "signals", "probes"), action="append")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    todo = args.only or ["race", "slow", "stream", "corrupt", "signals", "probes"]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="ipt-faults-") as tmp_name:
        tmp = Path(tmp_name)
        shared = tmp / "data"
        ipt(["index"], env_for(shared))
        for name in todo:
            sys.stderr.write(f"running {name} ...\n")
            if name == "race":
                results["race"] = race(args.trials, args.parallel)
            elif name == "slow":
                results["slow"] = slow(shared)
            elif name == "stream":
                results["stream"] = truncated_stream(shared)
            elif name == "corrupt":
                results["corrupt"] = corrupt(tmp)
            elif name == "signals":
                results["signals"] = signals(tmp, shared)
            else:
                results["probes"] = probes(tmp, shared)
    if not args.json:
        if "race" in results:
            r = results["race"]
            print(f"first-run crashes, {r['trials']} trials x {r['parallel']} parallel ask: {r['crashes']} "
                  f"of {r['processes']} (slowest trial {r['trial_seconds_max']} s)")
        if "slow" in results:
            for k, v in results["slow"].items():
                print(f"slow endpoint (1 byte / 2 s), IPT_TIMEOUT=5, one retry, {k}: {v['seconds']} s, "
                      f"fallback labelled: {v['fallback_labelled']}, rc {v['rc']}")
        if "stream" in results:
            print(f"truncated stream shown as a model answer: {results['stream']['shown_as_model_answer']}")
        if "corrupt" in results:
            c = results["corrupt"]
            print(f"corrupt store: recovered {c['recovered']} in {c['recovery_seconds']} s "
                  f"(a plain index build: {c['index_build_seconds']} s)")
        if "signals" in results:
            for k, v in results["signals"].items():
                print(f"{k} during note --out: exit {v['exit']}, temp files left at exit {v['left_at_exit']}, "
                      f"after the next start {v['left_after_next_start']}")
        if "probes" in results:
            p = results["probes"]
            print(f"probe list: {len(p['cases'])} probes, tracebacks {p['tracebacks']}, wrong exit codes "
                  f"{p['wrong_exit'] or 0}, not one ipt: line {p['not_one_line'] or 0}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
