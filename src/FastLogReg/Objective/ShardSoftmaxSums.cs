using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>
/// One shard's rows of a K-class data set, evaluated chunk by chunk on the whole data set's chunk boundaries
/// (<see cref="ShardPlan"/>) with the fused softmax kernel: each chunk's <see cref="SoftmaxSums"/> are the very sums a
/// local multinomial (or one-vs-rest) fit of the whole data set computes for it, for any thread count here.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ShardSoftmaxSums<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FeatureLayout<T> _layout;
    private readonly double[] _classWeights;
    private readonly bool _oneVsRest;
    private readonly double[] _raw; // W′ in the layout's orientation
    private readonly double[] _biases;
    private readonly ChunkParts _parts;
    private double[]? _partials; // per unit, K·d in the layout's orientation (made on the first evaluation: the statistics need none)
    private readonly double[] _residuals; // per unit, K
    private readonly double[] _losses;
    private readonly ChunkRunner _runner;
    private double[]? _scores;      // K × rows: the probabilities at the prepared point
    private double[]? _prepared;    // the raw point the probabilities are taken at (K·d weights, then K intercepts)
    private bool _preparedValid;
    private bool _hessianPass;      // the runner's pass is the Hessian-vector one

    /// <summary>Shard <paramref name="shard"/> of <paramref name="plan"/>, holding exactly its rows, whose labels are class ids 0 … K − 1.</summary>
    /// <param name="rows">The shard's rows (dense or sparse, as the plan), their ClassCount the data set's K.</param>
    /// <param name="plan">The data set's plan.</param>
    /// <param name="shard">Which shard these rows are.</param>
    /// <param name="classWeights">K class weights resolved over the whole data set (ClassWeights.ResolveAll of the merged totals); empty for none.</param>
    /// <param name="oneVsRest">K binary logistic losses (one-vs-rest) instead of the softmax.</param>
    /// <param name="maxDegreeOfParallelism">Threads on this machine; null for all cores.</param>
    /// <exception cref="ArgumentException">The rows do not match the plan's shard, or the class weights the classes.</exception>
    public ShardSoftmaxSums(Dataset<T> rows, ShardPlan plan, int shard, ReadOnlySpan<double> classWeights, bool oneVsRest = false, int? maxDegreeOfParallelism = null)
    {
        _layout = ShardStatistics.Layout(rows, plan, shard);
        ShardRange range = plan.Shards[shard];
        int k = rows.ClassCount, d = plan.Columns;
        if (!classWeights.IsEmpty && classWeights.Length != k)
        {
            throw new ArgumentException($"{classWeights.Length} class weights for {k} classes.", nameof(classWeights));
        }

        Range = range;
        Classes = k;
        _classWeights = classWeights.IsEmpty ? Enumerable.Repeat(1.0, k).ToArray() : classWeights.ToArray();
        _oneVsRest = oneVsRest;
        _raw = new double[k * d];
        _biases = new double[k];
        _parts = new ChunkParts(_layout.Partition, k, d, plan.ChunkCount, plan.IsSparse ? 0 : plan.ElementSize);
        _residuals = new double[_parts.Count * k];
        _losses = new double[_parts.Count];
        _runner = new ChunkRunner(_parts.Count, maxDegreeOfParallelism, Chunk);
    }

    /// <summary>Which rows and chunks of the data set these are.</summary>
    public ShardRange Range { get; }

    /// <summary>K.</summary>
    public int Classes { get; }

    /// <summary>d.</summary>
    public int Columns => _layout.Columns;

    /// <summary>Chunks of the shard.</summary>
    public int ChunkCount => _layout.Partition.ChunkCount;

    /// <summary>The SIMD width the kernels run at here.</summary>
    public string KernelWidth => _layout.Width.ToString();

    /// <summary>Each chunk's class counts and weights, in chunk order.</summary>
    public IReadOnlyList<ClassTotals> ChunkTotals() => ShardStatistics.ChunkTotals(_layout);

    /// <summary>The shard's first row as doubles (for shard 0, the data set's moment shift).</summary>
    public double[] FirstRow() => _layout.MomentShift();

    /// <summary>The largest |x| of the shard's features.</summary>
    public double MaxMagnitude => _layout.Data.MaxMagnitude;

    /// <summary>Per column, max |xᵢⱼ − shiftⱼ| over the shard's rows.</summary>
    public void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest) => _layout.LargestDeviations(shift, largest);

    /// <summary>Each chunk's moments around <paramref name="shift"/> (in <paramref name="units"/>, or none), as <see cref="ShardLossSums{T}.Moments"/>.</summary>
    public IReadOnlyList<ChunkMoments> Moments(ReadOnlySpan<double> shift, double[]? units, int dataSetRows) => ShardStatistics.Moments(_layout, shift, units, dataSetRows);

    /// <summary>Each chunk's sums at raw class-major weights (K·d) and intercepts (K), into <paramref name="perChunk"/> (class-major).</summary>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public void EvaluateChunks(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, IReadOnlyList<SoftmaxSums> perChunk)
    {
        ArgumentNullException.ThrowIfNull(perChunk);
        int k = Classes, d = Columns, kd = k * d;
        if (weights.Length != kd || biases.Length != k || perChunk.Count != ChunkCount || perChunk.Any(s => s.Classes != k || s.Columns != d))
        {
            throw new ArgumentException($"Expected {kd} weights, {k} intercepts and {ChunkCount} sums of {k} × {d}.");
        }

        if (_layout.FeatureMajorClasses)
        {
            MultinomialObjective<T>.TransposeInto(weights, k, d, _raw);
        }
        else
        {
            weights.CopyTo(_raw);
        }

        biases.CopyTo(_biases);
        _partials ??= new double[checked(_parts.Count * kd)];
        _runner.Run();
        for (int c = 0; c < ChunkCount; c++)
        {
            _parts.Fold(c, kd, k, kd, _partials, _residuals, _losses);
            int u = _parts.FirstUnit(c);
            ReadOnlySpan<double> partial = _partials.AsSpan(u * kd, kd);
            if (_layout.FeatureMajorClasses)
            {
                MultinomialObjective<T>.TransposeInto(partial, d, k, perChunk[c].Gradient);
            }
            else
            {
                partial.CopyTo(perChunk[c].Gradient);
            }

            _residuals.AsSpan(u * k, k).CopyTo(perChunk[c].Residuals);
            perChunk[c].Loss = _losses[u];
        }
    }

    /// <summary>Whether the rows are sparse.</summary>
    public bool SparseRows => _layout.Data is SparseDataset<T>;

    /// <summary>
    /// Takes the probabilities at raw class-major <paramref name="weights"/> and <paramref name="biases"/> (for the
    /// following <see cref="HessianVectorChunks"/>), chunk by chunk as the local objective takes them; with a non-empty
    /// <paramref name="perChunk"/> also writes each chunk's sums for the Hessian's diagonal into it, back to back in chunk
    /// order (<see cref="SoftmaxCurvature.SlotLength"/> each: Σc per class, then Σcx and Σcx² class-major).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public void PrepareCurvatureChunks(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> perChunk)
    {
        int k = Classes, d = Columns, kd = k * d, rows = _layout.Data.Rows, slot = SoftmaxCurvature.SlotLength(k, d);
        if (weights.Length != kd || biases.Length != k || !(perChunk.IsEmpty || perChunk.Length == ChunkCount * slot))
        {
            throw new ArgumentException($"Expected {kd} weights, {k} intercepts and {ChunkCount} × {slot} diagonal sums or none.");
        }

        _scores ??= new double[checked(k * rows)];
        _preparedValid = false;
        for (int c = 0; c < ChunkCount; c++)
        {
            (int start, int count) = _layout.Partition[c];
            _layout.SoftmaxCurvature(start, count, weights, biases, _classWeights, _oneVsRest, _scores, rows, perChunk.IsEmpty ? default : perChunk.Slice(c * slot, slot));
        }

        _prepared ??= new double[kd + k];
        weights.CopyTo(_prepared);
        biases.CopyTo(_prepared.AsSpan(kd));
        _preparedValid = true;
    }

    /// <summary>Whether the probabilities are those at raw (<paramref name="weights"/>, <paramref name="biases"/>).</summary>
    public bool IsPreparedAt(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases) =>
        _preparedValid && weights.Length == Classes * Columns && biases.Length == Classes && _prepared!.AsSpan(0, weights.Length).SequenceEqual(weights) && _prepared.AsSpan(weights.Length).SequenceEqual(biases);

    /// <summary>
    /// Each chunk's Hessian-vector sums at the prepared point along raw class-major <paramref name="weights"/> and
    /// <paramref name="biases"/> (a direction): the product's class-major sums in Gradient, the K per-class sums in
    /// Residuals, Loss 0 — the local objective's chunk sums of the same pass.
    /// </summary>
    /// <exception cref="InvalidOperationException">No point has been prepared.</exception>
    public void HessianVectorChunks(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, IReadOnlyList<SoftmaxSums> perChunk)
    {
        if (!_preparedValid)
        {
            throw new InvalidOperationException("PrepareCurvatureChunks has not been called: the Hessian is taken at a prepared point.");
        }

        _hessianPass = true;
        try
        {
            EvaluateChunks(weights, biases, perChunk);
        }
        finally
        {
            _hessianPass = false;
        }
    }

    private void Chunk(int unit)
    {
        int k = Classes, kd = k * Columns;
        (int start, int count) = _parts[unit];
        if (_hessianPass)
        {
            _layout.SoftmaxHessianVector(start, count, _raw, _biases, _scores.AsSpan(start), _layout.Data.Rows, _classWeights, _oneVsRest, _partials!.AsSpan(unit * kd, kd), _residuals.AsSpan(unit * k, k));
            _losses[unit] = 0;
            return;
        }

        _losses[unit] = _layout.Softmax(start, count, _raw, _biases, _classWeights, _oneVsRest, _partials!.AsSpan(unit * kd, kd), _residuals.AsSpan(unit * k, k));
    }
}

