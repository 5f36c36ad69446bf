// See include/ckernels.h: the recurrent product with a pre-packed right-hand side. The right-hand side
// (a recurrent kernel) is the same at every timestep, so it is packed once into panels of 16 columns
// (k rows of 16 floats, contiguous) instead of SGEMM packing it again at every call. The microkernel
// keeps up to 6 rows x 16 columns of c in registers and runs down k in order, so every element of c
// is the same sum in the same order whatever m is and however the rows are split between threads.
#include "ckernels.h"

#include <stdint.h>
#include <string.h>

// v8 values only live inside always-inline functions, so no call passes one: the ABI note is moot.
#pragma clang diagnostic ignored "-Wpsabi"

#define PANEL 16
#define RNNKIT_INLINE static inline __attribute__((always_inline))

typedef float v8 __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32), aligned(4)));

RNNKIT_INLINE v8 load8(const float *p) {
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

RNNKIT_INLINE void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }

size_t rnnkit_packed_count(size_t k, size_t n) { return k * ((n + PANEL - 1) / PANEL) * PANEL; }

void rnnkit_pack(const float *b, size_t ldb, size_t k, size_t n, float *packed) {
    for (size_t j0 = 0; j0 < n; j0 += PANEL) {
        size_t cols = n - j0 < PANEL ? n - j0 : PANEL;
        for (size_t p = 0; p < k; p++) {
            float *row = packed + j0 * k + p * PANEL;
            memcpy(row, b + p * ldb + j0, cols * sizeof(float));
            for (size_t j = cols; j < PANEL; j++) row[j] = 0;
        }
    }
}

// c[0..R, 0..cols] (= or +=) a[0..R, 0..k] . panel[0..k, 0..16].
#define MICRO(R)                                                                                            \
    RNNKIT_INLINE void micro_##R(size_t k, const float *a, size_t lda, const float *panel, float *c,       \
                                 size_t ldc, int accumulate, size_t cols) {                               \
        v8 acc[R][2];                                                                                       \
        for (int r = 0; r < R; r++) {                                                                       \
            /* c is often the projected inputs, out in L3: fetch it while the sums run. */                  \
            __builtin_prefetch(c + r * ldc, 1);                                                             \
            __builtin_prefetch(c + r * ldc + PANEL - 1, 1);                                                 \
            acc[r][0] = acc[r][1] = (v8){0};                                                                \
        }                                                                                                   \
        for (size_t p = 0; p < k; p++) {                                                                    \
            v8 b0 = load8(panel + p * PANEL), b1 = load8(panel + p * PANEL + 8);                            \
            for (int r = 0; r < R; r++) {                                                                   \
                float s = a[r * lda + p];                                                                   \
                v8 x = {s, s, s, s, s, s, s, s};                                                            \
                acc[r][0] += x * b0;                                                                        \
                acc[r][1] += x * b1;                                                                        \
            }                                                                                               \
        }                                                                                                   \
        for (int r = 0; r < R; r++) {                                                                       \
            float *row = c + r * ldc;                                                                       \
            if (cols == PANEL) {                                                                            \
                if (accumulate) {                                                                           \
                    store8(row, load8(row) + acc[r][0]);                                                    \
                    store8(row + 8, load8(row + 8) + acc[r][1]);                                            \
                } else {                                                                                    \
                    store8(row, acc[r][0]);                                                                 \
                    store8(row + 8, acc[r][1]);                                                             \
                }                                                                                           \
            } else {                                                                                        \
                float tmp[PANEL];                                                                           \
                store8(tmp, acc[r][0]);                                                                     \
                store8(tmp + 8, acc[r][1]);                                                                 \
                for (size_t j = 0; j < cols; j++) row[j] = accumulate ? row[j] + tmp[j] : tmp[j];           \
            }                                                                                               \
        }                                                                                                   \
    }

MICRO(1)
MICRO(2)
MICRO(3)
MICRO(4)
MICRO(5)
MICRO(6)

// One row of a (batch 1, streaming): four panels at a time, so that eight independent sums hide the
// latency of the multiply-adds (one panel has only two). Same order of additions per element.
RNNKIT_INLINE void gemm_row(size_t n, size_t k, const float *a, const float *packed, float *c, int accumulate) {
    size_t j0 = 0;
    for (; j0 + 4 * PANEL <= n; j0 += 4 * PANEL) {
        const float *p0 = packed + j0 * k;
        v8 acc[8];
        for (int q = 0; q < 8; q++) acc[q] = (v8){0};
        for (int q = 0; q < 4 * PANEL; q += PANEL) __builtin_prefetch(c + j0 + q, 1);
        for (size_t p = 0; p < k; p++) {
            float s = a[p];
            v8 x = {s, s, s, s, s, s, s, s};
            for (int q = 0; q < 4; q++) {
                const float *row = p0 + q * k * PANEL + p * PANEL;
                acc[2 * q] += x * load8(row);
                acc[2 * q + 1] += x * load8(row + 8);
            }
        }
        for (int q = 0; q < 8; q++) {
            float *out = c + j0 + q * 8;
            store8(out, accumulate ? load8(out) + acc[q] : acc[q]);
        }
    }
    for (; j0 < n; j0 += PANEL) {
        size_t cols = n - j0 < PANEL ? n - j0 : PANEL;
        micro_1(k, a, k, packed + j0 * k, c + j0, 0, accumulate, cols);
    }
}

