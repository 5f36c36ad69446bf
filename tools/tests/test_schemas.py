"""The JSON Schemas in Schemas/ (draft 2020-12) against real configs and rnnkit's own JSON output.

Every Keras 3 config in the fixtures (archives' config.json, model.to_json() files), every config RNNKit
wrote or converted in the interop run, and rnnkit inspect/validate --json must validate; configs with
deliberate mistakes must not.
"""

import copy
import json
import os
import pathlib
import subprocess
import zipfile

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SCHEMAS = ROOT / "Schemas"
FIXTURES = ROOT / "Tests" / "Fixtures"


def registry():
    resources = []
    for path in SCHEMAS.rglob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = registry()


def validator(name):
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=REGISTRY)


def keras3_archive_configs():
    configs = []
    for path in sorted(FIXTURES.rglob("*.keras")):
        if "hostile" in path.parts:
            continue  # deliberately broken configs (tools/make_hostile_fixtures.py, fuzzer mutants)
        try:
            with zipfile.ZipFile(path) as archive:
                if not json.loads(archive.read("metadata.json"))["keras_version"].startswith("3."):
                    continue
                configs.append((str(path.relative_to(ROOT)), json.loads(archive.read("config.json"))))
        except (zipfile.BadZipFile, KeyError, json.JSONDecodeError):
            continue  # the damaged fixtures
    return configs


def keras3_json_configs():
    return [(str(p.relative_to(ROOT)), json.loads(p.read_text())) for d in ("models", "custom") for p in sorted((FIXTURES / d).glob("*.json"))
            if not p.name.startswith("outputs") and not p.name.startswith("tf_keras_")]  # tf_keras_*: Keras 2 dialect


CONFIGS = keras3_archive_configs() + keras3_json_configs()


