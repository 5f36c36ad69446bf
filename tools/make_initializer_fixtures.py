"""Keras 3 layers built from their configs, with the weights Keras's initializers gave them.

For each case: the layer's `serialize_keras_object` config, its input shape (no batch dimension), and
each weight Keras built: its shape, and either its values (initializers with one answer: Zeros, Ones,
Constant, Identity, the forget-gate ones of unit_forget_bias) or, for random ones, the statistics of the
values Keras drew (mean, standard deviation, largest magnitude), which RNNKit's own draws must match
within sampling error. RNNKit reads each config with `ModelLayer(kerasConfig:inputShape:)`
(Tests/KerasFormatTests/InitializerTests.swift).

    .venv/bin/python tools/make_initializer_fixtures.py   # writes Tests/Fixtures/initializers/cases.json
"""

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from fixture_common import flat  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "initializers"

# Initializers whose every value is fixed: the values are recorded and compared.
EXACT = {"Zeros", "Ones", "Constant", "Identity"}


def cases():
    init = keras.initializers
    layers = keras.layers
    return [
        ("dense_defaults", (64,), layers.Dense(96)),
        ("dense_constant", (8,), layers.Dense(5, kernel_initializer=init.Constant(0.25), bias_initializer="ones")),
        ("dense_he_normal", (128,), layers.Dense(64, kernel_initializer="he_normal",
                                                 bias_initializer=init.RandomNormal(mean=0.5, stddev=0.1))),
        ("dense_variance_scaling", (100,), layers.Dense(80, kernel_initializer=init.VarianceScaling(
            scale=2.0, mode="fan_out", distribution="uniform"), bias_initializer=init.Constant(-1.5))),
        ("lstm_defaults", (7, 48), layers.LSTM(64)),
        ("lstm_no_forget_bias", (7, 16), layers.LSTM(8, unit_forget_bias=False, bias_initializer="ones")),
        ("gru_truncated", (7, 40), layers.GRU(50, kernel_initializer=init.TruncatedNormal(stddev=0.2),
                                             recurrent_initializer=init.Identity(gain=0.5))),
        ("simple_rnn_lecun", (7, 60), layers.SimpleRNN(70, kernel_initializer="lecun_uniform",
                                                       recurrent_initializer=init.Orthogonal(gain=2.0))),
        ("bidirectional_lstm", (7, 32), layers.Bidirectional(layers.LSTM(24, kernel_initializer="glorot_normal"))),
        ("embedding", (9,), layers.Embedding(300, 40)),
        ("conv2d", (12, 12, 8), layers.Conv2D(32, 3, kernel_initializer="he_uniform", bias_initializer="ones")),
        ("conv1d", (20, 24), layers.Conv1D(36, 5)),
        ("batch_normalization", (10, 6), layers.BatchNormalization(gamma_initializer=init.Constant(2.0),
                                                                   moving_variance_initializer="zeros")),
        ("layer_normalization", (10, 6), layers.LayerNormalization(beta_initializer=init.Constant(0.5))),
    ]


def describe(variable, initializer_name):
    value = np.asarray(variable.numpy(), dtype="float64")
    entry = {"path": variable.path, "shape": list(value.shape)}
    if initializer_name in EXACT:
        entry["values"] = flat(value)
    else:
        entry["mean"] = float(value.mean())
        entry["std"] = float(value.std())
        entry["max_abs"] = float(np.abs(value).max())
    return entry


def initializer_names(layer):
    """Each variable's initializer class, from the layer's config (cells of RNN layers included)."""
    config = keras.saving.serialize_keras_object(layer)["config"]
    if "layer" in config:  # Bidirectional
        config = config["layer"]["config"]

    def name(key):
        value = config.get(key)
        if isinstance(value, dict):
            return value["class_name"]
        return {"zeros": "Zeros", "ones": "Ones"}.get(value, value)

    return name


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(11)
    records = []
    for case, shape, original in cases():
        # What from_config gives (Keras's own Identity, for one, does not write its gain), then built.
        config = keras.saving.serialize_keras_object(original)
        layer = keras.saving.deserialize_keras_object(config)
        keras.Sequential([keras.Input(shape), layer])
        name = initializer_names(layer)
        weights = []
        for variable in layer.weights:
            key = variable.path.split("/")[-1]
            if key == "recurrent_kernel":
                initializer = name("recurrent_initializer")
            elif key in ("kernel", "embeddings", "bias", "gamma", "beta", "moving_mean", "moving_variance"):
                initializer = name({"kernel": "kernel_initializer", "embeddings": "embeddings_initializer",
                                    "bias": "bias_initializer"}.get(key, key + "_initializer"))
            else:
                initializer = None
            weights.append(describe(variable, initializer or "Zeros"))
        records.append({
            "name": case,
            "config": config,
            "input_shape": list(shape),
            "weights": weights,
        })
    (OUT / "cases.json").write_text(json.dumps(records, indent=1) + "\n")
    print(f"wrote {len(records)} cases to {OUT / 'cases.json'}")


if __name__ == "__main__":
    main()
