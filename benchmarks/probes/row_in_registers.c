/*
 * Can widening each element once (instead of twice) beat the fused kernel's two passes on float data?
 *
 * The fused kernel widens every float to double twice: in the dot-product pass and again in the gradient pass, with
 * sigma and the loss computed in between across a block of rows. The alternative timed here keeps one row, widened,
 * in registers (12 zmm for 96 columns), takes its dot product, computes its residual, and adds its gradient term from
 * the same registers: one widening per element, but sigma and the loss must then be computed one row at a time.
 *
 *   - two passes:        8-row blocked dot pass, then 8-row blocked gradient pass (the kernel's shape), no sigma;
 *   - two passes + sigma: the same with a scalar sigma per row between the passes (libm exp);
 *   - row in registers:  one widening per element, with a placeholder residual r = z/4 - y (no exp, no log);
 *   - row in registers + sigma and loss: with the real residual and loss per row (libm exp and log1p).
 *
 * Rows: 1,024 x 96 floats (384 KiB, in L2), repeated. Core cycles from a dependent integer-add chain. The clock, the
 * timer and the two blocked passes are shared with widen_fma_floor.c in probe_common.h.
 *
 *   gcc -O2 -march=icelake-server -mtune=znver3 row_in_registers.c -o /tmp/row_in_registers -lm && /tmp/row_in_registers
 */
#include <math.h>
#include <stdio.h>

#define C 96
#define NV (C / 8)
#define R 1024
static float X[R * C] __attribute__((aligned(64)));
static double W[C] __attribute__((aligned(64)));
static double G[C] __attribute__((aligned(64)));
static double Z[R], Y[R], LOSS;

#include "probe_common.h"

DOT(dot_pass, float, X, WIDEN)
GRAD(gradient_pass, float, X, WIDEN)

static void residuals(void)
{
    for (int k = 0; k < R; k++) Z[k] = 1.0 / (1.0 + exp(-Z[k])) - Y[k];
}

static void two_passes(void) { dot_pass(); gradient_pass(); }
static void two_passes_sigma(void) { dot_pass(); residuals(); gradient_pass(); }

/* One row at a time, widened once into registers; RESIDUAL(z, k) gives the row's coefficient. */
#define ROW_IN_REGISTERS(RESIDUAL)                                                                                     \
    for (int k = 0; k < R; k++)                                                                                        \
    {                                                                                                                  \
        const float *x = X + k * C;                                                                                    \
        __m512d v[NV];                                                                                                 \
        _Pragma("GCC unroll 16") for (int q = 0; q < NV; q++) v[q] = _mm512_cvtps_pd(_mm256_loadu_ps(x + q * 8));     \
        __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;                                                   \
        _Pragma("GCC unroll 16") for (int q = 0; q < NV; q += 4)                                                       \
        {                                                                                                              \
            a0 = _mm512_fmadd_pd(v[q], _mm512_load_pd(W + q * 8), a0);                                                 \
            a1 = _mm512_fmadd_pd(v[q + 1], _mm512_load_pd(W + q * 8 + 8), a1);                                        \
            a2 = _mm512_fmadd_pd(v[q + 2], _mm512_load_pd(W + q * 8 + 16), a2);                                       \
            a3 = _mm512_fmadd_pd(v[q + 3], _mm512_load_pd(W + q * 8 + 24), a3);                                       \
        }                                                                                                              \
        double z = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));                 \
        __m512d c = _mm512_set1_pd(RESIDUAL);                                                                          \
        _Pragma("GCC unroll 16") for (int q = 0; q < NV; q++)                                                          \
            _mm512_store_pd(G + q * 8, _mm512_fmadd_pd(v[q], c, _mm512_load_pd(G + q * 8)));                           \
    }

__attribute__((noinline)) static void row_placeholder(void) { ROW_IN_REGISTERS(z * 0.25 - Y[k]) }

static inline double residual_and_loss(double z, double y, double *loss)
{
    *loss += fmax(z, 0) - y * z + log1p(exp(-fabs(z)));
    return 1.0 / (1.0 + exp(-z)) - y;
}

__attribute__((noinline)) static void row_sigma(void)
{
    double loss = 0;
    ROW_IN_REGISTERS(residual_and_loss(z, Y[k], &loss))
    LOSS += loss;
}

int main(void)
{
    for (int i = 0; i < R * C; i++) X[i] = (float)((i * 7919 % 1000) - 500) / 137.0f;
    for (int j = 0; j < C; j++) W[j] = ((j * 31 % 17) - 8) / 3000.0;
    for (int k = 0; k < R; k++) Y[k] = k & 1;
    double hz = core_hz();
    printf("core clock %.2f GHz (dependent adds); cycles per 8 elements:\n", hz / 1e9);
    for (int round = 0; round < 3; round++)
    {
        printf("two passes %.2f | two passes + sigma %.2f | row in registers %.2f | row in registers + sigma and loss %.2f\n",
               cycles_per_8(two_passes, hz, 400), cycles_per_8(two_passes_sigma, hz, 400), cycles_per_8(row_placeholder, hz, 400),
               cycles_per_8(row_sigma, hz, 400));
    }
    printf("(checksum %g)\n", LOSS + G[3]);
    return 0;
}
