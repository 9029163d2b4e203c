using FastLogReg.IO;
using FastLogReg.Objective;

namespace FastLogReg.Orleans;

/// <summary>
/// Where a shard's rows come from: a CSV or LIBSVM file every silo can read at the same path, the shard's place in the plan, and
/// where its rows are in the file (from the file's <see cref="CsvOutline"/>), so that the shard reads those rows alone.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ShardSource
{
    /// <summary>The CSV file (header line, numbers, the label column), at a path every silo can read.</summary>
    [Id(0)]
    public required string Path { get; init; }

    /// <summary>The label column's name or 1-based number; null for the last column.</summary>
    [Id(1)]
    public string? LabelColumn { get; init; }

    /// <summary>Rows of the whole file.</summary>
    [Id(2)]
    public int Rows { get; init; }

    /// <summary>Feature columns of the file.</summary>
    [Id(3)]
    public int Columns { get; init; }

    /// <summary>Shards the plan asked for.</summary>
    [Id(4)]
    public int Shards { get; init; }

    /// <summary>This shard's index in the plan.</summary>
    [Id(5)]
    public int Index { get; init; }

    /// <summary>Features kept as float (else double).</summary>
    [Id(6)]
    public bool Float { get; init; }

    /// <summary>The byte offset of a row start at or before the shard's first row.</summary>
    [Id(7)]
    public long Offset { get; init; }

    /// <summary>The line number at <see cref="Offset"/>.</summary>
    [Id(8)]
    public long Line { get; init; } = 2;

    /// <summary>Rows between <see cref="Offset"/> and the shard's first row.</summary>
    [Id(9)]
    public int Skip { get; init; }

    /// <summary>The file's separator.</summary>
    [Id(10)]
    public char Separator { get; init; } = ',';

    /// <summary>The label value of class 0, over the whole file.</summary>
    [Id(11)]
    public required string Negative { get; init; }

    /// <summary>The label value of class 1.</summary>
    [Id(12)]
    public required string Positive { get; init; }

    /// <summary>"csv" (dense rows) or "libsvm" (compressed sparse rows).</summary>
    [Id(13)]
    public string Format { get; init; } = "csv";

    /// <summary>LIBSVM: indices start at 0.</summary>
    [Id(14)]
    public bool ZeroBased { get; init; }

    /// <summary>LIBSVM: where each of the data set's chunks starts, then the row count (chunks cut by non-zeros); null for CSV.</summary>
    [Id(15)]
    public int[]? ChunkStarts { get; init; }

    /// <summary>The file's length when it was outlined: a silo whose copy differs refuses to read it.</summary>
    [Id(16)]
    public long FileLength { get; init; }

    /// <summary>More than two classes: every label value, in class order (null for two: <see cref="Negative"/>, <see cref="Positive"/>).</summary>
    [Id(17)]
    public string[]? Classes { get; init; }

    /// <summary>Whether two sources name the same rows (the arrays compared by value).</summary>
    public bool SameRows(ShardSource? other) =>
        other is not null && this with { ChunkStarts = null, Classes = null } == other with { ChunkStarts = null, Classes = null }
        && (ChunkStarts ?? []).AsSpan().SequenceEqual(other.ChunkStarts ?? []) && (Classes ?? []).AsSpan().SequenceEqual(other.Classes ?? []);
}

/// <summary>A training job's plan: each shard's source, and what the outline found (for the model file).</summary>
[GenerateSerializer]
[Immutable]
public sealed record ShardJob
{
    /// <summary>Every shard's source, in order.</summary>
    [Id(0)]
    public required ShardSource[] Sources { get; init; }

    /// <summary>The feature columns' names (CSV; empty for LIBSVM, whose columns are numbered).</summary>
    [Id(1)]
    public required string[] FeatureNames { get; init; }

    /// <summary>The label column's name.</summary>
    [Id(2)]
    public required string LabelName { get; init; }
}

