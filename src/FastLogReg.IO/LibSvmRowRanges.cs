using System.Globalization;
using System.Numerics;
using System.Text;
using FastLogReg.Data;

namespace FastLogReg.IO;

/// <summary>
/// Where a run of rows of a LIBSVM file starts — a known row start at or before it (<paramref name="Offset"/>, on line
/// <paramref name="Line"/>), the rows to skip from there — and how many rows it holds.
/// </summary>
/// <param name="Offset">The byte offset of a row start at or before the range.</param>
/// <param name="Line">The 1-based line number at <paramref name="Offset"/>.</param>
/// <param name="Skip">Rows (lines with data, not blank or comment-only) to pass over from there.</param>
/// <param name="Rows">Rows in the range.</param>
public readonly record struct LibSvmRowRange(long Offset, long Line, int Skip, int Rows)
{
    /// <summary>The file's length when it was outlined (a read of another length is refused); 0 to skip the check.</summary>
    public long FileLength { get; init; }
}

/// <summary>
/// A LIBSVM file's outline, from one streaming pass over its bytes that parses no value: its rows, the non-zeros of
/// each (so the chunks a local fit cuts by non-zeros, <c>ShardPlan.Sparse</c>), its columns (the largest index), its
/// label mapping over every row, and where every 1,024th row starts. From it <see cref="Range"/> locates any run of
/// rows, which <see cref="LibSvmDataReader.ReadRange{T}"/> then reads alone.
/// </summary>
public sealed class LibSvmOutline
{
    /// <summary>Rows between two recorded row starts.</summary>
    public const int CheckpointRows = RowStarts.Every;

    private readonly RowStarts _starts;

    internal LibSvmOutline(string path, int rows, int columns, LabelMapping labels, long[] rowOffsets, RowStarts starts, long fileLength)
    {
        FileLength = fileLength;
        Path = path;
        Rows = rows;
        Columns = columns;
        Labels = labels;
        RowOffsets = rowOffsets;
        _starts = starts;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Its length in bytes when outlined.</summary>
    public long FileLength { get; }

    /// <summary>Rows (lines with data).</summary>
    public int Rows { get; }

    /// <summary>Feature columns: the largest index (made 0-based) + 1, or the given column count.</summary>
    public int Columns { get; }

    /// <summary>The label mapping over the whole file.</summary>
    public LabelMapping Labels { get; }

    /// <summary>Rows + 1 running counts of non-zeros (index:value fields; qid fields are not features), as the rows' CSR offsets will be.</summary>
    public ReadOnlyMemory<long> RowOffsets { get; }

    /// <summary>Where rows <paramref name="firstRow"/> … <paramref name="firstRow"/> + <paramref name="rows"/> − 1 are.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the file.</exception>
    public LibSvmRowRange Range(int firstRow, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)firstRow + rows, Rows, nameof(rows));
        (long offset, long line, int skip) = _starts.Find(firstRow);
        return new LibSvmRowRange(offset, line, skip, rows) { FileLength = FileLength };
    }
}

