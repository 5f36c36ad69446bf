"""Describes every object and attribute of an HDF5 file as h5py (the reference reader) sees it.

The Swift tests walk the same file with RNNKit's HDF5 module and must find exactly this: the same
groups and datasets, every dataset's dtype, shape and values, and every attribute's exact type and value.
"""

import json
import pathlib
import sys
import zipfile

import h5py
import numpy as np

from hdf5_forms import string_form_of


def _dtype_name(dt):
    return dt.str.replace("=", "<")


def describe_type(tid):
    cls = tid.get_class()
    if cls == h5py.h5t.STRING:
        return {"class": "string", "form": string_form_of(tid),
                "size": None if tid.is_variable_str() else tid.get_size()}
    if cls in (h5py.h5t.FLOAT, h5py.h5t.INTEGER):
        return {"class": "float" if cls == h5py.h5t.FLOAT else "integer", "dtype": _dtype_name(tid.dtype)}
    return {"class": "other"}


def decode(value):
    if isinstance(value, bytes):
        return value.decode("utf8")
    if isinstance(value, np.generic):
        return value.item() if not isinstance(value, np.bytes_) else bytes(value).decode("utf8")
    return value


def attribute_entries(obj, path):
    out = []
    for name in sorted(obj.attrs.keys()):
        attr = h5py.h5a.open(obj.id, name.encode())
        space = attr.get_space()
        shape = list(space.shape) if space.get_simple_extent_type() != h5py.h5s.SCALAR else []
        value = obj.attrs[name]
        flat = np.asarray(value, dtype=object if isinstance(value, (str, bytes)) else None).reshape(-1).tolist() \
            if shape else [value]
        out.append({"object": path, "name": name, "type": describe_type(attr.get_type()), "shape": shape,
                    "value": [decode(v) for v in flat]})
    return out


def manifest(filename):
    objects, attributes = [], []
    with h5py.File(filename, "r") as f:
        attributes += attribute_entries(f, "/")

        def visit(name, obj):
            path = "/" + name
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                entry = {"path": path, "kind": "dataset", "dtype": _dtype_name(obj.dtype), "shape": list(obj.shape)}
                entry["values"] = np.asarray(data).reshape(-1).astype(np.float64).tolist() \
                    if obj.dtype.kind == "f" else np.asarray(data).reshape(-1).tolist()
                objects.append(entry)
            else:
                objects.append({"path": path, "kind": "group"})
            attributes.extend(attribute_entries(obj, path))

        f.visititems(visit)
    return {"objects": objects, "attributes": attributes}


def write_manifest(filename):
    with open(str(filename) + ".manifest.json", "w") as out:
        json.dump(manifest(filename), out, ensure_ascii=False)
        out.write("\n")


def extract_archive_weights(archive_path):
    """Copies `model.weights.h5` out of a `.keras` archive to `<archive>.model.weights.h5`; returns its path."""
    archive_path = pathlib.Path(archive_path)
    target = archive_path.with_name(archive_path.name + ".model.weights.h5")
    with zipfile.ZipFile(archive_path) as archive:
        target.write_bytes(archive.read("model.weights.h5"))
    return target


if __name__ == "__main__":
    for name in sys.argv[1:]:
        write_manifest(name)
