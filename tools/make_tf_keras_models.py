"""Models in tf_keras 2.21 (tf.keras), saved in every layout it writes, with inputs and outputs:
Tests/Fixtures/models_tf_keras/<name>.{h5, _weights.h5 + .json, keras} and outputs.json.

Keras 2 dialect throughout: string dtypes, time_major (one model runs time-major) and implementation keys, batch_input_shape,
nested-list inbound nodes (initial states as extra inbound tensors), Keras 2's hard_sigmoid.

Run: .venv-tf/bin/python tools/make_tf_keras_models.py
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 arithmetic, no oneDNN reordering

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers as L  # noqa: E402

from fixture_common import array, flat  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "models_tf_keras"


def models(rng):
    ids = np.array([[0, 0, 3, 7, 1, 9], [4, 0, 0, 5, 2, 8], [6, 11, 2, 0, 0, 0], [13, 1, 1, 19, 3, 2]], "int32")
    steps = rng.normal(size=(3, 5, 3)).astype("float32")
    steps[0, :2] = 0
    steps[1, 2] = 0
    out = []
    m = keras.Sequential([L.Embedding(20, 4, mask_zero=True, input_length=6, name="embedding"),
                          L.LSTM(5, return_sequences=True, name="lstm"), L.GRU(3, name="gru"),
                          L.Dense(2, activation="softmax", name="dense")])
    m.build((None, 6))
    out.append(("embedding_lstm_gru", m, [ids]))
    m = keras.Sequential([L.Masking(0.0, input_shape=(5, 3), name="masking"),
                          L.SimpleRNN(4, return_sequences=True, name="simple_rnn"),
                          L.TimeDistributed(L.Dense(2), name="time_distributed")])
    out.append(("masking_simple_rnn_time_distributed", m, [steps]))
    enc_in = keras.Input((5, 3), name="encoder_input")
    dec_in = keras.Input((4, 2), name="decoder_input")
    _, h, c = L.LSTM(4, return_state=True, name="encoder")(enc_in)
    dec = L.LSTM(4, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    m = keras.Model([enc_in, dec_in], L.Dense(3, name="dense")(dec))
    out.append(("encoder_decoder", m, [steps, rng.normal(size=(3, 4, 2)).astype("float32")]))
    x = keras.Input((5, 3))
    b = L.Bidirectional(L.GRU(3, return_sequences=True), name="bidirectional")(x)
    o1 = L.TimeDistributed(L.Dense(2), name="time_distributed")(b)
    o2 = L.Dense(1, name="dense")(L.GRU(2, name="gru_2")(b))
    out.append(("bidirectional_two_outputs", keras.Model(x, [o1, o2]), [steps]))
    m = keras.Sequential([L.LSTM(3, recurrent_activation="hard_sigmoid", return_sequences=True, input_shape=(5, 3), name="lstm"),
                          L.GRU(3, recurrent_activation="hard_sigmoid", reset_after=False, name="gru"),
                          L.Dense(1, name="dense")])
    out.append(("keras2_hard_sigmoid_reset_before", m, [steps]))
    m = keras.Sequential([L.LSTM(3, stateful=True, return_sequences=True, batch_input_shape=(3, 5, 3), name="lstm"),
                          L.Dense(1, name="dense")])
    out.append(("stateful_lstm", m, [steps]))
    x = keras.Input((3, 3), name="time_major_input")  # [timesteps, batch, features]: the leading None is time
    seq = L.LSTM(4, time_major=True, return_sequences=True, name="lstm")(x)
    last = L.GRU(2, time_major=True, name="gru")(seq)
    out.append(("time_major", keras.Model(x, [L.Dense(2, name="dense")(seq), last]), [np.swapaxes(steps, 0, 1).copy()]))
    # tf.keras toggles go_backwards for the backward copy: a layer that already runs backwards is accepted,
    # and its copy runs forwards (Keras 3 refuses it).
    m = keras.Sequential([L.Bidirectional(L.LSTM(3, go_backwards=True, return_sequences=True), input_shape=(5, 3),
                                          name="bidirectional"),
                          L.Bidirectional(L.GRU(2, go_backwards=True), name="bidirectional_1")])
    out.append(("bidirectional_go_backwards", m, [steps]))
    return out


def main():
    keras.utils.set_random_seed(11)
    rng = np.random.default_rng(11)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, model, inputs in models(rng):
        for layer in model.layers:
            if layer.get_weights():
                layer.set_weights([w * 1.5 for w in layer.get_weights()])
        outputs = model(inputs if len(inputs) > 1 else inputs[0])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        for layer in model.layers:
            if getattr(layer, "stateful", False):
                layer.reset_states()
        model.save(OUT / f"{name}.h5")
        model.save_weights(OUT / f"{name}_weights.h5")
        model.save(OUT / f"{name}.keras")
        (OUT / f"{name}.json").write_text(model.to_json() + "\n")
        cases.append({"name": name, "inputs": [array(i) for i in inputs], "outputs": [array(o) for o in outputs]})
    (OUT / "outputs.json").write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
    print("wrote", len(cases), "models")


if __name__ == "__main__":
    main()
