"""A tf.keras `.keras` archive as tf.keras writes it on Windows (issue 16): Tests/Fixtures/windows/.

tf_keras's saving code joins each weight group's path with `tf.io.gfile.join`, which is `os.path.join`:
on Windows the groups of model.weights.h5 are named `layers\\conv_lstm2d\\cell` (one name holding
backslashes, at the root) where Linux writes the nested groups `layers/conv_lstm2d/cell`. Neither Keras 3
nor tf_keras on Linux loads such an archive. This script runs tf_keras's own saving with the join of
Windows (`ntpath.join`) on a small ConvLSTM2D model with random weights, and records its inputs and
outputs (outputs.json, the models_tf_keras structure).

Run: .venv-tf/bin/python tools/make_windows_archive_fixture.py
"""

import json
import ntpath
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 arithmetic, no oneDNN reordering

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src.saving import saving_lib  # noqa: E402

from fixture_common import array, floats, randomize_tf_keras  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "windows"


def main():
    keras.utils.set_random_seed(16)
    rng = np.random.default_rng(16)
    layers = keras.layers
    clip = keras.Input((3, 6, 6, 1), name="clip")
    x = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True, recurrent_activation="sigmoid", name="conv_lstm2d")(clip)
    x = layers.BatchNormalization(name="batch_normalization")(x)
    x = layers.GlobalAveragePooling3D(name="pool")(x)
    model = keras.Model(clip, layers.Dense(2, activation="softmax", name="label")(x), name="windows_convlstm")
    randomize_tf_keras(model, rng)
    inputs = [floats(rng, 2, 3, 6, 6, 1)]
    outputs = [model(inputs[0])]
    OUT.mkdir(parents=True, exist_ok=True)
    gfile = saving_lib.tf.io.gfile  # the module tf_keras's saving joins paths with
    posix_join = gfile.join
    gfile.join = ntpath.join  # what os.path.join is on Windows
    try:
        model.save(OUT / "convlstm_windows.keras")
    finally:
        gfile.join = posix_join
    cases = [{"name": "convlstm_windows", "inputs": [array(x) for x in inputs], "outputs": [array(y) for y in outputs]}]
    (OUT / "outputs.json").write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
    print("wrote", OUT / "convlstm_windows.keras")


if __name__ == "__main__":
    main()
