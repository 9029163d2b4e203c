using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Objective;

namespace FastLogReg.Orleans;

/// <summary>
/// The shard grain: reads the CSV file at the source's path on its own silo, keeps its shard's rows (the plan's row
/// range), and evaluates their chunks with <see cref="ShardLossSums{T}"/>. Nothing is persisted: a new activation loads
/// the rows again from the file on its first call.
/// </summary>
/// <remarks>
/// The grain that plans the job outlines the file (a pass over its bytes that parses no feature); each shard then reads
/// its own rows from where the outline says they start, and parses nothing else.
/// </remarks>
internal sealed class ShardGrain : Grain, IShardGrain
{
    private ShardSource? _source;
    private ShardRows? _rows;
    private (double Cw0, double Cw1, IChunkCurvatureSource Sums)? _evaluator;
    private LossSums[] _chunks = [];
    private SoftmaxSums[] _softmaxChunks = [];
    private byte[]? _prepared; // the point the cached curvature is taken at

    public Task<ShardJob> Plan(string path, string? labelColumn, int shards, bool asFloat, string? format, bool zeroBased, int maxClasses) =>
        Task.FromResult(Reading(() => PlanOf(path, labelColumn, shards, asFloat, format, zeroBased, maxClasses)));

    /// <summary>Runs a read of the file, turning the reader's errors (and a file missing on this silo) into <see cref="ShardDataException"/>, which travels.</summary>
    private static TResult Reading<TResult>(Func<TResult> read)
    {
        try
        {
            return read();
        }
        catch (DataFormatException e)
        {
            throw new ShardDataException(e);
        }
        catch (IOException e)
        {
            throw new ShardDataException(new DataFormatException(e is FileNotFoundException f ? f.FileName ?? "the data file" : "the data file", 0, null, $"cannot be read on this silo ({Environment.MachineName}): {e.Message}"));
        }
    }

    private static ShardJob PlanOf(string path, string? labelColumn, int shards, bool asFloat, string? format, bool zeroBased, int maxClasses)
    {
        int size = asFloat ? sizeof(float) : sizeof(double);
        bool libsvm = format?.ToLowerInvariant() switch
        {
            "libsvm" => true,
            "csv" => false,
            null => Path.GetExtension(path).ToLowerInvariant() is ".libsvm" or ".svm" or ".svmlight",
            _ => throw new ArgumentException($"Format '{format}': csv or libsvm.", nameof(format)),
        };
        if (!libsvm)
        {
            CsvOutline outline = CsvDataReader.Outline(path, new CsvReadOptions { LabelColumn = labelColumn, MaxClasses = maxClasses });
            ShardPlan plan = ShardPlan.Dense(outline.Rows, outline.Columns, size, shards);
            ShardSource[] sources = plan.Shards.Select(s =>
            {
                CsvRowRange range = outline.Range(s.FirstRow, s.Rows);
                return new ShardSource
                {
                    Path = path, LabelColumn = labelColumn, Rows = plan.Rows, Columns = plan.Columns, Shards = shards, Index = s.Index, Float = asFloat,
                    Offset = range.Offset, Line = range.Line, Skip = range.Skip, Separator = range.Separator, FileLength = range.FileLength,
                    Negative = outline.Labels.Classes[0], Positive = outline.Labels.Classes[1], Classes = outline.Labels.Count > 2 ? [.. outline.Labels.Classes] : null,
                };
            }).ToArray();
            return new ShardJob { Sources = sources, FeatureNames = [.. outline.FeatureNames], LabelName = outline.LabelName };
        }

        if (labelColumn is not null)
        {
            throw new ArgumentException($"A label column ('{labelColumn}') was given, but {path} is read as LIBSVM: its label is each line's first field.", nameof(labelColumn));
        }

        LibSvmOutline sparse = LibSvmDataReader.Outline(path, new LibSvmReadOptions { ZeroBased = zeroBased, MaxClasses = maxClasses });
        ShardPlan cut = ShardPlan.Sparse(sparse.RowOffsets.Span, sparse.Columns, size, shards);
        int[] starts = [.. cut.ChunkStarts];
        ShardSource[] shardSources = cut.Shards.Select(s =>
        {
            LibSvmRowRange range = sparse.Range(s.FirstRow, s.Rows);
            return new ShardSource
            {
                Path = path, Rows = cut.Rows, Columns = cut.Columns, Shards = shards, Index = s.Index, Float = asFloat,
                Offset = range.Offset, Line = range.Line, Skip = range.Skip, Format = "libsvm", ZeroBased = zeroBased, ChunkStarts = starts, FileLength = range.FileLength,
                Negative = sparse.Labels.Classes[0], Positive = sparse.Labels.Classes[1], Classes = sparse.Labels.Count > 2 ? [.. sparse.Labels.Classes] : null,
            };
        }).ToArray();
        return new ShardJob { Sources = shardSources, FeatureNames = [], LabelName = string.Empty };
    }

