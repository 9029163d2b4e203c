using System.Buffers;
using System.Collections;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using FastLogReg.Data;

namespace FastLogReg.Features;

/// <summary>How a hashed column's cell becomes tokens.</summary>
public enum HashedTokens
{
    /// <summary>The whole cell (trimmed, case kept) is one category: one feature per row.</summary>
    Category,

    /// <summary>
    /// The cell is text: split at every character that is not a letter or digit, lower-cased (invariant culture); each
    /// word counts once per occurrence (a bag of words).
    /// </summary>
    Words,
}

/// <summary>
/// The hashing trick for one categorical or text column: every token is hashed (XxHash3 of its UTF-8 bytes) into one of
/// 2^<see cref="Bits"/> columns, with a sign from the hash's top bit (as scikit-learn's <c>FeatureHasher(alternate_sign=True)</c>,
/// so that collisions cancel in expectation instead of adding up). No vocabulary is kept: a token never seen in training
/// lands in some column like any other, so new data needs nothing but the column's name, bits and token rule. Rows come
/// out sparse, with indices ascending and the colliding tokens of a row summed. Immutable; thread-safe.
/// </summary>
public sealed class HashedColumn
{
    /// <summary>The fewest bits (2 columns).</summary>
    public const int MinBits = 1;

    /// <summary>The most bits (16,777,216 columns: a 128 MB weight vector in double).</summary>
    public const int MaxBits = 24;

    private const int StackTokenChars = 128;

