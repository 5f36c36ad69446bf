"""Peer benchmark: rnnkit against Keras 3 on JAX, Keras 3 on TensorFlow and ONNX Runtime, on the same
Keras-written models, each timed in its own process, the order alternating from round to round.

For each row a model is written by Keras (`Sequential([Input((T, F)), Layer(U)])`, or a model file from
the fixtures), then timed by `rnnkit bench FILE --batch B` and by each peer loading the same file
(`predict_on_batch`, Keras's compiled path) or, for ONNX Runtime, the same weights in its RNN, LSTM or GRU
operator (checked against Keras's output first). Each timing is the median of --passes passes after
warm-up; a row's figure is the best of --rounds such medians. On the large rows the table gives rnnkit's
GFLOP/s as a share of the machine's SGEMM peak, measured in the same run (numpy, 2048^3, float32).

Environment: tools/requirements-bench.txt in .venv-bench (scripts/bench-peers makes it). Long command:

  scripts/bench-peers                      # every row, 3 rounds, the table in Markdown
  scripts/bench-peers --rows lstm-32 --rounds 1 --passes 5

The short sample scripts/test runs: --rows simplernn-1 --rounds 1 --passes 3 (checks the harness, not speed).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ["rnnkit", "keras-jax", "keras-tf", "onnxruntime"]
LARGE_BATCH = 256


def layer_rows():
    rows = []
    for kind in ["SimpleRNN", "LSTM", "GRU"]:
        for batch, timesteps, features, units in [(1, 100, 64, 128), (32, 100, 64, 128), (256, 200, 256, 512)]:
            rows.append(dict(name=f"{kind.lower()}-{batch}", kind=kind, batch=batch, timesteps=timesteps,
                             features=features, units=units))
    rows.append(dict(name="bidirectional-lstm-32", kind="BidirectionalLSTM", batch=32, timesteps=100, features=64,
                     units=128))
    return rows


def file_rows():
    return [
        dict(name="example", file="Examples/waveforms.keras", batch=64, timesteps=None),
        dict(name="bahdanau-translator", file="Tests/Fixtures/surrounding/bahdanau_translator.keras", batch=32,
             timesteps=None),
        # Issue 6's stacked ConvLSTM2D classifier (the fixture is tf.keras's, which Keras 3 cannot load): the
        # same layers, written by Keras 3 here.
        dict(name="stacked-convlstm2d", build="convlstm", batch=8, timesteps=None),
        # Issue 16's captcha CRNN at the Keras OCR example's size: 200 x 50 images, two Conv2D + MaxPooling2D,
        # Dense, two Bidirectional LSTMs over the 50 columns, a softmax per column.
        dict(name="captcha-crnn", build="crnn", batch=16, timesteps=None),
    ]


# MARK: - Workers (each runs in its own process)


def flops(row):
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3, "BidirectionalLSTM": 8}[row["kind"]]
    return 2 * row["batch"] * row["timesteps"] * (row["features"] + row["units"]) * gates * row["units"]


def write_model(row, directory):
    """Writes the row's model with Keras 3 (JAX) and the input and output Keras computes."""
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
    import numpy as np

    keras.utils.set_random_seed(7)
    if row.get("build") == "convlstm":
        layers = keras.layers
        model = keras.Sequential([
            keras.Input((5, 8, 8, 1)),
            layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, recurrent_activation="hard_sigmoid"),
            layers.BatchNormalization(),
            layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True, recurrent_activation="hard_sigmoid"),
            layers.BatchNormalization(),
            layers.ConvLSTM2D(2, 3, padding="same", recurrent_activation="hard_sigmoid"),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ])
        path = Path(directory) / f"{row['name']}.keras"
        model.save(path)
        return path
    if row.get("build") == "crnn":
        layers = keras.layers
        image = keras.Input((200, 50, 1), name="image")
        x = layers.Conv2D(32, 3, activation="relu", padding="same")(image)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Reshape((50, 12 * 64))(x)
        x = layers.Dense(64, activation="relu")(x)
        x = layers.Bidirectional(layers.LSTM(128, return_sequences=True))(x)
        x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
        model = keras.Model(image, layers.Dense(20, activation="softmax")(x))
        path = Path(directory) / f"{row['name']}.keras"
        model.save(path)
        return path
    shape = (row["timesteps"], row["features"])
    if row["kind"] == "BidirectionalLSTM":
        layer = keras.layers.Bidirectional(keras.layers.LSTM(row["units"]))
    else:
        layer = getattr(keras.layers, row["kind"])(row["units"])
    model = keras.Sequential([keras.Input(shape), layer])
    x = np.random.default_rng(3).normal(size=(row["batch"],) + shape).astype("float32")
    path = Path(directory) / f"{row['name']}.keras"
    model.save(path)
    np.save(Path(directory) / f"{row['name']}_input.npy", x)
    np.save(Path(directory) / f"{row['name']}_output.npy", np.asarray(model.predict_on_batch(x)))
    return path