/// <summary>
/// A K-class data set held as shards: each shard's chunk sums folded in the data set's order (<see cref="SoftmaxSums.Fold"/>),
/// so <see cref="ShardedMultinomialObjective"/> over it gives the local multinomial objective bit for bit.
/// </summary>
public sealed class ShardedSoftmaxSums<T> : ISoftmaxCurvatureSource
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<ShardSoftmaxSums<T>> _shards;
    private readonly SoftmaxSums[][] _chunks;
    private double[]? _diagonalChunks;

    /// <summary>The shards, in the data set's order, whose rows weigh <paramref name="totalWeight"/> in all.</summary>
    public ShardedSoftmaxSums(IReadOnlyList<ShardSoftmaxSums<T>> shards, double totalWeight)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfZero(shards.Count);
        _shards = shards;
        Classes = shards[0].Classes;
        Columns = shards[0].Columns;
        TotalWeight = totalWeight;
        _chunks = shards.Select(s => Enumerable.Range(0, s.ChunkCount).Select(_ => new SoftmaxSums(Classes, Columns)).ToArray()).ToArray();
    }

    /// <inheritdoc/>
    public int Classes { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public double TotalWeight { get; }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums sums)
    {
        for (int s = 0; s < _shards.Count; s++)
        {
            _shards[s].EvaluateChunks(weights, biases, _chunks[s]);
        }

        SoftmaxSums.Fold(_chunks.SelectMany(c => c), sums);
    }

    /// <inheritdoc/>
    public bool SparseRows => _shards[0].SparseRows;

    /// <inheritdoc/>
    public void PrepareCurvature(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> diagonalSums)
    {
        int slot = SoftmaxCurvature.SlotLength(Classes, Columns);
        double[] perChunk = diagonalSums.IsEmpty ? [] : _diagonalChunks ??= new double[_chunks.Sum(c => c.Length) * slot];
        int offset = 0;
        foreach (ShardSoftmaxSums<T> shard in _shards)
        {
            shard.PrepareCurvatureChunks(weights, biases, perChunk.AsSpan(offset, diagonalSums.IsEmpty ? 0 : shard.ChunkCount * slot));
            offset += diagonalSums.IsEmpty ? 0 : shard.ChunkCount * slot;
        }

        if (!diagonalSums.IsEmpty)
        {
            SoftmaxSums.FoldSlots(perChunk, slot, diagonalSums);
        }
    }

    /// <inheritdoc/>
    public void HessianVector(ReadOnlySpan<double> atWeights, ReadOnlySpan<double> atBiases, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums product)
    {
        for (int s = 0; s < _shards.Count; s++)
        {
            if (!_shards[s].IsPreparedAt(atWeights, atBiases))
            {
                _shards[s].PrepareCurvatureChunks(atWeights, atBiases, default);
            }

            _shards[s].HessianVectorChunks(weights, biases, _chunks[s]);
        }

        SoftmaxSums.Fold(_chunks.SelectMany(c => c), product);
    }
}

