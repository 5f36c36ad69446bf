"""ConvLSTM1D/2D/3D (issue 6), built in Keras 3.15.1: Tests/Fixtures/convlstm/.

- outputs.json: one small model per option (ranks 1-3; padding valid/same; strides; dilation;
  kernel shapes; activations; no bias; channels_first; return_sequences/return_state; go_backwards;
  masks passed as the call's mask; initial states; dropout at inference; stateful over calls with a
  reset; inside Bidirectional, concat and sum, with a mask), saved as .keras and legacy .h5;
- models.json: a stacked ConvLSTM2D model (three ConvLSTM2D with BatchNormalization between, then
  Flatten and Dense), saved as .keras, legacy .h5 and .weights.h5 with its JSON.

Keras 3.15.1's JAX backend cannot run a masked ConvLSTM through lax.scan (its per-step mask is
(batch, 1) and does not broadcast against (batch, spatial..., filters)); the unrolled loop expands the
mask to the output's rank. The masked cases therefore set unroll=True, which changes nothing else, except that this unrolled loop
ignores zero_output_for_mask (KERAS.md A.5), which Bidirectional turns on with return_sequences: the
masked Bidirectional case returns the last step only (tf_keras's fixtures cover the masked sequences).

Run: .venv/bin/python tools/make_convlstm_fixtures.py
"""

import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

from fixture_common import array, floats, randomize, save_case, save_model, write_outputs  # noqa: E402
import real_models as real_models_module  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "convlstm"


def single(shape, layer, name, batch_size=None):
    x = keras.Input(shape, batch_size=batch_size, name="frames")
    y = layer(x)
    return keras.Model(x, y, name=name)


def masked(shape, layer, name):
    """The mask comes in as a boolean model input, passed as the call's mask."""
    x = keras.Input(shape, name="frames")
    m = keras.Input((shape[0],), dtype="bool", name="mask")
    return keras.Model([x, m], layer(x, mask=m), name=name)


def with_initial_state(shape, state_shape, layer, name):
    x = keras.Input(shape, name="frames")
    h, c = keras.Input(state_shape, name="h0"), keras.Input(state_shape, name="c0")
    return keras.Model([x, h, c], layer(x, initial_state=[h, c]), name=name)


def step_mask(rng, batch, steps):
    mask = rng.uniform(size=(batch, steps)) > 0.35
    mask[:, 0] = True
    return mask


