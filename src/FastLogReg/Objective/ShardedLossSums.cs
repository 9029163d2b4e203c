namespace FastLogReg.Objective;

/// <summary>
/// The loss sums of a data set held as shards (<see cref="IChunkSumsSource"/>, here or on other machines): every shard
/// evaluates its chunks, and the chunk sums are folded in the data set's order — shard after shard, chunk after chunk,
/// the first copied, the rest added — exactly as a local fit folds them. With the shards of a <see cref="ShardPlan"/>,
/// a <see cref="RegularizedObjective"/> over this source gives the local objective's values and gradients bit for bit,
/// so every solver takes the same steps as <c>LogisticRegression.Train</c> on the whole data.
/// </summary>
public sealed class ShardedLossSums : ICurvatureSource
{
    private readonly IReadOnlyList<IChunkSumsSource> _shards;
    private readonly LossSums[][] _perChunk;
    private readonly LossSums _product;

    /// <summary>A data set of <paramref name="shards"/>, in order, whose rows weigh <paramref name="totalWeight"/> in all.</summary>
    /// <param name="shards">The shards, in the data set's row order.</param>
    /// <param name="totalWeight">S = Σ sample weight × class weight over every row (<see cref="TotalWeightOf"/>).</param>
    /// <exception cref="ArgumentException">No shards, or shards of different widths.</exception>
    public ShardedLossSums(IReadOnlyList<IChunkSumsSource> shards, double totalWeight)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0 || shards.Any(s => s is null || s.Columns != shards[0].Columns || s.ChunkCount < 1))
        {
            throw new ArgumentException("Expected at least one shard, all of the same width, each with at least one chunk.", nameof(shards));
        }

        _shards = shards;
        Columns = shards[0].Columns;
        TotalWeight = totalWeight;
        _product = new LossSums(Columns);
        _perChunk = shards.Select(s => Enumerable.Range(0, s.ChunkCount).Select(_ => new LossSums(Columns)).ToArray()).ToArray();
    }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public bool SparseRows => _shards.Any(s => s.SparseRows);

    /// <inheritdoc/>
    public double TotalWeight { get; }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A shard does not give its curvature (not an <see cref="IChunkCurvatureSource"/>).</exception>
    public double PrepareCurvature(ReadOnlySpan<double> weights, double bias, Span<double> sumCx, Span<double> sumCx2)
    {
        bool moments = !sumCx.IsEmpty;
        var totals = new List<double>();
        var cx = new List<double[]>();
        var cx2 = new List<double[]>();
        foreach (IChunkSumsSource shard in _shards)
        {
            IChunkCurvatureSource curved = Curved(shard);
            double[] shardTotals = new double[curved.ChunkCount];
            double[][]? shardCx = moments ? Enumerable.Range(0, curved.ChunkCount).Select(_ => new double[Columns]).ToArray() : null;
            double[][]? shardCx2 = moments ? Enumerable.Range(0, curved.ChunkCount).Select(_ => new double[Columns]).ToArray() : null;
            curved.PrepareCurvatureChunks(weights, bias, shardTotals, shardCx, shardCx2);
            totals.AddRange(shardTotals);
            cx.AddRange(shardCx ?? []);
            cx2.AddRange(shardCx2 ?? []);
        }

        return FoldCurvature(totals, cx, cx2, sumCx, sumCx2);
    }

    /// <summary>
    /// Folds per-chunk curvature parts given in the data set's order as a local fit does (the first copied, each next
    /// added): returns Σc; writes Σcx and Σcx² when <paramref name="sumCx"/> is not empty.
    /// </summary>
    public static double FoldCurvature(IReadOnlyList<double> totals, IReadOnlyList<double[]> cx, IReadOnlyList<double[]> cx2, Span<double> sumCx, Span<double> sumCx2)
    {
        ArgumentNullException.ThrowIfNull(totals);
        ArgumentNullException.ThrowIfNull(cx);
        ArgumentNullException.ThrowIfNull(cx2);
        double total = totals[0];
        for (int c = 1; c < totals.Count; c++)
        {
            total += totals[c];
        }

        if (!sumCx.IsEmpty)
        {
            int d = sumCx.Length;
            cx[0].AsSpan(0, d).CopyTo(sumCx);
            cx2[0].AsSpan(0, d).CopyTo(sumCx2);
            for (int c = 1; c < cx.Count; c++)
            {
                Numerics.SmallVectors.Add(sumCx, cx[c].AsSpan(0, d), sumCx);
                Numerics.SmallVectors.Add(sumCx2, cx2[c].AsSpan(0, d), sumCx2);
            }
        }

        return total;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A shard does not give its curvature.</exception>
    public void HessianVector(ReadOnlySpan<double> direction, double directionBias, Span<double> product, out double productBias)
    {
        for (int s = 0; s < _shards.Count; s++)
        {
            Curved(_shards[s]).HessianVectorChunks(direction, directionBias, _perChunk[s]);
        }

        Fold(_perChunk.SelectMany(shard => shard), _product);
        _product.Gradient.CopyTo(product);
        productBias = _product.Residual;
    }

    private static IChunkCurvatureSource Curved(IChunkSumsSource shard) =>
        shard as IChunkCurvatureSource ?? throw new NotSupportedException($"{shard.GetType().Name} does not give its chunks' curvature (IChunkCurvatureSource): no Newton steps over it.");

    /// <summary>Every chunk's class totals merged in the data set's order (as a local fit merges them).</summary>
    /// <param name="chunkTotals">The chunks' totals, shard after shard, chunk after chunk.</param>
    public static ClassTotals MergeTotals(IEnumerable<ClassTotals> chunkTotals)
    {
        ArgumentNullException.ThrowIfNull(chunkTotals);
        ClassTotals? totals = null;
        foreach (ClassTotals chunk in chunkTotals)
        {
            (totals ??= new ClassTotals(chunk.Counts.Length)).Add(chunk);
        }

        return totals ?? new ClassTotals(2);
    }

    /// <summary>The class weights a local fit would use (balanced weights from the merged counts), for the shards to evaluate with.</summary>
    public static (double Negative, double Positive) ResolveClassWeights(ClassTotals totals, ClassWeights? classWeights) =>
        (classWeights ?? ClassWeights.None).Resolve(totals);

    /// <summary>S as a local fit computes it from the merged totals and the resolved class weights.</summary>
    public static double TotalWeightOf(ClassTotals totals, double classWeight0, double classWeight1)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return totals.TotalWeight([classWeight0, classWeight1]);
    }

    /// <inheritdoc/>
    public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        for (int s = 0; s < _shards.Count; s++)
        {
            _shards[s].EvaluateChunks(weights, bias, _perChunk[s]);
        }

        Fold(_perChunk.SelectMany(shard => shard), sums);
    }

    /// <summary>
    /// Folds chunk sums given in the data set's order into <paramref name="sums"/> as a local fit does: the first copied,
    /// each next one added. Any transport that gathers chunk sums folds them with this to keep the local bits.
    /// </summary>
    /// <param name="chunksInOrder">Every chunk's sums, shard after shard, chunk after chunk.</param>
    /// <param name="sums">Receives the total (overwritten).</param>
    /// <exception cref="ArgumentException">No chunks.</exception>
    public static void Fold(IEnumerable<LossSums> chunksInOrder, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(chunksInOrder);
        ArgumentNullException.ThrowIfNull(sums);
        bool first = true;
        foreach (LossSums chunk in chunksInOrder)
        {
            if (first)
            {
                sums.CopyFrom(chunk);
                first = false;
            }
            else
            {
                sums.Add(chunk);
            }
        }

        if (first)
        {
            throw new ArgumentException("No chunk sums to fold.", nameof(chunksInOrder));
        }
    }
}
