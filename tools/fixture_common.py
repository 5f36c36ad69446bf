"""What the fixture scripts share: arrays as JSON, random inputs, small models, random weights, and the
record-and-save steps (Keras's outputs beside the files, the models_keras3.json structure).

Used by make_surrounding_fixtures.py (and through it make_attention_fixtures.py),
make_tf_keras_real_models.py and the two make_spatial*.py scripts. Moving a script's helpers here was
checked by regenerating its fixtures into a scratch folder: every weight bit for bit the same, the
outputs within float32 rounding of the committed ones. Keras is imported where a helper needs it.
"""

import json

import numpy as np


def flat(x):
    return np.asarray(x).astype("float64").reshape(-1).tolist()


def array(x):
    return {"shape": list(np.shape(x)), "values": flat(x)}


def floats(rng, *shape):
    return rng.normal(size=shape).astype("float32")


def tokens(rng, shape, vocabulary, zeros):
    """Token ids in 1..vocabulary-1, with trailing zeros (padding) in the given rows."""
    x = rng.integers(1, vocabulary, size=shape).astype("int32")
    for row, count in zeros.items():
        if count:
            x[row, -count:] = 0
    return x


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
    for layer in model.layers:
        for variable in layer.weights:
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


def randomize_tf_keras(model, rng):
    """tf_keras's form of `randomize`: each layer's weights set at once."""
    for layer in model.layers:
        values = []
        for variable in layer.weights:
            if "moving_variance" in variable.name:
                values.append(rng.uniform(0.5, 2.0, size=variable.shape).astype("float32"))
            else:
                values.append(rng.normal(scale=0.6, size=variable.shape).astype("float32"))
        layer.set_weights(values)
    return model


def save_tf_keras_models(models, rng, out, keras_version):
    """tf_keras models (name, model, inputs) with random weights, saved in every layout tf_keras writes
    (<name>.h5, <name>_weights.h5 + <name>.json, <name>.keras), inputs and outputs in outputs.json (the
    models_tf_keras structure)."""
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, model, inputs in models:
        randomize_tf_keras(model, rng)
        outputs = model(inputs if len(inputs) > 1 else inputs[0])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        cases.append({"name": name, "inputs": [array(x) for x in inputs], "outputs": [array(y) for y in outputs]})
        model.save(out / f"{name}.h5")
        model.save_weights(out / f"{name}_weights.h5")
        model.save(out / f"{name}.keras")
        (out / f"{name}.json").write_text(model.to_json() + "\n")
    (out / "outputs.json").write_text(json.dumps({"keras_version": keras_version, "models": cases}) + "\n")
    return cases


def write_outputs(path, cases):
    import keras

    path.write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")


def save_case_folder(out, cases_of):
    """A folder of Keras 3 layer cases: seeds 16, `cases_of(rng)` gives (name, model, inputs) triples, each
    saved with random weights as .keras and .h5, inputs and outputs in outputs.json."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(16)
    rng = np.random.default_rng(16)
    out.mkdir(parents=True, exist_ok=True)
    saved = [save_case(name, model, inputs, rng, out) for name, model, inputs in cases_of(rng)]
    write_outputs(out / "outputs.json", saved)
    print("wrote", len(saved), "cases into", out)
