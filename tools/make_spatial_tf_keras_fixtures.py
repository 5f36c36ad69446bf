"""The image, video and speech model shapes of issue 16 in tf_keras 2.21 (tf.keras):
Tests/Fixtures/spatial_tf_keras/.

The five shapes of make_spatial_fixtures.py (captcha CRNN, spectrogram CRNN, LRCN, ConvLSTM2D frame
predictor with a Conv3D head, ConvLSTM2D classifier with 3D pooling), built in tf_keras with random
non-default weights and saved in every layout tf_keras writes: <name>.h5, <name>_weights.h5 + <name>.json,
<name>.keras; inputs and tf_keras's outputs in outputs.json (the models_tf_keras structure).

Run: .venv-tf/bin/python tools/make_spatial_tf_keras_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 arithmetic, no oneDNN reordering

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402

from fixture_common import array, floats  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "spatial_tf_keras"


def models(rng):
    out = []
    image = keras.Input((24, 12, 1), name="image")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(6, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Reshape((6, 3 * 6), name="reshape")(x)
    x = layers.Dense(8, activation="relu", name="dense1")(x)
    x = layers.Bidirectional(layers.LSTM(5, return_sequences=True), name="bidirectional")(x)
    x = layers.Dense(7, activation="softmax", name="characters")(x)
    out.append(("captcha_crnn", keras.Model(image, x), [floats(rng, 2, 24, 12, 1)]))

    spectrogram = keras.Input((10, 8, 1), name="spectrogram")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(spectrogram)
    x = layers.BatchNormalization(name="norm")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = layers.MaxPooling2D((2, 1), name="pool")(x)
    x = layers.Permute((2, 1, 3), name="time_first")(x)
    x = layers.Reshape((8, 5 * 4), name="frames")(x)
    x = layers.GRU(6, name="gru")(x)
    x = layers.Dense(3, activation="softmax", name="label")(x)
    out.append(("spectrogram_crnn", keras.Model(spectrogram, x), [floats(rng, 2, 10, 8, 1)]))

    frames = keras.Input((4, 8, 8, 2), name="frames")
    x = layers.TimeDistributed(layers.Conv2D(3, 3, activation="relu"), name="frame_conv")(frames)
    x = layers.TimeDistributed(layers.MaxPooling2D(2), name="frame_pool")(x)
    x = layers.TimeDistributed(layers.Flatten(), name="frame_flatten")(x)
    x = layers.LSTM(5, name="lstm")(x)
    x = layers.Dense(3, activation="softmax", name="action")(x)
    out.append(("lrcn", keras.Model(frames, x), [floats(rng, 2, 4, 8, 8, 2)]))

    movie = keras.Input((3, 6, 6, 1), name="movie")
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="convlstm")(movie)
    x = layers.BatchNormalization(name="norm")(x)
    x = layers.Conv3D(1, 3, padding="same", activation="sigmoid", name="next_frames")(x)
    out.append(("frame_predictor", keras.Model(movie, x), [floats(rng, 2, 3, 6, 6, 1)]))

    clip = keras.Input((4, 6, 6, 2), name="clip")
    x = layers.ConvLSTM2D(3, 3, return_sequences=True, name="convlstm")(clip)
    x = layers.MaxPooling3D((1, 2, 2), name="pool")(x)
    x = layers.GlobalAveragePooling3D(name="global_pool")(x)
    x = layers.Dense(2, activation="softmax", name="label")(x)
    out.append(("convlstm_classifier", keras.Model(clip, x), [floats(rng, 2, 4, 6, 6, 2)]))
    return out


def randomize(model, rng):
    for layer in model.layers:
        values = []
        for variable in layer.weights:
            if "moving_variance" in variable.name:
                values.append(rng.uniform(0.5, 2.0, size=variable.shape).astype("float32"))
            else:
                values.append(rng.normal(scale=0.6, size=variable.shape).astype("float32"))
        layer.set_weights(values)
    return model


def main():
    keras.utils.set_random_seed(16)
    rng = np.random.default_rng(16)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, model, inputs in models(rng):
        randomize(model, rng)
        outputs = model(inputs if len(inputs) > 1 else inputs[0])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        cases.append({"name": name, "inputs": [array(x) for x in inputs], "outputs": [array(y) for y in outputs]})
        model.save(OUT / f"{name}.h5")
        model.save_weights(OUT / f"{name}_weights.h5")
        model.save(OUT / f"{name}.keras")
        (OUT / f"{name}.json").write_text(model.to_json() + "\n")
    (OUT / "outputs.json").write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
    print("wrote", len(cases), "models into", OUT)


if __name__ == "__main__":
    main()
