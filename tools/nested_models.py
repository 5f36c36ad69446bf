"""Models nested as layers (issue 16), written once for both Kerases: Keras 3 (make_nested_fixtures.py)
and tf_keras (make_nested_tf_keras_fixtures.py) build the same models.
"""

from fixture_common import floats


def nested_models(keras, rng):
    """(name, model, inputs): whole models used as layers, built with `keras` (Keras 3 or tf_keras)."""
    layers = keras.layers
    # LRCN with its frame CNN as a Sequential (no input layer of its own: it is built by the
    # TimeDistributed call) and its classifier head as a Functional model called on the LSTM's output.
    frame_cnn = keras.Sequential([
        layers.Conv2D(3, 3, activation="relu", name="conv"),
        layers.BatchNormalization(name="norm"),
        layers.MaxPooling2D(2, name="pool"),
        layers.Flatten(name="flatten"),
    ], name="frame_cnn")
    features = keras.Input((5,), name="features")
    hidden = layers.Dense(6, activation="relu", name="hidden")(features)
    head = keras.Model(features, layers.Dense(3, activation="softmax", name="action")(hidden), name="head")
    frames = keras.Input((4, 8, 8, 2), name="frames")
    x = layers.TimeDistributed(frame_cnn, name="per_frame")(frames)
    x = layers.LSTM(5, name="lstm")(x)
    lrcn = keras.Model(frames, head(x), name="lrcn_nested")

    # A masked encoder as a Sequential: Embedding(mask_zero)'s mask goes into the nested model.
    encoder = keras.Sequential([
        layers.Bidirectional(layers.LSTM(4, return_sequences=True), name="bidirectional"),
        layers.GRU(3, name="gru"),
    ], name="encoder")
    words = keras.Input((6,), dtype="int32", name="words")
    x = layers.Embedding(12, 5, mask_zero=True, name="embedding")(words)
    x = encoder(x)
    tagger = keras.Model(words, layers.Dense(2, activation="softmax", name="label")(x), name="masked_encoder")
    sentences = rng.integers(1, 12, size=(3, 6)).astype("int32")
    sentences[0, -2:] = 0
    sentences[2, -4:] = 0

    # Two levels, in a Sequential model: a Functional block that itself holds a Sequential.
    steps = keras.Input((5, 3), name="steps")
    inner = keras.Sequential([keras.Input((5, 4)), layers.SimpleRNN(4, name="simple_rnn")], name="inner")
    y = layers.Dense(4, activation="tanh", name="lift")(steps)
    block = keras.Model(steps, layers.Dense(2, name="out")(inner(y)), name="block")
    stacked = keras.Sequential([keras.Input((5, 3)), block, layers.Dense(2, activation="softmax", name="top")],
                               name="two_levels")

    return [
        ("lrcn_nested", lrcn, [floats(rng, 2, 4, 8, 8, 2)]),
        ("masked_encoder", tagger, [sentences]),
        ("two_levels", stacked, [floats(rng, 2, 5, 3)]),
    ]
