"""Keras 3.15.1 loads what RNNKit wrote and predicts what Keras predicted.

The Swift suite (KerasFormatTests.WritingTests) reads each model of tools/make_model_fixtures.py and
writes it as .keras, .weights.h5 and legacy .h5 into $RNNKIT_INTEROP_DIR/models; scripts/test runs it
first. A missing file is a failure, never a skip.
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
CASES = json.loads((FIXTURES / "layers" / "models_keras3.json").read_text())["models"]
# Keras 3's own legacy .h5 loader cannot rebuild these graphs (KERAS.md C.10: Bidirectional,
# TimeDistributed); their legacy files are checked by loading the weights instead. Operation nodes load
# when they carry the module a .keras config gives them, as RNNKit writes them.
KERAS3_CANNOT_LOAD_LEGACY = {"bidirectional_two_outputs", "embedding_bidirectional_lstm",
                             "masking_simple_rnn_time_distributed"}


def written(name, suffix):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test, which runs the Swift tests first"
    path = pathlib.Path(value) / "models" / f"{name}.{suffix}"
    assert path.exists(), f"{path} is missing: the Swift WritingTests did not write it"
    return path


def inputs(case):
    return [np.array(i["values"], "float32").reshape(i["shape"]) for i in case["inputs"]]


def check(model, case):
    xs = inputs(case)
    outputs = model(xs if len(xs) > 1 else xs[0])
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    expected = case["calls"][0]["outputs"]
    assert len(outputs) == len(expected)
    for ours, theirs in zip(outputs, expected):
        np.testing.assert_allclose(np.asarray(ours), np.array(theirs["values"]).reshape(theirs["shape"]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_loads_our_keras_archive(case):
    check(keras.saving.load_model(written(case["name"], "keras")), case)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_loads_our_weights_file(case):
    model = keras.models.model_from_json((FIXTURES / "models" / f"{case['name']}.json").read_text())
    model.load_weights(written(case["name"], "weights.h5"))
    check(model, case)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_loads_our_legacy_h5(case):
    path = written(case["name"], "h5")
    if case["name"] in KERAS3_CANNOT_LOAD_LEGACY:
        model = keras.models.model_from_json((FIXTURES / "models" / f"{case['name']}.json").read_text())
        model.load_weights(path)
    else:
        model = keras.saving.load_model(path)
    check(model, case)


@pytest.mark.parametrize("case", [c for c in CASES if c["name"] not in KERAS3_CANNOT_LOAD_LEGACY],
                         ids=[c["name"] for c in CASES if c["name"] not in KERAS3_CANNOT_LOAD_LEGACY])
def test_keras_loads_legacy_h5_we_rewrote(case):
    """Keras 3's own legacy .h5, written back by RNNKit (WritingTests.legacyFromLegacy): Keras 3 cannot load its
    own operation_node_mask.h5, and loads RNNKit's."""
    check(keras.saving.load_model(written(case["name"], "from_h5.h5")), case)


# The seed's custom cell, registered as rnnkit>MinimalRNNCell by the fixture script.
sys_path = str(ROOT / "tools")
import sys  # noqa: E402

if sys_path not in sys.path:
    sys.path.insert(0, sys_path)
from make_custom_cell_fixtures import MinimalRNNCell  # noqa: E402,F401
import interop_checks  # noqa: E402

CUSTOM = json.loads((FIXTURES / "custom" / "outputs.json").read_text())


def check_custom(model, name):
    x = np.array(CUSTOM[name]["input"]["values"], "float32").reshape(CUSTOM[name]["input"]["shape"])
    expected = np.array(CUSTOM[name]["output"]["values"]).reshape(CUSTOM[name]["output"]["shape"])
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CUSTOM))
def test_keras_loads_our_files_with_a_custom_cell(name):
    check_custom(keras.saving.load_model(written(f"custom_{name}", "keras")), name)
    model = keras.models.model_from_json((FIXTURES / "custom" / f"{name}.json").read_text())
    model.load_weights(written(f"custom_{name}", "weights.h5"))
    check_custom(model, name)
    model = keras.models.model_from_json((FIXTURES / "custom" / f"{name}.json").read_text())
    model.load_weights(written(f"custom_{name}", "h5"))
    check_custom(model, name)


CUSTOM_TF_KERAS = json.loads((FIXTURES / "custom" / "outputs_tf_keras.json").read_text())


