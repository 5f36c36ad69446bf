"""Hostile files for the untrusted-file tests (issue 11): one per class of damage rnnkit must refuse
cleanly, each made from the bundled example so that everything else in it is sound.

Writes Tests/Fixtures/hostile/. Run with the project's .venv (h5py, NumPy):
  .venv/bin/python tools/make_hostile_fixtures.py
"""

import json
import shutil
import zipfile
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "Examples/waveforms.keras"
LEGACY = ROOT / "Examples/waveforms.h5"
OUT = ROOT / "Tests/Fixtures/hostile"


def rezip(target, config=None, weights=None, compress=(), base=EXAMPLE):
    """The example archive (or `base`) with its config or weights member replaced."""
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "config.json" and config is not None:
                data = json.dumps(config(json.loads(data))).encode()
            if info.filename == "model.weights.h5" and weights is not None:
                data = weights(data)
            method = zipfile.ZIP_DEFLATED if info.filename in compress else zipfile.ZIP_STORED
            out.writestr(info.filename, data, compress_type=method)


def zip_bomb(target, size):
    """The example with `size` zero bytes appended to its weights member, deflated (about 1 MB per GB)."""
    with zipfile.ZipFile(EXAMPLE) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "model.weights.h5":
                out.writestr(info.filename, data)
                continue
            entry = zipfile.ZipInfo(info.filename)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with out.open(entry, "w", force_zip64=True) as sink:
                sink.write(data)
                chunk = bytes(1 << 20)
                for _ in range(size >> 20):
                    sink.write(chunk)


def forge_size(target, member, value):
    """Sets the uncompressed size of `member` to `value` in every header that records it: the zip64 extra
    field (id 1) where there is one, else the 32-bit field."""
    data = bytearray(target.read_bytes())
    name = member.encode()
    # signature, offset of the 32-bit uncompressed size, of the name length, of the name
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = int.from_bytes(data[start + length_at:start + length_at + 2], "little")
            extra_length = int.from_bytes(data[start + length_at + 2:start + length_at + 4], "little")
            if data[start + name_at:start + name_at + name_length] == name:
                extra_at = start + name_at + name_length
                if data[start + size_at:start + size_at + 4] == b"\xff\xff\xff\xff" and \
                        data[extra_at:extra_at + 2] == b"\x01\x00":
                    data[extra_at + 4:extra_at + 12] = value.to_bytes(8, "little")
                else:
                    data[start + size_at:start + size_at + 4] = min(value, 2**32 - 2).to_bytes(4, "little")
            start += 4
    target.write_bytes(bytes(data))


def main():
    # fuzz_* files beside these are fuzzer mutants kept as regression cases: leave them.
    OUT.mkdir(parents=True, exist_ok=True)

    # Class 5: a 1 MB archive whose weights inflate to 1 GB; a size forged to 2**40 in the zip64 local
    # header and to 4 GiB in the central directory, over 19 KB of stored bytes.
    zip_bomb(OUT / "zip_bomb.keras", 1 << 30)
    with zipfile.ZipFile(EXAMPLE) as source, zipfile.ZipFile(OUT / "zip64_forged.keras", "w") as out:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename)
            with out.open(entry, "w", force_zip64=True) as sink:
                sink.write(source.read(info.filename))
    forge_size(OUT / "zip64_forged.keras", "model.weights.h5", 2**40)
    # Class 5: one flipped bit in the weights member's stored bytes (a value, not metadata): only CRC-32 sees it.
    shutil.copy(EXAMPLE, OUT / "crc_flipped.keras")
    data = bytearray((OUT / "crc_flipped.keras").read_bytes())
    with zipfile.ZipFile(EXAMPLE) as archive:
        info = archive.getinfo("model.weights.h5")
        weights = archive.read("model.weights.h5")
    kernel = np.asarray(h5py.File(EXAMPLE.with_suffix(".weights.h5"))["layers/lstm/cell/vars/1"]).tobytes()
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + weights.index(kernel[:16])
    data[at + 2] ^= 0x01
    (OUT / "crc_flipped.keras").write_bytes(bytes(data))

    # Class 4: a dataset declared at 30000 x 30000 float32 (3.6 GB) with nothing stored.
    shutil.copy(LEGACY, OUT / "huge_declared.h5")
    with h5py.File(OUT / "huge_declared.h5", "r+") as file:
        name = "model_weights/lstm/sequential/lstm/lstm_cell/kernel"
        if name not in file:
            found = []
            file["model_weights/lstm"].visit(lambda item: found.append(item) if item.endswith("kernel") else None)
            name = "model_weights/lstm/" + sorted(found)[0]
        del file[name]
        file.create_dataset(name, shape=(30000, 30000), dtype="<f4")

    # Class 1: units from a config near Int.max and at two billion.
    for units, suffix in ((2**63 - 1, "intmax"), (2_000_000_000, "2e9")):
        def grow(config, units=units):
            config["config"]["layers"][1]["config"]["units"] = units
            return config
        rezip(OUT / f"units_{suffix}.keras", config=grow)

    # Class 2: an inbound node's tensor index of 2**63; a kernel for 5 features where the config's input has 1.
    def index(config):
        layer = next(entry for entry in config["config"]["layers"] if entry["inbound_nodes"])
        history = layer["inbound_nodes"][0]["args"][0]["config"]["keras_history"]
        history[2] = 2**63
        return config
    rezip(OUT / "tensor_index.keras", config=index, base=ROOT / "Tests/Fixtures/models/encoder_decoder.keras")
    np.savez(OUT / "tensor_index_input.npz", input_0=np.ones((2, 5, 3), "<f4"), input_1=np.ones((2, 4, 2), "<f4"))
    shutil.copy(LEGACY, OUT / "kernel_width.h5")
    with h5py.File(OUT / "kernel_width.h5", "r+") as file:
        found = []
        file["model_weights"].visit(lambda item: found.append(item) if item.endswith("kernel") else None)
        name = "model_weights/" + sorted(found)[0]
        del file[name]
        file.create_dataset(name, data=np.ones((5, 64), dtype="<f4"))

    # Class 6: a layer name with a newline and a terminal escape; an .npy header with an escape.
    def rename(config):
        config["config"]["layers"][2]["config"]["name"] = "waveform\n\x1b[31mred\x1b[0m"
        config["config"]["layers"][2]["name"] = "waveform\n\x1b[31mred\x1b[0m"
        return config
    rezip(OUT / "escape_name.keras", config=rename)
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (8, 40, 1\n\x1b[2J), }\n"
    header += " " * ((64 - (10 + len(header)) % 64) % 64)
    header = header.rstrip("\n") + "\n"
    body = np.load(ROOT / "Examples/waveforms_input.npy").astype("<f4").tobytes()
    (OUT / "escape_header.npy").write_bytes(
        b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + body)

    # Class 1: .npy headers declaring more than can be counted or stored.
    for shape, name in (("(4611686018427387904, 4)", "npy_2e62"), ("(3000000000, 3000000000)", "npy_3e9"),
                        ("(8, 40, 99999999999999)", "npy_wide")):
        header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        (OUT / f"{name}.npy").write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little")
                                          + header.encode() + body[:64])
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
