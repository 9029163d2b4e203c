using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLogReg.Numerics;

/// <summary>
/// Registers of float, twice as many lanes as the double registers <typeparamref name="TV"/> of the same width, for the
/// kernels that multiply in float and add up in double (<c>SoftmaxFloatProducts</c>): a float partial is folded or
/// widened into doubles before it meets any other partial.
/// </summary>
/// <typeparam name="TF">The float register.</typeparam>
/// <typeparam name="TV">The double register of the same width.</typeparam>
internal interface ISimdSingle<TF, TV>
    where TF : struct
    where TV : struct
{
    /// <summary>Float lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TF Zero { get; }

    /// <summary>All lanes equal to <paramref name="value"/>.</summary>
    static abstract TF Create(float value);

    /// <summary>Loads <see cref="Count"/> floats.</summary>
    static abstract TF Load(ref float source);

    /// <summary>Stores <see cref="Count"/> floats.</summary>
    static abstract void Store(TF value, ref float destination);

    /// <summary>a + b.</summary>
    static abstract TF Add(TF a, TF b);

    /// <summary>a − b.</summary>
    static abstract TF Subtract(TF a, TF b);

    /// <summary>a · b.</summary>
    static abstract TF Multiply(TF a, TF b);

    /// <summary>a / b.</summary>
    static abstract TF Divide(TF a, TF b);

    /// <summary>max(a, b) for non-NaN input.</summary>
    static abstract TF Max(TF a, TF b);

    /// <summary>Mask of lanes where a = b.</summary>
    static abstract TF EqualsMask(TF a, TF b);

    /// <summary>
    /// p · 2ⁿ where n is the integer that <paramref name="shifted"/> = n + 1.5·2²³ carries in its low mantissa bits (the
    /// "magic number" rounding); valid for −126 ≤ n ≤ 127.
    /// </summary>
    static abstract TF ScaleByPowerOfTwo(TF p, TF shifted);

    /// <summary>Two double registers rounded to floats: <paramref name="lower"/>'s lanes first.</summary>
    static abstract TF Narrow(TV lower, TV upper);

    /// <summary>a · b + c in float, fused where the hardware has FMA.</summary>
    static abstract TF MultiplyAdd(TF a, TF b, TF c);

    /// <summary>Bitwise a AND b.</summary>
    static abstract TF And(TF a, TF b);

    /// <summary>a where <paramref name="mask"/>'s lanes are set, b elsewhere (the mask from a comparison).</summary>
    static abstract TF Select(TF mask, TF a, TF b);

    /// <summary>A mask selecting the last <paramref name="count"/> lanes (0 ≤ count ≤ <see cref="Count"/>).</summary>
    static abstract TF LastLanesMask(int count);

    /// <summary>The two halves added in float (lane i + lane i + Count/2), widened to doubles.</summary>
    static abstract TV Fold(TF a);

    /// <summary>The lower half's lanes as doubles.</summary>
    static abstract TV WidenLower(TF a);

    /// <summary>
    /// The sums of all lanes of a0 … a7 and of c0 … c7 (eight rows by two classes): zA[i] = Σ aᵢ (+ biasA), zB[i] = Σ cᵢ
    /// (+ biasB), each summed in float across its register's lanes (the caller keeps a register's products ≤ 256) and
    /// then widened; with <paramref name="add"/> the sums are added to the destinations and the biases ignored; zB is
    /// written only when <paramref name="two"/>.
    /// </summary>
    static abstract void Sum8x2(TF a0, TF a1, TF a2, TF a3, TF a4, TF a5, TF a6, TF a7, TF c0, TF c1, TF c2, TF c3, TF c4, TF c5, TF c6, TF c7, double biasA, double biasB, bool two, bool add, ref double zA, ref double zB);

    /// <summary>The upper half's lanes as doubles.</summary>
    static abstract TV WidenUpper(TF a);

    /// <summary>
    /// The sums of all lanes of sixteen registers, four classes by four rows (aCR: class C, row R), each summed in float
    /// across its register's lanes exactly as <see cref="Sum8x2"/> sums one (the caller keeps a register's products ≤ 256)
    /// and then widened: z[C·<paramref name="classStride"/> + R] = Σ aCR + biasC, or with <paramref name="add"/> the
    /// destination plus Σ aCR (the biases ignored).
    /// </summary>
    static abstract void Sum4x4(
        TF a00, TF a01, TF a02, TF a03, TF a10, TF a11, TF a12, TF a13, TF a20, TF a21, TF a22, TF a23, TF a30, TF a31, TF a32, TF a33,
        double bias0, double bias1, double bias2, double bias3, bool add, ref double z, int classStride);
}

