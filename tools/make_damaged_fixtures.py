"""Hand-damaged copies of the example model: Tests/Fixtures/damaged/. Each must give a clear error.

Run: .venv/bin/python tools/make_damaged_fixtures.py
"""

import pathlib
import shutil
import zipfile

import h5py

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "Examples" / "waveforms.keras"
LEGACY = ROOT / "Examples" / "waveforms.h5"
OUT = ROOT / "Tests" / "Fixtures" / "damaged"


def rezip(name, members):
    with zipfile.ZipFile(OUT / name, "w", compression=zipfile.ZIP_STORED) as archive:
        for member, data in members:
            archive.writestr(member, data)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(SOURCE) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    rezip("no_config.keras", [(n, d) for n, d in members.items() if n != "config.json"])
    rezip("no_weights.keras", [(n, d) for n, d in members.items() if n != "model.weights.h5"])
    rezip("broken_config.keras", [(n, d[:-40] if n == "config.json" else d) for n, d in members.items()])
    rezip("truncated_weights.keras", [(n, d[: len(d) // 2] if n == "model.weights.h5" else d) for n, d in members.items()])
    rezip("unknown_class.keras", [(n, d.replace(b'"class_name": "LSTM"', b'"class_name": "FancyRNN"') if n == "config.json" else d)
                                  for n, d in members.items()])
    data = SOURCE.read_bytes()
    (OUT / "truncated.keras").write_bytes(data[: len(data) // 2])
    shutil.copy(LEGACY, OUT / "missing_dataset.h5")
    with h5py.File(OUT / "missing_dataset.h5", "a") as f:
        del f["model_weights/lstm/lstm/lstm_cell/recurrent_kernel"]
    shutil.copy(LEGACY, OUT / "config_not_json.h5")
    with h5py.File(OUT / "config_not_json.h5", "a") as f:
        f.attrs["model_config"] = b"{this is not json"
    shutil.copy(LEGACY, OUT / "wrong_shape.h5")
    with h5py.File(OUT / "wrong_shape.h5", "a") as f:
        del f["model_weights/waveform/waveform/bias"]
        f["model_weights/waveform/waveform"].create_dataset("bias", data=[0.0] * 5, dtype="float32")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