def model_inputs(model, batch, timesteps):
    """Seeded inputs for every model input: None dimensions become batch, timesteps (16) or 1, as in
    `rnnkit bench`; inputs that feed an Embedding get token ids 1 and 2."""
    import numpy as np

    rng = np.random.default_rng(5)
    embedding_inputs = set()
    for layer in model.layers:
        if layer.__class__.__name__ == "Embedding":
            for node in layer._inbound_nodes:
                for tensor in node.input_tensors:
                    embedding_inputs.add(id(tensor))
    result = []
    for tensor in model.inputs:
        shape = [d if d is not None else (batch if axis == 0 else (timesteps or 16) if axis == 1 else 1)
                 for axis, d in enumerate(tensor.shape)]
        shape[0] = batch
        if timesteps and len(shape) > 1:
            shape[1] = timesteps
        if id(tensor) in embedding_inputs or "int" in str(tensor.dtype):
            result.append(rng.integers(1, 3, size=shape).astype("int32"))
        else:
            result.append(rng.normal(size=shape).astype("float32"))
    return result


def time_calls(call, warmup, passes):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def keras_worker(path, batch, timesteps, warmup, passes):
    import keras
    import numpy as np

    model = keras.saving.load_model(path, compile=False)
    inputs = model_inputs(model, batch, timesteps)
    feed = inputs if len(inputs) > 1 else inputs[0]
    return time_calls(lambda: np.asarray(model.predict_on_batch(feed)), warmup, passes)


def onnx_model(path, row):
    """The row's Keras layer as one ONNX RNN, LSTM or GRU operator with Keras's weights (gate order and
    bias layout converted), batch-major input transposed in the graph, the last h as output."""
    import keras
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = keras.saving.load_model(path, compile=False)
    layer = model.layers[-1]
    units = row["units"]
    kind = row["kind"]
    cells = [layer.forward_layer.cell, layer.backward_layer.cell] if kind == "BidirectionalLSTM" else [layer.cell]

    def gates(matrix, order):
        blocks = np.split(matrix, len(order), axis=-1)
        return np.concatenate([blocks[i] for i in order], axis=-1)

    ws, rs, bs = [], [], []
    for cell in cells:
        kernel, recurrent = cell.kernel.numpy(), cell.recurrent_kernel.numpy()
        bias = cell.bias.numpy()
        if kind in ("LSTM", "BidirectionalLSTM"):
            order = [0, 3, 1, 2]  # Keras i, f, c, o -> ONNX i, o, f, c
            ws.append(gates(kernel, order).T)
            rs.append(gates(recurrent, order).T)
            bs.append(np.concatenate([gates(bias, order), np.zeros(4 * units, "float32")]))
        elif kind == "GRU":  # z, r, h in both; reset after the product = linear_before_reset
            ws.append(kernel.T)
            rs.append(recurrent.T)
            bs.append(np.concatenate([bias[0], bias[1]]))
        else:
            ws.append(kernel.T)
            rs.append(recurrent.T)
            bs.append(np.concatenate([bias, np.zeros(units, "float32")]))
    op = {"SimpleRNN": "RNN", "GRU": "GRU"}.get(kind, "LSTM")
    attributes = dict(hidden_size=units)
    if kind == "GRU":
        attributes["linear_before_reset"] = 1
    if kind == "BidirectionalLSTM":
        attributes["direction"] = "bidirectional"
    directions = len(cells)
    initializers = [numpy_helper.from_array(np.stack(a).astype("float32"), name)
                    for a, name in [(ws, "W"), (rs, "R"), (bs, "B")]]
    nodes = [
        helper.make_node("Transpose", ["x"], ["x_time_major"], perm=[1, 0, 2]),
        helper.make_node(op, ["x_time_major", "W", "R", "B"], ["", "h"], **attributes),
        helper.make_node("Transpose", ["h"], ["h_batch_major"], perm=[1, 0, 2]),
        helper.make_node("Reshape", ["h_batch_major", "shape"], ["y"]),
    ]
    initializers.append(numpy_helper.from_array(np.array([row["batch"], directions * units], "int64"), "shape"))
    graph = helper.make_graph(
        nodes, "rnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [row["batch"], row["timesteps"], row["features"]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [row["batch"], directions * units])],
        initializers)
    onnx_file = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(onnx_file)
    return onnx_file.SerializeToString()


def onnx_worker(path, row, warmup, passes, threads):
    import numpy as np
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(onnx_model(path, row), options, providers=["CPUExecutionProvider"])
    directory = Path(path).parent
    x = np.load(directory / f"{row['name']}_input.npy")
    expected = np.load(directory / f"{row['name']}_output.npy")
    got = session.run(None, {"x": x})[0]
    difference = float(np.max(np.abs(got - expected)))
    if difference > 1e-4:
        raise SystemExit(f"ONNX Runtime's {row['name']} differs from Keras by {difference}: not the same model")
    return time_calls(lambda: session.run(None, {"x": x}), warmup, passes)


def sgemm_worker():
    import numpy as np

    a = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    b = np.random.default_rng(1).random((2048, 2048), dtype=np.float32)
    np.matmul(a, b)
    best = min(time_calls(lambda: np.matmul(a, b), 0, 1) for _ in range(5))
    return 2 * 2048**3 / best / 1e9


