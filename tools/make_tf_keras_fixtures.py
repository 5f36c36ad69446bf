"""Real tf_keras 2.21 (tf.keras) files for the HDF5 module's tests: Tests/Fixtures/tf_keras/.

A Functional model with every recurrent layer kind, saved as a legacy full-model `.h5`, a legacy
weights-only `.h5` (`save_weights`) and a `.keras` archive (its weights file extracted), each with an
h5py manifest (tools/hdf5_manifest.py).

Run with the TensorFlow environment: .venv-tf/bin/python tools/make_tf_keras_fixtures.py
(scripts/test never needs it: the files are committed.)
"""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

from hdf5_manifest import extract_archive_weights, write_manifest  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "tf_keras"


def functional():
    keras.utils.set_random_seed(1)
    x = keras.Input((5, 3), name="sequence")
    a = keras.layers.SimpleRNN(4, return_sequences=True)(x)
    b = keras.layers.LSTM(3, return_sequences=True)(a)
    c = keras.layers.GRU(2, return_sequences=True)(x)
    c = keras.layers.GRU(2, return_sequences=True, reset_after=False)(c)
    d = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True))(c)
    e = keras.layers.TimeDistributed(keras.layers.Dense(2))(b)
    f = keras.layers.RNN([keras.layers.SimpleRNNCell(2), keras.layers.LSTMCell(3)])(keras.layers.Concatenate()([d, e]))
    y = keras.layers.Dense(1)(f)
    model = keras.Model(x, y)
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 5, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    model = functional()
    model.save(OUT / "functional.h5")
    model.save_weights(OUT / "functional_weights.h5")
    model.save(OUT / "functional.keras")
    extract_archive_weights(OUT / "functional.keras")
    for name in ["functional.h5", "functional_weights.h5", "functional.keras.model.weights.h5"]:
        write_manifest(OUT / name)
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
