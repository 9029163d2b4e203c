namespace FastLogReg.Objective;

/// <summary>
/// Rows — a shard of a data set — that report the raw <see cref="LossSums"/> of each of their chunks at given raw-feature
/// parameters, unfolded, so that whoever holds all the shards can fold every chunk in the data set's order. A shard on
/// this machine (<see cref="ShardLossSums{T}"/>) or a proxy for one on another.
/// </summary>
public interface IChunkSumsSource
{
    /// <summary>d, the number of features.</summary>
    int Columns { get; }

    /// <summary>How many chunks the rows hold.</summary>
    int ChunkCount { get; }

    /// <summary>
    /// Whether the rows are sparse: a data set of such shards then preconditions trust-region Newton as a local fit of
    /// the same rows does (<see cref="ICurvatureSource.SparseRows"/>). False by default.
    /// </summary>
    bool SparseRows => false;

    /// <summary>Writes each chunk's sums at (<paramref name="weights"/>, <paramref name="bias"/>) into <paramref name="perChunk"/>, in chunk order.</summary>
    /// <param name="weights">w on raw features, d values.</param>
    /// <param name="bias">b on raw features.</param>
    /// <param name="perChunk"><see cref="ChunkCount"/> sums of <see cref="Columns"/> columns (overwritten).</param>
    void EvaluateChunks(ReadOnlySpan<double> weights, double bias, IReadOnlyList<LossSums> perChunk);
}

/// <summary>
/// A shard that also gives each chunk's curvature (for Newton): the parts of <see cref="ICurvatureSource"/>'s
/// sums per chunk, unfolded, for the holder of all shards to fold in the data set's order.
/// </summary>
public interface IChunkCurvatureSource : IChunkSumsSource
{
    /// <summary>Caches the curvature at the point; writes Σc per chunk and, when <paramref name="sumCx"/> is not null, Σcx and Σcx² per chunk.</summary>
    /// <param name="weights">w on raw features.</param>
    /// <param name="bias">b on raw features.</param>
    /// <param name="totals">Receives Σc of each chunk (<see cref="IChunkSumsSource.ChunkCount"/> values).</param>
    /// <param name="sumCx">Receives Σcx of each chunk (d values each), or null to skip.</param>
    /// <param name="sumCx2">Receives Σcx² of each chunk, or null (with <paramref name="sumCx"/>).</param>
    void PrepareCurvatureChunks(ReadOnlySpan<double> weights, double bias, Span<double> totals, IReadOnlyList<double[]>? sumCx, IReadOnlyList<double[]>? sumCx2);

    /// <summary>Each chunk's Hessian-vector product at the prepared point: the product in Gradient, its intercept component in Residual.</summary>
    /// <param name="direction">u on raw features.</param>
    /// <param name="directionBias">u_b.</param>
    /// <param name="perChunk">Receives one product per chunk.</param>
    void HessianVectorChunks(ReadOnlySpan<double> direction, double directionBias, IReadOnlyList<LossSums> perChunk);
}
