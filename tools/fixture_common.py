"""What the fixture scripts share: arrays as JSON, random inputs, small models, random weights, and the
record-and-save steps (Keras's outputs beside the files, the models_keras3.json structure).

Used by make_spatial_fixtures.py and make_spatial_tf_keras_fixtures.py (Keras is imported where a
helper needs it: Keras 3's, or in the tf_keras scripts none); the older make_*.py scripts still carry their own copies of these
helpers (moving them changes nothing they write, but needs every fixture regenerated to show it).
"""

import json

import numpy as np


def flat(x):
    return np.asarray(x).astype("float64").reshape(-1).tolist()


def array(x):
    return {"shape": list(np.shape(x)), "values": flat(x)}


def floats(rng, *shape):
    return rng.normal(size=shape).astype("float32")


def single(shape, *stack, name):
    """`Input(shape)` then each layer of `stack` in turn (Keras 3)."""
    import keras

    inputs = keras.Input(shape)
    x = inputs
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x, name=name)


def randomize(model, rng):
    """Non-default weights everywhere; variances stay positive, counters as they are."""
    for variable in model.weights:
        if "int" in str(variable.dtype):  # a counter (Normalization's count): not a weight to vary
            continue
        shape = tuple(variable.shape)
        if "variance" in variable.path:
            value = rng.uniform(0.5, 2.0, size=shape)
        else:
            value = rng.normal(scale=0.6, size=shape)
        variable.assign(value.astype("float32"))
    # An adapted Normalization computes with copies of its statistics made at adapt(): renew them.
    for layer in model.layers:
        if type(layer).__name__ == "Normalization" and layer.input_mean is None:
            layer.finalize_state()


def record(name, model, inputs):
    outputs = model(inputs if len(inputs) > 1 else inputs[0])
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {"name": name, "inputs": [array(x) for x in inputs],
            "calls": [{"reset": False, "outputs": [array(y) for y in outputs]}]}


def save_case(name, model, inputs, rng, out):
    """Random weights, Keras's outputs; saved as .keras and legacy .h5."""
    randomize(model, rng)
    case = record(name, model, inputs)
    model.save(out / f"{name}.keras")
    model.save(out / f"{name}.h5")
    return case


def save_model(name, model, inputs, rng, out):
    """A case also saved as .weights.h5 with its JSON."""
    case = save_case(name, model, inputs, rng, out)
    model.save_weights(out / f"{name}.weights.h5")
    (out / f"{name}.json").write_text(model.to_json() + "\n")
    return case


def write_outputs(path, cases):
    import keras

    path.write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