def test_every_schema_is_a_valid_2020_12_schema():
    for path in SCHEMAS.rglob("*.schema.json"):
        Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.parametrize("name,config", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_keras_configs_validate(name, config):
    assert len(CONFIGS) >= 20
    errors = list(validator("model.schema.json").iter_errors(config))
    assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_configs_rnnkit_wrote_validate():
    directory = os.environ.get("RNNKIT_INTEROP_DIR")
    assert directory, "RNNKIT_INTEROP_DIR is not set: run scripts/test"
    paths = sorted(pathlib.Path(directory).rglob("*.keras"))
    assert len(paths) >= 20, "the Swift tests did not write their archives"
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
        errors = list(validator("model.schema.json").iter_errors(config))
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def broken(mutate):
    config = copy.deepcopy(dict(keras3_archive_configs())["Tests/Fixtures/models/encoder_decoder.keras"])
    mutate(config)
    return config


@pytest.mark.parametrize("mutate", [
    lambda c: c["config"]["layers"][2]["config"].__setitem__("units", "four"),
    lambda c: c["config"]["layers"][2]["config"].pop("units"),
    lambda c: c["config"]["layers"][2]["config"].__setitem__("dropout", 1.5),
    lambda c: c["config"]["layers"][4]["config"].__setitem__("use_bias", "yes"),
    lambda c: c["config"]["layers"][0]["config"].pop("batch_shape"),
    lambda c: c["config"].pop("output_layers"),
    lambda c: c["config"]["layers"][3]["inbound_nodes"][0]["kwargs"]["initial_state"][0]["config"].__setitem__("keras_history", ["encoder", 0]),
], ids=["units-type", "units-missing", "dropout-range", "use-bias-type", "batch-shape-missing", "outputs-missing", "history-short"])
def test_configs_with_mistakes_do_not_validate(mutate):
    assert list(validator("model.schema.json").iter_errors(broken(mutate)))


def run_binary(*arguments):
    binary = os.environ.get("RNNKIT_BINARY")
    assert binary and pathlib.Path(binary).exists(), "RNNKIT_BINARY is not set to the built rnnkit: run scripts/test"
    return json.loads(subprocess.run([binary, *arguments], capture_output=True, text=True).stdout)


@pytest.mark.parametrize("path", ["Examples/waveforms.keras", "Examples/waveforms.h5", "Tests/Fixtures/models/bidirectional_two_outputs.keras",
                                  "Tests/Fixtures/custom/minimal.keras", "Tests/Fixtures/sharded/waveforms.weights.json"])
def test_inspect_json_follows_its_schema(path):
    report = run_binary("inspect", str(ROOT / path), "--json")
    errors = list(validator("inspect.schema.json").iter_errors(report))
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"


@pytest.mark.parametrize("path", ["Examples/waveforms.keras", "Tests/Fixtures/tf_keras/functional.h5", "Tests/Fixtures/damaged/wrong_shape.h5"])
def test_validate_json_follows_its_schema(path):
    report = run_binary("validate", str(ROOT / path), "--json")
    errors = list(validator("validate.schema.json").iter_errors(report))
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"


@pytest.mark.parametrize("pair", [("Examples/waveforms.keras", "Examples/waveforms.h5"),
                                  ("Tests/Fixtures/models/stateful_lstm.keras", "Tests/Fixtures/models_tf_keras/stateful_lstm.h5"),
                                  ("Tests/Fixtures/models/stateful_lstm.keras", "Tests/Fixtures/models/encoder_decoder.keras")],
                         ids=["same", "other-weights", "other-model"])
def test_diff_json_follows_its_schema(pair):
    report = run_binary("diff", *(str(ROOT / p) for p in pair), "--json")
    errors = list(validator("diff.schema.json").iter_errors(report))
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"


def test_nested_models_are_checked_by_the_model_schema():
    """A model used as a layer (issue 16) is a whole model config: its own layers are checked too."""
    for name in ("lrcn_nested", "masked_encoder", "two_levels"):
        config = json.loads(zipfile.ZipFile(FIXTURES / "nested" / f"{name}.keras").read("config.json"))
        assert not list(validator("model.schema.json").iter_errors(config)), name
    config = json.loads(zipfile.ZipFile(FIXTURES / "nested" / "lrcn_nested.keras").read("config.json"))
    head = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Functional")
    next(layer for layer in head["config"]["layers"] if layer["class_name"] == "Dense")["config"]["units"] = "six"
    errors = list(validator("model.schema.json").iter_errors(config))
    assert errors and "six" in errors[0].message
    td = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "TimeDistributed")
    head["config"]["layers"][1]["config"]["units"] = 6
    conv = next(layer for layer in td["config"]["layer"]["config"]["layers"] if layer["class_name"] == "Conv2D")
    conv["config"]["filters"] = "three"
    assert list(validator("model.schema.json").iter_errors(config))


def test_depthwise_and_separable_configs_are_checked():
    """Issue 16's DepthwiseConv and SeparableConv entries have their own schema (SeparableConvolution)."""
    for path in sorted((FIXTURES / "separable").glob("*.keras")):
        config = json.loads(zipfile.ZipFile(path).read("config.json"))
        assert not list(validator("model.schema.json").iter_errors(config)), path.name
    config = json.loads(zipfile.ZipFile(FIXTURES / "separable" / "separable_conv2d.keras").read("config.json"))
    config["config"]["layers"][1]["config"]["depth_multiplier"] = 0
    assert list(validator("model.schema.json").iter_errors(config))


def test_transposed_convolution_configs_are_checked():
    """Issue 16's Conv1D/2D/3DTranspose entries have their own schema (ConvolutionTranspose)."""
    for path in sorted((FIXTURES / "transpose").glob("*.keras")):
        config = json.loads(zipfile.ZipFile(path).read("config.json"))
        assert not list(validator("model.schema.json").iter_errors(config)), path.name
    config = json.loads(zipfile.ZipFile(FIXTURES / "transpose" / "conv2d_transpose_valid.keras").read("config.json"))
    config["config"]["layers"][1]["config"]["output_padding"] = [-1, 0]
    assert list(validator("model.schema.json").iter_errors(config))