RNNKIT_INLINE void gemm_body(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                             float *c, size_t ldc, int accumulate) {
    if (m == 1) {
        gemm_row(n, k, a, packed, c, accumulate);
        return;
    }
    for (size_t j0 = 0; j0 < n; j0 += PANEL) {
        size_t cols = n - j0 < PANEL ? n - j0 : PANEL;
        const float *panel = packed + j0 * k;
        // Tiles of 6 rows (12 sums in flight keep both multiply-add units busy). A tail of 1 or 2 rows
        // has too few sums to hide the multiply-add latency, so the last 7 or 8 rows go as 4 + 3 or 4 + 4.
        size_t full = m % 6 == 1 || m % 6 == 2 ? (m >= 7 ? m - 7 - (m % 6 == 2) : 0) : m;
        size_t i = 0;
        for (; i + 6 <= full; i += 6) micro_6(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols);
        if (m - i >= 7) {
            micro_4(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols);
            i += 4;
        }
        switch (m - i) {
            case 5: micro_5(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols); break;
            case 4: micro_4(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols); break;
            case 3: micro_3(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols); break;
            case 2: micro_2(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols); break;
            case 1: micro_1(k, a + i * lda, lda, panel, c + i * ldc + j0, ldc, accumulate, cols); break;
            default: break;
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void gemm_avx2(size_t m, size_t n, size_t k, const float *a,
                                                          size_t lda, const float *packed, float *c,
                                                          size_t ldc, int accumulate) {
    gemm_body(m, n, k, a, lda, packed, c, ldc, accumulate);
}
#endif

static void gemm_baseline(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed,
                          float *c, size_t ldc, int accumulate) {
    gemm_body(m, n, k, a, lda, packed, c, ldc, accumulate);
}

// Rows of patches gathered at a time by the convolution: 24 (four 6-row tiles) keep a 3 x 3 x 32 window's
// patches (27 KB) in the first-level cache while every panel of the kernel passes over them.
#define PATCH_ROWS 24

// A copy of n floats, eight at a time, inline: a window run is a few hundred bytes, for which a call to
// memmove costs as much as the copy.
RNNKIT_INLINE void copy_floats(float *to, const float *from, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) store8(to + i, load8(from + i));
    for (; i < n; i++) to[i] = from[i];
}

// Gathers the windows of output rows first..first+count into patches (count rows of windows * channels),
// zeros where a window falls in the padding. A run of window elements over consecutive inputs (along the
// last axis, undilated) is one copy.
RNNKIT_INLINE void gather(const float *x, size_t image_values, size_t channels, const int32_t *sources,
                          size_t windows, size_t positions, size_t first, size_t count, float *patches) {
    size_t columns = windows * channels;
    for (size_t r = 0; r < count; r++) {
        size_t b = (first + r) / positions, o = (first + r) % positions;
        const float *image = x + b * image_values;
        const int32_t *row = sources + o * windows;
        float *to = patches + r * columns;
        if (channels == 1) {  // one value a window element (a grey image): no runs worth a copy
            for (size_t w = 0; w < windows; w++) to[w] = row[w] < 0 ? 0.0f : image[row[w]];
            continue;
        }
        size_t w = 0;
        while (w < windows) {
            int32_t source = row[w];
            size_t run = 1;
            if (source < 0) {
                while (w + run < windows && row[w + run] < 0) run++;
                memset(to + w * channels, 0, run * channels * sizeof(float));
            } else {
                while (w + run < windows && row[w + run] == source + (int32_t)run) run++;
                copy_floats(to + w * channels, image + (size_t)source * channels, run * channels);
            }
            w += run;
        }
    }
}

RNNKIT_INLINE void convolve_body(const float *x, size_t image_values, size_t channels, const int32_t *sources,
                                 size_t windows, size_t positions, size_t first, size_t count, const float *packed,
                                 size_t filters, const float *bias, int relu, float *out, float *patches) {
    size_t columns = windows * channels;
    for (size_t r = 0; r < count; r += PATCH_ROWS) {
        size_t rows = count - r < PATCH_ROWS ? count - r : PATCH_ROWS;
        float *tile = out + r * filters;
        gather(x, image_values, channels, sources, windows, positions, first + r, rows, patches);
        gemm_body(rows, filters, columns, patches, columns, packed, tile, filters, 0);
        // The bias and relu while the tile is in cache (relu as Swift's max(x, 0): NaN stays, -0 becomes 0).
        if (!bias && !relu) continue;
        for (size_t i = 0; i < rows; i++) {
            float *row = tile + i * filters;
            size_t j = 0;
            for (; j + 8 <= filters; j += 8) {
                v8 v = load8(row + j);
                if (bias) v += load8(bias + j);
                if (relu) v = (v8)((v8i)v & ~(v8i)(v <= 0));
                store8(row + j, v);
            }
            for (; j < filters; j++) {
                float v = row[j] + (bias ? bias[j] : 0.0f);
                row[j] = relu && v <= 0 ? 0.0f : v;
            }
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void convolve_avx2(const float *x, size_t image_values, size_t channels,
                                                              const int32_t *sources, size_t windows,
                                                              size_t positions, size_t first, size_t count,
                                                              const float *packed, size_t filters,
                                                              const float *bias, int relu, float *out,
                                                              float *patches) {
    convolve_body(x, image_values, channels, sources, windows, positions, first, count, packed, filters, bias, relu,
                  out, patches);
}
#endif

// See rnnkit_pool_rows.
RNNKIT_INLINE void pool_body(const float *x, size_t image_values, size_t channels, const int32_t *sources,
                             size_t windows, size_t positions, size_t first, size_t count, int maximum, float *out) {
    for (size_t r = 0; r < count; r++) {
        size_t b = (first + r) / positions, o = (first + r) % positions;
        const float *image = x + b * image_values;
        const int32_t *row = sources + o * windows;
        float *to = out + r * channels;
        size_t c = 0;
        for (; c + 8 <= channels; c += 8) {
            v8 acc = maximum ? (v8){0} - __builtin_inff() : (v8){0};
            size_t n = 0;
            for (size_t w = 0; w < windows; w++) {
                if (row[w] < 0) continue;
                v8 e = load8(image + (size_t)row[w] * channels + c);
                if (maximum) {
                    v8i keep = e >= acc;  // NaN never wins: the maximum of the other elements
                    acc = (v8)(((v8i)e & keep) | ((v8i)acc & ~keep));
                } else {
                    acc += e;
                }
                n++;
            }
            if (!maximum) acc /= (float)n;
            store8(to + c, acc);
        }
        for (; c < channels; c++) {
            float acc = maximum ? -__builtin_inff() : 0.0f;
            size_t n = 0;
            for (size_t w = 0; w < windows; w++) {
                if (row[w] < 0) continue;
                float e = image[(size_t)row[w] * channels + c];
                acc = maximum ? (e >= acc ? e : acc) : acc + e;
                n++;
            }
            to[c] = maximum ? acc : acc / (float)n;
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void pool_avx2(const float *x, size_t image_values, size_t channels,
                                                          const int32_t *sources, size_t windows, size_t positions,
                                                          size_t first, size_t count, int maximum, float *out) {
    pool_body(x, image_values, channels, sources, windows, positions, first, count, maximum, out);
}
#endif

void rnnkit_pool_rows(const float *x, size_t image_values, size_t channels, const int32_t *sources, size_t windows,
                      size_t positions, size_t first, size_t count, int maximum, float *out) {
#if defined(__x86_64__)
    if (rnnkit_simd_level() >= 1) {  // AVX2 + FMA (AVX-512 has them too)
        pool_avx2(x, image_values, channels, sources, windows, positions, first, count, maximum, out);
        return;
    }
#endif
    pool_body(x, image_values, channels, sources, windows, positions, first, count, maximum, out);
}

size_t rnnkit_convolve_scratch_count(size_t windows, size_t channels) { return PATCH_ROWS * windows * channels; }

void rnnkit_convolve_rows(const float *x, size_t image_values, size_t channels, const int32_t *sources,
                          size_t windows, size_t positions, size_t first, size_t count, const float *packed,
                          size_t filters, const float *bias, int relu, float *out, float *scratch) {
#if defined(__x86_64__)
    if (rnnkit_simd_level() >= 1) {  // AVX2 + FMA (AVX-512 has them too)
        convolve_avx2(x, image_values, channels, sources, windows, positions, first, count, packed, filters, bias,
                      relu, out, scratch);
        return;
    }
#endif
    convolve_body(x, image_values, channels, sources, windows, positions, first, count, packed, filters, bias, relu,
                  out, scratch);
}

void rnnkit_gemm_packed(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *packed, float *c,
                        size_t ldc, int accumulate) {
#if defined(__x86_64__)
    if (rnnkit_simd_level() >= 1) {  // AVX2 + FMA (AVX-512 has them too)
        gemm_avx2(m, n, k, a, lda, packed, c, ldc, accumulate);
        return;
    }
#endif
    gemm_baseline(m, n, k, a, lda, packed, c, ldc, accumulate);
}
