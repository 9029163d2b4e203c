using System.Numerics;
using System.Text;
using FastLogReg.Data;
using nietras.SeparatedValues;

namespace FastLogReg.IO;

/// <summary>
/// Where a run of rows of a CSV file starts — a known row start at or before it (<paramref name="Offset"/>, on line
/// <paramref name="Line"/>), the rows to skip from there — and how many rows it holds: enough for
/// <see cref="CsvDataReader.ReadRange{T}"/> to read those rows without parsing the rest of the file.
/// </summary>
/// <param name="Offset">The byte offset of a row start at or before the range.</param>
/// <param name="Line">The 1-based line number at <paramref name="Offset"/>.</param>
/// <param name="Skip">Rows (non-blank lines) to pass over from there.</param>
/// <param name="Rows">Rows in the range.</param>
/// <param name="Separator">The file's separator.</param>
public readonly record struct CsvRowRange(long Offset, long Line, int Skip, int Rows, char Separator)
{
    /// <summary>The file's length when it was outlined (a read of another length is refused); 0 to skip the check.</summary>
    public long FileLength { get; init; }
}

/// <summary>
/// A CSV file's outline, from one streaming pass over its bytes that parses no feature: its rows, feature columns,
/// label mapping (over every row), and where every 1,024th row starts. From it, <see cref="Range"/> locates any run of
/// rows, which <see cref="CsvDataReader.ReadRange{T}"/> then reads alone — how each machine of a sharded fit reads only
/// its own rows.
/// </summary>
public sealed class CsvOutline
{
    /// <summary>Rows between two recorded row starts.</summary>
    public const int CheckpointRows = RowStarts.Every;

    private readonly RowStarts _starts;

    internal CsvOutline(string path, char separator, string[] featureNames, string labelName, int rows, LabelMapping labels, RowStarts starts, long fileLength)
    {
        FileLength = fileLength;
        Path = path;
        Separator = separator;
        FeatureNames = featureNames;
        LabelName = labelName;
        Rows = rows;
        Labels = labels;
        _starts = starts;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Its length in bytes when outlined.</summary>
    public long FileLength { get; }

    /// <summary>Its separator.</summary>
    public char Separator { get; }

    /// <summary>The feature columns' names, in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The label column's name.</summary>
    public string LabelName { get; }

    /// <summary>Rows (non-blank lines after the header).</summary>
    public int Rows { get; }

    /// <summary>Feature columns.</summary>
    public int Columns => FeatureNames.Count;

    /// <summary>The label mapping over the whole file (given in the options, or inferred as the whole-file reader infers it).</summary>
    public LabelMapping Labels { get; }

    /// <summary>Where rows <paramref name="firstRow"/> … <paramref name="firstRow"/> + <paramref name="rows"/> − 1 are.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the file.</exception>
    public CsvRowRange Range(int firstRow, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)firstRow + rows, Rows, nameof(rows));
        (long offset, long line, int skip) = _starts.Find(firstRow);
        return new CsvRowRange(offset, line, skip, rows, Separator) { FileLength = FileLength };
    }
}

/// <summary>Reading CSV files in row ranges.</summary>
public static partial class CsvDataReader
{
    /// <summary>
    /// Outlines the CSV file at <paramref name="path"/> in one pass over its bytes: the header, the rows, the label of
    /// each row (for the mapping), and where every 1,024th row starts; no feature is parsed (a bad value is reported by
    /// the <see cref="ReadRange{T}"/> that reads it). The rows must be one per line without quote characters (the header
    /// may quote its names), in UTF-8.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Label column, separator, given label mapping or positive label, feature columns.</param>
    /// <exception cref="DataFormatException">The header or a label is malformed, a row holds a quote, or the labels are not two classes.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static CsvOutline Outline(string path, CsvReadOptions? options = null) =>
        Guarded(() => OutlineCore(path, options ?? new CsvReadOptions()), path, path);

    private static CsvOutline OutlineCore(string path, CsvReadOptions options)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var lines = new FileLines(stream, path, 0, 1);
        (string[] header, char separator, long _) = HeaderLine(lines, path, options.Separator);
        int label = LabelIndex(header, options.LabelColumn, path);
        int[] featureIndex = FeatureIndices(header, label, options.FeatureColumns, path);
        if (featureIndex.Length == 0)
        {
            throw new DataFormatException(path, 1, null, $"the header has no feature columns besides the label '{header[label]}'.");
        }

