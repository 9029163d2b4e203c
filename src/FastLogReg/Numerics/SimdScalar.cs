using System.Runtime.CompilerServices;

namespace FastLogReg.Numerics;

/// <summary>
/// The scalar fallback: one lane, the register is a plain <see cref="double"/>. Used when no SIMD is available
/// (e.g. <c>DOTNET_EnableHWIntrinsic=0</c>) or when a row is narrower than the smallest vector.
/// </summary>
internal readonly struct SimdScalar : ISimdDouble<double>
{
    private static readonly double AllBits = BitConverter.Int64BitsToDouble(-1L);

    public static int Count => 1;

    public static double Zero => 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Create(double value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Load(ref double source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double LoadWidened<T>(ref T source) where T : unmanaged =>
        typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref source) : Unsafe.As<T, double>(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(double value, ref double destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Add(double a, double b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Subtract(double a, double b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Multiply(double a, double b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Divide(double a, double b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MultiplyAdd(double a, double b, double c) => (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Abs(double a) => Math.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Max(double a, double b) => a > b ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ScaleByPowerOfTwo(double p, double shifted)
    {
        long biased = BitConverter.DoubleToInt64Bits(shifted) - (SimdMath.ShiftBits - SimdMath.ScaleBias);
        return p * BitConverter.Int64BitsToDouble(biased << 52) * SimdMath.TwoToMinus600;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GreaterThanOrEqual(double a, double b) => a >= b ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double EqualsMask(double a, double b) => a == b ? AllBits : 0.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Select(double mask, double a, double b) => BitConverter.DoubleToInt64Bits(mask) != 0 ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double And(double a, double b) =>
        BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a) & BitConverter.DoubleToInt64Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(double a) => a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum8(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double bias, ref double destination) =>
        SimdFallback.Sum8<double, SimdScalar>(a0, a1, a2, a3, a4, a5, a6, a7, bias, ref destination);

    public static double LastLanesMask(int count) => count > 0 ? AllBits : 0.0;
}
