#!/usr/bin/env bash
# local_model_serve.sh — run the local OpenAI-compatible model server (llama-cpp-python) for the IPT Assistant.
#
# Usage:
#   scripts/local_model_serve.sh [qwen|smollm2]   start in the background (default: qwen) and wait until ready
#   scripts/local_model_serve.sh status           show what is serving on the port
#   scripts/local_model_serve.sh stop             stop the server this script started on the port
#
# Models (installed by scripts/local_model_setup.sh):
#   qwen     Qwen2.5-Coder-1.5B-Instruct Q4_K_M — best model available offline; still invents facts.
#   smollm2  SmolLM2-135M-Instruct Q4_1         — for wiring tests only; its answers are useless.
#
# The server binds to 127.0.0.1 only (patient text stays on this machine). It uses the chat template
# embedded in the GGUF file, with which the server returns no tool_calls: the model writes its tool calls
# as text, and the chat agent parses them (assistant/agent.py, "text" mode).
# After start-up the script measures the model's speed and prints an IPT_TIMEOUT that fits it.
#
# Environment:
#   IPT_LLM_PREFIX      install prefix (default /opt/ipt-llm)
#   IPT_LLM_PORT        port (default 8088)
#   IPT_LLM_CTX         context window in tokens (default 8192)
#   IPT_LLM_THREADS     CPU threads for generation (default: number of cores; on a machine shared with
#                       other work, 1 is several times faster: spinning threads wait on each other)
#   IPT_LLM_THREADS_BATCH CPU threads for reading the prompt (default: number of cores)
#   IPT_LLM_FOREGROUND  1 runs the server in the foreground instead (Ctrl-C stops it)
#   IPT_LLM_CHAT_FORMAT llama-cpp-python chat format (default: unset = the GGUF's own chat template).
#                       "chatml-function-calling" makes non-streamed tool_choice="auto" return tool_calls
#                       with Qwen, but streamed requests come back empty, a text answer with tools offered
#                       is forced empty, tool results are ignored and text turns come back HTML-escaped
#                       (tried 2026-12-02, see README): leave it unset for the chat agent.
#
# Files: $PREFIX/server-$PORT.pid and $PREFIX/server-$PORT.log
set -euo pipefail

PREFIX="${IPT_LLM_PREFIX:-/opt/ipt-llm}"
HOST="127.0.0.1"
PORT="${IPT_LLM_PORT:-8088}"
CTX="${IPT_LLM_CTX:-8192}"
CORES="$(nproc)"
LOAD="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
# On a busy machine (load >= cores) generation threads spin-wait on each other: 1 thread is faster.
BUSY="$(awk -v l="$LOAD" -v c="$CORES" 'BEGIN { print (l >= c) ? 1 : 0 }')"
THREADS="${IPT_LLM_THREADS:-$([[ "$BUSY" == 1 ]] && echo 1 || echo "$CORES")}"
THREADS_BATCH="${IPT_LLM_THREADS_BATCH:-$([[ "$BUSY" == 1 ]] && echo 1 || echo "$CORES")}"
FOREGROUND="${IPT_LLM_FOREGROUND:-0}"
CHAT_FORMAT="${IPT_LLM_CHAT_FORMAT:-}"
ACTION="${1:-qwen}"

PY="$PREFIX/venv/bin/python"
PID_FILE="$PREFIX/server-$PORT.pid"
LOG_FILE="$PREFIX/server-$PORT.log"
BASE_URL="http://$HOST:$PORT/v1"

log() { printf '[local_model_serve] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -x "$PY" ]] || die "$PY not found: run scripts/local_model_setup.sh first"

# served_models -> prints the model ids served at $BASE_URL, or fails when nothing answers there.
served_models() {
  "$PY" - "$BASE_URL/models" <<'EOF' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
    print(" ".join(m["id"] for m in json.load(r)["data"]))
EOF
}

# port_busy -> true when something accepts TCP connections on $HOST:$PORT.
port_busy() {
  "$PY" -c 'import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2])))==0 else 1)' "$HOST" "$PORT"
}

our_pid() {  # prints the PID of the server this script started on $PORT, if it is still alive
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; else return 1; fi
}

# measure_timeout MODEL -> prints a deadline in seconds for one whole answer on this machine, now: it
# times the model reading a ~300-token prompt and writing 32 tokens (two short requests), and scales that
# to an answer's prompt (IPT_LLM_ASK_PROMPT tokens, default 2600) and reply (IPT_LLM_ASK_REPLY, default
# 900 = the assistant's max_tokens), with a 1.5x margin, never below 120 s. Prints 300 when it cannot measure.
measure_timeout() {
  "$PY" - "$BASE_URL" "$1" "${IPT_LLM_ASK_PROMPT:-2600}" "${IPT_LLM_ASK_REPLY:-900}" <<'EOF' || echo 300
import json, math, sys, time, urllib.request
base, model, prompt_tokens, reply_tokens = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
words = ("The clinician asks what to do next in session five of sixteen with a client in a role dispute. " * 18)
def call(max_tokens, salt):
    body = {"model": model, "temperature": 0, "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": f"{salt} {words} Summarise this in one long paragraph."}]}
    req = urllib.request.Request(base + "/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"})
    t0 = time.monotonic()
    with urllib.request.urlopen(req, timeout=900) as r:
        usage = json.load(r)["usage"]
    return time.monotonic() - t0, usage
