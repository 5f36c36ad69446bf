"""tools/fuzz.py's minimiser (issue 11: every crash found is minimised before it is kept).

A stand-in for rnnkit that crashes (SIGSEGV) exactly when byte 100 of its --input file is 0xFF gets a
mutant made by four byte operations, one of which sets that byte: the minimiser must keep that one
operation alone, and the minimised mutant must still crash the stand-in. A failure that does not reproduce
is reported, not minimised.
"""

import argparse
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import fuzz  # noqa: E402

SEED = "Examples/waveforms_input.npy"
STAND_IN = """#!{python}
import os, signal, sys
data = open(sys.argv[sys.argv.index("--input") + 1], "rb").read()
if len(data) > 100 and data[100] == 0xFF:
    os.kill(os.getpid(), signal.SIGSEGV)
sys.stderr.write("fine\\n")
"""


def options(tmp_path):
    binary = tmp_path / "stand-in"
    binary.write_text(STAND_IN.format(python=sys.executable))
    binary.chmod(0o755)
    return argparse.Namespace(binary=str(binary), timeout=20.0, memory_mb=1024, isolation="on",
                              out=str(tmp_path / "out"))


def failure(tmp_path, ops):
    recipe = {"strategy": "bytes", "ops": ops}
    path = tmp_path / "000007-run.npy.json"
    path.write_text(json.dumps({"index": 7, "outcome": "crash", "seed": SEED, "kind": "npy", "config": None,
                                "recipe": recipe, "command": "run"}))
    return path


def test_minimiser_keeps_only_the_operation_that_crashes(tmp_path):
    ops = [["flip", 10, 4], ["random", 96, [1, 2, 3, 4, 255, 6, 7, 8]], ["truncate", 400], ["int", 200, 2**40, 8]]
    # The crash comes from the random write's fifth byte (offset 100): the minimiser must drop the other
    # three operations and cut the write to its first five bytes.
    path = failure(tmp_path, ops)
    assert fuzz.minimise_file(options(tmp_path), str(path)) == 0
    kept = json.loads((tmp_path / "000007-run.min.npy.json").read_text())
    assert kept["recipe"]["ops"] == [["random", 96, [1, 2, 3, 4, 255]]]
    assert kept["outcome"] == "crash" and kept["code"] == -11
    assert kept["minimised_from"]["ops"] == 4
    mutant = (tmp_path / "000007-run.min.npy").read_bytes()
    seed = (ROOT / SEED).read_bytes()
    assert mutant[100] == 0xFF and mutant[:96] == seed[:96] and mutant[101:] == seed[101:]
    crashed = subprocess.run([options(tmp_path).binary, "run", "model", "--input", str(tmp_path / "000007-run.min.npy")])
    assert crashed.returncode == -11


def test_a_failure_that_does_not_reproduce_is_reported(tmp_path, capsys):
    path = failure(tmp_path, [["flip", 10, 4]])
    assert fuzz.minimise_file(options(tmp_path), str(path)) == 1
    assert "does not reproduce" in capsys.readouterr().out
    assert not (tmp_path / "000007-run.min.npy").exists()
