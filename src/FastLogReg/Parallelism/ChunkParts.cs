using System.Numerics.Tensors;

namespace FastLogReg.Parallelism;

/// <summary>
/// The work units of a K-class pass: the chunks of a partition, each cut into parts when the data set has so few chunks
/// that whole chunks would leave cores idle. A K-class pass costs K dot products per row, so a small data set — one
/// chunk of about 1 MiB, like the 1,797 × 64 digits — would run on one core. Below <see cref="FewChunks"/> chunks (of
/// the whole data set), with more than two classes, each dense chunk is cut into up to <see cref="MaxParts"/> parts of at
/// least <see cref="MinPartRows"/> rows — as many as keep the parts' partial sums (K·d doubles each) within the chunk's
/// own bytes, so that wide data never multiplies its memory (sparse chunks, cut by width already, stay whole). Parts'
/// sums are added in part order into the chunk's own sums (<see cref="Fold"/>) before the chunks are folded, so a chunk's
/// sums are the same wherever its parts ran — on any thread here, or on the machine that holds the chunk in sharded
/// training (which cuts its chunks by the same rule, from the data set's chunk count).
/// </summary>
internal sealed class ChunkParts
{
    /// <summary>Data sets with fewer chunks than this are cut finer.</summary>
    public const int FewChunks = 16;

    /// <summary>Parts per chunk at most.</summary>
    public const int MaxParts = 4;

    /// <summary>Rows per part at least.</summary>
    public const int MinPartRows = 128;

    private readonly int[] _firstUnit; // chunk c's parts are units [_firstUnit[c], _firstUnit[c + 1])
    private readonly (int Start, int Count)[] _units;

    /// <summary>The units of <paramref name="partition"/>'s chunks.</summary>
    /// <param name="partition">The chunks (a shard's own, or the whole data set's).</param>
    /// <param name="classes">K.</param>
    /// <param name="columns">d.</param>
    /// <param name="dataSetChunks">Chunks of the whole data set (the partition's own count unless it is a shard's).</param>
    /// <param name="elementSize">Bytes per feature of dense rows, or 0 for chunks that are never cut (sparse).</param>
    public ChunkParts(RowPartition partition, int classes, int columns, int dataSetChunks, int elementSize)
    {
        bool cut = classes > 2 && dataSetChunks < FewChunks && elementSize > 0;
        long rowBytes = (long)columns * elementSize, partialBytes = (long)classes * columns * sizeof(double);
        _firstUnit = new int[partition.ChunkCount + 1];
        var units = new List<(int, int)>(partition.ChunkCount);
        for (int c = 0; c < partition.ChunkCount; c++)
        {
            (int start, int count) = partition[c];
            int parts = cut ? Math.Clamp(count / MinPartRows, 1, MaxParts) : 1;
            while (parts > 1 && parts * partialBytes > count * rowBytes)
            {
                parts--;
            }

            // Boundaries at count·u/parts: every part holds ⌊count/parts⌋ ≥ MinPartRows rows or one more.
            _firstUnit[c] = units.Count;
            for (int u = 0; u < parts; u++)
            {
                int from = (int)((long)count * u / parts), to = (int)((long)count * (u + 1) / parts);
                units.Add((start + from, to - from));
            }
        }

        _firstUnit[^1] = units.Count;
        _units = [.. units];
    }

    /// <summary>Units in all.</summary>
    public int Count => _units.Length;

    /// <summary>Unit <paramref name="unit"/>'s rows.</summary>
    public (int Start, int Count) this[int unit] => _units[unit];

    /// <summary>Chunk <paramref name="chunk"/>'s first unit, which receives the chunk's sums.</summary>
    public int FirstUnit(int chunk) => _firstUnit[chunk];

    /// <summary>Chunk <paramref name="chunk"/>'s units.</summary>
    public int PartsOf(int chunk) => _firstUnit[chunk + 1] - _firstUnit[chunk];

    /// <summary>
    /// Adds chunk <paramref name="chunk"/>'s later parts' sums into its first unit's, in part order: the gradient
    /// (<paramref name="length"/> values per slot, slots <paramref name="stride"/> apart), K residual sums and the loss.
    /// </summary>
    public void Fold(int chunk, int length, int classes, int stride, double[] gradients, double[] residuals, double[] losses)
    {
        int first = FirstUnit(chunk);
        for (int u = first + 1; u < first + PartsOf(chunk); u++)
        {
            TensorPrimitives.Add(gradients.AsSpan(first * stride, length), gradients.AsSpan(u * stride, length), gradients.AsSpan(first * stride, length));
            TensorPrimitives.Add(residuals.AsSpan(first * classes, classes), residuals.AsSpan(u * classes, classes), residuals.AsSpan(first * classes, classes));
            losses[first] += losses[u];
        }
    }
}
