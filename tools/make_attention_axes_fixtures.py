"""MultiHeadAttention over grids and chosen axes, and with an attention_mask tensor (issue 16), built in
Keras 3.15.1: Tests/Fixtures/attention_axes/.

Small models whose MultiHeadAttention takes inputs of rank 4 or 5: attention over every axis between batch
and features (Keras's default), over one axis (the others batch-like), over two of three, cross-attention
to a value grid of another size, and with return_attention_scores; and sequence models whose call passes an
`attention_mask` input (alone, and joined with an Embedding's padding mask and the causal mask, a query
step fully masked); each with random weights, an input batch and Keras's outputs (outputs.json, the
models_keras3.json structure), saved as .keras and .h5. Then the masks over grids (the causal mask over one
attention axis, attention_mask tensors Keras broadcasts to the scores, a query position that may attend to
nothing) and Keras 3.15's `sliding_window` and `use_gate` (cases named `..._keras3_...`: tf.keras has neither
option), their inputs from a second generator so that the earlier cases keep their numbers.

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


def self_attention(shape, name, scores=False, causal=False, mask_shape=None, **options):
    x = keras.Input(shape, name="grid")
    inputs = [x] if mask_shape is None else [x, keras.Input(mask_shape, name="allowed")]
    attention = layers.MultiHeadAttention(name="attention", **options)
    call = dict(use_causal_mask=causal, attention_mask=None if mask_shape is None else inputs[1])
    if scores:
        y, weights = attention(x, x, return_attention_scores=True, **call)
        return keras.Model(inputs, [y, weights], name=name)
    return keras.Model(inputs, attention(x, x, **call), name=name)


def masked_cases():
    """(name, model, inputs): masks over grids, sliding windows and gates."""
    rng = np.random.default_rng(1208)
    grid = floats(rng, 2, 3, 4, 5)
    grid_allowed = (rng.random((2, 3, 4, 3, 4)) > 0.3).astype("float32")
    grid_allowed[0, 1, 2] = 0  # a query position that may attend to nothing
    column_allowed = (rng.random((2, 3, 3)) > 0.3).astype("float32")
    words = keras.Input((6,), name="words")
    embedded = layers.Embedding(9, 4, mask_zero=True, name="embedding")(words)
    gated = keras.Model(words, layers.MultiHeadAttention(2, 3, use_gate=True, name="attention")(
        embedded, embedded), name="gated")
    sentences = np.array([[3, 1, 4, 1, 5, 8], [2, 7, 1, 0, 0, 0]], "float32")
    return [
        ("mha_grid_axis_1_causal_scores", self_attention((3, 4, 5), "m", scores=True, causal=True, num_heads=2,
                                                         key_dim=3, attention_axes=(1,)), [grid]),
        ("mha_grid_attention_mask", self_attention((3, 4, 5), "m", mask_shape=(3, 4, 3, 4), num_heads=2, key_dim=3),
         [grid, grid_allowed]),
        ("mha_grid_axis_1_mask_causal", self_attention((3, 4, 5), "m", causal=True, mask_shape=(3, 3), num_heads=2,
                                                       key_dim=2, attention_axes=(1,)), [grid, column_allowed]),
        ("mha_keras3_grid_axis_1_window", self_attention((3, 4, 5), "m", num_heads=2, key_dim=2, attention_axes=(1,),
                                                         sliding_window=2), [grid]),
        ("mha_keras3_sequence_window_causal", self_attention((6, 4), "m", causal=True, num_heads=2, key_dim=3,
                                                             sliding_window=2), [floats(rng, 2, 6, 4)]),
        ("mha_keras3_sequence_gate_masked", gated, [sentences]),
        ("mha_keras3_grid_gate_scores", self_attention((3, 4, 5), "m", scores=True, num_heads=2, key_dim=3,
                                                       use_gate=True, output_shape=3), [grid]),
    ]


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
    ] + masked_cases()


def main():
    save_case_folder(OUT, cases)


if __name__ == "__main__":
    main()