    public Task<ShardReport> Load(ShardSource source)
    {
        ShardRows rows = Rows(source);
        IReadOnlyList<ClassTotals> totals = rows.ChunkTotals();
        return Task.FromResult(new ShardReport
        {
            Simd = rows.KernelWidth,
            Counts = totals.SelectMany(t => t.Counts).ToArray(),
            Weights = totals.SelectMany(t => t.Weights).ToArray(),
        });
    }

    public Task<byte[]> EvaluateShard(ShardSource source, double classWeight0, double classWeight1, byte[] parameters)
    {
        _ = EvaluateChunks(source, classWeight0, classWeight1, parameters); // fills _chunks
        var shard = new LossSums(source.Columns);
        ShardedLossSums.Fold(_chunks, shard);
        return Task.FromResult(ChunkCodec.Encode([shard]));
    }

    public Task<byte[]> EvaluateTree(ShardSource[] sources, int fanIn, double classWeight0, double classWeight1, byte[] parameters) =>
        Tree(
            sources,
            fanIn,
            (grain, source) => grain.EvaluateShard(source, classWeight0, classWeight1, parameters),
            (grain, subtree) => grain.EvaluateTree(subtree, fanIn, classWeight0, classWeight1, parameters),
            source => EvaluateShard(source, classWeight0, classWeight1, parameters),
            subtree => EvaluateTree(subtree, fanIn, classWeight0, classWeight1, parameters),
            answers =>
            {
                var parts = answers.Select(a => Decoded(a, new LossSums(sources[0].Columns))).ToArray();
                var total = new LossSums(sources[0].Columns);
                ShardedLossSums.Fold(parts, total);
                return ChunkCodec.Encode([total]);
            });

    public Task<byte[]> EvaluateSoftmaxTree(ShardSource[] sources, int fanIn, double[] classWeights, bool oneVsRest, byte[] parameters) =>
        Tree(
            sources,
            fanIn,
            (grain, source) => grain.EvaluateSoftmaxShard(source, classWeights, oneVsRest, parameters),
            (grain, subtree) => grain.EvaluateSoftmaxTree(subtree, fanIn, classWeights, oneVsRest, parameters),
            source => EvaluateSoftmaxShard(source, classWeights, oneVsRest, parameters),
            subtree => EvaluateSoftmaxTree(subtree, fanIn, classWeights, oneVsRest, parameters),
            answers =>
            {
                int k = classWeights.Length, d = sources[0].Columns;
                var parts = answers.Select(a => { var p = new SoftmaxSums(k, d); SoftmaxCodec.Decode(a, [p]); return p; }).ToArray();
                var total = new SoftmaxSums(k, d);
                SoftmaxSums.Fold(parts, total);
                return SoftmaxCodec.Encode([total]);
            });

    private static LossSums Decoded(byte[] answer, LossSums into)
    {
        ChunkCodec.Decode(answer, [into]);
        return into;
    }

