"""Keras 3.15.1's regularizer penalties and constrained weights on fixed matrices:
Tests/Fixtures/layers/regularizers_keras3.json.

Run: .venv/bin/python tools/make_regularizer_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
from keras import constraints, ops, regularizers  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "layers"


def main():
    rng = np.random.default_rng(5)
    inputs = {
        "wide": rng.normal(size=(3, 6)).astype("float32"),
        "tall": (rng.normal(size=(5, 4)) * 2).astype("float32"),
        "cube": rng.normal(size=(2, 3, 4)).astype("float32"),
    }
    regs = [("l1", {"l1": 0.01}), ("l2", {"l2": 0.03}), ("l1l2", {"l1": 0.02, "l2": 0.05}), ("l1l2", {"l1": 0.0, "l2": 0.0}),
            ("orthogonal", {"factor": 0.01, "mode": "rows"}), ("orthogonal", {"factor": 0.2, "mode": "columns"})]
    classes = {"l1": regularizers.L1, "l2": regularizers.L2, "l1l2": regularizers.L1L2,
               "orthogonal": regularizers.OrthogonalRegularizer}
    cons = [("max_norm", {"max_value": 2.0, "axis": 0}), ("max_norm", {"max_value": 1.5, "axis": [0, 1]}),
            ("max_norm", {"max_value": 0.5, "axis": -1}), ("non_neg", {}), ("unit_norm", {"axis": 0}),
            ("unit_norm", {"axis": 1}), ("min_max_norm", {"min_value": 0.5, "max_value": 1.0, "rate": 0.7, "axis": 0}),
            ("min_max_norm", {"min_value": 3.0, "max_value": 4.0, "rate": 1.0, "axis": -1})]
    cclasses = {"max_norm": constraints.MaxNorm, "non_neg": constraints.NonNeg, "unit_norm": constraints.UnitNorm,
                "min_max_norm": constraints.MinMaxNorm}
    cases = []
    for name, x in inputs.items():
        for kind, params in regs:
            if kind == "orthogonal" and x.ndim != 2:
                continue
            # Backend tensors, as Keras passes variables: its NumPy branch of normalize() mishandles axis=0.
            penalty = float(np.asarray(classes[kind](**params)(ops.convert_to_tensor(x))))
            cases.append({"input": name, "regularizer": kind, "params": params, "penalty": penalty})
        for kind, params in cons:
            out = np.asarray(cclasses[kind](**params)(ops.convert_to_tensor(x))).astype("float64").reshape(-1).tolist()
            cases.append({"input": name, "constraint": kind, "params": params, "output": out})
    data = {"inputs": {k: {"shape": list(v.shape), "values": v.astype("float64").reshape(-1).tolist()}
                       for k, v in inputs.items()}, "cases": cases}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "regularizers_keras3.json").write_text(json.dumps(data) + "\n")
    print("wrote", len(cases), "cases")


if __name__ == "__main__":
    main()