/// <summary>512-bit lanes of float (16 per register), paired with <see cref="Simd512"/>.</summary>
internal readonly struct Single512 : ISimdSingle<Vector512<float>, Vector512<double>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> EqualsMask(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ScaleByPowerOfTwo(Vector512<float> p, Vector512<float> shifted) =>
        p * Vector512.ShiftLeft(shifted.AsInt32() + Vector512.Create(127), 23).AsSingle(); // the magic number's bits shift out

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Narrow(Vector512<double> lower, Vector512<double> upper) => Vector512.Narrow(lower, upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) =>
        Vector512.ConditionalSelect(mask, a, b);

    public static Vector512<float> LastLanesMask(int count) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(Count - count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Fold(Vector512<float> a) => Widen(a.GetLower() + a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> WidenLower(Vector512<float> a) => Widen(a.GetLower());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> WidenUpper(Vector512<float> a) => Widen(a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8x2(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, Vector512<float> c4, Vector512<float> c5, Vector512<float> c6, Vector512<float> c7,
        double biasA, double biasB, bool two, bool add, ref double zA, ref double zB)
    {
        if (!Avx512F.IsSupported)
        {
            SingleFallback.Sum8x2<Vector512<float>, Vector512<double>, Single512, Simd512>(a0, a1, a2, a3, a4, a5, a6, a7, c0, c1, c2, c3, c4, c5, c6, c7, biasA, biasB, two, add, ref zA, ref zB);
            return;
        }

        // A transposing reduction in float: [Σa0 … Σa7 | Σc0 … Σc7] in one register after four levels.
        Vector512<float> sums = Reduce16(a0, a1, a2, a3, a4, a5, a6, a7, c0, c1, c2, c3, c4, c5, c6, c7);
        Vector512<double> sa = Widen(sums.GetLower()), sc = Widen(sums.GetUpper());
        if (add)
        {
            sa += Vector512.LoadUnsafe(ref zA);
            sc += two ? Vector512.LoadUnsafe(ref zB) : Vector512<double>.Zero;
        }
        else
        {
            sa += Vector512.Create(biasA);
            sc += Vector512.Create(biasB);
        }

        sa.StoreUnsafe(ref zA);
        if (two)
        {
            sc.StoreUnsafe(ref zB);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum4x4(
        Vector512<float> a00, Vector512<float> a01, Vector512<float> a02, Vector512<float> a03, Vector512<float> a10, Vector512<float> a11, Vector512<float> a12, Vector512<float> a13,
        Vector512<float> a20, Vector512<float> a21, Vector512<float> a22, Vector512<float> a23, Vector512<float> a30, Vector512<float> a31, Vector512<float> a32, Vector512<float> a33,
        double bias0, double bias1, double bias2, double bias3, bool add, ref double z, int classStride)
    {
        if (!Avx512F.IsSupported)
        {
            SingleFallback.Sum4x4<Vector512<float>, Vector512<double>, Single512, Simd512>(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, bias0, bias1, bias2, bias3, add, ref z, classStride);
            return;
        }

        // Sum8x2's reduction with classes 0–1 in place of its eight rows of class A and classes 2–3 of class B: every
        // register's lanes are added in the same order, wherever it sits, so a score has the same bits either way.
        Vector512<float> sums = Reduce16(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
        Vector512<double> low = Widen(sums.GetLower()), high = Widen(sums.GetUpper());
        ref double z1 = ref Unsafe.Add(ref z, classStride);
        ref double z2 = ref Unsafe.Add(ref z1, classStride);
        ref double z3 = ref Unsafe.Add(ref z2, classStride);
        if (add)
        {
            low += Vector512.Create(Vector256.LoadUnsafe(ref z), Vector256.LoadUnsafe(ref z1));
            high += Vector512.Create(Vector256.LoadUnsafe(ref z2), Vector256.LoadUnsafe(ref z3));
        }
        else
        {
            low += Vector512.Create(Vector256.Create(bias0), Vector256.Create(bias1));
            high += Vector512.Create(Vector256.Create(bias2), Vector256.Create(bias3));
        }

        low.GetLower().StoreUnsafe(ref z);
        low.GetUpper().StoreUnsafe(ref z1);
        high.GetLower().StoreUnsafe(ref z2);
        high.GetUpper().StoreUnsafe(ref z3);
    }

    /// <summary>The transposing reduction in float: [Σa0 … Σa7 | Σc0 … Σc7] in one register after four levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce16(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, Vector512<float> c4, Vector512<float> c5, Vector512<float> c6, Vector512<float> c7)
    {
        Vector512<float> wa = Level3(Level2(Level1(a0, a1), Level1(a2, a3)), Level2(Level1(a4, a5), Level1(a6, a7)));
        Vector512<float> wc = Level3(Level2(Level1(c0, c1), Level1(c2, c3)), Level2(Level1(c4, c5), Level1(c6, c7)));
        return Level3(wa, wc);

        // Lanes in pairs within each 128-bit block: [x0+x2, y0+y2, x1+x3, y1+y3].
        static Vector512<float> Level1(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackLow(x, y) + Avx512F.UnpackHigh(x, y);

        // Pairs of floats as doubles: each 128-bit block [Σx, Σy, Σu, Σv] over the block's lanes.
        static Vector512<float> Level2(Vector512<float> xy, Vector512<float> uv) =>
            Avx512F.UnpackLow(xy.AsDouble(), uv.AsDouble()).AsSingle() + Avx512F.UnpackHigh(xy.AsDouble(), uv.AsDouble()).AsSingle();

        // 128-bit blocks: [p.B0 + p.B1, p.B2 + p.B3, q.B0 + q.B1, q.B2 + q.B3].
        static Vector512<float> Level3(Vector512<float> p, Vector512<float> q) =>
            Avx512F.Shuffle4x128(p, q, 0b10_00_10_00) + Avx512F.Shuffle4x128(p, q, 0b11_01_11_01);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Widen(Vector256<float> f) =>
        Avx512F.IsSupported ? Avx512F.ConvertToVector512Double(f) : Vector512.WidenLower(f.ToVector512Unsafe());
}

/// <summary>256-bit lanes of float (8 per register), paired with <see cref="Simd256"/>.</summary>
internal readonly struct Single256 : ISimdSingle<Vector256<float>, Vector256<double>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> EqualsMask(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ScaleByPowerOfTwo(Vector256<float> p, Vector256<float> shifted) =>
        p * Vector256.ShiftLeft(shifted.AsInt32() + Vector256.Create(127), 23).AsSingle(); // the magic number's bits shift out

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Narrow(Vector256<double> lower, Vector256<double> upper) => Vector256.Narrow(lower, upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) =>
        Vector256.ConditionalSelect(mask, a, b);

    public static Vector256<float> LastLanesMask(int count) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(Count - count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Fold(Vector256<float> a) => Widen(a.GetLower() + a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> WidenLower(Vector256<float> a) => Widen(a.GetLower());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> WidenUpper(Vector256<float> a) => Widen(a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8x2(
        Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7,
        Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3, Vector256<float> c4, Vector256<float> c5, Vector256<float> c6, Vector256<float> c7,
        double biasA, double biasB, bool two, bool add, ref double zA, ref double zB) =>
        SingleFallback.Sum8x2<Vector256<float>, Vector256<double>, Single256, Simd256>(a0, a1, a2, a3, a4, a5, a6, a7, c0, c1, c2, c3, c4, c5, c6, c7, biasA, biasB, two, add, ref zA, ref zB);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum4x4(
        Vector256<float> a00, Vector256<float> a01, Vector256<float> a02, Vector256<float> a03, Vector256<float> a10, Vector256<float> a11, Vector256<float> a12, Vector256<float> a13,
        Vector256<float> a20, Vector256<float> a21, Vector256<float> a22, Vector256<float> a23, Vector256<float> a30, Vector256<float> a31, Vector256<float> a32, Vector256<float> a33,
        double bias0, double bias1, double bias2, double bias3, bool add, ref double z, int classStride) =>
        SingleFallback.Sum4x4<Vector256<float>, Vector256<double>, Single256, Simd256>(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, bias0, bias1, bias2, bias3, add, ref z, classStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen(Vector128<float> f) =>
        Avx.IsSupported ? Avx.ConvertToVector256Double(f) : Vector256.WidenLower(f.ToVector256Unsafe());
}

/// <summary>What the float widths share.</summary>
internal static class SingleFallback
{
    /// <summary>
    /// <see cref="ISimdSingle{TF, TV}.Sum8x2"/> by folding each register's halves in float, widening, and
    /// <see cref="ISimdDouble{TV}.Sum8"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8x2<TF, TV, S, W>(TF a0, TF a1, TF a2, TF a3, TF a4, TF a5, TF a6, TF a7, TF c0, TF c1, TF c2, TF c3, TF c4, TF c5, TF c6, TF c7, double biasA, double biasB, bool two, bool add, ref double zA, ref double zB)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        Span<double> sums = stackalloc double[16];
        W.Sum8(S.Fold(a0), S.Fold(a1), S.Fold(a2), S.Fold(a3), S.Fold(a4), S.Fold(a5), S.Fold(a6), S.Fold(a7), add ? 0 : biasA, ref sums[0]);
        W.Sum8(S.Fold(c0), S.Fold(c1), S.Fold(c2), S.Fold(c3), S.Fold(c4), S.Fold(c5), S.Fold(c6), S.Fold(c7), add ? 0 : biasB, ref sums[8]);
        for (int i = 0; i < 8; i++)
        {
            Unsafe.Add(ref zA, i) = add ? Unsafe.Add(ref zA, i) + sums[i] : sums[i];
        }

        if (two)
        {
            for (int i = 0; i < 8; i++)
            {
                Unsafe.Add(ref zB, i) = add ? Unsafe.Add(ref zB, i) + sums[8 + i] : sums[8 + i];
            }
        }
    }
    /// <summary><see cref="ISimdSingle{TF, TV}.Sum4x4"/> through <see cref="Sum8x2"/>'s folds and sums, a pair of classes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum4x4<TF, TV, S, W>(TF a00, TF a01, TF a02, TF a03, TF a10, TF a11, TF a12, TF a13, TF a20, TF a21, TF a22, TF a23, TF a30, TF a31, TF a32, TF a33, double bias0, double bias1, double bias2, double bias3, bool add, ref double z, int classStride)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        Span<double> sums = stackalloc double[16];
        W.Sum8(S.Fold(a00), S.Fold(a01), S.Fold(a02), S.Fold(a03), S.Fold(a10), S.Fold(a11), S.Fold(a12), S.Fold(a13), 0, ref sums[0]);
        W.Sum8(S.Fold(a20), S.Fold(a21), S.Fold(a22), S.Fold(a23), S.Fold(a30), S.Fold(a31), S.Fold(a32), S.Fold(a33), 0, ref sums[8]);
        for (int c = 0; c < 4; c++)
        {
            ref double zc = ref Unsafe.Add(ref z, c * classStride);
            double bias = c switch { 0 => bias0, 1 => bias1, 2 => bias2, _ => bias3 };
            for (int r = 0; r < 4; r++)
            {
                Unsafe.Add(ref zc, r) = add ? Unsafe.Add(ref zc, r) + sums[(4 * c) + r] : sums[(4 * c) + r] + bias;
            }
        }
    }
}

/// <summary>Elementary functions on float registers.</summary>
internal static class SingleMath
{
    /// <summary>
    /// eˣ for x ≤ 0 in float (Cephes' <c>expf</c>: x = n·ln 2 + r, |r| ≤ ln 2 / 2, a degree-7 polynomial, about one ulp):
    /// below −87.3 the result is e^−87.3 ≈ 1.2·10⁻³⁸ (the smallest normal float's order), not 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF ExpNonPositive<TF, TV, S>(TF x)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
    {
        x = S.Max(x, S.Create(-87.3f));
        TF shifted = S.MultiplyAdd(x, S.Create(1.44269504088896341f), S.Create(12582912f));
        TF n = S.Subtract(shifted, S.Create(12582912f));
        TF r = S.MultiplyAdd(n, S.Create(-0.693359375f), x);
        r = S.MultiplyAdd(n, S.Create(2.12194440e-4f), r);
        TF p = S.MultiplyAdd(S.Create(1.9875691500e-4f), r, S.Create(1.3981999507e-3f));
        p = S.MultiplyAdd(p, r, S.Create(8.3334519073e-3f));
        p = S.MultiplyAdd(p, r, S.Create(4.1665795894e-2f));
        p = S.MultiplyAdd(p, r, S.Create(1.6666665459e-1f));
        p = S.MultiplyAdd(p, r, S.Create(5.0000001201e-1f));
        p = S.Add(S.MultiplyAdd(S.Multiply(p, r), r, r), S.Create(1f));
        return S.ScaleByPowerOfTwo(p, shifted);
    }
}
