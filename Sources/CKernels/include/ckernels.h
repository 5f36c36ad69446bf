// The recurrent step's arithmetic in C: vectorised exp, sigmoid and tanh over runs of float32 values, in
// place, and the recurrent product against a pre-packed kernel. Plain C so that the compiler's loop vectoriser sees straight-line arithmetic (no libm calls);
// on x86_64 an AVX2+FMA version is chosen at run time when the processor has it.
//
// Error bounds, measured against double precision on a dense grid (Tests/RecurrentLayersTests/
// VectorMathTests.swift): relative error <= 4e-7 wherever the result is a normal float; results below
// the smallest normal float (sigmoid of x < -87) are within 1.2e-38 absolute. NaN stays NaN; -inf and
// +inf give the function's limits.
#ifndef RNNKIT_CKERNELS_H
#define RNNKIT_CKERNELS_H

#include <stddef.h>

/// values[i] = exp(values[i]) for i < count (inputs above 88.376 give 2.4e38; below -87.34, 6e-39 or 0).
void rnnkit_exp(float *values, size_t count);

/// values[i] = 1 / (1 + exp(-values[i])) for i < count.
void rnnkit_sigmoid(float *values, size_t count);

/// values[i] = tanh(values[i]) for i < count: an odd polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1)
/// above, with the sign of x.
void rnnkit_tanh(float *values, size_t count);

/// One LSTM row with sigmoid gates and tanh: `z` holds the gate blocks i, f, g, o (`units` each, left as
/// they were), `c` becomes f * c + i * g and `h` receives o * tanh(c).
void rnnkit_lstm_row(float *z, float *c, float *h, size_t units);

/// The number of floats `rnnkit_pack` writes for a `k` x `n` matrix (n rounded up to panels of 16).
size_t rnnkit_packed_count(size_t k, size_t n);

/// Packs `b` (`k` rows of `n` floats, `ldb` apart) into panels of 16 columns for `rnnkit_gemm_packed`.
void rnnkit_pack(const float *b, size_t ldb, size_t k, size_t n, float *packed);

/// `c[i, j] = a[i, :] . b[:, j]` (or `+=` when `accumulate` is non-zero) for `i < m`, `j < n`: `a` rows `lda`
/// apart, `c` rows `ldc` apart, `b` packed by `rnnkit_pack`. Each element is summed over k in order, so
/// results do not depend on `m` or on how rows are split.
void rnnkit_gemm_packed(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed, float *c,
                        size_t ldc, int accumulate);

#endif
