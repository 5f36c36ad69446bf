"""Peer benchmark: the forward pass of the configurations `rnnkit bench --cell` times, in Keras 3.15.1
(JAX, CPU) through predict_on_batch (its compiled path). Prints the same summary lines.

Run: .venv/bin/python tools/bench_keras.py [--passes 10]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

CONFIGS = [("lstm", 128, 64, 50, 32), ("gru", 256, 128, 100, 64), ("simple", 128, 64, 50, 32)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=10)
    args = parser.parse_args()
    layers = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple": keras.layers.SimpleRNN}
    for kind, units, features, timesteps, batch in CONFIGS:
        model = keras.Sequential([keras.Input((timesteps, features)), layers[kind](units, return_sequences=True)])
        x = np.random.default_rng(3).normal(size=(batch, timesteps, features)).astype("float32")
        for _ in range(2):
            model.predict_on_batch(x)
        times = []
        for _ in range(args.passes):
            start = time.perf_counter()
            np.asarray(model.predict_on_batch(x))
            times.append(time.perf_counter() - start)
        gates = {"lstm": 4, "gru": 3, "simple": 1}[kind]
        flops = 2 * batch * timesteps * (features + units) * gates * units
        median = statistics.median(times)
        print(f"keras {kind} units={units} features={features}: batch {batch}, timesteps {timesteps}, {args.passes} passes")
        print(f"  median {median * 1e3:.3f} ms, min {min(times) * 1e3:.3f} ms, max {max(times) * 1e3:.3f} ms, {flops / median / 1e9:.2f} GFLOP/s")


if __name__ == "__main__":
    main()