salt = f"{time.time()}"
read_s, u1 = call(1, salt)    # reading a new prompt (plus one token)
gen_s, u2 = call(33, salt)    # the same prompt, now cached by the server: mostly writing 32 tokens
read_rate = u1["prompt_tokens"] / max(read_s, 1e-3)
write_rate = max(1, u2["completion_tokens"]) / max(gen_s, 1e-3)
need = prompt_tokens / read_rate + reply_tokens / write_rate
sys.stderr.write(f"[local_model_serve] measured: reads {read_rate:.0f} tok/s, writes {write_rate:.1f} tok/s\n")
print(max(120, int(math.ceil(1.5 * need / 10.0)) * 10))
EOF
}

print_env() {
  local timeout="${2:-300}"
  cat <<EOF
# Use the local model with the IPT Assistant:
export IPT_BASE_URL=$BASE_URL
export IPT_API_KEY=local
export IPT_MODEL=$1
# IPT_TIMEOUT is the deadline for one whole answer, measured on this machine just now; run
# "$0 status" to measure again when the machine's load changes
export IPT_TIMEOUT=$timeout
EOF
}

case "$ACTION" in
  qwen)
    MODEL_PATH="$PREFIX/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    ALIAS="qwen2.5-coder-1.5b-instruct"
    ;;
  smollm2)
    MODEL_PATH="$PREFIX/SmolLM2-135M-Instruct.Q4_1.gguf"
    ALIAS="smollm2-135m-instruct"
    ;;
  status)
    if models="$(served_models)"; then
      log "serving on $BASE_URL: $models (pid $(our_pid || echo '?')); measuring its speed for IPT_TIMEOUT"
      print_env "${models%% *}" "$(measure_timeout "${models%% *}")"
      exit 0
    fi
    log "nothing serving on $BASE_URL"
    exit 1
    ;;
  stop)
    pid="$(our_pid)" || die "no server started by this script is running on port $PORT"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && die "pid $pid did not exit"
    rm -f "$PID_FILE"
    log "stopped pid $pid"
    exit 0
    ;;
  -h | --help | help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
    ;;
  *) die "unknown argument '$ACTION' (expected qwen, smollm2, status or stop)" ;;
esac

[[ -f "$MODEL_PATH" ]] || die "$MODEL_PATH not found: run scripts/local_model_setup.sh first"

# Already serving? Reuse it if it is the same model; refuse to clobber anything else on the port.
if port_busy; then
  models="$(served_models || true)"
  if [[ " $models " == *" $ALIAS "* ]]; then
    log "$ALIAS is already being served on $BASE_URL (pid $(our_pid || echo '?')); measuring its speed"
    print_env "$ALIAS" "$(measure_timeout "$ALIAS")"
    exit 0
  fi
  die "port $PORT is in use (serving: ${models:-unknown}); stop it first ($0 stop) or set IPT_LLM_PORT"
fi

ARGS=(
  -m llama_cpp.server
  --model "$MODEL_PATH"
  --model_alias "$ALIAS"
  --host "$HOST"
  --port "$PORT"
  --n_ctx "$CTX"
  --n_threads "$THREADS"
  --n_threads_batch "$THREADS_BATCH"
)
if [[ -n "$CHAT_FORMAT" ]]; then ARGS+=(--chat_format "$CHAT_FORMAT"); fi

if [[ "$FOREGROUND" == "1" ]]; then
  print_env "$ALIAS"
  exec "$PY" "${ARGS[@]}"
fi

log "starting $ALIAS on $BASE_URL (log: $LOG_FILE)"
nohup "$PY" "${ARGS[@]}" >"$LOG_FILE" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PID_FILE"

# Wait until the model is loaded and the API answers (the 1.1 GB model loads in a few seconds).
for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    tail -n 30 "$LOG_FILE" >&2 || true
    die "server exited during start-up (see $LOG_FILE)"
  fi
  if served_models >/dev/null; then
    log "ready: $ALIAS on $BASE_URL (pid $pid; threads: $THREADS generation, $THREADS_BATCH prompt); measuring its speed for IPT_TIMEOUT"
    print_env "$ALIAS" "$(measure_timeout "$ALIAS")"
    exit 0
  fi
  sleep 0.5
done
die "server (pid $pid) did not answer within 120 s; see $LOG_FILE"
