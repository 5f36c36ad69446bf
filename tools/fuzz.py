"""Mutation fuzzer for every rnnkit reader: legacy .h5, .weights.h5, sharded weights, .keras archives and
their JSON members, --config JSON, .npy and .npz.

Deterministic: mutant N of a run with seed S is always the same file. Each mutant is one of the project's
fixtures (Tests/Fixtures, Examples) changed by a list of operations (bit flips, byte overwrites,
truncations; JSON values replaced inside a valid zip; zip size fields forged; HDF5 datasets redeclared and
attributes edited with h5py; .npy headers edited), then handed to one rnnkit command (inspect, validate,
run or convert) with a wall-clock limit. Outcomes:

  crash    rnnkit died of a signal (with RNNKIT_ISOLATION=off, also the reader inside it)
  hang     over --timeout seconds of wall time
  memory   over --memory-mb of peak resident memory (rnnkit or its isolated reader)
  message  stderr is not one line (or holds control characters, libhdf5's own dump, or over 2000 chars)
  exit     an exit code rnnkit does not document

and, not failures but counted apart (the isolation doing its job: one sentence, exit 65):

  contained-crash   the isolated reader was killed by a signal (libhdf5 crashing on damaged metadata)
  contained-spin    the isolated reader hit the reading CPU limit (libhdf5 looping on damaged metadata)
  contained-memory  the isolated reader hit the memory limit

Each failure (contained ones too) is written to --out as the mutant file plus a .json recipe (seed file,
mutant index, operations, command, outcome, exit code, stderr), then minimised: its operations are dropped
one at a time while the outcome stays the same and the remaining byte writes narrowed, and the smallest
mutant is written beside it as NAME.min with its recipe. A failure fixed is kept as a regression case in
tools/make_hostile_fixtures.py or as the minimised mutant under Tests/Fixtures/hostile. Usage:

  .venv/bin/python tools/fuzz.py --binary .build/release/rnnkit --count 20000 --jobs 2 --out fuzz-out
  .venv/bin/python tools/fuzz.py --binary .build/release/rnnkit --minimise fuzz-out/000123-run.h5.json
"""

import argparse
import ctypes
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED_EXITS = {0, 1, 64, 65, 66, 73}
INTERESTING_NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, 2**32, 2**62, 2**63 - 1, 2**63, 2**64, 2_000_000_000,
                       -2**63, 10**30, 3_000_000_000, 65536]
INTERESTING_BYTES = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE]


# MARK: - Seeds


def seeds():
    """Every fixture a reader accepts, with what a run needs: (path, kind, config path or None)."""
    found = []
    paths = sorted((ROOT / "Tests/Fixtures").rglob("*")) + sorted((ROOT / "Examples").glob("*"))
    for path in paths:
        if not path.is_file() or "damaged" in path.parts or "hostile" in path.parts:
            continue
        name = path.name
        if name.endswith(".keras"):
            found.append((path, "keras", None))
        elif name.endswith(".weights.json"):
            found.append((path, "sharded", None))
        elif name.endswith(".h5"):
            sibling = path.with_name(name.replace(".weights.h5", ".json").replace(".h5", ".json"))
            config = sibling if name.endswith(".weights.h5") and sibling.exists() else None
            found.append((path, "h5", config))
        elif name.endswith(".npy"):
            found.append((path, "npy", None))
    return found


# MARK: - Mutations (each an operation list, so that a failure can be minimised)


def json_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_paths(item, prefix + (index,))
    yield prefix


def json_replacement(rng):
    choice = rng.randrange(6)
    if choice == 0:
        return rng.choice(INTERESTING_NUMBERS)
    if choice == 1:
        return [rng.choice(INTERESTING_NUMBERS) for _ in range(rng.randrange(1, 4))]
    if choice == 2:
        return rng.choice(["", "\x1b[31mred\nline", "x" * 70000, "Lambda", "../../etc/passwd", "NotEqual"])
    if choice == 3:
        return rng.choice([None, True, {}, [], 1e308, -0.0])
    if choice == 4:
        return [[["x", 2**63, 2**63, {}]]]
    return rng.choice(["LSTM", "Bidirectional", "GRU", "InputLayer", "Dense", "TimeDistributed"])


