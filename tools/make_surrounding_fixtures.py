"""The layers around the RNN (issue 6), built in Keras 3.15.1: Tests/Fixtures/surrounding/.

Two sets, each model with random (non-default) weights, an input batch and Keras's outputs in
outputs.json (the models_keras3.json structure):
- layer cases: one small model per layer option (Conv1D paddings, strides, dilation, groups; pooling;
  shape layers; every merge, with and without masks; normalization; inference identities), saved as
  .keras and legacy .h5;
- real-model shapes: the models issue 6 names (sentiment, Conv1D -> LSTM, RepeatVector autoencoder,
  seq2seq with two Embeddings, Dot/Concatenate attention), saved as .keras, legacy .h5 and .weights.h5
  with their JSON.

Run: .venv/bin/python tools/make_surrounding_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from fixture_common import floats, save_case, save_model, single, tokens, write_outputs  # noqa: E402
import real_models as real_models_module  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "surrounding"


def pair(shape_a, shape_b, merge, name, after=None):
    a, b = keras.Input(shape_a, name="a"), keras.Input(shape_b, name="b")
    x = merge([a, b])
    if after is not None:
        x = after(x)
    return keras.Model([a, b], x, name=name)


def masked_pair(merge, name, one_masked=False):
    """Two token inputs, each Embedding(mask_zero) (or one plain), merged, then an LSTM that shows the mask."""
    a, b = keras.Input((6,), dtype="int32", name="a"), keras.Input((6,), dtype="int32", name="b")
    ea = layers.Embedding(10, 3, mask_zero=True, name="embed_a")(a)
    eb = layers.Embedding(10, 3, mask_zero=not one_masked, name="embed_b")(b)
    x = merge([ea, eb])
    y = layers.LSTM(2, return_sequences=True, name="lstm")(x)
    return keras.Model([a, b], y, name=name)


def layer_cases(rng):
    """(name, model, inputs)."""
    x73 = floats(rng, 2, 7, 3)
    two = lambda *shapes: [floats(rng, *s) for s in shapes]  # noqa: E731
    masked_inputs = [tokens(rng, (3, 6), 10, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 6), 10, {0: 0, 1: 3, 2: 1})]
    return [
        ("conv1d_valid", single((7, 3), layers.Conv1D(4, 3, activation="relu", name="conv"), name="m"), [x73]),
        ("conv1d_same_strides", single((7, 3), layers.Conv1D(4, 3, strides=2, padding="same", name="conv"), name="m"), [x73]),
        ("conv1d_same_even_kernel", single((7, 3), layers.Conv1D(3, 4, padding="same", name="conv"), name="m"), [x73]),
        ("conv1d_causal_dilated", single((7, 3), layers.Conv1D(5, 2, padding="causal", dilation_rate=2, activation="tanh",
                                                               name="conv"), name="m"), [x73]),
        ("conv1d_groups_no_bias", single((7, 4), layers.Conv1D(6, 3, groups=2, use_bias=False, name="conv"), name="m"),
         [floats(rng, 2, 7, 4)]),
        ("max_pooling", single((7, 3), layers.MaxPooling1D(2, name="pool"), name="m"), [x73]),
        ("max_pooling_same_strides", single((7, 3), layers.MaxPooling1D(3, strides=2, padding="same", name="pool"),
                                            name="m"), [x73]),
        ("average_pooling_valid", single((7, 3), layers.AveragePooling1D(2, strides=1, name="pool"), name="m"), [x73]),
        ("average_pooling_same", single((7, 3), layers.AveragePooling1D(3, strides=2, padding="same", name="pool"),
                                        name="m"), [x73]),
        ("global_max_pooling", single((7, 3), layers.GlobalMaxPooling1D(name="pool"), name="m"), [x73]),
        ("global_average_pooling_keepdims", single((7, 3), layers.GlobalAveragePooling1D(keepdims=True, name="pool"),
                                                   name="m"), [x73]),
        ("global_average_pooling_masked", single((6,), layers.Embedding(10, 3, mask_zero=True, name="embed"),
                                                 layers.GlobalAveragePooling1D(name="pool"), name="m"),
         [masked_inputs[0]]),
        ("global_max_pooling_masked", single((6,), layers.Embedding(10, 3, mask_zero=True, name="embed"),
                                             layers.GlobalMaxPooling1D(name="pool"), name="m"), [masked_inputs[0]]),
        ("flatten_dense", single((4, 3), layers.Flatten(name="flatten"), layers.Dense(2, name="dense"), name="m"),
         [floats(rng, 2, 4, 3)]),
        ("reshape", single((6, 2), layers.Reshape((3, 4), name="reshape"), name="m"), [floats(rng, 2, 6, 2)]),
        ("reshape_inferred", single((6, 2), layers.Reshape((-1, 3), name="reshape"), name="m"), [floats(rng, 2, 6, 2)]),
        ("permute", single((5, 3), layers.Permute((2, 1), name="permute"), name="m"), [floats(rng, 2, 5, 3)]),
        ("repeat_vector", single((3,), layers.RepeatVector(4, name="repeat"), name="m"), [floats(rng, 2, 3)]),
        ("cropping", single((7, 3), layers.Cropping1D((1, 2), name="crop"), name="m"), [x73]),
        ("zero_padding", single((7, 3), layers.ZeroPadding1D((2, 1), name="pad"), name="m"), [x73]),
        ("masked_cropping_drops_mask", single((6,), layers.Embedding(10, 3, mask_zero=True, name="embed"),
                                              layers.ZeroPadding1D(1, name="pad"), layers.LSTM(2, name="lstm"), name="m"),
         [masked_inputs[0]]),
        ("add", pair((5, 3), (5, 3), layers.Add(name="merge"), "m"), two((2, 5, 3), (2, 5, 3))),
        ("subtract", pair((5, 3), (5, 3), layers.Subtract(name="merge"), "m"), two((2, 5, 3), (2, 5, 3))),
        ("multiply", pair((5, 3), (5, 3), layers.Multiply(name="merge"), "m"), two((2, 5, 3), (2, 5, 3))),
        ("average", pair((5, 3), (5, 3), layers.Average(name="merge"), "m"), two((2, 5, 3), (2, 5, 3))),
        ("maximum", pair((5, 3), (5, 3), layers.Maximum(name="merge"), "m"), two((2, 5, 3), (2, 5, 3))),
        ("minimum", pair((5, 3), (5, 3), layers.Minimum(name="merge"), "m"), two((2, 5, 3), (2, 5, 3))),
        ("concatenate_features", pair((5, 3), (5, 2), layers.Concatenate(name="merge"), "m"), two((2, 5, 3), (2, 5, 2))),
        ("concatenate_steps", pair((5, 3), (4, 3), layers.Concatenate(axis=1, name="merge"), "m"),
         two((2, 5, 3), (2, 4, 3))),
        ("dot_vectors", pair((4,), (4,), layers.Dot(axes=-1, name="merge"), "m"), two((3, 4), (3, 4))),
        ("dot_sequences", pair((5, 3), (6, 3), layers.Dot(axes=(2, 2), name="merge"), "m"), two((2, 5, 3), (2, 6, 3))),
        ("dot_steps_normalized", pair((5, 3), (5, 4), layers.Dot(axes=1, normalize=True, name="merge"), "m"),
         two((2, 5, 3), (2, 5, 4))),
        ("masked_add", masked_pair(layers.Add(name="merge"), "m"), masked_inputs),
        ("masked_multiply", masked_pair(layers.Multiply(name="merge"), "m"), masked_inputs),
        ("masked_multiply_one_mask", masked_pair(layers.Multiply(name="merge"), "m", one_masked=True), masked_inputs),
        ("masked_maximum", masked_pair(layers.Maximum(name="merge"), "m"), masked_inputs),
        ("masked_minimum_one_mask", masked_pair(layers.Minimum(name="merge"), "m", one_masked=True), masked_inputs),
        ("masked_concatenate", masked_pair(layers.Concatenate(name="merge"), "m"), masked_inputs),
        ("masked_concatenate_one_mask", masked_pair(layers.Concatenate(name="merge"), "m", one_masked=True),
         masked_inputs),
        ("batch_normalization", single((5, 3), layers.BatchNormalization(name="norm"), name="m"), [floats(rng, 2, 5, 3)]),
        ("batch_normalization_steps_axis", single((5, 3), layers.BatchNormalization(axis=1, center=False, epsilon=0.01,
                                                                                    name="norm"), name="m"),
         [floats(rng, 2, 5, 3)]),
        ("layer_normalization", single((5, 3), layers.LayerNormalization(name="norm"), name="m"), [floats(rng, 2, 5, 3)]),
        ("layer_normalization_two_axes", single((5, 3), layers.LayerNormalization(axis=[1, 2], scale=False, name="norm"),
                                                name="m"), [floats(rng, 2, 5, 3)]),
        ("layer_normalization_rms", single((5, 3), layers.LayerNormalization(rms_scaling=True, name="norm"), name="m"),
         [floats(rng, 2, 5, 3)]),
        ("inference_identities", single((5, 3), layers.Dense(4, name="dense"), layers.SpatialDropout1D(0.5, name="spatial"),
                                        layers.GaussianNoise(0.3, name="noise"), layers.GaussianDropout(0.2, name="gdrop"),
                                        layers.ActivityRegularization(0.01, 0.02, name="activity"),
                                        layers.Dense(2, name="out"), name="m"), [floats(rng, 2, 5, 3)]),
    ]


def real_models(rng):
    """The shapes issue 6 names, small (tools/real_models.py)."""
    sentiment = real_models_module.sentiment(keras, "sentiment")
    forecaster = real_models_module.forecaster(keras, "forecaster")
    autoencoder = real_models_module.autoencoder(keras, "autoencoder")
    seq2seq = real_models_module.seq2seq(keras, "seq2seq")
    attention = real_models_module.dot_attention(keras, "dot_attention")

    return [
        ("sentiment", sentiment, [tokens(rng, (3, 8), 20, {0: 3, 1: 0, 2: 6})]),
        ("forecaster", forecaster, [floats(rng, 2, 12, 2)]),
        ("autoencoder", autoencoder, [floats(rng, 2, 7, 3)]),
        ("seq2seq", seq2seq, [tokens(rng, (3, 6), 15, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 12, {0: 0, 1: 2, 2: 3})]),
        ("dot_attention", attention, [floats(rng, 2, 6, 3), floats(rng, 2, 4, 2)]),
    ]


def main():
    keras.utils.set_random_seed(6)
    rng = np.random.default_rng(6)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [save_case(name, model, inputs, rng, OUT) for name, model, inputs in layer_cases(rng)]
    models = [save_model(name, model, inputs, rng, OUT) for name, model, inputs in real_models(rng)]
    write_outputs(OUT / "outputs.json", cases)
    write_outputs(OUT / "models.json", models)
    print("wrote", len(cases), "layer cases and", len(models), "models into", OUT)


if __name__ == "__main__":
    main()
