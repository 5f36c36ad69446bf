"""Whole models in Keras 3.15.1 (JAX), their weights by layer name, inputs and outputs:
Tests/Fixtures/layers/models_keras3.json; and each model saved as .keras, .weights.h5 (+ .json config)
and legacy .h5 in Tests/Fixtures/models/. The Swift tests build the same architectures with the
layer module's Model and must return Keras's outputs (masks carried through the graph as Keras does).

Run: .venv/bin/python tools/make_model_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import keras.ops  # noqa: E402,F401
import numpy as np  # noqa: E402
from keras import layers as L  # noqa: E402

from fixture_common import array, flat  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "layers"
FILES = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "models"


def models(rng):
    ids = np.array([[0, 0, 3, 7, 1, 9], [4, 0, 0, 5, 2, 8], [6, 11, 2, 0, 0, 0], [13, 1, 1, 19, 3, 2]], "int32")
    steps = rng.normal(size=(3, 5, 3)).astype("float32")
    steps[0, :2] = 0
    steps[1, 2] = 0
    steps[2, 4] = 0
    out = []

    m = keras.Sequential([keras.Input((6,), dtype="int32"), L.Embedding(20, 4, mask_zero=True, name="embedding"),
                          L.LSTM(5, return_sequences=True, name="lstm"), L.GRU(3, name="gru"),
                          L.Dense(2, activation="softmax", name="dense")])
    out.append(("embedding_lstm_gru", m, [ids], 1))

    m = keras.Sequential([keras.Input((5, 3)), L.Masking(0.0, name="masking"),
                          L.SimpleRNN(4, return_sequences=True, name="simple_rnn"),
                          L.TimeDistributed(L.Dense(2), name="time_distributed")])
    out.append(("masking_simple_rnn_time_distributed", m, [steps], 1))

    enc_in = keras.Input((5, 3), name="encoder_input")
    dec_in = keras.Input((4, 2), name="decoder_input")
    _, h, c = L.LSTM(4, return_state=True, name="encoder")(enc_in)
    dec = L.LSTM(4, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    m = keras.Model([enc_in, dec_in], L.Dense(3, name="dense")(dec))
    out.append(("encoder_decoder", m, [steps, rng.normal(size=(3, 4, 2)).astype("float32")], 1))

    x = keras.Input((5, 3))
    b = L.Bidirectional(L.GRU(3, return_sequences=True), name="bidirectional")(x)
    o1 = L.TimeDistributed(L.Dense(2), name="time_distributed")(b)
    o2 = L.Dense(1, name="dense")(L.GRU(2, name="gru")(b))
    m = keras.Model(x, [o1, o2])
    out.append(("bidirectional_two_outputs", m, [steps], 1))

    m = keras.Sequential([keras.Input(batch_shape=(3, 5, 3)), L.LSTM(3, stateful=True, return_sequences=True, name="lstm"),
                          L.Dense(1, name="dense")])
    out.append(("stateful_lstm", m, [steps], 3))

    m = keras.Sequential([keras.Input((6,), dtype="int32"), L.Embedding(20, 3, mask_zero=True, name="embedding"),
                          L.Bidirectional(L.LSTM(4), name="bidirectional"), L.Dense(1, activation="sigmoid", name="dense")])
    out.append(("embedding_bidirectional_lstm", m, [ids], 1))
    ids_in = keras.Input((6,), dtype="int32", name="ids")
    embedded = L.Embedding(20, 3, name="embedding")(ids_in)
    seq = L.LSTM(4, return_sequences=True, name="lstm")(embedded, mask=keras.ops.not_equal(ids_in, 0))
    m = keras.Model(ids_in, L.Dense(2, name="dense")(seq))
    out.append(("operation_node_mask", m, [ids], 1))
    return out


def main():
    keras.utils.set_random_seed(9)
    rng = np.random.default_rng(9)
    cases = []
    for name, model, inputs, calls in models(rng):
        weights = {layer.name: [array(w * 1.5) for w in layer.get_weights()] for layer in model.layers if layer.get_weights()}
        for layer in model.layers:
            if layer.get_weights():
                layer.set_weights([w * 1.5 for w in layer.get_weights()])
        results = []
        for call in range(calls):
            if call == 2:  # Keras 3 models have no reset_states(): reset each stateful layer
                for layer in model.layers:
                    if getattr(layer, "stateful", False):
                        layer.reset_states()
            outputs = model(inputs)
            outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            results.append({"reset": call == 2, "outputs": [array(o) for o in outputs]})
        cases.append({"name": name, "weights": weights, "inputs": [array(i) for i in inputs], "calls": results})
        # The same model in every Keras 3 layout, for the serialization tests.
        FILES.mkdir(parents=True, exist_ok=True)
        model.save(FILES / f"{name}.keras")
        model.save_weights(FILES / f"{name}.weights.h5")
        model.save(FILES / f"{name}.h5")
        (FILES / f"{name}.json").write_text(model.to_json() + "\n")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "models_keras3.json").write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
    print("wrote", len(cases), "models")


if __name__ == "__main__":
    main()
