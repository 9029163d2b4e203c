using System.Runtime.InteropServices;
using FastLogReg.Objective;

namespace FastLogReg.Orleans;

/// <summary>
/// A CSV file's rows held by shard grains on an Orleans cluster, as an <see cref="ILossSumsSource"/>: each evaluation
/// sends the parameters to every shard at once (as bytes), gathers each chunk's raw sums and folds them in the data
/// set's order (<see cref="ShardedLossSums.Fold"/>) — the local fit's sums, bit for bit. Any solver over a
/// <see cref="RegularizedObjective"/> on it runs as on one machine. Failed or timed-out calls are retried.
/// </summary>
/// <remarks>
/// <see cref="Evaluate"/> is synchronous (solvers call it so) and waits for the shards: call it from a client or a
/// thread of its own (as <see cref="ClusterTraining.TrainAsync"/> does), never from inside a grain, whose single
/// thread would then wait on calls it has to serve.
/// </remarks>
public sealed class ClusterLossSums : ICurvatureSource
{
    private readonly IShardGrain[] _shards;
    private readonly ShardSource[] _sources;
    private readonly LossSums[][] _chunks;
    private readonly ShardCalls _calls;
    private readonly Action<int>? _beforeEvaluation;
    private readonly double _classWeight0;
    private readonly double _classWeight1;
    private readonly bool _perShard;
    private readonly int _fanIn;
    private int _evaluations;
    private byte[]? _prepared;
    private readonly LossSums _product;
    private readonly LossSums[][] _products; // per shard, per chunk: Hessian-vector products come per chunk in both modes

    private ClusterLossSums(IShardGrain[] shards, ShardSource[] sources, ShardPlan plan, double cw0, double cw1, double totalWeight, string width, ShardCalls calls, Action<int>? beforeEvaluation, bool perShard, int fanIn)
    {
        _shards = shards;
        _sources = sources;
        Plan = plan;
        _classWeight0 = cw0;
        _classWeight1 = cw1;
        TotalWeight = totalWeight;
        KernelWidth = width;
        _calls = calls;
        _beforeEvaluation = beforeEvaluation;
        _perShard = perShard;
        _fanIn = fanIn;
        _product = new LossSums(plan.Columns);
        _products = plan.Shards.Select(s => Enumerable.Range(0, s.Chunks).Select(_ => new LossSums(plan.Columns)).ToArray()).ToArray();
        _chunks = plan.Shards.Select(s => Enumerable.Range(0, perShard ? 1 : s.Chunks).Select(_ => new LossSums(plan.Columns)).ToArray()).ToArray();
    }

    /// <summary>The shards and chunks of the file.</summary>
    public ShardPlan Plan { get; }

    /// <inheritdoc/>
    public int Columns => Plan.Columns;

    /// <inheritdoc/>
    public bool SparseRows => Plan.IsSparse;

    /// <inheritdoc/>
    public double TotalWeight { get; }

    /// <summary>The SIMD width every silo runs its kernels at.</summary>
    public string KernelWidth { get; }

    /// <summary>The standardization merged over the shards (as FeatureScaling.Compute on the whole file gives it), or null.</summary>
    public FeatureScaling? Scaling { get; private init; }

    /// <summary>K, the classes of the file (2 for binary data).</summary>
    public int Classes => ClassWeightValues.Length;

    /// <summary>The class weights resolved over every shard, one per class.</summary>
    public double[] ClassWeightValues { get; private init; } = [1, 1];

    /// <summary>The file's feature columns, as its header names them.</summary>
    public IReadOnlyList<string> FeatureNames { get; private init; } = [];

    /// <summary>The label column's name.</summary>
    public string LabelName { get; private init; } = string.Empty;

    /// <summary>The label mapping over the whole file.</summary>
    public FastLogReg.IO.LabelMapping Labels { get; private init; } = null!;

    /// <summary>Shard calls that failed or timed out and were made again.</summary>
    public int Retries => _calls.Retries;

