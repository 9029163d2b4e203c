using System.Runtime.Intrinsics;

namespace FastLogReg.Numerics;

/// <summary>The register width a kernel runs at, as the number of <see cref="double"/> lanes.</summary>
internal enum SimdWidth
{
    /// <summary>No SIMD: one lane.</summary>
    Scalar = 1,

    /// <summary><see cref="Vector128{T}"/>: 2 lanes.</summary>
    Vector128 = 2,

    /// <summary><see cref="Vector256{T}"/>: 4 lanes.</summary>
    Vector256 = 4,

    /// <summary><see cref="Vector512{T}"/>: 8 lanes.</summary>
    Vector512 = 8,
}

/// <summary>Chooses the width for a row length: the widest accelerated one whose register fits in a row.</summary>
internal static class SimdWidthSelector
{
    /// <summary>The widest hardware-accelerated width on this machine (respects the runtime's <c>DOTNET_Enable…</c> switches).</summary>
    public static SimdWidth Widest =>
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : Vector128.IsHardwareAccelerated ? SimdWidth.Vector128
        : SimdWidth.Scalar;

    /// <summary>
    /// The widest width no wider than <paramref name="cap"/> (default: <see cref="Widest"/>) whose lane count does not
    /// exceed <paramref name="columns"/>, so that a row's tail can always be handled by one overlapping, masked register.
    /// </summary>
    public static SimdWidth For(int columns, SimdWidth? cap = null)
    {
        int lanes = Math.Min((int)(cap ?? Widest), (int)Widest);
        while (lanes > 1 && lanes > columns)
        {
            lanes /= 2;
        }

        return (SimdWidth)lanes;
    }
}