    /// <summary>
    /// One node of the aggregation tree over <paramref name="sources"/> (this grain's shard first): every other child is
    /// asked first (a leaf's shards, or each child group's first grain), this grain's own part is computed here (a call to
    /// itself would wait on itself), then the parts are folded in shard order by <paramref name="fold"/>.
    /// </summary>
    private async Task<byte[]> Tree(
        ShardSource[] sources,
        int fanIn,
        Func<IShardGrain, ShardSource, Task<byte[]>> leafCall,
        Func<IShardGrain, ShardSource[], Task<byte[]>> nodeCall,
        Func<ShardSource, Task<byte[]>> ownLeaf,
        Func<ShardSource[], Task<byte[]>> ownNode,
        Func<byte[][], byte[]> fold)
    {
        string key = this.GetPrimaryKeyString();
        string job = key[..key.LastIndexOf('/')];
        if (sources.Length == 0 || key != $"{job}/{sources[0].Index}")
        {
            throw new ArgumentException($"A subtree is sent to its first shard's grain; grain {key} got one starting at shard {(sources.Length == 0 ? "(none)" : sources[0].Index)}.", nameof(sources));
        }

        IReadOnlyList<(int First, int Count)> groups = AggregationTree.Groups(0, sources.Length, fanIn);
        bool leaf = groups.Count == 1;
        Task<byte[]>[] parts = new Task<byte[]>[leaf ? sources.Length : groups.Count];
        for (int k = 1; k < parts.Length; k++)
        {
            IShardGrain child = GrainFactory.GetGrain<IShardGrain>($"{job}/{(leaf ? sources[k] : sources[groups[k].First]).Index}");
            parts[k] = leaf ? leafCall(child, sources[k]) : nodeCall(child, sources.AsSpan(groups[k].First, groups[k].Count).ToArray());
        }

        parts[0] = leaf ? ownLeaf(sources[0]) : ownNode(sources.AsSpan(0, groups[0].Count).ToArray());
        return fold(await Task.WhenAll(parts));
    }

    public Task<byte[]> EvaluateSoftmaxChunks(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters)
    {
        SoftmaxSums[] chunks = Softmax(source, classWeights, oneVsRest, parameters);
        return Task.FromResult(SoftmaxCodec.Encode(chunks));
    }

    public Task<byte[]> EvaluateSoftmaxShard(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters)
    {
        SoftmaxSums[] chunks = Softmax(source, classWeights, oneVsRest, parameters);
        var shard = new SoftmaxSums(chunks[0].Classes, chunks[0].Columns);
        SoftmaxSums.Fold(chunks, shard);
        return Task.FromResult(SoftmaxCodec.Encode([shard]));
    }

    /// <summary>Each chunk's K-class sums at the raw parameters.</summary>
    private SoftmaxSums[] Softmax(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters)
    {
        ShardRows rows = Rows(source);
        ReadOnlySpan<double> point = SoftmaxPoint(rows, source, parameters);
        int kd = rows.Classes * source.Columns;
        SoftmaxSums[] chunks = SoftmaxChunkSums(rows, source);
        rows.SoftmaxChunks(classWeights, oneVsRest, point[..kd], point[kd..], chunks);
        return chunks;
    }

    public Task<byte[]> PrepareSoftmaxCurvature(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters, bool diagonal)
    {
        ShardRows rows = Rows(source);
        ReadOnlySpan<double> point = SoftmaxPoint(rows, source, parameters);
        int kd = rows.Classes * source.Columns;
        double[] answer = diagonal ? new double[checked(rows.ChunkCount * SoftmaxSums.DiagonalSlotLength(rows.Classes, source.Columns))] : [];
        rows.PrepareSoftmaxCurvature(classWeights, oneVsRest, point[..kd], point[kd..], answer);
        return Task.FromResult(MemoryMarshal.AsBytes(answer.AsSpan()).ToArray());
    }

