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
    command -v dot >/dev/null 2>&1 || missing+=(graphviz)  # rnnkit inspect --graph OUT.svg / OUT.png
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

# A virtual environment DIR with the pinned REQUIREMENTS (and any extra packages), reinstalled when the
# requirements file changes.
ensure_venv() {
    local dir=$1 requirements=$2
    shift 2
    local stamp=$dir/requirements.sha256
    local want
    want=$(sha256sum "$requirements" | cut -d' ' -f1)
    if [ ! -x "$dir/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> setting up $dir from $requirements"
        python3 -m venv "$dir"
        # No wheel cache: TensorFlow's would add about a gigabyte to each clean clone's disk use.
        "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir -r "$requirements" "$@"
        echo "$want" > "$stamp"
    fi
}

# .venv: Keras 3, h5py and pytest for fixtures and the interop tests.
ensure_python_env() { ensure_venv .venv tools/requirements.txt; }
# .venv-tf: tf_keras 2.21 and TensorFlow for the tf.keras interop tests.
ensure_tf_env() { ensure_venv .venv-tf tools/requirements-tf.txt pytest==9.0.3; }
# .venv-bench: the peer benchmark's Keras 3 (JAX and TensorFlow) and ONNX Runtime.
ensure_bench_env() { ensure_venv .venv-bench tools/requirements-bench.txt; }
