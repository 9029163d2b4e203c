// The float-products kernel's score loop (SoftmaxFloatProducts.Dot8: eight rows by two classes, 16 accumulators of 16
// floats, 100 or 112 columns) taken alone, to see what bounds it. AVX-512 only.
//   dotnet run -c Release -- loop STRIDE SHIFT      one pair of classes over 8 rows in L1, ns per 16 multiply-adds,
//                                                   against 16 independent FMA chains in registers (the peak)
//   dotnet run -c Release -- walk|bcast STRIDE SHIFT ROWS [prefetch]
//                                                   Dot8's work over ROWS rows: five pairs (K = 10) per 8 rows, the
//                                                   transposing reduction and the stores of z; ns per row. bcast: the
//                                                   outer-product form instead (x broadcast, 16 class lanes, W
//                                                   transposed): 17–19.5 against 16.5–18.7 ns per row in L1 — not faster
// STRIDE is the row length in floats (100: rows 400 bytes apart, most loads across two cache lines; 112: aligned rows),
// SHIFT how many floats past a 64-byte boundary the rows start.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

unsafe
{
    string mode = args[0];
    int stride = int.Parse(args[1]), shift = int.Parse(args[2]);
    if (mode == "loop")
    {
        float* buffer = (float*)NativeMemory.AlignedAlloc(64 * 1024, 64);
        for (int i = 0; i < 16384; i++) buffer[i] = 0.001f * (i % 17);
        const long iterations = 2_000_000;
        for (int rep = 0; rep < 5; rep++)
        {
            var clock = Stopwatch.StartNew();
            float s = Kernels.PairInL1(buffer + shift, buffer + 4096, stride, iterations);
            double loop = clock.Elapsed.TotalNanoseconds / (iterations * 7);
            clock.Restart();
            s += Kernels.Fma(iterations * 7);
            double peak = clock.Elapsed.TotalNanoseconds / (iterations * 7);
            Console.WriteLine($"stride {stride}, shift {shift}: {loop:F3} ns per 16 multiply-adds; peak {peak:F3} ns ({s:E1})");
        }
    }
    else
    {
        // walk: Dot8's work (five class pairs per 8 rows); bcast: the outer-product form (one multiply-add per column and
        // row with x broadcast into 16 class lanes, W transposed, no reduction) — the same loop over the rows either way.
        int rows = int.Parse(args[3]);
        bool prefetch = args.Length > 4;
        bool broadcast = mode == "bcast";
        float* x = (float*)NativeMemory.AlignedAlloc((nuint)((long)rows * stride * 4 + 4096), 64);
        for (long i = 0; i < (long)rows * stride; i++) x[i] = 0.001f * (i % 13);
        float* w = (float*)NativeMemory.AlignedAlloc((nuint)(16 * Math.Max(stride, 112) * 4), 64);
        for (int i = 0; i < 16 * Math.Max(stride, 112); i++) w[i] = 0.01f * (i % 7);
        double* z = (double*)NativeMemory.AlignedAlloc(16 * 128 * 8, 64);
        for (int rep = 0; rep < 5; rep++)
        {
            var clock = Stopwatch.StartNew();
            int passes = Math.Max(1, 20_000_000 / rows);
            for (int pass = 0; pass < passes; pass++)
            {
                for (int r = 0; r + 8 <= rows; r += 8)
                {
                    float* xr = x + shift + ((long)r * stride);
                    if (prefetch && r + 24 <= rows)
                    {
                        byte* ahead = (byte*)(xr + (16 * stride));
                        for (int o = 0; o < 8 * stride * 4; o += 64) Sse.Prefetch0(ahead + o);
                    }

                    if (broadcast)
                    {
                        Kernels.Broadcast8(xr, w, stride, z + (r & 127));
                        continue;
                    }

                    for (int k = 0; k < 10; k += 2)
                    {
                        Kernels.Pair(xr, w + (k * stride), stride, z + (k * 128) + (r & 127), z + ((k + 1) * 128) + (r & 127));
                    }
                }
            }

            string work = broadcast ? $"{stride} multiply-adds of 16 lanes, before any transposition" : $"70 multiply-adds: {35 / 8.0:F3} × the loop mode's peak per 16";
            Console.WriteLine($"{mode} {rows} rows, stride {stride}, shift {shift}{(prefetch ? ", prefetch" : "")}: {clock.Elapsed.TotalNanoseconds / ((double)passes * rows):F2} ns per row ({work})");
        }
    }
}

