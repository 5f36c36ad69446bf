"""The HDF5 forms RNNKit must read and write, as one spec shared by both directions.

`spec()` lists groups, attributes (every string form real Keras files hold, KERAS.md D.3) and datasets
(every integer and float type). `make_hdf5_fixtures.py` writes the spec with h5py for the Swift tests to
read; the Swift tests write the `writable` part with RNNKit and `tests/test_hdf5_interop.py` checks it
with h5py, type by type.
"""

import h5py
import numpy as np

# Forms: (length, charset, padding); length "variable" or a width computed from the values.
VLEN_UTF8 = {"length": "variable", "charset": "utf8", "padding": "nullterm"}
VLEN_ASCII = {"length": "variable", "charset": "ascii", "padding": "nullterm"}


def fixed(charset, padding):
    return {"length": "fixed", "charset": charset, "padding": padding}


# Dtypes RNNKit's writer produces (the ones Keras files hold).
SWIFT_WRITABLE_DTYPES = {"<f4", "<f8", "<i4", "<i8"}


def spec():
    rng = np.random.default_rng(20261121)
    long_names = [f"layer_{i:03d}_" + "x" * (190 + i % 13) for i in range(401)]
    attributes = [
        # Keras 3 `.keras` / `.weights.h5`: every vars group's name.
        {"object": "/", "name": "vlen_utf8_scalar", "form": VLEN_UTF8, "shape": [], "value": ["lstm_cell"]},
        {"object": "/", "name": "vlen_utf8_non_ascii", "form": VLEN_UTF8, "shape": [], "value": ["schrödinger_λ_層"]},
        # Legacy `.h5`: model_config (bytes) and keras_version/backend on /model_weights.
        {"object": "/", "name": "vlen_ascii_scalar", "form": VLEN_ASCII, "shape": [],
         "value": ['{"class_name": "Sequential", "config": {"name": "s"}}']},
        {"object": "/", "name": "vlen_ascii_empty_string", "form": VLEN_ASCII, "shape": [], "value": [""]},
        {"object": "/", "name": "vlen_ascii_large_scalar", "form": VLEN_ASCII, "shape": [],
         "value": ["{" + ",".join(f'"k{i}": {i}' for i in range(12000)) + "}"]},
        # Legacy `.h5`: layer_names / weight_names lists.
        {"object": "/model_weights", "name": "vlen_ascii_array", "form": VLEN_ASCII, "shape": [3],
         "value": ["input_layer", "lstm", "dense_1"]},
        {"object": "/model_weights", "name": "vlen_utf8_array", "form": VLEN_UTF8, "shape": [2],
         "value": ["ünïcode", "plain"]},
        # h5py 2-era Keras: numpy S arrays, null-padded, the longest element with no NUL at all.
        {"object": "/model_weights", "name": "fixed_ascii_nullpad_array", "form": fixed("ascii", "nullpad"), "shape": [3],
         "value": ["lstm_1", "dense_12", "gru"]},
        {"object": "/model_weights", "name": "fixed_ascii_nullpad_scalar", "form": fixed("ascii", "nullpad"), "shape": [],
         "value": ["2.2.4"]},
        {"object": "/model_weights", "name": "fixed_ascii_nullterm_array", "form": fixed("ascii", "nullterm"), "shape": [2],
         "value": ["kernel:0", "bias:0"]},
        {"object": "/model_weights", "name": "fixed_ascii_spacepad_array", "form": fixed("ascii", "spacepad"), "shape": [2],
         "value": ["a", "bcd"]},
        {"object": "/model_weights", "name": "fixed_utf8_nullpad_array", "form": fixed("utf8", "nullpad"), "shape": [2],
         "value": ["größe", "x"]},
        {"object": "/model_weights", "name": "fixed_ascii_full_width", "form": fixed("ascii", "nullpad"), "shape": [2],
         "value": ["abcd", "wxyz"]},
        # Layers without weights: the empty list as float64[0].
        {"object": "/model_weights/input_layer", "name": "weight_names", "numeric": "<f8", "shape": [0], "value": []},
        # Numbers.
        {"object": "/", "name": "float64_array", "numeric": "<f8", "shape": [3], "value": [0.5, -1.25, 3.0e10]},
        {"object": "/", "name": "int64_scalar", "numeric": "<i8", "shape": [], "value": [42]},
        {"object": "/", "name": "int32_matrix", "numeric": "<i4", "shape": [2, 2], "value": [1, -2, 3, -4]},
        # Chunked name lists, written with Keras's own rule: two S<maxlen> chunks here.
        {"object": "/chunked", "name": "layer_names", "chunked": True, "value": long_names},
        {"object": "/chunked", "name": "short_names", "chunked": True, "value": ["a", "bb", "ccc"]},
        {"object": "/chunked", "name": "no_names", "chunked": True, "value": []},
    ]
    datasets = []

    def add(path, dtype, shape, values=None):
        if values is None:
            count = int(np.prod(shape)) if shape else 1
            if dtype.lstrip("<>|")[0] == "f":
                values = (rng.standard_normal(count) * 3).astype(np.dtype(dtype)).astype(np.float64).tolist()
            else:
                info = np.iinfo(np.dtype(dtype))
                low, high = max(info.min, -(2**40)), min(info.max, 2**40)
                values = rng.integers(low, high, size=count, endpoint=True).tolist()
                values[0] = int(info.min) if info.min >= -(2**62) else values[0]
        elif dtype.lstrip("<>|")[0] == "f":
            values = np.array(values, dtype=dtype).astype(np.float64).tolist()
        datasets.append({"path": path, "dtype": dtype, "shape": shape, "values": values,
                         "writable": dtype in SWIFT_WRITABLE_DTYPES})

    add("/model_weights/lstm/lstm/lstm_cell/kernel", "<f4", [3, 8])
    add("/model_weights/lstm/lstm/lstm_cell/recurrent_kernel", "<f4", [2, 8])
    add("/model_weights/lstm/lstm/lstm_cell/bias", "<f4", [8])
    add("/numbers/float16", "<f2", [4, 3])
    add("/numbers/float64", "<f8", [5])
    add("/numbers/float32_big_endian", ">f4", [2, 3])
    add("/numbers/float32_scalar", "<f4", [])
    add("/numbers/float32_empty", "<f4", [0])
    add("/numbers/float32_empty_2d", "<f4", [0, 3])
    add("/numbers/float32_3d", "<f4", [2, 3, 4])
    add("/numbers/float32_special", "<f4", [4], [0.0, -0.0, 1.0e-45, 3.4028234663852886e38])
    for dtype in ["|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", ">i4"]:
        add("/numbers/int_" + dtype.replace("<", "le_").replace(">", "be_").replace("|", ""), dtype, [6])
    add("/numbers/int32_scalar", "<i4", [], [7])
    return {
        "groups": ["/model_weights/input_layer", "/empty_group/nested/deeper", "/chunked"],
        "attributes": attributes,
        "datasets": datasets,
        "compressed": {"path": "/numbers/float32_gzip", "dtype": "<f4", "shape": [16, 16]},
    }


def h5py_string_type(form, values):
    """An h5py low-level string type for `form`, fixed width = the longest value in UTF-8 bytes."""
    tid = h5py.h5t.C_S1.copy()
    if form["length"] == "variable":
        tid.set_size(h5py.h5t.VARIABLE)
    else:
        tid.set_size(max(1, max((len(v.encode()) for v in values), default=1)))
    tid.set_cset(h5py.h5t.CSET_UTF8 if form["charset"] == "utf8" else h5py.h5t.CSET_ASCII)
    tid.set_strpad({"nullterm": h5py.h5t.STR_NULLTERM, "nullpad": h5py.h5t.STR_NULLPAD,
                    "spacepad": h5py.h5t.STR_SPACEPAD}[form["padding"]])
    return tid


def string_form_of(tid):
    """The spec's form dict for an h5py low-level string type."""
    return {
        "length": "variable" if tid.is_variable_str() else "fixed",
        "charset": "utf8" if tid.get_cset() == h5py.h5t.CSET_UTF8 else "ascii",
        "padding": {h5py.h5t.STR_NULLTERM: "nullterm", h5py.h5t.STR_NULLPAD: "nullpad",
                    h5py.h5t.STR_SPACEPAD: "spacepad"}[tid.get_strpad()],
    }
