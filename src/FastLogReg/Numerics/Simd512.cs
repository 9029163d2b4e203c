using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLogReg.Numerics;

/// <summary>512-bit lanes of double (8 per register).</summary>
internal readonly struct Simd512 : ISimdDouble<Vector512<double>>
{
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static int Count => Vector512<double>.Count;

    public static Vector512<double> Zero => Vector512<double>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Create(double value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Load(ref double source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> LoadWidened<T>(ref T source) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            // 8 floats → 8 doubles: vcvtps2pd zmm, [mem] (the load folds into the conversion).
            Vector256<float> f = Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref source));
            return Avx512F.IsSupported ? Avx512F.ConvertToVector512Double(f) : Vector512.WidenLower(f.ToVector512Unsafe());
        }
        return Vector512.LoadUnsafe(ref Unsafe.As<T, double>(ref source));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<double> value, ref double destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Divide(Vector512<double> a, Vector512<double> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) =>
        Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Abs(Vector512<double> a) => Vector512.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Max(Vector512<double> a, Vector512<double> b) => Vector512.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ScaleByPowerOfTwo(Vector512<double> p, Vector512<double> shifted)
    {
        // Biased exponent of 2^(n + 600): n + 1023 + 600 ≥ 547 for n ≥ −1076, so the scale is a normal number; the
        // final multiplication by 2^−600 rounds once, correctly, into the subnormal range.
        Vector512<long> biased = shifted.AsInt64() - Vector512.Create(SimdMath.ShiftBits - SimdMath.ScaleBias);
        return p * Vector512.ShiftLeft(biased, 52).AsDouble() * Vector512.Create(SimdMath.TwoToMinus600);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> GreaterThanOrEqual(Vector512<double> a, Vector512<double> b) =>
        Vector512.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> EqualsMask(Vector512<double> a, Vector512<double> b) => Vector512.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Select(Vector512<double> mask, Vector512<double> a, Vector512<double> b) =>
        Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> And(Vector512<double> a, Vector512<double> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector512<double> a) =>
        ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8(
        Vector512<double> a0, Vector512<double> a1, Vector512<double> a2, Vector512<double> a3,
        Vector512<double> a4, Vector512<double> a5, Vector512<double> a6, Vector512<double> a7,
        double bias,
        ref double destination)
    {
        if (!Avx512F.IsSupported)
        {
            SimdFallback.Sum8<Vector512<double>, Simd512>(a0, a1, a2, a3, a4, a5, a6, a7, bias, ref destination);
            return;
        }

        // Level 1, lanes in pairs: uₚq = [p0+p1, q0+q1, p2+p3, q2+q3, p4+p5, q4+q5, p6+p7, q6+q7].
        Vector512<double> u01 = Avx512F.UnpackLow(a0, a1) + Avx512F.UnpackHigh(a0, a1);
        Vector512<double> u23 = Avx512F.UnpackLow(a2, a3) + Avx512F.UnpackHigh(a2, a3);
        Vector512<double> u45 = Avx512F.UnpackLow(a4, a5) + Avx512F.UnpackHigh(a4, a5);
        Vector512<double> u67 = Avx512F.UnpackLow(a6, a7) + Avx512F.UnpackHigh(a6, a7);

        // Level 2, 128-bit blocks in pairs: v = [p0123, q0123, p4567, q4567, r0123, s0123, r4567, s4567].
        Vector512<double> v0123 = Avx512F.Shuffle4x128(u01, u23, 0b10_00_10_00) + Avx512F.Shuffle4x128(u01, u23, 0b11_01_11_01);
        Vector512<double> v4567 = Avx512F.Shuffle4x128(u45, u67, 0b10_00_10_00) + Avx512F.Shuffle4x128(u45, u67, 0b11_01_11_01);

        // Level 3: the two halves of every row: [Σa0, Σa1, …, Σa7].
        Vector512<double> sums = Avx512F.Shuffle4x128(v0123, v4567, 0b10_00_10_00) + Avx512F.Shuffle4x128(v0123, v4567, 0b11_01_11_01);
        (sums + Vector512.Create(bias)).StoreUnsafe(ref destination);
    }

    public static Vector512<double> LastLanesMask(int count)
    {
        // Lane i is selected when i >= Count - count.
        Vector512<long> lanes = Vector512<long>.Indices;
        return Vector512.GreaterThanOrEqual(lanes, Vector512.Create((long)(Count - count))).AsDouble();
    }
}