@pytest.mark.parametrize("name", sorted(CUSTOM_TF_KERAS))
def test_keras_loads_tf_keras_custom_cell_models_we_converted(name):
    """tf.keras wrote these with the custom cell; RNNKit converted them to .keras carrying the cell's config."""
    model = keras.saving.load_model(written(f"custom_from_tf_keras_{name}", "keras"))
    case = CUSTOM_TF_KERAS[name]
    x = np.array(case["input"]["values"], "float32").reshape(case["input"]["shape"])
    expected = np.array(case["output"]["values"]).reshape(case["output"]["shape"])
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-5, atol=1e-5)


# Archiving: older models RNNKit converted to .keras, loaded by Keras 3 (ConversionTests writes them).
TF_KERAS = {m["name"]: m for m in json.loads((FIXTURES / "models_tf_keras" / "outputs.json").read_text())["models"]}
LEGACY = json.loads((FIXTURES / "legacy" / "outputs.json").read_text())
TF_KERAS_REAL = {m["name"]: m
                 for m in json.loads((FIXTURES / "surrounding_tf_keras" / "outputs.json").read_text())["models"]}
TF_KERAS_SPATIAL = {m["name"]: m
                    for m in json.loads((FIXTURES / "spatial_tf_keras" / "outputs.json").read_text())["models"]}
LEGACY_REAL = {f"{folder}_{m['name']}": m for folder in ["legacy_real", "legacy_nested"]
               for m in json.loads((FIXTURES / folder / "outputs.json").read_text())["models"]}
TF2_ARCHIVES = {f"{generation}_{m['name']}": m for generation in ["tf213", "tf215"]
                for m in json.loads((FIXTURES / generation / "outputs.json").read_text())["models"]}


def converted_cases():
    cases = []
    for name, model in sorted(TF_KERAS.items()):
        if name == "time_major":  # Keras 3 has no time-major layers; ConversionTests checks the refusal
            continue
        cases.append((f"tf_keras_{name}", model["inputs"], model["outputs"]))
    for name, model in sorted(TF_KERAS_REAL.items()):
        if name == "bidirectional_convlstm2d_masked":
            # Keras 3.15.1's JAX backend cannot run a masked ConvLSTM through lax.scan (its step mask does not
            # broadcast over the frames); ConversionTests checks that RNNKit names the change it would make.
            continue
        cases.append((f"tf_keras_real_{name}", model["inputs"], model["outputs"]))
    for name, model in sorted(TF_KERAS_SPATIAL.items()):
        cases.append((f"tf_keras_spatial_{name}", model["inputs"], model["outputs"]))
    for name, model in sorted(LEGACY_REAL.items()):
        cases.append((name, model["inputs"], model["outputs"]))
    for name, model in sorted(TF2_ARCHIVES.items()):
        cases.append((name, model["inputs"], model["outputs"]))
    for name, output in sorted(LEGACY["outputs"].items()):
        cases.append((f"legacy_{name}", [LEGACY["input"]], [output]))
    # Keras 3's own legacy .h5, operation nodes included (their module keys restored by RNNKit).
    for model in json.loads((FIXTURES / "layers" / "models_keras3.json").read_text())["models"]:
        cases.append((f"keras3_h5_{model['name']}", model["inputs"], model["calls"][0]["outputs"]))
    return cases


@pytest.mark.parametrize("name,inputs,outputs", converted_cases(), ids=[c[0] for c in converted_cases()])
def test_keras3_loads_converted_older_models(name, inputs, outputs):
    directory = pathlib.Path(os.environ["RNNKIT_INTEROP_DIR"]) / "converted"
    exact, accepted = directory / f"{name}.keras", directory / f"{name}.keras.accepted.keras"
    assert exact.exists() or accepted.exists(), f"ConversionTests wrote neither {exact.name} nor {accepted.name}"
    xs = [np.array(i["values"], "float32").reshape(i["shape"]) for i in inputs]
    model = keras.saving.load_model(exact if exact.exists() else accepted)
    ys = model(xs if len(xs) > 1 else xs[0])
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    assert len(ys) == len(outputs)
    for ours, theirs in zip(ys, outputs):
        expected = np.array(theirs["values"]).reshape(theirs["shape"])
        if exact.exists():
            np.testing.assert_allclose(np.asarray(ours), expected, rtol=1e-5, atol=1e-5)
        else:  # hard_sigmoid changed form, with the user's consent: Keras 3 loads it, and the change shows
            assert np.asarray(ours).shape == expected.shape and np.abs(np.asarray(ours) - expected).max() > 1e-4


