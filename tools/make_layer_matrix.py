"""The layer fixture matrix: real Keras runs of every recurrent layer kind x option x call argument.

Writes Tests/Fixtures/layers/matrix_<generation>.json: for each case the cells' configuration, the
layer's weights (get_weights order), and one or more calls (inputs, mask, initial state, reset before
the call) with every output Keras returned.

Keras 3.15.1 on JAX (.venv): SimpleRNN, LSTM, GRU (reset_after true and false), stacked mixed cells and
Bidirectional in every merge mode, with return_sequences, return_state, go_backwards, stateful with a
reset mid-stream, zero_output_for_mask, unroll, masks padded at the start, middle and end, explicit
zero and non-zero initial states. JAX's scan emits the previous *state* at masked steps where
TensorFlow emits the previous *output* (KERAS.md A.5); they differ only with a non-zero initial state
and leading masked steps, so those cases use unroll=True, which follows TensorFlow's rule on every
backend. JAX's unrolled loop ignores zero_output_for_mask, so those cases never unroll.

tf_keras 2.21 (.venv-tf): LSTM and GRU with the Keras 2 hard_sigmoid recurrent activation.

Run: .venv/bin/python tools/make_layer_matrix.py
     .venv-tf/bin/python tools/make_layer_matrix.py
"""

import itertools
import json
import os
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "layers"
B, T, F = 3, 5, 4
MASK = np.array([[False, False, True, True, True], [True, False, False, True, True], [True, True, True, False, False]])


def keras_module():
    try:
        import tensorflow  # noqa: F401
        import tf_keras as keras
        return keras, "tf_keras"
    except ImportError:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras
        return keras, "keras3"


def make_cell(keras, spec):
    common = {"units": spec["units"], "activation": spec.get("activation", "tanh"), "use_bias": spec.get("use_bias", True)}
    if spec["kind"] == "simple_rnn":
        return keras.layers.SimpleRNNCell(**common)
    if spec["kind"] == "lstm":
        return keras.layers.LSTMCell(recurrent_activation=spec.get("recurrent_activation", "sigmoid"), **common)
    return keras.layers.GRUCell(recurrent_activation=spec.get("recurrent_activation", "sigmoid"),
                                reset_after=spec.get("reset_after", True), **common)


def flat(x):
    return np.asarray(x).astype("float64").reshape(-1).tolist()


def run_case(keras, case, rng):
    options = case["options"]
    cells = [make_cell(keras, c) for c in case["cells"]]
    layer = keras.layers.RNN(cells if len(cells) > 1 else cells[0], **options)
    if "merge_mode" in case:
        mode = case["merge_mode"]
        layer = keras.layers.Bidirectional(layer, merge_mode=None if mode == "none" else mode)
    layer.build((B, T, F))  # build without a call: a call would advance a stateful layer's states
    weights = [w * 1.5 for w in layer.get_weights()]  # larger than the initializers give, to exercise the gates
    layer.set_weights(weights)
    calls = []
    state_shapes = case["state_shapes"]
    for index, call in enumerate(case["calls"]):
        x = rng.normal(size=(B, T, F)).astype("float32")
        kwargs = {}
        if call.get("mask"):
            kwargs["mask"] = MASK
        if call.get("initial_state") == "zeros":
            kwargs["initial_state"] = [np.zeros((B, s), "float32") for s in state_shapes]
        elif call.get("initial_state") == "random":
            kwargs["initial_state"] = [rng.normal(size=(B, s)).astype("float32") for s in state_shapes]
        if call.get("reset"):
            layer.reset_states()
        flat_states = kwargs.get("initial_state", [])
        if flat_states and len(cells) > 1:
            # Keras 3 stacked cells take their initial states nested, one list per cell.
            nested, start = [], 0
            for c in case["cells"]:
                count = 2 if c["kind"] == "lstm" else 1
                nested.append(flat_states[start:start + count])
                start += count
            kwargs["initial_state"] = nested
        outputs = layer(x, **kwargs)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        flat_outputs = []
        for output in outputs:
            for leaf in (output if isinstance(output, (list, tuple)) else [output]):
                flat_outputs.append({"shape": list(np.asarray(leaf).shape), "values": flat(leaf)})
        calls.append({
            "input": flat(x), "mask": MASK.reshape(-1).tolist() if call.get("mask") else None,
            "initial_state": [flat(s) for s in flat_states], "reset": bool(call.get("reset")),
            "outputs": flat_outputs,
        })
    return {"name": case["name"], "cells": case["cells"], "options": options,
            "bidirectional": "merge_mode" in case, "merge_mode": case.get("merge_mode"),
            "weights": [{"shape": list(w.shape), "values": flat(w)} for w in weights],
            "input_shape": [B, T, F], "calls": calls}


def state_sizes(cells):
    sizes = []
    for c in cells:
        sizes += [c["units"]] * (2 if c["kind"] == "lstm" else 1)
    return sizes


