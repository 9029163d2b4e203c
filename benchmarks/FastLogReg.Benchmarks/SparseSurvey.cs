using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Solvers on the synthetic text-like sparse shapes (<see cref="SparseWorkload"/>), C = 1, two threads: each solver at
/// tolerances 10⁻³ … 10⁻¹⁰ (each fit one Stopwatch run from a cold start), its objective, passes, iterations and wall
/// time; the gap is taken against the lowest objective any of them reached. A survey of where each solver's time
/// goes, not a time comparison (the BenchmarkDotNet runs are). Run with <c>--sparse-survey [output.md [shape …]]</c>.
/// </summary>
internal static class SparseSurvey
{
    private static readonly string[] Shapes = ["20000x500000x600", "200000x1000000x50"];

    /// <summary>One fit (<c>--sparse-fit shape solver tolerance [repeats]</c>), timed: for profiling.</summary>
    public static int Fit(string[] args)
    {
        int[] parts = args[0].Split('x').Select(int.Parse).ToArray();
        var work = new SparseWorkload(parts[0], parts[1], parts[2], threads: 2);
        double c = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 1.0;
        var options = new TrainingOptions { Solver = Enum.Parse<Solver>(args[1]), Lambda = TrainingOptions.L2FromScikitLearnC(c, work.Data.Rows), Tolerance = double.Parse(args[2], CultureInfo.InvariantCulture), MaxIterations = 100_000, MaxDegreeOfParallelism = 2 };
        for (int k = 0; k < (args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1); k++)
        {
            var clock = Stopwatch.StartNew();
            TrainingReport report = LogisticRegression.Train(work.Data, options).Report;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} iterations, {1} passes, {2:F0} ms, objective {3:R}", report.Iterations, report.DataPasses, clock.Elapsed.TotalMilliseconds, report.FinalObjective));
        }

        return 0;
    }

    /// <summary>
    /// One epoch (loss and gradient) and one Hessian-vector product, row-major scatter against the column-major copy,
    /// median of 21 (<c>--sparse-epoch shape</c>): a probe; the BenchmarkDotNet runs are the record.
    /// </summary>
    public static int Epoch(string shape)
    {
        int[] parts = shape.Split('x').Select(int.Parse).ToArray();
        var work = new SparseWorkload(parts[0], parts[1], parts[2], threads: 2);
        var layout = Kernels.FeatureLayout<float>.For(work.Data);
        int d = work.Data.Columns;
        double[] g = new double[d];
        double[] u = new double[d];
        for (int j = 0; j < d; j++)
        {
            u[j] = Math.Sin(j);
        }

        foreach (bool columnMajor in new[] { false, true })
        {
            var clock = Stopwatch.StartNew();
            var loss = new Objective.ChunkedBinomialLoss<float>(layout, 2, 1, 1, work.Data.Rows, columnMajor);
            double setup = clock.Elapsed.TotalMilliseconds;
            double epoch = Calibration.MedianMilliseconds(() => { loss.Evaluate(work.Point.AsSpan(0, d), work.Point[d], g, out _, out _); return null; }, 21);
            double curvature = Calibration.MedianMilliseconds(() => loss.PrepareCurvature(work.Point.AsSpan(0, d), work.Point[d], default, default), 21);
            double hv = Calibration.MedianMilliseconds(() => { loss.HessianVector(u, 0.5, g, out _); return null; }, 21);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} column-major {1}: setup {2:F1} ms, epoch {3:F2} ms, Hv {4:F2} ms, curvature pass (the margins' gather) {5:F2} ms", shape, columnMajor, setup, epoch, hv, curvature));
        }

        return 0;
    }

    /// <summary>Reads a LIBSVM file <c>repeats</c> times on <c>threads</c> threads (<c>--libsvm-load path threads repeats</c>), each timed: for profiling.</summary>
    public static int LoadLibSvm(string[] args)
    {
        int threads = int.Parse(args[1], CultureInfo.InvariantCulture), repeats = int.Parse(args[2], CultureInfo.InvariantCulture);
        for (int k = 0; k < repeats; k++)
        {
            var clock = Stopwatch.StartNew();
            long nonZeros = IO.LibSvmDataReader.ReadSparse<float>(args[0], new IO.LibSvmReadOptions { MaxDegreeOfParallelism = threads }).Data.Matrix.NonZeros;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} non-zeros in {1:F1} ms", nonZeros, clock.Elapsed.TotalMilliseconds));
        }

        return 0;
    }

    public static int Run(string? output, string[]? only = null)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine("| shape | solver | tolerance | iterations | passes | time | gap |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (string shape in only ?? Shapes)
        {
            int[] parts = shape.Split('x').Select(int.Parse).ToArray();
            var work = new SparseWorkload(parts[0], parts[1], parts[2], threads: 2);
            double l2 = TrainingOptions.L2FromScikitLearnC(1.0, work.Data.Rows);
            var rows = new List<(Solver Solver, double Tolerance, int Iterations, double Passes, double Milliseconds, double Objective)>();
            foreach (Solver solver in new[] { Solver.Lbfgs, Solver.Newton })
            {
                for (int k = 3; k <= 10; k++)
                {
                    double tolerance = Math.Pow(10, -k);
                    var options = new TrainingOptions { Solver = solver, Lambda = l2, Tolerance = tolerance, MaxIterations = 100_000, MaxDegreeOfParallelism = 2 };
                    var clock = Stopwatch.StartNew();
                    TrainingReport report = LogisticRegression.Train(work.Data, options).Report;
                    double ms = clock.Elapsed.TotalMilliseconds;
                    rows.Add((solver, tolerance, report.Iterations, report.DataPasses, ms, report.FinalObjective));
                    Console.WriteLine(string.Format(c, "{0} {1} tol {2:E0}: {3} iterations, {4} passes, {5:F0} ms, objective {6:R}", shape, solver, tolerance, report.Iterations, report.DataPasses, ms, report.FinalObjective));
                    if (ms > 60_000)
                    {
                        break;
                    }
                }
            }

            double best = rows.Min(r => r.Objective);
            foreach (var r in rows)
            {
                table.AppendLine(string.Format(c, "| {0} | {1} | {2:E0} | {3} | {4:G4} | {5:F0} ms | {6:E2} |", shape, r.Solver, r.Tolerance, r.Iterations, r.Passes, r.Milliseconds, (r.Objective - best) / best));
            }
        }

        Console.WriteLine(table);
        if (output is not null)
        {
            File.WriteAllText(output, table.ToString());
        }

        return 0;
    }
}
