using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
            // 4 floats → 4 doubles (vcvtps2pd ymm, xmm).
            Vector128<float> f = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref source));
            return Vector256.WidenLower(f.ToVector256Unsafe());
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
    public static Vector256<double> Exp(Vector256<double> a) => Vector256.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log(Vector256<double> a) => Vector256.Log(a);

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
    public static double Sum(Vector256<double> a) => Vector256.Sum(a);

    public static Vector256<double> LastLanesMask(int count)
    {
        // Lane i is selected when i >= Count - count.
        Vector256<long> lanes = Vector256<long>.Indices;
        return Vector256.GreaterThanOrEqual(lanes, Vector256.Create((long)(Count - count))).AsDouble();
    }
}
