"""The image, video and speech model shapes of issue 16, written once for both Kerases: Keras 3
(make_spatial_fixtures.py) and tf_keras (make_spatial_tf_keras_fixtures.py) build the same models.
"""

from fixture_common import floats


def real_models(keras, rng):
    """The shapes issue 16 names, small: (name, model, inputs), built with `keras` (Keras 3 or tf_keras)."""
    layers = keras.layers
    # Captcha OCR: the CTC-trained model's inference part (image width is the time axis).
    image = keras.Input((24, 12, 1), name="image")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(6, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Reshape((6, 3 * 6), name="reshape")(x)
    x = layers.Dense(8, activation="relu", name="dense1")(x)
    x = layers.Bidirectional(layers.LSTM(5, return_sequences=True), name="bidirectional")(x)
    x = layers.Dense(7, activation="softmax", name="characters")(x)
    captcha = keras.Model(image, x, name="captcha_crnn")

    # A spectrogram CRNN: frequency x time image, the time axis read by a GRU.
    spectrogram = keras.Input((10, 8, 1), name="spectrogram")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(spectrogram)
    x = layers.BatchNormalization(name="norm")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = layers.MaxPooling2D((2, 1), name="pool")(x)
    x = layers.Permute((2, 1, 3), name="time_first")(x)
    x = layers.Reshape((8, 5 * 4), name="frames")(x)
    x = layers.GRU(6, name="gru")(x)
    x = layers.Dense(3, activation="softmax", name="label")(x)
    speech = keras.Model(spectrogram, x, name="spectrogram_crnn")

    # LRCN: a small CNN on every frame, then an LSTM over the frames.
    frames = keras.Input((4, 8, 8, 2), name="frames")
    x = layers.TimeDistributed(layers.Conv2D(3, 3, activation="relu"), name="frame_conv")(frames)
    x = layers.TimeDistributed(layers.MaxPooling2D(2), name="frame_pool")(x)
    x = layers.TimeDistributed(layers.Flatten(), name="frame_flatten")(x)
    x = layers.LSTM(5, name="lstm")(x)
    x = layers.Dense(3, activation="softmax", name="action")(x)
    lrcn = keras.Model(frames, x, name="lrcn")

    # Frame prediction: ConvLSTM2D over the frames, a Conv3D head.
    movie = keras.Input((3, 6, 6, 1), name="movie")
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, name="convlstm")(movie)
    x = layers.BatchNormalization(name="norm")(x)
    x = layers.Conv3D(1, 3, padding="same", activation="sigmoid", name="next_frames")(x)
    predictor = keras.Model(movie, x, name="frame_predictor")

    # A video classifier: ConvLSTM2D, MaxPooling3D, GlobalAveragePooling3D.
    clip = keras.Input((4, 6, 6, 2), name="clip")
    x = layers.ConvLSTM2D(3, 3, return_sequences=True, name="convlstm")(clip)
    x = layers.MaxPooling3D((1, 2, 2), name="pool")(x)
    x = layers.GlobalAveragePooling3D(name="global_pool")(x)
    x = layers.Dense(2, activation="softmax", name="label")(x)
    classifier = keras.Model(clip, x, name="convlstm_classifier")

    # An LSTM + MultiHeadAttention + LayerNormalization block over padded tokens.
    words = keras.Input((7,), dtype="int32", name="words")
    x = layers.Embedding(20, 6, mask_zero=True, name="embedding")(words)
    x = layers.LSTM(6, return_sequences=True, name="lstm")(x)
    attended = layers.MultiHeadAttention(2, 3, name="self_attention")(x, x)
    x = layers.Add(name="residual")([x, attended])
    x = layers.LayerNormalization(name="norm")(x)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    x = layers.Dense(3, activation="softmax", name="label")(x)
    block = keras.Model(words, x, name="lstm_attention_block")
    sentences = rng.integers(1, 20, size=(3, 7)).astype("int32")
    sentences[0, -2:] = 0
    sentences[2, -4:] = 0

    return [
        ("captcha_crnn", captcha, [floats(rng, 2, 24, 12, 1)]),
        ("spectrogram_crnn", speech, [floats(rng, 2, 10, 8, 1)]),
        ("lrcn", lrcn, [floats(rng, 2, 4, 8, 8, 2)]),
        ("frame_predictor", predictor, [floats(rng, 2, 3, 6, 6, 1)]),
        ("convlstm_classifier", classifier, [floats(rng, 2, 4, 6, 6, 2)]),
        ("lstm_attention_block", block, [sentences]),
    ]
