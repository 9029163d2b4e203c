using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// L-BFGS and OWL-QN along a regularization path carry their curvature pairs from one λ to the next
/// (<see cref="CurvatureMemory"/>): the pairs shifted to the new L2 term are exactly the new function's, and the path
/// takes far fewer passes than the same warm-started fits with an empty memory each, at the same optima.
/// </summary>
public class CarriedCurvatureTests
{
    [Theory]
    [InlineData(0.3, 0.05)]
    [InlineData(0.3, -0.2)]
    [InlineData(0.0, 1.5)]
    public void ShiftedPairsAreThoseOfTheNewL2Term(double l2, double delta)
    {
        // f(x) = ½xᵀAx + l2/2·‖x₀..ₘ‖², the last coordinate (an intercept) unpenalized: y = (A + l2·P)s exactly.
        const int n = 7, m = n - 1, capacity = 4;
        var random = new Random(11);
        double[] b = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] a = new double[n * n]; // BᵀB + 0.1 I: positive definite
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = i == j ? 0.1 : 0;
                for (int k = 0; k < n; k++)
                {
                    sum += b[(k * n) + i] * b[(k * n) + j];
                }

                a[(i * n) + j] = sum;
            }
        }

        double[] Curvature(double[] s, double penalty)
        {
            double[] y = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    y[i] += a[(i * n) + j] * s[j];
                }

                y[i] += i < m ? penalty * s[i] : 0;
            }

            return y;
        }

        var memory = new CurvatureMemory(n, capacity);
        var steps = new List<double[]>();
        for (int k = 0; k < 6; k++) // more pairs than slots: the ring wraps
        {
            double[] s = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            double[] y = Curvature(s, l2);
            s.CopyTo(memory.CandidateS, 0);
            y.CopyTo(memory.CandidateY, 0);
            memory.Accept(TensorPrimitives.Dot<double>(s, y), TensorPrimitives.Dot<double>(y, y), TensorPrimitives.Dot<double>(s, s));
            steps.Add(s);
        }

        Assert.Equal(capacity, memory.Stored);
        memory.ShiftL2(delta, m);

        Assert.Equal(capacity, memory.Stored);
        for (int k = 0; k < capacity; k++)
        {
            int slot = memory.Slot(k);
            double[] s = steps[^(k + 1)];
            double[] expected = Curvature(s, l2 + delta);
            Assert.Equal(s, memory.S[slot]);
            for (int i = 0; i < n; i++)
            {
                Close.Equal(expected[i], memory.Y[slot][i], 1e-14, 1e-15, $"y[{i}] of the pair {k} newest");
            }

            Close.Equal(1 / TensorPrimitives.Dot<double>(s, expected), memory.Rho[slot], 1e-13, 0, $"ρ of the pair {k} newest");
            if (k == 0)
            {
                Close.Equal(TensorPrimitives.Dot<double>(s, expected) / TensorPrimitives.Dot<double>(expected, expected), memory.Gamma, 1e-13, 0, "γ");
            }
        }
    }

    [Fact]
    public void AShiftThatLeavesNoCurvatureEmptiesTheMemory()
    {
        // f's only curvature is the L2 term's (y = l2·s on penalized coordinates): taking it away leaves sᵀy = 0.
        var memory = new CurvatureMemory(3, 2);
        double[] s = [0.5, -1, 0];
        double[] y = [0.25 * 0.5, 0.25 * -1, 0];
        s.CopyTo(memory.CandidateS, 0);
        y.CopyTo(memory.CandidateY, 0);
        memory.Accept(TensorPrimitives.Dot<double>(s, y), TensorPrimitives.Dot<double>(y, y), TensorPrimitives.Dot<double>(s, s));
        Assert.Equal(1, memory.Stored);

        memory.ShiftL2(-0.25, 2);

        Assert.Equal(0, memory.Stored);
    }

    [Fact]
    public void AMemoryOfTheWrongShapeIsRefused()
    {
        DenseDataset<double> data = Data();
        var objective = new LogisticObjective<double>(data, Penalty.ElasticNet(0.01, 1));
        var rules = new StoppingRules(100, 1e-6, null, null, () => 0, CancellationToken.None);
        double[] start = new double[objective.Dimension];

        var wrongSize = new CurvatureMemory(objective.Dimension + 1, 10);
        var wrongCapacity = new CurvatureMemory(objective.Dimension, 5);

        Assert.Contains("this fit needs 10 of", Assert.Throws<ArgumentException>(() => OwlQn.Minimize(objective, start, 0.01, data.Columns, 10, rules, wrongSize)).Message);
        Assert.Contains("this fit needs 10 of", Assert.Throws<ArgumentException>(() => Lbfgs.Minimize(objective, start, 10, rules, wrongCapacity)).Message);
    }

    /// <summary>
    /// The path against the same λ sequence fitted warm-started with an empty memory at each λ (what the path did before
    /// it carried the pairs): the same optima, in well under the passes — the first step of a warm start is a
    /// quasi-Newton step instead of a unit-length steepest-descent step halved down to the small move it needs.
    /// </summary>
    [Theory]
    [InlineData(1.0)] // lasso: OWL-QN
    [InlineData(0.5)] // elastic net: OWL-QN, the L2 term shifting with λ
    [InlineData(0.0)] // ridge: L-BFGS
    public void APathCarryingItsCurvatureReachesTheSameOptimaInFewerPasses(double rho)
    {
        DenseDataset<double> data = Data();
        var options = new TrainingOptions { L1Ratio = rho, Solver = Solver.OwlQn, Tolerance = 1e-7, MaxIterations = 10_000, MaxDegreeOfParallelism = 1 };
        var grid = new PathOptions { Count = 25, MinRatio = 1e-3 };
        RegularizationPath path = RegularizationPath.Compute(data, options, grid);

        // The same sequence, each λ warm-started from the last optimum with an empty memory.
        var smooth = new LogisticObjective<double>(data, Penalty.None, fitIntercept: true, maxDegreeOfParallelism: 1);
        int d = data.Columns;
        double[] g0 = new double[smooth.Dimension];
        smooth.Evaluate(new double[smooth.Dimension], g0);
        double[] start = new double[smooth.Dimension];
        start[d] = path.InterceptOnlyBias;
        double[] reference = new double[smooth.Dimension];
        double coldPasses = 0;
        foreach (PathPoint point in path.Points)
        {
            Penalty penalty = Penalty.ElasticNet(point.Lambda, rho);
            LogisticObjective<double> objective = smooth.WithPenalty(penalty);
            OwlQn.PseudoGradient(new double[smooth.Dimension], g0, penalty.L1Strength, d, reference);
            double before = objective.DataPasses;
            var rules = new StoppingRules(options.MaxIterations, options.Tolerance, TensorPrimitives.Norm<double>(reference), null, () => 0, CancellationToken.None);
            OptimizationResult cold = penalty.L1Strength > 0
                ? OwlQn.Minimize(objective, start, penalty.L1Strength, d, options.LbfgsHistory, rules)
                : Lbfgs.Minimize(objective, start, options.LbfgsHistory, rules);
            coldPasses += objective.DataPasses - before;
            cold.Point.CopyTo(start, 0);

            Close.Equal(cold.Objective, point.Objective, 1e-6, 0, $"objective at λ = {point.Lambda:G4}");
        }

        double carriedPasses = path.Points.Sum(p => p.DataPasses);
        Assert.True(carriedPasses < 0.7 * coldPasses, $"the path took {carriedPasses} passes; warm starts with an empty memory {coldPasses}");
    }

    /// <summary>800 rows × 12 columns of one scale, labels from a logistic model: well conditioned, as OWL-QN's paths are.</summary>
    private static DenseDataset<double> Data()
    {
        (double[] x, double[] y) = SyntheticData.Generate(800, 12, 7);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] /= 1 + (i % 12 % 5); // the generator's columns span 1–5; one scale here
        }

        return DenseDataset.Create(x, y, 12);
    }
}
