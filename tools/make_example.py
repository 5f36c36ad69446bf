"""Trains the bundled example: an LSTM that names the waveform in a noisy sequence.

Each input is 40 steps of one noisy signal (sine, square or sawtooth, random frequency and phase); the
model answers with three class probabilities. Trained for a few seconds in real Keras 3.15.1 (JAX), then
saved in every Keras 3 layout with a sample batch and Keras's own predictions:

  Examples/waveforms.keras, waveforms.h5, waveforms.weights.h5 (+ waveforms.json, the config)
  Examples/waveforms_input.npy   (8, 40, 1) float32, two of each class and two more
  Examples/waveforms_labels.npy  (8,) int: 0 sine, 1 square, 2 sawtooth
  Examples/waveforms_output.npy  (8, 3) float32: what Keras predicts for the input
  Examples/WaveformClassifier/signals.csv  the same 8 signals, one per row (the Swift example package's input)

Run: .venv/bin/python tools/make_example.py (or with --csv-only: only the CSV, from the saved sample)
"""

import json
import os
import pathlib
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Examples"
STEPS = 40


def waves(count, rng):
    t = np.arange(STEPS, dtype=np.float32)
    labels = rng.integers(0, 3, size=count)
    freq = rng.uniform(0.05, 0.2, size=(count, 1))
    phase = rng.uniform(0, 1, size=(count, 1))
    cycle = (t[None, :] * freq + phase) % 1.0
    sine = np.sin(2 * np.pi * cycle)
    square = np.where(cycle < 0.5, 1.0, -1.0)
    saw = 2 * cycle - 1
    x = np.choose(labels[:, None], [sine, square, saw]) + rng.normal(0, 0.3, size=(count, STEPS))
    return x[..., None].astype("float32"), labels


def write_csv(sample):
    """One signal per row, 40 comma-separated values, each float32 written exactly (9 significant digits)."""
    rows = [",".join(f"{value:.9g}" for value in signal[:, 0]) for signal in sample]
    (OUT / "WaveformClassifier" / "signals.csv").write_text("\n".join(rows) + "\n")


def main():
    if "--csv-only" in sys.argv:
        write_csv(np.load(OUT / "waveforms_input.npy"))
        return
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    x, y = waves(6000, rng)
    model = keras.Sequential([
        keras.Input((STEPS, 1), name="signal"),
        keras.layers.LSTM(16, name="lstm"),
        keras.layers.Dense(3, activation="softmax", name="waveform"),
    ], name="waveforms")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=6, batch_size=64, verbose=0)
    x_test, y_test = waves(1000, rng)
    accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    print(f"test accuracy {accuracy:.3f}")
    # Save an uncompiled copy with the trained weights: a model file as people ship it, without optimizer state.
    trained, model = model, keras.Sequential.from_config(model.get_config())
    model.set_weights(trained.get_weights())
    OUT.mkdir(exist_ok=True)
    model.save(OUT / "waveforms.keras")
    model.save(OUT / "waveforms.h5")
    model.save_weights(OUT / "waveforms.weights.h5")
    (OUT / "waveforms.json").write_text(model.to_json(indent=1) + "\n")
    sample, labels = waves(8, np.random.default_rng(8))
    np.save(OUT / "waveforms_input.npy", sample)
    write_csv(sample)
    np.save(OUT / "waveforms_labels.npy", labels)
    np.save(OUT / "waveforms_output.npy", model.predict(sample, verbose=0).astype("float32"))
    (OUT / "waveforms_accuracy.json").write_text(json.dumps({"test_accuracy": round(float(accuracy), 4)}) + "\n")


if __name__ == "__main__":
    main()