/// <summary>
/// The K-class objective (multinomial or one-vs-rest) over any <see cref="ISoftmaxSumsSource"/> — shards here or on other
/// machines — finished exactly as the local <see cref="MultinomialObjective{T}"/> finishes: the standardization's chain
/// rule, normalization by S, the penalty once. Parameters are K rows of d weights, then K intercepts. Over an
/// <see cref="ISoftmaxCurvatureSource"/> it is twice differentiable — trust-region Newton's Hessian-vector products and
/// preconditioner with the local objective's bits; otherwise those throw <see cref="NotSupportedException"/>.
/// </summary>
public sealed class ShardedMultinomialObjective : ITwiceDifferentiableFunction
{
    private readonly ISoftmaxSumsSource _source;
    private readonly SoftmaxSums _sums;
    private readonly double[] _weights;
    private readonly double[] _biases;
    private double[]? _last;          // the raw point of the most recent evaluation (K·d weights, then K intercepts)
    private Prepared _prepared;       // what the source holds at _last
    private double[]? _diagonalSums;  // SoftmaxCurvature.SlotLength(K, d)
    private SoftmaxSums? _product;
    private double[]? _direction;     // a direction on raw features (K·d, then K)

    private enum Prepared
    {
        Nothing,
        Probabilities,
        Diagonal,
    }

