"""A model with the seed's custom MinimalRNNCell, written by Keras 3.15.1: Tests/Fixtures/custom/.

The cell is the one in keras.layers.RNN's documentation (seed 000), registered for serialization as
rnnkit>MinimalRNNCell. Saved alone and stacked, as .keras, .weights.h5 (+ JSON) and legacy .h5, with an
input batch and Keras's outputs. tools/tests/test_keras_interop.py uses the same class to load what
RNNKit writes.

Run: .venv/bin/python tools/make_custom_cell_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

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
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def flat(x):
    return np.asarray(x).astype("float64").reshape(-1).tolist()


def main():
    keras.utils.set_random_seed(4)
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
        model.save(OUT / f"{name}.keras")
        model.save_weights(OUT / f"{name}.weights.h5")
        model.save(OUT / f"{name}.h5")
        (OUT / f"{name}.json").write_text(model.to_json() + "\n")
    (OUT / "outputs.json").write_text(json.dumps(results) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
