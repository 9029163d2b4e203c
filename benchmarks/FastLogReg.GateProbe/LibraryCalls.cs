// Every call the probe makes into FastLogReg is in this file, so that a change of the library's public API touches the
// probe here only. The rest of the probe sees plain arrays and delegates.
//
// Which API is compiled is chosen by the MSBuild property GateProbeApi (default v2; -p:GateProbeApi=v1 defines
// GATE_PROBE_API_V1). When the public API changes: add a branch `#elif GATE_PROBE_API_V2` with the new calls, make v2
// the default in FastLogReg.GateProbe.csproj, and keep the v1 branch for baselines older than the change (.ci/run
// builds a baseline that has no probe of its own with this directory, passing the API named in
// perf-results/gate/baseline-commit).
#if GATE_PROBE_API_V1
namespace FastLogReg.GateProbe;

/// <summary>
/// The probe's calls into FastLogReg's public API, version 1: <c>DenseDataset.Create</c>,
/// <c>new LogisticObjective&lt;float&gt;(data, l2, fitIntercept, maxDegreeOfParallelism)</c> and <c>Evaluate</c>,
/// <c>LogisticModel.PredictProbabilities</c>, <c>LogisticRegression.Train</c> with <c>TrainingOptions</c>.
/// Each method does the setup once and returns the call to time.
/// </summary>
internal static class LibraryCalls
{
    /// <summary>The API version compiled, reported with every result.</summary>
    public const string Api = "v1";

    /// <summary>One epoch: the mean loss and full gradient at <paramref name="point"/> (no L2, with an intercept).</summary>
    /// <param name="features">Row-major rows of <paramref name="columns"/> values.</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="point">(w, b): <paramref name="columns"/> weights, then the intercept.</param>
    /// <param name="threads">The objective's maximum degree of parallelism.</param>
    public static Func<double> Epoch(float[] features, float[] labels, int columns, double[] point, int threads)
    {
        DenseDataset<float> data = DenseDataset.Create(features, labels, columns);
        var objective = new LogisticObjective<float>(data, l2: 0, fitIntercept: true, maxDegreeOfParallelism: threads);
        double[] gradient = new double[point.Length];
        return () => objective.Evaluate(point, gradient);
    }

    /// <summary>Batch prediction: σ(wᵀx + b) for every row into a buffer allocated once.</summary>
    /// <param name="features">Row-major rows of <paramref name="columns"/> values.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="point">(w, b): <paramref name="columns"/> weights, then the intercept.</param>
    /// <param name="threads">Prediction's maximum degree of parallelism.</param>
    public static Func<double> Predict(float[] features, int columns, double[] point, int threads)
    {
        var model = new LogisticModel(point.AsSpan(0, columns), point[columns]);
        double[] probabilities = new double[features.Length / columns];
        return () => model.PredictProbabilities<float>(features, probabilities, threads) + probabilities[0];
    }

    /// <summary>A whole training run: L-BFGS (default tolerance), standardized features, L2 = 1/rows.</summary>
    /// <param name="features">Row-major rows of <paramref name="columns"/> values.</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="threads">Training's maximum degree of parallelism.</param>
    public static Func<double> Fit(double[] features, double[] labels, int columns, int threads)
    {
        DenseDataset<double> data = DenseDataset.Create(features, labels, columns);
        var options = new TrainingOptions
        {
            Solver = Solver.Lbfgs,
            Standardize = true,
            L2 = 1.0 / data.Rows,
            MaxDegreeOfParallelism = threads,
        };
        return () => LogisticRegression.Train(data, options).Report.Iterations;
    }
}
#elif GATE_PROBE_API_V2
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;

namespace FastLogReg.GateProbe;

/// <summary>
/// The probe's calls into FastLogReg's public API, version 2 (namespaces by layer: FastLogReg.Data, .Models, .Objective, .Training): <c>DenseDataset.Create</c>,
/// <c>new LogisticObjective&lt;float&gt;(data, l2, fitIntercept, maxDegreeOfParallelism)</c> and <c>Evaluate</c>,
/// <c>LogisticModel.PredictProbabilities</c>, <c>LogisticRegression.Train</c> with <c>TrainingOptions</c>.
/// Each method does the setup once and returns the call to time.
/// </summary>
internal static class LibraryCalls
{
    /// <summary>The API version compiled, reported with every result.</summary>
    public const string Api = "v2";

    /// <summary>One epoch: the mean loss and full gradient at <paramref name="point"/> (no L2, with an intercept).</summary>
    /// <param name="features">Row-major rows of <paramref name="columns"/> values.</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="point">(w, b): <paramref name="columns"/> weights, then the intercept.</param>
    /// <param name="threads">The objective's maximum degree of parallelism.</param>
    public static Func<double> Epoch(float[] features, float[] labels, int columns, double[] point, int threads)
    {
        DenseDataset<float> data = DenseDataset.Create(features, labels, columns);
        var objective = new LogisticObjective<float>(data, l2: 0, fitIntercept: true, maxDegreeOfParallelism: threads);
        double[] gradient = new double[point.Length];
        return () => objective.Evaluate(point, gradient);
    }

    /// <summary>Batch prediction: σ(wᵀx + b) for every row into a buffer allocated once.</summary>
    /// <param name="features">Row-major rows of <paramref name="columns"/> values.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="point">(w, b): <paramref name="columns"/> weights, then the intercept.</param>
    /// <param name="threads">Prediction's maximum degree of parallelism.</param>
    public static Func<double> Predict(float[] features, int columns, double[] point, int threads)
    {
        var model = new LogisticModel(point.AsSpan(0, columns), point[columns]);
        double[] probabilities = new double[features.Length / columns];
        return () => model.PredictProbabilities<float>(features, probabilities, threads) + probabilities[0];
    }

    /// <summary>A whole training run: L-BFGS (default tolerance), standardized features, L2 = 1/rows.</summary>
    /// <param name="features">Row-major rows of <paramref name="columns"/> values.</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="threads">Training's maximum degree of parallelism.</param>
    public static Func<double> Fit(double[] features, double[] labels, int columns, int threads)
    {
        DenseDataset<double> data = DenseDataset.Create(features, labels, columns);
        var options = new TrainingOptions
        {
            Solver = Solver.Lbfgs,
            Standardize = true,
            L2 = 1.0 / data.Rows,
            MaxDegreeOfParallelism = threads,
        };
        return () => LogisticRegression.Train(data, options).Report.Iterations;
    }
}
#else
#error GateProbeApi names no API this probe knows (known: v1, v2).
#endif
