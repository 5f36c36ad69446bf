"""The real-model shapes of issue 6 in tf_keras 2.21 (tf.keras): Tests/Fixtures/surrounding_tf_keras/.

Each model has random non-default weights and is saved in every layout tf_keras writes: <name>.h5,
<name>_weights.h5 + <name>.json, <name>.keras; inputs and tf_keras's outputs in outputs.json (the
models_tf_keras structure). The shapes: Embedding -> SpatialDropout1D -> Bidirectional(LSTM) -> Dense
sentiment; causal Conv1D -> MaxPooling1D -> LSTM forecaster; LSTM -> RepeatVector -> LSTM ->
TimeDistributed(Dense) autoencoder; a seq2seq training model with two Embeddings and encoder states into
the decoder; a Dot/Concatenate attention model; a Bahdanau translator (AdditiveAttention); a tagger with
causal self-attention (Attention, use_causal_mask); stacked ConvLSTM2D; a Bidirectional ConvLSTM2D over
masked frames (the mask a boolean input passed as the call's mask), returning sequences.

Run: .venv-tf/bin/python tools/make_tf_keras_real_models.py
"""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 arithmetic, no oneDNN reordering

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402

from fixture_common import floats, save_tf_keras_models, tokens  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "surrounding_tf_keras"


def models(rng):
    out = []
    words = keras.Input((8,), dtype="int32", name="words")
    x = layers.Embedding(20, 6, mask_zero=True, name="embedding")(words)
    x = layers.SpatialDropout1D(0.2, name="spatial_dropout")(x)
    x = layers.Bidirectional(layers.LSTM(5), name="bidirectional")(x)
    x = layers.Dense(1, activation="sigmoid", name="sentiment")(x)
    out.append(("sentiment", keras.Model(words, x), [tokens(rng, (3, 8), 20, {0: 3, 1: 0, 2: 6})]))

    series = keras.Input((12, 2), name="series")
    x = layers.Conv1D(8, 3, padding="causal", activation="relu", name="conv")(series)
    x = layers.MaxPooling1D(2, name="pool")(x)
    x = layers.LSTM(6, name="lstm")(x)
    x = layers.Dense(3, name="forecast")(x)
    out.append(("forecaster", keras.Model(series, x), [floats(rng, 2, 12, 2)]))

    signal = keras.Input((7, 3), name="signal")
    x = layers.LSTM(5, name="encoder")(signal)
    x = layers.RepeatVector(7, name="repeat")(x)
    x = layers.LSTM(5, return_sequences=True, name="decoder")(x)
    x = layers.TimeDistributed(layers.Dense(3), name="reconstruction")(x)
    out.append(("autoencoder", keras.Model(signal, x), [floats(rng, 2, 7, 3)]))

    source = keras.Input((6,), dtype="int32", name="source")
    target = keras.Input((5,), dtype="int32", name="target")
    e = layers.Embedding(15, 4, mask_zero=True, name="source_embedding")(source)
    _, h, c = layers.LSTM(6, return_state=True, name="encoder")(e)
    d = layers.Embedding(12, 4, mask_zero=True, name="target_embedding")(target)
    d = layers.LSTM(6, return_sequences=True, name="decoder")(d, initial_state=[h, c])
    d = layers.Dense(12, activation="softmax", name="next_token")(d)
    out.append(("seq2seq", keras.Model([source, target], d),
                [tokens(rng, (3, 6), 15, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 12, {0: 0, 1: 2, 2: 3})]))

    source_seq = keras.Input((6, 3), name="source_seq")
    target_seq = keras.Input((4, 2), name="target_seq")
    encoded = layers.LSTM(5, return_sequences=True, name="encoder")(source_seq)
    decoded = layers.LSTM(5, return_sequences=True, name="decoder")(target_seq)
    scores = layers.Dot(axes=(2, 2), name="scores")([decoded, encoded])
    weights = layers.Activation("softmax", name="attention")(scores)
    context = layers.Dot(axes=(2, 1), name="context")([weights, encoded])
    joined = layers.Concatenate(name="joined")([context, decoded])
    y = layers.TimeDistributed(layers.Dense(3, activation="tanh"), name="output")(joined)
    out.append(("dot_attention", keras.Model([source_seq, target_seq], y), [floats(rng, 2, 6, 3), floats(rng, 2, 4, 2)]))

    source = keras.Input((7,), dtype="int32", name="source")
    target = keras.Input((5,), dtype="int32", name="target")
    e = layers.Embedding(16, 6, mask_zero=True, name="source_embedding")(source)
    encoded, h, c = layers.LSTM(8, return_sequences=True, return_state=True, name="encoder")(e)
    d = layers.Embedding(14, 6, mask_zero=True, name="target_embedding")(target)
    decoded = layers.LSTM(8, return_sequences=True, name="decoder")(d, initial_state=[h, c])
    context = layers.AdditiveAttention(name="attention")([decoded, encoded])
    joined = layers.Concatenate(name="joined")([decoded, context])
    y = layers.TimeDistributed(layers.Dense(14, activation="softmax"), name="next_token")(joined)
    out.append(("bahdanau_translator", keras.Model([source, target], y),
                [tokens(rng, (3, 7), 16, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 14, {0: 0, 1: 2, 2: 3})]))

    words = keras.Input((9,), dtype="int32", name="words")
    x = layers.Embedding(25, 5, mask_zero=True, name="embedding")(words)
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True), name="context")(x)
    attended = layers.Attention(use_scale=True, name="self_attention")([x, x], use_causal_mask=True)
    x = layers.Add(name="residual")([x, attended])
    x = layers.LayerNormalization(name="norm")(x)
    tags = layers.Dense(6, activation="softmax", name="tags")(x)
    out.append(("attention_tagger", keras.Model(words, tags), [tokens(rng, (3, 9), 25, {0: 3, 1: 0, 2: 5})]))

    frames = keras.Input((5, 8, 8, 1), name="frames")
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="conv_lstm_1")(frames)
    x = layers.BatchNormalization(name="norm_1")(x)
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="conv_lstm_2")(x)
    x = layers.BatchNormalization(name="norm_2")(x)
    x = layers.ConvLSTM2D(2, 3, padding="same", name="conv_lstm_3")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(3, activation="softmax", name="classes")(x)
    out.append(("stacked_convlstm2d", keras.Model(frames, x), [floats(rng, 2, 5, 8, 8, 1)]))

    frames = keras.Input((5, 4, 4, 2), name="frames")
    mask = keras.Input((5,), dtype="bool", name="mask")
    y = layers.Bidirectional(layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                             name="bidirectional")(frames, mask=mask)
    step_mask = rng.uniform(size=(3, 5)) > 0.35
    step_mask[:, 0] = True
    out.append(("bidirectional_convlstm2d_masked", keras.Model([frames, mask], y),
                [floats(rng, 3, 5, 4, 4, 2), step_mask]))
    return out


def main():
    keras.utils.set_random_seed(9)
    rng = np.random.default_rng(9)
    cases = save_tf_keras_models(models(rng), rng, OUT, keras.__version__)
    print("wrote", len(cases), "models into", OUT)


if __name__ == "__main__":
    main()
