// See include/ckernels.h. Each function is written once as an always-inline body and compiled three times
// on x86_64: for the baseline (SSE2), for AVX2+FMA and for AVX-512, picked by a CPU check at each call (a
// load and two branches; rnnkit_simd_level). Coefficients: least-squares fits on Chebyshev nodes, made for RNNKit (tools/fit_activations.py).
#include "ckernels.h"

#include <stdint.h>

#define RNNKIT_INLINE static inline __attribute__((always_inline))

// exp(x) = 2^n * p(r), x = n ln2 + r, |r| <= ln2 / 2; p(r) = 1 + r + r^2 q(r), q of degree 4.
// exp_reduce clamps x to exp's float range, returns 2^n and writes r and q(r).
RNNKIT_INLINE float exp_reduce(float x, float *r_out, float *q_out) {
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
    *r_out = r;
    *q_out = q;
    return __builtin_bit_cast(float, ((int32_t)n + 127) << 23);
}

RNNKIT_INLINE float exp_core(float x) {
    float r, q;
    float scale = exp_reduce(x, &r, &q);
    float p = r * r * q + r + 1.0f;
    return p * scale;
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

// expm1(x) = 2^n (r + r^2 q(r)) + (2^n - 1) with exp_core's reduction: no cancellation near 0.
RNNKIT_INLINE float expm1_core(float x) {
    float r, q;
    float scale = exp_reduce(x, &r, &q);
    float result = scale * (r + r * r * q) + (scale - 1.0f);
    return x != x ? x : result;
}

// tanh |x| = e / (e + 2) with e = expm1(2 |x|): no cancellation near 0 (e ~ 2|x|), and 1 once e + 2
// rounds to e; the sign of x (-0 stays -0). One formula for every x: no branch blend, one exp.
RNNKIT_INLINE float tanh_core(float x) {
    float a = x < 0 ? -x : x;
    float e = expm1_core(2.0f * a);
    float result = __builtin_copysignf(e / (e + 2.0f), x);
    return x != x ? x : result;
}

RNNKIT_INLINE void tanh_body(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = tanh_core(values[i]);
}

// One LSTM row with Keras's default activations: z holds the gate blocks i, f, g, o (units each) and
// receives their activations; c is updated in place and h receives o * tanh(c). Two passes: the gates
// (independent elements, so the processor overlaps many), then the cell. The same cores as rnnkit_sigmoid
// and rnnkit_tanh, so the numbers are those of the separate calls.
RNNKIT_INLINE void lstm_body(float *z, float *c, float *h, size_t units) {
    for (size_t j = 0; j < 2 * units; j++) z[j] = sigmoid_core(z[j]);
    for (size_t j = 2 * units; j < 3 * units; j++) z[j] = tanh_core(z[j]);
    for (size_t j = 3 * units; j < 4 * units; j++) z[j] = sigmoid_core(z[j]);
    const float *i = z, *f = z + units, *g = z + 2 * units, *o = z + 3 * units;
    for (size_t j = 0; j < units; j++) {
        float cell = f[j] * c[j] + i[j] * g[j];
        c[j] = cell;
        h[j] = o[j] * tanh_core(cell);
    }
}

// log(1 + t) for 0 <= t <= 1 as 2 atanh(s), s = t / (2 + t) <= 1/3: the series to s^15 (next term < 3e-9).
RNNKIT_INLINE float log1p_unit(float t) {
    float s = t / (2.0f + t);
    float s2 = s * s;
    float p = 1.0f / 15.0f;
    p = p * s2 + 1.0f / 13.0f;
    p = p * s2 + 1.0f / 11.0f;
    p = p * s2 + 1.0f / 9.0f;
    p = p * s2 + 1.0f / 7.0f;
    p = p * s2 + 1.0f / 5.0f;
    p = p * s2 + 1.0f / 3.0f;
    float twice = 2.0f * s;
    return twice + twice * s2 * p;
}

// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
RNNKIT_INLINE float softplus_core(float x) {
    float a = x < 0 ? -x : x;
    float result = (x > 0 ? x : 0.0f) + log1p_unit(exp_core(-a));
    return x != x ? x : result;
}

// Keras 3's relu6(x + 3) / 6 (x + 3 is exact near -3, where x / 6 + 0.5 would cancel).
RNNKIT_INLINE float hard_sigmoid_core(float x) {
    float y = x + 3.0f;
    y = y < 0 ? 0.0f : y;
    y = y > 6 ? 6.0f : y;
    return y / 6.0f;
}

// The element-wise activations other than sigmoid and tanh (see rnnkit_activation in ckernels.h).
RNNKIT_INLINE void activation_body(int kind, float parameter, float *values, size_t count) {
    switch (kind) {
    case RNNKIT_HARD_SIGMOID:
        for (size_t i = 0; i < count; i++) values[i] = hard_sigmoid_core(values[i]);
        break;
    case RNNKIT_HARD_SIGMOID_KERAS2:
        for (size_t i = 0; i < count; i++) {
            float y = 0.2f * values[i] + 0.5f;
            y = y < 0 ? 0.0f : y;
            values[i] = y > 1 ? 1.0f : y;
        }
        break;
    case RNNKIT_HARD_SWISH:
        for (size_t i = 0; i < count; i++) values[i] = values[i] * hard_sigmoid_core(values[i]);
        break;
    case RNNKIT_ELU:
        for (size_t i = 0; i < count; i++) {
            float x = values[i];
            values[i] = x > 0 ? x : parameter * expm1_core(x);
        }
        break;
    case RNNKIT_SELU:
        for (size_t i = 0; i < count; i++) {
            float x = values[i];
            values[i] = x > 0 ? 1.050701f * x : 1.050701f * 1.6732632f * expm1_core(x);
        }
        break;
    case RNNKIT_CELU:
        for (size_t i = 0; i < count; i++) {
            float x = values[i];
            float negative = parameter * expm1_core(x / parameter);
            values[i] = (x > 0 ? x : 0.0f) + (negative < 0 ? negative : 0.0f);
            values[i] = x != x ? x : values[i];
        }
        break;
    case RNNKIT_SOFTPLUS:
        for (size_t i = 0; i < count; i++) values[i] = softplus_core(values[i]);
        break;
    case RNNKIT_LOG_SIGMOID:
        for (size_t i = 0; i < count; i++) values[i] = -softplus_core(-values[i]);
        break;
    case RNNKIT_SWISH:
        for (size_t i = 0; i < count; i++) {
            // x sigmoid(x); below x = -80, e^x is taken as e^(x + 40) e^-40 so x e^x stays exact while it
            // is a normal float (down to x = -91.8).
            float x = values[i];
            float a = x < 0 ? -x : x;
            int deep = a > 80.0f;
            float e = exp_core(-a + (deep ? 40.0f : 0.0f));
            float scale = deep ? 4.24835426e-18f : 1.0f;
            float small = e * scale;
            float result = x >= 0 ? x / (1.0f + small) : ((x * e) * scale) / (1.0f + small);
            values[i] = x != x ? x : result;
        }
        break;
    case RNNKIT_EXPONENTIAL:
        for (size_t i = 0; i < count; i++) {
            float x = values[i];
            // exp_core saturates at 88.376; above it e^x = e^(x - 1) e, up to the largest float.
            float high = exp_core(x - 1.0f) * 2.71828183f;
            float result = x > 88.7228391f ? __builtin_inff() : (x > 88.0f ? high : exp_core(x));
            values[i] = x != x ? x : result;
        }
        break;
    case RNNKIT_MISH:
        for (size_t i = 0; i < count; i++) {
            // tanh(softplus(x)) = n / (n + 2) with n = e^x (e^x + 2): one exp, no cancellation; 1 above 20.
            // Below x = -20 it is e^x (1 - e^x / 2 + ...) = e^x to float precision; e^x as in swish, so that
            // x e^x stays exact while it is a normal float.
            float x = values[i];
            float deep = (x * exp_core(x + 40.0f)) * 4.24835426e-18f;
            float e = exp_core(x);
            float n = e * (e + 2.0f);
            float result = x > 20.0f ? x : x * (n / (n + 2.0f));
            values[i] = x < -20.0f ? deep : result;
        }
        break;
    case RNNKIT_GELU_TANH:
        for (size_t i = 0; i < count; i++) {
            float x = values[i];
            float inner = 0.79788456f * (x + 0.044715f * x * x * x);
            values[i] = 0.5f * x * (1.0f + tanh_core(inner));
        }
        break;
    default:
        break;
    }
}

// The instruction sets a call may use: 2 AVX-512, 1 AVX2 + FMA, 0 the baseline. Every operation is the same
// per element at levels 1 and 2 (16 lanes and 32 registers instead of 8 and 16), so their results are equal
// bit for bit (tested through rnnkit_apply_at); the baseline has no fused multiply-add.
static int detect_level(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

// Detected once (every thread finds the same value, so a race only repeats the detection).
static int cached_level = -1;

int rnnkit_simd_level(void) {
    int level = __atomic_load_n(&cached_level, __ATOMIC_RELAXED);
    if (level < 0) {
        level = detect_level();
        __atomic_store_n(&cached_level, level, __ATOMIC_RELAXED);
    }
    return level;
}

#if defined(__x86_64__)
#define AT_LEVEL(level, name, args)                                                                         \
    do {                                                                                                    \
        if ((level) >= 2) {                                                                                 \
            name##_avx512 args;                                                                             \
        } else if ((level) == 1) {                                                                          \
            name##_avx2 args;                                                                               \
        } else {                                                                                            \
            name##_baseline args;                                                                           \
        }                                                                                                   \
    } while (0)
#define VARIANT(name, params, args)                                                                         \
    __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma"))) static void name##_avx512 params {        \
        name##_body args;                                                                                   \
    }                                                                                                       \
    __attribute__((target("avx2,fma"))) static void name##_avx2 params { name##_body args; }                \
    static void name##_baseline params { name##_body args; }
#else
#define AT_LEVEL(level, name, args) name##_baseline args
#define VARIANT(name, params, args)                                                                         \
    static void name##_baseline params { name##_body args; }
#endif

VARIANT(exp, (float *values, size_t count), (values, count))
VARIANT(sigmoid, (float *values, size_t count), (values, count))
VARIANT(tanh, (float *values, size_t count), (values, count))
VARIANT(lstm, (float *z, float *c, float *h, size_t units), (z, c, h, units))
VARIANT(activation, (int kind, float parameter, float *values, size_t count), (kind, parameter, values, count))

void rnnkit_exp(float *values, size_t count) {
    int level = rnnkit_simd_level();
    AT_LEVEL(level, exp, (values, count));
}
void rnnkit_sigmoid(float *values, size_t count) {
    int level = rnnkit_simd_level();
    AT_LEVEL(level, sigmoid, (values, count));
}
void rnnkit_tanh(float *values, size_t count) {
    int level = rnnkit_simd_level();
    AT_LEVEL(level, tanh, (values, count));
}
void rnnkit_lstm_row(float *z, float *c, float *h, size_t units) {
    int level = rnnkit_simd_level();
    AT_LEVEL(level, lstm, (z, c, h, units));
}
void rnnkit_activation(int kind, float parameter, float *values, size_t count) {
    int level = rnnkit_simd_level();
    AT_LEVEL(level, activation, (kind, parameter, values, count));
}

void rnnkit_apply_at(int level, int kind, float parameter, float *values, size_t count) {
    level = level < rnnkit_simd_level() ? level : rnnkit_simd_level();
    switch (kind) {
    case RNNKIT_EXP_KIND: AT_LEVEL(level, exp, (values, count)); break;
    case RNNKIT_SIGMOID_KIND: AT_LEVEL(level, sigmoid, (values, count)); break;
    case RNNKIT_TANH_KIND: AT_LEVEL(level, tanh, (values, count)); break;
    default: AT_LEVEL(level, activation, (kind, parameter, values, count)); break;
    }
}

void rnnkit_lstm_row_at(int level, float *z, float *c, float *h, size_t units) {
    level = level < rnnkit_simd_level() ? level : rnnkit_simd_level();
    AT_LEVEL(level, lstm, (z, c, h, units));
}
