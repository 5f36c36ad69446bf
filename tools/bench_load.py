"""Load benchmark (issue 4): a ~100 MB Keras 3 weights file, loaded by rnnkit, against reading its bytes.

Builds three stacked LSTM(1024) layers in Keras 3.15.1 (about 100 MB of float32 weights), saves
.weights.h5 + JSON into a scratch directory (nothing is committed), then times `rnnkit validate` (which
builds the model, loads every weight and scans them), less the process start, against reading the file's
bytes into memory; /usr/bin/time gives the peak memory.

Run: .venv/bin/python tools/bench_load.py [--rnnkit .build/release/rnnkit]
"""

import argparse
import os
import pathlib
import re
import statistics
import subprocess
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402


def timed(command, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rnnkit", default=".build/release/rnnkit")
    args = parser.parse_args()
    directory = pathlib.Path(tempfile.mkdtemp(prefix="rnnkit-load-"))
    model = keras.Sequential([keras.Input((10, 1024))] + [keras.layers.LSTM(1024, return_sequences=True) for _ in range(3)])
    weights, config = directory / "big.weights.h5", directory / "big.json"
    model.save_weights(weights)
    config.write_text(model.to_json())
    size = weights.stat().st_size
    timed([args.rnnkit, "validate", str(weights), "--config", str(config)])  # warm the page cache
    reads = []
    for _ in range(5):
        start = time.perf_counter()
        with open(weights, "rb") as f:
            f.read()
        reads.append(time.perf_counter() - start)
    read = statistics.median(reads)
    startup = timed([args.rnnkit, "--help"])
    load = timed([args.rnnkit, "validate", str(weights), "--config", str(config)]) - startup
    report = subprocess.run(["/usr/bin/time", "-v", args.rnnkit, "validate", str(weights), "--config", str(config)],
                            capture_output=True, text=True).stderr
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1))
    print(f"file: {size / 1e6:.1f} MB")
    print(f"reading the bytes into memory (warm cache): {read * 1e3:.0f} ms")
    print(f"rnnkit process start: {startup * 1e3:.0f} ms")
    print(f"rnnkit validate minus start (build + load every weight + scan): {load * 1e3:.0f} ms ({load / read:.2f}x the read)")
    print(f"peak memory: {peak_kb / 1e3:.0f} MB ({peak_kb * 1e3 / size:.2f}x the file)")


if __name__ == "__main__":
    main()
