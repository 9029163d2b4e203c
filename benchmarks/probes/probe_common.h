/*
 * What the probes in this folder share: a monotonic clock, the core clock measured with a dependent integer-add chain,
 * a best-of-20 timer in core cycles per 8 elements, and the fused kernel's two passes over a block of rows (8-row
 * register blocking as in RowDots and GradientAccumulation) as macros over the element type.
 *
 * An including file defines C (columns, a multiple of 8), R (rows, a multiple of 8) and the 64-byte aligned arrays
 * W[C] (weights), G[C] (gradient) and Z[R] (per-row dot products, then coefficients) before including this header.
 */
#ifndef PROBE_COMMON_H
#define PROBE_COMMON_H
#include <immintrin.h>
#include <stdint.h>
#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Core clock: 400 million dependent integer adds take 400 million cycles. */
static double core_hz(void)
{
    double best = 0;
    for (int t = 0; t < 5; t++)
    {
        uint64_t n = 400000000, x = 0;
        double s = seconds();
        __asm__ volatile("1: add $1, %0\n\tsub $1, %1\n\tjnz 1b" : "+r"(x), "+r"(n));
        double hz = 400e6 / (seconds() - s);
        if (hz > best) best = hz;
    }
    return best;
}

#define RED(k)                                                                                                         \
    Z[k] = _mm512_reduce_add_pd(a0); Z[k + 1] = _mm512_reduce_add_pd(a1); Z[k + 2] = _mm512_reduce_add_pd(a2);       \
    Z[k + 3] = _mm512_reduce_add_pd(a3); Z[k + 4] = _mm512_reduce_add_pd(a4); Z[k + 5] = _mm512_reduce_add_pd(a5);   \
    Z[k + 6] = _mm512_reduce_add_pd(a6); Z[k + 7] = _mm512_reduce_add_pd(a7);

#define WIDEN(i) _mm512_cvtps_pd(_mm256_loadu_ps(x + (i) * C + j))
#define PLAIN(i) _mm512_loadu_pd(x + (i) * C + j)

#define DOT(NAME, TYPE, DATA, LOAD)                                                                                    \
    __attribute__((noinline)) static void NAME(void)                                                                   \
    {                                                                                                                  \
        for (int k = 0; k < R; k += 8)                                                                                 \
        {                                                                                                              \
            const TYPE *x = DATA + k * C;                                                                              \
            __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;           \
            for (int j = 0; j < C; j += 8)                                                                             \
            {                                                                                                          \
                __m512d w = _mm512_load_pd(W + j);                                                                     \
                a0 = _mm512_fmadd_pd(LOAD(0), w, a0); a1 = _mm512_fmadd_pd(LOAD(1), w, a1);                            \
                a2 = _mm512_fmadd_pd(LOAD(2), w, a2); a3 = _mm512_fmadd_pd(LOAD(3), w, a3);                            \
                a4 = _mm512_fmadd_pd(LOAD(4), w, a4); a5 = _mm512_fmadd_pd(LOAD(5), w, a5);                            \
                a6 = _mm512_fmadd_pd(LOAD(6), w, a6); a7 = _mm512_fmadd_pd(LOAD(7), w, a7);                            \
            }                                                                                                          \
            RED(k)                                                                                                     \
        }                                                                                                              \
    }

#define GRAD(NAME, TYPE, DATA, LOAD)                                                                                   \
    __attribute__((noinline)) static void NAME(void)                                                                   \
    {                                                                                                                  \
        for (int k = 0; k < R; k += 8)                                                                                 \
        {                                                                                                              \
            const TYPE *x = DATA + k * C;                                                                              \
            __m512d c0 = _mm512_set1_pd(Z[k]), c1 = _mm512_set1_pd(Z[k + 1]), c2 = _mm512_set1_pd(Z[k + 2]);          \
            __m512d c3 = _mm512_set1_pd(Z[k + 3]), c4 = _mm512_set1_pd(Z[k + 4]), c5 = _mm512_set1_pd(Z[k + 5]);      \
            __m512d c6 = _mm512_set1_pd(Z[k + 6]), c7 = _mm512_set1_pd(Z[k + 7]);                                      \
            for (int j = 0; j < C; j += 8)                                                                             \
            {                                                                                                          \
                __m512d s = _mm512_mul_pd(LOAD(0), c0), t = _mm512_mul_pd(LOAD(4), c4);                                \
                s = _mm512_fmadd_pd(LOAD(1), c1, s); t = _mm512_fmadd_pd(LOAD(5), c5, t);                              \
                s = _mm512_fmadd_pd(LOAD(2), c2, s); t = _mm512_fmadd_pd(LOAD(6), c6, t);                              \
                s = _mm512_fmadd_pd(LOAD(3), c3, s); t = _mm512_fmadd_pd(LOAD(7), c7, t);                              \
                _mm512_store_pd(G + j, _mm512_add_pd(_mm512_load_pd(G + j), _mm512_add_pd(s, t)));                     \
            }                                                                                                          \
        }                                                                                                              \
    }

/* Best of 20 rounds of `calls` calls of f over the R x C rows, in core cycles per 8 elements. */
static double cycles_per_8(void (*f)(void), double hz, int calls)
{
    double best = 1e30;
    for (int t = 0; t < 20; t++)
    {
        double s = seconds();
        for (int i = 0; i < calls; i++) f();
        double e = seconds() - s;
        if (e < best) best = e;
    }
    return best / calls * hz / (R * C / 8.0);
}

#endif
