"""Real Keras 3.15.1 files for the HDF5 module's tests: Tests/Fixtures/keras3/.

A Functional model with every recurrent layer kind (the KERAS.md C.2 dump), compiled so that the
optimizer groups exist too, saved as `.keras`, `.weights.h5` and legacy `.h5`; a Sequential model as
legacy `.h5`; and a model with 24 layer names of about 2,800 bytes, whose `layer_names` Keras splits into chunks.
Each file gets a `.manifest.json` written by h5py (tools/hdf5_manifest.py). The `.keras` archive's
`model.weights.h5` is also extracted, for the in-memory reading tests.

Run: KERAS_BACKEND=jax .venv/bin/python tools/make_keras3_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from hdf5_manifest import extract_archive_weights, write_manifest  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "keras3"


def functional():
    keras.utils.set_random_seed(1)
    x = keras.Input((5, 3), name="sequence")
    a = keras.layers.SimpleRNN(4, return_sequences=True)(x)
    a = keras.layers.SimpleRNN(3, return_sequences=True, name="my_rnn")(a)
    b = keras.layers.LSTM(3, return_sequences=True)(keras.layers.Concatenate()([a, x[:, :, :1]]))
    c = keras.layers.GRU(2, return_sequences=True)(x)
    c = keras.layers.GRU(2, return_sequences=True, reset_after=False)(c)
    d = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True))(c)
    e = keras.layers.TimeDistributed(keras.layers.Dense(2))(b)
    f = keras.layers.RNN([keras.layers.SimpleRNNCell(2), keras.layers.LSTMCell(3)])(keras.layers.Concatenate()([d, e[:, :, :0]]))
    y = keras.layers.Dense(1, name="dense_1")(f)
    model = keras.Model(x, y, name="functional")
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 5, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    return model


def sequential():
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3), keras.layers.Dense(2)], name="sequential")
    return model


def many_long_names():
    keras.utils.set_random_seed(3)
    layers = [keras.Input((1,))]
    for i in range(24):
        layers.append(keras.layers.Dense(1, name=f"dense_with_a_deliberately_long_name_{i:03d}_" + "n" * (2760 + i)))
    return keras.Sequential(layers, name="many_long_names")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    model = functional()
    model.save(OUT / "functional.keras")
    model.save_weights(OUT / "functional.weights.h5")
    model.save(OUT / "functional.h5")
    extract_archive_weights(OUT / "functional.keras")
    sequential().save(OUT / "sequential.h5")
    many_long_names().save(OUT / "many_long_names.h5")
    for name in ["functional.weights.h5", "functional.h5", "functional.keras.model.weights.h5",
                 "sequential.h5", "many_long_names.h5"]:
        write_manifest(OUT / name)
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