def mutate_json_text(text, rng, count):
    """A list of (path, new value) edits for a JSON document."""
    document = json.loads(text)
    paths = [path for path in json_paths(document) if path]
    return [(list(rng.choice(paths)), json_replacement(rng)) for _ in range(count)] if paths else []


def apply_json(text, edits):
    document = json.loads(text)
    for path, value in edits:
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return json.dumps(document)


def byte_ops(size, rng, count):
    ops = []
    for _ in range(count):
        # Metadata sits near the start of HDF5 files and at the end of zips: favour both ends.
        area = rng.random()
        offset = rng.randrange(min(size, 4096)) if area < 0.4 else (
            max(0, size - 1 - rng.randrange(min(size, 2048))) if area < 0.6 else rng.randrange(max(1, size)))
        kind = rng.randrange(5)
        if kind == 0:
            ops.append(["flip", offset, 1 << rng.randrange(8)])
        elif kind == 1:
            ops.append(["set", offset, rng.choice(INTERESTING_BYTES)])
        elif kind == 2:
            ops.append(["random", offset, [rng.randrange(256) for _ in range(rng.randrange(1, 9))]])
        elif kind == 3:
            ops.append(["truncate", rng.randrange(max(1, size))])
        else:
            ops.append(["int", offset, rng.choice(INTERESTING_NUMBERS) & (2**64 - 1), rng.choice([2, 4, 8])])
    return ops


def apply_bytes(data, ops):
    data = bytearray(data)
    for op in ops:
        if op[0] == "truncate":
            del data[op[1]:]
        elif not data or op[1] >= len(data):
            continue
        elif op[0] == "flip":
            data[op[1]] ^= op[2]
        elif op[0] == "set":
            data[op[1]] = op[2]
        elif op[0] == "random":
            data[op[1]:op[1] + len(op[2])] = bytes(op[2])
        elif op[0] == "int":
            data[op[1]:op[1] + op[3]] = (op[2] & (2 ** (8 * op[3]) - 1)).to_bytes(op[3], "little")
    return bytes(data)


def plan(seed_path, kind, rng):
    """One mutant's recipe: a strategy and its operation list."""
    size = seed_path.stat().st_size
    count = rng.randrange(1, 5)
    if kind == "keras":
        strategy = rng.choice(["bytes", "config", "weights", "zipsize", "bomb"])
        if strategy == "config":
            text = zipfile.ZipFile(seed_path).read("config.json").decode()
            return {"strategy": strategy, "ops": mutate_json_text(text, rng, count)}
        if strategy == "weights":
            inner = len(zipfile.ZipFile(seed_path).read("model.weights.h5"))
            return {"strategy": strategy, "ops": byte_ops(inner, rng, count)}
        if strategy == "zipsize":
            return {"strategy": strategy, "ops": [[rng.choice(["config.json", "model.weights.h5", "metadata.json"]),
                                                   rng.choice([2**32 - 1, 2**31, 10**9, 0, 1])]]}
        if strategy == "bomb":
            return {"strategy": strategy, "ops": [[rng.choice(["config.json", "model.weights.h5"]),
                                                   rng.choice([10**8, 10**9])]]}
    if kind == "h5" and rng.random() < 0.5:
        return {"strategy": "h5edit", "ops": [[rng.randrange(1000), rng.randrange(6), json_replacement(rng)]
                                              for _ in range(count)]}
    if kind == "npy" and rng.random() < 0.6:
        shape = rng.choice(["(4611686018427387904, 4)", "(3000000000, 3000000000)", "(1, 2, 99999999999)",
                            "(-1, 3)", "()", "(2, 3)", "(0, 5)", "(1, 40, 1, 1, 1, 1, 1, 1)", "(9223372036854775807,)"])
        descr = rng.choice(["<f4", "<f8", ">f2", "|b1", "<i8", "<U4", "|O", "<f16", "<c8", "<f4"])
        return {"strategy": "npyheader", "ops": [[shape, descr, rng.choice(["\x1b[2J", "\n", ""])]]}
    return {"strategy": "bytes", "ops": byte_ops(size, rng, count)}


