"""Models tools/fuzz_models.py found failing, kept as fixtures once fixed: each is a spec (copied from the
failing model's spec.json) built and saved by its writer exactly as the fuzzer does, in every layout, with
its inputs and outputs: Tests/Fixtures/fuzz_models/<name>/source.* and cases_<writer>.json.
FuzzRegressionTests (Swift) runs and converts them; tools/tests and tools/tests_tf load the conversions.

Run with each writer's environment:
  .venv/bin/python tools/make_fuzz_regressions.py
  .venv-tf/bin/python tools/make_fuzz_regressions.py
"""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import fuzz_models  # noqa: E402

try:
    import tf_keras  # noqa: F401,E402
    WRITER = "tf_keras"
except ImportError:
    WRITER = "keras3"

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "fuzz_models"

# (name, what failed, whether the tf.keras form computes the same (convert --dialect keras2 exact), spec);
# a tf_keras case's Keras 3 form is exact unless "keras3_exact": False is in its spec.
REGRESSIONS = [
    ("keras3_bidirectional_unrolled_stateful",
     "tf_keras predicted other numbers for the --dialect keras2 file: its unrolled loop zeroes a backward "
     "layer's masked outputs at unreversed positions (KERAS.md A.5); written with unroll false now",
     True,
     {"writer": "keras3", "seed": 1, "index": 12, "batch": 1, "steps": 4, "functional": False,
      "input": {"type": "tokens", "vocab": 11, "dim": 1, "mask_zero": True}, "stateful": True,
      "blocks": [{"class": "LSTM", "layer": {"return_sequences": True, "unroll": True, "stateful": True},
                  "cell": {"class": "LSTM", "options": {"units": 4, "activation": "relu"}}, "bidirectional": "sum"},
                 {"class": "SimpleRNN", "layer": {"return_sequences": True, "stateful": True},
                  "cell": {"class": "SimpleRNN", "options": {"units": 5}}}],
      "head": {"type": "dense", "units": 3, "activation": "tanh"},
      # The inputs the fuzzer drew (a masked last step in the second batch), kept as they were.
      "inputs": [[[[1, 8, 6, 1]]], [[[7, 5, 5, 0]]]]}),
    ("keras3_unrolled_bidirectional_gru_stack",
     "rnnkit zeroed the masked steps of an unrolled Bidirectional; Keras 3's unrolled loop (JAX, numpy) ignores "
     "zero_output_for_mask and carries the previous output. tf.keras writes zeros there: a change for --dialect keras2",
     False,
     {'writer': 'keras3', 'seed': 1, 'index': 173, 'batch': 4, 'steps': 7, 'functional': False, 'input': {'type': 'tokens', 'vocab': 13, 'dim': 4, 'mask_zero': True}, 'stateful': False, 'blocks': [{'class': 'RNN', 'layer': {'return_sequences': True}, 'cells': [{'class': 'GRU', 'options': {'units': 1, 'activation': 'tanh', 'recurrent_activation': 'softsign', 'use_bias': False}}, {'class': 'GRU', 'options': {'units': 4, 'activation': 'elu', 'reset_after': False}}], 'bidirectional': 'sum'}, {'class': 'RNN', 'layer': {'return_sequences': True, 'unroll': True}, 'cells': [{'class': 'LSTM', 'options': {'units': 3, 'recurrent_activation': 'softsign'}}], 'bidirectional': 'concat'}], 'head': {'type': 'time_distributed', 'units': 3, 'activation': 'tanh'}}),
    ("keras3_unrolled_bidirectional_after_stacked_cells",
     "the same, after Masking and an unrolled RNN over three stacked cells",
     False,
     {'writer': 'keras3', 'seed': 1, 'index': 235, 'batch': 3, 'steps': 5, 'functional': False, 'input': {'type': 'floats', 'features': 1, 'masking': True}, 'stateful': False, 'blocks': [{'class': 'RNN', 'layer': {'return_sequences': True, 'unroll': True}, 'cells': [{'class': 'LSTM', 'options': {'units': 3, 'activation': 'softplus'}}, {'class': 'LSTM', 'options': {'units': 6, 'activation': 'linear', 'recurrent_activation': 'hard_sigmoid', 'use_bias': False}}, {'class': 'GRU', 'options': {'units': 3, 'activation': 'linear'}}]}, {'class': 'GRU', 'layer': {'return_sequences': True, 'unroll': True}, 'cell': {'class': 'GRU', 'options': {'units': 1, 'recurrent_activation': 'sigmoid'}}, 'bidirectional': 'ave'}], 'head': {'type': 'time_distributed', 'units': 4, 'activation': 'softmax'}}),
    ("tf_keras_unrolled_bidirectional_masked",
     "rnnkit zeroed the backward layer's masked outputs where the input was masked; tf.keras's unrolled loop "
     "zeroes them at the positions of the unreversed mask (KERAS.md A.5), which Keras 3 cannot express",
     True,
     {'writer': 'tf_keras', 'seed': 1, 'index': 319, 'batch': 2, 'steps': 7, 'functional': False, 'input': {'type': 'floats', 'features': 2, 'masking': True}, 'stateful': False, 'blocks': [{'class': 'GRU', 'layer': {'return_sequences': True, 'unroll': True}, 'cell': {'class': 'GRU', 'options': {'units': 2, 'recurrent_activation': 'sigmoid'}}, 'bidirectional': 'ave'}, {'class': 'GRU', 'layer': {'return_sequences': True}, 'cell': {'class': 'GRU', 'options': {'units': 3}}}, {'class': 'SimpleRNN', 'layer': {'return_sequences': False}, 'cell': {'class': 'SimpleRNN', 'options': {'units': 2, 'activation': 'linear'}}}], 'head': {'type': 'dense', 'units': 4, 'activation': 'tanh'}, 'keras3_exact': False}),
]


def array(x):
    return {"shape": list(x.shape), "values": x.astype("float64").reshape(-1).tolist()}


def main():
    keras, ops, np = fuzz_models.writer_modules(WRITER)
    cases = []
    for name, note, keras2_exact, spec in REGRESSIONS:
        if spec["writer"] != WRITER:
            continue
        place = OUT / name
        place.mkdir(parents=True, exist_ok=True)
        fuzz_models.save(spec, place, keras, ops, np)
        calls = []
        for call in range(int((place / "calls.txt").read_text())):
            inputs, expected = np.load(place / f"input_{call}.npz"), np.load(place / f"expected_{call}.npz")
            calls.append({"inputs": [array(inputs[f"input_{i}"]) for i in range(len(inputs.files))],
                          "outputs": [array(expected[f"output_{i}"]) for i in range(len(expected.files))]})
        for scratch in list(place.glob("*.npz")) + [place / "calls.txt"]:
            scratch.unlink()
        cases.append({"name": name, "note": note, "keras2_exact": keras2_exact,
                      "keras3_exact": spec.get("keras3_exact", True), "spec": spec, "calls": calls})
        keras.backend.clear_session()
    (OUT / f"cases_{WRITER}.json").write_text(json.dumps({"keras_version": keras.__version__, "models": cases}) + "\n")
    print("wrote", len(cases), "models for", WRITER)


if __name__ == "__main__":
    main()