    public Task<byte[]> SoftmaxHessianVector(ShardSource source, double[] classWeights, bool oneVsRest, byte[] prepared, byte[] direction)
    {
        ShardRows rows = Rows(source);
        ReadOnlySpan<double> at = SoftmaxPoint(rows, source, prepared), u = SoftmaxPoint(rows, source, direction);
        int kd = rows.Classes * source.Columns;
        if (!rows.SoftmaxPreparedAt(classWeights, oneVsRest, at[..kd], at[kd..]))
        {
            // A new activation (or another point): take the probabilities at the point the caller prepared.
            rows.PrepareSoftmaxCurvature(classWeights, oneVsRest, at[..kd], at[kd..], default);
        }

        SoftmaxSums[] chunks = SoftmaxChunkSums(rows, source);
        rows.SoftmaxHessianVector(classWeights, oneVsRest, u[..kd], u[kd..], chunks);
        return Task.FromResult(SoftmaxCodec.Encode(chunks));
    }

    /// <summary>K·d class-major weights then K intercepts as <paramref name="parameters"/> holds them (doubles), checked against the shard's K and d.</summary>
    private static ReadOnlySpan<double> SoftmaxPoint(ShardRows rows, ShardSource source, byte[] parameters)
    {
        int k = rows.Classes, d = source.Columns;
        ReadOnlySpan<double> point = MemoryMarshal.Cast<byte, double>(parameters);
        if (point.Length != (k * d) + k)
        {
            throw new ArgumentException($"Expected {(k * d) + k} parameters (K = {k}, d = {d}), got {point.Length}.", nameof(parameters));
        }

        return point;
    }

    /// <summary>The grain's per-chunk K-class sums, made for the shard's chunks, K and d.</summary>
    private SoftmaxSums[] SoftmaxChunkSums(ShardRows rows, ShardSource source)
    {
        int chunks = rows.ChunkCount, k = rows.Classes;
        if (_softmaxChunks.Length != chunks || _softmaxChunks[0].Classes != k)
        {
            _softmaxChunks = Enumerable.Range(0, chunks).Select(_ => new SoftmaxSums(k, source.Columns)).ToArray();
        }

        return _softmaxChunks;
    }

    public Task<byte[]> EvaluateChunks(ShardSource source, double classWeight0, double classWeight1, byte[] parameters)
    {
        IChunkCurvatureSource sums = Curved(source, classWeight0, classWeight1);
        ReadOnlySpan<double> point = MemoryMarshal.Cast<byte, double>(parameters);
        if (point.Length != source.Columns + 1)
        {
            throw new ArgumentException($"Expected {source.Columns + 1} parameters, got {point.Length}.", nameof(parameters));
        }

        sums.EvaluateChunks(point[..source.Columns], point[source.Columns], _chunks);
        return Task.FromResult(ChunkCodec.Encode(_chunks));
    }

    public Task<byte[]> Echo(byte[] payload) => Task.FromResult(payload);

    public Task<byte[]> PrepareCurvature(ShardSource source, double classWeight0, double classWeight1, byte[] parameters, bool moments)
    {
        IChunkCurvatureSource curved = Curved(source, classWeight0, classWeight1);
        int d = source.Columns, chunks = curved.ChunkCount;
        ReadOnlySpan<double> point = MemoryMarshal.Cast<byte, double>(parameters);
        double[] totals = new double[chunks];
        double[][]? cx = moments ? Enumerable.Range(0, chunks).Select(_ => new double[d]).ToArray() : null;
        double[][]? cx2 = moments ? Enumerable.Range(0, chunks).Select(_ => new double[d]).ToArray() : null;
        curved.PrepareCurvatureChunks(point[..d], point[d], totals, cx, cx2);
        _prepared = parameters;
        int slot = moments ? (2 * d) + 1 : 1;
        double[] answer = new double[chunks * slot];
        for (int c = 0; c < chunks; c++)
        {
            answer[c * slot] = totals[c];
            if (moments)
            {
                cx![c].CopyTo(answer.AsSpan((c * slot) + 1, d));
                cx2![c].CopyTo(answer.AsSpan((c * slot) + 1 + d, d));
            }
        }

        return Task.FromResult(MemoryMarshal.AsBytes(answer.AsSpan()).ToArray());
    }