def keras3_cases():
    kinds = [
        [{"kind": "simple_rnn", "units": 3}],
        [{"kind": "lstm", "units": 3}],
        [{"kind": "gru", "units": 3, "reset_after": True}],
        [{"kind": "gru", "units": 3, "reset_after": False}],
    ]
    cases = []
    for cells in kinds:
        name = cells[0]["kind"] + ("_reset_before" if cells[0].get("reset_after") is False else "")
        for seq, back, mask, zero, state in itertools.product([False, True], [False, True], [False, True],
                                                                [False, True], [None, "zeros", "random"]):
            if zero and not mask:
                continue
            unroll = bool(state == "random" and mask and not zero)
            options = {"return_sequences": seq, "return_state": True, "go_backwards": back,
                       "zero_output_for_mask": zero, "unroll": unroll}
            cases.append({"name": f"{name} seq={seq} back={back} mask={mask} zero={zero} state={state}",
                          "cells": cells, "options": options, "state_shapes": state_sizes(cells),
                          "calls": [{"mask": mask, "initial_state": state}]})
        # Stateful: two calls, a reset, one more call. The masked second call starts from carried (non-zero)
        # states with leading masked steps, JAX's scan corner (A.5): unroll, TensorFlow's rule everywhere.
        cases.append({"name": f"{name} stateful with a reset mid-stream", "cells": cells,
                      "options": {"return_sequences": True, "stateful": True, "return_state": True, "unroll": True},
                      "state_shapes": state_sizes(cells),
                      "calls": [{}, {"mask": True}, {"reset": True}, {}]})
        # Variants of the cell itself.
        variant = dict(cells[0], use_bias=False, activation="relu")
        cases.append({"name": f"{name} no bias, relu", "cells": [variant], "options": {"return_sequences": True},
                      "state_shapes": state_sizes([variant]), "calls": [{"mask": True}]})
        if cells[0]["kind"] != "simple_rnn":
            hard = dict(cells[0], recurrent_activation="hard_sigmoid")
            cases.append({"name": f"{name} hard_sigmoid (Keras 3 form)", "cells": [hard],
                          "options": {"return_sequences": True}, "state_shapes": state_sizes([hard]), "calls": [{}]})
    stacked = [{"kind": "simple_rnn", "units": 2}, {"kind": "lstm", "units": 3}, {"kind": "gru", "units": 4}]
    for seq, mask, state in itertools.product([False, True], [False, True], [None, "random"]):
        cases.append({"name": f"stacked seq={seq} mask={mask} state={state}", "cells": stacked,
                      "options": {"return_sequences": seq, "return_state": True,
                                  "unroll": bool(state == "random" and mask)},
                      "state_shapes": state_sizes(stacked), "calls": [{"mask": mask, "initial_state": state}]})
    # Keras 3.15.1 cannot reset a stateful RNN over stacked cells (reset_states raises AttributeError:
    # 'list' object has no attribute 'assign'), so this case carries its states over three calls.
    cases.append({"name": "stacked stateful over three calls", "cells": stacked,
                  "options": {"stateful": True}, "state_shapes": state_sizes(stacked), "calls": [{}, {}, {}]})
    for mode, cell, seq, mask in itertools.product(["concat", "sum", "mul", "ave", "none"],
                                                   [{"kind": "lstm", "units": 2}, {"kind": "gru", "units": 3}],
                                                   [False, True], [False, True]):
        cases.append({"name": f"bidirectional {mode} {cell['kind']} seq={seq} mask={mask}", "cells": [cell],
                      "merge_mode": mode, "options": {"return_sequences": seq, "return_state": True},
                      "state_shapes": state_sizes([cell]), "calls": [{"mask": mask}]})
    return cases


def tf_keras_cases():
    cases = []
    for cell in [{"kind": "lstm", "units": 3, "recurrent_activation": "hard_sigmoid"},
                 {"kind": "gru", "units": 3, "recurrent_activation": "hard_sigmoid", "reset_after": False},
                 {"kind": "gru", "units": 3, "recurrent_activation": "hard_sigmoid", "reset_after": True}]:
        for seq, mask in itertools.product([False, True], [False, True]):
            cases.append({"name": f"{cell['kind']} hard_sigmoid (Keras 2 form) seq={seq} mask={mask}", "cells": [cell],
                          "options": {"return_sequences": seq, "return_state": True}, "state_shapes": state_sizes([cell]),
                          "calls": [{"mask": mask}]})
    return cases


def main():
    keras, generation = keras_module()
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    cases = keras3_cases() if generation == "keras3" else tf_keras_cases()
    results = [run_case(keras, case, rng) for case in cases]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"matrix_{generation}.json"
    path.write_text(json.dumps({"keras_version": keras.__version__, "cases": results}) + "\n")
    print("wrote", len(results), "cases to", path)


if __name__ == "__main__":
    main()
