"""Files RNNKit's HDF5 module wrote, read by h5py: exact HDF5 types (KERAS.md D.1-D.3) and values.

The Swift test suite (WritingTests) writes the writable part of tools/hdf5_forms.py's spec into
$RNNKIT_INTEROP_DIR; scripts/test runs it first, then this. A missing file is a failure, never a skip.
"""

import os
import pathlib
import sys

import h5py
import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
os.environ.setdefault("KERAS_BACKEND", "jax")

from hdf5_forms import spec, string_form_of  # noqa: E402
from hdf5_manifest import describe_type  # noqa: E402
from keras.src.legacy.saving.legacy_h5_format import (  # noqa: E402
    load_attributes_from_hdf5_group,
    save_attributes_to_hdf5_group,
)

SPEC = spec()
FILES = ["swift_forms.h5", "swift_forms_image.h5"]


def interop_dir():
    value = os.environ.get("RNNKIT_INTEROP_DIR")
    assert value, "RNNKIT_INTEROP_DIR is not set: run scripts/test, which runs the Swift tests first"
    return pathlib.Path(value)


@pytest.fixture(params=FILES)
def swift_file(request):
    path = interop_dir() / request.param
    assert path.exists(), f"{path} is missing: the Swift WritingTests did not write it"
    with h5py.File(path, "r") as f:
        yield f


def test_superblock_is_version_0(swift_file):
    assert swift_file.id.get_create_plist().get_version()[0] == 0


def test_datasets_are_contiguous_little_endian_uncompressed(swift_file):
    for d in SPEC["datasets"]:
        if not d["writable"]:
            continue
        ds = swift_file[d["path"]]
        plist = ds.id.get_create_plist()
        assert ds.dtype.str == d["dtype"], d["path"]
        assert list(ds.shape) == d["shape"], d["path"]
        assert plist.get_layout() == h5py.h5d.CONTIGUOUS, d["path"]
        assert plist.get_nfilters() == 0, d["path"]
        assert plist.get_alloc_time() == h5py.h5d.ALLOC_TIME_LATE, d["path"]
        space = ds.id.get_space()
        expected_class = h5py.h5s.SCALAR if d["shape"] == [] else h5py.h5s.SIMPLE
        assert space.get_simple_extent_type() == expected_class, d["path"]
        np.testing.assert_array_equal(np.asarray(ds[()], dtype=np.float64).reshape(-1), np.array(d["values"]))


def test_plain_attributes_have_exact_types_and_values(swift_file):
    for a in SPEC["attributes"]:
        if a.get("chunked"):
            continue
        obj = swift_file[a["object"]]
        attr = h5py.h5a.open(obj.id, a["name"].encode())
        tid, space = attr.get_type(), attr.get_space()
        shape = tuple(a["shape"])
        if shape == ():
            assert space.get_simple_extent_type() == h5py.h5s.SCALAR, a["name"]
        else:
            assert space.shape == shape, a["name"]
        value = obj.attrs[a["name"]]
        if "numeric" in a:
            assert describe_type(tid) == {"class": "float" if a["numeric"][1] == "f" else "integer", "dtype": a["numeric"]}
            np.testing.assert_array_equal(np.asarray(value).reshape(-1), np.array(a["value"]))
            continue
        assert tid.get_class() == h5py.h5t.STRING, a["name"]
        assert string_form_of(tid) == a["form"], a["name"]
        if a["form"]["length"] == "fixed":
            assert tid.get_size() == max(1, max(len(v.encode()) for v in a["value"])), a["name"]
        flat = [value] if shape == () else list(np.asarray(value, dtype=object).reshape(-1))
        decoded = [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in flat]
        if a["form"]["padding"] == "spacepad":
            decoded = [v.rstrip(" ") for v in decoded]
        assert decoded == a["value"], a["name"]


def test_chunked_name_lists_match_what_keras_itself_writes(swift_file, tmp_path):
    for a in SPEC["attributes"]:
        if not a.get("chunked"):
            continue
        with h5py.File(tmp_path / "keras.h5", "w") as reference:
            save_attributes_to_hdf5_group(reference, a["name"], [v.encode("utf8") for v in a["value"]])
            expected = {k: (describe_type(reference.attrs.get_id(k).get_type()), reference.attrs.get_id(k).shape)
                        for k in reference.attrs}
        group = swift_file[a["object"]]
        ours = {k: (describe_type(group.attrs.get_id(k).get_type()), group.attrs.get_id(k).shape)
                for k in group.attrs if k == a["name"] or k[len(a["name"]):].isdigit() and k.startswith(a["name"])}
        assert ours == expected, a["name"]
        names = load_attributes_from_hdf5_group(group, a["name"])
        assert [n.decode() if isinstance(n, bytes) else n for n in names] == a["value"], a["name"]
