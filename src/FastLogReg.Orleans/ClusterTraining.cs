using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;

namespace FastLogReg.Orleans;

/// <summary>How a training job is spread over a cluster.</summary>
public sealed record ClusterTrainingOptions
{
    /// <summary>Shards to cut the data set into (fewer when it has fewer chunks). Default 4.</summary>
    public int Shards { get; init; } = 4;

    /// <summary>The label column's name or 1-based number; null for the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Keep the features as float on the silos (else double). Default false.</summary>
    public bool Float { get; init; }

    /// <summary>Attempts per shard call before the job fails (a failed or timed-out call is retried: evaluation is pure). Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>How long one shard call may take before it is retried. Default 2 minutes.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A name for the job's grains (so that two jobs on one cluster do not share shards). Default: a new GUID.</summary>
    public string? JobId { get; init; }

    /// <summary>Called before each evaluation of the objective with its 1-based number (progress, or fault injection in tests).</summary>
    public Action<int>? BeforeEvaluation { get; init; }
}

/// <summary>The model a cluster trained, and how.</summary>
/// <param name="Model">The binary model on raw features.</param>
/// <param name="Optimization">Where the solver stopped and why.</param>
/// <param name="Shards">The shards used.</param>
/// <param name="Retries">Shard calls that failed or timed out and were made again.</param>
/// <param name="KernelWidth">The SIMD width every silo ran its kernels at.</param>
public sealed record ClusterTrainingResult(LogisticModel Model, OptimizationResult Optimization, int Shards, int Retries, string KernelWidth);