    public Task<byte[]> HessianVector(ShardSource source, double classWeight0, double classWeight1, byte[] prepared, byte[] direction)
    {
        IChunkCurvatureSource curved = Curved(source, classWeight0, classWeight1);
        int d = source.Columns;
        if (_prepared is null || !_prepared.AsSpan().SequenceEqual(prepared))
        {
            // A new activation (or another point): take the curvature at the point the caller prepared.
            ReadOnlySpan<double> at = MemoryMarshal.Cast<byte, double>(prepared);
            curved.PrepareCurvatureChunks(at[..d], at[d], new double[curved.ChunkCount], null, null);
            _prepared = prepared;
        }

        ReadOnlySpan<double> u = MemoryMarshal.Cast<byte, double>(direction);
        curved.HessianVectorChunks(u[..d], u[d], _chunks);
        return Task.FromResult(ChunkCodec.Encode(_chunks));
    }

    /// <summary>The shard's evaluator as a curvature source, with <see cref="_chunks"/> sized for it.</summary>
    private IChunkCurvatureSource Curved(ShardSource source, double classWeight0, double classWeight1)
    {
        ShardRows rows = Rows(source);
        if (_evaluator is not { } e || e.Cw0 != classWeight0 || e.Cw1 != classWeight1)
        {
            _evaluator = e = (classWeight0, classWeight1, rows.Evaluator(classWeight0, classWeight1));
            _chunks = Enumerable.Range(0, e.Sums.ChunkCount).Select(_ => new LossSums(source.Columns)).ToArray();
            _prepared = null;
        }

        return e.Sums;
    }

    public Task<byte[]> Extremes(ShardSource source, byte[] shift)
    {
        ShardRows stats = Rows(source);
        double[] answer = new double[(2 * source.Columns) + 3];
        stats.FirstRow().CopyTo(answer.AsSpan(0, source.Columns));
        answer[source.Columns] = stats.MaxMagnitude;
        if (shift.Length > 0)
        {
            stats.LargestDeviations(MemoryMarshal.Cast<byte, double>(shift), answer.AsSpan(source.Columns + 1, source.Columns));
        }

        (answer[^2], answer[^1]) = stats.WeightRange;

        return Task.FromResult(MemoryMarshal.AsBytes(answer.AsSpan()).ToArray());
    }

    public Task<byte[]> Moments(ShardSource source, byte[] shift, byte[] units)
    {
        ShardRows stats = Rows(source);
        double[]? u = units.Length == 0 ? null : MemoryMarshal.Cast<byte, double>(units).ToArray();
        IReadOnlyList<ChunkMoments> chunks = stats.Moments(MemoryMarshal.Cast<byte, double>(shift), u, source.Rows);
        int d = source.Columns;
        double[] answer = new double[chunks.Count * ((2 * d) + 1)];
        for (int c = 0; c < chunks.Count; c++)
        {
            Span<double> slot = answer.AsSpan(c * ((2 * d) + 1), (2 * d) + 1);
            slot[0] = chunks[c].Weight;
            chunks[c].Sums.CopyTo(slot.Slice(1, d));
            chunks[c].Squares.CopyTo(slot.Slice(1 + d, d));
        }

        return Task.FromResult(MemoryMarshal.AsBytes(answer.AsSpan()).ToArray());
    }

    /// <summary>The shard's rows for <paramref name="source"/>, read from the file on first use (or when the source changes).</summary>
    private ShardRows Rows(ShardSource source)
    {
        if (_rows is not null && source.SameRows(_source))
        {
            return _rows;
        }

        ShardPlan plan = ClusterLossSums.PlanOf(source);
        if (source.Index >= plan.Shards.Count)
        {
            throw new ArgumentException($"Shard {source.Index} does not exist: the plan has {plan.Shards.Count} shards.", nameof(source));
        }

        ShardRange range = plan.Shards[source.Index];
        _rows = Reading<ShardRows>(() => source.Float ? ShardRows<float>.Read(source, plan, range) : ShardRows<double>.Read(source, plan, range));
        _source = source;
        _evaluator = null;
        _prepared = null;
        return _rows;
    }
}

