"""Operation nodes in model graphs, as Keras 3.15.1 and tf_keras 2.21 write them:
Tests/Fixtures/operations/<name>.{keras, h5, weights.h5 | _weights.h5, json} and outputs_<writer>.json.

- Keras 3 `constant_first`: operations with the constant before the tensor (`ops.subtract(2.0, x)` is
  2 - x, `ops.greater(1.0, x)` is x < 1), feeding an LSTM and the outputs.
- tf_keras `tf_op_lambda`: TensorFlow functions in the graph, which tf.keras writes as TFOpLambda layers
  (tf.math.not_equal as an LSTM's mask, x * 2.0, x + 1.5, tf.math.subtract, x / 4.0, reduce_any of
  not_equal as a GRU's mask, tf.cast, tf.expand_dims).

Run with each writer's environment (the script picks its writer from what is installed):
  KERAS_BACKEND=jax .venv/bin/python tools/make_operation_fixtures.py
  .venv-tf/bin/python tools/make_operation_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

try:
    import tf_keras as keras  # noqa: E402
    import tensorflow as tf  # noqa: E402
    WRITER = "tf_keras"
except ImportError:
    import keras  # noqa: E402
    from keras import ops  # noqa: E402
    WRITER = "keras3"

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "operations"
L = keras.layers


def array(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "values": x.astype("float64").reshape(-1).tolist()}


def keras3_models(rng):
    x = keras.Input((4, 3), name="steps")
    a = ops.subtract(2.0, x)
    h = L.LSTM(3, return_sequences=True, name="lstm")(ops.multiply(a, 0.5))
    b = ops.divide(3.0, ops.add(x, 10.0))
    below = ops.cast(ops.greater(1.0, x), "float32")
    above = ops.cast(ops.less_equal(0.5, x), "float32")
    model = keras.Model(x, [h, b, below, above], name="constant_first")
    return [("constant_first", model, [rng.normal(size=(3, 4, 3)).astype("float32")])]


def tf_keras_models(rng):
    ids = keras.Input((6,), dtype="int32", name="ids")
    steps = keras.Input((6, 3), name="steps")
    mask = tf.math.not_equal(ids, 0)
    h = L.LSTM(4, return_sequences=True, name="lstm")(L.Embedding(20, 4, name="embedding")(ids), mask=mask)
    s = tf.math.subtract(steps * 2.0 + 1.5, 0.5) / 4.0
    any_step = tf.math.reduce_any(tf.math.not_equal(steps, 0.0), axis=-1)
    g = L.GRU(3, return_sequences=True, name="gru")(s, mask=any_step)
    out = L.Dense(2, name="dense")(L.Concatenate(name="concatenate")([h, g]))
    flags = tf.expand_dims(tf.cast(mask, "float32"), -1)
    model = keras.Model([ids, steps], [out, flags], name="tf_op_lambda")
    tokens = rng.integers(1, 20, size=(3, 6)).astype("int32")
    tokens[0, 4:] = 0
    tokens[1, 2] = 0
    values = rng.normal(size=(3, 6, 3)).astype("float32")
    values[0, 3:] = 0
    values[2, 0] = 0
    return [("tf_op_lambda", model, [tokens, values])]


def main():
    keras.utils.set_random_seed(13)
    rng = np.random.default_rng(13)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, model, inputs in (keras3_models if WRITER == "keras3" else tf_keras_models)(rng):
        for layer in model.layers:
            if layer.get_weights():
                layer.set_weights([rng.normal(size=w.shape).astype("float32") * 0.6 for w in layer.get_weights()])
        outputs = model(inputs if len(inputs) > 1 else inputs[0])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        model.save(OUT / f"{name}.keras")
        model.save(OUT / f"{name}.h5")
        model.save_weights(OUT / (f"{name}.weights.h5" if WRITER == "keras3" else f"{name}_weights.h5"))
        (OUT / f"{name}.json").write_text(model.to_json() + "\n")
        cases.append({"name": name, "inputs": [array(i) for i in inputs], "outputs": [array(o) for o in outputs]})
    (OUT / f"outputs_{WRITER}.json").write_text(
        json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
    print("wrote", len(cases), "models for", WRITER)


if __name__ == "__main__":
    main()
