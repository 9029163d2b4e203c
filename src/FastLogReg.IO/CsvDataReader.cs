using System.Globalization;
using System.Numerics;
using FastLogReg.Data;
using nietras.SeparatedValues;

namespace FastLogReg.IO;

/// <summary>How to read a CSV file.</summary>
public sealed record CsvReadOptions
{
    /// <summary>The label column: a header name, or a 1-based column number. Default: the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The separator (',', ';' or '\t'); null to detect it from the header line. Default null.</summary>
    public char? Separator { get; init; }

    /// <summary>
    /// The label mapping to use instead of inferring one (for instance the mapping a model was trained with). Values other
    /// than its two are an error; a file may then hold a single class. Default null: infer from the file.
    /// </summary>
    public LabelMapping? Labels { get; init; }

    /// <summary>The label value that is the positive class when inferring the mapping; null for <see cref="LabelMapping"/>'s rule.</summary>
    public string? PositiveLabel { get; init; }

    /// <summary>
    /// Read these columns, by header name and in this order, as the features (all other non-label columns are ignored).
    /// Default null: every column except the label.
    /// </summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>
    /// The most classes the label column may hold: 2 (the default) for binary data; up to 1000 for multi-class data.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [2, 1000].</exception>
    public int MaxClasses
    {
        get;
        init => field = value is >= 2 and <= LabelCodes.MostClasses ? value : throw new ArgumentOutOfRangeException(nameof(MaxClasses), value, $"MaxClasses must be from 2 to {LabelCodes.MostClasses}.");
    }

        = 2;

    /// <summary>
    /// Numbers are written with a decimal comma (<c>1,5</c>), as in many European CSV files, usually separated by ';'.
    /// Default false: the decimal separator is '.', and a comma inside a number is an error (never a thousands separator).
    /// </summary>
    public bool DecimalComma { get; init; }

    /// <summary>
    /// Threads that parse rows; 1 parses on the calling thread. Default null: every core. The result, and the first
    /// error reported, do not depend on it. A file read by path (without quote characters, in UTF-8) is cut into pieces
    /// that each thread reads, splits and parses — rows of plain numbers straight from their bytes, other rows with Sep;
    /// other input is split on one thread and its numbers parsed on all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? MaxDegreeOfParallelism
    {
        get;
        init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "MaxDegreeOfParallelism must be at least 1 (or null for every core).");
    }
}

