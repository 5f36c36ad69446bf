"""Keras's activations on a grid of inputs: Tests/Fixtures/layers/activations_<generation>.json.

With Keras 3.15.1 (.venv): every activation RNNKit implements, by Keras 3 name.
With tf_keras 2.21 (.venv-tf): every activation tf_keras resolves by name (hard_sigmoid is its 0.2x + 0.5;
the "leaky_relu" string is tf.nn.leaky_relu, slope 0.2, not the LeakyReLU layer's 0.3).

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
# The names tf_keras 2.21's activations.get resolves (celu, hard_silu, log_sigmoid and the shrink family
# are Keras 3 only).
TF_KERAS = ["linear", "tanh", "sigmoid", "hard_sigmoid", "relu", "relu6", "leaky_relu", "elu", "selu", "softplus",
            "softsign", "silu", "gelu", "exponential", "mish", "softmax", "log_softmax"]


def main():
    rows = GRID.reshape(17, 10)
    try:
        import tensorflow as tf
        import tf_keras as keras
        rows = tf.constant(rows)
        generation, names = "tf_keras", TF_KERAS
    except ImportError:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras
        generation, names = "keras3", KERAS3
    result = {"keras_version": keras.__version__, "inputs": GRID.tolist(), "row_width": 10, "outputs": {}}
    for name in names:
        out = np.asarray(keras.activations.get(name)(rows))
        result["outputs"][name] = out.astype("float32").astype("float64").reshape(-1).tolist()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"activations_{generation}.json").write_text(json.dumps(result) + "\n")
    print("wrote", OUT / f"activations_{generation}.json")


if __name__ == "__main__":
    main()