    /// <summary>
    /// Plans the shards of the CSV file at <paramref name="path"/> (a path every silo can read), has every shard grain load
    /// its rows on its silo, and merges their class totals (for S and balanced class weights) in the data set's order.
    /// </summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="path">The CSV file.</param>
    /// <param name="classWeights">Class weights, resolved over all shards as a local fit resolves them; null for none.</param>
    /// <param name="cluster">Shards, element type, label column, retries.</param>
    /// <exception cref="InvalidOperationException">The silos run different SIMD widths.</exception>
    /// <param name="standardize">Also merge the column moments over the shards into <see cref="Scaling"/>.</param>
    public static async Task<ClusterLossSums> ConnectAsync(IGrainFactory grains, string path, ClassWeights? classWeights, ClusterTrainingOptions cluster, bool standardize = false)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(cluster);
        string job = cluster.JobId ?? Guid.NewGuid().ToString("N");
        var calls = new ShardCalls(cluster);

        // One grain outlines the file on its silo and cuts the plan (the rows never come here).
        ShardJob planned = await calls.Run(() => grains.GetGrain<IShardGrain>($"{job}/plan").Plan(path, cluster.LabelColumn, cluster.Shards, cluster.Float, cluster.Format, cluster.ZeroBased, cluster.MaxClasses)).ConfigureAwait(false);
        ShardSource[] sources = planned.Sources;
        ShardPlan plan = PlanOf(sources[0]);
        IShardGrain[] shards = sources.Select(s => grains.GetGrain<IShardGrain>($"{job}/{s.Index}")).ToArray();

        // First pass: every shard loads its rows and reports its chunks' class totals, merged in order as a local fit merges them.
        ShardReport[] reports = await Task.WhenAll(shards.Select((g, i) => calls.Run(() => g.Load(sources[i])))).ConfigureAwait(false);
        string width = AgreedWidth(reports);

