"""The Swift example package, Examples/WaveformClassifier (an app that depends on RNNKit by path).

scripts/test builds it and sets RNNKIT_EXAMPLE_BINARY; here it classifies the bundled signals.csv (the 8
signals of Examples/waveforms_input.npy, written by tools/make_example.py) with each layout of the bundled
model, and must print Keras's probabilities (Examples/waveforms_output.npy) and the classes they pick; a
malformed CSV gets one sentence and exit 1.
"""

import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "Examples" / "WaveformClassifier"
BINARY = os.environ.get("RNNKIT_EXAMPLE_BINARY")

pytestmark = pytest.mark.skipif(
    not BINARY, reason="scripts/test builds Examples/WaveformClassifier and sets RNNKIT_EXAMPLE_BINARY")


def classify(model, csv):
    return subprocess.run([BINARY, str(model), str(csv)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("model", ["waveforms.keras", "waveforms.h5"])
def test_example_app_predicts_keras_outputs(model):
    result = classify(ROOT / "Examples" / model, EXAMPLE / "signals.csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split("\n")
    assert lines[0] == "row,waveform,p_sine,p_square,p_sawtooth"
    expected = np.load(ROOT / "Examples" / "waveforms_output.npy")
    assert len(lines) - 1 == len(expected)
    names = ["sine", "square", "sawtooth"]
    for line, keras in zip(lines[1:], expected):
        row, name, *probabilities = line.split(",")
        np.testing.assert_allclose(np.array(probabilities, dtype=np.float32), keras, atol=1e-5, rtol=1e-4)
        assert name == names[int(np.argmax(keras))], line


def test_example_app_refuses_a_malformed_csv(tmp_path):
    csv = tmp_path / "short.csv"
    csv.write_text("0.1,0.2,0.3\n")
    result = classify(ROOT / "Examples" / "waveforms.keras", csv)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == f"{csv}: row 1 holds 3 fields, expected 40 numbers"
