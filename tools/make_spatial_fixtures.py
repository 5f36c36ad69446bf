"""The 2D and 3D layers of image, video and speech models around recurrent layers (issue 16), built in
Keras 3.15.1: Tests/Fixtures/spatial/.

Two sets, each model with random weights, an input batch and Keras's outputs (outputs.json and
models.json, the models_keras3.json structure):
- layer cases: one small model per option of Conv2D/Conv3D (paddings, strides, dilation, groups, no
  bias, channels_first), MaxPooling2D/3D and AveragePooling2D/3D (valid, same with strides,
  channels_first), GlobalMax/AveragePooling2D/3D (keepdims, channels_first); saved as .keras and .h5;
- real-model shapes, small: a captcha CRNN (Conv2D -> MaxPooling2D -> Reshape -> Dense ->
  Bidirectional LSTM -> Dense softmax), a spectrogram CRNN (Conv2D -> BatchNormalization ->
  MaxPooling2D -> Reshape -> GRU), an LRCN video classifier (TimeDistributed Conv2D / MaxPooling2D /
  Flatten -> LSTM), a ConvLSTM2D frame predictor with a Conv3D head and a ConvLSTM2D classifier with
  MaxPooling3D and GlobalAveragePooling3D; also saved as .weights.h5 with their JSON.

Run: .venv/bin/python tools/make_spatial_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from fixture_common import floats, save_case, save_model, single, tokens, write_outputs  # noqa: E402
from spatial_models import real_models  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "spatial"


def layer_cases(rng):
    """(name, model, inputs)."""
    image = floats(rng, 2, 6, 5, 3)
    first = floats(rng, 2, 3, 6, 5)
    volume = floats(rng, 2, 4, 5, 4, 2)
    return [
        ("conv2d_valid", single((6, 5, 3), layers.Conv2D(4, 3, activation="relu", name="conv"), name="m"), [image]),
        ("conv2d_same_strides", single((6, 5, 3), layers.Conv2D(4, (3, 2), strides=2, padding="same", name="conv"),
                                       name="m"), [image]),
        ("conv2d_same_even_kernel", single((6, 5, 3), layers.Conv2D(2, 4, padding="same", name="conv"), name="m"),
         [image]),
        ("conv2d_dilated", single((6, 5, 3), layers.Conv2D(3, 2, dilation_rate=2, activation="tanh", name="conv"),
                                  name="m"), [image]),
        ("conv2d_groups_no_bias", single((6, 5, 4), layers.Conv2D(6, 3, groups=2, use_bias=False, name="conv"),
                                         name="m"), [floats(rng, 2, 6, 5, 4)]),
        ("conv2d_channels_first", single((3, 6, 5), layers.Conv2D(4, 3, padding="same", data_format="channels_first",
                                                                  name="conv"), name="m"), [first]),
        ("conv3d_same", single((4, 5, 4, 2), layers.Conv3D(3, 2, padding="same", name="conv"), name="m"), [volume]),
        ("conv3d_strides", single((4, 5, 4, 2), layers.Conv3D(2, (2, 3, 2), strides=(1, 2, 1), activation="relu",
                                                              name="conv"), name="m"), [volume]),
        ("max_pooling2d", single((6, 5, 3), layers.MaxPooling2D(2, name="pool"), name="m"), [image]),
        ("max_pooling2d_same_strides", single((6, 5, 3), layers.MaxPooling2D(3, strides=2, padding="same", name="pool"),
                                              name="m"), [image]),
        ("average_pooling2d_same", single((6, 5, 3), layers.AveragePooling2D((3, 2), strides=2, padding="same",
                                                                             name="pool"), name="m"), [image]),
        ("average_pooling2d_channels_first", single((3, 6, 5), layers.AveragePooling2D(2, data_format="channels_first",
                                                                                       name="pool"), name="m"),
         [first]),
        ("max_pooling3d", single((4, 5, 4, 2), layers.MaxPooling3D((1, 2, 2), name="pool"), name="m"), [volume]),
        ("average_pooling3d_same", single((4, 5, 4, 2), layers.AveragePooling3D(2, padding="same", name="pool"),
                                          name="m"), [volume]),
        ("global_max_pooling2d", single((6, 5, 3), layers.GlobalMaxPooling2D(name="pool"), name="m"), [image]),
        ("global_average_pooling2d_keepdims", single((6, 5, 3), layers.GlobalAveragePooling2D(keepdims=True,
                                                                                              name="pool"), name="m"),
         [image]),
        ("global_average_pooling2d_channels_first", single((3, 6, 5), layers.GlobalAveragePooling2D(
            data_format="channels_first", name="pool"), name="m"), [first]),
        ("global_max_pooling3d_keepdims", single((4, 5, 4, 2), layers.GlobalMaxPooling3D(keepdims=True, name="pool"),
                                                 name="m"), [volume]),
        ("global_average_pooling3d", single((4, 5, 4, 2), layers.GlobalAveragePooling3D(name="pool"), name="m"),
         [volume]),
        ("upsampling1d", single((7, 3), layers.UpSampling1D(3, name="up"), name="m"), [floats(rng, 2, 7, 3)]),
        ("upsampling2d", single((6, 5, 3), layers.UpSampling2D((2, 3), name="up"), name="m"), [image]),
        ("upsampling2d_channels_first", single((3, 6, 5), layers.UpSampling2D(2, data_format="channels_first",
                                                                              name="up"), name="m"), [first]),
        ("upsampling3d", single((4, 5, 4, 2), layers.UpSampling3D((1, 2, 2), name="up"), name="m"), [volume]),
        ("zero_padding2d", single((6, 5, 3), layers.ZeroPadding2D(((1, 2), (0, 3)), name="pad"), name="m"), [image]),
        ("zero_padding3d_channels_first", single((2, 4, 5, 4), layers.ZeroPadding3D(1, data_format="channels_first",
                                                                                    name="pad"), name="m"),
         [floats(rng, 2, 2, 4, 5, 4)]),
        ("cropping2d", single((6, 5, 3), layers.Cropping2D(((1, 2), (2, 0)), name="crop"), name="m"), [image]),
        ("cropping3d", single((4, 5, 4, 2), layers.Cropping3D((1, (0, 2), 1), name="crop"), name="m"), [volume]),
        ("spatial_dropout2d", single((6, 5, 3), layers.SpatialDropout2D(0.4, name="drop"), name="m"), [image]),
        ("spatial_dropout3d", single((4, 5, 4, 2), layers.SpatialDropout3D(0.3, name="drop"), name="m"), [volume]),
        ("relu_options", single((6, 5, 3), layers.ReLU(max_value=0.8, negative_slope=0.1, threshold=0.2, name="act"),
                                name="m"), [image]),
        ("leaky_relu", single((6, 5, 3), layers.LeakyReLU(negative_slope=0.15, name="act"), name="m"), [image]),
        ("elu", single((6, 5, 3), layers.ELU(alpha=0.7, name="act"), name="m"), [image]),
        ("prelu_shared_axes", single((6, 5, 3), layers.PReLU(shared_axes=[1, 2], name="act"), name="m"), [image]),
        ("prelu", single((7, 3), layers.PReLU(name="act"), name="m"), [floats(rng, 2, 7, 3)]),
        ("softmax_axis", single((6, 5, 3), layers.Softmax(axis=1, name="act"), name="m"), [image]),
        ("rescaling", single((6, 5, 3), layers.Rescaling(1 / 127.5, offset=-1, name="scale"), name="m"), [image]),
        ("normalization_given", single((6, 5, 3), layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[1.0, 4.0, 0.25],
                                                                       name="norm"), name="m"), [image]),
        ("normalization_adapted", adapted(rng), [image]),
        ("normalization_invert", single((7, 3), layers.Normalization(mean=0.5, variance=2.0, invert=True, name="norm"),
                                        name="m"), [floats(rng, 2, 7, 3)]),
    ] + attention_cases(rng)


def attention_cases(rng):
    """MultiHeadAttention: self and cross attention, a key, value_dim and output_shape, the scores, masks
    from an Embedding with the causal mask (both of Keras's paths: fused, and explicit with the scores)."""
    x = keras.Input((5, 4), name="x")
    self_attention = keras.Model(x, layers.MultiHeadAttention(2, 3, name="mha")(x, x), name="m")
    q, v, k = keras.Input((5, 4), name="q"), keras.Input((6, 3), name="v"), keras.Input((6, 2), name="k")
    out, scores = layers.MultiHeadAttention(3, 2, value_dim=4, output_shape=5, name="mha")(
        q, v, key=k, return_attention_scores=True)
    cross = keras.Model([q, v, k], [out, scores], name="m")
    no_bias = keras.Model(x, layers.MultiHeadAttention(1, 4, use_bias=False, dropout=0.3, name="mha")(x, x), name="m")

    def masked(scores):
        tokens = keras.Input((6,), dtype="int32", name="tokens")
        e = layers.Embedding(10, 4, mask_zero=True, name="embed")(tokens)
        result = layers.MultiHeadAttention(2, 3, name="mha")(e, e, use_causal_mask=True,
                                                            return_attention_scores=scores)
        return keras.Model(tokens, list(result) if scores else result, name="m")

    padded = tokens(rng, (3, 6), 10, {0: 2, 1: 0, 2: 4})
    return [
        ("mha_self", self_attention, [floats(rng, 2, 5, 4)]),
        ("mha_cross_key_scores", cross, [floats(rng, 2, 5, 4), floats(rng, 2, 6, 3), floats(rng, 2, 6, 2)]),
        ("mha_no_bias_dropout", no_bias, [floats(rng, 2, 5, 4)]),
        ("mha_masked_causal", masked(False), [padded]),
        ("mha_masked_causal_scores", masked(True), [padded]),
    ]


def adapted(rng):
    """A Normalization whose statistics come from adapt(): they are weights of the file."""
    norm = layers.Normalization(axis=-1, name="norm")
    norm.adapt(floats(rng, 40, 6, 5, 3) * 2 + 1)
    return single((6, 5, 3), norm, name="m")


def main():
    keras.utils.set_random_seed(16)
    rng = np.random.default_rng(16)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [save_case(name, model, inputs, rng, OUT) for name, model, inputs in layer_cases(rng)]
    models = [save_model(name, model, inputs, rng, OUT) for name, model, inputs in real_models(keras, rng)]
    write_outputs(OUT / "outputs.json", cases)
    write_outputs(OUT / "models.json", models)
    print("wrote", len(cases), "layer cases and", len(models), "models into", OUT)


if __name__ == "__main__":
    main()
