"""Where the coefficients in Sources/CKernels/activations.c come from: a least-squares polynomial fit on
Chebyshev nodes, weighted for relative error, rounded to float32, then checked in float32 arithmetic
against float64 over a dense grid (the same check the Swift test VectorMathTests makes on the C code).
exp, sigmoid and tanh share the one fit: sigmoid is 1 / (1 + exp(-x)), tanh |x| is e / (e + 2) with
e = expm1(2 |x|) from the same reduction.

Run: .venv/bin/python tools/fit_activations.py
"""

import numpy as np


def chebyshev_nodes(half_width, count=4000):
    return half_width * np.cos(np.pi * (np.arange(count) + 0.5) / count)


def fit(x, target, weight, degree):
    vander = np.vander(x, degree + 1, increasing=True)
    coefficients, *_ = np.linalg.lstsq(vander * weight[:, None], target * weight, rcond=None)
    return [np.float32(c) for c in coefficients]


def horner(coefficients, x):
    result = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        result = result * x + c
    return result


def main():
    f = np.float32
    # exp(r) = 1 + r + r^2 q(r) on |r| <= ln2 / 2, q of degree 4.
    r = chebyshev_nodes(np.log(2) / 2)
    q = fit(r, (np.exp(r) - 1 - r) / r**2, r**2 / np.exp(r), 4)
    print("exp q:", [float(c) for c in q])

    def reduce32(v):
        v = np.clip(v, f(-87.3365447504), f(88.3762626647949))
        n = (v * f(1.44269504088896341) + f(12582912.0)) - f(12582912.0)
        rr = v - n * f(0.693359375)
        rr = rr - n * f(-2.12194440e-4)
        return rr, horner(q, rr), ((n.astype(np.int32) + 127) << 23).view(np.float32)

    def exp32(v):
        rr, poly, scale = reduce32(v)
        return (rr * rr * poly + rr + f(1)) * scale

    def expm1_32(v):
        rr, poly, scale = reduce32(v)
        return scale * (rr + rr * rr * poly) + (scale - f(1))

    grid = np.linspace(-30, 30, 4_000_001).astype(np.float32)
    exact = 1 / (1 + np.exp(-grid.astype(np.float64)))
    print("sigmoid max relative error:", (np.abs(f(1) / (f(1) + exp32(-grid)) - exact) / exact).max())
    e = expm1_32(f(2) * np.abs(grid))
    value = np.copysign(e / (e + f(2)), grid)
    exact = np.tanh(grid.astype(np.float64))
    nonzero = exact != 0
    print("tanh max relative error:", (np.abs(value - exact)[nonzero] / np.abs(exact[nonzero])).max())


if __name__ == "__main__":
    main()