internal static unsafe class Kernels
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float PairInL1(float* x0, float* w, int stride, long iterations)
    {
        Vector512<float> t = default;
        for (long it = 0; it < iterations; it++)
        {
            t += Sums(x0, w, stride);
        }

        return Vector512.Sum(t);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Pair(float* x0, float* w, int stride, double* za, double* zb)
    {
        Vector512<float> sums = Sums(x0, w, stride);
        Avx512F.ConvertToVector512Double(sums.GetLower()).Store(za);
        Avx512F.ConvertToVector512Double(sums.GetUpper()).Store(zb);
    }

    // Eight rows' 16 class scores: acc_r += x_rj · Wᵀ_j over the columns, then transposed into z[k·128 + r] (doubles).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Broadcast8(float* x0, float* wt, int stride, double* z)
    {
        float* x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride, x4 = x3 + stride, x5 = x4 + stride, x6 = x5 + stride, x7 = x6 + stride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int j = 0; j < stride; j++)
        {
            Vector512<float> w = Vector512.Load(wt + (j * 16));
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(x0[j]), w, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(x1[j]), w, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(x2[j]), w, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(x3[j]), w, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.Create(x4[j]), w, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.Create(x5[j]), w, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.Create(x6[j]), w, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.Create(x7[j]), w, a7);
        }

        // (Timing of the loop: the 8 rows' registers stored as they are; the kernel would transpose them.)
        float* zf = (float*)z;
        a0.Store(zf); a1.Store(zf + 16); a2.Store(zf + 32); a3.Store(zf + 48); a4.Store(zf + 64); a5.Store(zf + 80); a6.Store(zf + 96); a7.Store(zf + 112);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Fma(long n)
    {
        Vector512<float> m = Vector512.Create(0.9999f), c = Vector512.Create(1e-6f);
        Vector512<float> a0 = Vector512.Create(0.1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < n; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c); a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c); a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c); a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c); a13 = Vector512.FusedMultiplyAdd(a13, m, c); a14 = Vector512.FusedMultiplyAdd(a14, m, c); a15 = Vector512.FusedMultiplyAdd(a15, m, c);
        }

        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15)));
    }

    // Eight rows by two classes over 112 columns (7 registers), reduced as Single512.Sum8x2 does: [Σa0 … Σa7 | Σc0 … Σc7].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sums(float* x0, float* w, int stride)
    {
        float* x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride, x4 = x3 + stride, x5 = x4 + stride, x6 = x5 + stride, x7 = x6 + stride;
        float* wB = w + stride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int j = 0; j < 112; j += 16)
        {
            Vector512<float> va = Vector512.Load(w + j), vb = Vector512.Load(wB + j);
            Vector512<float> x = Vector512.Load(x0 + j); a0 = Vector512.FusedMultiplyAdd(x, va, a0); c0 = Vector512.FusedMultiplyAdd(x, vb, c0);
            x = Vector512.Load(x1 + j); a1 = Vector512.FusedMultiplyAdd(x, va, a1); c1 = Vector512.FusedMultiplyAdd(x, vb, c1);
            x = Vector512.Load(x2 + j); a2 = Vector512.FusedMultiplyAdd(x, va, a2); c2 = Vector512.FusedMultiplyAdd(x, vb, c2);
            x = Vector512.Load(x3 + j); a3 = Vector512.FusedMultiplyAdd(x, va, a3); c3 = Vector512.FusedMultiplyAdd(x, vb, c3);
            x = Vector512.Load(x4 + j); a4 = Vector512.FusedMultiplyAdd(x, va, a4); c4 = Vector512.FusedMultiplyAdd(x, vb, c4);
            x = Vector512.Load(x5 + j); a5 = Vector512.FusedMultiplyAdd(x, va, a5); c5 = Vector512.FusedMultiplyAdd(x, vb, c5);
            x = Vector512.Load(x6 + j); a6 = Vector512.FusedMultiplyAdd(x, va, a6); c6 = Vector512.FusedMultiplyAdd(x, vb, c6);
            x = Vector512.Load(x7 + j); a7 = Vector512.FusedMultiplyAdd(x, va, a7); c7 = Vector512.FusedMultiplyAdd(x, vb, c7);
        }

        Vector512<float> wa = L3(L2(L1(a0, a1), L1(a2, a3)), L2(L1(a4, a5), L1(a6, a7)));
        Vector512<float> wc = L3(L2(L1(c0, c1), L1(c2, c3)), L2(L1(c4, c5), L1(c6, c7)));
        return L3(wa, wc);
    }

    private static Vector512<float> L1(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackLow(x, y) + Avx512F.UnpackHigh(x, y);

    private static Vector512<float> L2(Vector512<float> xy, Vector512<float> uv) =>
        Avx512F.UnpackLow(xy.AsDouble(), uv.AsDouble()).AsSingle() + Avx512F.UnpackHigh(xy.AsDouble(), uv.AsDouble()).AsSingle();

    private static Vector512<float> L3(Vector512<float> p, Vector512<float> q) =>
        Avx512F.Shuffle4x128(p, q, 0b10_00_10_00) + Avx512F.Shuffle4x128(p, q, 0b11_01_11_01);
}