    /// <summary>A hashed column.</summary>
    /// <param name="column">The name of the data column it reads (used to find it in a header and to name the features).</param>
    /// <param name="bits">log₂ of the number of columns it produces, <see cref="MinBits"/> to <see cref="MaxBits"/>.</param>
    /// <param name="tokens">Whether a cell is one category or a bag of words.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Bits out of range, or an unknown token rule.</exception>
    public HashedColumn(string column, int bits, HashedTokens tokens = HashedTokens.Category)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        if (bits is < MinBits or > MaxBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, string.Format(CultureInfo.InvariantCulture, "The hashed column '{0}' needs {1} to {2} bits (2 to 16,777,216 features); 18 to 20 suit text, a few bits more than log2 of the number of categories suit a categorical column.", column, MinBits, MaxBits));
        }

        if (!Enum.IsDefined(tokens))
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "Unknown token rule.");
        }

        Column = column;
        Bits = bits;
        Tokens = tokens;
    }

    /// <summary>The data column's name.</summary>
    public string Column { get; }

    /// <summary>log₂ of <see cref="Width"/>.</summary>
    public int Bits { get; }

    /// <summary>How a cell becomes tokens.</summary>
    public HashedTokens Tokens { get; }

    /// <summary>The number of features this column produces, 2^<see cref="Bits"/>.</summary>
    public int Width => 1 << Bits;

    /// <summary>The name of feature <paramref name="index"/> of this column: "column#index".</summary>
    public string NameOf(int index) => string.Create(CultureInfo.InvariantCulture, $"{Column}#{index}");

    /// <summary>The column (in [0, <see cref="Width"/>)) and sign of one token.</summary>
    /// <param name="token">The token's text, exactly (no trimming or case folding is applied here).</param>
    public (int Index, double Sign) HashToken(ReadOnlySpan<char> token)
    {
        int length = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        Span<byte> bytes = length <= 4 * StackTokenChars ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        int written = Encoding.UTF8.GetBytes(token, bytes);
        ulong hash = XxHash3.HashToUInt64(bytes[..written]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return ((int)(hash & (ulong)(Width - 1)), (hash >> 63) == 0 ? 1.0 : -1.0);
    }

    /// <summary>
    /// Appends the hashed features of one cell to <paramref name="entries"/> as (offset + column, ±count) — one entry
    /// per token, unsorted, possibly repeated (<see cref="SortAndMerge"/> makes them a sparse row). A category cell is
    /// trimmed and gives one entry (an empty cell is the category ""); a text cell gives one per word (none when empty).
    /// </summary>
    public void Hash(ReadOnlySpan<char> cell, List<(int Index, double Value)> entries, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (Tokens == HashedTokens.Category)
        {
            (int index, double sign) = HashToken(cell.Trim());
            entries.Add((offset + index, sign));
            return;
        }

        Span<char> lower = stackalloc char[StackTokenChars];
        int i = 0;
        while (i < cell.Length)
        {
            while (i < cell.Length && !char.IsLetterOrDigit(cell[i]))
            {
                i++;
            }

            int start = i;
            while (i < cell.Length && char.IsLetterOrDigit(cell[i]))
            {
                i++;
            }

            if (i > start)
            {
                ReadOnlySpan<char> word = cell[start..i];
                Span<char> folded = word.Length <= lower.Length ? lower[..word.Length] : new char[word.Length];
                word.ToLowerInvariant(folded);
                (int index, double sign) = HashToken(folded);
                entries.Add((offset + index, sign));
            }
        }
    }

    /// <summary>
    /// Sorts a row's entries by column and sums those of the same column, dropping sums of zero (tokens whose signs
    /// cancelled); returns how many remain at the start of <paramref name="entries"/>.
    /// </summary>
    public static int SortAndMerge(List<(int Index, double Value)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Span<(int Index, double Value)> span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries);
        span.Sort(default(ByIndex));
        int kept = 0;
        for (int i = 0; i < span.Length;)
        {
            int index = span[i].Index;
            double sum = 0;
            for (; i < span.Length && span[i].Index == index; i++)
            {
                sum += span[i].Value;
            }

            if (sum != 0)
            {
                span[kept++] = (index, sum);
            }
        }

        entries.RemoveRange(kept, entries.Count - kept);
        return kept;
    }

    /// <summary>Hashes one cell per row into sparse rows of <see cref="Width"/> columns.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="cells">The column's cells, one per row.</param>
    public CsrMatrix<T> Transform<T>(IReadOnlyList<string> cells)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cells);
        var values = new List<T>(cells.Count);
        var indices = new List<int>(cells.Count);
        long[] offsets = new long[cells.Count + 1];
        var entries = new List<(int Index, double Value)>();
        for (int i = 0; i < cells.Count; i++)
        {
            entries.Clear();
            Hash((cells[i] ?? throw new ArgumentException($"Cell {i} is null.", nameof(cells))).AsSpan(), entries);
            SortAndMerge(entries);
            foreach ((int index, double value) in entries)
            {
                indices.Add(index);
                values.Add(T.CreateChecked(value));
            }

            offsets[i + 1] = values.Count;
        }

        return CsrMatrix.Create<T>(values.ToArray(), indices.ToArray(), offsets, Width);
    }

    /// <summary>
    /// The names of the features of data laid out as numeric columns first, then each hashed column's block:
    /// the numeric names, then "column#index" — computed on access, not stored (a 2²⁰-column block has a million).
    /// </summary>
    public static IReadOnlyList<string> FeatureNames(IReadOnlyList<string> numeric, IReadOnlyList<HashedColumn> hashed)
    {
        ArgumentNullException.ThrowIfNull(numeric);
        ArgumentNullException.ThrowIfNull(hashed);
        return new LayoutNames(numeric, hashed);
    }

    /// <summary>The number of features of numeric columns followed by hashed blocks (as a long: the sum may exceed int).</summary>
    public static long CountFeatures(int numeric, IReadOnlyList<HashedColumn> hashed)
    {
        ArgumentNullException.ThrowIfNull(hashed);
        long total = numeric;
        foreach (HashedColumn h in hashed)
        {
            total += h.Width;
        }

        return total;
    }

    /// <summary>Orders entries by column (a struct comparer: the sort is specialized for it, with no delegate call per comparison).</summary>
    private readonly struct ByIndex : IComparer<(int Index, double Value)>
    {
        public int Compare((int Index, double Value) x, (int Index, double Value) y) => x.Index.CompareTo(y.Index);
    }

    private sealed class LayoutNames(IReadOnlyList<string> numeric, IReadOnlyList<HashedColumn> hashed) : IReadOnlyList<string>
    {
        public int Count { get; } = checked((int)CountFeatures(numeric.Count, hashed));

        public string this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
                if (index < numeric.Count)
                {
                    return numeric[index];
                }

                int rest = index - numeric.Count;
                foreach (HashedColumn h in hashed)
                {
                    if (rest < h.Width)
                    {
                        return h.NameOf(rest);
                    }

                    rest -= h.Width;
                }

                throw new InvalidOperationException("unreachable");
            }
        }

        public IEnumerator<string> GetEnumerator()
        {
            for (int i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
