"""Depthwise and separable convolutions (issue 16), built in Keras 3.15.1: Tests/Fixtures/separable/.

One small model per option of DepthwiseConv1D/2D (depth_multiplier, strides, same padding, dilation,
channels_first, no bias, activation) and SeparableConv1D/2D (the same, with filters), plus a separable
CNN on every frame of a clip before a GRU; each with random weights, an input batch and Keras's outputs
(outputs.json, the models_keras3.json structure), saved as .keras and .h5.

Run: .venv/bin/python tools/make_separable_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras import layers  # noqa: E402

from fixture_common import floats, save_case_folder, single  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "separable"


def cases(rng):
    """(name, model, inputs)."""
    image = floats(rng, 2, 6, 5, 3)
    series = floats(rng, 2, 9, 3)
    frames = keras.Input((3, 6, 6, 2), name="frames")
    x = layers.TimeDistributed(layers.SeparableConv2D(4, 3, depth_multiplier=2, activation="relu"),
                               name="frame_conv")(frames)
    x = layers.TimeDistributed(layers.GlobalAveragePooling2D(), name="frame_pool")(x)
    clip = keras.Model(frames, layers.GRU(3, name="gru")(x), name="separable_clip")
    return [
        ("depthwise_conv2d", single((6, 5, 3), layers.DepthwiseConv2D(3, name="conv"), name="m"), [image]),
        ("depthwise_conv2d_multiplier_same_strides",
         single((6, 5, 3), layers.DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=2,
                                                  activation="relu", name="conv"), name="m"), [image]),
        ("depthwise_conv2d_dilated_no_bias",
         single((6, 5, 3), layers.DepthwiseConv2D(2, dilation_rate=2, use_bias=False, name="conv"), name="m"),
         [image]),
        ("depthwise_conv2d_channels_first",
         single((3, 6, 5), layers.DepthwiseConv2D(3, padding="same", data_format="channels_first", name="conv"),
                name="m"), [floats(rng, 2, 3, 6, 5)]),
        ("depthwise_conv1d", single((9, 3), layers.DepthwiseConv1D(3, depth_multiplier=3, activation="tanh",
                                                                   name="conv"), name="m"), [series]),
        ("separable_conv2d", single((6, 5, 3), layers.SeparableConv2D(4, 3, name="conv"), name="m"), [image]),
        ("separable_conv2d_multiplier_same_strides",
         single((6, 5, 3), layers.SeparableConv2D(5, 3, strides=2, padding="same", depth_multiplier=2,
                                                  activation="relu", name="conv"), name="m"), [image]),
        ("separable_conv2d_dilated_no_bias",
         single((6, 5, 3), layers.SeparableConv2D(2, 2, dilation_rate=2, use_bias=False, name="conv"), name="m"),
         [image]),
        ("separable_conv1d", single((9, 3), layers.SeparableConv1D(4, 3, strides=2, padding="same",
                                                                   depth_multiplier=2, name="conv"), name="m"),
         [series]),
        ("separable_clip", clip, [floats(rng, 2, 3, 6, 6, 2)]),
    ]


def main():
    save_case_folder(OUT, cases)


if __name__ == "__main__":
    main()
