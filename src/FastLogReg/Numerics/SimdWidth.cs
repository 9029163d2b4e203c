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
    /// <summary>Name of the environment variable that caps the kernels' width: 512, 256, 128 or scalar.</summary>
    public const string CapVariable = "FASTLOGREG_MAX_SIMD_WIDTH";

    /// <summary>
    /// The widest hardware-accelerated width on this machine (respects the runtime's <c>DOTNET_Enable…</c> switches),
    /// capped by <c>FASTLOGREG_MAX_SIMD_WIDTH</c> when set — which slows FastLogReg's kernels alone, leaving the
    /// runtime and TensorPrimitives as they are (the CI gate uses it to prove it catches a slowed kernel).
    /// </summary>
    /// <exception cref="InvalidOperationException">The variable holds another value (every time a width is asked for).</exception>
    public static SimdWidth Widest => s_widest ??= Cap(
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : Vector128.IsHardwareAccelerated ? SimdWidth.Vector128
        : SimdWidth.Scalar,
        Environment.GetEnvironmentVariable(CapVariable));

    private static SimdWidth? s_widest;

    /// <summary>The narrower of <paramref name="width"/> and <paramref name="cap"/> (no cap: <paramref name="width"/>).</summary>
    internal static SimdWidth Narrower(SimdWidth width, SimdWidth? cap) => cap is { } c && c < width ? c : width;

    internal static SimdWidth Cap(SimdWidth hardware, string? cap)
    {
        SimdWidth? limit = cap?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "512" => SimdWidth.Vector512,
            "256" => SimdWidth.Vector256,
            "128" => SimdWidth.Vector128,
            "scalar" or "1" or "0" => SimdWidth.Scalar,
            _ => throw new InvalidOperationException($"{CapVariable}='{cap}' is not one of 512, 256, 128 or scalar."),
        };
        return limit is { } l && l < hardware ? l : hardware;
    }

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
