using FastLogReg.Data;
using FastLogReg.Objective;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>The K-class objective's whole Hessian against central differences of its gradient, and its bits.</summary>
public class MultinomialHessianTests
{
    [Theory]
    [InlineData(false, false, false, 3)]
    [InlineData(false, true, true, 4)]
    [InlineData(true, false, true, 3)]
    [InlineData(true, true, false, 5)]
    public void HessianMatchesCentralDifferencesOfTheGradient(bool oneVsRest, bool standardize, bool sparse, int classes)
    {
        (DenseDataset<double> dense, _) = Problem(400, 7, classes, seed: classes);
        Dataset<double> data = sparse ? MulticlassData.Sparsify(dense, 0.5, 3).Sparse : dense;
        var objective = new MultinomialObjective<double>(data, Penalty.L2(0.05), oneVsRest, true, 2, standardize ? FeatureScaling.Compute(data) : null, ClassWeights.Balanced);
        int n = objective.Dimension;
        var rng = new Random(classes);
        double[] point = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        objective.Evaluate(point, new double[n]);
        double[] h = new double[n * n];
        Assert.True(objective.TryGetHessian(h));

        double step = 1e-5;
        double[] plus = new double[n], minus = new double[n], gPlus = new double[n], gMinus = new double[n];
        for (int j = 0; j < n; j++)
        {
            point.CopyTo(plus, 0);
            point.CopyTo(minus, 0);
            plus[j] += step;
            minus[j] -= step;
            objective.Evaluate(plus, gPlus);
            objective.Evaluate(minus, gMinus);
            for (int r = 0; r < n; r++)
            {
                Close.Equal((gPlus[r] - gMinus[r]) / (2 * step), h[(r * n) + j], 1e-5, 1e-8, $"H[{r},{j}] (one-vs-rest {oneVsRest}, standardized {standardize}, sparse {sparse})");
            }
        }

        // Symmetric, and the products go through the same matrix.
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < r; j++)
            {
                Close.Equal(h[(r * n) + j], h[(j * n) + r], 1e-12, 1e-15, $"symmetry [{r},{j}]");
            }
        }

        objective.Evaluate(point, new double[n]);
        double[] v = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray(), hv = new double[n];
        objective.HessianVector(v, hv);
        for (int r = 0; r < n; r++)
        {
            Close.Equal(Enumerable.Range(0, n).Sum(j => h[(r * n) + j] * v[j]), hv[r], 1e-12, 1e-14, $"(H·v)[{r}]");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void HessianIsBitIdenticalForAnyDegreeOfParallelism(int threads)
    {
        (DenseDataset<double> data, _) = Problem(8000, 30, 4, seed: 1);
        double[] Hessian(int t)
        {
            var objective = new MultinomialObjective<double>(data, Penalty.L2(0.01), false, true, t);
            double[] point = Enumerable.Range(0, objective.Dimension).Select(i => Math.Sin(i) * 0.1).ToArray();
            objective.Evaluate(point, new double[point.Length]);
            double[] h = new double[point.Length * point.Length];
            Assert.True(objective.TryGetHessian(h));
            return h;
        }

        Assert.Equal(Hessian(1), Hessian(threads));
    }

    private static (DenseDataset<double> Data, double[] Weights) Problem(int rows, int columns, int classes, int seed)
    {
        var rng = new Random(seed);
        double[] w = Enumerable.Range(0, classes * columns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] x = Enumerable.Range(0, rows * columns).Select(i => ((rng.NextDouble() * 2) - 1) * (1 + (i % columns))).ToArray();
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double best = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                double z = rng.NextDouble() * 2;
                for (int j = 0; j < columns; j++)
                {
                    z += w[(k * columns) + j] * x[(i * columns) + j];
                }

                if (z > best)
                {
                    best = z;
                    y[i] = k;
                }
            }
        }

        return (DenseDataset.Create(x, y, columns, classes), w);
    }
}