# rnnkit inspect's parameter counts against Keras's own count_params().
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_inspect_counts_parameters_as_keras_does(case):
    import subprocess

    binary = os.environ.get("RNNKIT_BINARY")
    assert binary and pathlib.Path(binary).exists(), "RNNKIT_BINARY is not set to the built rnnkit: run scripts/test"
    path = FIXTURES / "models" / f"{case['name']}.keras"
    report = json.loads(subprocess.run([binary, "inspect", str(path), "--json"], check=True, capture_output=True, text=True).stdout)
    model = keras.saving.load_model(path)
    assert report["model"]["parameters"] == model.count_params()
    ours = {layer["name"]: layer["parameters"] for layer in report["model"]["layers"]}
    assert ours == {layer.name: layer.count_params() for layer in model.layers} | {k: 0 for k in ours if k not in {l.name for l in model.layers}}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_loads_our_legacy_weights_only_h5(case):
    model = keras.models.model_from_json((FIXTURES / "models" / f"{case['name']}.json").read_text())
    model.load_weights(written(case["name"], "weights-only.h5"))
    check(model, case)


# The real-model shapes of issue 6 (tools/make_surrounding_fixtures.py, make_attention_fixtures.py), written
# by SurroundingLayerTests.
SURROUNDING = [m for f in ("models.json", "attention_models.json")
               for m in json.loads((FIXTURES / "surrounding" / f).read_text())["models"]]


@pytest.mark.parametrize("suffix", ["keras", "weights.h5", "h5", "weights-only.h5"])
@pytest.mark.parametrize("case", SURROUNDING, ids=[c["name"] for c in SURROUNDING])
def test_keras_loads_our_files_of_models_with_surrounding_layers(case, suffix):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test"
    path = pathlib.Path(value) / "surrounding" / f"{case['name']}.{suffix}"
    assert path.exists(), f"{path} is missing: the Swift SurroundingLayerTests did not write it"
    if suffix == "keras":
        model = keras.saving.load_model(path)
    else:
        # Keras 3's legacy loader cannot rebuild graphs with operation nodes (C.10): weights into the JSON's model.
        model = keras.models.model_from_json((FIXTURES / "surrounding" / f"{case['name']}.json").read_text())
        model.load_weights(path)
    check(model, case)


# The 2D and 3D layers of issue 16 (tools/make_spatial_fixtures.py), written by the Swift SpatialLayerTests:
# the real-model shapes in every layout, the layer cases as .keras (their legacy .h5 holds the same config
# and weights, which the real-model shapes check in that layout; Keras's loads are the slow part of the run).
SPATIAL_MODELS = json.loads((FIXTURES / "spatial" / "models.json").read_text())["models"]
SPATIAL_CASES = json.loads((FIXTURES / "spatial" / "outputs.json").read_text())["models"]
SPATIAL = [(c, s) for c in SPATIAL_MODELS for s in ("keras", "weights.h5", "h5", "weights-only.h5")] + [
    (c, "keras") for c in SPATIAL_CASES]


@pytest.mark.parametrize("case,suffix", SPATIAL, ids=[f"{c['name']}.{s}" for c, s in SPATIAL])
def test_keras_loads_our_files_of_2d_and_3d_layers(case, suffix):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test"
    path = pathlib.Path(value) / "spatial" / f"{case['name']}.{suffix}"
    assert path.exists(), f"{path} is missing: the Swift SpatialLayerTests did not write it"
    if suffix in ("keras", "h5"):
        model = keras.saving.load_model(path)
    else:
        model = keras.models.model_from_json((FIXTURES / "spatial" / f"{case['name']}.json").read_text())
        model.load_weights(path)
    check(model, case)


# ConvLSTM (tools/make_convlstm_fixtures.py), written by the Swift ConvLSTMFileTests.
CONVLSTM_CASES = {c["name"]: c for c in json.loads((FIXTURES / "convlstm" / "outputs.json").read_text())["models"]}
CONVLSTM_MODEL = json.loads((FIXTURES / "convlstm" / "models.json").read_text())["models"][0]


def convlstm_written(name, suffix):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test"
    path = pathlib.Path(value) / "convlstm" / f"{name}.{suffix}"
    assert path.exists(), f"{path} is missing: the Swift ConvLSTMFileTests did not write it"
    return path