/// <summary>Reading LIBSVM files in row ranges.</summary>
public static partial class LibSvmDataReader
{
    /// <summary>
    /// Outlines the LIBSVM file at <paramref name="path"/> in one pass over its bytes: rows, each row's non-zeros, the
    /// largest index, the labels (for the mapping) and where every 1,024th row starts. No value is parsed (a bad value
    /// is reported by the <see cref="ReadRange{T}"/> that reads it).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Columns, labels, index base.</param>
    /// <exception cref="DataFormatException">A label is not a number, the labels are not two classes (or more than allowed), or there are no rows.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static LibSvmOutline Outline(string path, LibSvmReadOptions? options = null)
    {
        options ??= new LibSvmReadOptions();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var labels = new LabelCodes(path, string.Empty, options.MaxClasses, keepCodes: false);
        var rowOffsets = new List<long> { 0 };
        var starts = new RowStarts();
        long nonZeros = 0;
        int maxIndex = -1;
        Span<char> chars = stackalloc char[64];
        using (var lines = new FileLines(stream, path, 0, 1))
        {
            while (lines.TryNext(out ReadOnlySpan<byte> line))
            {
                if (lines.Line == 1 && line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    line = line[3..];
                }

                ReadOnlySpan<byte> content = Content(line);
                if (content.IsEmpty)
                {
                    continue;
                }

                if (rowOffsets.Count - 1 == int.MaxValue - 1)
                {
                    throw new DataFormatException(path, lines.Line, null, $"more than {int.MaxValue - 1} rows.");
                }

                starts.Add(rowOffsets.Count - 1, lines.Offset, lines.Line);
                ReadOnlySpan<byte> label = Token(ref content);
                if (!double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out double numeric) || !double.IsFinite(numeric))
                {
                    throw new DataFormatException(path, lines.Line, 1, $"the label '{Encoding.UTF8.GetString(label)}' is not a finite number: expected 'label index:value …'.");
                }

                labels.Add(label.Length <= chars.Length ? chars[..Encoding.UTF8.GetChars(label, chars)] : Encoding.UTF8.GetString(label), lines.Line, 1);
                scoped ReadOnlySpan<byte> last = default;
                while (!content.IsEmpty)
                {
                    ReadOnlySpan<byte> token = Token(ref content);
                    if (!token.StartsWith("qid:"u8))
                    {
                        nonZeros++;
                        last = token;
                    }
                }

                // Indices ascend, so the row's last is its largest (a row that breaks the rule is reported when it is read).
                int colon = last.IndexOf((byte)':');
                if (colon > 0 && int.TryParse(last[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    maxIndex = Math.Max(maxIndex, options.ZeroBased ? index : index - 1);
                }

                rowOffsets.Add(nonZeros);
            }
        }

        if (rowOffsets.Count == 1)
        {
            throw new DataFormatException(path, 0, null, "the file has no rows: expected lines of 'label index:value …'.");
        }

        LabelMapping mapping = labels.Mapping(options.Labels, options.PositiveLabel);
        int columns = options.Columns ?? Math.Max(maxIndex + 1, 1);
        return new LibSvmOutline(path, rowOffsets.Count - 1, columns, mapping, [.. rowOffsets], starts, stream.Length);
    }

    /// <summary>
    /// Reads the rows of <paramref name="range"/> (from <see cref="LibSvmOutline.Range"/>) of the LIBSVM file at
    /// <paramref name="path"/> as sparse rows — those lines' bytes alone, cut into pieces parsed on all cores as a whole
    /// file is — with errors on the file's own line numbers.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file outlined.</param>
    /// <param name="range">Which rows.</param>
    /// <param name="options">The outline's options, with its <see cref="LibSvmReadOptions.Labels"/> and <see cref="LibSvmReadOptions.Columns"/> (a range may hold one class, and not the largest index).</param>
    /// <exception cref="ArgumentException">No label mapping or column count in the options.</exception>
    /// <exception cref="DataFormatException">A row is malformed, or the file has fewer rows than the range (it changed since it was outlined).</exception>
    public static SparseLabeledData<T> ReadRange<T>(string path, LibSvmRowRange range, LibSvmReadOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Labels is null || options.Columns is null)
        {
            throw new ArgumentException("Give the outline's label mapping and column count in the options: a range of rows may hold only one class, and not the largest index.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(range.Rows, 1, nameof(range));
        long start, startLine, end;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            (start, startLine, end) = FileLines.Locate(stream, path, range.Offset, range.Line, range.Skip, range.Rows, range.FileLength, (line, _) => !Content(line).IsEmpty);
        }

        SparseLabeledData<T> data;
        try
        {
            data = Labelled(ParseFile<T>(path, options, withLabels: true, (start, end)), options, path);
        }
        catch (DataFormatException e) when (e.Line >= 1)
        {
            // Line 1 of the bytes read is the range's first line.
            throw new DataFormatException(path, e.Line - 1 + startLine, e.Column, e.Problem, e) { Option = e.Option };
        }

        return data.Data.Rows == range.Rows ? data
            : throw new DataFormatException(path, startLine, null, $"the range from this line was planned with {range.Rows} rows, but it reads as {data.Data.Rows}: it changed after it was outlined.");
    }

    /// <summary>A line without its comment and surrounding white space (empty: not a row), as the reader sees it.</summary>
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> line)
    {
        int hash = line.IndexOf((byte)'#');
        return (hash >= 0 ? line[..hash] : line).Trim(" \t\r"u8);
    }

    private static ReadOnlySpan<byte> Token(ref ReadOnlySpan<byte> rest)
    {
        int end = rest.IndexOfAny((byte)' ', (byte)'\t');
        ReadOnlySpan<byte> token = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[(end + 1)..].TrimStart(" \t"u8);
        return token;
    }
}
