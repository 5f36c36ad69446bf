"""MultiHeadAttention over grids and chosen axes, and with an attention_mask tensor (issue 16), built in
Keras 3.15.1: Tests/Fixtures/attention_axes/.

Small models whose MultiHeadAttention takes inputs of rank 4 or 5: attention over every axis between batch
and features (Keras's default), over one axis (the others batch-like), over two of three, cross-attention
to a value grid of another size, and with return_attention_scores; and sequence models whose call passes an
`attention_mask` input (alone, and joined with an Embedding's padding mask and the causal mask, a query
step fully masked); each with random weights, an input batch and Keras's outputs (outputs.json, the
models_keras3.json structure), saved as .keras and .h5.

Run: .venv/bin/python tools/make_attention_axes_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from fixture_common import floats, save_case_folder  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "attention_axes"


def self_attention(shape, name, scores=False, **options):
    x = keras.Input(shape, name="grid")
    attention = layers.MultiHeadAttention(name="attention", **options)
    if scores:
        y, weights = attention(x, x, return_attention_scores=True)
        return keras.Model(x, [y, weights], name=name)
    return keras.Model(x, attention(x, x), name=name)


def cases(rng):
    """(name, model, inputs)."""
    grid = floats(rng, 2, 3, 4, 5)
    volume = floats(rng, 2, 2, 3, 2, 4)
    query = keras.Input((3, 4, 5), name="query")
    value = keras.Input((3, 6, 2), name="value")
    cross = keras.Model([query, value], layers.MultiHeadAttention(2, 3, attention_axes=(2,), name="attention")(
        query, value), name="cross")
    steps = keras.Input((5, 4), name="steps")
    allowed = keras.Input((5, 5), name="allowed")
    masked = keras.Model([steps, allowed], layers.MultiHeadAttention(2, 3, name="attention")(
        steps, steps, attention_mask=allowed), name="attention_mask")
    words = keras.Input((5,), name="words")
    embedded = layers.Embedding(9, 4, mask_zero=True, name="embedding")(words)
    joined = keras.Model([words, allowed], layers.MultiHeadAttention(2, 3, name="attention")(
        embedded, embedded, attention_mask=allowed, use_causal_mask=True), name="attention_mask_joined")
    permitted = (rng.random((2, 5, 5)) > 0.3).astype("float32")
    permitted[1, 2, :] = 0  # a query step that may attend to nothing
    sentences = np.array([[3, 1, 4, 1, 5], [2, 7, 1, 0, 0]], "float32")
    return [
        ("mha_attention_mask", masked, [floats(rng, 2, 5, 4), permitted]),
        ("mha_attention_mask_joined", joined, [sentences, permitted]),
        ("mha_grid_default_axes", self_attention((3, 4, 5), "m", num_heads=2, key_dim=3), [grid]),
        ("mha_grid_axis_1", self_attention((3, 4, 5), "m", num_heads=2, key_dim=3, attention_axes=(1,)), [grid]),
        ("mha_grid_axis_2_scores", self_attention((3, 4, 5), "m", scores=True, num_heads=3, key_dim=2, value_dim=4,
                                                  attention_axes=2), [grid]),
        ("mha_volume_axes_1_3", self_attention((2, 3, 2, 4), "m", num_heads=2, key_dim=2, attention_axes=(1, 3),
                                               output_shape=3), [volume]),
        ("mha_sequence_axis_1", self_attention((4, 5), "m", num_heads=2, key_dim=3, attention_axes=(1,)),
         [floats(rng, 2, 4, 5)]),
        ("mha_cross_grid", cross, [grid, floats(rng, 2, 3, 6, 2)]),
    ]


def main():
    save_case_folder(OUT, cases)


if __name__ == "__main__":
    main()
