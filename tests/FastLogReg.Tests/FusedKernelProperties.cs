using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Reference;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>The fused SIMD kernel against the textbook loop and against the mathematics.</summary>
public class FusedKernelProperties
{
    /// <summary>Every width the kernel can run at; widths the hardware lacks are emulated by the runtime (slow but exact).</summary>
    internal static readonly SimdWidth[] AllWidths = [SimdWidth.Scalar, SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512];

    // Float features are widened and everything is computed in double on both sides, so one tolerance fits both types;
    // what remains is summation order, FMA, and the vectorized exp/log (≈1 ulp).
    private const double Rtol = 1e-10;
    private const double Atol = 1e-13;

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 80)]
    public void FusedLossAndGradientMatchTextbookLoop_Double(Problem p) => AssertMatchesTextbook<double>(p);

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 80)]
    public void FusedLossAndGradientMatchTextbookLoop_Float(Problem p) => AssertMatchesTextbook<float>(p);

    [Fact]
    public void EveryRowAndColumnTailMatchesTextbookLoop()
    {
        int[] rowCounts = [1, 2, 3, 4, 5, 7, 8, 9, 13, 255, 256, 257, 300];
        for (int d = 1; d <= 40; d++)
        {
            foreach (int n in rowCounts)
            {
                var p = new Problem(n, d, (d * 1000) + n, 10.0, Weighted: n % 2 == 0, L2: 0.01);
                AssertMatchesTextbook<double>(p);
                AssertMatchesTextbook<float>(p);
            }
        }
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 40)]
    public void GradientMatchesCentralFiniteDifferences(Problem p)
    {
        (DenseDataset<double> data, double[] w, double b) = TestData.Build<double>(p);
        var objective = new LogisticObjective<double>(data, p.L2, fitIntercept: true, maxDegreeOfParallelism: 1);
        double[] point = TestData.Point(w, b);
        double[] gradient = new double[point.Length];
        objective.Evaluate(point, gradient);

        double[] scratch = new double[point.Length];
        int checkedCoordinates = Math.Min(point.Length, 8);
        for (int k = 0; k < checkedCoordinates; k++)
        {
            int j = k == checkedCoordinates - 1 ? point.Length - 1 : k; // always include the intercept
            double h = 1e-5 * Math.Max(1.0, Math.Abs(point[j]));
            double[] plus = (double[])point.Clone();
            double[] minus = (double[])point.Clone();
            plus[j] += h;
            minus[j] -= h;
            double fd = (objective.Evaluate(plus, scratch) - objective.Evaluate(minus, scratch)) / (2 * h);
            Close.Equal(fd, gradient[j], rtol: 1e-6, atol: 1e-7, $"∂f/∂θ[{j}] vs finite difference ({p})");
        }
    }

    private static void AssertMatchesTextbook<T>(Problem p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> data, double[] w, double b) = TestData.Build<T>(p);
        int d = data.Columns;
        double[] expectedGradient = new double[d];
        double expected = TextbookLogisticRegression.LossAndGradient(data, w, b, p.L2, expectedGradient, out double expectedBias);
        double[] point = TestData.Point(w, b);

        foreach (SimdWidth width in AllWidths)
        {
            var objective = new LogisticObjective<T>(data, p.L2, fitIntercept: true, maxDegreeOfParallelism: 1, widthCap: width);
            double[] gradient = new double[d + 1];
            double actual = objective.Evaluate(point, gradient);
            string what = $"{typeof(T).Name} {objective.Width} {p}";
            Close.Equal(expected, actual, Rtol, Atol, $"objective ({what})");
            Close.Equal(expectedGradient, gradient.AsSpan(0, d), Rtol, Atol, $"∂f/∂w ({what})");
            Close.Equal(expectedBias, gradient[d], Rtol, Atol, $"∂f/∂b ({what})");
        }
    }
}
