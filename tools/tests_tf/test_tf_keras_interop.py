"""tf_keras 2.21 (tf.keras) loads the legacy .h5 files RNNKit wrote and predicts what Keras predicted.

Two sets: tf.keras models written back (TFKerasWritingTests, $RNNKIT_INTEROP_DIR/tf_keras and tf_keras_real) and Keras 3
models written in tf.keras's dialect (Keras2DialectTests, $RNNKIT_INTEROP_DIR/tf_keras_from_keras3,
with the JSON RNNKit wrote for the weights-only files).

Run by scripts/test (after every Swift suite has written its files) and, alone, by scripts/test-tf-keras;
both set up .venv-tf. A missing file is a failure.
"""

import json
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import interop_checks  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parent.parent.parent / "Tests" / "Fixtures" / "models_tf_keras"
MODELS = json.loads((FIXTURES / "outputs.json").read_text())["models"]


KERAS3 = json.loads((FIXTURES.parent / "layers" / "models_keras3.json").read_text())["models"]
# Keras 3 operation nodes (ops.not_equal) are written as TFOpLambda layers.
# The real-model shapes of issue 6 (Keras2DialectTests.surroundingNames).
SURROUNDING = json.loads((FIXTURES.parent / "surrounding" / "models.json").read_text())["models"]
CONVLSTM = [m for f in ("outputs.json", "models.json")
            for m in json.loads((FIXTURES.parent / "convlstm" / f).read_text())["models"]
            if m["name"] in ("stacked_convlstm2d", "bidirectional_convlstm2d", "convlstm2d_channels_first",
                             "convlstm1d_stateful", "convlstm3d", "convlstm2d_initial_state", "convlstm2d_masked",
                             "bidirectional_convlstm1d_masked")]
# The 2D/3D layers of issue 16 (Keras2DialectTests.spatialNames): channels last, no groups (TensorFlow's CPU
# kernels have neither).
SPATIAL_NAMES = ("captcha_crnn", "spectrogram_crnn", "lrcn", "frame_predictor", "convlstm_classifier",
                 "conv2d_same_strides", "conv2d_dilated", "conv3d_strides", "max_pooling2d_same_strides",
                 "average_pooling2d_same", "average_pooling3d_same", "global_average_pooling2d_keepdims",
                 "global_max_pooling3d_keepdims", "upsampling1d", "upsampling2d", "upsampling3d", "zero_padding2d",
                 "cropping2d", "cropping3d", "spatial_dropout2d", "relu_options", "leaky_relu", "elu",
                 "prelu_shared_axes", "prelu", "softmax_axis", "rescaling", "normalization_given", "normalization_adapted",
                 "normalization_invert", "lstm_attention_block", "mha_self", "mha_cross_key_scores",
                 "mha_masked_causal")
SPATIAL = [m for f in ("outputs.json", "models.json")
           for m in json.loads((FIXTURES.parent / "spatial" / f).read_text())["models"] if m["name"] in SPATIAL_NAMES]
KERAS3 = KERAS3 + SURROUNDING + CONVLSTM + SPATIAL


def written(name, suffix, folder="tf_keras"):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test-tf-keras"
    path = pathlib.Path(value) / folder / f"{name}.{suffix}"
    assert path.exists(), f"{path} is missing: the Swift suite writing {folder} did not write it"
    return path