/// <summary>A shard's rows, whatever their element type: evaluators at given class weights, and the statistics of the rows.</summary>
internal abstract class ShardRows
{
    /// <summary>K, the data set's classes.</summary>
    public abstract int Classes { get; }

    /// <summary>The shard's chunks.</summary>
    public abstract int ChunkCount { get; }

    /// <summary>A binary evaluator of the rows' chunks with these class weights.</summary>
    public abstract IChunkCurvatureSource Evaluator(double classWeight0, double classWeight1);

    /// <summary>The K-class sums of each chunk at raw class-major parameters (multinomial, or one-vs-rest).</summary>
    public abstract void SoftmaxChunks(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, IReadOnlyList<SoftmaxSums> perChunk);

    /// <summary>K classes, for Newton: the probabilities at the raw point, with each chunk's diagonal sums into <paramref name="diagonalSums"/> when not empty.</summary>
    public abstract void PrepareSoftmaxCurvature(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> diagonalSums);

    /// <summary>Whether the K-class sums with these class weights hold the probabilities at the raw point.</summary>
    public abstract bool SoftmaxPreparedAt(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases);

    /// <summary>Each chunk's K-class Hessian-vector sums at the prepared point along the raw direction.</summary>
    public abstract void SoftmaxHessianVector(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, IReadOnlyList<SoftmaxSums> perChunk);

    /// <summary>Each chunk's class totals, in order.</summary>
    public abstract IReadOnlyList<ClassTotals> ChunkTotals();

    /// <summary>The SIMD width the kernels run at here.</summary>
    public abstract string KernelWidth { get; }

    /// <summary>The largest |x| of the rows.</summary>
    public abstract double MaxMagnitude { get; }

    /// <summary>The smallest positive and the largest sample weight of the rows ((∞, 0) when none is positive; (1, 1) without weights).</summary>
    public abstract (double Smallest, double Largest) WeightRange { get; }

    /// <summary>The first row as doubles (for shard 0, the data set's moment shift).</summary>
    public abstract double[] FirstRow();

    /// <summary>Per column, max |xᵢⱼ − shiftⱼ| over the rows.</summary>
    public abstract void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest);

    /// <summary>Each chunk's moments around the shift.</summary>
    public abstract IReadOnlyList<ChunkMoments> Moments(ReadOnlySpan<double> shift, double[]? units, int dataSetRows);
}