        int k = sources[0].Classes?.Length ?? 2;
        ClassTotals totals = ShardedLossSums.MergeTotals(reports.SelectMany(r => Totals(r, k)));
        double[] all = (classWeights ?? ClassWeights.None).ResolveAll(totals);
        (double cw0, double cw1) = k == 2 ? ShardedLossSums.ResolveClassWeights(totals, classWeights) : (double.NaN, double.NaN);
        FeatureScaling? scaling = standardize ? await ScalingAsync(shards, sources, plan, calls).ConfigureAwait(false) : null;
        return new ClusterLossSums(shards, sources, plan, cw0, cw1, totals.TotalWeight(all), width, calls, cluster.BeforeEvaluation, cluster.PerShardSums, cluster.FanIn)
        {
            Scaling = scaling,
            FeatureNames = planned.FeatureNames,
            LabelName = planned.LabelName,
            Labels = sources[0].Classes is { } classes ? new FastLogReg.IO.LabelMapping(classes) : new FastLogReg.IO.LabelMapping(sources[0].Negative, sources[0].Positive),
            ClassWeightValues = all,
        };
    }

    /// <summary>The data set's plan, as every shard's source describes it (dense: from its size; sparse: from its chunk starts).</summary>
    internal static ShardPlan PlanOf(ShardSource source)
    {
        int size = source.Float ? sizeof(float) : sizeof(double);
        return source.ChunkStarts is { } starts
            ? ShardPlan.FromChunkStarts(starts, source.Columns, size, source.Shards)
            : ShardPlan.Dense(source.Rows, source.Columns, size, source.Shards);
    }

    /// <summary>The one SIMD width every shard runs its kernels at; different widths are an error (the sums would round differently).</summary>
    /// <exception cref="InvalidOperationException">Two shards report different widths (the message names them).</exception>
    internal static string AgreedWidth(IReadOnlyList<ShardReport> reports)
    {
        string width = reports[0].Simd;
        for (int s = 1; s < reports.Count; s++)
        {
            if (reports[s].Simd != width)
            {
                throw new InvalidOperationException($"The silos run different SIMD widths (shard 0 at {width}, shard {s} at {reports[s].Simd}): the sums would round differently, and the model would depend on where each shard ran. Pin one width on every silo: FASTLOGREG_MAX_SIMD_WIDTH=256 (or 128, scalar) in each silo's environment.");
            }
        }

        return width;
    }

    /// <summary>
    /// The standardization as one machine computes it: moments around the data set's first row (from shard 0), in
    /// per-column units when the data's magnitude is extreme (the largest deviations merged by maximum), every chunk's
    /// moments merged in the data set's order.
    /// </summary>
    private static async Task<FeatureScaling> ScalingAsync(IShardGrain[] shards, ShardSource[] sources, ShardPlan plan, ShardCalls calls)
    {
        int d = plan.Columns;
        double[] first = MemoryMarshal.Cast<byte, double>(await calls.Run(() => shards[0].Extremes(sources[0], [])).ConfigureAwait(false)).ToArray();
        double[] shift = first[..d];
        byte[] shiftBytes = MemoryMarshal.AsBytes(shift.AsSpan()).ToArray();
        double[][] extremes = (await Task.WhenAll(shards.Select((g, i) => calls.Run(() => g.Extremes(sources[i], shiftBytes)))).ConfigureAwait(false))
            .Select(b => MemoryMarshal.Cast<byte, double>(b).ToArray()).ToArray();
        double magnitude = extremes.Max(e => e[d]);
        double[] largest = new double[d];
        for (int j = 0; j < d; j++)
        {
            largest[j] = extremes.Max(e => e[d + 1 + j]);
        }

        // The weights' range merged over the shards as one machine takes it (a data set has weights on every row or on none).
        (double smallestWeight, double largestWeight) = FeatureScaling.MergedWeightRange((extremes.Min(e => e[(2 * d) + 1]), extremes.Max(e => e[(2 * d) + 2])));
        double[]? units = FeatureScaling.UnitsFor(magnitude, largest, smallestWeight, largestWeight);
        byte[] unitBytes = units is null ? [] : MemoryMarshal.AsBytes(units.AsSpan()).ToArray();
        byte[][] answers = await Task.WhenAll(shards.Select((g, i) => calls.Run(() => g.Moments(sources[i], shiftBytes, unitBytes)))).ConfigureAwait(false);
        var chunks = new List<ChunkMoments>(plan.ChunkCount);
        foreach (byte[] answer in answers)
        {
            ReadOnlySpan<double> values = MemoryMarshal.Cast<byte, double>(answer);
            for (int c = 0; c < values.Length / ((2 * d) + 1); c++)
            {
                ReadOnlySpan<double> slot = values.Slice(c * ((2 * d) + 1), (2 * d) + 1);
                chunks.Add(new ChunkMoments(slot.Slice(1, d).ToArray(), slot.Slice(1 + d, d).ToArray(), slot[0]));
            }
        }

        return FeatureScaling.FromMoments(shift, units, chunks);
    }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        _beforeEvaluation?.Invoke(++_evaluations);
        byte[] parameters = ChunkCodec.Parameters(weights, bias);
        if (_perShard && _fanIn >= 2 && _shards.Length > 1)
        {
            // One call to the tree's root (shard 0's grain); the tree folds in shard order.
            byte[] root = _calls.Run(() => _shards[0].EvaluateTree(_sources, _fanIn, _classWeight0, _classWeight1, parameters)).GetAwaiter().GetResult();
            ChunkCodec.Decode(root, [sums]);
            return;
        }

        byte[][] answers = Task.WhenAll(_shards.Select((g, i) => _calls.Run(() => _perShard
            ? g.EvaluateShard(_sources[i], _classWeight0, _classWeight1, parameters)
            : g.EvaluateChunks(_sources[i], _classWeight0, _classWeight1, parameters)))).GetAwaiter().GetResult();
        for (int s = 0; s < answers.Length; s++)
        {
            ChunkCodec.Decode(answers[s], _chunks[s]);
        }

        ShardedLossSums.Fold(_chunks.SelectMany(c => c), sums);
    }

    /// <inheritdoc/>
    public double PrepareCurvature(ReadOnlySpan<double> weights, double bias, Span<double> sumCx, Span<double> sumCx2)
    {
        bool moments = !sumCx.IsEmpty;
        byte[] parameters = ChunkCodec.Parameters(weights, bias);
        byte[][] answers = Task.WhenAll(_shards.Select((g, i) => _calls.Run(() => g.PrepareCurvature(_sources[i], _classWeight0, _classWeight1, parameters, moments)))).GetAwaiter().GetResult();
        _prepared = parameters;
        int d = Columns, slot = moments ? (2 * d) + 1 : 1;
        var totals = new List<double>(Plan.ChunkCount);
        var cx = new List<double[]>();
        var cx2 = new List<double[]>();
        foreach (byte[] answer in answers)
        {
            ReadOnlySpan<double> values = MemoryMarshal.Cast<byte, double>(answer);
            for (int c = 0; c < values.Length / slot; c++)
            {
                totals.Add(values[c * slot]);
                if (moments)
                {
                    cx.Add(values.Slice((c * slot) + 1, d).ToArray());
                    cx2.Add(values.Slice((c * slot) + 1 + d, d).ToArray());
                }
            }
        }

        return ShardedLossSums.FoldCurvature(totals, cx, cx2, sumCx, sumCx2);
    }

    /// <inheritdoc/>
    public void HessianVector(ReadOnlySpan<double> direction, double directionBias, Span<double> product, out double productBias)
    {
        byte[] prepared = _prepared ?? throw new InvalidOperationException("PrepareCurvature has not been called: the Hessian is taken at a prepared point.");
        byte[] u = ChunkCodec.Parameters(direction, directionBias);
        byte[][] answers = Task.WhenAll(_shards.Select((g, i) => _calls.Run(() => g.HessianVector(_sources[i], _classWeight0, _classWeight1, prepared, u)))).GetAwaiter().GetResult();
        for (int s = 0; s < answers.Length; s++)
        {
            ChunkCodec.Decode(answers[s], _products[s]);
        }

        ShardedLossSums.Fold(_products.SelectMany(c => c), _product);
        _product.Gradient.CopyTo(product);
        productBias = _product.Residual;
    }

    private static IEnumerable<ClassTotals> Totals(ShardReport report, int classes)
    {
        for (int c = 0; c < report.Counts.Length / classes; c++)
        {
            var totals = new ClassTotals(classes);
            report.Counts.AsSpan(c * classes, classes).CopyTo(totals.Counts);
            report.Weights.AsSpan(c * classes, classes).CopyTo(totals.Weights);
            yield return totals;
        }
    }

    /// <summary>The K-class sums of the same shards (multinomial, or K one-vs-rest losses), with the merged class weights.</summary>
    public ISoftmaxSumsSource Softmax(bool oneVsRest) => new ClusterSoftmaxSums(this, oneVsRest);

    /// <summary>
    /// K-class sums gathered from the shard grains and folded in the data set's order (per chunk, or per shard); for
    /// Newton, the curvature's sums per chunk in both modes (the local fit's bits, as binary Hessian-vector products).
    /// </summary>
    private sealed class ClusterSoftmaxSums(ClusterLossSums cluster, bool oneVsRest) : ISoftmaxCurvatureSource
    {
        private readonly SoftmaxSums[][] _products = cluster.Plan.Shards
            .Select(s => Enumerable.Range(0, s.Chunks).Select(_ => new SoftmaxSums(cluster.Classes, cluster.Columns)).ToArray()).ToArray();
        public bool SparseRows => cluster.SparseRows;

        public void PrepareCurvature(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> diagonalSums)
        {
            byte[] parameters = Bytes(weights, biases);
            bool diagonal = !diagonalSums.IsEmpty;
            double[] classWeights = cluster.ClassWeightValues;
            byte[][] answers = Task.WhenAll(cluster._shards.Select((g, i) => cluster._calls.Run(() => g.PrepareSoftmaxCurvature(cluster._sources[i], classWeights, oneVsRest, parameters, diagonal)))).GetAwaiter().GetResult();
            if (diagonal)
            {
                int slot = SoftmaxSums.DiagonalSlotLength(Classes, Columns);
                long needed = checked((long)cluster.Plan.ChunkCount * slot * sizeof(double));
                if (answers.Sum(a => (long)a.Length) != needed)
                {
                    throw new InvalidOperationException($"The shards answered {answers.Sum(a => (long)a.Length) / sizeof(double)} diagonal sums; {cluster.Plan.ChunkCount} chunks of K = {Classes} classes need {needed / sizeof(double)}.");
                }

                // The shards' answers end to end, in shard order (their chunks' order), then folded chunk by chunk.
                byte[] all = new byte[needed];
                int at = 0;
                foreach (byte[] answer in answers)
                {
                    answer.CopyTo(all, at);
                    at += answer.Length;
                }

                SoftmaxSums.FoldSlots(MemoryMarshal.Cast<byte, double>(all.AsSpan()), slot, diagonalSums);
            }
        }

        public void HessianVector(ReadOnlySpan<double> atWeights, ReadOnlySpan<double> atBiases, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums product)
        {
            // The point goes with every call: a shard holding another one (re-activated, or serving another objective) prepares again.
            byte[] prepared = Bytes(atWeights, atBiases);
            byte[] direction = Bytes(weights, biases);
            double[] classWeights = cluster.ClassWeightValues;
            byte[][] answers = Task.WhenAll(cluster._shards.Select((g, i) => cluster._calls.Run(() => g.SoftmaxHessianVector(cluster._sources[i], classWeights, oneVsRest, prepared, direction)))).GetAwaiter().GetResult();
            for (int s = 0; s < answers.Length; s++)
            {
                SoftmaxCodec.Decode(answers[s], _products[s]);
            }

            SoftmaxSums.Fold(_products.SelectMany(c => c), product);
        }

        private static byte[] Bytes(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases)
        {
            double[] point = new double[weights.Length + biases.Length];
            weights.CopyTo(point);
            biases.CopyTo(point.AsSpan(weights.Length));
            return MemoryMarshal.AsBytes(point.AsSpan()).ToArray();
        }

        private readonly SoftmaxSums[][] _chunks = cluster.Plan.Shards
            .Select(s => Enumerable.Range(0, cluster._perShard ? 1 : s.Chunks).Select(_ => new SoftmaxSums(cluster.Classes, cluster.Columns)).ToArray()).ToArray();

        public int Classes => cluster.Classes;

        public int Columns => cluster.Columns;

        public double TotalWeight => cluster.TotalWeight;

        public void Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums sums)
        {
            cluster._beforeEvaluation?.Invoke(++cluster._evaluations);
            byte[] parameters = Bytes(weights, biases);
            double[] classWeights = cluster.ClassWeightValues;
            if (cluster._perShard && cluster._fanIn >= 2 && cluster._shards.Length > 1)
            {
                // One call to the tree's root (shard 0's grain); the tree folds in shard order.
                byte[] root = cluster._calls.Run(() => cluster._shards[0].EvaluateSoftmaxTree(cluster._sources, cluster._fanIn, classWeights, oneVsRest, parameters)).GetAwaiter().GetResult();
                SoftmaxCodec.Decode(root, [sums]);
                return;
            }

            byte[][] answers = Task.WhenAll(cluster._shards.Select((g, i) => cluster._calls.Run(() => cluster._perShard
                ? g.EvaluateSoftmaxShard(cluster._sources[i], classWeights, oneVsRest, parameters)
                : g.EvaluateSoftmaxChunks(cluster._sources[i], classWeights, oneVsRest, parameters)))).GetAwaiter().GetResult();
            for (int s = 0; s < answers.Length; s++)
            {
                SoftmaxCodec.Decode(answers[s], _chunks[s]);
            }

            SoftmaxSums.Fold(_chunks.SelectMany(c => c), sums);
        }
    }
}

/// <summary>Shard calls with a timeout, retried on failure (evaluation is pure: a retry gives the same bits).</summary>
internal sealed class ShardCalls(ClusterTrainingOptions options)
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
            catch (ShardDataException e)
            {
                throw e.ToDataFormatException(); // the file is at fault: the same bytes fail again
            }
            catch (Exception e) when (attempt < options.MaxAttempts && e is not (ArgumentException or NotSupportedException or InvalidOperationException or IOException or FastLogReg.IO.DataFormatException))
            {
                Interlocked.Increment(ref _retries);
                // Back off (0.1, 0.2, 0.4 … s, at most 5 s): a dead silo is declared dead by membership after some seconds,
                // and until then its shards' calls fail fast; after, they re-activate on a live silo and reload.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 << Math.Min(attempt - 1, 6)))).ConfigureAwait(false);
            }
        }
    }
}
