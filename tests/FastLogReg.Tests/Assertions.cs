using Xunit.Sdk;

namespace FastLogReg.Tests;

internal static class Close
{
    /// <summary>|actual − expected| ≤ atol + rtol·|expected|, with a message naming what differs.</summary>
    public static void Equal(double expected, double actual, double rtol, double atol, string what)
    {
        double diff = Math.Abs(actual - expected);
        if (!(diff <= atol + (rtol * Math.Abs(expected))))
        {
            throw new XunitException($"{what}: expected {expected:R}, got {actual:R} (|Δ| = {diff:G3}, allowed {atol + (rtol * Math.Abs(expected)):G3}).");
        }
    }

    public static void Equal(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, double atol, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} values, got {actual.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Equal(expected[i], actual[i], rtol, atol, $"{what}[{i}]");
        }
    }

    /// <summary>‖actual − expected‖₂ ≤ rtol·‖expected‖₂.</summary>
    public static void NormRelative(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, string what)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            num += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            den += expected[i] * expected[i];
        }

        double rel = Math.Sqrt(num) / Math.Sqrt(den);
        if (!(rel <= rtol))
        {
            throw new XunitException($"{what}: relative difference ‖Δ‖/‖expected‖ = {rel:G3} exceeds {rtol:G3}.");
        }
    }
}
