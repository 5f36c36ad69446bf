"""Keras's activations on a grid of inputs: Tests/Fixtures/layers/activations_<generation>.json.

With Keras 3.15.1 (.venv): every activation RNNKit implements, by Keras 3 name.
With tf_keras 2.21 (.venv-tf): the Keras 2 forms that differ (hard_sigmoid, leaky_relu's default slope).

Run: .venv/bin/python tools/make_activation_fixtures.py
     .venv-tf/bin/python tools/make_activation_fixtures.py
"""

import json
import os
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "layers"
GRID = np.concatenate([np.linspace(-8, 8, 161), [-30.0, -3.0, -2.5, -0.5, 0.0, 0.5, 2.5, 3.0, 30.0]]).astype("float32")
KERAS3 = ["linear", "tanh", "sigmoid", "hard_sigmoid", "relu", "relu6", "leaky_relu", "elu", "selu", "celu",
          "softplus", "softsign", "silu", "hard_silu", "gelu", "exponential", "mish", "log_sigmoid", "hard_tanh",
          "tanh_shrink", "soft_shrink", "hard_shrink", "squareplus", "sparse_plus", "softmax", "log_softmax"]


def main():
    rows = GRID.reshape(17, 10)
    try:
        import tensorflow as tf
        import tf_keras as keras
        rows = tf.constant(rows)
        generation, names = "tf_keras", ["hard_sigmoid", "tanh", "sigmoid", "softsign", "softplus", "elu", "selu"]
        leaky = lambda x: keras.layers.LeakyReLU()(x)  # noqa: E731  (the layer's default alpha, 0.3)
    except ImportError:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras
        generation, names, leaky = "keras3", KERAS3, None
    result = {"keras_version": keras.__version__, "inputs": GRID.tolist(), "row_width": 10, "outputs": {}}
    for name in names:
        out = np.asarray(keras.activations.get(name)(rows))
        result["outputs"][name] = out.astype("float32").astype("float64").reshape(-1).tolist()
    if leaky is not None:
        result["outputs"]["leaky_relu"] = np.asarray(leaky(rows)).astype("float64").reshape(-1).tolist()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"activations_{generation}.json").write_text(json.dumps(result) + "\n")
    print("wrote", OUT / f"activations_{generation}.json")


if __name__ == "__main__":
    main()