def worker(arguments):
    row = json.loads(arguments.row) if arguments.row else None
    if arguments.worker == "write":
        print(json.dumps(str(write_model(row, arguments.directory))))
    elif arguments.worker == "keras":
        print(json.dumps(keras_worker(arguments.file, arguments.batch, arguments.timesteps, arguments.warmup,
                                      arguments.passes)))
    elif arguments.worker == "onnx":
        print(json.dumps(onnx_worker(arguments.file, row, arguments.warmup, arguments.passes, arguments.threads)))
    elif arguments.worker == "sgemm":
        print(json.dumps(sgemm_worker()))


# MARK: - Driver


def run_worker(kind, backend=None, **options):
    command = [sys.executable, __file__, "--worker", kind]
    for key, value in options.items():
        if value is not None:
            command += [f"--{key}", json.dumps(value) if key == "row" else str(value)]
    environment = dict(os.environ)
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if backend:
        environment["KERAS_BACKEND"] = backend
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise RuntimeError(f"{kind} ({backend}) failed: {result.stderr.strip().splitlines()[-1:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def time_rnnkit(binary, path, batch, timesteps, warmup, passes):
    command = [binary, "bench", str(path), "--batch", str(batch), "--warmup", str(warmup), "--passes", str(passes),
               "--json"]
    if timesteps:
        command += ["--timesteps", str(timesteps)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)["median"]


def time_peer(peer, options, row, path):
    batch, timesteps = row["batch"], row.get("timesteps")
    if peer == "rnnkit":
        return time_rnnkit(options.binary, path, batch, timesteps, options.warmup, options.passes)
    if peer in ("keras-jax", "keras-tf"):
        backend = "jax" if peer == "keras-jax" else "tensorflow"
        return run_worker("keras", backend, file=str(path), batch=batch, timesteps=timesteps, warmup=options.warmup,
                          passes=options.passes)
    if "kind" not in row:
        return None
    return run_worker("onnx", "jax", file=str(path), row=row, warmup=options.warmup, passes=options.passes,
                      threads=options.threads)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build/release/rnnkit"))
    parser.add_argument("--rows", help="comma-separated row names (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="ONNX Runtime's threads")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--row", help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--timesteps", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        return worker(options)

    rows = layer_rows() + file_rows()
    if options.rows:
        wanted = options.rows.split(",")
        unknown = set(wanted) - {row["name"] for row in rows}
        if unknown:
            raise SystemExit(f"unknown rows {sorted(unknown)}; rows: {[row['name'] for row in rows]}")
        rows = [row for row in rows if row["name"] in wanted]
    results = []
    failures = 0
    with tempfile.TemporaryDirectory() as directory:
        sgemm = max(run_worker("sgemm") for _ in range(2))
        print(f"SGEMM peak (numpy 2048^3, float32): {sgemm:.1f} GFLOP/s", file=sys.stderr)
        for row in rows:
            written = "kind" in row or "build" in row
            path = Path(run_worker("write", row=row, directory=directory)) if written else ROOT / row["file"]
            best = {}
            for round_index in range(options.rounds):
                order = PEERS if round_index % 2 == 0 else list(reversed(PEERS))
                for peer in order:
                    try:
                        seconds = time_peer(peer, options, row, path)
                    except (RuntimeError, subprocess.CalledProcessError) as error:
                        print(f"{row['name']}: {error}", file=sys.stderr)
                        failures += 1
                        seconds = None
                    if seconds is not None:
                        best[peer] = min(best.get(peer, seconds), seconds)
            result = dict(row=row["name"], milliseconds={peer: best[peer] * 1e3 for peer in best})
            peers = [best[p] for p in PEERS[1:] if p in best]
            if "rnnkit" in best and peers:
                result["ratio"] = best["rnnkit"] / min(peers)
            if "kind" in row and row["batch"] >= LARGE_BATCH:
                result["gflops"] = flops(row) / best["rnnkit"] / 1e9
                result["sgemm_share"] = result["gflops"] / sgemm
            results.append(result)
            print(json.dumps(result), file=sys.stderr)
    print_table(results, sgemm)
    if options.json:
        Path(options.json).write_text(json.dumps(dict(sgemm=sgemm, rows=results), indent=2) + "\n")
    if failures:
        print(f"{failures} timings failed (above)", file=sys.stderr)
    return 1 if failures else 0


def print_table(results, sgemm):
    print(f"| row | {' | '.join(PEERS)} | rnnkit / best peer | GFLOP/s (share of SGEMM {sgemm:.0f}) |")
    print("| --- " * (len(PEERS) + 3) + "|")
    for result in results:
        cells = [f"{result['milliseconds'][p]:.3g}" if p in result["milliseconds"] else "n/a" for p in PEERS]
        ratio = f"{result['ratio']:.2f}" if "ratio" in result else "n/a"
        share = f"{result['gflops']:.0f} ({result['sgemm_share']:.0%})" if "gflops" in result else ""
        print(f"| {result['row']} | {' | '.join(cells)} | {ratio} | {share} |")


if __name__ == "__main__":
    sys.exit(main())
