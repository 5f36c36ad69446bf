"""Models nested as layers (issue 16) as standalone Keras 2.2.4 wrote them: Tests/Fixtures/legacy_nested/.

The models of nested_models.py built in tf_keras 2.21 with random weights, saved as legacy .h5, and relabelled
in Keras 2.2.4's config form (KERAS.md C.12): no `module` / `registered_name` / `build_config` keys, a
nested Functional is a "Model", a nested Sequential has no InputLayer entry (its input shape is the first
layer's `batch_input_shape`, or the Sequential's `build_input_shape` when it was built by its caller, as the
LRCN's frame CNN inside TimeDistributed is), no `time_major`, and `keras_version` "2.2.4". Every nested
network's first call is node 1 (Keras 2.2.4 counts a network's own construction as node 0 and writes
`kept_nodes = 1` for every Network subclass); tf_keras already writes 1 for these models, whose nested
Sequentials it built with an InputLayer. The weights are tf_keras's, loaded by order as Keras 2.2.4 loads
them; the expected outputs are tf_keras's.

Run: .venv-tf/bin/python tools/make_legacy_nested_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

from fixture_common import array, randomize_tf_keras  # noqa: E402
from nested_models import nested_models  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "legacy_nested"
MODELS = {"Sequential", "Functional", "Model"}


def keras224(entry, built_by_caller=False):
    """A tf_keras layer entry (with its nested entries) in Keras 2.2.4's form, in place."""
    for key in ("module", "registered_name", "build_config", "shared_object_id"):
        entry.pop(key, None)
    config = entry["config"]
    config.pop("time_major", None)
    if entry["class_name"] == "Functional":
        entry["class_name"] = "Model"
    if entry["class_name"] == "Sequential" and config["layers"][0]["class_name"] == "InputLayer":
        shape = config["layers"].pop(0)["config"]["batch_input_shape"]
        if built_by_caller or config["layers"][0]["class_name"] in MODELS:
            config["build_input_shape"] = shape
        else:
            config["layers"][0]["config"]["batch_input_shape"] = shape
    for inner in config.get("layers", []):
        keras224(inner)
    if isinstance(config.get("layer"), dict):
        keras224(config["layer"], built_by_caller=entry["class_name"] == "TimeDistributed")


def main():
    keras.utils.set_random_seed(24)
    rng = np.random.default_rng(24)
    OUT.mkdir(parents=True, exist_ok=True)
    models = []
    for name, model, inputs in nested_models(keras, rng):
        randomize_tf_keras(model, rng)
        path = OUT / f"{name}.h5"
        model.save(path)
        with h5py.File(path, "r+") as f:
            config = json.loads(f.attrs["model_config"])
            keras224(config)
            if config["class_name"] == "Sequential":  # the outer Sequential: no InputLayer either
                config["config"].pop("build_input_shape", None)
            f.attrs["model_config"] = json.dumps(config).encode()
            f.attrs["keras_version"] = b"2.2.4"
            f["model_weights"].attrs["keras_version"] = b"2.2.4"
        outputs = model(inputs if len(inputs) > 1 else inputs[0])
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        models.append({"name": name, "inputs": [array(x) for x in inputs], "outputs": [array(y) for y in outputs]})
    (OUT / "outputs.json").write_text(json.dumps({"models": models}) + "\n")
    print("wrote", [m["name"] for m in models], "into", OUT)


if __name__ == "__main__":
    main()
