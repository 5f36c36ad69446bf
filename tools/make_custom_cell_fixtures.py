"""A model with the seed's custom MinimalRNNCell, written by Keras 3.15.1: Tests/Fixtures/custom/.

The cell is the one in keras.layers.RNN's documentation (seed 000), registered for serialization as
rnnkit>MinimalRNNCell. Saved alone and stacked, as .keras, .weights.h5 (+ JSON) and legacy .h5, with an
input batch and Keras's outputs. tools/tests/test_keras_interop.py uses the same class to load what
RNNKit writes.

With tf_keras 2.21 (.venv-tf) the same two models are written by tf.keras as legacy .h5 (+ JSON and
weights-only .h5) as tf_keras_<name>.*, outputs in outputs_tf_keras.json: the older-generation source
that RNNKit converts to Keras 3 with the custom cell's config carried through.

Run: .venv/bin/python tools/make_custom_cell_fixtures.py
     .venv-tf/bin/python tools/make_custom_cell_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

try:
    import tensorflow as tf
    import tf_keras as keras

    GENERATION = "tf_keras"
    matmul = tf.matmul
except ImportError:
    import keras
    from keras import ops

    GENERATION = "keras3"
    matmul = ops.matmul

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "custom"


@keras.saving.register_keras_serializable(package="rnnkit")
class MinimalRNNCell(keras.layers.Layer):
    """The seed's example cell: output = x . kernel + h . recurrent_kernel."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform", name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = matmul(inputs, self.kernel)
        output = h + matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def flat(x):
    return np.asarray(x).astype("float64").reshape(-1).tolist()


def main():
    keras.utils.set_random_seed(4)
    prefix = "tf_keras_" if GENERATION == "tf_keras" else ""
    x = np.random.default_rng(4).normal(size=(2, 5, 3)).astype("float32")
    models = {
        "minimal": keras.Sequential([keras.Input((5, 3)), keras.layers.RNN(MinimalRNNCell(4), return_sequences=True, name="rnn"),
                                     keras.layers.Dense(2, name="dense")], name="minimal"),
        "minimal_stacked": keras.Sequential([keras.Input((5, 3)), keras.layers.RNN([MinimalRNNCell(4), MinimalRNNCell(3)], name="rnn")],
                                            name="minimal_stacked"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, model in models.items():
        for layer in model.layers:
            layer.set_weights([w * 10 for w in layer.get_weights()])
        results[name] = {"input": {"shape": list(x.shape), "values": flat(x)}, "output": {"shape": list(model(x).shape), "values": flat(model(x))}}
        if GENERATION == "tf_keras":
            model.save(OUT / f"{prefix}{name}.h5", save_format="h5")
            model.save_weights(OUT / f"{prefix}{name}_weights.h5", save_format="h5")
        else:
            model.save(OUT / f"{name}.keras")
            model.save_weights(OUT / f"{name}.weights.h5")
            model.save(OUT / f"{name}.h5")
        (OUT / f"{prefix}{name}.json").write_text(model.to_json() + "\n")
    outputs = "outputs_tf_keras.json" if GENERATION == "tf_keras" else "outputs.json"
    (OUT / outputs).write_text(json.dumps(results) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