def check(model, case):
    xs = [np.array(i["values"], "float32").reshape(i["shape"]) for i in case["inputs"]]
    ys = model(xs if len(xs) > 1 else xs[0])
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    assert len(ys) == len(case["outputs"])
    for ours, theirs in zip(ys, case["outputs"]):
        np.testing.assert_allclose(np.asarray(ours), np.array(theirs["values"]).reshape(theirs["shape"]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", MODELS, ids=[m["name"] for m in MODELS])
def test_tf_keras_loads_our_legacy_model(case):
    check(keras.models.load_model(written(case["name"], "h5"), compile=False), case)


@pytest.mark.parametrize("case", MODELS, ids=[m["name"] for m in MODELS])
def test_tf_keras_loads_our_legacy_weights(case):
    model = keras.models.model_from_json((FIXTURES / f"{case['name']}.json").read_text())
    model.load_weights(written(case["name"], "weights-only.h5"))
    check(model, case)


def check_calls(model, case):
    """Every recorded call of a Keras 3 case, resetting states where Keras did."""
    xs = [np.array(i["values"], "float32").reshape(i["shape"]) for i in case["inputs"]]
    for call in case["calls"]:
        if call["reset"]:
            model.reset_states()
        ys = model(xs if len(xs) > 1 else xs[0])
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        assert len(ys) == len(call["outputs"])
        for ours, theirs in zip(ys, call["outputs"]):
            expected = np.array(theirs["values"]).reshape(theirs["shape"])
            np.testing.assert_allclose(np.asarray(ours), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", KERAS3, ids=[m["name"] for m in KERAS3])
def test_tf_keras_loads_keras3_model_in_its_dialect(case):
    path = written(case["name"], "h5", "tf_keras_from_keras3")
    check_calls(keras.models.load_model(path, compile=False), case)


@pytest.mark.parametrize("case", KERAS3, ids=[m["name"] for m in KERAS3])
def test_tf_keras_loads_keras3_weights_in_its_dialect(case):
    config = written(case["name"], "json", "tf_keras_from_keras3").read_text()
    model = keras.models.model_from_json(config)
    model.load_weights(written(case["name"], "weights-only.h5", "tf_keras_from_keras3"))
    check_calls(model, case)


# The real-model shapes of issue 6 in tf_keras (tools/make_tf_keras_real_models.py), written back by RNNKit
# (TFKerasWritingTests, $RNNKIT_INTEROP_DIR/tf_keras_real).
# The 2D/3D shapes of issue 16 (tools/make_spatial_tf_keras_fixtures.py) too.
REAL = [(folder, m) for folder in ("surrounding_tf_keras", "spatial_tf_keras")
        for m in json.loads((FIXTURES.parent / folder / "outputs.json").read_text())["models"]]


@pytest.mark.parametrize("folder,case", REAL, ids=[m["name"] for _, m in REAL])
def test_tf_keras_loads_our_legacy_files_of_the_real_model_shapes(folder, case):
    check(keras.models.load_model(written(case["name"], "h5", "tf_keras_real"), compile=False), case)
    model = keras.models.model_from_json((FIXTURES.parent / folder / f"{case['name']}.json").read_text())
    model.load_weights(written(case["name"], "weights-only.h5", "tf_keras_real"))
    check(model, case)


# tf.keras TFOpLambda layers (tools/make_operation_fixtures.py) written back by RNNKit (OperationTests).
OPERATIONS = FIXTURES.parent / "operations"


def test_tf_keras_loads_tf_op_lambda_models_we_wrote():
    case = json.loads((OPERATIONS / "outputs_tf_keras.json").read_text())["models"][0]
    xs = interop_checks.arrays(case["inputs"], tokens_first=True)
    model = keras.models.load_model(written("tf_op_lambda", "h5", "operations"), compile=False)
    interop_checks.assert_outputs(model(xs), case["outputs"])
    model = keras.models.model_from_json((OPERATIONS / "tf_op_lambda.json").read_text())
    model.load_weights(written("tf_op_lambda", "weights-only.h5", "operations"))
    interop_checks.assert_outputs(model(xs), case["outputs"])


# Models tools/fuzz_models.py found failing, kept once fixed (tools/make_fuzz_regressions.py), written by
# RNNKit in tf.keras's dialect (FuzzRegressionTests).
FUZZ = FIXTURES.parent / "fuzz_models"
# Only those whose tf.keras form computes the same (the others are refused as a change, tested in Swift).
FUZZ_CASES = [c for w in ("keras3", "tf_keras") if (FUZZ / f"cases_{w}.json").exists()
              for c in json.loads((FUZZ / f"cases_{w}.json").read_text())["models"] if c["keras2_exact"]]


@pytest.mark.parametrize("case", FUZZ_CASES, ids=[c["name"] for c in FUZZ_CASES])
def test_tf_keras_loads_fuzz_regressions_we_wrote(case):
    model = keras.models.load_model(written(case["name"], "keras2.h5", "fuzz_models"), compile=False)
    interop_checks.check_calls(model, case)


# Models built in Swift (KerasFormatTests.BuildingTests), written by RNNKit as a legacy .h5 in tf.keras's
# dialect: tf_keras loads each and predicts what the Swift model predicted.
@pytest.mark.parametrize("name", ["classifier", "encoder_decoder", "stacked", "two_outputs", "frames_attention"])
def test_tf_keras_loads_models_built_in_swift(name):
    case = json.loads(written(name, "case.json", folder="built").read_text())
    model = keras.models.load_model(written(name, "keras2.h5", folder="built"), compile=False)
    xs = interop_checks.arrays(case["inputs"], tokens_first=name == "stacked")
    interop_checks.assert_outputs(model(xs if len(xs) > 1 else xs[0]), case["outputs"])
    # Model.sequential's chains are Sequential models, whose layers do not list the input layer.
    assert (type(model).__name__ == "Sequential") == (name in ("classifier", "stacked"))
    names = case["layers"][1:] if type(model).__name__ == "Sequential" else case["layers"]
    assert [layer.name for layer in model.layers] == names


# Models nested as layers (issue 16), written by the Swift NestedModelTests as tf.keras legacy .h5: Keras 3's
# (tools/make_nested_fixtures.py) in tf.keras's dialect, and tf_keras's own written back.
NESTED = [("", m) for m in json.loads((FIXTURES.parent / "nested" / "models.json").read_text())["models"]] + [
    ("tf_keras_", m) for m in json.loads((FIXTURES.parent / "nested_tf_keras" / "outputs.json").read_text())["models"]]


@pytest.mark.parametrize("prefix,case", NESTED, ids=[p + m["name"] for p, m in NESTED])
def test_tf_keras_loads_our_legacy_files_of_nested_models(prefix, case):
    model = keras.models.load_model(written(prefix + case["name"], "h5", "nested_keras2"), compile=False)
    xs = interop_checks.arrays(case["inputs"], tokens_first=case["name"] == "masked_encoder")
    recorded = case["outputs"] if "outputs" in case else case["calls"][0]["outputs"]
    interop_checks.assert_outputs(model(xs[0]), recorded)


# Layer cases by folder (issue 16; see the Keras 3 suite), Keras 3's cases written in tf.keras's dialect by the
# Swift CaseFolderTests; channels first only for upsampling (TensorFlow's CPU kernels have no channels-first
# depthwise or transposed convolution), and none of the `_keras3_` cases (options tf.keras lacks).
FOLDER_CASES = [(folder, m) for folder in ("separable", "transpose", "attention_axes")
                for m in json.loads((FIXTURES.parent / folder / "outputs.json").read_text())["models"]
                if ("channels_first" not in m["name"] or m["name"].startswith("upsampling"))
                and "_keras3_" not in m["name"]]


@pytest.mark.parametrize("folder,case", FOLDER_CASES, ids=[f"{f}/{m['name']}" for f, m in FOLDER_CASES])
def test_tf_keras_loads_our_legacy_files_of_the_layer_case_folders(folder, case):
    model = keras.models.load_model(written(case["name"], "keras2.h5", folder), compile=False)
    xs = interop_checks.arrays(case["inputs"])
    outputs = model(xs if len(xs) > 1 else xs[0])
    recorded = case["calls"][0]["outputs"]
    if case["name"] == "mha_grid_attention_mask":
        # A query position whose attention_mask allows nothing: Keras 3's explicit path gives it zero attention,
        # tf.keras's a uniform one (KERAS.md F.2); RNNKit follows Keras 3. The other positions must agree.
        allowed = xs[1].reshape(xs[1].shape[:3] + (-1,)).any(axis=-1)
        expected = np.array(recorded[0]["values"]).reshape(recorded[0]["shape"])
        assert not allowed.all()
        np.testing.assert_allclose(np.asarray(outputs)[allowed], expected[allowed], rtol=1e-5, atol=1e-5)
        return
    interop_checks.assert_outputs(outputs, recorded)
