using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLogReg.Numerics;

/// <summary>256-bit lanes of double (4 per register).</summary>
internal readonly struct Simd256 : ISimdDouble<Vector256<double>>
{
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static int Count => Vector256<double>.Count;

    public static Vector256<double> Zero => Vector256<double>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Create(double value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(ref double source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadWidened<T>(ref T source) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            // 4 floats → 4 doubles: vcvtps2pd ymm, [mem] (the load folds into the conversion).
            Vector128<float> f = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref source));
            return Avx.IsSupported ? Avx.ConvertToVector256Double(f) : Vector256.WidenLower(f.ToVector256Unsafe());
        }
        return Vector256.LoadUnsafe(ref Unsafe.As<T, double>(ref source));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<double> value, ref double destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Divide(Vector256<double> a, Vector256<double> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Abs(Vector256<double> a) => Vector256.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ScaleByPowerOfTwo(Vector256<double> p, Vector256<double> shifted)
    {
        // Biased exponent of 2^(n + 600): n + 1023 + 600 ≥ 547 for n ≥ −1076, so the scale is a normal number; the
        // final multiplication by 2^−600 rounds once, correctly, into the subnormal range.
        Vector256<long> biased = shifted.AsInt64() - Vector256.Create(SimdMath.ShiftBits - SimdMath.ScaleBias);
        return p * Vector256.ShiftLeft(biased, 52).AsDouble() * Vector256.Create(SimdMath.TwoToMinus600);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> GreaterThanOrEqual(Vector256<double> a, Vector256<double> b) =>
        Vector256.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> EqualsMask(Vector256<double> a, Vector256<double> b) => Vector256.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Select(Vector256<double> mask, Vector256<double> a, Vector256<double> b) =>
        Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> And(Vector256<double> a, Vector256<double> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector256<double> a) => (a[0] + a[1]) + (a[2] + a[3]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8(
        Vector256<double> a0, Vector256<double> a1, Vector256<double> a2, Vector256<double> a3,
        Vector256<double> a4, Vector256<double> a5, Vector256<double> a6, Vector256<double> a7,
        double bias,
        ref double destination)
    {
        if (!Avx.IsSupported)
        {
            SimdFallback.Sum8<Vector256<double>, Simd256>(a0, a1, a2, a3, a4, a5, a6, a7, bias, ref destination);
            return;
        }

        Vector256<double> b = Vector256.Create(bias);
        (Sum4(a0, a1, a2, a3) + b).StoreUnsafe(ref destination);
        (Sum4(a4, a5, a6, a7) + b).StoreUnsafe(ref Unsafe.Add(ref destination, 4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Sum4(Vector256<double> a0, Vector256<double> a1, Vector256<double> a2, Vector256<double> a3)
    {
        // [p0+p1, q0+q1, p2+p3, q2+q3], then the 128-bit halves of two such registers: [Σp, Σq, Σr, Σs].
        Vector256<double> u01 = Avx.UnpackLow(a0, a1) + Avx.UnpackHigh(a0, a1);
        Vector256<double> u23 = Avx.UnpackLow(a2, a3) + Avx.UnpackHigh(a2, a3);
        return Avx.Permute2x128(u01, u23, 0x20) + Avx.Permute2x128(u01, u23, 0x31);
    }

    public static Vector256<double> LastLanesMask(int count)
    {
        // Lane i is selected when i >= Count - count.
        Vector256<long> lanes = Vector256<long>.Indices;
        return Vector256.GreaterThanOrEqual(lanes, Vector256.Create((long)(Count - count))).AsDouble();
    }
}
