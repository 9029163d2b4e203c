using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
            // 8 floats → 8 doubles (vcvtps2pd zmm, ymm).
            Vector256<float> f = Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref source));
            return Vector512.WidenLower(f.ToVector512Unsafe());
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
    public static Vector512<double> Exp(Vector512<double> a) => Vector512.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log(Vector512<double> a) => Vector512.Log(a);

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
    public static double Sum(Vector512<double> a) => Vector512.Sum(a);

    public static Vector512<double> LastLanesMask(int count)
    {
        // Lane i is selected when i >= Count - count.
        Vector512<long> lanes = Vector512<long>.Indices;
        return Vector512.GreaterThanOrEqual(lanes, Vector512.Create((long)(Count - count))).AsDouble();
    }
}
