using System.Globalization;
using System.Numerics;

namespace FastLogReg.Data;

/// <summary>
/// How large features may be for the arithmetic to stay finite and exact. Raw features enter squared norms and curvature
/// products, so beyond 2⁵⁰⁰ (≈ 3·10¹⁵⁰) those overflow; standardized features are divided by their spread first, so only
/// the sums Σ rᵢxᵢ over n rows must stay below the double range: |x|·(n + 1) ≤ 2¹⁰²⁰. Data beyond a limit is refused up
/// front, naming the row, column and value, rather than ending in an infinite scale or a "divergence".
/// </summary>
internal static class Magnitudes
{
    /// <summary>2⁵⁰⁰: the largest |x| trained on without standardization.</summary>
    public const double RawLimit = 3.2733906078961419e150;

    /// <summary>2¹⁰²⁰.</summary>
    private const double Range = 1.1235582092889474e307;

    /// <summary>The largest |x| trained on with standardization, for <paramref name="rows"/> rows.</summary>
    public static double StandardizedLimit(int rows) => Range / (rows + 1.0);

    /// <summary>Throws when a feature of <paramref name="data"/> exceeds <paramref name="limit"/> in magnitude.</summary>
    /// <param name="data">The data.</param>
    /// <param name="limit">The largest magnitude allowed.</param>
    /// <param name="advice">What to do about it, one sentence.</param>
    /// <param name="paramName">The parameter to name in the exception.</param>
    public static void ThrowIfBeyond<T>(Dataset<T> data, double limit, string advice, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.MaxMagnitude <= limit || data.FirstBeyond(limit) is not { } found)
        {
            return;
        }

        throw new DataValueException(
            found.Row,
            found.Column,
            found.Value,
            string.Format(CultureInfo.InvariantCulture, "is beyond {0:G3} in magnitude, where the training arithmetic would overflow. {1}", limit, advice),
            paramName);
    }
}
