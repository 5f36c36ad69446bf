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
import real_models  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "surrounding_tf_keras"


def models(rng):
    out = [("sentiment", real_models.sentiment(keras), [tokens(rng, (3, 8), 20, {0: 3, 1: 0, 2: 6})])]
    out.append(("forecaster", real_models.forecaster(keras), [floats(rng, 2, 12, 2)]))
    out.append(("autoencoder", real_models.autoencoder(keras), [floats(rng, 2, 7, 3)]))
    out.append(("seq2seq", real_models.seq2seq(keras),
                [tokens(rng, (3, 6), 15, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 12, {0: 0, 1: 2, 2: 3})]))
    out.append(("dot_attention", real_models.dot_attention(keras), [floats(rng, 2, 6, 3), floats(rng, 2, 4, 2)]))
    out.append(("bahdanau_translator", real_models.bahdanau_translator(keras),
                [tokens(rng, (3, 7), 16, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 14, {0: 0, 1: 2, 2: 3})]))
    out.append(("attention_tagger", real_models.attention_tagger(keras), [tokens(rng, (3, 9), 25, {0: 3, 1: 0, 2: 5})]))
    out.append(("stacked_convlstm2d", real_models.stacked_convlstm2d(keras), [floats(rng, 2, 5, 8, 8, 1)]))

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
