using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    public static Vector128<double> Exp(Vector128<double> a) => Vector128.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Log(Vector128<double> a) => Vector128.Log(a);

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
    public static double Sum(Vector128<double> a) => Vector128.Sum(a);

    public static Vector128<double> LastLanesMask(int count)
    {
        // Lane i is selected when i >= Count - count.
        Vector128<long> lanes = Vector128<long>.Indices;
        return Vector128.GreaterThanOrEqual(lanes, Vector128.Create((long)(Count - count))).AsDouble();
    }
}
