namespace FastLogReg.GateProbe;

/// <summary>A named workload: its setup (data generation, not timed) returns the call to time.</summary>
/// <param name="Name">The name the gate matches baseline and candidate results by; never rename one lightly.</param>
/// <param name="Description">What it measures.</param>
/// <param name="Setup">Builds the data and returns the call.</param>
internal sealed record Workload(string Name, string Description, Func<Func<double>> Setup);

/// <summary>
/// The probe's workloads, from the cache-resident epoch to the small-problem end. The two 1,000,000 × 100 workloads share
/// one data set, generated once per process on first use (400 MB of floats).
/// </summary>
internal static class Workloads
{
    private static (float[] Features, float[] Labels, double[] Point)? s_large;

    public static IReadOnlyList<Workload> All { get; } =
    [
        new("fit-569x30-lbfgs", "LogisticRegression.Train on the bundled breast-cancer data (double): L-BFGS, standardized, L2 = 1/569, 1 thread", () =>
        {
            (double[] x, double[] y, int columns) = ProbeData.BreastCancer();
            return LibraryCalls.Fit(x, y, columns, threads: 1);
        }),
        new("epoch-20000x100-float-2t", "one LogisticObjective<float>.Evaluate on 20,000 x 100 (8 MB, cache-resident), 2 threads", () =>
        {
            (float[] x, float[] y, double[] point) = ProbeData.Synthetic(20_000, 100, seed: 20_000);
            return LibraryCalls.Epoch(x, y, 100, point, threads: 2);
        }),
        new("epoch-1000000x100-float-2t", "one LogisticObjective<float>.Evaluate on 1,000,000 x 100 (400 MB, memory-bound), 2 threads", () =>
        {
            (float[] x, float[] y, double[] point) = Large();
            return LibraryCalls.Epoch(x, y, 100, point, threads: 2);
        }),
        new("predict-1000000x100-float-1t", "LogisticModel.PredictProbabilities of the same 1,000,000 x 100 rows, 1 thread", () =>
        {
            (float[] x, _, double[] point) = Large();
            return LibraryCalls.Predict(x, 100, point, threads: 1);
        }),
    ];

    private static (float[] Features, float[] Labels, double[] Point) Large() => s_large ??= ProbeData.Synthetic(1_000_000, 100, seed: 1_000_000);
}
