using FastLogReg.Optimization;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>A user's own function, minimized by the public solvers: f(x) = ½ (x − c)ᵀ A (x − c) + 3 with A diagonal, minimum 3 at c.</summary>
public class PublicSolverTests
{
    private sealed class Quadratic : IDifferentiableFunction
    {
        private static readonly double[] Center = [1.5, -2.0, 0.25, 10.0];
        private static readonly double[] Curvature = [1.0, 4.0, 0.5, 2.0];

        public int Dimension => Center.Length;

        public static double[] Minimum => Center;

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            double f = 3;
            for (int i = 0; i < Center.Length; i++)
            {
                double d = point[i] - Center[i];
                f += 0.5 * Curvature[i] * d * d;
                gradient[i] = Curvature[i] * d;
            }

            return f;
        }
    }

    public static TheoryData<string> Solvers() => ["lbfgs", "gd", "backtracking", "nesterov"];

    [Theory]
    [MemberData(nameof(Solvers))]
    public void EverySolverFindsTheMinimumOfAUsersQuadratic(string solver)
    {
        var f = new Quadratic();
        double[] start = new double[4];
        var options = new SolverOptions { Tolerance = 1e-10, MaxIterations = 100_000 };
        var reports = new List<IterationProgress>();
        options = options with { Progress = new InlineProgress(reports.Add) };
        OptimizationResult result = solver switch
        {
            "lbfgs" => Lbfgs.Minimize(f, start, options),
            "gd" => GradientDescent.Minimize(f, start, learningRate: 0.2, options),
            "backtracking" => BacktrackingGradientDescent.Minimize(f, start, initialStep: 1, options),
            _ => NesterovGradientDescent.Minimize(f, start, learningRate: 0.2, options),
        };

        Assert.True(result.Converged, $"{solver}: {result.StopReason} after {result.Iterations}");
        Close.Equal(3.0, result.Objective, 1e-12, 0, "minimum value");
        Close.Equal(Quadratic.Minimum, result.Point, 1e-8, 1e-8, "minimizer");
        Assert.Equal(result.Iterations + 1, reports.Count);
        Assert.True(reports[^1].DataPasses >= result.Iterations, "progress counts the function's evaluations");
    }

    [Fact]
    public void BadStartsAndRatesAreRefusedByName()
    {
        var f = new Quadratic();
        Assert.Contains("dimension 4", Assert.Throws<ArgumentException>(() => Lbfgs.Minimize(f, new double[3])).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => Lbfgs.Minimize(f, [0, double.NaN, 0, 0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientDescent.Minimize(f, new double[4], learningRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SolverOptions { Tolerance = -1 });
    }
}