/// <summary>
/// A data file a silo could not read (the reader's <see cref="DataFormatException"/>, or the file missing there), carried
/// back to the caller — Orleans has no codec for the reader's exception — and turned into a DataFormatException again
/// by <see cref="ToDataFormatException"/>. Not retried: reading the same bytes again fails the same way.
/// </summary>
[GenerateSerializer]
public sealed class ShardDataException : Exception
{
    /// <summary>For the serializer.</summary>
    public ShardDataException()
    {
    }

    /// <summary>The reader's error, as it will travel.</summary>
    public ShardDataException(DataFormatException error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        File = error.Source;
        Line = error.Line;
        Column = error.Column;
        Problem = error.Problem;
        Option = error.Option;
    }

    /// <summary>The file.</summary>
    [Id(0)]
    public string File { get; set; } = string.Empty;

    /// <summary>The line (0 when not on one line).</summary>
    [Id(1)]
    public long Line { get; set; }

    /// <summary>The column, or null.</summary>
    [Id(2)]
    public int? Column { get; set; }

    /// <summary>What is wrong.</summary>
    [Id(3)]
    public string Problem { get; set; } = string.Empty;

    /// <summary>The read option the file contradicts, or null.</summary>
    [Id(4)]
    public string? Option { get; set; }

    /// <summary>The reader's exception again, on the caller's side.</summary>
    public DataFormatException ToDataFormatException() => new(File, Line, Column, Problem, this) { Option = Option };
}

/// <summary>What a shard reports once its rows are loaded.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ShardReport
{
    /// <summary>The SIMD width its kernels run at on its silo (must be the same on every silo: the sums' rounding depends on it).</summary>
    [Id(0)]
    public required string Simd { get; init; }

    /// <summary>Per chunk, in order: the count of class 0 rows, then of class 1 rows.</summary>
    [Id(1)]
    public required long[] Counts { get; init; }

    /// <summary>Per chunk, in order: the summed sample weight of class 0 rows, then of class 1 rows.</summary>
    [Id(2)]
    public required double[] Weights { get; init; }
}

