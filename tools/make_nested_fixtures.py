"""Models nested as layers (issue 16), built in Keras 3.15.1: Tests/Fixtures/nested/.

The models of nested_models.py (an LRCN whose frame CNN is a Sequential inside TimeDistributed and whose
head is a Functional model; a Sequential encoder fed a masked Embedding; a Sequential model holding a
Functional block that holds a Sequential), each with random weights, an input batch and Keras's outputs
(models.json, the models_keras3.json structure), saved as .keras, .h5 and .weights.h5 with its JSON.

Run: .venv/bin/python tools/make_nested_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from fixture_common import save_model, write_outputs  # noqa: E402
from nested_models import nested_models  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "nested"


def main():
    keras.utils.set_random_seed(16)
    rng = np.random.default_rng(16)
    OUT.mkdir(parents=True, exist_ok=True)
    models = [save_model(name, model, inputs, rng, OUT) for name, model, inputs in nested_models(keras, rng)]
    write_outputs(OUT / "models.json", models)
    print("wrote", len(models), "models into", OUT)


if __name__ == "__main__":
    main()
