using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Parallelism;

namespace FastLogReg.Kernels;

/// <summary>
/// Each chunk's rows of a <see cref="CsrMatrix{T}"/> copied column-major: the columns the chunk touches (ascending) and,
/// per column, its entries in row order — so that a chunk's part of Xᵀr is a gather from the chunk's own row values
/// (a few kilobytes, in cache) written to one compact slot per touched column, instead of a scatter into a d-long
/// gradient per chunk that must be cleared and folded whole. Each column's sum is accumulated in row order with one
/// accumulator, exactly as the row-major scatter adds into its slot, so the per-chunk sums — and everything folded from
/// them — are the same bits either way.
/// </summary>
internal sealed class CscCopy<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Chunk[] _chunks;
    private readonly int[] _compactStarts; // chunk c's compact slots start at _compactStarts[c]; the last entry is their total

    private CscCopy(Chunk[] chunks)
    {
        _chunks = chunks;
        _compactStarts = new int[chunks.Length + 1];
        for (int c = 0; c < chunks.Length; c++)
        {
            _compactStarts[c + 1] = _compactStarts[c] + chunks[c].Columns.Length; // Σ ≤ the non-zeros, fewer than 2³¹
        }
    }

    /// <summary>The number of chunks.</summary>
    public int ChunkCount => _chunks.Length;

    /// <summary>Σ over the chunks of their touched columns: the length of an array of compact slots, every chunk's in turn.</summary>
    public int CompactLength => _compactStarts[^1];

    /// <summary>Chunk <paramref name="chunk"/>'s touched columns, ascending.</summary>
    public ReadOnlySpan<int> Columns(int chunk) => _chunks[chunk].Columns;

    /// <summary>Chunk <paramref name="chunk"/>'s compact slots within an array of <see cref="CompactLength"/> (one per touched column).</summary>
    public Span<double> Compact(double[] all, int chunk) => all.AsSpan(_compactStarts[chunk], _chunks[chunk].Columns.Length);

    /// <summary>
    /// The column-major copy of the chunks of <paramref name="partition"/> over <paramref name="matrix"/>'s rows (each
    /// chunk fewer than 2³¹ non-zeros, as the row-major kernel requires too).
    /// </summary>
    public static CscCopy<T> Create(CsrMatrix<T> matrix, RowPartition partition)
    {
        int d = matrix.Columns;
        int[] mark = new int[d];
        mark.AsSpan().Fill(-1);
        int[] position = new int[d];
        var chunks = new Chunk[partition.ChunkCount];
        var columns = new List<int>();
        for (int c = 0; c < chunks.Length; c++)
        {
            (int start, int count) = partition[c];
            SparseRow<T> block = matrix.Block(start, count, out long first);
            ReadOnlySpan<long> offsets = matrix.RowOffsets.Span.Slice(start, count + 1);
            ReadOnlySpan<int> indices = block.Indices;
            ReadOnlySpan<T> values = block.Values;

            columns.Clear();
            foreach (int j in indices)
            {
                if (mark[j] != c)
                {
                    mark[j] = c;
                    columns.Add(j);
                }
            }

            int[] touchedColumns = [.. columns];
            Array.Sort(touchedColumns);
            int[] columnStarts = new int[touchedColumns.Length + 1];
            for (int k = 0; k < touchedColumns.Length; k++)
            {
                position[touchedColumns[k]] = k;
            }

            foreach (int j in indices)
            {
                columnStarts[position[j] + 1]++;
            }

            for (int k = 0; k < touchedColumns.Length; k++)
            {
                columnStarts[k + 1] += columnStarts[k];
            }

            int[] next = (int[])columnStarts.Clone();
            int[] rows = new int[indices.Length];
            T[] columnValues = new T[indices.Length];
            for (int r = 0; r < count; r++)
            {
                for (int k = (int)(offsets[r] - first); k < (int)(offsets[r + 1] - first); k++)
                {
                    int at = next[position[indices[k]]]++;
                    rows[at] = r;
                    columnValues[at] = values[k];
                }
            }

            chunks[c] = new Chunk(touchedColumns, columnStarts, rows, columnValues);
        }

        return new CscCopy<T>(chunks);
    }

    /// <summary>
    /// Chunk <paramref name="chunk"/>'s compact slots of <paramref name="compact"/>, k-th: Σ over the entries of its k-th
    /// touched column, in row order, of r[row]·x (one accumulator from 0, as the row-major scatter) — the chunk's part of
    /// Xᵀr. <paramref name="r"/> holds the chunk's rows' values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Transpose(int chunk, ReadOnlySpan<double> r, double[] compact)
    {
        Chunk c = _chunks[chunk];
        Span<double> sums = Compact(compact, chunk);
        ref int s0 = ref MemoryMarshal.GetArrayDataReference(c.ColumnStarts);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(c.Rows);
        ref T v0 = ref MemoryMarshal.GetArrayDataReference(c.Values);
        ref double r0 = ref MemoryMarshal.GetReference(r);
        int end = 0;
        for (int k = 0; k < sums.Length; k++)
        {
            int at = end;
            end = Unsafe.Add(ref s0, k + 1);
            double sum = 0;
            for (; at < end; at++)
            {
                sum += Unsafe.Add(ref r0, Unsafe.Add(ref i0, at)) * double.CreateTruncating(Unsafe.Add(ref v0, at));
            }

            sums[k] = sum;
        }
    }

    /// <summary>
    /// Chunk <paramref name="chunk"/>'s compact slots of <paramref name="firstMoments"/> and <paramref name="secondMoments"/>,
    /// k-th: Σ c[row]·x and Σ c[row]·x·x over its k-th touched column, in row order — the chunk's weighted column
    /// moments, as <see cref="CsrLayout{T}.WeightedMoments"/> adds them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Moments(int chunk, ReadOnlySpan<double> c, double[] firstMoments, double[] secondMoments)
    {
        Chunk part = _chunks[chunk];
        Span<double> cx = Compact(firstMoments, chunk), cx2 = Compact(secondMoments, chunk);
        ref int s0 = ref MemoryMarshal.GetArrayDataReference(part.ColumnStarts);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(part.Rows);
        ref T v0 = ref MemoryMarshal.GetArrayDataReference(part.Values);
        ref double c0 = ref MemoryMarshal.GetReference(c);
        int end = 0;
        for (int k = 0; k < cx.Length; k++)
        {
            int at = end;
            end = Unsafe.Add(ref s0, k + 1);
            double first = 0, second = 0;
            for (; at < end; at++)
            {
                double v = double.CreateTruncating(Unsafe.Add(ref v0, at));
                double w = Unsafe.Add(ref c0, Unsafe.Add(ref i0, at));
                first += w * v;
                second += w * v * v;
            }

            cx[k] = first;
            cx2[k] = second;
        }
    }

    private sealed record Chunk(int[] Columns, int[] ColumnStarts, int[] Rows, T[] Values);
}
