"""Attention and AdditiveAttention (issue 6), built in Keras 3.15.1: Tests/Fixtures/surrounding/.

Same structure as make_surrounding_fixtures.py, in its own files so that the other fixtures stay
untouched:
- attention.json: one small model per option (dot, scale, concat, key input, masks from
  Embedding(mask_zero) on query and value, explicit mask lists, use_causal_mask,
  return_attention_scores; AdditiveAttention with and without scale), saved as .keras and legacy .h5;
- attention_models.json: a Bahdanau-style translation model (masked Embeddings, encoder and decoder
  LSTMs, AdditiveAttention, Concatenate, TimeDistributed Dense) and a Luong-style self-attending
  tagger (Attention with use_causal_mask over a Bidirectional LSTM), each saved as .keras, legacy
  .h5 and .weights.h5 with its JSON.

Run: .venv/bin/python tools/make_attention_fixtures.py
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from make_surrounding_fixtures import OUT, floats, save_case, save_model, tokens, write_outputs  # noqa: E402
import real_models as real_models_module  # noqa: E402


def on_floats(attention, name, key=False, **call):
    q = keras.Input((4, 3), name="query")
    v = keras.Input((5, 3), name="value")
    inputs = [q, v] + ([keras.Input((5, 3), name="key")] if key else [])
    out = attention(inputs, **call)
    return keras.Model(inputs, out, name=name)


def on_tokens(attention, name, **call):
    """Query and value tokens, each Embedding(mask_zero); an LSTM after shows the output mask."""
    q = keras.Input((4,), dtype="int32", name="query")
    v = keras.Input((6,), dtype="int32", name="value")
    eq = layers.Embedding(10, 3, mask_zero=True, name="embed_query")(q)
    ev = layers.Embedding(10, 3, mask_zero=True, name="embed_value")(v)
    x = attention([eq, ev], **call)
    y = layers.LSTM(2, return_sequences=True, name="lstm")(x)
    return keras.Model([q, v], y, name=name)


def explicit_masks(name):
    """Masks passed as the call's mask list, from boolean model inputs."""
    q = keras.Input((4, 3), name="query")
    v = keras.Input((5, 3), name="value")
    qm = keras.Input((4,), dtype="bool", name="query_mask")
    vm = keras.Input((5,), dtype="bool", name="value_mask")
    out = layers.Attention(name="attention")([q, v], mask=[qm, vm])
    return keras.Model([q, v, qm, vm], out, name=name)


def layer_cases(rng):
    def pair():
        return [floats(rng, 2, 4, 3), floats(rng, 2, 5, 3)]

    masked = [tokens(rng, (3, 4), 10, {0: 1, 1: 0, 2: 2}), tokens(rng, (3, 6), 10, {0: 2, 1: 4, 2: 0})]
    masks = [np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool), np.array([[1, 1, 1, 1, 0], [1, 0, 1, 1, 0]], bool)]
    return [
        ("attention_dot", on_floats(layers.Attention(name="attention"), "attention_dot"), pair()),
        ("attention_scale", on_floats(layers.Attention(use_scale=True, name="attention"), "attention_scale"), pair()),
        (
            "attention_key",
            on_floats(layers.Attention(name="attention"), "attention_key", key=True),
            pair() + [floats(rng, 2, 5, 3)],
        ),
        (
            "attention_concat",
            on_floats(layers.Attention(score_mode="concat", name="attention"), "attention_concat"),
            pair(),
        ),
        (
            "attention_concat_scale",
            on_floats(layers.Attention(use_scale=True, score_mode="concat", name="attention"), "attention_concat_scale"),
            pair(),
        ),
        (
            "attention_causal",
            on_floats(layers.Attention(name="attention"), "attention_causal", use_causal_mask=True),
            pair(),
        ),
        (
            "attention_scores",
            on_floats(layers.Attention(name="attention"), "attention_scores", return_attention_scores=True),
            pair(),
        ),
        ("attention_masked", on_tokens(layers.Attention(name="attention"), "attention_masked"), masked),
        (
            "attention_masked_causal",
            on_tokens(layers.Attention(use_scale=True, name="attention"), "attention_masked_causal",
                      use_causal_mask=True),
            masked,
        ),
        ("attention_mask_list", explicit_masks("attention_mask_list"), pair() + masks),
        ("additive", on_floats(layers.AdditiveAttention(name="attention"), "additive"), pair()),
        (
            "additive_no_scale",
            on_floats(layers.AdditiveAttention(use_scale=False, name="attention"), "additive_no_scale"),
            pair(),
        ),
        (
            "additive_key_scores",
            on_floats(layers.AdditiveAttention(name="attention"), "additive_key_scores", key=True,
                      return_attention_scores=True),
            pair() + [floats(rng, 2, 5, 3)],
        ),
        ("additive_masked", on_tokens(layers.AdditiveAttention(name="attention"), "additive_masked"), masked),
    ]


def real_models(rng):
    translator = real_models_module.bahdanau_translator(keras, "bahdanau_translator")
    tagger = real_models_module.attention_tagger(keras, "attention_tagger")

    return [
        (
            "bahdanau_translator",
            translator,
            [tokens(rng, (3, 7), 16, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 14, {0: 0, 1: 2, 2: 3})],
        ),
        ("attention_tagger", tagger, [tokens(rng, (3, 9), 25, {0: 3, 1: 0, 2: 5})]),
    ]


def main():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [save_case(name, model, inputs, rng, OUT) for name, model, inputs in layer_cases(rng)]
    models = [save_model(name, model, inputs, rng, OUT) for name, model, inputs in real_models(rng)]
    write_outputs(OUT / "attention.json", cases)
    write_outputs(OUT / "attention_models.json", models)
    print("wrote", len(cases), "attention cases and", len(models), "models into", OUT)


if __name__ == "__main__":
    main()
