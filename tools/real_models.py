"""The real-model shapes of issue 6, defined once for Keras 3 and tf_keras (the same layer API): each
builder takes the Keras module to build with, and the model's name (None: the framework's default, as
the tf_keras fixtures were first written).

Used by make_surrounding_fixtures.py, make_attention_fixtures.py, make_convlstm_fixtures.py (Keras 3)
and make_tf_keras_real_models.py (tf_keras). Moving the definitions here was checked by regenerating
those fixtures into a scratch folder: the weights bit for bit the same, the outputs within float32
rounding of the committed ones.
"""


def sentiment(keras, name=None):
    """Embedding -> SpatialDropout1D -> Bidirectional(LSTM) -> Dense: a sentiment classifier."""
    layers = keras.layers
    words = keras.Input((8,), dtype="int32", name="words")
    x = layers.Embedding(20, 6, mask_zero=True, name="embedding")(words)
    x = layers.SpatialDropout1D(0.2, name="spatial_dropout")(x)
    x = layers.Bidirectional(layers.LSTM(5), name="bidirectional")(x)
    x = layers.Dense(1, activation="sigmoid", name="sentiment")(x)
    return keras.Model(words, x, name=name)


def forecaster(keras, name=None):
    """Conv1D -> MaxPooling1D -> LSTM -> Dense: a time-series forecaster."""
    layers = keras.layers
    series = keras.Input((12, 2), name="series")
    x = layers.Conv1D(8, 3, padding="causal", activation="relu", name="conv")(series)
    x = layers.MaxPooling1D(2, name="pool")(x)
    x = layers.LSTM(6, name="lstm")(x)
    x = layers.Dense(3, name="forecast")(x)
    return keras.Model(series, x, name=name)


def autoencoder(keras, name=None):
    """LSTM encoder -> RepeatVector -> LSTM decoder -> TimeDistributed(Dense): a sequence autoencoder."""
    layers = keras.layers
    signal = keras.Input((7, 3), name="signal")
    x = layers.LSTM(5, name="encoder")(signal)
    x = layers.RepeatVector(7, name="repeat")(x)
    x = layers.LSTM(5, return_sequences=True, name="decoder")(x)
    x = layers.TimeDistributed(layers.Dense(3), name="reconstruction")(x)
    return keras.Model(signal, x, name=name)


def seq2seq(keras, name=None):
    """A seq2seq training model: two Embeddings, the encoder's states feed the decoder."""
    layers = keras.layers
    source = keras.Input((6,), dtype="int32", name="source")
    target = keras.Input((5,), dtype="int32", name="target")
    e = layers.Embedding(15, 4, mask_zero=True, name="source_embedding")(source)
    _, h, c = layers.LSTM(6, return_state=True, name="encoder")(e)
    d = layers.Embedding(12, 4, mask_zero=True, name="target_embedding")(target)
    d = layers.LSTM(6, return_sequences=True, name="decoder")(d, initial_state=[h, c])
    d = layers.Dense(12, activation="softmax", name="next_token")(d)
    return keras.Model([source, target], d, name=name)


def dot_attention(keras, name=None):
    """Dot/Concatenate (Luong) attention over the encoder's outputs, two inputs."""
    layers = keras.layers
    source_seq = keras.Input((6, 3), name="source_seq")
    target_seq = keras.Input((4, 2), name="target_seq")
    encoded = layers.LSTM(5, return_sequences=True, name="encoder")(source_seq)
    decoded = layers.LSTM(5, return_sequences=True, name="decoder")(target_seq)
    scores = layers.Dot(axes=(2, 2), name="scores")([decoded, encoded])
    weights = layers.Activation("softmax", name="attention")(scores)
    context = layers.Dot(axes=(2, 1), name="context")([weights, encoded])
    joined = layers.Concatenate(name="joined")([context, decoded])
    out = layers.TimeDistributed(layers.Dense(3, activation="tanh"), name="output")(joined)
    return keras.Model([source_seq, target_seq], out, name=name)


def bahdanau_translator(keras, name=None):
    """Bahdanau-style translation: masked source and target, AdditiveAttention over the encoder outputs."""
    layers = keras.layers
    source = keras.Input((7,), dtype="int32", name="source")
    target = keras.Input((5,), dtype="int32", name="target")
    e = layers.Embedding(16, 6, mask_zero=True, name="source_embedding")(source)
    encoded, h, c = layers.LSTM(8, return_sequences=True, return_state=True, name="encoder")(e)
    d = layers.Embedding(14, 6, mask_zero=True, name="target_embedding")(target)
    decoded = layers.LSTM(8, return_sequences=True, name="decoder")(d, initial_state=[h, c])
    context = layers.AdditiveAttention(name="attention")([decoded, encoded])
    joined = layers.Concatenate(name="joined")([decoded, context])
    out = layers.TimeDistributed(layers.Dense(14, activation="softmax"), name="next_token")(joined)
    return keras.Model([source, target], out, name=name)


def attention_tagger(keras, name=None):
    """A tagger whose Bidirectional LSTM outputs attend to their past (causal, scaled dot attention)."""
    layers = keras.layers
    words = keras.Input((9,), dtype="int32", name="words")
    x = layers.Embedding(25, 5, mask_zero=True, name="embedding")(words)
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True), name="context")(x)
    attended = layers.Attention(use_scale=True, name="self_attention")([x, x], use_causal_mask=True)
    x = layers.Add(name="residual")([x, attended])
    x = layers.LayerNormalization(name="norm")(x)
    tags = layers.Dense(6, activation="softmax", name="tags")(x)
    return keras.Model(words, tags, name=name)


def stacked_convlstm2d(keras, name=None):
    """Three ConvLSTM2D layers with BatchNormalization between them, then a Dense classifier."""
    layers = keras.layers
    frames = keras.Input((5, 8, 8, 1), name="frames")
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="conv_lstm_1")(frames)
    x = layers.BatchNormalization(name="norm_1")(x)
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="conv_lstm_2")(x)
    x = layers.BatchNormalization(name="norm_2")(x)
    x = layers.ConvLSTM2D(2, 3, padding="same", name="conv_lstm_3")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(3, activation="softmax", name="classes")(x)
    return keras.Model(frames, x, name=name)
