// See include/ckernels.h. Each function is written once as an always-inline body and compiled twice on
// x86_64: for the baseline (SSE2) and for AVX2+FMA, picked by a CPU check at each call (a load and a
// branch). Coefficients: least-squares fits on Chebyshev nodes, made for RNNKit (tools/fit_activations.py).
#include "ckernels.h"

#include <stdint.h>

#define RNNKIT_INLINE static inline __attribute__((always_inline))

// exp(x) = 2^n * p(r), x = n ln2 + r, |r| <= ln2 / 2; p(r) = 1 + r + r^2 q(r), q of degree 4.
RNNKIT_INLINE float exp_core(float x) {
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    x = x < -87.3365447504f ? -87.3365447504f : x;
    // Round to nearest by the 1.5 * 2^23 trick (no SSE4.1 round instruction on the baseline).
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float q = 0.0013751407386735082f;
    q = q * r + 0.008368915878236294f;
    q = q * r + 0.04166953265666962f;
    q = q * r + 0.166665181517601f;
    q = q * r + 0.49999988079071045f;
    float p = r * r * q + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    return p * __builtin_bit_cast(float, bits);
}

RNNKIT_INLINE void exp_body(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = exp_core(values[i]);
}

RNNKIT_INLINE float sigmoid_core(float x) {
    // exp_core clamps, so a NaN input must be carried through explicitly.
    float s = 1.0f / (1.0f + exp_core(-x));
    return x != x ? x : s;
}

RNNKIT_INLINE void sigmoid_body(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = sigmoid_core(values[i]);
}

RNNKIT_INLINE float tanh_core(float x) {
    float a = x < 0 ? -x : x;
    // Small |x|: tanh x = x + x^3 P(x^2), P of degree 4 (relative error ~1e-7 on [0, 0.625]).
    float s = x * x;
    float poly = -0.005691985599696636f;
    poly = poly * s + 0.020626291632652283f;
    poly = poly * s - 0.05373531952500343f;
    poly = poly * s + 0.13331381976604462f;
    poly = poly * s - 0.3333328068256378f;
    float small = a + a * s * poly;
    // Large |x|: 1 - 2 / (e^{2|x|} + 1), which saturates to 1 past |x| ~ 9.
    float large = 1.0f - 2.0f / (exp_core(2.0f * a) + 1.0f);
    // tanh is odd: the sign of x (-0 stays -0).
    float result = __builtin_copysignf(a < 0.625f ? small : large, x);
    return x != x ? x : result;
}

RNNKIT_INLINE void tanh_body(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = tanh_core(values[i]);
}

// One LSTM row with Keras's default activations, in one pass: z holds the gate blocks i, f, g, o
// (units each); c is updated in place and h receives o * tanh(c). The same cores as rnnkit_sigmoid and
// rnnkit_tanh, so the numbers are those of the separate passes.
RNNKIT_INLINE void lstm_body(float *z, float *c, float *h, size_t units) {
    const float *zi = z, *zf = z + units, *zg = z + 2 * units, *zo = z + 3 * units;
    for (size_t j = 0; j < units; j++) {
        float i = sigmoid_core(zi[j]), f = sigmoid_core(zf[j]), g = tanh_core(zg[j]), o = sigmoid_core(zo[j]);
        float cell = f * c[j] + i * g;
        c[j] = cell;
        h[j] = o * tanh_core(cell);
    }
}

#if defined(__x86_64__)
#define RNNKIT_VARIANTS(name)                                                                              \
    __attribute__((target("avx2,fma"))) static void name##_avx2(float *values, size_t count) {             \
        name##_body(values, count);                                                                        \
    }                                                                                                      \
    static void name##_baseline(float *values, size_t count) { name##_body(values, count); }               \
    void rnnkit_##name(float *values, size_t count) {                                                      \
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {                             \
            name##_avx2(values, count);                                                                    \
        } else {                                                                                           \
            name##_baseline(values, count);                                                                \
        }                                                                                                  \
    }
#else
#define RNNKIT_VARIANTS(name)                                                                              \
    void rnnkit_##name(float *values, size_t count) { name##_body(values, count); }
#endif

RNNKIT_VARIANTS(exp)
RNNKIT_VARIANTS(sigmoid)
RNNKIT_VARIANTS(tanh)

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void lstm_avx2(float *z, float *c, float *h, size_t units) {
    lstm_body(z, c, h, units);
}
#endif

void rnnkit_lstm_row(float *z, float *c, float *h, size_t units) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        lstm_avx2(z, c, h, units);
        return;
    }
#endif
    lstm_body(z, c, h, units);
}