/// <summary>
/// A shard's rows of element type <typeparamref name="T"/>. The statistics come from one unweighted evaluator made once:
/// binary for two classes, K-class otherwise (its kernel buffers are made only when it evaluates).
/// </summary>
internal sealed class ShardRows<T> : ShardRows
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private readonly Dataset<T> _rows;
    private readonly ShardPlan _plan;
    private readonly int _index;
    private readonly ShardLossSums<T>? _binary; // K = 2
    private readonly ShardSoftmaxSums<T>? _statistics; // K > 2
    private (double[] Weights, bool OneVsRest, ShardSoftmaxSums<T> Sums)? _softmax;

    private ShardRows(Dataset<T> rows, ShardPlan plan, int index)
    {
        _rows = rows;
        _plan = plan;
        _index = index;
        if (rows.ClassCount == 2)
        {
            _binary = Sums(1, 1);
        }
        else
        {
            _statistics = new ShardSoftmaxSums<T>(rows, plan, index, []);
        }
    }

    private ShardLossSums<T> Sums(double classWeight0, double classWeight1) => _rows is SparseDataset<T> sparse
        ? new ShardLossSums<T>(sparse, _plan, _index, classWeight0, classWeight1)
        : new ShardLossSums<T>((DenseDataset<T>)_rows, _plan, _index, classWeight0, classWeight1);

    public override int Classes => _rows.ClassCount;

    public override int ChunkCount => _binary?.ChunkCount ?? _statistics!.ChunkCount;

    public override string KernelWidth => _binary?.KernelWidth ?? _statistics!.KernelWidth;

    public override double MaxMagnitude => _binary?.MaxMagnitude ?? _statistics!.MaxMagnitude;

    public override (double Smallest, double Largest) WeightRange => FeatureScaling.PositiveWeightRange(_rows);

    /// <summary>Reads the rows of shard <paramref name="range"/> from the file, and nothing else of it.</summary>
    public static ShardRows<T> Read(ShardSource source, ShardPlan plan, ShardRange range)
    {
        LabelMapping labels = source.Classes is { } classes ? new LabelMapping(classes) : new LabelMapping(source.Negative, source.Positive);
        if (source.Format == "libsvm")
        {
            var sparse = new LibSvmReadOptions { Labels = labels, MaxClasses = Math.Max(2, labels.Count), Columns = source.Columns, ZeroBased = source.ZeroBased };
            SparseLabeledData<T> read = LibSvmDataReader.ReadRange<T>(source.Path, new LibSvmRowRange(source.Offset, source.Line, source.Skip, range.Rows) { FileLength = source.FileLength }, sparse);
            return new ShardRows<T>(read.Data, plan, range.Index);
        }

        var options = new CsvReadOptions { LabelColumn = source.LabelColumn, Labels = labels, MaxClasses = Math.Max(2, labels.Count) };
        LabeledData<T> rows = CsvDataReader.ReadRange<T>(source.Path, new CsvRowRange(source.Offset, source.Line, source.Skip, range.Rows, source.Separator) { FileLength = source.FileLength }, options);
        if (rows.Data.Columns != source.Columns)
        {
            throw new InvalidOperationException($"{source.Path} has {rows.Data.Columns} features on this silo; the job was planned for {source.Columns}: every silo must read the same file.");
        }

        return new ShardRows<T>(rows.Data, plan, range.Index);
    }

    public override IChunkCurvatureSource Evaluator(double classWeight0, double classWeight1) =>
        _binary is null ? throw new InvalidOperationException($"The rows have {Classes} classes: a binary evaluation needs two.")
        : classWeight0 == 1 && classWeight1 == 1 ? _binary : Sums(classWeight0, classWeight1);

    public override void SoftmaxChunks(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, IReadOnlyList<SoftmaxSums> perChunk) =>
        Softmax(classWeights, oneVsRest).EvaluateChunks(weights, biases, perChunk);

    public override void PrepareSoftmaxCurvature(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> diagonalSums) =>
        Softmax(classWeights, oneVsRest).PrepareCurvatureChunks(weights, biases, diagonalSums);

    public override bool SoftmaxPreparedAt(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases) =>
        Softmax(classWeights, oneVsRest).IsPreparedAt(weights, biases);

    public override void SoftmaxHessianVector(double[] classWeights, bool oneVsRest, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, IReadOnlyList<SoftmaxSums> perChunk) =>
        Softmax(classWeights, oneVsRest).HessianVectorChunks(weights, biases, perChunk);

    /// <summary>The K-class sums with these class weights (made again when they change).</summary>
    private ShardSoftmaxSums<T> Softmax(double[] classWeights, bool oneVsRest)
    {
        if (_softmax is not { } cached || cached.OneVsRest != oneVsRest || !cached.Weights.AsSpan().SequenceEqual(classWeights))
        {
            _softmax = cached = (classWeights, oneVsRest, new ShardSoftmaxSums<T>(_rows, _plan, _index, classWeights, oneVsRest));
        }

        return cached.Sums;
    }

    public override IReadOnlyList<ClassTotals> ChunkTotals() => _binary?.ChunkTotals() ?? _statistics!.ChunkTotals();

    public override double[] FirstRow() => _binary?.FirstRow() ?? _statistics!.FirstRow();

    public override void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest)
    {
        if (_binary is not null)
        {
            _binary.LargestDeviations(shift, largest);
        }
        else
        {
            _statistics!.LargestDeviations(shift, largest);
        }
    }

    public override IReadOnlyList<ChunkMoments> Moments(ReadOnlySpan<double> shift, double[]? units, int dataSetRows) =>
        _binary?.Moments(shift, units, dataSetRows) ?? _statistics!.Moments(shift, units, dataSetRows);
}
