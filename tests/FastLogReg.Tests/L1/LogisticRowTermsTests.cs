using FastLogReg.Numerics;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// Coordinate descent's vectorized row terms equal the scalar stable forms (<see cref="StableLogistic"/>) row by row —
/// over every length up to a few registers (so every SIMD tail), margins from 0 to the point where exp underflows, both
/// labels and any row weights. CI runs it at 512, 256 bits and without SIMD.
/// </summary>
public sealed class LogisticRowTermsTests
{
    public static TheoryData<int> Lengths() => [.. Enumerable.Range(0, 35)];

    private static (double[] Z, double[] Y, double[] S) Rows(int n, int seed)
    {
        var rng = new Random(seed);
        double[] special = [0, -0.0, 1e-300, -1e-17, 0.5, -0.5, 36, -37, 700, -708, 745.5, -746, 800, -1e5];
        double[] z = new double[n], y = new double[n], s = new double[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = rng.Next(3) == 0 ? special[rng.Next(special.Length)] : (rng.NextDouble() - 0.5) * 40;
            y[i] = rng.Next(2);
            s[i] = rng.NextDouble() * 3;
        }

        return (z, y, s);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TermsAtMarginsEqualTheScalarForms(int n)
    {
        (double[] z, double[] y, double[] s) = Rows(n, 100 + n);
        double[] r = new double[n], curvature = new double[n];

        (double loss, double sumR, double sumD) = LogisticRowTerms.At(z, y, s, r, curvature);

        AssertTerms(z, y, s, r, curvature, loss, sumR, sumD);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TermsAtAStepEqualTheScalarFormsAtTheMovedMargins(int n)
    {
        (double[] z, double[] y, double[] s) = Rows(n, 200 + n);
        var rng = new Random(n);
        double[] xd = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
        const double offset = 0.25, beta = 0.5;
        double[] moved = new double[n], r = new double[n], curvature = new double[n];

        (double loss, double sumR, double sumD) = LogisticRowTerms.Step(z, xd, offset, beta, y, s, moved, r, curvature);

        for (int i = 0; i < n; i++)
        {
            Close.Equal(z[i] + (beta * (xd[i] + offset)), moved[i], 1e-15, 1e-15, $"moved margin {i}");
        }

        AssertTerms(moved, y, s, r, curvature, loss, sumR, sumD);
    }

    private static void AssertTerms(double[] z, double[] y, double[] s, double[] r, double[] curvature, double loss, double sumR, double sumD)
    {
        double expectedLoss = 0, expectedR = 0, expectedD = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double p = StableLogistic.Sigmoid(z[i]);
            Close.Equal(s[i] * (p - y[i]), r[i], 1e-14, 1e-300, $"r[{i}] at z = {z[i]}");
            Close.Equal(s[i] * p * StableLogistic.Sigmoid(-z[i]), curvature[i], 1e-13, 1e-300, $"D[{i}] at z = {z[i]}");
            expectedLoss += s[i] * StableLogistic.CrossEntropy(z[i], y[i]);
            expectedR += r[i];
            expectedD += curvature[i];
        }

        Close.Equal(expectedLoss, loss, 1e-13, 1e-300, "Σ s ℓ");
        Close.Equal(expectedR, sumR, 1e-13, 1e-15, "Σ r");
        Close.Equal(expectedD, sumD, 1e-13, 1e-15, "Σ D");
    }
}
