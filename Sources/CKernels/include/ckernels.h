// The recurrent step's arithmetic in C: vectorised exp, sigmoid and tanh over runs of float32 values, in
// place, and the recurrent product against a pre-packed kernel. Plain C so that the compiler's loop vectoriser sees straight-line arithmetic (no libm calls);
// on x86_64 an AVX-512 or AVX2+FMA version is chosen at run time when the processor has it.
//
// Error bounds, measured against double precision on a dense grid (Tests/RecurrentLayersTests/
// VectorMathTests.swift): relative error <= 4e-7 wherever the result is a normal float; results below
// the smallest normal float (sigmoid of x < -87) are within 1.2e-38 absolute. NaN stays NaN; -inf and
// +inf give the function's limits.
#ifndef RNNKIT_CKERNELS_H
#define RNNKIT_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// values[i] = exp(values[i]) for i < count (inputs above 88.376 give 2.4e38; below -87.34, 6e-39 or 0).
void rnnkit_exp(float *values, size_t count);

/// values[i] = 1 / (1 + exp(-values[i])) for i < count.
void rnnkit_sigmoid(float *values, size_t count);

/// values[i] = tanh(values[i]) for i < count: e / (e + 2) with e = expm1(2|x|), with the sign of x.
void rnnkit_tanh(float *values, size_t count);

/// The element-wise activations `rnnkit_activation` computes, besides sigmoid and tanh.
enum {
    RNNKIT_HARD_SIGMOID = 1,        ///< relu6(x + 3) / 6 (Keras 3)
    RNNKIT_HARD_SIGMOID_KERAS2 = 2, ///< clip(0.2 x + 0.5, 0, 1) (Keras 1 and 2)
    RNNKIT_HARD_SWISH = 3,          ///< x * relu6(x + 3) / 6
    RNNKIT_ELU = 4,                 ///< x > 0 ? x : parameter * expm1(x)
    RNNKIT_SELU = 5,                ///< scale * (x > 0 ? x : alpha * expm1(x)), Keras's constants
    RNNKIT_CELU = 6,                ///< max(x, 0) + min(0, parameter * expm1(x / parameter))
    RNNKIT_SOFTPLUS = 7,            ///< log(1 + exp(x)), as max(x, 0) + log1p(exp(-|x|))
    RNNKIT_LOG_SIGMOID = 8,         ///< -softplus(-x)
    RNNKIT_SWISH = 9,               ///< x / (1 + exp(-x)) (silu)
    RNNKIT_EXPONENTIAL = 10,        ///< exp(x), +inf past 88.72
    RNNKIT_MISH = 11,               ///< x * tanh(softplus(x))
    RNNKIT_GELU_TANH = 12,          ///< 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) (approximate gelu)
};

/// values[i] = f(values[i]) for i < count, f the activation `kind` (an RNNKIT_ constant above; any other
/// value leaves the values alone) with `parameter` its alpha where it has one. The same error bounds as
/// sigmoid and tanh (measured worst relative errors: mish 2.9e-7, swish 2.2e-7, softplus and log_sigmoid
/// 2.0e-7, the others below 1.4e-7), except where the formula itself cancels in float32, in Keras too:
/// gelu's 1 + tanh below x = -3 and Keras 2's 0.2 x + 0.5 near -2.5, whose error is within 4e-7 of the
/// larger of the result and the cancelling term. NaN stays NaN.
void rnnkit_activation(int kind, float parameter, float *values, size_t count);

/// The instruction sets the functions above use on this processor: 2 AVX-512, 1 AVX2 with FMA, 0 the baseline
/// (SSE2 on x86_64, the only level elsewhere). Levels 1 and 2 give the same results bit for bit.
int rnnkit_simd_level(void);

/// `rnnkit_apply_at`'s kinds besides `rnnkit_activation`'s.
enum { RNNKIT_EXP_KIND = 100, RNNKIT_SIGMOID_KIND = 101, RNNKIT_TANH_KIND = 102 };

/// For tests: exp, sigmoid, tanh (the kinds above) or `rnnkit_activation`'s `kind`, computed at `level` (or the
/// processor's highest, if lower).
void rnnkit_apply_at(int level, int kind, float parameter, float *values, size_t count);

/// For tests: `rnnkit_lstm_row` at `level` (or the processor's highest, if lower).
void rnnkit_lstm_row_at(int level, float *z, float *c, float *h, size_t units);

/// One LSTM row with sigmoid gates and tanh: `z` holds the gate blocks i, f, g, o (`units` each) and
/// receives their activations, `c` becomes f * c + i * g and `h` receives o * tanh(c).
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

/// The floats of scratch `rnnkit_convolve_rows` needs for windows of `windows` elements of `channels`.
size_t rnnkit_convolve_scratch_count(size_t windows, size_t channels);

/// Output rows `first ..< first + count` of a channels-last convolution, written to `out` (`count` rows of
/// `filters`), plus `bias` (`filters` floats, or NULL), then relu where `relu` is non-zero: row `r` (`r = image * positions + position`) is the window of
/// `windows` input positions `sources[position * windows + w]` (-1 in the padding; offsets in units of
/// `channels` floats within image `image`, `image_values` floats apart in `x`), times the kernel packed by
/// `rnnkit_pack` (`windows * channels` rows, `filters` columns). The windows are gathered a few rows at a
/// time into `scratch` (`rnnkit_convolve_scratch_count` floats), so that they stay in cache while the product
/// runs; each element is summed over the window in order, so results do not depend on how rows are split.
void rnnkit_convolve_rows(const float *x, size_t image_values, size_t channels, const int32_t *sources,
                          size_t windows, size_t positions, size_t first, size_t count, const float *packed,
                          size_t filters, const float *bias, int relu, float *out, float *scratch);

/// Output rows `first ..< first + count` of a channels-last pooling, laid out as for `rnnkit_convolve_rows`:
/// `out` row `r` (`channels` floats, written) is the maximum (`maximum` non-zero; a NaN element never wins)
/// or the mean of the window elements inside the input, combined in window order.
void rnnkit_pool_rows(const float *x, size_t image_values, size_t channels, const int32_t *sources, size_t windows,
                      size_t positions, size_t first, size_t count, int maximum, float *out);

#endif