/// <summary>
/// Binary L2 training of a CSV file on an Orleans cluster, bit-identical to <see cref="LogisticRegression.Train{T}"/> on
/// the whole file on one machine (same options, same SIMD width): the file is cut into shards on the data set's own
/// chunk boundaries (<see cref="ShardPlan"/>), each shard grain reads its rows from the file on its silo, and every
/// evaluation of the objective broadcasts the parameters, gathers each chunk's raw sums and folds them in the data set's
/// order (<see cref="ShardedLossSums.Fold"/>); L-BFGS drives it exactly as the local fit does.
/// </summary>
public static class ClusterTraining
{
    /// <summary>Trains on the CSV file at <paramref name="path"/> (a path every silo can read).</summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="path">The CSV file: a header line, numeric features, a binary label.</param>
    /// <param name="options">L2 strength, tolerance, iteration limit, class weights, history; the solver must be L-BFGS (or Auto), no L1, no standardization.</param>
    /// <param name="cluster">Shards, retries, the label column.</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    /// <exception cref="NotSupportedException">An option this version cannot shard (the message says which).</exception>
    /// <exception cref="InvalidOperationException">The silos run different SIMD widths, or a shard failed every attempt.</exception>
    public static async Task<ClusterTrainingResult> TrainAsync(IGrainFactory grains, string path, TrainingOptions options, ClusterTrainingOptions? cluster = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        cluster ??= new ClusterTrainingOptions();
        Check(options, cluster);
        string job = cluster.JobId ?? Guid.NewGuid().ToString("N");
        var calls = new ShardCalls(cluster);

        // The plan needs the file's size: one grain reads it on its silo (the rows never come here).
        ShardReport size = await calls.Run(() => grains.GetGrain<IShardGrain>($"{job}/describe").Describe(path, cluster.LabelColumn)).ConfigureAwait(false);
        ShardPlan plan = ShardPlan.Dense(size.FileRows, size.FileColumns, cluster.Float ? sizeof(float) : sizeof(double), cluster.Shards);
        ShardSource[] sources = plan.Shards.Select(s => new ShardSource { Path = path, LabelColumn = cluster.LabelColumn, Rows = plan.Rows, Columns = plan.Columns, Shards = cluster.Shards, Index = s.Index, Float = cluster.Float }).ToArray();
        IShardGrain[] shards = sources.Select(s => grains.GetGrain<IShardGrain>($"{job}/{s.Index}")).ToArray();

        // First pass: every shard loads its rows and reports its chunks' class totals, merged in order as a local fit merges them.
        ShardReport[] reports = await Task.WhenAll(shards.Select((g, i) => calls.Run(() => g.Load(sources[i])))).ConfigureAwait(false);
        string width = reports[0].Simd;
        if (reports.FirstOrDefault(r => r.Simd != width) is { } other)
        {
            throw new InvalidOperationException($"The silos run different SIMD widths ({width} and {other.Simd}): the sums would round differently. Pin one width on every silo (FASTLOGREG_MAX_SIMD_WIDTH).");
        }

        ClassTotals totals = ShardedLossSums.MergeTotals(reports.SelectMany(r => Totals(r)));
        (double cw0, double cw1) = ShardedLossSums.ResolveClassWeights(totals, options.ClassWeights);
        var source = new ClusterLossSums(shards, sources, plan, cw0, cw1, ShardedLossSums.TotalWeightOf(totals, cw0, cw1), calls, cluster.BeforeEvaluation);
        var objective = new RegularizedObjective(source, options.Penalty, options.FitIntercept);

        // The solver calls the objective synchronously; it runs on its own thread, waiting on the shards' answers.
        OptimizationResult result = await Task.Factory.StartNew(
            () => Lbfgs.Minimize(objective, new double[plan.Columns + 1], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        var model = new LogisticModel(result.Point.AsSpan(0, plan.Columns).ToArray(), options.FitIntercept ? result.Point[plan.Columns] : 0.0);
        return new ClusterTrainingResult(model, result, plan.Shards.Count, calls.Retries, width);
    }

    private static void Check(TrainingOptions options, ClusterTrainingOptions cluster)
    {
        if (options.Solver is not (Solver.Auto or Solver.Lbfgs))
        {
            throw new NotSupportedException($"Sharded training runs L-BFGS; {options.Solver} is not sharded yet.");
        }

        if (options.L1Ratio > 0 && options.L2 > 0)
        {
            throw new NotSupportedException("Sharded training takes an L2 penalty; L1 and elastic net (OWL-QN) are not sharded yet.");
        }

        if (options.Standardize)
        {
            throw new NotSupportedException("Sharded training does not standardize yet (the column moments are not merged over shards): standardize the file, or train without.");
        }

        if (options.InitialModel is not null || options.MultiClass != MultiClass.Auto)
        {
            throw new NotSupportedException("Sharded training is binary and starts from zero (no warm start).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(cluster.Shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cluster.MaxAttempts, 1);
    }

    private static IEnumerable<ClassTotals> Totals(ShardReport report)
    {
        for (int c = 0; c < report.Counts.Length / 2; c++)
        {
            var totals = new ClassTotals(2);
            totals.Counts[0] = report.Counts[2 * c];
            totals.Counts[1] = report.Counts[(2 * c) + 1];
            totals.Weights[0] = report.Weights[2 * c];
            totals.Weights[1] = report.Weights[(2 * c) + 1];
            yield return totals;
        }
    }

    /// <summary>The objective's rows on the cluster: every shard evaluated at once, the chunk sums folded in order.</summary>
    private sealed class ClusterLossSums(IShardGrain[] shards, ShardSource[] sources, ShardPlan plan, double cw0, double cw1, double totalWeight, ShardCalls calls, Action<int>? beforeEvaluation) : ILossSumsSource
    {
        private readonly LossSums[][] _chunks = plan.Shards.Select(s => Enumerable.Range(0, s.Chunks).Select(_ => new LossSums(plan.Columns)).ToArray()).ToArray();
        private int _evaluations;

        public int Columns => plan.Columns;

        public double TotalWeight => totalWeight;

        public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
        {
            beforeEvaluation?.Invoke(++_evaluations);
            byte[] parameters = ChunkCodec.Parameters(weights, bias);
            byte[][] answers = Task.WhenAll(shards.Select((g, i) => calls.Run(() => g.EvaluateChunks(sources[i], cw0, cw1, parameters)))).GetAwaiter().GetResult();
            for (int s = 0; s < answers.Length; s++)
            {
                ChunkCodec.Decode(answers[s], _chunks[s]);
            }

            ShardedLossSums.Fold(_chunks.SelectMany(c => c), sums);
        }
    }

    /// <summary>Shard calls with a timeout, retried on failure (evaluation is pure: a retry gives the same bits).</summary>
    private sealed class ShardCalls(ClusterTrainingOptions options)
    {
        private int _retries;

        public int Retries => _retries;

        public async Task<TResult> Run<TResult>(Func<Task<TResult>> call)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return await call().WaitAsync(options.CallTimeout).ConfigureAwait(false);
                }
                catch (Exception e) when (attempt < options.MaxAttempts && e is not (ArgumentException or NotSupportedException or InvalidOperationException or IOException or FastLogReg.IO.DataFormatException))
                {
                    Interlocked.Increment(ref _retries);
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt)).ConfigureAwait(false);
                }
            }
        }
    }
}
