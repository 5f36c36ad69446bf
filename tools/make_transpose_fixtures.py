"""The upsampling layers of decoders and frame predictors (issue 16), built in Keras 3.15.1:
Tests/Fixtures/transpose/.

One small model per option of Conv1DTranspose/Conv2DTranspose/Conv3DTranspose (valid and same padding,
strides below, equal to and above the kernel, output_padding, dilation, channels_first, no bias,
activation) and of UpSampling2D's bilinear interpolation, plus a frame predictor that upsamples each
ConvLSTM2D output frame with a Conv2DTranspose;
each with random weights, an input batch and Keras's outputs (outputs.json, the models_keras3.json
structure), saved as .keras and .h5.

Run: .venv/bin/python tools/make_transpose_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras import layers  # noqa: E402

from fixture_common import floats, save_case_folder, single  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "transpose"


def cases(rng):
    """(name, model, inputs)."""
    image = floats(rng, 2, 4, 3, 3)
    series = floats(rng, 2, 5, 3)
    volume = floats(rng, 2, 2, 3, 3, 2)
    movie = keras.Input((3, 4, 4, 1), name="movie")
    x = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True, name="convlstm")(movie)
    x = layers.TimeDistributed(layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid"),
                               name="upsample")(x)
    predictor = keras.Model(movie, x, name="upsampling_predictor")
    conv = layers.Conv2DTranspose
    return [
        ("conv2d_transpose_valid", single((4, 3, 3), conv(2, 3, name="conv"), name="m"), [image]),
        ("conv2d_transpose_same_strides", single((4, 3, 3), conv(4, 3, strides=2, padding="same", activation="relu",
                                                                 name="conv"), name="m"), [image]),
        ("conv2d_transpose_valid_strides_above_kernel", single((4, 3, 3), conv(2, 2, strides=3, name="conv"),
                                                               name="m"), [image]),
        ("conv2d_transpose_even_kernel_same", single((4, 3, 3), conv(3, (4, 2), strides=(2, 1), padding="same",
                                                                     name="conv"), name="m"), [image]),
        ("conv2d_transpose_output_padding_same", single((4, 3, 3), conv(2, 3, strides=2, padding="same",
                                                                        output_padding=1, name="conv"), name="m"),
         [image]),
        ("conv2d_transpose_output_padding_valid", single((4, 3, 3), conv(2, 3, strides=3, output_padding=(2, 1),
                                                                         use_bias=False, name="conv"), name="m"),
         [image]),
        ("conv2d_transpose_dilated", single((4, 3, 3), conv(2, 2, dilation_rate=2, activation="tanh", name="conv"),
                                            name="m"), [image]),
        ("conv2d_transpose_channels_first", single((3, 4, 3), conv(2, 3, strides=2, padding="same",
                                                                   data_format="channels_first", name="conv"),
                                                   name="m"), [floats(rng, 2, 3, 4, 3)]),
        ("conv1d_transpose", single((5, 3), layers.Conv1DTranspose(4, 3, strides=2, padding="same", name="conv"),
                                    name="m"), [series]),
        ("conv3d_transpose", single((2, 3, 3, 2), layers.Conv3DTranspose(2, 2, strides=(1, 2, 2), name="conv"),
                                    name="m"), [volume]),
        ("upsampling_predictor", predictor, [floats(rng, 2, 3, 4, 4, 1)]),
        ("upsampling2d_bilinear", single((4, 3, 3), layers.UpSampling2D(2, interpolation="bilinear", name="up"),
                                         name="m"), [image]),
        ("upsampling2d_bilinear_uneven", single((4, 3, 3), layers.UpSampling2D((3, 2), interpolation="bilinear",
                                                                               name="up"), name="m"), [image]),
        ("upsampling2d_bilinear_channels_first",
         single((3, 4, 3), layers.UpSampling2D(2, interpolation="bilinear", data_format="channels_first", name="up"),
                name="m"), [floats(rng, 2, 3, 4, 3)]),
    ]


def main():
    save_case_folder(OUT, cases)


if __name__ == "__main__":
    main()
