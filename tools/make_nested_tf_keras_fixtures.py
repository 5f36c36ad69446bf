"""Models nested as layers (issue 16) in tf_keras 2.21 (tf.keras): Tests/Fixtures/nested_tf_keras/.

The models of nested_models.py built in tf_keras with random non-default weights and saved in every
layout tf_keras writes: <name>.h5, <name>_weights.h5 + <name>.json, <name>.keras; inputs and tf_keras's
outputs in outputs.json (the models_tf_keras structure).

Run: .venv-tf/bin/python tools/make_nested_tf_keras_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float32 arithmetic, no oneDNN reordering

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

from fixture_common import save_tf_keras_models  # noqa: E402
from nested_models import nested_models  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "nested_tf_keras"


def main():
    keras.utils.set_random_seed(16)
    rng = np.random.default_rng(16)
    cases = save_tf_keras_models(nested_models(keras, rng), rng, OUT, keras.__version__)
    print("wrote", len(cases), "models into", OUT)


if __name__ == "__main__":
    main()
