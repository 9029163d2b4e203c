using FastLogReg.Data;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Newton;

/// <summary>L-BFGS on long parameter vectors (200,000+ values, as sparse text data has): the optimum, and the same bits for any thread count.</summary>
public class LongVectorTests
{
    [Fact]
    public void ALongQuadraticIsMinimized()
    {
        // f(x) = Σ ½aᵢ(xᵢ − 1)², aᵢ from 1 to 100: the minimum is x = 1.
        int n = 300_000;
        var f = new Quadratic(n);
        OptimizationResult result = Lbfgs.Minimize(f, new double[n], new SolverOptions { Tolerance = 1e-10, MaxIterations = 500 });
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.True(result.Point.Max(v => Math.Abs(v - 1)) < 1e-6, $"max |x − 1| = {result.Point.Max(v => Math.Abs(v - 1))}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ASparseFitWithManyColumnsIsBitIdenticalForAnyNumberOfThreads(int threads)
    {
        // 2,000 rows over 200,000 columns, 20 non-zeros a row: 200,001 parameters.
        var rng = new Random(5);
        int rows = 2000, columns = 200_000, perRow = 20;
        var values = new List<float>();
        var indices = new List<int>();
        long[] offsets = new long[rows + 1];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            int[] cols = Enumerable.Range(0, perRow).Select(_ => rng.Next(columns)).Distinct().Order().ToArray();
            double z = 0;
            foreach (int c in cols)
            {
                float v = (float)rng.NextDouble();
                values.Add(v);
                indices.Add(c);
                z += (c % 7 == 0 ? 3 : -1) * v;
            }

            y[i] = z + rng.NextDouble() > 0 ? 1 : 0;
            offsets[i + 1] = values.Count;
        }

        var data = SparseDataset.Create(CsrMatrix.Create<float>(values.ToArray(), indices.ToArray(), offsets, columns), y);
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-8, MaxIterations = 300 };
        TrainingResult one = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = 1 });
        TrainingResult many = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = threads });
        Assert.True(one.Report.Converged, one.Report.Message);
        Assert.Equal(one.Model.Weights.ToArray(), many.Model.Weights.ToArray());
        Assert.Equal(one.Model.Bias, many.Model.Bias);
        Assert.Equal(one.Report.Iterations, many.Report.Iterations);

        // And the same optimum as trust-region Newton's (a different path to it).
        TrainingResult newton = LogisticRegression.Train(data, options with { Solver = Solver.Newton, Tolerance = 1e-10 });
        Close.Equal(newton.Report.FinalObjective, one.Report.FinalObjective, 1e-9, 0, "objective");
    }

    private sealed class Quadratic(int n) : IDifferentiableFunction
    {
        public int Dimension => n;

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            double f = 0;
            for (int i = 0; i < n; i++)
            {
                double a = 1 + (i % 100), d = point[i] - 1;
                gradient[i] = a * d;
                f += 0.5 * a * d * d;
            }

            return f;
        }
    }
}
