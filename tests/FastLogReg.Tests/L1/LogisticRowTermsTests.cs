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
    public void ResidualsAndCurvaturesEqualTheScalarForms(int n)
    {
        (double[] z, double[] y, double[] s) = Rows(n, 100 + n);
        double[] r = new double[n], curvature = new double[n];

        (double sumR, double sumD) = LogisticRowTerms.Residuals(z, y, s, r, curvature);

        double expectedR = 0, expectedD = 0;
        for (int i = 0; i < n; i++)
        {
            double p = StableLogistic.Sigmoid(z[i]);
            double d = s[i] * p * StableLogistic.Sigmoid(-z[i]);
            Close.Equal(s[i] * (p - y[i]), r[i], 1e-14, 1e-300, $"r[{i}] at z = {z[i]}");
            Close.Equal(d, curvature[i], 1e-13, 1e-300, $"D[{i}] at z = {z[i]}");
            expectedR += r[i];
            expectedD += curvature[i];
        }

        Close.Equal(expectedR, sumR, 1e-13, 1e-15, "Σ r");
        Close.Equal(expectedD, sumD, 1e-13, 1e-15, "Σ D");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LossAndStepLossEqualTheScalarCrossEntropy(int n)
    {
        (double[] z, double[] y, double[] s) = Rows(n, 200 + n);
        var rng = new Random(n);
        double[] xd = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
        const double offset = 0.25, beta = 0.5;
        double[] moved = new double[n];

        double loss = LogisticRowTerms.Loss(z, y, s);
        double stepLoss = LogisticRowTerms.StepLoss(z, xd, offset, beta, y, s, moved);

        double expected = 0, expectedMoved = 0;
        for (int i = 0; i < n; i++)
        {
            double zi = z[i] + (beta * (xd[i] + offset));
            Close.Equal(zi, moved[i], 1e-15, 1e-15, $"moved margin {i}");
            expected += s[i] * StableLogistic.CrossEntropy(z[i], y[i]);
            expectedMoved += s[i] * StableLogistic.CrossEntropy(zi, y[i]);
        }

        Close.Equal(expected, loss, 1e-13, 1e-300, "Σ s ℓ(z)");
        Close.Equal(expectedMoved, stepLoss, 1e-13, 1e-300, "Σ s ℓ(z + β(xd + offset))");
    }
}
