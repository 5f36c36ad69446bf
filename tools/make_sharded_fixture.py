"""The example model's weights saved by Keras 3.15.1 as a sharded set (KERAS.md C.3):
Tests/Fixtures/sharded/waveforms.weights.json and its waveforms_0000N.weights.h5 shards.

Run: .venv/bin/python tools/make_sharded_fixture.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "sharded"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    model = keras.saving.load_model(ROOT / "Examples" / "waveforms.keras")
    model.save_weights(OUT / "waveforms.weights.json", max_shard_size=0.0000042)
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
