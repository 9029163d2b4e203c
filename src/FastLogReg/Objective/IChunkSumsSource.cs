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

    /// <summary>Writes each chunk's sums at (<paramref name="weights"/>, <paramref name="bias"/>) into <paramref name="perChunk"/>, in chunk order.</summary>
    /// <param name="weights">w on raw features, d values.</param>
    /// <param name="bias">b on raw features.</param>
    /// <param name="perChunk"><see cref="ChunkCount"/> sums of <see cref="Columns"/> columns (overwritten).</param>
    void EvaluateChunks(ReadOnlySpan<double> weights, double bias, IReadOnlyList<LossSums> perChunk);
}
