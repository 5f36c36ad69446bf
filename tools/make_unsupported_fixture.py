"""A Keras 3.15.1 model holding layers RNNKit does not implement: Tests/Fixtures/surrounding/unsupported.keras.

An LSTM followed by a Lambda (Python code, which RNNKit never runs) and a UnitNormalization (a class RNNKit
does not implement): inspect and validate must name both, run must refuse with the class and layer name.

Run: .venv/bin/python tools/make_unsupported_fixture.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "surrounding"


def main():
    inputs = keras.Input((6, 3), name="signal")
    x = layers.LSTM(4, return_sequences=True, name="lstm")(inputs)
    x = layers.Lambda(lambda t: t * 2.0, name="double")(x)
    x = layers.UnitNormalization(name="unit_norm")(x)
    model = keras.Model(inputs, x, name="unsupported")
    OUT.mkdir(parents=True, exist_ok=True)
    model.save(OUT / "unsupported.keras")
    print("wrote", OUT / "unsupported.keras")


if __name__ == "__main__":
    main()
