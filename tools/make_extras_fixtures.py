"""Copies of the example model with things beside the weights that Keras ignores: Tests/Fixtures/extras/.

People add their own groups, attributes and archive members to model files (training notes, metrics,
provenance). Keras loads such files unchanged, so RNNKit must too. Each copy is loaded here by Keras 3
itself and its predictions on the example input recorded in outputs.json: the proof that Keras ignores
the extras, and the numbers the Swift tests compare with.

- legacy_extras.h5: a root group with a dataset, a root attribute, and a group under model_weights that
  is not listed in its layer_names attribute (Keras's legacy loader reads only the listed layers).
- weights_extras.weights.h5: a root group with a dataset and a root attribute beside /layers.
- archive_extras.keras: an extra archive member (notes.txt) and the weights file with a root group.

Run: KERAS_BACKEND=jax .venv/bin/python tools/make_extras_fixtures.py
"""

import io
import json
import os
import pathlib
import shutil
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "Examples"
OUT = ROOT / "Tests" / "Fixtures" / "extras"


def add_notes(f):
    notes = f.create_group("user_notes")
    notes.create_dataset("loss_curve", data=np.linspace(1.0, 0.1, 12, dtype="float32"))
    notes.attrs["author"] = "a person who likes notes"
    f.attrs["comment"] = "trained on synthetic waveforms"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "waveforms.h5", OUT / "legacy_extras.h5")
    with h5py.File(OUT / "legacy_extras.h5", "a") as f:
        add_notes(f)
        stray = f["model_weights"].create_group("not_a_layer")
        stray.create_dataset("kernel:0", data=np.ones((2, 2), "float32"))

    shutil.copy(EXAMPLES / "waveforms.weights.h5", OUT / "weights_extras.weights.h5")
    with h5py.File(OUT / "weights_extras.weights.h5", "a") as f:
        add_notes(f)

    with zipfile.ZipFile(EXAMPLES / "waveforms.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    image = io.BytesIO(members["model.weights.h5"])
    with h5py.File(image, "a") as f:
        add_notes(f)
    members["model.weights.h5"] = image.getvalue()
    members["notes.txt"] = b"Trained on synthetic waveforms; see waveforms_accuracy.json.\n"
    with zipfile.ZipFile(OUT / "archive_extras.keras", "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    x = np.load(EXAMPLES / "waveforms_input.npy")
    outputs = {}
    for name in ["legacy_extras.h5", "archive_extras.keras"]:
        outputs[name] = keras.saving.load_model(OUT / name, compile=False).predict(x, verbose=0)
    model = keras.saving.load_model(EXAMPLES / "waveforms.keras", compile=False)
    model.load_weights(OUT / "weights_extras.weights.h5")
    outputs["weights_extras.weights.h5"] = model.predict(x, verbose=0)
    expected = np.load(EXAMPLES / "waveforms_output.npy")
    for name, y in outputs.items():
        np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6, err_msg=name)
    record = {name: {"shape": list(y.shape), "values": y.astype("float64").reshape(-1).tolist()}
              for name, y in outputs.items()}
    (OUT / "outputs.json").write_text(json.dumps({"keras_version": keras.__version__, "outputs": record}) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
