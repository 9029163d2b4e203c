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

    /// <summary>a · b + c in float, fused where the hardware has FMA.</summary>
    static abstract TF MultiplyAdd(TF a, TF b, TF c);

    /// <summary>Bitwise a AND b.</summary>
    static abstract TF And(TF a, TF b);

    /// <summary>A mask selecting the last <paramref name="count"/> lanes (0 ≤ count ≤ <see cref="Count"/>).</summary>
    static abstract TF LastLanesMask(int count);

    /// <summary>The two halves added in float (lane i + lane i + Count/2), widened to doubles.</summary>
    static abstract TV Fold(TF a);

    /// <summary>The lower half's lanes as doubles.</summary>
    static abstract TV WidenLower(TF a);

    /// <summary>The upper half's lanes as doubles.</summary>
    static abstract TV WidenUpper(TF a);
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
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;

    public static Vector512<float> LastLanesMask(int count) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(Count - count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Fold(Vector512<float> a) => Widen(a.GetLower() + a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> WidenLower(Vector512<float> a) => Widen(a.GetLower());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> WidenUpper(Vector512<float> a) => Widen(a.GetUpper());

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
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;

    public static Vector256<float> LastLanesMask(int count) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(Count - count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Fold(Vector256<float> a) => Widen(a.GetLower() + a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> WidenLower(Vector256<float> a) => Widen(a.GetLower());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> WidenUpper(Vector256<float> a) => Widen(a.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen(Vector128<float> f) =>
        Avx.IsSupported ? Avx.ConvertToVector256Double(f) : Vector256.WidenLower(f.ToVector256Unsafe());
}
