"""Files from Keras generations today's Keras cannot write, built with h5py in their documented layouts
(KERAS.md C.5-C.7) from the weights of real tf_keras 2.21 models, so the expected outputs still come from
Keras: Tests/Fixtures/legacy/<name>.h5 and outputs.json.

- Keras 1.2.2 (Theano names, no ':0'; and a TensorFlow-backend file with no keras_version at all):
  LSTM as 12 per-gate arrays in Keras 1's i, c, f, o order, GRU as 9 per-gate arrays, SimpleRNN W/U/b,
  Bidirectional over per-gate halves; Keras 1 config keys (output_dim, inner_activation, consume_less,
  init, W_regularizer, dropout_W, bias, ...); strings as h5py 2 wrote them (fixed length).
- Standalone Keras 2.0.8: a Sequential config stored as a plain list, a GRU config without reset_after.
- Standalone Keras 2.2.4 CuDNNLSTM and CuDNNGRU layers in cuDNN's weight layout, and an LSTM whose
  weights are in cuDNN's layout under plain names (only the bias shape tells): converted with tf_keras's
  own _convert_rnn_weights, the function Keras 2 loads them with.

The expected outputs are tf_keras's for the equivalent model (hard_sigmoid 0.2x+0.5 for Keras 1/2.0's
defaults, sigmoid for cuDNN layers, GRU reset_before for Keras 1/2.0, reset_after for CuDNNGRU).

Run: .venv-tf/bin/python tools/make_legacy_generation_fixtures.py
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
from tf_keras.src.saving.legacy.hdf5_format import _convert_rnn_weights  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "legacy"


class CuDNNLSTM:  # a stand-in target: _convert_rnn_weights converts by the target's class name
    pass


class CuDNNGRU:
    pass


def fixed(strings):
    """h5py 2-era strings: fixed length, NUL padded."""
    return np.array([s.encode() for s in strings])


def k1_lstm_arrays(prefix, kernel, recurrent, bias, suffix):
    u = recurrent.shape[0]
    blocks = {g: (kernel[:, i * u:(i + 1) * u], recurrent[:, i * u:(i + 1) * u], bias[i * u:(i + 1) * u]) for i, g in enumerate("ifco")}
    names, arrays = [], []
    for gate in "icfo":  # Keras 1's order
        for part, array in zip("WUb", blocks[gate]):
            names.append(f"{prefix}_{part}_{gate}{suffix}")
            arrays.append(array)
    return names, arrays


def k1_gru_arrays(prefix, kernel, recurrent, bias, suffix):
    u = recurrent.shape[0]
    names, arrays = [], []
    for i, gate in enumerate("zrh"):
        for part, array in zip("WUb", (kernel[:, i * u:(i + 1) * u], recurrent[:, i * u:(i + 1) * u], bias[i * u:(i + 1) * u])):
            names.append(f"{prefix}_{part}_{gate}{suffix}")
            arrays.append(array)
    return names, arrays


def k1_rnn_config(kind, name, units, input_shape=None, **extra):
    config = {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform", "inner_init": "orthogonal",
              "activation": "tanh", "W_regularizer": None, "U_regularizer": None, "b_regularizer": None,
              "dropout_W": 0.0, "dropout_U": 0.0, "return_sequences": False, "go_backwards": False, "stateful": False,
              "unroll": False, "consume_less": "cpu", **extra}
    if kind != "SimpleRNN":
        config["inner_activation"] = "hard_sigmoid"
    if kind == "LSTM":
        config["forget_bias_init"] = "one"
    if input_shape:
        config["batch_input_shape"] = [None, *input_shape]
        config["input_dim"] = input_shape[-1]
    return {"class_name": kind, "config": config}


def k1_dense_config(name, units):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform",
                                              "activation": "linear", "W_regularizer": None, "b_regularizer": None,
                                              "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
                                              "bias": True, "input_dim": None}}


def write(path, config, layers, keras_version, backend, model_weights_version=None):
    """layers: [(layer name, [weight names], [arrays])] in model order."""
    with h5py.File(path, "w") as f:
        if keras_version is not None:
            f.attrs["keras_version"] = np.bytes_(keras_version)
        f.attrs["backend"] = np.bytes_(backend)
        f.attrs["model_config"] = np.bytes_(json.dumps(config))
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = fixed([name for name, _, _ in layers])
        if model_weights_version is not None:
            g.attrs["keras_version"] = np.bytes_(model_weights_version)
            g.attrs["backend"] = np.bytes_(backend)
        for name, weight_names, arrays in layers:
            lg = g.create_group(name)
            lg.attrs["weight_names"] = fixed(weight_names) if weight_names else np.array([], dtype="float64")
            for weight_name, array in zip(weight_names, arrays):
                lg.create_dataset(weight_name, data=np.asarray(array, "float32"))


def trained(model, rng):
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([w * 1.5 + rng.normal(scale=0.1, size=w.shape).astype("float32") for w in layer.get_weights()])
    return model


def main():
    keras.utils.set_random_seed(21)
    rng = np.random.default_rng(21)
    x = rng.normal(size=(3, 5, 3)).astype("float32")
    OUT.mkdir(parents=True, exist_ok=True)
    cases = {}

    # Keras 1.2.2 LSTM, Theano backend.
    m = trained(keras.Sequential([L.LSTM(4, recurrent_activation="hard_sigmoid", input_shape=(5, 3)), L.Dense(2)]), rng)
    (k, r, b), (dk, db) = m.layers[0].get_weights(), m.layers[1].get_weights()
    names, arrays = k1_lstm_arrays("lstm_1", k, r, b, "")
    config = {"class_name": "Sequential", "config": [k1_rnn_config("LSTM", "lstm_1", 4, (5, 3)), k1_dense_config("dense_1", 2)]}
    write(OUT / "keras1_lstm_theano.h5", config, [("lstm_1", names, arrays), ("dense_1", ["dense_1_W", "dense_1_b"], [dk, db])], "1.2.2", "theano")
    cases["keras1_lstm_theano"] = m(x)

    # Keras 1 GRU, TensorFlow backend, no keras_version anywhere (pre-1.x writers): read as Keras 1.
    m = trained(keras.Sequential([L.GRU(3, recurrent_activation="hard_sigmoid", reset_after=False, input_shape=(5, 3)), L.Dense(2)]), rng)
    (k, r, b), (dk, db) = m.layers[0].get_weights(), m.layers[1].get_weights()
    names, arrays = k1_gru_arrays("gru_1", k, r, b, ":0")
    config = {"class_name": "Sequential", "config": [k1_rnn_config("GRU", "gru_1", 3, (5, 3)), k1_dense_config("dense_1", 2)]}
    write(OUT / "keras1_gru_no_version.h5", config, [("gru_1", names, arrays), ("dense_1", ["dense_1_W:0", "dense_1_b:0"], [dk, db])], None, "tensorflow")
    cases["keras1_gru_no_version"] = m(x)

    # Keras 1 SimpleRNN returning sequences.
    m = trained(keras.Sequential([L.SimpleRNN(4, return_sequences=True, input_shape=(5, 3))]), rng)
    k, r, b = m.layers[0].get_weights()
    config = {"class_name": "Sequential", "config": [k1_rnn_config("SimpleRNN", "simplernn_1", 4, (5, 3), return_sequences=True)]}
    write(OUT / "keras1_simplernn.h5", config, [("simplernn_1", ["simplernn_1_W", "simplernn_1_U", "simplernn_1_b"], [k, r, b])], "1.2.2", "theano")
    cases["keras1_simplernn"] = m(x)

    # Keras 1 Bidirectional(LSTM): forward then backward per-gate halves.
    m = trained(keras.Sequential([L.Bidirectional(L.LSTM(3, recurrent_activation="hard_sigmoid"), input_shape=(5, 3))]), rng)
    w = m.layers[0].get_weights()
    fnames, farrays = k1_lstm_arrays("forward_lstm_1", *w[:3], "")
    bnames, barrays = k1_lstm_arrays("backward_lstm_1", *w[3:], "")
    inner = k1_rnn_config("LSTM", "lstm_1", 3)
    config = {"class_name": "Sequential", "config": [{"class_name": "Bidirectional", "config": {
        "name": "bidirectional_1", "trainable": True, "layer": inner, "merge_mode": "concat", "batch_input_shape": [None, 5, 3]}}]}
    write(OUT / "keras1_bidirectional_lstm.h5", config, [("bidirectional_1", fnames + bnames, farrays + barrays)], "1.2.2", "theano")
    cases["keras1_bidirectional_lstm"] = m(x)

    # Standalone Keras 2.0.8: a plain-list Sequential config; GRU without reset_after (reset before).
    m = trained(keras.Sequential([L.GRU(3, recurrent_activation="hard_sigmoid", reset_after=False, return_sequences=True, input_shape=(5, 3))]), rng)
    k, r, b = m.layers[0].get_weights()
    gru = {"class_name": "GRU", "config": {"name": "gru_1", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
                                           "return_sequences": True, "return_state": False, "go_backwards": False, "stateful": False,
                                           "unroll": False, "implementation": 0, "units": 3, "activation": "tanh",
                                           "recurrent_activation": "hard_sigmoid", "use_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0}}
    write(OUT / "keras2_0_gru_plain_list.h5", [gru], [("gru_1", ["gru_1/kernel:0", "gru_1/recurrent_kernel:0", "gru_1/bias:0"], [k, r, b])],
          "2.0.8", "tensorflow", model_weights_version="2.0.8")
    cases["keras2_0_gru_plain_list"] = m(x)

    # Standalone Keras 2.2.4 CuDNNLSTM (sigmoid/tanh) and CuDNNGRU (reset after), in cuDNN's layout.
    m = trained(keras.Sequential([L.LSTM(4, return_sequences=True, input_shape=(5, 3)), L.Dense(2)]), rng)
    cudnn = _convert_rnn_weights(CuDNNLSTM(), m.layers[0].get_weights())
    dk, db = m.layers[1].get_weights()
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        {"class_name": "CuDNNLSTM", "config": {"name": "cu_dnnlstm_1", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
                                               "return_sequences": True, "return_state": False, "go_backwards": False, "stateful": False,
                                               "units": 4, "unit_forget_bias": True}},
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "units": 2, "activation": "linear", "use_bias": True}}]}}
    write(OUT / "keras2_cudnn_lstm.h5", config,
          [("cu_dnnlstm_1", ["cu_dnnlstm_1/kernel:0", "cu_dnnlstm_1/recurrent_kernel:0", "cu_dnnlstm_1/bias:0"], cudnn),
           ("dense_1", ["dense_1/kernel:0", "dense_1/bias:0"], [dk, db])], "2.2.4", "tensorflow", model_weights_version="2.2.4")
    cases["keras2_cudnn_lstm"] = m(x)

    m = trained(keras.Sequential([L.GRU(3, reset_after=True, input_shape=(5, 3))]), rng)
    cudnn = _convert_rnn_weights(CuDNNGRU(), m.layers[0].get_weights())
    config = {"class_name": "Sequential", "config": {"name": "sequential_2", "layers": [
        {"class_name": "CuDNNGRU", "config": {"name": "cu_dnngru_1", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
                                              "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False, "units": 3}}]}}
    write(OUT / "keras2_cudnn_gru.h5", config,
          [("cu_dnngru_1", ["cu_dnngru_1/kernel:0", "cu_dnngru_1/recurrent_kernel:0", "cu_dnngru_1/bias:0"], cudnn)],
          "2.2.4", "tensorflow", model_weights_version="2.2.4")
    cases["keras2_cudnn_gru"] = m(x)

    # An LSTM config whose weights were saved in cuDNN's layout under plain names: only the bias tells.
    m = trained(keras.Sequential([L.LSTM(4, input_shape=(5, 3))]), rng)
    cudnn = _convert_rnn_weights(CuDNNLSTM(), m.layers[0].get_weights())
    config = {"class_name": "Sequential", "config": {"name": "sequential_3", "layers": [
        {"class_name": "LSTM", "config": {"name": "lstm_1", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
                                          "return_sequences": False, "units": 4, "activation": "tanh", "recurrent_activation": "sigmoid",
                                          "use_bias": True, "implementation": 2}}]}}
    write(OUT / "keras2_lstm_cudnn_weights.h5", config,
          [("lstm_1", ["lstm_1/kernel:0", "lstm_1/recurrent_kernel:0", "lstm_1/bias:0"], cudnn)], "2.2.4", "tensorflow", model_weights_version="2.2.4")
    cases["keras2_lstm_cudnn_weights"] = m(x)

    results = {name: {"shape": list(np.asarray(y).shape), "values": np.asarray(y).astype("float64").reshape(-1).tolist()} for name, y in cases.items()}
    (OUT / "outputs.json").write_text(json.dumps({"input": {"shape": list(x.shape), "values": x.astype("float64").reshape(-1).tolist()},
                                                  "outputs": results}) + "\n")
    print("wrote", sorted(results))


if __name__ == "__main__":
    main()