        var labels = new LabelCodes(path, header[label], options.MaxClasses, keepCodes: false);
        var starts = new RowStarts();
        byte sep = (byte)separator;
        bool lastColumn = label == header.Length - 1;
        Span<char> chars = stackalloc char[128];
        int rows = 0;
        while (lines.TryNext(out ReadOnlySpan<byte> line))
        {
            CheckRangeLine(line, path, lines.Line);
            if (IsBlank(line, sep))
            {
                continue;
            }

            if (rows == int.MaxValue)
            {
                throw new DataFormatException(path, lines.Line, null, $"more than {int.MaxValue} rows.");
            }

            starts.Add(rows, lines.Offset, lines.Line);
            rows++;
            ReadOnlySpan<byte> cell = lastColumn && line.LastIndexOf(sep) is int last and >= 0 ? line[(last + 1)..] : Field(line, sep, label, path, lines.Line, header.Length);
            cell = cell.Trim((byte)' '); // as the reader trims a cell: spaces, not tabs
            if (cell.Length <= chars.Length)
            {
                int n = Encoding.UTF8.GetChars(cell, chars);
                labels.Add(chars[..n], lines.Line, label + 1);
            }
            else
            {
                labels.Add(Encoding.UTF8.GetString(cell), lines.Line, label + 1);
            }
        }

        if (rows == 0)
        {
            throw NoRows(path, lines.Line);
        }

