using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLogReg.Numerics;

/// <summary>128-bit lanes of double (2 per register).</summary>
internal readonly struct Simd128 : ISimdDouble<Vector128<double>>
{
    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static int Count => Vector128<double>.Count;

    public static Vector128<double> Zero => Vector128<double>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Create(double value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Load(ref double source) => Vector128.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> LoadWidened<T>(ref T source) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            // 2 floats (one 64-bit read, never past the 2 elements asked for) → 2 doubles.
            long bits = Unsafe.ReadUnaligned<long>(ref Unsafe.As<T, byte>(ref source));
            return Vector128.WidenLower(Vector128.CreateScalarUnsafe(bits).AsSingle());
        }
        return Vector128.LoadUnsafe(ref Unsafe.As<T, double>(ref source));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<double> value, ref double destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Add(Vector128<double> a, Vector128<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Subtract(Vector128<double> a, Vector128<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Multiply(Vector128<double> a, Vector128<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Divide(Vector128<double> a, Vector128<double> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c) =>
        Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Abs(Vector128<double> a) => Vector128.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Max(Vector128<double> a, Vector128<double> b) => Vector128.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ScaleByPowerOfTwo(Vector128<double> p, Vector128<double> shifted)
    {
        // Biased exponent of 2^(n + 600): n + 1023 + 600 ≥ 547 for n ≥ −1076, so the scale is a normal number; the
        // final multiplication by 2^−600 rounds once, correctly, into the subnormal range.
        Vector128<long> biased = shifted.AsInt64() - Vector128.Create(SimdMath.ShiftBits - SimdMath.ScaleBias);
        return p * Vector128.ShiftLeft(biased, 52).AsDouble() * Vector128.Create(SimdMath.TwoToMinus600);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> GreaterThanOrEqual(Vector128<double> a, Vector128<double> b) =>
        Vector128.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> EqualsMask(Vector128<double> a, Vector128<double> b) => Vector128.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Select(Vector128<double> mask, Vector128<double> a, Vector128<double> b) =>
        Vector128.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> And(Vector128<double> a, Vector128<double> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector128<double> a) => a[0] + a[1];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8(
        Vector128<double> a0, Vector128<double> a1, Vector128<double> a2, Vector128<double> a3,
        Vector128<double> a4, Vector128<double> a5, Vector128<double> a6, Vector128<double> a7,
        double bias,
        ref double destination)
    {
        if (!Sse2.IsSupported)
        {
            SimdFallback.Sum8<Vector128<double>, Simd128>(a0, a1, a2, a3, a4, a5, a6, a7, bias, ref destination);
            return;
        }

        Vector128<double> b = Vector128.Create(bias);
        (Sse2.UnpackLow(a0, a1) + Sse2.UnpackHigh(a0, a1) + b).StoreUnsafe(ref destination);
        (Sse2.UnpackLow(a2, a3) + Sse2.UnpackHigh(a2, a3) + b).StoreUnsafe(ref Unsafe.Add(ref destination, 2));
        (Sse2.UnpackLow(a4, a5) + Sse2.UnpackHigh(a4, a5) + b).StoreUnsafe(ref Unsafe.Add(ref destination, 4));
        (Sse2.UnpackLow(a6, a7) + Sse2.UnpackHigh(a6, a7) + b).StoreUnsafe(ref Unsafe.Add(ref destination, 6));
    }

    public static Vector128<double> LastLanesMask(int count)
    {
        // Lane i is selected when i >= Count - count.
        Vector128<long> lanes = Vector128<long>.Indices;
        return Vector128.GreaterThanOrEqual(lanes, Vector128.Create((long)(Count - count))).AsDouble();
    }
}
