using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>Gradient descent's defining properties: descent with a safe step falls, ascent rises.</summary>
public class GradientDescentProperties
{
    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public void ObjectiveNeverIncreasesWithSafeLearningRate_Double(Problem p) => AssertMonotone<double>(p, relativeSlack: 1e-12);

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public void ObjectiveNeverIncreasesWithSafeLearningRate_Float(Problem p) => AssertMonotone<float>(p, relativeSlack: 1e-6);

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public Property GradientAscentMakesTheObjectiveRise(Problem p)
    {
        (DenseDataset<double> data, _, _) = TestData.Build<double>(p);
        var objective = new LogisticObjective<double>(data, p.L2);
        double eta = LogisticRegression.SafeLearningRate(data, p.L2);
        double[] point = new double[objective.Dimension];
        double[] gradient = new double[point.Length];
        double f = objective.Evaluate(point, gradient);
        double initialNorm = Math.Sqrt(gradient.Sum(g => g * g));

        return Prop.When(initialNorm > 1e-6, () =>
        {
            double f0 = f;
            for (int epoch = 0; epoch < 10; epoch++)
            {
                double squaredNorm = gradient.Sum(g => g * g);
                for (int j = 0; j < point.Length; j++)
                {
                    point[j] += eta * gradient[j]; // the classic sign bug: + instead of −
                }

                double next = objective.Evaluate(point, gradient);

                // f is convex, so f(θ + η∇f) ≥ f(θ) + η‖∇f‖²: ascent must rise by at least that much
                // (less the rounding of a sum of up to 600 terms).
                Assert.True(next >= f + (eta * squaredNorm) - (1e-12 * Math.Abs(f)), $"epoch {epoch}: ascent went from {f:R} to {next:R} ({p})");
                f = next;
            }

            Assert.True(f > f0, $"ten ascent steps did not raise the objective above {f0:R} ({p})");
        });
    }

    private static void AssertMonotone<T>(Problem p, double relativeSlack)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> data, _, _) = TestData.Build<T>(p);

        // η ≤ 4/(‖X̃‖²_F/n + 4λ) = 1/L: every step decreases a convex f whose gradient is L-Lipschitz.
        double eta = LogisticRegression.SafeLearningRate(data, p.L2);
        var options = new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = eta, MaxIterations = 25, Tolerance = 0, L2 = p.L2, MaxDegreeOfParallelism = 1 };
        TrainingReport report = LogisticRegression.Train(data, options).Report;

        IReadOnlyList<double> h = report.ObjectiveHistory;
        Assert.Equal(report.Iterations + 1, h.Count);
        for (int k = 1; k < h.Count; k++)
        {
            Assert.True(h[k] <= h[k - 1] + (relativeSlack * Math.Abs(h[k - 1])), $"epoch {k}: objective rose from {h[k - 1]:R} to {h[k]:R} with η = {eta} ({p})");
        }
    }
}

/// <summary>Results do not depend on the number of threads.</summary>
public class DeterminismProperties
{
    private static readonly int[] Degrees = [1, 2, 3, 8];

    [Property(Arbitrary = [typeof(LargeGenerators)], MaxTest = 10)]
    public void GradientIsBitIdenticalForAnyDegreeOfParallelism_Double(Problem p) => AssertBitIdentical<double>(p);

    [Property(Arbitrary = [typeof(LargeGenerators)], MaxTest = 10)]
    public void GradientIsBitIdenticalForAnyDegreeOfParallelism_Float(Problem p) => AssertBitIdentical<float>(p);

    private static void AssertBitIdentical<T>(Problem p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> data, double[] w, double b) = TestData.Build<T>(p);
        double[] point = TestData.Point(w, b);
        double[]? reference = null;
        double[]? referenceWeights = null;
        foreach (int dop in Degrees)
        {
            var objective = new LogisticObjective<T>(data, p.L2, fitIntercept: true, maxDegreeOfParallelism: dop);
            Assert.True(objective.ChunkCount > 1, $"the data should span several chunks ({p})");
            double[] gradient = new double[point.Length + 1];
            gradient[^1] = objective.Evaluate(point, gradient.AsSpan(0, point.Length));

            var options = new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 0.5, MaxIterations = 3, Tolerance = 0, L2 = p.L2, MaxDegreeOfParallelism = dop };
            LogisticModel model = LogisticRegression.Train(data, options).Model;
            double[] weights = [.. model.Weights, model.Bias];

            if (reference is null)
            {
                reference = gradient;
                referenceWeights = weights;
                continue;
            }

            for (int i = 0; i < gradient.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(reference[i]) == BitConverter.DoubleToInt64Bits(gradient[i]), $"DOP {dop}: element {i} is {gradient[i]:R}, with DOP 1 {reference[i]:R} ({p})");
            }

            for (int i = 0; i < weights.Length; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(referenceWeights![i]) == BitConverter.DoubleToInt64Bits(weights[i]), $"DOP {dop}: trained weight {i} differs ({p})");
            }
        }
    }
}