def layer_cases(rng):
    f1 = lambda: floats(rng, 2, 4, 6, 2)  # noqa: E731
    f2 = lambda: floats(rng, 2, 3, 5, 5, 2)  # noqa: E731
    return [
        ("convlstm1d", single((4, 6, 2), layers.ConvLSTM1D(3, 3, name="conv_lstm"), "convlstm1d"), [f1()]),
        (
            "convlstm1d_same_backwards",
            single((4, 6, 2), layers.ConvLSTM1D(3, 3, padding="same", dilation_rate=2, go_backwards=True,
                                                return_sequences=True, name="conv_lstm"), "convlstm1d_same_backwards"),
            [f1()],
        ),
        (
            "convlstm1d_strides_state",
            single((4, 6, 2), layers.ConvLSTM1D(2, 2, strides=2, return_state=True, name="conv_lstm"),
                   "convlstm1d_strides_state"),
            [f1()],
        ),
        ("convlstm2d", single((3, 5, 5, 2), layers.ConvLSTM2D(2, 3, name="conv_lstm"), "convlstm2d"), [f2()]),
        (
            "convlstm2d_options",
            single((3, 5, 5, 2), layers.ConvLSTM2D(3, (2, 3), strides=(2, 1), padding="same", activation="relu",
                                                   recurrent_activation="hard_sigmoid", use_bias=False,
                                                   return_sequences=True, name="conv_lstm"), "convlstm2d_options"),
            [f2()],
        ),
        (
            "convlstm2d_dilation",
            single((3, 5, 5, 2), layers.ConvLSTM2D(2, 2, dilation_rate=(2, 1), unit_forget_bias=False,
                                                   name="conv_lstm"), "convlstm2d_dilation"),
            [f2()],
        ),
        (
            "convlstm2d_channels_first",
            single((3, 2, 5, 4), layers.ConvLSTM2D(3, 3, padding="same", data_format="channels_first",
                                                   return_sequences=True, return_state=True, name="conv_lstm"),
                   "convlstm2d_channels_first"),
            [floats(rng, 2, 3, 2, 5, 4)],
        ),
        (
            "convlstm2d_masked",
            masked((5, 4, 4, 2), layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, unroll=True,
                                                     name="conv_lstm"), "convlstm2d_masked"),
            [floats(rng, 3, 5, 4, 4, 2), step_mask(rng, 3, 5)],
        ),
        (
            "convlstm2d_masked_backwards_state",
            masked((5, 4, 4, 2), layers.ConvLSTM2D(2, 3, go_backwards=True, return_state=True, unroll=True,
                                             name="conv_lstm"),
                   "convlstm2d_masked_backwards_state"),
            [floats(rng, 3, 5, 4, 4, 2), step_mask(rng, 3, 5)],
        ),
        (
            "convlstm2d_initial_state",
            with_initial_state((3, 5, 5, 2), (3, 3, 2), layers.ConvLSTM2D(2, 3, return_sequences=True,
                                                                          name="conv_lstm"),
                               "convlstm2d_initial_state"),
            [f2(), floats(rng, 2, 3, 3, 2), floats(rng, 2, 3, 3, 2)],
        ),
        (
            "convlstm2d_dropout",
            single((3, 5, 5, 2), layers.ConvLSTM2D(2, 3, dropout=0.3, recurrent_dropout=0.2, seed=4,
                                                   name="conv_lstm"), "convlstm2d_dropout"),
            [f2()],
        ),
        (
            "convlstm3d",
            single((3, 3, 4, 4, 1), layers.ConvLSTM3D(2, 2, padding="same", return_sequences=True,
                                                      name="conv_lstm"), "convlstm3d"),
            [floats(rng, 2, 3, 3, 4, 4, 1)],
        ),
        (
            "convlstm3d_channels_first",
            single((3, 2, 3, 4, 4), layers.ConvLSTM3D(2, (2, 3, 2), data_format="channels_first",
                                                      name="conv_lstm"), "convlstm3d_channels_first"),
            [floats(rng, 2, 3, 2, 3, 4, 4)],
        ),
        (
            "bidirectional_convlstm2d",
            single((3, 5, 5, 2), layers.Bidirectional(layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                                                      name="bidirectional"), "bidirectional_convlstm2d"),
            [f2()],
        ),
        (
            "bidirectional_convlstm1d_masked",
            masked((5, 6, 2), layers.Bidirectional(layers.ConvLSTM1D(2, 3, unroll=True),
                                                   merge_mode="sum", name="bidirectional"),
                   "bidirectional_convlstm1d_masked"),
            [floats(rng, 3, 5, 6, 2), step_mask(rng, 3, 5)],
        ),
    ]


def stateful_case(rng):
    """Three calls: the state carries over the first two, then reset_states."""
    model = single((3, 5, 2), layers.ConvLSTM1D(2, 3, stateful=True, name="conv_lstm"), "convlstm1d_stateful",
                   batch_size=2)
    randomize(model, rng)
    x = floats(rng, 2, 3, 5, 2)
    calls = []
    for reset in (False, False, True):
        if reset:
            model.layers[-1].reset_states()
        calls.append({"reset": reset, "outputs": [array(model(x))]})
    return model, {"name": "convlstm1d_stateful", "inputs": [array(x)], "calls": calls}


def stacked(rng):
    return real_models_module.stacked_convlstm2d(keras, "stacked_convlstm2d"), [floats(rng, 2, 5, 8, 8, 1)]


def main():
    keras.utils.set_random_seed(8)
    rng = np.random.default_rng(8)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [save_case(name, model, inputs, rng, OUT) for name, model, inputs in layer_cases(rng)]
    model, case = stateful_case(rng)
    model.save(OUT / "convlstm1d_stateful.keras")
    model.save(OUT / "convlstm1d_stateful.h5")
    cases.append(case)
    model, inputs = stacked(rng)
    models = [save_model("stacked_convlstm2d", model, inputs, rng, OUT)]
    write_outputs(OUT / "outputs.json", cases)
    write_outputs(OUT / "models.json", models)
    print("wrote", len(cases), "ConvLSTM cases and", len(models), "model into", OUT)


if __name__ == "__main__":
    main()
