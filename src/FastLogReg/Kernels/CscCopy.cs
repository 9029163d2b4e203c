using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Parallelism;

namespace FastLogReg.Kernels;

/// <summary>
/// A column-major (compressed sparse column) copy of a <see cref="CsrMatrix{T}"/>, for Xᵀr computed column by column:
/// gⱼ = Σ over column j's non-zeros, in row order, of r[i]·xᵢⱼ — a gather from the n row values (small, cache-resident
/// on wide data) instead of a scatter into a d-long gradient per chunk, and no per-chunk gradients to clear and fold.
/// Column blocks (about <see cref="BlockNonZeros"/> non-zeros each) are cut by the data alone; each column's sum has one
/// order whatever the number of threads.
/// </summary>
internal sealed class CscCopy<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Non-zeros per column block to aim for.</summary>
    public const int BlockNonZeros = 1 << 17;

    private readonly long[] _columnOffsets;
    private readonly int[] _rows;
    private readonly T[] _values;

    private CscCopy(long[] columnOffsets, int[] rows, T[] values, int[] blockStarts)
    {
        _columnOffsets = columnOffsets;
        _rows = rows;
        _values = values;
        BlockStarts = blockStarts;
    }

    /// <summary>Where each column block starts, then the column count (blocks + 1 entries).</summary>
    public int[] BlockStarts { get; }

    /// <summary>The number of column blocks.</summary>
    public int BlockCount => BlockStarts.Length - 1;

    /// <summary>The transpose of <paramref name="matrix"/> (fewer than 2³¹ non-zeros), in one counting pass and one filling pass.</summary>
    public static CscCopy<T> Create(CsrMatrix<T> matrix)
    {
        ReadOnlySpan<long> rowOffsets = matrix.RowOffsets.Span;
        int rows = matrix.Rows, columns = matrix.Columns;
        long nonZeros = rowOffsets[rows] - rowOffsets[0];
        if (nonZeros > Array.MaxLength)
        {
            throw new InvalidOperationException($"A column-major copy holds fewer than {Array.MaxLength} non-zeros; this matrix has {nonZeros}.");
        }

        SparseRow<T> all = matrix.Block(0, rows, out long first);
        ReadOnlySpan<int> indices = all.Indices;
        ReadOnlySpan<T> values = all.Values;
        long[] offsets = new long[columns + 1];
        for (long k = first; k < rowOffsets[rows]; k++)
        {
            offsets[indices[(int)(k - first)] + 1]++;
        }

        for (int j = 0; j < columns; j++)
        {
            offsets[j + 1] += offsets[j];
        }

        long[] next = (long[])offsets.Clone();
        int[] rowOf = new int[nonZeros];
        T[] valueOf = new T[nonZeros];
        for (int i = 0; i < rows; i++)
        {
            for (long k = rowOffsets[i] - first; k < rowOffsets[i + 1] - first; k++)
            {
                long at = next[indices[(int)k]]++;
                rowOf[at] = i;
                valueOf[at] = values[(int)k];
            }
        }

        var starts = new List<int> { 0 };
        long target = BlockNonZeros;
        for (int j = 1; j < columns; j++)
        {
            if (offsets[j] >= target)
            {
                starts.Add(j);
                target = offsets[j] + BlockNonZeros;
            }
        }

        starts.Add(columns);
        return new CscCopy<T>(offsets, rowOf, valueOf, starts.ToArray());
    }

    /// <summary>gⱼ = Σᵢ r[i]·xᵢⱼ for the columns of block <paramref name="block"/> (written, not added).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Transpose(int block, ReadOnlySpan<double> r, Span<double> g)
    {
        int from = BlockStarts[block], to = BlockStarts[block + 1];
        ref long o0 = ref MemoryMarshal.GetArrayDataReference(_columnOffsets);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(_rows);
        ref T v0 = ref MemoryMarshal.GetArrayDataReference(_values);
        ref double r0 = ref MemoryMarshal.GetReference(r);
        Span<double> target = g[from..to];
        for (int j = from; j < to; j++)
        {
            long start = Unsafe.Add(ref o0, j);
            int length = (int)(Unsafe.Add(ref o0, j + 1) - start);
            target[j - from] = SparseLossGradient.Dot(ref Unsafe.Add(ref i0, (nint)start), ref Unsafe.Add(ref v0, (nint)start), length, ref r0);
        }
    }
}
