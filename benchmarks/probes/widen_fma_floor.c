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
 * (The clock and the two loops are in probe_common.h.) Prints cycles per 8 elements (one 512-bit register) and the time the two passes alone would take for 20,000 x 100.
 */
#include <stdio.h>

#define C 96
#define R 32
static float X[R * C] __attribute__((aligned(64)));
static double XD[R * C] __attribute__((aligned(64)));
static double W[C] __attribute__((aligned(64)));
static double G[C] __attribute__((aligned(64)));
static double Z[R];

#include "probe_common.h"

DOT(dot_float, float, X, WIDEN)
GRAD(grad_float, float, X, WIDEN)
DOT(dot_double, double, XD, PLAIN)
GRAD(grad_double, double, XD, PLAIN)
static void both_float(void) { dot_float(); grad_float(); }
static void both_double(void) { dot_double(); grad_double(); }

int main(void)
{
    for (int i = 0; i < R * C; i++) XD[i] = X[i] = (float)((i * 7919 % 1000) - 500) / 137.0f;
    for (int j = 0; j < C; j++) W[j] = ((j * 31 % 17) - 8) / 3000.0;
    double hz = core_hz();
    printf("core clock %.2f GHz (dependent adds)\n", hz / 1e9);
    for (int round = 0; round < 3; round++)
    {
        double df = cycles_per_8(dot_float, hz, 4000), gf = cycles_per_8(grad_float, hz, 4000);
        double bf = cycles_per_8(both_float, hz, 4000);
        double dd = cycles_per_8(dot_double, hz, 4000), gd = cycles_per_8(grad_double, hz, 4000);
        double bd = cycles_per_8(both_double, hz, 4000);
        printf("cycles per 8 elements: float (widened) dot %.2f gradient %.2f both %.2f | double dot %.2f gradient %.2f both %.2f"
               " | 20,000 x 100 float, both passes: %.0f us\n",
               df, gf, bf, dd, gd, bd, bf * (20000.0 * 100 / 8) / hz * 1e6);
    }
    return 0;
}
