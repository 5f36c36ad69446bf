# Shared by scripts/demo and scripts/test: install what RNNKit needs when it is missing.
# Sourced, not run. Works as root or through sudo, on Debian and Ubuntu.

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# libhdf5-dev, libopenblas-dev and pkgconf (libhdf5-dev does not pull pkg-config in), and python3-venv when the
# interpreter cannot make a virtual environment.
ensure_system_packages() {
    local missing=()
    pkg-config --exists hdf5 2>/dev/null || missing+=(libhdf5-dev)
    pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkgconf)
    if [ "${1:-}" = "python" ] && ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
        missing+=(python3-venv python3-pip)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: no Swift toolchain on PATH; install Swift 6.1 or newer (https://www.swift.org/install)" >&2
        exit 1
    fi
}

# .venv with tools/requirements.txt, reinstalled when the requirements change.
# The peer benchmark's environment (Keras 3 with JAX and TensorFlow, ONNX Runtime): .venv-bench.
ensure_bench_env() {
    local stamp=.venv-bench/requirements.sha256
    local want
    want=$(sha256sum tools/requirements-bench.txt | cut -d' ' -f1)
    if [ ! -x .venv-bench/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> setting up .venv-bench from tools/requirements-bench.txt"
        python3 -m venv .venv-bench
        .venv-bench/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements-bench.txt
        echo "$want" > "$stamp"
    fi
}

# .venv-tf: tf_keras 2.21 and TensorFlow for the tf.keras interop tests (tools/requirements-tf.txt).
ensure_tf_env() {
    local stamp=.venv-tf/requirements.sha256
    local want
    want=$(sha256sum tools/requirements-tf.txt | cut -d' ' -f1)
    if [ ! -x .venv-tf/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> setting up .venv-tf from tools/requirements-tf.txt"
        python3 -m venv .venv-tf
        .venv-tf/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements-tf.txt pytest==9.0.3
        echo "$want" > "$stamp"
    fi
}

ensure_python_env() {
    local stamp=.venv/requirements.sha256
    local want
    want=$(sha256sum tools/requirements.txt | cut -d' ' -f1)
    if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> setting up .venv from tools/requirements.txt"
        python3 -m venv .venv
        .venv/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements.txt
        echo "$want" > "$stamp"
    fi
}
