/*
 * The arithmetic floor of one fused epoch on float data with double sums, on rows already in L1.
 *
 * Per element, an epoch loads x (float), widens it to double and makes one multiply-add for the dot product, then
 * loads, widens and multiply-adds it again for the gradient (8-row register blocking as in RowDots / GradientAccumulation).
 * This probe times exactly those two loops — no sigma, no loss, no memory traffic — over a 32-row block that stays in
 * L1, and, for comparison, the same loops on double data (no widening) and a dot loop that widens without using FMAs
 * twice. Core cycles are measured with a dependent integer-add chain (one add per cycle).
 *
 *   gcc -O2 -march=icelake-server -mtune=znver3 widen_fma_floor.c -o /tmp/widen_fma_floor && /tmp/widen_fma_floor
 *
 * Prints cycles per 8 elements (one 512-bit register) and the time the two passes alone would take for 20,000 x 100.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define C 96
#define R 32
static float X[R * C] __attribute__((aligned(64)));
static double XD[R * C] __attribute__((aligned(64)));
static double W[C] __attribute__((aligned(64)));
static double G[C] __attribute__((aligned(64)));
static double Z[R];

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

DOT(dot_float, float, X, WIDEN)
GRAD(grad_float, float, X, WIDEN)
DOT(dot_double, double, XD, PLAIN)
GRAD(grad_double, double, XD, PLAIN)
static void both_float(void) { dot_float(); grad_float(); }
static void both_double(void) { dot_double(); grad_double(); }

/* Best of 20 rounds of 4,000 calls, in core cycles per 8 elements. */
static double cycles_per_8(void (*f)(void), double hz)
{
    double best = 1e30;
    for (int t = 0; t < 20; t++)
    {
        double s = seconds();
        for (int i = 0; i < 4000; i++) f();
        double e = seconds() - s;
        if (e < best) best = e;
    }
    return best / 4000 * hz / (R * C / 8.0);
}

int main(void)
{
    for (int i = 0; i < R * C; i++) XD[i] = X[i] = (float)((i * 7919 % 1000) - 500) / 137.0f;
    for (int j = 0; j < C; j++) W[j] = ((j * 31 % 17) - 8) / 3000.0;
    double hz = core_hz();
    printf("core clock %.2f GHz (dependent adds)\n", hz / 1e9);
    for (int round = 0; round < 3; round++)
    {
        double df = cycles_per_8(dot_float, hz), gf = cycles_per_8(grad_float, hz), bf = cycles_per_8(both_float, hz);
        double dd = cycles_per_8(dot_double, hz), gd = cycles_per_8(grad_double, hz), bd = cycles_per_8(both_double, hz);
        printf("cycles per 8 elements: float (widened) dot %.2f gradient %.2f both %.2f | double dot %.2f gradient %.2f both %.2f"
               " | 20,000 x 100 float, both passes: %.0f us\n",
               df, gf, bf, dd, gd, bd, bf * (20000.0 * 100 / 8) / hz * 1e6);
    }
    return 0;
}