    /// <summary>The objective over <paramref name="source"/> with <paramref name="penalty"/>.</summary>
    public ShardedMultinomialObjective(ISoftmaxSumsSource source, Penalty penalty, bool fitIntercept = true, FeatureScaling? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(penalty);
        _source = source;
        Penalty = penalty;
        FitIntercept = fitIntercept;
        Scaling = scaling;
        _sums = new SoftmaxSums(source.Classes, source.Columns);
        _weights = new double[source.Classes * source.Columns];
        _biases = new double[source.Classes];
    }

    /// <summary>The penalty.</summary>
    public Penalty Penalty { get; }

    /// <summary>Whether the last K parameters are intercepts.</summary>
    public bool FitIntercept { get; }

    /// <summary>The standardization, or null.</summary>
    public FeatureScaling? Scaling { get; }

    /// <inheritdoc/>
    public int Dimension => (_source.Classes * _source.Columns) + (FitIntercept ? _source.Classes : 0);

    /// <inheritdoc/>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        if (point.Length != Dimension || gradient.Length != Dimension)
        {
            throw new ArgumentException($"The point and gradient need {Dimension} values; got {point.Length} and {gradient.Length}.", nameof(point));
        }

        int k = _source.Classes, d = _source.Columns;
        ToRaw(point, _weights, _biases);
        _source.Evaluate(_weights, _biases, _sums);
        _last ??= new double[(k * d) + k];
        _weights.CopyTo(_last, 0);
        _biases.CopyTo(_last, k * d);
        _prepared = Prepared.Nothing;
        _sums.Gradient.CopyTo(gradient[..(k * d)]);
        return MultinomialObjective<float>.Finish(point, gradient, _sums.Residuals, _sums.Loss, _source.TotalWeight, Scaling, Penalty, FitIntercept, k, d, out _);
    }

    /// <inheritdoc/>
    /// <remarks>One pass over every shard's rows (after the probabilities at the point, once per point).</remarks>
    /// <exception cref="NotSupportedException">The source gives no curvature.</exception>
    /// <exception cref="InvalidOperationException">Nothing has been evaluated yet.</exception>
    public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
    {
        int k = _source.Classes, d = _source.Columns, kd = k * d;
        if (direction.Length != Dimension || product.Length != Dimension)
        {
            throw new ArgumentException($"The direction and product need {Dimension} values; got {direction.Length} and {product.Length}.", nameof(direction));
        }

        ISoftmaxCurvatureSource source = Prepare(Prepared.Probabilities);
        _direction ??= new double[kd + k];
        ToRaw(direction, _direction.AsSpan(0, kd), _direction.AsSpan(kd, k));
        _product ??= new SoftmaxSums(k, d);
        source.HessianVector(_last!.AsSpan(0, kd), _last.AsSpan(kd, k), _direction.AsSpan(0, kd), _direction.AsSpan(kd, k), _product);
        _product.Gradient.CopyTo(product[..kd]);
        SoftmaxCurvature.FinishProduct(direction, product, _product.Residuals, k, d, Scaling, Penalty, _source.TotalWeight, FitIntercept);
    }

    /// <inheritdoc/>
    /// <remarks>As the local objective's: (1/S)·Σᵢ sᵢ·pᵢₖ(1 − pᵢₖ)·x̂ᵢⱼ² plus the penalty's curvature, the intercepts' without it.</remarks>
    public bool TryGetHessianDiagonal(Span<double> diagonal)
    {
        if (diagonal.Length != Dimension || _last is null || _source is not ISoftmaxCurvatureSource)
        {
            return false;
        }

        Prepare(Prepared.Diagonal);
        SoftmaxCurvature.Diagonal(_diagonalSums, _source.Classes, _source.Columns, Scaling, _source.TotalWeight, Penalty.CurvatureBound, FitIntercept, diagonal);
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>The local objective's: the diagonal averaged over the classes per column, then the rows' preconditioner (<see cref="Preconditioning"/>).</remarks>
    public bool TryGetPreconditioner(Span<double> preconditioner)
    {
        if (!TryGetHessianDiagonal(preconditioner))
        {
            return false;
        }

        Preconditioning.ClassUniform(preconditioner, _source.Classes, _source.Columns, FitIntercept);
        Preconditioning.ForRows(preconditioner, ((ISoftmaxCurvatureSource)_source).SparseRows);
        return true;
    }

    /// <summary>The source, prepared at the last evaluated point for at least <paramref name="needed"/>.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_diagonalSums))]
    private ISoftmaxCurvatureSource Prepare(Prepared needed)
    {
        if (_source is not ISoftmaxCurvatureSource source)
        {
            throw new NotSupportedException("These K-class sums give no curvature (ISoftmaxCurvatureSource): Newton cannot run over them; use L-BFGS.");
        }

        if (_last is null)
        {
            throw new InvalidOperationException("The Hessian is taken at the most recently evaluated point: call Evaluate first.");
        }

        int k = _source.Classes, kd = k * _source.Columns;
        _diagonalSums ??= new double[SoftmaxCurvature.SlotLength(k, _source.Columns)];
        if (_prepared < needed)
        {
            source.PrepareCurvature(_last.AsSpan(0, kd), _last.AsSpan(kd, k), needed == Prepared.Diagonal ? _diagonalSums : default);
            _prepared = needed;
        }

        return source;
    }

    /// <summary>(W, b) → the raw-feature parameters: class-major weights (K·d) and intercepts (K).</summary>
    public void ToRaw(ReadOnlySpan<double> point, Span<double> weights, Span<double> biases) =>
        MultinomialObjective<float>.ToRaw(point, weights, biases, _source.Classes, _source.Columns, FitIntercept, Scaling);
}
