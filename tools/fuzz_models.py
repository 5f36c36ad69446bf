"""Random-model differential test: random Keras models, written by Keras 3 and by tf_keras in every layout
each writer has, run and converted by rnnkit, and the converted files loaded back by Keras.

Deterministic: model N of a run with seed S is always the same model (its spec comes from
random.Random(f"{S}/{writer}/{N}") alone). A spec is a JSON description: Sequential or Functional; a float
input (with or without Masking, Keras 3: scaled by an operation node) or a token input (Embedding with
mask_zero, or Keras 3: a mask computed by ops.not_equal and passed as mask=); one to three recurrent
blocks (SimpleRNN, LSTM, GRU, RNN over one cell or StackedRNNCells, each maybe in Bidirectional with a
random merge mode) with random cell options (units, activations including hard_sigmoid, use_bias,
reset_after, unit_forget_bias, dropout) and layer options (return_sequences, go_backwards, unroll,
stateful); a Dense or TimeDistributed(Dense) head; for Functional, the last block's states as extra
outputs or as the initial state of a decoder over a second input. Weights are random normal.

For each model, the writer's Keras records its outputs (stateful models: two successive batches) and
saves it: Keras 3 as .keras, legacy .h5 and .weights.h5 + to_json(); tf_keras as legacy .h5, .keras and
weights-only .h5 + to_json(). Then, for each saved file:

  validate   `rnnkit validate` exits 0
  run        `rnnkit run` returns Keras's outputs (atol 1e-5 + rtol 1e-4 * |expected|; NaN fails)
  convert    `rnnkit convert` to .keras, .weights.h5, .h5 in the model's dialect and .h5 in the other
  reload     Keras 3 loads each Keras 3 file written (a .weights.h5 into the .keras written beside it) and
             tf_keras each Keras 2 dialect .h5, and they predict Keras's outputs (one framework against the
             other's numbers: atol 5e-5 + rtol 1e-3, two frameworks' float32 rounding)

A conversion rnnkit refuses because the target cannot express the model exactly (hard_sigmoid, which
Keras 2 and 3 define differently; masked outputs of unrolled Bidirectional layers, which the two generations
treat differently) is counted as an expected refusal, not a failure; it is then done with
--accept-changes, and Keras must predict what `rnnkit run` predicts for the converted file. Stateful
models keep their first and last steps unmasked (KERAS.md A.5: there Keras 3 on JAX and tf.keras differ,
and RNNKit follows tf.keras). Every failure is one
line naming the writer, seed, model, layout, check and first difference; its model folder is kept in
--out. Usage (the two writers' virtual environments come from scripts/setup.sh):

  .venv/bin/python tools/fuzz_models.py --binary .build/release/rnnkit --count 500 --seed 1 --jobs 2 \\
      --out fuzz-models-out
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = {"keras3": ROOT / ".venv" / "bin" / "python", "tf_keras": ROOT / ".venv-tf" / "bin" / "python"}
ATOL, RTOL = 1e-5, 1e-4
# One framework against the other's numbers (tf_keras reloading a Keras 3 model, Keras 3 a tf_keras one):
# two frameworks' float32 kernels, whose rounding differs by about 1e-5
# through saturating recurrences (rnnkit sits between them: model 436 of seed 1 differs by 1.2e-5 from Keras
# 3, tf_keras by 2.0e-5, from each other by 8e-6).
CROSS_ATOL, CROSS_RTOL = 5e-5, 1e-3
# What each writer saves: (file name, config JSON beside it for weights-only files).
SOURCES = {
    "keras3": [("source.keras", None), ("source.h5", None), ("source.weights.h5", "source.json")],
    "tf_keras": [("source.h5", None), ("source.keras", None), ("source_weights.h5", "source.json")],
}
# What rnnkit converts each file to: (target name, extra arguments, dialect of the result).
TARGETS = {
    "keras3": [("out.keras", [], "keras3"), ("out.weights.h5", [], "keras3"), ("out.h5", [], "keras3"),
               ("out_k2.h5", ["--dialect", "keras2"], "keras2")],
    "tf_keras": [("out.keras", [], "keras3"), ("out.weights.h5", [], "keras3"), ("out.h5", [], "keras2"),
                 ("out_k3.h5", ["--dialect", "keras3"], "keras3")],
}
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", "hard_sigmoid", "softsign", "elu", "selu", "softplus",
               "swish", "gelu"]
RECURRENT_ACTIVATIONS = ["sigmoid", "sigmoid", "hard_sigmoid", "tanh", "softsign"]


# MARK: - Specs (plain Python: the same spec builds in Keras 3 and in tf_keras)


def cell_spec(rng, kind):
    options = {"units": rng.randint(1, 6)}
    if rng.random() < 0.5:
        options["activation"] = rng.choice(ACTIVATIONS)
    if kind in ("LSTM", "GRU") and rng.random() < 0.5:
        options["recurrent_activation"] = rng.choice(RECURRENT_ACTIVATIONS)
    if rng.random() < 0.2:
        options["use_bias"] = False
    if kind == "GRU" and rng.random() < 0.35:
        options["reset_after"] = False
    if kind == "LSTM" and rng.random() < 0.2:
        options["unit_forget_bias"] = False
    if rng.random() < 0.1:
        options["dropout"] = 0.25
        options["recurrent_dropout"] = 0.1
    return {"class": kind, "options": options}


def block_spec(rng, last, stateful, writer):
    kind = rng.choice(["SimpleRNN", "LSTM", "GRU", "LSTM", "GRU", "RNN"])
    block = {"class": kind, "layer": {"return_sequences": (not last) or rng.random() < 0.4}}
    if kind == "RNN":
        block["cells"] = [cell_spec(rng, rng.choice(["SimpleRNN", "LSTM", "GRU"]))
                          for _ in range(1 if rng.random() < 0.6 else rng.randint(2, 3))]
    else:
        block["cell"] = cell_spec(rng, kind)
    if rng.random() < 0.25:
        block["layer"]["go_backwards"] = True
    if rng.random() < 0.15:
        block["layer"]["unroll"] = True
    if stateful:
        block["layer"]["stateful"] = True
    if rng.random() < 0.3:
        block["bidirectional"] = rng.choice(["concat", "sum", "mul", "ave"])
        if writer == "keras3":  # Keras 3 refuses a backward-running layer in Bidirectional; tf.keras flips it
            block["layer"].pop("go_backwards", None)
    return block


def model_spec(seed, writer, index):
    rng = random.Random(f"{seed}/{writer}/{index}")
    spec = {"writer": writer, "seed": seed, "index": index, "batch": rng.randint(1, 4), "steps": rng.randint(1, 7)}
    spec["functional"] = rng.random() < 0.5
    if rng.random() < 0.4:
        spec["input"] = {"type": "tokens", "vocab": rng.randint(3, 15), "dim": rng.randint(1, 5),
                         "mask_zero": rng.random() < 0.7}
        if writer == "keras3" and spec["functional"] and rng.random() < 0.4:
            spec["input"]["mask_zero"] = False
            spec["op_mask"] = True
    else:
        spec["input"] = {"type": "floats", "features": rng.randint(1, 4), "masking": rng.random() < 0.5}
        if writer == "keras3" and spec["functional"] and rng.random() < 0.25:
            spec["scale"] = rng.choice([0.5, 2.0, -1.5])
    spec["stateful"] = not spec["functional"] and rng.random() < 0.2
    count = rng.choice([1, 1, 2, 2, 3])
    spec["blocks"] = [block_spec(rng, i == count - 1, spec["stateful"], writer) for i in range(count)]
    last = spec["blocks"][-1]
    if spec["functional"] and rng.random() < 0.5 and last["class"] != "RNN":
        last["layer"]["return_state"] = True
        if rng.random() < 0.6:
            decoder = block_spec(rng, False, False, writer)
            decoder["class"] = last["class"]
            decoder.pop("cells", None)
            decoder["cell"] = cell_spec(rng, last["class"])
            decoder["cell"]["options"]["units"] = last["cell"]["options"]["units"]
            decoder["layer"]["return_sequences"] = True
            decoder.pop("bidirectional", None)
            if "bidirectional" in last:
                decoder["bidirectional"] = rng.choice(["concat", "sum", "mul", "ave"])
                if writer == "keras3":
                    decoder["layer"].pop("go_backwards", None)
            spec["decoder"] = {"steps": rng.randint(1, 5), "features": rng.randint(1, 3), "block": decoder}
    sequences = (spec["decoder"]["block"] if "decoder" in spec else last)["layer"]["return_sequences"]
    head = rng.choice(["dense", "time_distributed"] if sequences else ["dense", "none"])
    spec["head"] = {"type": head, "units": rng.randint(1, 4), "activation": rng.choice(["linear", "softmax", "tanh"])}
    return spec


def keras3_cannot_load_legacy(spec):
    """Keras 3's legacy .h5 loader fails on Bidirectional and TimeDistributed (keras-team/keras#19898)."""
    blocks = spec["blocks"] + ([spec["decoder"]["block"]] if "decoder" in spec else [])
    return any("bidirectional" in b for b in blocks) or spec["head"]["type"] == "time_distributed"