        LabelMapping mapping = labels.Mapping(options.Labels, options.PositiveLabel);
        return new CsvOutline(path, separator, featureIndex.Select(j => header[j]).ToArray(), header[label], rows, mapping, starts, stream.Length);
    }

    /// <summary>
    /// Reads the rows of <paramref name="range"/> (from <see cref="CsvOutline.Range"/>) of the CSV file at
    /// <paramref name="path"/>: its header line and those rows' bytes, parsed as <see cref="Read{T}(string, CsvReadOptions)"/>
    /// parses a file, with errors on the file's own line numbers.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file outlined.</param>
    /// <param name="range">Which rows.</param>
    /// <param name="options">The options the file was outlined with; <see cref="CsvReadOptions.Labels"/> must be the outline's mapping (a range may hold one class).</param>
    /// <exception cref="ArgumentException">No label mapping in the options.</exception>
    /// <exception cref="DataFormatException">A row is malformed, or the file has fewer rows than the range (it changed since it was outlined).</exception>
    public static LabeledData<T> ReadRange<T>(string path, CsvRowRange range, CsvReadOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Labels is null)
        {
            throw new ArgumentException("Give the outline's label mapping in CsvReadOptions.Labels: a range of rows may hold only one class.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(range.Rows, 1, nameof(range));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        byte[] header;
        using (var first = new FileLines(stream, path, 0, 1))
        {
            (_, _, long headerEnd) = HeaderLine(first, path, range.Separator);
            header = new byte[headerEnd];
            stream.Seek(0, SeekOrigin.Begin);
            stream.ReadExactly(header);
        }

        byte sep = (byte)range.Separator;
        (long start, long startLine, long end) = FileLines.Locate(stream, path, range.Offset, range.Line, range.Skip, range.Rows, range.FileLength, (line, number) =>
        {
            CheckRangeLine(line, path, number);
            return !IsBlank(line, sep);
        });

        // The rows' bytes cut into pieces and parsed on all cores, as a whole file is; the in-memory parse below only
        // when that parser declines (it never does for rows that passed the outline: no quotes, UTF-8).
        if (ReadRangeFast<T>(path, header, start, end, options with { Separator = range.Separator }, startLine) is { } fast)
        {
            return Counted(fast, range.Rows, path, startLine);
        }

        long bytes = header.Length + (end - start);
        if (bytes > Array.MaxLength)
        {
            throw new NotSupportedException($"Rows {startLine}… of {path} are {bytes:N0} bytes of text, more than one read holds: read them in smaller ranges (more shards).");
        }

        byte[] text = new byte[bytes];
        header.CopyTo(text, 0);
        stream.Seek(start, SeekOrigin.Begin);
        stream.ReadExactly(text.AsSpan(header.Length));
        LabeledData<T> data;
        try
        {
            using var reader = new StreamReader(new MemoryStream(text, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            data = Read<T>(reader, path, options with { Separator = range.Separator });
        }
        catch (DataFormatException e) when (e.Line >= 2)
        {
            // Line 2 of the text read is the range's first line.
            throw new DataFormatException(path, e.Line - 2 + startLine, e.Column, e.Problem, e) { Option = e.Option };
        }

        return Counted(data, range.Rows, path, startLine);
    }

    private static LabeledData<T> Counted<T>(LabeledData<T> data, int rows, string path, long startLine)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        data.Data.Rows == rows ? data
        : throw new DataFormatException(path, startLine, null, $"the range from this line was planned with {rows} rows, but it reads as {data.Data.Rows}: it changed after it was outlined.");

    /// <summary>The rows in bytes [<paramref name="start"/>, <paramref name="end"/>) by the cut-file parser, or null when it declines.</summary>
    private static LabeledData<T>? ReadRangeFast<T>(string path, byte[] header, long start, long end, CsvReadOptions options, long startLine)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.Require<T>();
        try
        {
            using var text = new StreamReader(new MemoryStream(header, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            Parsed<T>? parsed = Guarded(() => ParseCore<T>(text, path, options, withLabels: true, path, (start, end)), path, path);
            return parsed is null ? null : Labelled(parsed, options, path);
        }
        catch (DataFormatException e) when (e.Line >= 2)
        {
            throw new DataFormatException(path, e.Line - 2 + startLine, e.Column, e.Problem, e) { Option = e.Option };
        }
    }

    /// <summary>The header's names and separator (from the first line, as the whole-file reader reads them) and the offset after its '\n'.</summary>
    private static (string[] Header, char Separator, long End) HeaderLine(FileLines lines, string source, char? separator)
    {
        if (!lines.TryNext(out ReadOnlySpan<byte> line))
        {
            throw new DataFormatException(source, 0, null, "the file is empty: expected a header line naming the columns, then the rows.");
        }

        if (line.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || line.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw new DataFormatException(source, 1, null, "the file is UTF-16 text: reading it in row ranges needs UTF-8. Save it as UTF-8.");
        }

        long end = lines.NextOffset;
        if (line.IndexOf((byte)'\r') >= 0)
        {
            throw new DataFormatException(source, 1, null, "the lines end in lone carriage returns (\\r): reading rows in ranges needs \\n or \\r\\n line ends.");
        }

        if (line.Trim(" \t"u8).IsEmpty || line.SequenceEqual((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            throw new DataFormatException(source, 1, null, "line 1 is blank, but the first line must be the header naming the columns (remove the blank line).");
        }

        string text = Encoding.UTF8.GetString(line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? line[3..] : line);
        using SepReader reader = Open(new StringReader(text + "\n"), separator);
        return (Header(reader, source), reader.Spec.Sep.Separator, end);
    }

    /// <summary>A line the whole-file reader would skip: no separator, nothing but white space.</summary>
    private static bool IsBlank(ReadOnlySpan<byte> line, byte separator) =>
        line.IndexOf(separator) < 0 && (line.Trim(" \t\v\f"u8).IsEmpty || (line.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 && Encoding.UTF8.GetString(line).Trim().Length == 0));

    /// <summary>Rows read in ranges are found by their line breaks: a quote (which may hide one) or a lone '\r' is refused.</summary>
    private static void CheckRangeLine(ReadOnlySpan<byte> line, string source, long number)
    {
        int bad = line.IndexOfAny((byte)'"', (byte)'\r');
        if (bad >= 0)
        {
            throw new DataFormatException(source, number, null, line[bad] == (byte)'"'
                ? "a quote character: rows read in ranges (sharded training) are found by their line breaks, so they must not be quoted. Remove the quotes."
                : "a carriage return inside the line: rows read in ranges must end in \\n or \\r\\n.");
        }
    }

    /// <summary>Field <paramref name="index"/> (0-based) of a row.</summary>
    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> line, byte separator, int index, string source, long number, int columns)
    {
        for (int k = 0; k < index; k++)
        {
            int at = line.IndexOf(separator);
            if (at < 0)
            {
                throw new DataFormatException(source, number, null, $"the row has {k + 1} fields, the header {columns}.");
            }

            line = line[(at + 1)..];
        }

        int next = line.IndexOf(separator);
        return next < 0 ? line : line[..next];
    }
}