/// <summary>Features read from a file without labels (for prediction).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Features">Row-major values, <paramref name="Rows"/> × <paramref name="Columns"/>.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="Columns">Features per row.</param>
/// <param name="Names">One name per feature column.</param>
/// <param name="Source">The file read.</param>
public sealed record FeatureTable<T>(ReadOnlyMemory<T> Features, int Rows, int Columns, IReadOnlyList<string> Names, string Source)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Reads CSV files — a header line, then one row per sample — streaming, with the Sep parser (SIMD tokenizing, fast
/// float parsing, culture-invariant numbers). Features must be finite numbers; the label column must hold two distinct
/// values (or only the values of a given mapping). Anything else raises a <see cref="DataFormatException"/> naming the
/// file, line and column.
/// </summary>
public static partial class CsvDataReader
{
    /// <summary>Files shorter than this are parsed on the calling thread, where handing rows to other threads costs more than it saves.</summary>
    internal const long ParallelThresholdBytes = 1 << 20;

    /// <summary>Reads a labelled CSV file.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">Label column, separator, label mapping, feature columns; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed (the message says where and why).</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static LabeledData<T> Read<T>(string path, CsvReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var text = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return ReadLabeled<T>(text, path, options, file: path);
    }

    /// <summary>Reads labelled CSV text.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The CSV text.</param>
    /// <param name="source">A name for the text in error messages (usually the file name).</param>
    /// <param name="options">Label column, separator, label mapping, feature columns; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed (the message says where and why).</exception>
    public static LabeledData<T> Read<T>(TextReader text, string source, CsvReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ReadLabeled<T>(text, source, options, file: null);

    /// <summary>
    /// Reads the feature columns of a CSV file for prediction: <see cref="CsvReadOptions.FeatureColumns"/> if given
    /// (other columns ignored), otherwise every column.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">Separator and feature columns; label options are ignored.</param>
    /// <exception cref="DataFormatException">The content is malformed.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static FeatureTable<T> ReadFeatures<T>(string path, CsvReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var text = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return ReadTable<T>(text, path, options, file: path);
    }

    private static LabeledData<T> ReadLabeled<T>(TextReader text, string source, CsvReadOptions? options, string? file)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new CsvReadOptions();
        return Labelled(Parse<T>(text, source, options, withLabels: true, file), options, source);
    }

    private static LabeledData<T> Labelled<T>(Parsed<T> parsed, CsvReadOptions options, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (LabelMapping mapping, T[] y) = parsed.Labels!.Map<T>(options.Labels, options.PositiveLabel);
        DenseDataset<T> data = mapping.Count == 2
            ? DenseDataset.Create(parsed.Features, y, parsed.Names.Length)
            : DenseDataset.Create(parsed.Features, y, parsed.Names.Length, mapping.Count);
        return new LabeledData<T>(data, parsed.Names, mapping, source) { LabelColumn = parsed.LabelName };
    }

    /// <summary>
    /// Reads the feature columns of a CSV file for prediction: <see cref="CsvReadOptions.FeatureColumns"/> if given
    /// (other columns ignored), otherwise every column.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The CSV text.</param>
    /// <param name="source">A name for error messages.</param>
    /// <param name="options">Separator and feature columns; label options are ignored.</param>
    /// <exception cref="DataFormatException">The content is malformed.</exception>
    public static FeatureTable<T> ReadFeatures<T>(TextReader text, string source, CsvReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ReadTable<T>(text, source, options, file: null);

    private static FeatureTable<T> ReadTable<T>(TextReader text, string source, CsvReadOptions? options, string? file)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parsed<T> parsed = Parse<T>(text, source, options ?? new CsvReadOptions(), withLabels: false, file);
        return new FeatureTable<T>(parsed.Features, parsed.Rows, parsed.Names.Length, parsed.Names, source);
    }

    /// <summary>The column names of a CSV file's header (for choosing columns before reading).</summary>
    /// <param name="text">The CSV text; only the first line is read.</param>
    /// <param name="source">A name for error messages.</param>
    /// <param name="separator">The separator, or null to detect it.</param>
    public static IReadOnlyList<string> ReadHeader(TextReader text, string source, char? separator = null)
    {
        try
        {
            using SepReader reader = Open(text, separator);
            return Header(reader, source);
        }
        catch (Exception e) when (IsParserComplaint(e))
        {
            throw new DataFormatException(source, 1, null, "the header is not readable as CSV: " + e.Message, e);
        }
    }

    /// <summary>The header's column names, unquoted, after every check a header needs.</summary>
    private static string[] Header(SepReader reader, string source)
    {
        IReadOnlyList<string> raw = reader.Header.ColNames;
        if (raw.Any(h => h.Contains('\0', StringComparison.Ordinal)))
        {
            throw NotText(source);
        }

        if (raw.Any(h => h.Contains('\uFFFD', StringComparison.Ordinal)))
        {
            throw new DataFormatException(source, 1, null, TextChecks.NotUtf8);
        }

        if (raw.Count == 0 || (raw.Count == 1 && raw[0].Trim().Length == 0))
        {
            throw new DataFormatException(source, 1, null, reader.HasRows
                ? "line 1 is blank, but the first line must be the header naming the columns (remove the blank line)."
                : "the file is empty: expected a header line naming the columns, then the rows.");
        }

        for (int j = 0; j < raw.Count; j++)
        {
            if (CsvCell.IsUnterminated(raw[j]))
            {
                throw new DataFormatException(source, 1, j + 1, $"the quote that opens header column {j + 1} is never closed: it swallows the rest of the file. Close it, or remove it.");
            }

            if (CsvCell.HasTextAfterQuote(raw[j]))
            {
                throw new DataFormatException(source, 1, j + 1, $"the header name '{Shorten(raw[j])}' has text after its closing quote.");
            }
        }

        string[] header = raw.Select(n => CsvCell.Unquote(n)).ToArray();
        for (int j = 0; j < header.Length; j++)
        {
            int first = Array.IndexOf(header, header[j]);
            if (first < j)
            {
                throw new DataFormatException(source, 1, j + 1, $"the header names the column '{Shorten(header[j])}' twice (columns {first + 1} and {j + 1}): every column needs its own name.");
            }
        }

        if (header.Length > 1 && header.All(h => double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw new DataFormatException(source, 1, null, $"the first line holds only numbers ('{Shorten(string.Join(",", header.Take(4)))}'…): it looks like data, not a header. A CSV file here starts with a header line naming its columns — add one.");
        }

        return header;
    }

    /// <summary>Text with NUL characters: UTF-16 read as UTF-8 (no byte-order mark), or not text at all.</summary>
    internal static DataFormatException NotText(string source) =>
        new(source, 1, null, "the file holds NUL characters: it looks like UTF-16 text without a byte-order mark, or a binary file. Save it as UTF-8 (or as UTF-16 with a byte-order mark).");

    internal static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..37], "...");

    /// <summary>The Sep settings every reader here uses: fields trimmed and unquoted, invariant culture, rows checked by us.</summary>
    internal static SepReaderOptions Configure(SepReaderOptions o) =>
        o with { DisableColCountCheck = true, Unescape = false, Trim = SepTrim.Outer, CultureInfo = CultureInfo.InvariantCulture };

    private static SepReader Open(TextReader text, char? separator)
    {
        SepReaderOptions spec = separator is { } c ? Sep.New(c).Reader(Configure) : Sep.Reader(Configure);
        return spec.From(text);
    }

    private static bool IsParserComplaint(Exception e) =>
        e is InvalidDataException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException or NotSupportedException;

    private static Parsed<T> Parse<T>(TextReader text, string source, CsvReadOptions options, bool withLabels, string? file)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.Require<T>();
        return Guarded(() => ParseCore<T>(text, source, options, withLabels, file), source, file);
    }

    /// <summary>Runs a parse, turning the parser's own exceptions (also from its worker threads) into a <see cref="DataFormatException"/>.</summary>
    private static TResult Guarded<TResult>(Func<TResult> parse, string source, string? file)
    {
        try
        {
            return parse();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(IsParserComplaint))
        {
            throw Complaint(e.InnerExceptions[0], source, file);
        }
        catch (Exception e) when (IsParserComplaint(e))
        {
            throw Complaint(e, source, file);
        }
    }

    /// <summary>The parser's own complaints (a broken quote, an over-long row, bytes that are not UTF-8), as the user needs them.</summary>
    private static DataFormatException Complaint(Exception e, string source, string? file)
    {
        if (e.Message.Contains("maximum supported length", StringComparison.Ordinal))
        {
            long line = file is null ? 0 : TextChecks.UnclosedQuoteLine(file);
            return new DataFormatException(source, line, null, line > 0
                ? "the quote that opens a field on this line is never closed: it runs on for more than 16 MB. Close it, or remove it."
                : "a row is longer than 16 MB: a quote that is never closed, or not CSV text.", e);
        }

        return new DataFormatException(source, 0, null, "not readable as CSV: " + e.Message, e);
    }

    /// <summary>
    /// Reads the header and the rows; <paramref name="file"/> is the file <paramref name="text"/> reads, when it may be
    /// cut into pieces parsed in parallel.
    /// </summary>
    private static Parsed<T> ParseCore<T>(TextReader text, string source, CsvReadOptions options, bool withLabels, string? file)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParseCore<T>(text, source, options, withLabels, file, range: null)!;

    /// <summary>
    /// As above; with <paramref name="range"/>, <paramref name="text"/> holds the header alone and only the rows in those
    /// bytes of <paramref name="file"/> are parsed, by the cut-file parser — or null is returned when it declines.
    /// </summary>
    private static Parsed<T>? ParseCore<T>(TextReader text, string source, CsvReadOptions options, bool withLabels, string? file, (long Start, long End)? range)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using SepReader reader = Open(text, options.Separator);
        string[] header = Header(reader, source);

        int label = withLabels ? LabelIndex(header, options.LabelColumn, source) : -1;
        int[] featureIndex = FeatureIndices(header, label, options.FeatureColumns, source);
        if (featureIndex.Length == 0)
        {
            throw new DataFormatException(source, 1, null, $"the header has no feature columns besides the label '{header[label]}': expected features and a label, separated by ',', ';' or tab.");
        }

        int columns = featureIndex.Length;
        var features = new Growable<T>(1024 * columns);
        var labels = new LabelCodes(source, withLabels ? header[label] : string.Empty, options.MaxClasses);
        var parser = new CsvRowParser<T>(header, featureIndex, label, options.DecimalComma);
        int threads = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount;
        long? length = text is StreamReader { BaseStream: { CanSeek: true } stream } ? stream.Length : null;
        string[] names = featureIndex.Select(j => header[j]).ToArray();

        // A file is cut into pieces that each core tokenizes and parses (unless quotes or its encoding forbid it); on one
        // thread too, for the pieces of plain rows are parsed straight from their bytes, several times faster than Sep.
        if (file is not null && (range is not null || length >= ParallelThresholdBytes) &&
            CsvFilePieces.TryParse(file, reader.Spec.Sep.Separator, parser, columns, withLabels, threads, range) is { } pieces)
        {
            return Join(pieces, source, names, labels, label, withLabels ? header[label] : null);
        }

        if (range is not null)
        {
            return null;
        }

        // Otherwise rows are parsed on all cores (Sep's ParallelEnumerate reads and splits the text on one thread and
        // hands batches of rows to pool threads) and come back in file order, so the buffer, the label codes and the
        // first error reported are the same for any thread count. Small inputs stay on the calling thread.
        IEnumerable<ParsedRow<T>> parsedRows = threads > 1 && length is null or >= ParallelThresholdBytes
            ? reader.ParallelEnumerate(parser.Parse, threads)
            : reader.Enumerate(parser.Parse);
        long line = 1;
        long next = 2; // where the next row starts, from the previous row's end (see ParsedRow)
        int rows = 0;
        foreach (ParsedRow<T> row in parsedRows)
        {
            line = Math.Max(row.Line, next);
            next = row.LineEnd;
            if (row.Error is not null)
            {
                throw new DataFormatException(source, line, row.ErrorColumn, row.Error);
            }

            if (row.Values is null)
            {
                continue; // a blank line
            }

            if (rows == 0 && length is { } bytes)
            {
                // Size the buffer once from the file's length and the first row's, instead of doubling it ~20 times.
                features.Reserve((long)(1.05 * bytes / (row.Length + 1)) * columns);
            }

            row.Values.AsSpan(0, columns).CopyTo(features.Append(columns));
            parser.Recycle(row.Values);
            if (withLabels)
            {
                labels.Add(row.Label, line, label + 1);
            }

            rows++;
        }

        if (rows == 0)
        {
            throw NoRows(source, line);
        }

        return new Parsed<T>(features.AsMemory(), rows, names, withLabels ? labels : null, withLabels ? header[label] : null);
    }

    /// <summary>
    /// Joins the pieces of a file in order: line numbers made absolute, labels coded in file order, the first error in
    /// the file (a bad row or a third label value) reported exactly as the one-stream parse reports it, and the rows
    /// moved up over the slots that blank lines left unused.
    /// </summary>
    private static Parsed<T> Join<T>(CsvPieces<T> parsed, string source, string[] names, LabelCodes labels, int label, string? labelName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int columns = names.Length;
        long before = 1; // the header line
        long line = 1;
        long rows = 0;
        foreach (CsvPiece<T> piece in parsed.Pieces)
        {
            if (labelName is not null)
            {
                ReadOnlySpan<string> values = piece.Labels.AsSpan();
                ReadOnlySpan<int> lines = piece.RowLines.AsSpan();
                for (int r = 0; r < values.Length; r++)
                {
                    labels.Add(values[r], before + lines[r], label + 1);
                }
            }

            if (piece.Error is { } bad)
            {
                throw new DataFormatException(source, before + bad.Line, bad.ErrorColumn, bad.Error!);
            }

            if (piece.LastLine > 0)
            {
                line = before + piece.LastLine;
            }

            if (piece.FirstSlot != rows)
            {
                // Blank lines before this piece left slots unused: close the gap (an overlapping copy moves like memmove).
                parsed.Features.AsSpan((int)(piece.FirstSlot * columns), piece.Rows * columns).CopyTo(parsed.Features.AsSpan((int)(rows * columns)));
            }

            before += piece.Lines;
            rows += piece.Rows;
        }

        if (rows == 0)
        {
            throw NoRows(source, line);
        }

        return new Parsed<T>(parsed.Features.AsMemory(0, (int)(rows * columns)), (int)rows, names, labelName is not null ? labels : null, labelName);
    }

    /// <summary>The error for a file whose header is followed by nothing but blank lines (the last on <paramref name="line"/>).</summary>
    private static DataFormatException NoRows(string source, long line) =>
        new(source, line, null, "the file has a header but no rows.");

    private static int LabelIndex(string[] header, string? requested, string source)
    {
        if (requested is null)
        {
            return header.Length - 1;
        }

        int named = Array.IndexOf(header, requested);
        bool isNumber = int.TryParse(requested, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) && number >= 1 && number <= header.Length;
        if (named >= 0 && isNumber && named != number - 1)
        {
            throw new DataFormatException(source, 1, null, $"the label column '{requested}' is ambiguous: column {named + 1} is named '{requested}', and column {number} is number {requested}. Rename the column, or give the other one's name.")
            {
                Option = nameof(CsvReadOptions.LabelColumn),
            };
        }

        if (named >= 0)
        {
            return named;
        }

        if (isNumber)
        {
            return number - 1;
        }

        throw new DataFormatException(source, 1, null, $"no label column '{requested}': the header has {string.Join(", ", header.Select(h => $"'{h}'"))} (or give a column number from 1 to {header.Length}).")
        {
            Option = nameof(CsvReadOptions.LabelColumn),
        };
    }

    private static int[] FeatureIndices(string[] header, int label, IReadOnlyList<string>? requested, string source)
    {
        if (requested is null)
        {
            return Enumerable.Range(0, header.Length).Where(j => j != label).ToArray();
        }

        int[] indices = new int[requested.Count];
        var missing = new List<string>();
        for (int k = 0; k < requested.Count; k++)
        {
            indices[k] = Array.IndexOf(header, requested[k]);
            if (indices[k] < 0 || indices[k] == label)
            {
                missing.Add(requested[k]);
            }
            else if (Array.LastIndexOf(header, requested[k]) != indices[k])
            {
                throw new DataFormatException(source, 1, null, $"the header names the column '{requested[k]}' twice, so the feature of that name is ambiguous.");
            }
        }

        if (missing.Count > 0)
        {
            string names = string.Join(", ", missing.Take(5).Select(n => $"'{n}'")) + (missing.Count > 5 ? $" and {missing.Count - 5} more" : string.Empty);
            throw new DataFormatException(source, 1, null, $"the header lacks {missing.Count} of the {requested.Count} feature columns asked for: {names}.")
            {
                Option = nameof(CsvReadOptions.FeatureColumns),
            };
        }

        return indices;
    }

    private sealed record Parsed<T>(ReadOnlyMemory<T> Features, int Rows, string[] Names, LabelCodes? Labels, string? LabelName);
}