def check_every_call(model, case):
    """Each recorded call, resetting the stateful layers where Keras did."""
    xs = inputs(case)
    for call in case["calls"]:
        if call["reset"]:
            for layer in model.layers:
                if getattr(layer, "stateful", False):
                    layer.reset_states()
        outputs = model(xs if len(xs) > 1 else xs[0])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        assert len(outputs) == len(call["outputs"])
        for ours, theirs in zip(outputs, call["outputs"]):
            expected = np.array(theirs["values"]).reshape(theirs["shape"])
            np.testing.assert_allclose(np.asarray(ours), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("suffix", ["keras", "weights.h5", "h5", "weights-only.h5"])
def test_keras_loads_our_files_of_the_stacked_convlstm2d_model(suffix):
    name = CONVLSTM_MODEL["name"]
    path = convlstm_written(name, suffix)
    if suffix == "keras":
        model = keras.saving.load_model(path)
    elif suffix == "h5":
        model = keras.models.load_model(path, compile=False)
    else:
        model = keras.models.model_from_json((FIXTURES / "convlstm" / f"{name}.json").read_text())
        model.load_weights(path)
    check_every_call(model, CONVLSTM_MODEL)


@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("name", ["bidirectional_convlstm2d", "convlstm2d_channels_first", "convlstm1d_stateful"])
def test_keras_loads_our_convlstm_files(name, suffix):
    path = convlstm_written(name, suffix)
    model = keras.saving.load_model(path) if suffix == "keras" else keras.models.load_model(path, compile=False)
    check_every_call(model, CONVLSTM_CASES[name])


# Operation nodes (tools/make_operation_fixtures.py), written by RNNKit (OperationTests): Keras 3 operations
# with the constant first, written back; tf.keras's TFOpLambda layers converted to Keras 3 operation nodes.
OPERATIONS = FIXTURES / "operations"


def operations_case(writer):
    return json.loads((OPERATIONS / f"outputs_{writer}.json").read_text())["models"][0]


def check_operations(model, case):
    xs = interop_checks.arrays(case["inputs"], tokens_first=case["name"] == "tf_op_lambda")
    interop_checks.assert_outputs(model(xs if len(xs) > 1 else xs[0]), case["outputs"])


def written_in(folder, name):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test, which runs the Swift tests first"
    path = pathlib.Path(value) / folder / name
    assert path.exists(), f"{path} is missing: the Swift suite writing {folder} did not write it"
    return path


@pytest.mark.parametrize("name", ["constant_first.keras", "constant_first.h5"])
def test_keras_loads_constant_first_operations_we_wrote(name):
    model = keras.saving.load_model(written_in("operations", name), compile=False)
    check_operations(model, operations_case("keras3"))


def test_keras_loads_tf_op_lambda_models_we_converted():
    case = operations_case("tf_keras")
    check_operations(keras.saving.load_model(written_in("operations", "tf_op_lambda.keras"), compile=False), case)
    model = keras.models.model_from_json(written_in("operations", "tf_op_lambda.keras3.json").read_text())
    model.load_weights(written_in("operations", "tf_op_lambda.weights.h5"))
    check_operations(model, case)


# Models tools/fuzz_models.py found failing, kept once fixed (tools/make_fuzz_regressions.py), as RNNKit
# converted them (FuzzRegressionTests): Keras 3 loads the .keras and the Keras 3 dialect .h5 (or, where its
# legacy loader cannot rebuild Bidirectional / TimeDistributed, loads that file's weights into the .keras).
FUZZ = FIXTURES / "fuzz_models"
# Only those whose Keras 3 form computes the same (the others are refused as a change, tested in Swift).
FUZZ_CASES = [c for w in ("keras3", "tf_keras") if (FUZZ / f"cases_{w}.json").exists()
              for c in json.loads((FUZZ / f"cases_{w}.json").read_text())["models"] if c.get("keras3_exact", True)]


@pytest.mark.parametrize("case", FUZZ_CASES, ids=[c["name"] for c in FUZZ_CASES])
def test_keras_loads_fuzz_regressions_we_converted(case):
    archive = written_in("fuzz_models", f"{case['name']}.keras")
    interop_checks.check_calls(keras.saving.load_model(archive, compile=False), case)
    legacy = written_in("fuzz_models", f"{case['name']}.keras3.h5")
    spec = case["spec"]
    blocks = spec["blocks"] + ([spec["decoder"]["block"]] if "decoder" in spec else [])
    if any("bidirectional" in b for b in blocks) or spec["head"]["type"] == "time_distributed":
        model = keras.saving.load_model(archive, compile=False)
        model.load_weights(legacy)
    else:
        model = keras.saving.load_model(legacy, compile=False)
    interop_checks.check_calls(model, case)


# Models built in Swift (KerasFormatTests.BuildingTests), written by RNNKit in every layout with the Swift
# model's inputs and outputs: Keras 3 loads each and predicts what the Swift model predicted, with Keras's
# layer names. Its legacy loader cannot rebuild Bidirectional / TimeDistributed (KERAS.md C.10), so those
# legacy files are loaded as weights into the model from the JSON RNNKit wrote.
BUILT = ["classifier", "encoder_decoder", "stacked", "two_outputs", "frames_attention"]


def built_case(name):
    return json.loads(written_in("built", f"{name}.case.json").read_text())


def built_inputs(case, model):
    return [np.array(i["values"]).reshape(i["shape"]).astype(layer.dtype if layer.dtype != "float32" else "float32")
            for i, layer in zip(case["inputs"], model.inputs)]


def check_built(model, case):
    xs = built_inputs(case, model)
    interop_checks.assert_outputs(model(xs if len(xs) > 1 else xs[0]), case["outputs"])
    # A Sequential model's layers do not list its input layer.
    names = case["layers"][1:] if type(model).__name__ == "Sequential" else case["layers"]
    assert [layer.name for layer in model.layers] == names


@pytest.mark.parametrize("name", BUILT)
@pytest.mark.parametrize("suffix", ["keras", "weights.h5", "h5", "weights-only.h5"])
def test_keras_loads_models_built_in_swift(name, suffix):
    case = built_case(name)
    path = written_in("built", f"{name}.{suffix}")
    if suffix == "keras" or (suffix == "h5" and name == "classifier"):
        model = keras.saving.load_model(path, compile=False)
        # Model.sequential's chains come back as Keras's Sequential.
        assert (type(model).__name__ == "Sequential") == (name in ("classifier", "stacked"))
    else:
        model = keras.models.model_from_json(written_in("built", f"{name}.json").read_text())
        model.load_weights(path)
    check_built(model, case)


def test_keras_loads_one_layer_saved_alone():
    """KerasModel(layer:inputShape:) around a trained LSTM (BuildingTests.oneLayer): Keras 3 loads it as
    Input + the layer, predicts the Swift outputs, and the layer's get_config() is the config RNNKit gave."""
    case = built_case("one_layer")
    model = keras.saving.load_model(written_in("built", "one_layer.keras"), compile=False)
    check_built(model, case)
    layer = model.layers[-1]
    assert keras.saving.serialize_keras_object(layer)["config"] == case["config"]["config"] | {
        "dtype": keras.saving.serialize_keras_object(layer)["config"]["dtype"]}
    rebuilt = keras.layers.deserialize(case["config"])
    assert type(rebuilt) is type(layer) and rebuilt.get_config()["units"] == layer.get_config()["units"]


def test_keras_loads_a_model_built_in_swift_with_a_custom_cell():
    """A Swift model holding the seed's MinimalRNNCell (CustomObjectTests.builtInSwift): its config names the
    registered Python class, which Keras 3 finds and runs with RNNKit's weights."""
    case = built_case("minimal_swift")
    check_built(keras.saving.load_model(written_in("built", "minimal_swift.keras"), compile=False), case)


def test_keras_trains_a_model_built_in_swift():
    """Archives that can go on training: the Swift classifier's .keras carries its initializers, dropout,
    regularizers and constraint; Keras compiles it, runs one fit step, and the loss is finite and the weights move."""
    model = keras.saving.load_model(written_in("built", "classifier.keras"), compile=False)
    lstm = model.get_layer("lstm")
    assert lstm.dropout == pytest.approx(0.1)
    assert isinstance(lstm.cell.kernel_regularizer, keras.regularizers.L2)
    assert isinstance(lstm.cell.bias_initializer, keras.initializers.RandomNormal)
    assert isinstance(lstm.cell.recurrent_initializer, keras.initializers.Orthogonal)
    dense = model.get_layer("dense")
    assert isinstance(dense.kernel_regularizer, keras.regularizers.L1)
    assert isinstance(dense.kernel_constraint, keras.constraints.MaxNorm)
    case = built_case("classifier")
    x = built_inputs(case, model)[0]
    y = np.arange(len(x)) % 3
    before = [np.array(w) for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=1, batch_size=len(x), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    moved = [not np.allclose(a, np.array(b)) for a, b in zip(before, model.get_weights())]
    assert all(moved), moved


# Models nested as layers (issue 16; tools/make_nested_fixtures.py, make_nested_tf_keras_fixtures.py), written
# by the Swift NestedModelTests: Keras 3's in every layout, tf_keras's as Keras 3 archives.
NESTED = json.loads((FIXTURES / "nested" / "models.json").read_text())["models"]
NESTED_TF = json.loads((FIXTURES / "nested_tf_keras" / "outputs.json").read_text())["models"]
NESTED_WRITTEN = [(c, s) for c in NESTED for s in ("keras", "h5", "weights.h5", "weights-only.h5")]


def nested_written(folder, name):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test"
    path = pathlib.Path(value) / folder / name
    assert path.exists(), f"{path} is missing: the Swift NestedModelTests did not write it"
    return path


@pytest.mark.parametrize("case,suffix", NESTED_WRITTEN, ids=[f"{c['name']}.{s}" for c, s in NESTED_WRITTEN])
def test_keras_loads_our_files_of_nested_models(case, suffix):
    path = nested_written("nested", f"{case['name']}.{suffix}")
    if suffix in ("keras", "h5"):
        model = keras.saving.load_model(path)
    else:
        model = keras.models.model_from_json((FIXTURES / "nested" / f"{case['name']}.json").read_text())
        model.load_weights(path)
    xs = interop_checks.arrays(case["inputs"], tokens_first=case["name"] == "masked_encoder")
    interop_checks.assert_outputs(model(xs[0]), case["calls"][0]["outputs"])


@pytest.mark.parametrize("case", NESTED_TF, ids=[c["name"] for c in NESTED_TF])
def test_keras_loads_tf_keras_nested_models_we_converted(case):
    model = keras.saving.load_model(nested_written("nested_from_tf_keras", f"{case['name']}.keras"))
    xs = interop_checks.arrays(case["inputs"], tokens_first=case["name"] == "masked_encoder")
    interop_checks.assert_outputs(model(xs[0]), case["outputs"])


def test_keras_loads_the_windows_archive_we_rewrote():
    """tf.keras on Windows named its weight groups with backslashes (tools/make_windows_archive_fixture.py):
    Keras 3 cannot load that archive, but loads what RNNKit wrote from it (WindowsArchiveTests)."""
    case = json.loads((FIXTURES / "windows" / "outputs.json").read_text())["models"][0]
    model = keras.saving.load_model(nested_written("windows", "convlstm_windows.keras"))
    interop_checks.assert_outputs(model(interop_checks.arrays(case["inputs"])[0]), case["outputs"])
    with pytest.raises(Exception):
        keras.saving.load_model(FIXTURES / "windows" / "convlstm_windows.keras")


# Layer cases by folder (issue 16): depthwise and separable convolutions (tools/make_separable_fixtures.py),
# transposed convolutions and bilinear upsampling (make_transpose_fixtures.py), MultiHeadAttention over grids
# and with an attention_mask (make_attention_axes_fixtures.py), written by the Swift CaseFolderTests.
# Every case as .keras; the legacy .h5 and .weights.h5 of the three whole-model shapes (Keras's loads are the
# slow part of the run, and those layouts hold the same config and weights).
SHAPES = ("separable_clip", "upsampling_predictor", "mha_attention_mask_joined")
FOLDER_CASES = [(folder, c, s) for folder in ("separable", "transpose", "attention_axes")
                for c in json.loads((FIXTURES / folder / "outputs.json").read_text())["models"]
                for s in (("keras", "h5", "weights.h5") if c["name"] in SHAPES else ("keras",))]


@pytest.mark.parametrize("folder,case,suffix", FOLDER_CASES,
                         ids=[f"{f}/{c['name']}.{s}" for f, c, s in FOLDER_CASES])
def test_keras_loads_our_files_of_the_layer_case_folders(folder, case, suffix):
    path = nested_written(folder, f"{case['name']}.{suffix}")
    if suffix in ("keras", "h5"):
        model = keras.saving.load_model(path)
    else:
        model = keras.models.model_from_json(nested_written(folder, f"{case['name']}.json").read_text())
        model.load_weights(path)
    xs = interop_checks.arrays(case["inputs"])
    interop_checks.assert_outputs(model(xs if len(xs) > 1 else xs[0]), case["calls"][0]["outputs"])