def keras3_cannot_run(spec, problem):
    """Keras 3.15.1 cannot run a stateful RNN over StackedRNNCells (its states are a nested list it tries to
    assign): the same failure that makes it refuse such specs when it writes them."""
    stacked = any(len(b.get("cells", [])) > 1 for b in spec["blocks"])
    return spec["stateful"] and stacked and "'list' object has no attribute 'assign'" in problem


# MARK: - Building and saving (runs in the writer's environment)


def build(spec, keras, ops):
    L = keras.layers

    def cell_kwargs(cell):
        return dict(cell["options"])

    def recurrent(block):
        layer_options = dict(block["layer"])
        if block["class"] == "RNN":
            cells = [getattr(L, c["class"] + "Cell")(**cell_kwargs(c)) for c in block["cells"]]
            layer = L.RNN(cells[0] if len(cells) == 1 else L.StackedRNNCells(cells), **layer_options)
        else:
            layer = getattr(L, block["class"])(**cell_kwargs(block["cell"]), **layer_options)
        if "bidirectional" in block:
            layer = L.Bidirectional(layer, merge_mode=block["bidirectional"])
        return layer

    def head(x):
        return x if spec["head"]["type"] == "none" else head_layer(spec, L)(x)

    steps, source = spec["steps"], spec["input"]
    tokens = source["type"] == "tokens"
    shape = (steps,) if tokens else (steps, source["features"])
    dtype = "int32" if tokens else "float32"
    inputs = (keras.Input(batch_shape=(spec["batch"],) + shape, dtype=dtype) if spec["stateful"]
              else keras.Input(shape, dtype=dtype))
    if not spec["functional"]:
        layers = [inputs]
        layers.append(L.Embedding(source["vocab"], source["dim"], mask_zero=source["mask_zero"]) if tokens
                      else L.Masking(0.0) if source["masking"] else None)
        layers += [recurrent(block) for block in spec["blocks"]]
        model = keras.Sequential([layer for layer in layers if layer is not None])
        if spec["head"]["type"] != "none":
            model.add(head_layer(spec, L))
        return model
    x, mask = inputs, None
    if tokens:
        if spec.get("op_mask"):
            mask = ops.not_equal(inputs, 0)
        x = L.Embedding(source["vocab"], source["dim"], mask_zero=source["mask_zero"])(x)
    else:
        if spec.get("scale"):
            x = ops.multiply(x, spec["scale"])
        if source["masking"]:
            x = L.Masking(0.0)(x)
    states = []
    for i, block in enumerate(spec["blocks"]):
        out = recurrent(block)(x, mask=mask) if (i == 0 and mask is not None) else recurrent(block)(x)
        if block["layer"].get("return_state"):
            x, states = out[0], list(out[1:])
        else:
            x = out
    all_inputs, outputs = [inputs], []
    if "decoder" in spec:
        decoder = spec["decoder"]
        second = keras.Input((decoder["steps"], decoder["features"]), dtype="float32")
        all_inputs.append(second)
        outputs.append(head(recurrent(decoder["block"])(second, initial_state=states)))
    else:
        outputs.append(head(x))
        outputs += states
    return keras.Model(all_inputs, outputs)