def rewrite_zip(seed_path, target, replace=None, compress=None):
    with zipfile.ZipFile(seed_path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if replace and info.filename in replace:
                data = replace[info.filename](data)
            method = zipfile.ZIP_DEFLATED if compress and info.filename in compress else zipfile.ZIP_STORED
            out.writestr(info.filename, data, compress_type=method)


def write_bomb(seed_path, target, member, size):
    """The seed with `size` padding bytes (spaces for JSON, zeros for HDF5) appended to one member,
    deflated, written in chunks so that the fuzzer's own memory stays small."""
    with zipfile.ZipFile(seed_path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != member:
                out.writestr(info.filename, data)
                continue
            entry = zipfile.ZipInfo(member)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with out.open(entry, "w", force_zip64=True) as sink:
                sink.write(data)
                chunk = (b" " if member.endswith(".json") else b"\0") * (1 << 20)
                for _ in range(size >> 20):
                    sink.write(chunk)


def forge_zip_size(path, member, value):
    """Sets the uncompressed size a member's local and central headers declare (a zip64 forgery when it
    does not fit 32 bits is approximated by the 0xFFFFFFFF marker)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[start + offset:start + offset + 4] = min(value, 2**32 - 1).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))


def edit_h5(path, ops):
    """Edits with h5py: a dataset redeclared at another shape with nothing stored, an attribute replaced."""
    with h5py.File(path, "r+") as file:
        datasets, attributed = [], []
        file.visititems(lambda name, item: datasets.append(name) if isinstance(item, h5py.Dataset) else None)
        file.visititems(lambda name, item: attributed.append(name) if len(item.attrs) else None)
        attributed.append("/")
        for index, kind, value in ops:
            if kind < 3 and datasets:
                name = datasets[index % len(datasets)]
                shape = [(30000, 30000), (2**31, 2**31), (0, 64), (5, 64), (1,), ()][index % 6]
                dtype = file[name].dtype
                del file[name]
                file.create_dataset(name, shape=shape, dtype=dtype)
            else:
                owner = file[attributed[index % len(attributed)]]
                keys = list(owner.attrs.keys())
                if not keys:
                    continue
                key = keys[index % len(keys)]
                old = owner.attrs[key]
                if isinstance(old, (bytes, str)) and key in ("model_config", "training_config"):
                    text = old.decode() if isinstance(old, bytes) else old
                    try:
                        edits = mutate_json_text(text, random.Random(index), kind)
                        owner.attrs[key] = apply_json(text, edits)
                    except ValueError:
                        pass
                else:
                    owner.attrs[key] = value if isinstance(value, (str, int, float)) else str(value)


def npy_header(data, shape, descr, junk):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }%s" % (descr, shape, junk)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    body = data[10 + int.from_bytes(data[8:10], "little"):] if data[6] == 1 else data
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin-1") + body


def build(seed_path, recipe, target):
    """Writes the mutant described by `recipe` to `target`."""
    strategy, ops = recipe["strategy"], recipe["ops"]
    if strategy == "bytes":
        target.write_bytes(apply_bytes(seed_path.read_bytes(), ops))
    elif strategy == "config":
        rewrite_zip(seed_path, target, {"config.json": lambda data: apply_json(data.decode(), ops).encode()})
    elif strategy == "weights":
        rewrite_zip(seed_path, target, {"model.weights.h5": lambda data: apply_bytes(data, ops)})
    elif strategy == "zipsize":
        shutil.copy(seed_path, target)
        forge_zip_size(target, ops[0][0], ops[0][1])
    elif strategy == "bomb":
        write_bomb(seed_path, target, *ops[0])
    elif strategy == "h5edit":
        shutil.copy(seed_path, target)
        edit_h5(target, ops)
    elif strategy == "npyheader":
        target.write_bytes(npy_header(seed_path.read_bytes(), *ops[0]))


# MARK: - Running rnnkit


def become_subreaper():
    """Makes this process the reaper of its orphaned descendants (Linux), so that the peak memory of
    rnnkit's isolated reader is seen even when rnnkit exits without waiting for it (its fast path)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def run_limited(arguments, timeout, environment):
    """Runs a command; returns (status or -signal, seconds, peak KiB of it and its reader, stderr)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=errors, env=environment,
                                   start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        peak = usage.ru_maxrss
        # The reader rnnkit did not wait for is now this process's child: reap it (and count its memory).
        while True:
            try:
                _, _, orphan = os.wait4(-1, 0)
            except ChildProcessError:
                break
            peak = max(peak, orphan.ru_maxrss)
        timer.cancel()
        process.returncode = 0
        errors.seek(0)
        stderr = errors.read(200000).decode("utf-8", "replace")
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return code, elapsed, peak, stderr


def classify(code, elapsed, peak_kib, stderr, options, command):
    if elapsed >= options.timeout - 0.05:
        return "hang"
    if code < 0 or ("crashed (signal" in stderr and options.isolation == "off"):
        return "crash"
    if peak_kib > options.memory_mb * 1024:
        return "memory"
    if code not in DOCUMENTED_EXITS:
        return "exit"
    text = stderr.rstrip("\n")
    # validate reports findings on stdout; every command's stderr is one sentence at most.
    if "\n" in text or "\x1b" in text or "HDF5-DIAG" in text or len(text) > 2000:
        return "message"
    # The isolated reader died and rnnkit said so in one sentence, exit 65: the design working (issue 11,
    # class 3), counted apart so that a run shows how often libhdf5 itself falls over.
    if code == 65 and "crashed (signal" in text:
        return "contained-crash"
    if code == 65 and "CPU seconds and was stopped" in text:
        return "contained-spin"
    if code == 65 and "MiB memory limit and was stopped" in text:
        return "contained-memory"
    return "ok"


def command_for(kind, mutant, seed_config, input_npy, scratch, rng, seed_path):
    """The rnnkit arguments that exercise the mutant."""
    if kind == "npy":
        model = ROOT / "Examples/waveforms.keras"
        return ["run", str(model), "--input", str(mutant)]
    config = ["--config", str(seed_config)] if seed_config else []
    choice = rng.choice(["inspect", "validate", "run", "convert"] if input_npy else ["inspect", "validate", "convert"])
    if choice == "run":
        return ["run", str(mutant), *config, "--input", str(input_npy)]
    if choice == "convert":
        target = scratch / rng.choice(["out.keras", "out.h5", "out.weights.h5"])
        return ["convert", str(mutant), str(target), *config, "--force", "--accept-changes"]
    return [choice, str(mutant), *config]


def probe_input(binary, path, config, directory):
    """A zero .npy of the seed model's first input shape (batch 2, None -> 5), or None."""
    arguments = [binary, "inspect", str(path), "--json"] + (["--config", str(config)] if config else [])
    result = subprocess.run(arguments, capture_output=True, text=True)
    try:
        model = json.loads(result.stdout)["model"]
        inputs = model["inputs"]
        layer = next(entry for entry in model["layers"] if entry["name"] == inputs[0])
        parts = layer["options"]["shape"].strip("()").split(",")
        shape = [2] + [5 if part.strip() == "None" else int(part) for part in parts[1:] if part.strip()]
    except (ValueError, KeyError, TypeError, StopIteration, IndexError):
        return None
    if len(inputs) != 1:
        return None
    target = directory / (path.name + ".input.npy")
    np.save(target, np.zeros(shape, dtype=np.float32))
    return target


# MARK: - The loop


def reproduce(options, index, seed_path, kind, seed_config, input_npy, recipe):
    """Builds the mutant `recipe` describes and runs mutant `index`'s command on it (the command depends
    only on the index, so a failure's recipe reruns the same command): (outcome, detail, mutant bytes)."""
    scratch = Path(tempfile.mkdtemp(prefix="rnnkit-fuzz-"))
    try:
        mutant = scratch / ("mutant" + "".join(seed_path.suffixes[-2:]))
        try:
            build(seed_path, recipe, mutant)
        except Exception as error:  # a recipe h5py cannot apply to this seed
            return "skipped", {"error": repr(error)}, None
        arguments = command_for(kind, mutant, seed_config, input_npy, scratch, random.Random(index), seed_path)
        environment = dict(os.environ, RNNKIT_ISOLATION=options.isolation)
        code, elapsed, peak, stderr = run_limited([options.binary, *arguments], options.timeout, environment)
        outcome = classify(code, elapsed, peak, stderr, options, arguments[0])
        detail = {"index": index, "outcome": outcome, "seed": str(seed_path.relative_to(ROOT)), "kind": kind,
                  "recipe": recipe, "command": arguments[0],
                  "config": str(seed_config.relative_to(ROOT)) if seed_config else None, "code": code,
                  "seconds": round(elapsed, 2), "peak_mb": peak // 1024, "stderr": stderr[:500]}
        return outcome, detail, mutant.read_bytes()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def one(task):
    index, options, seed_list, inputs = task
    rng = random.Random(options.seed * 1_000_003 + index)
    seed_path, kind, seed_config = seed_list[rng.randrange(len(seed_list))]
    recipe = plan(seed_path, kind, rng)
    input_npy = inputs.get(str(seed_path))
    outcome, detail, data = reproduce(options, index, seed_path, kind, seed_config, input_npy, recipe)
    if outcome == "skipped":
        return index, outcome, None, detail["error"]
    if outcome != "ok":
        keep(options, seed_path, detail, data)
        smaller = minimise(options, detail, input_npy)
        if smaller:
            keep(options, seed_path, smaller[0], smaller[1], suffix=".min")
    return index, outcome, detail["peak_mb"], None


def keep(options, seed_path, detail, data, suffix=""):
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"{detail['index']:06d}-{detail['command']}{suffix}{''.join(seed_path.suffixes[-2:])}"
    (out / name).write_bytes(data)
    (out / (name + ".json")).write_text(json.dumps(detail, indent=1, default=str))


# MARK: - Minimising a failure


def smaller_ops(op):
    """Milder forms of one byte operation, mildest first: fewer random bytes, a narrower integer."""
    if op[0] == "random" and len(op[2]) > 1:
        return [[op[0], op[1], op[2][:length]] for length in range(1, len(op[2]))]
    if op[0] == "int" and op[3] > 1:
        return [[op[0], op[1], op[2] & (2 ** (8 * width) - 1), width] for width in (1, 2, 4) if width < op[3]]
    return []


def minimise(options, detail, input_npy):
    """The smallest recipe that still gives the failure's outcome: operations dropped one at a time while
    the outcome stays, then each byte operation narrowed. Returns (detail, mutant bytes) of the smaller
    mutant, or None when no operation could go (or the failure does not reproduce)."""
    seed_path = ROOT / detail["seed"]
    seed_config = ROOT / detail["config"] if detail["config"] else None
    wanted, recipe = detail["outcome"], detail["recipe"]
    ops, best, runs = list(recipe["ops"]), None, 0

    def attempt(trial):
        nonlocal best, runs
        runs += 1
        outcome, found, data = reproduce(options, detail["index"], seed_path, detail["kind"], seed_config,
                                         input_npy, {**recipe, "ops": trial})
        if outcome == wanted:
            best = (found, data)
            return True
        return False

    position = 0
    while position < len(ops) and len(ops) > 1:
        trial = ops[:position] + ops[position + 1:]
        if attempt(trial):
            ops = trial
        else:
            position += 1
    if recipe["strategy"] in ("bytes", "weights"):
        for position, op in enumerate(list(ops)):
            for milder in smaller_ops(op):
                trial = ops[:position] + [milder] + ops[position + 1:]
                if attempt(trial):
                    ops = trial
                    break
    if best is None:
        return None
    best[0]["minimised_from"] = {"ops": len(recipe["ops"]), "runs": runs}
    return best


def minimise_file(options, failure):
    """--minimise: reruns a kept failure (its .json) and writes the minimised mutant beside it."""
    detail = json.loads(Path(failure).read_text())
    detail.setdefault("index", int(Path(failure).name.split("-")[0]))  # recipes kept before the field
    seed_path = ROOT / detail["seed"]
    seed_config = ROOT / detail["config"] if detail["config"] else None
    probe_dir = Path(tempfile.mkdtemp(prefix="rnnkit-fuzz-inputs-"))
    try:
        input_npy = probe_input(options.binary, seed_path, seed_config, probe_dir) \
            if detail["kind"] in ("keras", "h5") else None
        outcome, _, _ = reproduce(options, detail["index"], seed_path, detail["kind"], seed_config, input_npy,
                                  detail["recipe"])
        detail.setdefault("outcome", outcome)
        if outcome != detail["outcome"] or outcome == "ok":
            print(f"{failure}: does not reproduce ({outcome}, was {detail['outcome']})")
            return 1
        smaller = minimise(options, detail, input_npy)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    options.out = str(Path(failure).parent)
    if smaller is None:
        print(f"{failure}: already minimal ({len(detail['recipe']['ops'])} operations)")
        return 0
    keep(options, seed_path, smaller[0], smaller[1], suffix=".min")
    print(f"{failure}: {len(detail['recipe']['ops'])} -> {len(smaller[0]['recipe']['ops'])} operations: "
          f"{json.dumps(smaller[0]['recipe'])}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build/release/rnnkit"))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0, help="first mutant index (resume or shard a run)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="wall seconds per command")
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--isolation", default="on", choices=["on", "off"])
    parser.add_argument("--out", default=str(ROOT / "fuzz-out"))
    parser.add_argument("--minimise", metavar="FAILURE.json",
                        help="rerun one kept failure and write its minimised mutant (NAME.min) beside it")
    options = parser.parse_args()
    if options.minimise:
        sys.exit(minimise_file(options, options.minimise))
    seed_list = seeds()
    probe_dir = Path(tempfile.mkdtemp(prefix="rnnkit-fuzz-inputs-"))
    inputs = {}
    for path, kind, config in seed_list:
        if kind in ("keras", "h5"):
            found = probe_input(options.binary, path, config, probe_dir)
            if found:
                inputs[str(path)] = found
    tasks = [(index, options, seed_list, inputs) for index in range(options.start, options.start + options.count)]
    tally, peak, started = {}, 0, time.monotonic()
    with multiprocessing.Pool(options.jobs, initializer=become_subreaper, maxtasksperchild=200) as pool:
        for done, (index, outcome, peak_mb, _) in enumerate(pool.imap_unordered(one, tasks, chunksize=4), 1):
            tally[outcome] = tally.get(outcome, 0) + 1
            peak = max(peak, peak_mb or 0)
            if outcome not in ("ok", "skipped") and not outcome.startswith("contained"):
                print(f"mutant {index}: {outcome}", flush=True)
            if done % 500 == 0:
                print(f"{done} mutants, {time.monotonic() - started:.0f} s: {tally}", flush=True)
    shutil.rmtree(probe_dir, ignore_errors=True)
    failures = sum(count for outcome, count in tally.items()
                   if outcome not in ("ok", "skipped") and not outcome.startswith("contained"))
    print(f"fuzz: {options.count} mutants (seed {options.seed}, from {options.start}) in "
          f"{time.monotonic() - started:.0f} s, {len(seed_list)} seed files, peak memory {peak} MB: "
          + ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.items())))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
