"""The real-model shapes of issue 6 as Keras 1.2.2 and standalone Keras 2.2.4 wrote them, built with h5py in
their documented layouts (KERAS.md C.5-C.7) from the weights of equivalent tf_keras 2.21 models, whose
outputs are the expected ones: Tests/Fixtures/legacy_real/<name>.h5 and outputs.json.

Keras 1.2.2 (Sequential configs as plain lists, functional "Model" configs with triple inbound nodes):
- keras1_sentiment: Embedding(mask_zero) -> SpatialDropout1D(p) -> Bidirectional(LSTM, 12 per-gate arrays
  per direction) -> Dense;
- keras1_forecaster: Convolution1D (nb_filter, filter_length, border_mode, 4-D W (filter_length, 1,
  input_dim, nb_filter)) -> MaxPooling1D(pool_length) -> LSTM -> Dense;
- keras1_conv1d_legacy_layout: Convolution1D with subsample_length, W in Keras 1.1's (nb_filter,
  input_dim, filter_length, 1) layout;
- keras1_autoencoder: LSTM -> RepeatVector -> LSTM -> TimeDistributedDense;
- keras1_merge_attention: two inputs, merge(mode='dot') twice with Activation('softmax') between,
  merge(mode='concat'), TimeDistributed(Dense);
- keras1_merge_modes: merge sum, mul, ave and max of two inputs, four outputs;
- keras1_convlstm2d: two ConvLSTM2D (12 per-gate arrays, dim_ordering 'tf') -> Flatten -> Dense;
- keras1_convlstm2d_th: ConvLSTM2D with dim_ordering 'th' (kernels (nb_filter, stack, rows, cols)); the
  expected output is the channels-last model's on the transposed input, transposed back (TensorFlow has
  no channels-first convolution on the CPU).
Standalone Keras 2.2.4 (tf_keras's own files, relabelled: keras_version 2.2.4, no time_major):
- keras2_seq2seq: two Embeddings, the encoder's states as extra inbound tensors of the decoder;
- keras2_forecaster: causal Conv1D -> MaxPooling1D -> LSTM -> Dense;
- keras2_stacked_convlstm2d: ConvLSTM2D -> BatchNormalization -> ConvLSTM2D -> Flatten -> Dense;
- keras2_dot_single_axis: LSTM and an input joined by Dot with "axes": [1], as Keras 2.0 stored Dot(axes=[1]).

All Keras 1 files say backend "tensorflow" (Theano's flipped convolution kernels are not converted, as in
tf_keras). Run: .venv-tf/bin/python tools/make_legacy_real_models.py
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers as L  # noqa: E402

from make_legacy_generation_fixtures import k1_dense_config, k1_lstm_arrays, k1_rnn_config, write  # noqa: E402
from make_tf_keras_real_models import array, randomize, tokens  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "legacy_real"


def layer(class_name, name, config, inbound=None):
    entry = {"class_name": class_name, "config": {"name": name, "trainable": True, **config}}
    if inbound is not None:
        entry["name"] = name
        entry["inbound_nodes"] = [[[source, 0, 0] for source in inbound]] if inbound else []
    return entry


def k1_input(name, shape, dtype="float32"):
    return layer("InputLayer", name, {"batch_input_shape": [None, *shape], "input_dtype": dtype, "sparse": False}, [])


def k1_convlstm_arrays(prefix, kernel, recurrent, bias, transpose=None):
    """Keras 1's 12 ConvLSTM2D arrays (gate order i, c, f, o) from Keras 2's three (i, f, c, o)."""
    f = bias.shape[0] // 4
    gates = {g: (kernel[..., i * f:(i + 1) * f], recurrent[..., i * f:(i + 1) * f], bias[i * f:(i + 1) * f])
             for i, g in enumerate("ifco")}
    names, arrays = [], []
    for gate in "icfo":
        for part, value in zip("WUb", gates[gate]):
            if transpose is not None and value.ndim == 4:
                value = np.transpose(value, transpose)
            names.append(f"{prefix}_{part}_{gate}")
            arrays.append(value)
    return names, arrays


def k1_convlstm_config(name, filters, kernel, ordering, return_sequences, batch_input_shape=None):
    config = {"nb_filter": filters, "nb_row": kernel, "nb_col": kernel, "init": "glorot_uniform",
              "inner_init": "orthogonal", "forget_bias_init": "one", "activation": "tanh",
              "inner_activation": "hard_sigmoid", "dim_ordering": ordering, "border_mode": "same",
              "subsample": [1, 1], "W_regularizer": None, "U_regularizer": None, "b_regularizer": None,
              "dropout_W": 0.0, "dropout_U": 0.0, "return_sequences": return_sequences, "go_backwards": False,
              "stateful": False}
    if batch_input_shape:
        config["batch_input_shape"] = batch_input_shape
    return layer("ConvLSTM2D", name, config)


def keras1_models(rng):
    cases = []

    # Sentiment: Embedding -> SpatialDropout1D -> Bidirectional(LSTM) -> Dense.
    m = randomize(keras.Sequential([
        L.Embedding(20, 6, mask_zero=True, input_length=8), L.SpatialDropout1D(0.2),
        L.Bidirectional(L.LSTM(5, recurrent_activation="hard_sigmoid")), L.Dense(1, activation="sigmoid")]), rng)
    (e,), w, (dk, db) = m.layers[0].get_weights(), m.layers[2].get_weights(), m.layers[3].get_weights()
    fn, fa = k1_lstm_arrays("forward_lstm_1", *w[:3], "")
    bn, ba = k1_lstm_arrays("backward_lstm_1", *w[3:], "")
    dense = k1_dense_config("dense_1", 1)
    dense["config"]["activation"] = "sigmoid"
    config = {"class_name": "Sequential", "config": [
        layer("Embedding", "embedding_1", {"input_dim": 20, "output_dim": 6, "mask_zero": True, "input_length": 8,
                                           "init": "uniform", "dropout": 0.0, "W_regularizer": None,
                                           "batch_input_shape": [None, 8], "input_dtype": "int32"}),
        layer("SpatialDropout1D", "spatialdropout1d_1", {"p": 0.2}),
        layer("Bidirectional", "bidirectional_1", {"layer": k1_rnn_config("LSTM", "lstm_1", 5), "merge_mode": "concat"}),
        dense]}
    x = tokens(rng, (3, 8), 20, {0: 3, 1: 0, 2: 6})
    write(OUT / "keras1_sentiment.h5", config, [
        ("embedding_1", ["embedding_1_W"], [e]), ("spatialdropout1d_1", [], []),
        ("bidirectional_1", fn + bn, fa + ba), ("dense_1", ["dense_1_W", "dense_1_b"], [dk, db])], "1.2.2", "tensorflow")
    cases.append(("keras1_sentiment", [x], m(x)))

    # Forecaster: Convolution1D -> MaxPooling1D -> LSTM -> Dense.
    m = randomize(keras.Sequential([
        L.Conv1D(8, 3, padding="same", activation="relu", input_shape=(12, 2)), L.MaxPooling1D(2),
        L.LSTM(6, recurrent_activation="hard_sigmoid"), L.Dense(3)]), rng)
    (ck, cb), lw, (dk, db) = m.layers[0].get_weights(), m.layers[2].get_weights(), m.layers[3].get_weights()
    ln, la = k1_lstm_arrays("lstm_1", *lw, "")
    config = {"class_name": "Sequential", "config": [
        layer("Convolution1D", "convolution1d_1", {
            "nb_filter": 8, "filter_length": 3, "init": "glorot_uniform", "activation": "relu", "border_mode": "same",
            "subsample_length": 1, "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
            "W_constraint": None, "b_constraint": None, "bias": True, "input_dim": 2, "input_length": 12,
            "batch_input_shape": [None, 12, 2], "input_dtype": "float32"}),
        layer("MaxPooling1D", "maxpooling1d_1", {"pool_length": 2, "stride": 2, "border_mode": "valid"}),
        k1_rnn_config("LSTM", "lstm_1", 6), k1_dense_config("dense_1", 3)]}
    x = rng.normal(size=(2, 12, 2)).astype("float32")
    write(OUT / "keras1_forecaster.h5", config, [
        ("convolution1d_1", ["convolution1d_1_W", "convolution1d_1_b"], [ck[:, None, :, :], cb]),
        ("maxpooling1d_1", [], []), ("lstm_1", ln, la), ("dense_1", ["dense_1_W", "dense_1_b"], [dk, db])],
        "1.2.2", "tensorflow")
    cases.append(("keras1_forecaster", [x], m(x)))

    # Convolution1D in Keras 1.1's kernel layout, with a stride.
    m = randomize(keras.Sequential([L.Conv1D(4, 2, strides=2, input_shape=(9, 3))]), rng)
    ck, cb = m.layers[0].get_weights()
    legacy_kernel = np.transpose(ck[:, None, :, :], (3, 2, 0, 1))  # (nb_filter, input_dim, filter_length, 1)
    config = {"class_name": "Sequential", "config": [layer("Convolution1D", "convolution1d_1", {
        "nb_filter": 4, "filter_length": 2, "activation": "linear", "border_mode": "valid", "subsample_length": 2,
        "bias": True, "batch_input_shape": [None, 9, 3], "input_dtype": "float32"})]}
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    write(OUT / "keras1_conv1d_legacy_layout.h5", config,
          [("convolution1d_1", ["convolution1d_1_W", "convolution1d_1_b"], [legacy_kernel, cb])], "1.2.2", "tensorflow")
    cases.append(("keras1_conv1d_legacy_layout", [x], m(x)))

    # Autoencoder: LSTM -> RepeatVector -> LSTM -> TimeDistributedDense.
    m = randomize(keras.Sequential([
        L.LSTM(5, recurrent_activation="hard_sigmoid", input_shape=(7, 3)), L.RepeatVector(7),
        L.LSTM(5, recurrent_activation="hard_sigmoid", return_sequences=True), L.TimeDistributed(L.Dense(3))]), rng)
    e, d, (tk, tb) = m.layers[0].get_weights(), m.layers[2].get_weights(), m.layers[3].get_weights()
    en, ea = k1_lstm_arrays("lstm_1", *e, "")
    dn, da = k1_lstm_arrays("lstm_2", *d, "")
    config = {"class_name": "Sequential", "config": [
        k1_rnn_config("LSTM", "lstm_1", 5, (7, 3)), layer("RepeatVector", "repeatvector_1", {"n": 7}),
        k1_rnn_config("LSTM", "lstm_2", 5, return_sequences=True),
        layer("TimeDistributedDense", "timedistributeddense_1", {
            "output_dim": 3, "init": "glorot_uniform", "activation": "linear", "W_regularizer": None,
            "b_regularizer": None, "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
            "bias": True, "input_dim": 5, "input_length": None})]}
    x = rng.normal(size=(2, 7, 3)).astype("float32")
    write(OUT / "keras1_autoencoder.h5", config, [
        ("lstm_1", en, ea), ("repeatvector_1", [], []), ("lstm_2", dn, da),
        ("timedistributeddense_1", ["timedistributeddense_1_W", "timedistributeddense_1_b"], [tk, tb])],
        "1.2.2", "tensorflow")
    cases.append(("keras1_autoencoder", [x], m(x)))

    # Dot/concat attention with Keras 1's merge().
    source, target = keras.Input((6, 3)), keras.Input((4, 2))
    encoder = L.LSTM(5, return_sequences=True, recurrent_activation="hard_sigmoid")
    decoder = L.LSTM(5, return_sequences=True, recurrent_activation="hard_sigmoid")
    encoded, decoded = encoder(source), decoder(target)
    weights = L.Activation("softmax")(L.Dot(axes=(2, 2))([decoded, encoded]))
    joined = L.Concatenate()([L.Dot(axes=(2, 1))([weights, encoded]), decoded])
    output = L.TimeDistributed(L.Dense(3, activation="tanh"))
    m = randomize(keras.Model([source, target], output(joined)), rng)
    en, ea = k1_lstm_arrays("encoder", *encoder.get_weights(), "")
    dn, da = k1_lstm_arrays("decoder", *decoder.get_weights(), "")
    ok, ob = output.get_weights()

    def merge(name, mode, inbound, **extra):
        return layer("Merge", name, {"mode": mode, "mode_type": "raw", "concat_axis": -1, "dot_axes": -1,
                                     "output_shape": None, "output_shape_type": "raw", "output_mask": None,
                                     "output_mask_type": "raw", "arguments": {}, **extra}, inbound)

    inner = k1_dense_config("dense_1", 3)
    inner["config"]["activation"] = "tanh"
    encoder_config = k1_rnn_config("LSTM", "encoder", 5, return_sequences=True)
    decoder_config = k1_rnn_config("LSTM", "decoder", 5, return_sequences=True)
    encoder_config.update(name="encoder", inbound_nodes=[[["source_seq", 0, 0]]])
    decoder_config.update(name="decoder", inbound_nodes=[[["target_seq", 0, 0]]])
    config = {"class_name": "Model", "config": {"name": "model_1", "layers": [
        k1_input("source_seq", (6, 3)), k1_input("target_seq", (4, 2)), encoder_config, decoder_config,
        merge("scores", "dot", ["decoder", "encoder"], dot_axes=[2, 2]),
        layer("Activation", "attention", {"activation": "softmax"}, ["scores"]),
        merge("context", "dot", ["attention", "encoder"], dot_axes=[2, 1]),
        merge("joined", "concat", ["context", "decoder"]),
        layer("TimeDistributed", "output", {"layer": inner}, ["joined"])],
        "input_layers": [["source_seq", 0, 0], ["target_seq", 0, 0]], "output_layers": [["output", 0, 0]]}}
    xs = [rng.normal(size=(2, 6, 3)).astype("float32"), rng.normal(size=(2, 4, 2)).astype("float32")]
    write(OUT / "keras1_merge_attention.h5", config, [
        ("source_seq", [], []), ("target_seq", [], []), ("encoder", en, ea), ("decoder", dn, da), ("scores", [], []),
        ("attention", [], []), ("context", [], []), ("joined", [], []),
        ("output", ["output_W", "output_b"], [ok, ob])], "1.2.2", "tensorflow")
    cases.append(("keras1_merge_attention", xs, m(xs)))

    # merge(mode=...) sum, mul, ave, max: four outputs.
    a, b = keras.Input((4, 3)), keras.Input((4, 3))
    m = keras.Model([a, b], [L.Add()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]), L.Maximum()([a, b])])
    config = {"class_name": "Model", "config": {"name": "model_2", "layers": [
        k1_input("a", (4, 3)), k1_input("b", (4, 3)), merge("sum", "sum", ["a", "b"]), merge("mul", "mul", ["a", "b"]),
        merge("ave", "ave", ["a", "b"]), merge("max", "max", ["a", "b"])],
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": [["sum", 0, 0], ["mul", 0, 0], ["ave", 0, 0], ["max", 0, 0]]}}
    xs = [rng.normal(size=(2, 4, 3)).astype("float32"), rng.normal(size=(2, 4, 3)).astype("float32")]
    write(OUT / "keras1_merge_modes.h5", config, [(n, [], []) for n in ["a", "b", "sum", "mul", "ave", "max"]],
          "1.2.2", "tensorflow")
    cases.append(("keras1_merge_modes", xs, m(xs)))

    # Stacked ConvLSTM2D, dim_ordering 'tf'.
    m = randomize(keras.Sequential([
        L.ConvLSTM2D(3, 3, padding="same", return_sequences=True, recurrent_activation="hard_sigmoid",
                     input_shape=(4, 6, 6, 2)),
        L.ConvLSTM2D(2, 3, padding="same", recurrent_activation="hard_sigmoid"), L.Flatten(),
        L.Dense(3, activation="softmax")]), rng)
    n1, a1 = k1_convlstm_arrays("convlstm2d_1", *m.layers[0].get_weights())
    n2, a2 = k1_convlstm_arrays("convlstm2d_2", *m.layers[1].get_weights())
    dk, db = m.layers[3].get_weights()
    dense = k1_dense_config("dense_1", 3)
    dense["config"]["activation"] = "softmax"
    config = {"class_name": "Sequential", "config": [
        k1_convlstm_config("convlstm2d_1", 3, 3, "tf", True, [None, 4, 6, 6, 2]),
        k1_convlstm_config("convlstm2d_2", 2, 3, "tf", False), layer("Flatten", "flatten_1", {}), dense]}
    x = rng.normal(size=(2, 4, 6, 6, 2)).astype("float32")
    write(OUT / "keras1_convlstm2d.h5", config, [
        ("convlstm2d_1", n1, a1), ("convlstm2d_2", n2, a2), ("flatten_1", [], []),
        ("dense_1", ["dense_1_W", "dense_1_b"], [dk, db])], "1.2.2", "tensorflow")
    cases.append(("keras1_convlstm2d", [x], m(x)))

    # ConvLSTM2D with dim_ordering 'th': computed channels-last on the transposed input.
    m = randomize(keras.Sequential([L.ConvLSTM2D(3, 3, padding="same", recurrent_activation="hard_sigmoid",
                                                 input_shape=(4, 5, 5, 2))]), rng)
    names, arrays = k1_convlstm_arrays("convlstm2d_1", *m.layers[0].get_weights(), transpose=(3, 2, 0, 1))
    config = {"class_name": "Sequential", "config": [
        k1_convlstm_config("convlstm2d_1", 3, 3, "th", False, [None, 4, 2, 5, 5])]}
    x = rng.normal(size=(2, 4, 5, 5, 2)).astype("float32")
    write(OUT / "keras1_convlstm2d_th.h5", config, [("convlstm2d_1", names, arrays)], "1.2.2", "tensorflow")
    cases.append(("keras1_convlstm2d_th", [np.transpose(x, (0, 1, 4, 2, 3))], np.transpose(m(x), (0, 3, 1, 2))))
    return cases


def keras2_models(rng):
    """tf_keras's legacy .h5 relabelled as standalone Keras 2.2.4 (which had no time_major)."""
    cases = []
    source, target = keras.Input((6,), dtype="int32"), keras.Input((5,), dtype="int32")
    e = L.Embedding(15, 4, mask_zero=True)(source)
    _, h, c = L.LSTM(6, return_state=True, recurrent_activation="hard_sigmoid")(e)
    d = L.Embedding(12, 4, mask_zero=True)(target)
    d = L.LSTM(6, return_sequences=True, recurrent_activation="hard_sigmoid")(d, initial_state=[h, c])
    m = keras.Model([source, target], L.Dense(12, activation="softmax")(d))
    cases.append(("keras2_seq2seq", randomize(m, rng),
                  [tokens(rng, (3, 6), 15, {0: 2, 1: 0, 2: 4}), tokens(rng, (3, 5), 12, {0: 0, 1: 2, 2: 3})]))

    m = keras.Sequential([L.Conv1D(8, 3, padding="causal", activation="relu", input_shape=(12, 2)), L.MaxPooling1D(2),
                          L.LSTM(6, recurrent_activation="hard_sigmoid"), L.Dense(3)])
    cases.append(("keras2_forecaster", randomize(m, rng), [rng.normal(size=(2, 12, 2)).astype("float32")]))

    m = keras.Sequential([L.ConvLSTM2D(3, 3, padding="same", return_sequences=True, input_shape=(4, 6, 6, 1)),
                          L.BatchNormalization(), L.ConvLSTM2D(2, 3, padding="same"), L.Flatten(), L.Dense(3)])
    cases.append(("keras2_stacked_convlstm2d", randomize(m, rng), [rng.normal(size=(2, 4, 6, 6, 1)).astype("float32")]))

    # Standalone Keras 2.0 took Dot(axes=[1]) and stored the list; it means axes=1 (both inputs).
    a, b = keras.Input((5, 3)), keras.Input((5, 4))
    m = keras.Model([a, b], L.Dense(2)(L.Flatten()(L.Dot(axes=1)([L.LSTM(3, return_sequences=True)(a), b]))))
    cases.append(("keras2_dot_single_axis", randomize(m, rng),
                  [rng.normal(size=(2, 5, 3)).astype("float32"), rng.normal(size=(2, 5, 4)).astype("float32")]))

    out = []
    for name, model, inputs in cases:
        path = OUT / f"{name}.h5"
        model.save(path)
        with h5py.File(path, "r+") as f:
            config = json.loads(f.attrs["model_config"])
            for entry in config["config"]["layers"]:
                entry["config"].pop("time_major", None)
                entry["config"].get("layer", {}).get("config", {}).pop("time_major", None)
                if entry["class_name"] == "Dot" and isinstance(entry["config"]["axes"], int):
                    entry["config"]["axes"] = [entry["config"]["axes"]]
            f.attrs["model_config"] = json.dumps(config).encode()
            f.attrs["keras_version"] = b"2.2.4"
            f["model_weights"].attrs["keras_version"] = b"2.2.4"
        out.append((name, inputs, model(inputs if len(inputs) > 1 else inputs[0])))
    return out


def main():
    keras.utils.set_random_seed(31)
    rng = np.random.default_rng(31)
    OUT.mkdir(parents=True, exist_ok=True)
    models = []
    for name, inputs, outputs in keras1_models(rng) + keras2_models(rng):
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        models.append({"name": name, "inputs": [array(x) for x in inputs], "outputs": [array(y) for y in outputs]})
    (OUT / "outputs.json").write_text(json.dumps({"models": models}) + "\n")
    print("wrote", [m["name"] for m in models])


if __name__ == "__main__":
    main()
