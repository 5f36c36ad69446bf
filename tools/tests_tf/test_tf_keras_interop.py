"""tf_keras 2.21 (tf.keras) loads the legacy .h5 files RNNKit wrote and predicts what it predicted.

A test target of its own: TensorFlow is too heavy for every run of scripts/test. scripts/test-tf-keras
sets up .venv-tf, runs the Swift suite that writes the files (TFKerasWritingTests) into
$RNNKIT_INTEROP_DIR/tf_keras, then this. A missing file is a failure.
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tf_keras as keras  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parent.parent.parent / "Tests" / "Fixtures" / "models_tf_keras"
MODELS = json.loads((FIXTURES / "outputs.json").read_text())["models"]


def written(name, suffix):
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test-tf-keras"
    path = pathlib.Path(value) / "tf_keras" / f"{name}.{suffix}"
    assert path.exists(), f"{path} is missing: the Swift TFKerasWritingTests did not write it"
    return path


def check(model, case):
    xs = [np.array(i["values"], "float32").reshape(i["shape"]) for i in case["inputs"]]
    ys = model(xs if len(xs) > 1 else xs[0])
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
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