/// <summary>
/// A shard of a training job: loads its rows from the file (never through the caller), and evaluates the raw loss sums
/// of each of its chunks at the parameters it is sent. Every call carries the shard's source, so an activation that
/// lost its rows (its silo died, it moved) loads them again; evaluation is pure, so a retried call gives the same bits.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Outlines the file on this silo (one pass over its bytes: rows, columns, the label mapping, row starts; no feature
    /// parsed) and cuts it into at most <paramref name="shards"/> shards on the data set's chunk boundaries: each shard's source.
    /// </summary>
    /// <param name="path">The file, at a path every silo can read.</param>
    /// <param name="labelColumn">CSV: the label column's name or number; null for the last.</param>
    /// <param name="shards">Shards wanted.</param>
    /// <param name="asFloat">Keep the features as float.</param>
    /// <param name="format">"csv", "libsvm", or null to go by the extension (.libsvm, .svm, .svmlight: LIBSVM).</param>
    /// <param name="zeroBased">LIBSVM: indices start at 0.</param>
    /// <param name="maxClasses">The most label values accepted: 2 for binary data, up to 1000.</param>
    Task<ShardJob> Plan(string path, string? labelColumn, int shards, bool asFloat, string? format, bool zeroBased, int maxClasses);

    /// <summary>
    /// K classes: each chunk's sums at the raw parameters, as bytes — <paramref name="parameters"/> is K·d class-major
    /// weights then K intercepts (doubles); the answer, per chunk, the loss sum, the K residual sums, the K·d gradient sums.
    /// </summary>
    Task<byte[]> EvaluateSoftmaxChunks(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters);

    /// <summary>K classes, per-shard mode: the shard's chunks folded in order on its silo, as one such slot.</summary>
    Task<byte[]> EvaluateSoftmaxShard(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters);

    /// <summary>K classes: the per-shard sums of the subtree <paramref name="sources"/> folded through the aggregation tree, as <see cref="EvaluateTree"/> does for two.</summary>
    Task<byte[]> EvaluateSoftmaxTree(ShardSource[] sources, int fanIn, double[] classWeights, bool oneVsRest, byte[] parameters);

    /// <summary>Loads the shard's rows (if not yet) and reports its chunks' class totals and its SIMD width.</summary>
    Task<ShardReport> Load(ShardSource source);

    /// <summary>
    /// The sums of each chunk at the raw parameters, as bytes: <paramref name="parameters"/> is d weights then the bias
    /// (doubles); the answer is, per chunk, the loss sum, the residual sum, then the d gradient sums (doubles).
    /// </summary>
    Task<byte[]> EvaluateChunks(ShardSource source, double classWeight0, double classWeight1, byte[] parameters);

    /// <summary>
    /// The shard's own sums — its chunks folded in order on its silo — at the raw parameters, as bytes (the loss sum,
    /// the residual sum, the d gradient sums): the per-shard mode, one vector per shard instead of one per chunk.
    /// </summary>
    Task<byte[]> EvaluateShard(ShardSource source, double classWeight0, double classWeight1, byte[] parameters);

    /// <summary>
    /// The per-shard sums of the subtree of shards <paramref name="sources"/> (this grain's shard first), folded through
    /// the fixed <see cref="AggregationTree"/> of fan-in <paramref name="fanIn"/>: this grain evaluates its own shard,
    /// asks the other shards of a leaf node (or the first grain of each child group) for theirs, and folds them in shard
    /// order — one vector up each edge of the tree instead of one per shard to the caller.
    /// </summary>
    Task<byte[]> EvaluateTree(ShardSource[] sources, int fanIn, double classWeight0, double classWeight1, byte[] parameters);

    /// <summary>
    /// For standardization: the shard's first row (the data set's shift, from shard 0), its largest |x|, then per column
    /// its largest deviation from <paramref name="shift"/> (when given) — as doubles: d, 1, d values.
    /// </summary>
    Task<byte[]> Extremes(ShardSource source, byte[] shift);

    /// <summary>
    /// Each chunk's moments around <paramref name="shift"/> (in <paramref name="units"/>, when not empty) as doubles: per
    /// chunk the weight, the d sums, the d squares.
    /// </summary>
    Task<byte[]> Moments(ShardSource source, byte[] shift, byte[] units);

    /// <summary>
    /// For Newton: each chunk's curvature at the raw parameters, as doubles — per chunk Σc, then (with
    /// <paramref name="moments"/>) the d values of Σcx and the d of Σcx².
    /// </summary>
    Task<byte[]> PrepareCurvature(ShardSource source, double classWeight0, double classWeight1, byte[] parameters, bool moments);

    /// <summary>
    /// Each chunk's Hessian-vector product at <paramref name="prepared"/> (the point of the last PrepareCurvature, sent
    /// again so that a new activation prepares itself), as doubles: per chunk the intercept component, then the d values.
    /// </summary>
    Task<byte[]> HessianVector(ShardSource source, double classWeight0, double classWeight1, byte[] prepared, byte[] direction);

    /// <summary>
    /// K classes, for Newton: takes the probabilities at the raw parameters (K·d class-major weights, then K intercepts)
    /// and, with <paramref name="diagonal"/>, answers each chunk's sums for the Hessian's diagonal as doubles — per chunk
    /// Σc per class (K), then Σcx and Σcx² class-major (K·d each); without, an empty answer.
    /// </summary>
    Task<byte[]> PrepareSoftmaxCurvature(ShardSource source, double[] classWeights, bool oneVsRest, byte[] parameters, bool diagonal);

    /// <summary>
    /// K classes: each chunk's Hessian-vector sums at <paramref name="prepared"/> (the point of the last
    /// PrepareSoftmaxCurvature, sent again so that a new activation prepares itself) along the raw
    /// <paramref name="direction"/>, as <see cref="EvaluateSoftmaxChunks"/> answers sums (the loss slot 0).
    /// </summary>
    Task<byte[]> SoftmaxHessianVector(ShardSource source, double[] classWeights, bool oneVsRest, byte[] prepared, byte[] direction);

    /// <summary>Returns <paramref name="payload"/>: the transport's cost for a vector of this size, measured without the kernels.</summary>
    Task<byte[]> Echo(byte[] payload);
}
