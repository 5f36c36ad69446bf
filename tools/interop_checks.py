"""What both interop suites (tools/tests with Keras 3, tools/tests_tf with tf_keras) do with a fixture case:
its inputs as arrays and the comparison of a model's outputs with the recorded ones. Plain numpy, so that
either environment imports it."""

import numpy as np


def arrays(recorded, tokens_first=False):
    """`[{"shape", "values"}, ...]` as float32 arrays (the first as int32 token ids when `tokens_first`)."""
    return [np.array(a["values"]).reshape(a["shape"]).astype("int32" if tokens_first and k == 0 else "float32")
            for k, a in enumerate(recorded)]


def assert_outputs(outputs, recorded, rtol=1e-5, atol=1e-5):
    """A model's outputs (one tensor or a list) against the recorded `[{"shape", "values"}, ...]`."""
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    assert len(outputs) == len(recorded), f"{len(outputs)} outputs, {len(recorded)} recorded"
    for ours, theirs in zip(outputs, recorded):
        np.testing.assert_allclose(np.asarray(ours, "float64"), np.array(theirs["values"]).reshape(theirs["shape"]),
                                   rtol=rtol, atol=atol)


def reset_states(model):
    """Resets every stateful layer (Keras 3 models have no reset_states())."""
    for layer in model.layers:
        if getattr(layer, "stateful", False) or (hasattr(layer, "forward_layer") and layer.forward_layer.stateful):
            layer.reset_states()


def check_calls(model, case):
    """A fuzz regression case (tools/make_fuzz_regressions.py): every call in order, from fresh states."""
    reset_states(model)
    tokens = case["spec"]["input"]["type"] == "tokens"
    for call in case["calls"]:
        xs = arrays(call["inputs"], tokens)
        assert_outputs(model(xs if len(xs) > 1 else xs[0]), call["outputs"], rtol=1e-4)