def head_layer(spec, L):
    h = spec["head"]
    dense = L.Dense(h["units"], activation=h["activation"])
    return L.TimeDistributed(dense) if h["type"] == "time_distributed" else dense


def make_inputs(spec, rng, np):
    """The model's inputs for one call: masked positions are zeros (padding) at random places.

    A stateful model's first and last steps stay unmasked: with a carried (non-zero) state, a masked step
    before the first unmasked one in processing order outputs the initial state in Keras 3 on JAX and zeros
    in tf.keras, Keras 3 on TensorFlow and any unrolled loop (KERAS.md A.5); RNNKit follows the latter."""
    batch, steps, source = spec["batch"], spec["steps"], spec["input"]

    def masked_positions():
        if spec["stateful"]:
            inner = list(range(1, steps - 1))
            return [p for p in inner if rng.random() < 0.3]
        length = int(rng.integers(0, steps + 1)) if rng.random() < 0.7 else steps
        positions = list(range(length, steps))
        if rng.random() < 0.15:
            positions.append(int(rng.integers(0, steps)))
        return positions

    arrays = []
    if source["type"] == "tokens":
        ids = rng.integers(1, source["vocab"], size=(batch, steps)).astype("int32")
        for row in range(batch):
            for position in masked_positions():
                ids[row, position] = 0
        arrays.append(ids)
    else:
        x = rng.normal(size=(batch, steps, source["features"])).astype("float32")
        if source["masking"]:
            for row in range(batch):
                for position in masked_positions():
                    x[row, position] = 0
        arrays.append(x)
    if "decoder" in spec:
        decoder = spec["decoder"]
        arrays.append(rng.normal(size=(batch, decoder["steps"], decoder["features"])).astype("float32"))
    return arrays


