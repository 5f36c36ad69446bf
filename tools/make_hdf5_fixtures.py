"""Writes Tests/Fixtures/hdf5/forms.json (the spec) and h5py_forms.h5 (the spec written by h5py).

Run with the pinned environment: .venv/bin/python tools/make_hdf5_fixtures.py
"""

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.legacy.saving.legacy_h5_format import save_attributes_to_hdf5_group  # noqa: E402

from hdf5_forms import h5py_string_type, spec  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "hdf5"


def write_attribute(obj, entry):
    if entry.get("chunked"):
        save_attributes_to_hdf5_group(obj, entry["name"], [v.encode("utf8") for v in entry["value"]])
        return
    shape = tuple(entry["shape"])
    if "numeric" in entry:
        obj.attrs.create(entry["name"], np.array(entry["value"], dtype=entry["numeric"]).reshape(shape))
        return
    if entry["form"]["length"] == "variable":
        # h5py's own str/bytes path: variable length, null-terminated, the file's charset.
        dtype = h5py.string_dtype("utf-8" if entry["form"]["charset"] == "utf8" else "ascii")
        obj.attrs.create(entry["name"], np.array(entry["value"], dtype=object).reshape(shape), dtype=dtype)
        return
    tid = h5py_string_type(entry["form"], entry["value"])
    space = h5py.h5s.create(h5py.h5s.SCALAR) if shape == () else h5py.h5s.create_simple(shape)
    attr = h5py.h5a.create(obj.id, entry["name"].encode(), tid, space)
    encoded = [v.encode("utf8") for v in entry["value"]]
    if entry["form"]["padding"] == "spacepad":
        encoded = [v.ljust(tid.get_size(), b" ") for v in encoded]
    data = np.array(encoded, dtype=f"S{tid.get_size()}").reshape(shape)
    attr.write(data, mtype=tid)


def main():
    s = spec()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "forms.json").write_text(json.dumps(s, indent=1, ensure_ascii=False) + "\n")
    with h5py.File(OUT / "h5py_forms.h5", "w") as f:
        for group in s["groups"]:
            f.require_group(group)
        for d in s["datasets"]:
            f.create_dataset(d["path"], data=np.array(d["values"], dtype=d["dtype"]).reshape(d["shape"]))
        c = s["compressed"]
        values = np.arange(256, dtype=c["dtype"]).reshape(c["shape"]) / 7
        f.create_dataset(c["path"], data=values, chunks=(4, 4), compression="gzip", shuffle=True)
        for a in s["attributes"]:
            write_attribute(f.require_group(a["object"]), a)
        # Links a model file must never make RNNKit follow: soft links are listed, external links refused.
        f["soft_link"] = h5py.SoftLink("/numbers/float64")
        f["external_link"] = h5py.ExternalLink("/etc/passwd", "/nothing")
    print("wrote", OUT / "forms.json", "and", OUT / "h5py_forms.h5")


if __name__ == "__main__":
    main()
