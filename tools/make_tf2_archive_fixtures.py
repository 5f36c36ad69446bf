"""Models saved by tf.keras 2.13 or 2.15 (whichever TensorFlow runs this) in every layout it writes, with
inputs and outputs: Tests/Fixtures/tf2<minor>/<name>.{keras, h5, _weights.h5 + .json} and outputs.json.

tf.keras 2.13-2.15 wrote `.keras` archives before Keras 3 existed: Keras 2 config dialect (batch_input_shape,
string dtypes, time_major, nested-list inbound nodes) with module names such as keras.src.engine.functional.
2.15 keeps layer weights under Keras 3's `layers/`; 2.13 under `_layer_checkpoint_dependencies/`, which
Keras 3 reads through a compatibility rule. Keras 3 cannot load their RNN configs (time_major), so these
files are readable only by tf.keras and by RNNKit.

Run (Python 3.11), once per generation:
     python3.11 -m venv .venv-tf215 && .venv-tf215/bin/pip install -r tools/requirements-tf215.txt
     .venv-tf215/bin/python tools/make_tf2_archive_fixtures.py
     python3.11 -m venv .venv-tf213 && .venv-tf213/bin/pip install -r tools/requirements-tf213.txt
     .venv-tf213/bin/python tools/make_tf2_archive_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 arithmetic, no oneDNN reordering

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402
from tensorflow.keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / ("tf2" + tf.__version__.split(".")[1])


def array(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "values": x.astype("float64").reshape(-1).tolist()}


def models(rng):
    steps = rng.normal(size=(3, 5, 3)).astype("float32")
    steps[0, :2] = 0
    ids = np.array([[0, 0, 3, 7, 1, 9], [4, 0, 0, 5, 2, 8], [6, 11, 2, 0, 0, 0]], "int32")
    x = keras.Input((5, 3), name="signal")
    seq = L.LSTM(4, return_sequences=True, name="lstm")(L.Masking(0.0, name="masking")(x))
    both = L.Bidirectional(L.GRU(3, return_sequences=True), name="bidirectional")(seq)
    stacked = L.RNN([L.SimpleRNNCell(3), L.LSTMCell(2)], name="stacked")(both)
    functional = keras.Model(x, L.Dense(2, activation="softmax", name="dense")(stacked))
    sequential = keras.Sequential([L.Embedding(20, 4, mask_zero=True, input_length=6, name="embedding"),
                                   L.GRU(3, reset_after=False, return_sequences=True, name="gru"),
                                   L.TimeDistributed(L.Dense(2), name="time_distributed")])
    sequential.build((None, 6))
    return [("functional", functional, steps), ("sequential", sequential, ids)]


def main():
    keras.utils.set_random_seed(15)
    rng = np.random.default_rng(15)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, model, inputs in models(rng):
        model.set_weights([w * 1.5 for w in model.get_weights()])
        outputs = model(inputs)
        model.save(OUT / f"{name}.keras")
        model.save(OUT / f"{name}.h5")
        model.save_weights(OUT / f"{name}_weights.h5")
        (OUT / f"{name}.json").write_text(model.to_json() + "\n")
        reloaded = keras.models.load_model(OUT / f"{name}.keras")
        np.testing.assert_allclose(reloaded(inputs), outputs, rtol=1e-6, atol=1e-6)
        cases.append({"name": name, "inputs": [array(inputs)], "outputs": [array(outputs)]})
    record = {"tensorflow_version": tf.__version__, "models": cases}
    (OUT / "outputs.json").write_text(json.dumps(record) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