def reset_states(model):
    for layer in model.layers:
        if getattr(layer, "stateful", False) or (hasattr(layer, "forward_layer") and layer.forward_layer.stateful):
            layer.reset_states()


def predict(model, inputs):
    outputs = model(inputs if len(inputs) > 1 else inputs[0])
    return [__import__("numpy").asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def writer_modules(writer, backend="jax"):
    """keras (or tf_keras), its ops module (None for tf_keras) and numpy, quietly imported; Keras 3 on
    `backend`."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", backend)
    import warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    if writer == "keras3":
        import keras
        from keras import ops
        return keras, ops, np
    import tf_keras as keras
    return keras, None, np


def save(spec, place, keras, ops, np):
    """Builds the model of `spec` with random weights, records its outputs (input_K.npz, expected_K.npz,
    calls.txt) and saves it in every layout its writer has."""
    keras.utils.set_random_seed(spec["index"])
    model = build(spec, keras, ops)
    rng = np.random.default_rng(spec["index"])
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([rng.normal(size=w.shape).astype(w.dtype) * 0.6 for w in weights])
    reset_states(model)
    calls = 2 if spec["stateful"] else 1
    for call in range(calls):
        if "inputs" in spec:  # a regression fixture's own inputs (tools/make_fuzz_regressions.py)
            inputs = [np.asarray(a, "int32" if i == 0 and spec["input"]["type"] == "tokens" else "float32")
                      for i, a in enumerate(spec["inputs"][call])]
        else:
            inputs = make_inputs(spec, rng, np)
        outputs = predict(model, inputs)
        np.savez(place / f"input_{call}.npz", **{f"input_{i}": a for i, a in enumerate(inputs)})
        np.savez(place / f"expected_{call}.npz", **{f"output_{i}": a for i, a in enumerate(outputs)})
    reset_states(model)
    if spec["writer"] == "keras3":
        model.save(place / "source.keras")
        model.save(place / "source.h5")
        model.save_weights(place / "source.weights.h5")
    else:
        model.save(place / "source.h5")
        model.save(place / "source.keras")
        model.save_weights(place / "source_weights.h5")
    (place / "source.json").write_text(model.to_json() + "\n")
    (place / "calls.txt").write_text(str(calls))


def generate(writer, seed, indices, folder, backend):
    """Builds, records and saves models; writes <folder>/<index>/{spec.json, input_K.npz, expected_K.npz,
    source files}, or error.txt when Keras refused the spec."""
    keras, ops, np = writer_modules(writer, backend)
    for index in indices:
        spec = model_spec(seed, writer, index)
        place = folder / str(index)
        place.mkdir(parents=True, exist_ok=True)
        (place / "spec.json").write_text(json.dumps(spec) + "\n")
        try:
            save(spec, place, keras, ops, np)
        except Exception as error:  # a spec Keras itself refuses: reported, not a failure of rnnkit
            (place / "error.txt").write_text(f"{type(error).__name__}: {str(error).splitlines()[0][:300]}\n")
        keras.backend.clear_session()


# MARK: - Reloading in Keras (runs in the environment of the dialect)


def reload(dialect, items_path, results_path):
    """Loads each written file and compares its predictions; items are [folder, file, kind] with kind
    "model" or "weights" (load_model of the .keras beside it, then load_weights). Keras 3 runs on its numpy
    backend here (the same math as JAX, without a compilation per model: five times faster)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    keras = __import__("keras" if dialect == "keras3" else "tf_keras")
    results = []
    for folder, name, kind, prefix in json.loads(Path(items_path).read_text()):
        place = Path(folder)
        try:
            if kind == "weights":
                model = keras.models.load_model(place / name.replace(".weights.h5", ".keras"), compile=False)
                model.load_weights(place / name)
            elif kind == "legacy3":
                # Keras 3's legacy .h5 loader cannot rebuild Bidirectional and TimeDistributed (KERAS.md
                # C.10): their files are checked by loading the weights into the .keras written beside them.
                model = keras.models.load_model(place / name.replace(".h5", ".keras").replace("_k3.", "."),
                                                compile=False)
                model.load_weights(place / name)
            else:
                model = keras.models.load_model(place / name, compile=False)
            reset_states(model)
            problem = None
            for call in range(int((place / "calls.txt").read_text())):
                inputs = np.load(place / f"input_{call}.npz")
                ours = predict(model, [inputs[f"input_{i}"] for i in range(len(inputs.files))])
                expected = np.load(place / f"{prefix}_{call}.npz")
                writer = json.loads((place / "spec.json").read_text())["writer"]
                cross = (dialect == "keras2") != (writer == "tf_keras")  # the other framework's numbers
                tolerance = (CROSS_ATOL, CROSS_RTOL) if cross else (ATOL, RTOL)
                problem = problem or difference(ours, [expected[f"output_{i}"] for i in range(len(expected.files))],
                                                np, call, *tolerance)
            results.append([folder, name, problem])
        except Exception as error:
            results.append([folder, name, f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"])
        keras.backend.clear_session()
    Path(results_path).write_text(json.dumps(results))


def difference(ours, expected, np, call=0, atol=ATOL, rtol=RTOL):
    """None when every output is within tolerance, else the first difference in words."""
    if len(ours) != len(expected):
        return f"call {call}: {len(ours)} outputs, Keras has {len(expected)}"
    for k, (a, b) in enumerate(zip(ours, expected)):
        a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
        if a.shape != b.shape:
            return f"call {call} output {k}: shape {list(a.shape)}, Keras has {list(b.shape)}"
        bad = ~(np.abs(a - b) <= atol + rtol * np.abs(b))
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            return (f"call {call} output {k} element {at}: {a.reshape(-1)[at]:.8g}, Keras has {b.reshape(-1)[at]:.8g} "
                    f"({int(bad.sum())} of {bad.size} differ)")
    return None


# MARK: - The run (any environment with numpy)


def rnnkit(binary, *arguments):
    result = subprocess.run([str(binary), *map(str, arguments)], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stderr.strip()


def check_rnnkit(binary, writer, place, np):
    """validate, run and convert each source file; returns (failures, refusals, reload items by dialect)."""
    spec = json.loads((place / "spec.json").read_text())
    calls = int((place / "calls.txt").read_text())
    failures, refusals, items = [], [], {"keras3": [], "keras2": []}
    for source, config in SOURCES[writer]:
        extra = ["--config", place / config] if config else []
        code, error = rnnkit(binary, "validate", place / source, *extra)
        if code != 0:
            failures.append((source, "validate", f"exit {code}: {error or '(see stdout)'}"))
        arguments = []
        for call in range(calls):
            arguments += ["--input", place / f"input_{call}.npz", "--output", place / f"ours_{source}_{call}.npz"]
        code, error = rnnkit(binary, "run", place / source, *extra, *arguments, "--force")
        if code != 0:
            failures.append((source, "run", f"exit {code}: {error}"))
        else:
            for call in range(calls):
                ours = np.load(place / f"ours_{source}_{call}.npz")
                expected = np.load(place / f"expected_{call}.npz")
                problem = difference([ours[f"output_{i}"] for i in range(len(ours.files))],
                                     [expected[f"output_{i}"] for i in range(len(expected.files))], np, call)
                if problem:
                    failures.append((source, "run", problem))
        stem = source.replace(".", "_")
        accepted = {}  # converted file -> the prefix of rnnkit's own outputs of it, after --accept-changes
        for target, options, dialect in TARGETS[writer]:
            out = place / f"{stem}__{target}"
            code, error = rnnkit(binary, "convert", place / source, out, *extra, *options, "--force")
            if code != 0 and "cannot express this model exactly" in error:
                # The right refusal; with consent, Keras must then predict what rnnkit's conversion predicts.
                refusals.append((source, f"convert {target}", error))
                code, error = rnnkit(binary, "convert", place / source, out, *extra, *options, "--force",
                                     "--accept-changes")
                if code == 0:
                    arguments = []
                    for call in range(calls):
                        arguments += ["--input", place / f"input_{call}.npz",
                                      "--output", place / f"{out.name}_expected_{call}.npz"]
                    if not target.endswith(".weights.h5"):
                        code, error = rnnkit(binary, "run", out, *arguments, "--force")
                    accepted[out.name] = f"{out.name}_expected"
            if code != 0:
                failures.append((source, f"convert {target}", f"exit {code}: {error}"))
                continue
            prefix = accepted.get(out.name, "expected")
            if target.endswith(".weights.h5"):
                archive = f"{stem}__out.keras"
                if (place / archive).exists():
                    items["keras3"].append([str(place), out.name, "weights", accepted.get(archive, "expected")])
            elif dialect == "keras3" and target.endswith(".h5") and keras3_cannot_load_legacy(spec):
                if (place / f"{stem}__out.keras").exists():
                    items["keras3"].append([str(place), out.name, "legacy3", prefix])
            else:
                items[dialect].append([str(place), out.name, "model", prefix])
    return failures, refusals, items


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "rnnkit"))
    parser.add_argument("--writer", choices=["keras3", "tf_keras", "both"], default="both")
    parser.add_argument("--count", type=int, default=20, help="models per writer")
    parser.add_argument("--start", type=int, default=0, help="first model index (to split a long run)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--backend", choices=["jax", "numpy"], default="jax",
                        help="Keras 3's backend for the writer's outputs (numpy: the same math, no compilation per "
                             "model, several times faster)")
    parser.add_argument("--out", default=None, help="where failing models are kept (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep every model folder, not only failing ones")
    parser.add_argument("--worker", choices=["generate", "reload"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--indices", help=argparse.SUPPRESS)
    parser.add_argument("--dialect", help=argparse.SUPPRESS)
    parser.add_argument("--items", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "generate":
        generate(args.writer, args.seed, json.loads(args.indices), Path(args.folder), args.backend)
        return 0
    if args.worker == "reload":
        reload(args.dialect, args.items, args.results)
        return 0

    import numpy as np
    out = Path(args.out or tempfile.mkdtemp(prefix="rnnkit-fuzz-models-"))
    binary = Path(args.binary).resolve()
    writers = ["keras3", "tf_keras"] if args.writer == "both" else [args.writer]
    totals = {"models": 0, "refused by Keras": 0, "checks": 0, "failures": 0, "expected refusals": 0}
    failing = set()
    first = started = time.time()
    for writer in writers:
        folder = out / writer
        folder.mkdir(parents=True, exist_ok=True)
        indices = list(range(args.start, args.start + args.count))
        shares = [indices[j::args.jobs] for j in range(args.jobs)]
        log = open(folder / "workers.log", "a")
        workers = [subprocess.Popen([str(PYTHON[writer]), __file__, "--worker", "generate", "--writer", writer,
                                     "--seed", str(args.seed), "--indices", json.dumps(share),
                                     "--backend", args.backend,
                                     "--folder", str(folder)], stdout=log, stderr=log) for share in shares if share]
        for worker in workers:
            worker.wait()
        stage = time.time()
        totals["generate seconds"] = totals.get("generate seconds", 0) + round(stage - started)
        places = []
        for index in indices:
            place = folder / str(index)
            totals["models"] += 1
            if (place / "error.txt").exists():
                totals["refused by Keras"] += 1
                print(f"note {writer} seed {args.seed} model {index}: Keras refused the spec: "
                      f"{(place / 'error.txt').read_text().strip()}")
                continue
            if not (place / "calls.txt").exists():
                totals["failures"] += 1
                failing.add(place)
                print(f"FAIL {writer} seed {args.seed} model {index}: the generator died")
                continue
            places.append(place)
        with ThreadPoolExecutor(args.jobs) as pool:
            checked = list(pool.map(lambda p: (p, check_rnnkit(binary, writer, p, np)), places))
        totals["rnnkit seconds"] = totals.get("rnnkit seconds", 0) + round(time.time() - stage)
        stage = time.time()
        items = {"keras3": [], "keras2": []}
        for place, (failures, refusals, found) in checked:
            totals["checks"] += len(SOURCES[writer]) * (2 + len(TARGETS[writer]))
            totals["expected refusals"] += len(refusals)
            for source, check, problem in failures:
                totals["failures"] += 1
                failing.add(place)
                print(f"FAIL {writer} seed {args.seed} model {place.name} {source} {check}: {problem}")
            for dialect in items:
                items[dialect] += found[dialect]
        for dialect, python in (("keras3", PYTHON["keras3"]), ("keras2", PYTHON["tf_keras"])):
            shares = [items[dialect][j::args.jobs] for j in range(args.jobs)]
            runs = []
            for j, share in enumerate(shares):
                if not share:
                    continue
                items_path, results_path = folder / f"reload_{dialect}_{j}.json", folder / f"results_{dialect}_{j}.json"
                items_path.write_text(json.dumps(share))
                runs.append((results_path, subprocess.Popen(
                    [str(python), __file__, "--worker", "reload", "--dialect", dialect, "--items", str(items_path),
                     "--results", str(results_path)], stdout=log, stderr=log)))
            for results_path, run in runs:
                run.wait()
                results = json.loads(results_path.read_text()) if results_path.exists() else []
                for place, name, problem in results:
                    totals["checks"] += 1
                    if problem and keras3_cannot_run(json.loads((Path(place) / "spec.json").read_text()), problem):
                        totals["Keras 3 cannot run"] = totals.get("Keras 3 cannot run", 0) + 1
                        continue
                    if problem:
                        totals["failures"] += 1
                        failing.add(Path(place))
                        source, _, target = name.partition("__")
                        print(f"FAIL {writer} seed {args.seed} model {Path(place).name} {source} -> {target} "
                              f"reload ({'Keras 3' if dialect == 'keras3' else 'tf_keras'}): {problem}")
        totals["reload seconds"] = totals.get("reload seconds", 0) + round(time.time() - stage)
        started = time.time()
        if not args.keep:
            for place in places:
                if place not in failing:
                    shutil.rmtree(place, ignore_errors=True)
    totals["seconds"] = round(time.time() - first)
    print(json.dumps(totals))
    if failing:
        print(f"failing models kept in {out}")
    return 1 if totals["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
